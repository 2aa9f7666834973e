import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runInitFromData } from '../../server/src/cli/init-from-data';
import type { InitOptions } from '../../server/src/cli/init';
import { loadSchema } from '../../server/src/core/schema/load';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const NOW = new Date('2026-11-30T00:00:00Z');

const CSV = [
  'first_name,email,plan,visits,vip,signup,income_bracket,updated_at',
  'Annabel,annabel@realmail.test,gold,41,true,2020-01-01,100k,2026-11-20',
  'Bertrand,bertrand@realmail.test,silver,7,false,2021-05-01,,2026-11-10',
  'Carla,,gold,12,true,2022-02-02,50k,2026-10-01',
  '',
].join('\n');

interface Run { code: number; stdout: string; stderr: string }

async function init(dir: string, args: { paths?: string[]; data: string[]; table?: string; merge?: boolean; format?: 'text' | 'json' }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const options: InitOptions = { paths: args.paths ?? [], cwd: dir, merge: args.merge ?? false, dryRun: false, aliases: [], format: args.format ?? 'text', now: NOW };
  const code = await runInitFromData(options, args.data, args.table, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

function schemaIn(dir: string): { text: string; fields: Map<string, any> } {
  const file = path.join(dir, 'mergewise.json');
  const text = fs.readFileSync(file, 'utf8');
  const loaded = loadSchema(text, file, dir);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return { text, fields: loaded.schema.fields };
}

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('mergewise init --from-data', () => {
  test('alone: types, required, examples only for non-personal fields, a maxAgeDays proposal', async () => {
    const dir = workspace({ 'data.csv': CSV });
    const run = await init(dir, { data: ['data.csv'] });
    assert.equal(run.code, 0, run.stderr);
    const { text, fields } = schemaIn(dir);
    const type = (p: string) => fields.get(p)?.type;
    assert.deepEqual(['first_name', 'email', 'plan', 'visits', 'vip', 'signup', 'income_bracket'].map(type), ['string', 'string', 'string', 'number', 'boolean', 'date', 'string']);
    assert.ok(!fields.has('updated_at'), 'the updated-at column is not a field');
    assert.deepEqual([...fields.values()].filter((f) => f.required).map((f) => f.path).sort(), ['first_name', 'plan', 'signup', 'vip', 'visits']);
    // Three rows: no value is shared by enough rows to be an example.
    for (const field of fields.values()) assert.equal(field.examples, undefined, field.path);
    for (const value of ['Annabel', 'Bertrand', 'Carla', 'realmail.test', '100k', '50k']) assert.ok(!text.includes(value), `${value} was written`);
    // Ages 10, 20 and 60 days: the 95th percentile is 56 days, proposed as 60; never set.
    assert.match(fields.get('plan').description, /^proposed: review — maxAgeDays 60 \(95% of rows were updated in the last 56 days\)$/);
    assert.equal(fields.get('plan').maxAgeDays, undefined);
    assert.match(fields.get('email').description, /sensitivity personal \(name looks like an email address\); maxAgeDays 60/);
    assert.match(fields.get('income_bracket').description, /sensitivity special-category/);
    assert.match(run.stdout, /From data\.csv \(3 rows\)/);
    assert.ok(fs.existsSync(path.join(dir, 'recipients/sample-complete.json')));
  });

  test('examples are values many rows share, never one that identifies someone, whatever the column is called', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => [
      `person${i}@realmail.test`, `u81200${i}`, `${10010 + i}`, ['gold', 'silver'][i % 2] + (i === 11 ? 'x' : ''),
      '+1 555 0100', `Vorname${i}`, '10.0.0.1', i < 6 ? 'c0ffee00c0ffee00c0ffee' : 'Berlin',
    ].join(','));
    const dir = workspace({ 'data.csv': ['Subscriber Key,user_id,Record ID,plan,support_line,Vorname,ip_address,region', ...rows, ''].join('\n') });
    const run = await init(dir, { data: ['data.csv'] });
    assert.equal(run.code, 0, run.stderr);
    const { text, fields } = schemaIn(dir);
    // goldx is held by one row only; gold and silver by five or six.
    assert.deepEqual(fields.get('plan').examples, ['gold', 'silver']);
    assert.deepEqual(fields.get('region').examples, ['Berlin'], 'a long token is no example, even shared by six rows');
    for (const path of ['Subscriber_Key', 'user_id', 'Record_ID', 'support_line', 'Vorname', 'ip_address']) assert.equal(fields.get(path).examples, undefined, path);
    for (const value of ['realmail.test', 'u812', '1001', '555', 'Vorname0', '10.0.0.1', 'c0ffee']) assert.ok(!text.includes(value), `${value} was written`);
    assert.match(fields.get('Subscriber_Key').description, /sensitivity personal \(values look like email addresses\)/);
    assert.match(fields.get('Vorname').description, /sensitivity personal \(name looks like a person's name\)/);
    assert.match(fields.get('ip_address').description, /sensitivity personal \(name looks like an IP address\)/);
  });

  test('with templates: template fields typed from their column, other columns added; Parquet with a struct and a list', async () => {
    const dir = workspace({
      'emails/welcome.liquid': "Hi {{ customer.first_name | default: 'there' }}, {{ customer.visits }} visits.{% for item in cart.items %}{{ item.title }}{% endfor %}\n",
    });
    await duckdb(`COPY (SELECT * FROM (VALUES
      ({'first_name': 'Annabel', 'visits': 4}, [{'title': 'Reader', 'price': 89.0}], 'gold'),
      ({'first_name': NULL, 'visits': 9}, [], 'silver')) t(customer, cart_items, plan))
      TO '${path.join(dir, 'data.parquet')}' (FORMAT parquet)`);
    const run = await init(dir, { paths: ['.'], data: ['data.parquet'], format: 'json' });
    assert.equal(run.code, 0, run.stderr);
    const { fields } = schemaIn(dir);
    assert.equal(fields.get('customer.visits').type, 'number');
    assert.equal(fields.get('customer.visits').required, true);
    assert.equal(fields.get('customer.first_name').required, false);
    assert.equal(fields.get('customer.first_name').fallback, 'there');
    assert.equal(fields.get('plan').type, 'string');
    assert.equal(fields.get('cart_items').type, 'array');
    assert.equal(fields.get('cart_items[].price').type, 'number');
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.fromData.added, ['cart_items', 'cart_items[].price', 'cart_items[].title', 'plan']);
    assert.ok(report.fromData.typed.some((t: { path: string }) => t.path === 'customer.visits'));
  });

  test('--merge adds only what mergewise.json lacks', async () => {
    const existing = '{\n  // mine\n  "fields": {\n    "plan": { "type": "string", "description": "kept" }\n  }\n}\n';
    const dir = workspace({ 'data.csv': CSV, 'mergewise.json': existing });
    const run = await init(dir, { paths: ['.'], data: ['data.csv'], merge: true });
    assert.equal(run.code, 0, run.stderr);
    const { text, fields } = schemaIn(dir);
    assert.ok(text.includes('// mine'));
    assert.equal(fields.get('plan').description, 'kept');
    assert.equal(fields.get('plan').required, false);
    assert.equal(fields.get('visits').type, 'number');
  });

  test('bad input: exit 2 with a message, nothing written', async () => {
    const dir = workspace({ 'empty.csv': '', 'only.csv': 'updated_at\n2026-01-01\n', 'header.csv': 'a,b\n' });
    const cases: [string, RegExp][] = [
      ['missing.csv', /--from-data: --data missing\.csv: no such file/],
      ['empty.csv', /the file is empty/],
      ['only.csv', /has no column that could be a field/],
      ['header.csv', /has no rows/],
    ];
    for (const [file, message] of cases) {
      const run = await init(dir, { data: [file] });
      assert.equal(run.code, 2, file);
      assert.match(run.stderr, message);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'mergewise.json')));
  });
});
