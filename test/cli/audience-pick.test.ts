import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runAudience } from '../../server/src/cli/audience';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const NOW = new Date('2026-11-30T08:00:00Z');

const SCHEMA = JSON.stringify({
  recipients: ['recipients/*.json'],
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there', sensitivity: 'personal' },
    'customer.email': { type: 'string', sensitivity: 'personal' },
    'customer.city': { type: 'string' },
    'customer.plan': { type: 'string' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    'customer.visits': { type: 'number', sensitivity: 'sensitive' },
  },
  audience: { updatedAt: 'updated_at' },
});

const TEMPLATE = [
  "Hi {{ customer.first_name | default: 'there' }} ({{ customer.email }}) from {{ customer.city }},",
  "{% if customer.plan == 'gold' %}",
  'Gold {{ customer.job_title }}, {{ customer.visits }} visits',
  "{% elsif customer.plan == 'platinum' %}",
  'Platinum',
  '{% else %}',
  'Other',
  '{% endif %}',
  '{% if customer.plan == some_local %}x{% endif %}',
  '',
].join('\n');

/*
 * Targets: fallback first_name, blank email, blank city, blank job_title (gold only), stale job_title
 * (gold only), blank visits (gold only), branch gold, branch platinum, branch else.
 * Row 1 (Annabel): gold, all filled, fresh: branch gold = 1.
 * Row 2 (Bertrand): silver, no city: blank city, else = 2.
 * Row 3 (no name): gold, Leeds, stale job title, no visits: fallback, stale, blank visits, gold = 4.
 * Row 4 (Dora): gold, no email, no city, no job title: blank email, blank city, blank job_title, blank visits, gold = 5.
 * Greedy: row 4 (5), then row 3 (fallback, stale = 2; ties with row 2: else only... row 2 adds else = 1), then row 2 (else).
 * Nobody is platinum: that branch is uncovered.
 */
const CSV = [
  'first_name,email,city,plan,job_title,visits,updated_at',
  'Annabel,annabel@realmail.test,Oakland,gold,Chief Executive,41,2026-10-01',
  'Bertrand,bertrand@realmail.test,,silver,Barber,7,2026-10-01',
  ',carmody@realmail.test,Leeds,gold,Developer,,2020-01-01',
  'Dora,,,gold,,,2026-10-01',
  '',
].join('\n');
const PERSONAL = ['Annabel', 'Bertrand', 'Dora', 'annabel@realmail.test', 'bertrand@realmail.test', 'carmody@realmail.test'];

interface Run { code: number; stdout: string; stderr: string }

async function audience(args: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAudience(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, now: NOW });
  return { code, stdout, stderr };
}

function project(files: Record<string, string> = {}): string {
  return workspace({ 'mergewise.json': SCHEMA, 'emails/welcome.liquid': TEMPLATE, 'data.csv': CSV, ...files });
}

function read(dir: string, file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

describe('mergewise audience --pick', () => {
  test('greedy choice: the rows covering the most uncovered targets, earliest on ties; what no row covers', async () => {
    const dir = project();
    const run = await audience(['emails', '--data', 'data.csv', '--pick', '5', '--out', 'recipients', '--format', 'json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.picked, [
      { file: 'recipients/audience-01.json', covers: ['blank customer.email', 'blank customer.city', 'blank customer.job_title', 'blank customer.visits', "branch customer.plan == 'gold'"] },
      { file: 'recipients/audience-02.json', covers: ['fallback customer.first_name', 'stale customer.job_title'] },
      { file: 'recipients/audience-03.json', covers: ['branch else'] },
    ]);
    assert.deepEqual(report.uncovered, ["branch customer.plan == 'platinum'"]);
    assert.equal(report.untargetable.length, 1);
    assert.match(report.untargetable[0].reason, /some_local/);
    assert.equal(report.previewLoads, true);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'recipients')).sort(), ['audience-01.json', 'audience-02.json', 'audience-03.json']);

    // Row 4 (Dora): its empties stay empty, its real plan stays; personal values are fakes.
    const first = read(dir, 'recipients/audience-01.json');
    assert.equal(first.$name, "Audience row covering: blank customer.email, blank customer.city, blank customer.job_title, blank customer.visits, branch customer.plan == 'gold'");
    assert.equal(first.customer.plan, 'gold');
    assert.equal(first.customer.email, null);
    assert.equal(first.customer.city, null);
    assert.notEqual(first.customer.first_name, 'Dora');
    assert.equal(typeof first.customer.first_name, 'string');
    // Row 3: the stale job title keeps its update date, the fake email is at example.com.
    const second = read(dir, 'recipients/audience-02.json');
    assert.equal(second.$updatedAt['customer.job_title'], '2020-01-01');
    assert.equal(second.customer.first_name, null);
    assert.match(second.customer.email, /@example\.com$/);
    assert.equal(second.customer.job_title, 'Developer');
    // Row 2: the number is jittered, a whole number still.
    const third = read(dir, 'recipients/audience-03.json');
    assert.ok(Number.isInteger(third.customer.visits) && third.customer.visits !== 7, String(third.customer.visits));

    const written = ['audience-01.json', 'audience-02.json', 'audience-03.json'].map((f) => fs.readFileSync(path.join(dir, 'recipients', f), 'utf8')).join('\n');
    for (const value of PERSONAL) assert.ok(!written.includes(value), `${value} was written`);
    // The preview reads them as any other sample recipient.
    for (const file of ['audience-01.json', 'audience-02.json']) {
      const parsed = parseRecipients(fs.readFileSync(path.join(dir, 'recipients', file), 'utf8'), file);
      assert.deepEqual(parsed.problems, []);
      assert.equal(parsed.recipients.length, 1);
    }
  });

  test('reproducible: the same fakes on every run; --keep-values keeps the real values', async () => {
    const dir = project();
    assert.equal((await audience(['emails', '--data', 'data.csv', '--pick', '2', '--out', 'a'], dir)).code, 0);
    assert.equal((await audience(['emails', '--data', 'data.csv', '--pick', '2', '--out', 'b'], dir)).code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'a/audience-02.json'), 'utf8'), fs.readFileSync(path.join(dir, 'b/audience-02.json'), 'utf8'));
    const kept = await audience(['emails', '--data', 'data.csv', '--pick', '2', '--out', 'c', '--keep-values'], dir);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(read(dir, 'c/audience-01.json').customer.first_name, 'Dora');
    assert.equal(read(dir, 'c/audience-02.json').customer.email, 'carmody@realmail.test');
    // a/ is not selected by "recipients": the output says how to add it.
    const run = await audience(['emails', '--data', 'data.csv', '--pick', '1', '--out', 'd'], dir);
    assert.match(run.stdout, /does not select d: add "d\/\*\.json" to it/);
  });

  test('Parquet written by DuckDB gives the same picks', async () => {
    const dir = project();
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (SELECT * FROM read_csv('${path.join(dir, 'data.csv')}')) TO '${path.join(dir, 'data.parquet')}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const csv = JSON.parse((await audience(['emails', '--data', 'data.csv', '--pick', '3', '--out', 'x', '--format', 'json'], dir)).stdout);
    const parquet = JSON.parse((await audience(['emails', '--data', 'data.parquet', '--pick', '3', '--out', 'y', '--format', 'json'], dir)).stdout);
    assert.deepEqual(parquet.picked.map((p: { covers: string[] }) => p.covers), csv.picked.map((p: { covers: string[] }) => p.covers));
    assert.equal(fs.readFileSync(path.join(dir, 'x/audience-01.json'), 'utf8'), fs.readFileSync(path.join(dir, 'y/audience-01.json'), 'utf8'));
  });

  test('never replaces a file: exit 2, nothing written', async () => {
    const dir = project({ 'recipients/audience-02.json': '{"$name": "mine"}\n' });
    const run = await audience(['emails', '--data', 'data.csv', '--pick', '3', '--out', 'recipients'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /recipients\/audience-02\.json already exists.*never replaces a file/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'recipients')), ['audience-02.json']);
    assert.equal(fs.readFileSync(path.join(dir, 'recipients/audience-02.json'), 'utf8'), '{"$name": "mine"}\n');
  });

  test('bad input: exit 2 with a message', async () => {
    const dir = project({ 'empty.csv': '', 'other.csv': 'a,b\n1,2\n' });
    const cases: [string[], RegExp][] = [
      [['--data', 'missing.csv', '--pick', '2', '--out', 'r'], /missing\.csv: no such file/],
      [['--data', 'empty.csv', '--pick', '2', '--out', 'r'], /the file is empty/],
      [['--data', 'other.csv', '--pick', '2', '--out', 'r'], /no column of other\.csv maps to a field/],
      [['--data', 'data.csv', '--pick', '0', '--out', 'r'], /--pick takes a number of rows from 1 to 1000/],
      [['--data', 'data.csv', '--pick', '2'], /--pick needs --out DIR/],
      [['--data', 'data.csv', '--keep-values'], /--pick takes a number/],
    ];
    for (const [args, message] of cases) {
      const run = await audience(['emails', ...args], dir);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'r')));
  });
});
