/**
 * `mergewise audience --emit-sql` and `--import-result`: the emitted query run in DuckDB and in a real
 * PostgreSQL gives the embedded run's numbers; the BigQuery, Snowflake and Spark forms match golden
 * files (UPDATE_GOLDEN=1 rewrites them) and parse with node-sql-parser in their dialect.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Parser } from 'node-sql-parser';
import { runAudience } from '../../server/src/cli/audience';
import type { AudienceReport } from '../../server/src/core/audience/snapshot';
import { loadAudienceSnapshot } from '../../server/src/core/audience/snapshot';
import { startPostgres, type Postgres } from '../helpers/postgres';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const NOW = new Date('2026-11-30T08:00:00Z');
const GOLDEN = path.join(__dirname, '..', 'golden', 'audience-sql');

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'customer.plan': { type: 'string' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    'customer.signup': { type: 'date' },
    'customer.score': { type: 'number' },
    'customer.vip': { type: 'boolean' },
  },
  audience: { updatedAt: 'updated_at' },
});

const TEMPLATE = [
  "Hi {{ customer.first_name | default: 'there' }},",
  "{% if customer.plan == 'gold' %}",
  'Gold {{ customer.job_title }}',
  "{% elsif customer.plan contains 'sil' %}",
  'Silver',
  '{% else %}',
  'Other',
  '{% endif %}',
  "{% if customer.score > 10 and customer.vip %}high{% endif %}",
  "{% if customer.signup < '2021-01-01' %}early{% endif %}",
  "{% if customer.plan == 'none' %}{% abort_message('no plan') %}{% endif %}",
  '{% if customer.plan == some_local %}x{% endif %}',
  '',
].join('\n');

/** Six recipients: blanks, white space, no-break spaces, unparsable numbers and dates, stale and unknown update dates. */
const CSV = [
  'first_name,plan,job_title,updated_at,signup,score,vip,extra',
  'Annabel,gold,Chief Executive,2026-01-01,2020-01-01,12,true,x',
  ',silver,,2025-01-01,nope,n/a,false,y',
  '  ,gold,Engineer,2024-01-01,,11.5,yes,z',
  'Danforth,none,Developer,garbage,2021-01-01,3,,w',
  '"\u00a0",gold,Chef,2025-06-01,2019-05-05,,no,v',
  'Eliza,bronze, ,2020-01-01,2022-02-02,1e2,1,u',
  '',
].join('\n');

interface Run { code: number; stdout: string; stderr: string }

async function audience(args: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAudience(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, now: NOW });
  return { code, stdout, stderr };
}

async function report(args: string[], cwd: string): Promise<AudienceReport> {
  const run = await audience([...args, '--format', 'json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as AudienceReport;
}

async function emit(args: string[], cwd: string): Promise<string> {
  const run = await audience(args, cwd);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

/** Runs SQL in an in-memory DuckDB opened in `dir`; returns the last statement's rows. */
async function duckdb(dir: string, statements: string[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    let rows: Record<string, unknown>[] = [];
    for (const sql of statements) rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    return rows;
  } finally {
    process.chdir(cwd);
    connection.closeSync();
    instance.closeSync();
  }
}

/** What a report says about the audience, without where it came from. */
function numbers(r: AudienceReport): unknown {
  return { rows: r.source.rows, fields: r.fields, templates: r.templates, unmappedFields: r.unmappedFields, unusedColumns: r.unusedColumns };
}

function project(): string {
  return workspace({ 'mergewise.json': SCHEMA, 'emails/welcome.liquid': TEMPLATE, 'audience.csv': CSV });
}

describe('mergewise audience --emit-sql duckdb', () => {
  test('run in DuckDB over a table made from the CSV, its imported result is the embedded run\'s report', async () => {
    const dir = project();
    const direct = await report(['--data', 'audience.csv'], dir);
    assert.equal(direct.source.rows, 6);
    const sql = await emit(['--data', 'audience.csv', '--emit-sql', 'duckdb', '--table', 'audience'], dir);
    assert.match(sql, /FROM audience\n/);
    await duckdb(dir, [
      "CREATE TABLE audience AS SELECT * FROM read_csv('audience.csv')",
      `COPY (${sql.trim().replace(/;$/, '')}) TO 'result.csv' (HEADER)`,
    ]);
    const imported = await report(['--data', 'audience.csv', '--import-result', 'result.csv', '--taken-at', '2026-11-29'], dir);
    assert.deepEqual(numbers(imported), numbers(direct));
    assert.equal(imported.source.description, 'imported from result.csv');
    assert.equal(imported.source.takenAt, '2026-11-29T00:00:00Z');
  });

  test('without --table it reads the files as the embedded run does, and gives its numbers', async () => {
    const dir = project();
    const direct = await report(['--data', 'audience.csv'], dir);
    const sql = await emit(['--data', 'audience.csv', '--emit-sql', 'duckdb'], dir);
    assert.match(sql, /FROM read_csv\(\[/);
    const rows = await duckdb(dir, [sql]);
    assert.equal(rows.length, 1);
    fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])))));
    const imported = await report(['--data', 'audience.csv', '--import-result', 'result.json'], dir);
    assert.deepEqual(numbers(imported), numbers(direct));
  });

  test('--import-result reads JSON lines and writes the snapshot a local run writes', async () => {
    const dir = project();
    const sql = await emit(['--data', 'audience.csv', '--emit-sql', 'duckdb'], dir);
    const [row] = await duckdb(dir, [sql]);
    fs.writeFileSync(path.join(dir, 'result.jsonl'), `${JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toUpperCase(), Number(v)])))}\n`);
    const run = await audience(['--data', 'audience.csv', '--import-result', 'result.jsonl', '--snapshot', '--taken-at', '2026-11-30T08:00:00Z'], dir);
    assert.equal(run.code, 0, run.stderr);
    const imported = loadAudienceSnapshot(fs.readFileSync(path.join(dir, 'mergewise.audience.json'), 'utf8'));
    assert.ok(!('error' in imported) || !imported.error, JSON.stringify(imported));
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.audience.json'), 'utf8').includes('imported from result.jsonl'), true);
    fs.rmSync(path.join(dir, 'mergewise.audience.json'));
    await audience(['--data', 'audience.csv', '--snapshot'], dir);
    const local = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.audience.json'), 'utf8')) as AudienceReport;
    const fromImport = JSON.parse(run.stdout.length ? JSON.stringify(await report(['--data', 'audience.csv', '--import-result', 'result.jsonl'], dir)) : '{}') as AudienceReport;
    assert.deepEqual(fromImport.fields, local.fields);
  });

  test('a result with a missing or an extra column, or two rows: exit 2 naming it, nothing written', async () => {
    const dir = project();
    const sql = await emit(['--data', 'audience.csv', '--emit-sql', 'duckdb'], dir);
    const [row] = await duckdb(dir, [sql]);
    const names = Object.keys(row);
    const values = names.map((n) => String(row[n]));
    const csv = (header: string[], ...lines: string[][]) => `${[header, ...lines].map((l) => l.join(',')).join('\n')}\n`;
    fs.writeFileSync(path.join(dir, 'missing.csv'), csv(names.slice(1), values.slice(1)));
    fs.writeFileSync(path.join(dir, 'extra.csv'), csv([...names, 'bogus'], [...values, '1']));
    fs.writeFileSync(path.join(dir, 'two.csv'), csv(names, values, values));
    for (const [file, message] of [['missing.csv', /lacks the column "rows"/], ['extra.csv', /has a column "bogus"/], ['two.csv', /holds 2 rows/], ['none.csv', /no such file/]] as const) {
      const run = await audience(['--data', 'audience.csv', '--import-result', file, '--snapshot'], dir);
      assert.equal(run.code, 2, file);
      assert.match(run.stderr, message);
      assert.equal(fs.existsSync(path.join(dir, 'mergewise.audience.json')), false);
    }
  });

  test('options: an unknown engine, a warehouse without --table, --emit-sql with --import-result: exit 2', async () => {
    const dir = project();
    for (const [args, message] of [
      [['--emit-sql', 'oracle'], /--emit-sql takes one of duckdb, postgres, bigquery, snowflake, spark/],
      [['--emit-sql', 'bigquery'], /--emit-sql bigquery needs --table NAME/],
      [['--emit-sql', 'duckdb', '--import-result', 'r.csv'], /separate runs/],
      [['--emit-sql', 'postgres', '--table', 'a', '--taken-at', 'yesterday'], /--taken-at takes an ISO 8601 date/],
    ] as const) {
      const run = await audience(['--data', 'audience.csv', ...args], dir);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
  });
});

describe('mergewise audience --emit-sql postgres, in a real PostgreSQL', () => {
  let pg: Postgres;
  before(() => { pg = startPostgres(); });
  after(() => pg?.stop());

  test('the emitted query over the same data, exported as CSV and imported, gives the DuckDB run\'s numbers', async () => {
    const dir = project();
    const direct = await report(['--data', 'audience.csv'], dir);
    // The table has the column types DuckDB reads the CSV with.
    const described = await duckdb(dir, ["DESCRIBE SELECT * FROM read_csv('audience.csv')"]);
    const types: Record<string, string> = { VARCHAR: 'text', DATE: 'date', BIGINT: 'bigint', DOUBLE: 'double precision', BOOLEAN: 'boolean', TIMESTAMP: 'timestamp' };
    const columns = described.map((c) => `"${String(c.column_name)}" ${types[String(c.column_type)] ?? 'text'}`);
    pg.psql(`CREATE TABLE audience (${columns.join(', ')});\n\\copy audience FROM '${path.join(dir, 'audience.csv')}' WITH (FORMAT csv, HEADER true)\n`);
    assert.equal(pg.psql('SELECT count(*) FROM audience').trim(), '6');
    const sql = await emit(['--data', 'audience.csv', '--emit-sql', 'postgres', '--table', 'audience'], dir);
    fs.writeFileSync(path.join(dir, 'result.csv'), pg.psql(sql, { csv: true }));
    const imported = await report(['--data', 'audience.csv', '--import-result', 'result.csv'], dir);
    assert.deepEqual(numbers(imported), numbers(direct));
  });
});

/** A DuckDB database as the column sample: a struct, a list, a JSON column, a timestamp, numbers kept as text. */
const GOLDEN_SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'customer.plan': { type: 'string' },
    'customer.tags': { type: 'array' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    'customer.signup': { type: 'date' },
    'customer.score': { type: 'number' },
    'customer.vip': { type: 'boolean' },
    'customer.lifetime_value': { type: 'number' },
    'prefs.language': { type: 'string' },
  },
  audience: { updatedAt: 'updated_at', columns: { 'customer.lifetime_value': 'ltv' } },
});

const GOLDEN_TEMPLATE = [
  "Hi {{ customer.first_name | default: 'there' }} {{ prefs.language }},",
  "{% if customer.plan == 'gold' %}Gold {{ customer.job_title }}",
  "{% elsif customer.tags contains 'vip' %}VIP",
  "{% elsif customer.plan contains 'sil' or customer.plan == blank %}Silver",
  '{% else %}Other{% endif %}',
  "{% if customer.score > 10 and customer.vip %}high{% endif %}",
  "{% if customer.signup < '2021-01-01' %}early{% endif %}",
  "{% unless prefs.language == 'de' %}{{ customer.lifetime_value }}{% endunless %}",
  "{% if customer.plan == 'none' %}{% abort_message('no plan') %}{% endif %}",
  '',
].join('\n');

const PARSER_DATABASE: Record<string, string> = { postgres: 'PostgresQL', bigquery: 'BigQuery', snowflake: 'Snowflake', spark: 'Hive' };
const TABLES: Record<string, string> = { duckdb: 'audience', postgres: 'crm.audience', bigquery: 'my-project.crm.audience', snowflake: 'ANALYTICS.CRM.AUDIENCE', spark: 'crm.audience' };

describe('mergewise audience --emit-sql: golden files, parsed in each dialect', () => {
  let dir: string;
  before(async () => {
    dir = workspace({ 'mergewise.json': GOLDEN_SCHEMA, 'emails/welcome.liquid': GOLDEN_TEMPLATE });
    await duckdb(dir, [
      `CREATE TABLE audience (customer STRUCT(first_name VARCHAR, plan VARCHAR, tags VARCHAR[], job_title VARCHAR, signup DATE, score DOUBLE, vip BOOLEAN),
        prefs JSON, ltv VARCHAR, updated_at TIMESTAMP)`,
      "ATTACH 'sample.duckdb' AS sample",
      'CREATE TABLE sample.audience AS SELECT * FROM audience',
      'DETACH sample',
    ]);
  });

  for (const engine of ['duckdb', 'postgres', 'bigquery', 'snowflake', 'spark']) {
    test(engine, async () => {
      const sql = await emit(['--data', 'sample.duckdb', '--emit-sql', engine, '--table', TABLES[engine], '--taken-at', '2026-11-30T08:00:00Z'], dir);
      const golden = path.join(GOLDEN, `${engine}.sql`);
      if (process.env.UPDATE_GOLDEN === '1') {
        fs.mkdirSync(GOLDEN, { recursive: true });
        fs.writeFileSync(golden, sql);
      }
      assert.ok(fs.existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 to write it`);
      assert.equal(sql, fs.readFileSync(golden, 'utf8'), `${engine}.sql differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`);
      if (engine === 'duckdb') {
        // DuckDB itself is the parser: the query runs over the empty sample table.
        const rows = await duckdb(dir, ["ATTACH 'sample.duckdb' AS audience_source (READ_ONLY)", sql]);
        assert.equal(Number(rows[0].rows), 0);
      } else {
        assert.doesNotThrow(() => new Parser().astify(sql, { database: PARSER_DATABASE[engine] }), `${engine}.sql does not parse as ${PARSER_DATABASE[engine]}`);
      }
    });
  }
});
