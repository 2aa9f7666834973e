import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runAudience, type AudienceIo } from '../../server/src/cli/audience';
import { loadAudienceSnapshot, type AudienceReport } from '../../server/src/core/audience/snapshot';
import { runCli } from '../../server/src/cli/main';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const NOW = new Date('2026-11-30T08:00:00Z');

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'customer.plan': { type: 'string' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    'customer.signup': { type: 'date' },
  },
  audience: { updatedAt: 'updated_at' },
});

const TEMPLATE = [
  "Hi {{ customer.first_name | default: 'there' }},", // line 0
  "{% if customer.plan == 'gold' %}", // line 1
  'Gold {{ customer.job_title }}',
  "{% elsif customer.plan contains 'sil' %}", // line 3
  'Silver',
  '{% else %}', // line 5
  'Other',
  '{% endif %}',
  "{% if customer.plan == 'none' %}{% abort_message('no plan') %}{% endif %}", // line 8
  '{% if customer.plan == some_local %}x{% endif %}', // line 9
  '',
].join('\n');

/** Four recipients; every value below is checked never to reach the snapshot. */
const CSV = [
  'first_name,plan,job_title,updated_at,signup,extra',
  'Annabel,gold,Chief Executive,2026-01-01,2020-01-01,xylophone',
  ',silver,,2025-01-01,nope,yodel',
  '  ,gold,,2024-01-01,,zebra',
  'Danforth,none,Developer,garbage,2021-01-01,wombat',
  '',
].join('\n');
const CELLS = ['Annabel', 'Chief Executive', 'xylophone', 'yodel', 'zebra', 'Danforth', 'Developer', 'wombat', 'garbage', 'nope'];

interface Run { code: number; stdout: string; stderr: string }

async function audience(args: string[], cwd: string, extra: Partial<AudienceIo> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAudience(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, now: NOW, ...extra });
  return { code, stdout, stderr };
}

async function json(args: string[], cwd: string): Promise<AudienceReport> {
  const run = await audience([...args, '--format', 'json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as AudienceReport;
}

async function duckdb(dir: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await connection.run(sql);
  } finally {
    process.chdir(cwd);
    connection.closeSync();
    instance.closeSync();
  }
}

function project(files: Record<string, string | Buffer> = {}): string {
  return workspace({ 'mergewise.json': SCHEMA, 'emails/welcome.liquid': TEMPLATE, ...files });
}

/** The counts a hand count of CSV gives. */
function assertCsvCounts(report: AudienceReport): void {
  assert.equal(report.source.rows, 4);
  assert.deepEqual(report.fields['customer.first_name'], { column: 'first_name', filled: 2, fillRate: 0.5, stale: 0, staleShare: 0 });
  assert.equal(report.fields['customer.plan'].filled, 4);
  // Chief Executive updated 2026-01-01 (333 days before NOW): fresh; Developer's date is unreadable.
  assert.deepEqual(report.fields['customer.job_title'], { column: 'job_title', filled: 2, fillRate: 0.5, stale: 0, staleShare: 0, staleUnknown: 1 });
  const template = report.templates[0];
  assert.equal(template.path, 'emails/welcome.liquid');
  assert.equal(template.recipients, 4);
  // Rows 2 and 3 have no first name (empty, white space): both see the fallback; none is aborted.
  assert.equal(template.seeFallback, 0.5);
  // Row 3 is gold with no job title.
  assert.equal(template.seeBlank, 0.25);
  assert.equal(template.seeStale, 0);
  assert.equal(template.aborted, 0.25);
  assert.deepEqual(template.branches.map((b) => [b.range.start.line, b.condition, b.share]), [
    [1, "customer.plan == 'gold'", 0.5],
    [3, "customer.plan contains 'sil'", 0.25],
    [5, 'else', 0.25],
    [8, "customer.plan == 'none'", 0.25],
    [9, 'customer.plan == some_local', null],
  ]);
  assert.equal(template.untranslated.length, 1);
  assert.equal(template.untranslated[0].range.start.line, 9);
  assert.match(template.untranslated[0].reason, /some_local/);
}

describe('mergewise audience', () => {
  test('CSV: fields, templates, branches, unused columns, unparsable dates', async () => {
    const dir = project({ 'audience.csv': CSV });
    const report = await json(['--data', 'audience.csv'], dir);
    assertCsvCounts(report);
    assert.equal(report.source.description, 'audience.csv');
    assert.equal(report.source.takenAt, '2026-11-30T08:00:00Z');
    assert.equal(report.fields['customer.signup'].unparsable, 1);
    assert.deepEqual(report.unusedColumns, ['extra']);
    const text = await audience(['--data', 'audience.csv'], dir);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /customer\.first_name\s+50\.0%/);
  });

  test('stale values by maxAgeDays against a per-field updated-at column', async () => {
    const schema = JSON.parse(SCHEMA);
    schema.audience.updatedAtColumns = { 'customer.job_title': 'title_at' };
    const dir = project({ 'mergewise.json': JSON.stringify(schema), 'a.csv': 'first_name,plan,job_title,updated_at,title_at\nA,gold,CEO,2026-11-01,2020-01-01\nB,gold,CTO,2026-11-01,2026-11-01\n' });
    const report = await json(['--data', 'a.csv'], dir);
    assert.equal(report.fields['customer.job_title'].stale, 1);
    assert.equal(report.fields['customer.job_title'].staleShare, 0.5);
    assert.equal(report.templates[0].seeStale, 0.5);
  });

  test('JSONL with nested objects, and Parquet written by DuckDB, give the same counts', async () => {
    const rows = [
      { customer: { first_name: 'Annabel', plan: 'gold', job_title: 'Chief Executive', signup: '2020-01-01' }, updated_at: '2026-01-01' },
      { customer: { first_name: '', plan: 'silver', job_title: null, signup: 'nope' }, updated_at: '2025-01-01' },
      { customer: { first_name: '  ', plan: 'gold', job_title: null, signup: null }, updated_at: '2024-01-01' },
      { customer: { first_name: 'Danforth', plan: 'none', job_title: 'Developer', signup: '2021-01-01' }, updated_at: 'garbage' },
    ];
    const dir = project({ 'a.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n' });
    const fromJson = await json(['--data', 'a.jsonl'], dir);
    assert.equal(fromJson.fields['customer.first_name'].column, 'customer.first_name');
    assert.equal(fromJson.templates[0].seeFallback, 0.5);
    assert.equal(fromJson.templates[0].seeBlank, 0.25);
    assert.equal(fromJson.templates[0].aborted, 0.25);

    await duckdb(dir, `COPY (SELECT * FROM read_csv('${writeCsv(dir)}')) TO '${path.join(dir, 'a.parquet')}' (FORMAT parquet)`);
    assertCsvCounts(await json(['--data', 'a.parquet'], dir));
  });

  test('globs of files, and a DuckDB database (its single table, or --table)', async () => {
    const [header, ...lines] = CSV.trim().split('\n');
    const dir = project({ 'parts/a.csv': [header, lines[0], lines[1]].join('\n') + '\n', 'parts/b.csv': [header, lines[2], lines[3]].join('\n') + '\n' });
    const globbed = await json(['--data', 'parts/*.csv'], dir);
    assertCsvCounts(globbed);
    assert.equal(globbed.source.description, 'parts/a.csv and 1 more');

    const db = path.join(dir, 'audience.duckdb');
    await duckdb(dir, `ATTACH '${db}' AS w; CREATE TABLE w.people AS SELECT * FROM read_csv('${writeCsv(dir)}'); DETACH w;`);
    assertCsvCounts(await json(['--data', 'audience.duckdb'], dir));
    await duckdb(dir, `ATTACH '${db}' AS w; CREATE TABLE w.other AS SELECT 1 AS id; DETACH w;`);
    const ambiguous = await audience(['--data', 'audience.duckdb'], dir);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /2 tables \(other, people\).*--table/);
    assertCsvCounts(await json(['--data', 'audience.duckdb', '--table', 'people'], dir));
  });

  test('--snapshot writes aggregates only, beside mergewise.json, readable by the core', async () => {
    const dir = project({ 'audience.csv': CSV });
    const run = await audience(['--data', 'audience.csv', '--snapshot'], dir);
    assert.equal(run.code, 0, run.stderr);
    const text = fs.readFileSync(path.join(dir, 'mergewise.audience.json'), 'utf8');
    for (const cell of CELLS) assert.ok(!text.includes(cell), `the snapshot holds the cell value "${cell}"`);
    for (const cell of CELLS) assert.ok(!run.stdout.includes(cell) && !run.stderr.includes(cell), `the output holds "${cell}"`);
    const loaded = loadAudienceSnapshot(text);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
    assertCsvCounts(loaded.snapshot);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  test('malformed CSV rows are counted and located by line, never quoted', async () => {
    const dir = project({ 'a.csv': CSV.replace('Danforth,none,Developer,garbage,2021-01-01,wombat', 'Danforth,none,Developer,garbage,2021-01-01,wombat,surplus') + 'Eve,gold\n' });
    const run = await audience(['--data', 'a.csv', '--format', 'json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as AudienceReport;
    assert.equal(report.source.rows, 3);
    assert.deepEqual(report.malformedRows, { count: 2, first: [{ file: 'a.csv', line: 5 }, { file: 'a.csv', line: 6 }] });
    assert.ok(!run.stdout.includes('surplus') && !run.stdout.includes('Eve'));
  });

  test('malformed JSON lines are counted, located and left out', async () => {
    const dir = project({ 'a.jsonl': '{"first_name":"Annabel","plan":"gold"}\n{"first_name": broken secret\n{"first_name":"","plan":"x"}\n' });
    const run = await audience(['--data', 'a.jsonl', '--format', 'json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as AudienceReport;
    assert.equal(report.source.rows, 2);
    assert.deepEqual(report.malformedRows, { count: 1, first: [{ file: 'a.jsonl', line: 2 }] });
    assert.ok(!run.stdout.includes('secret'));
  });

  test('bad input: exit 2 with a message naming what and where, nothing written', async () => {
    const latin1 = Buffer.concat([Buffer.from('first_name,plan\n'), Buffer.from([0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65]), Buffer.from(',gold\n')]);
    const cases: [string, Record<string, string | Buffer>, string[], RegExp][] = [
      ['missing file', {}, ['--data', 'nope.csv'], /nope\.csv: no such file/],
      ['empty glob', {}, ['--data', 'none/*.csv'], /no file matches/],
      ['empty file', { 'e.csv': '' }, ['--data', 'e.csv'], /e\.csv: the file is empty/],
      ['no mapped column', { 'c.csv': 'zip,city\n1,2\n' }, ['--data', 'c.csv'], /no column of c\.csv maps to a field.*zip, city/],
      ['not UTF-8', { 'l.csv': latin1 }, ['--data', 'l.csv'], /not UTF-8/],
      ['not Parquet', { 'p.parquet': 'first_name\nx\n' }, ['--data', 'p.parquet'], /not a Parquet file/],
      ['unknown kind', { 'a.xlsx': 'x' }, ['--data', 'a.xlsx'], /unknown kind of file/],
      ['no --data', {}, [], /--data SOURCE is required/],
    ];
    for (const [name, files, args, message] of cases) {
      const dir = project(files);
      const run = await audience([...args, '--snapshot'], dir);
      assert.equal(run.code, 2, `${name}: ${run.stderr}`);
      assert.match(run.stderr, message, name);
      assert.ok(!fs.existsSync(path.join(dir, 'mergewise.audience.json')), `${name}: wrote a snapshot`);
      if (name === 'not UTF-8') assert.ok(!run.stderr.includes('J'), 'quotes the row');
    }
  });

  test('a cancelled run interrupts DuckDB, writes nothing and exits 130', async () => {
    for (const stage of ['describe', 'coverage'] as const) {
      const dir = project({ 'audience.csv': CSV });
      const controller = new AbortController();
      const run = await audience(['--data', 'audience.csv', '--snapshot'], dir, {
        signal: controller.signal,
        onStage: (current) => { if (current === stage) controller.abort(); },
      });
      assert.equal(run.code, 130, `${stage}: ${run.stderr}`);
      assert.match(run.stderr, /cancelled; nothing was written/);
      assert.ok(!fs.existsSync(path.join(dir, 'mergewise.audience.json')));
    }
  });

  test('the command line runs it, with its exit code', async () => {
    const dir = project({ 'audience.csv': CSV });
    let stdout = '';
    const code = runCli(['audience', '--data', 'audience.csv', '--format', 'json'], {
      stdout: (t) => { stdout += t; }, stderr: () => {}, cwd: dir, color: false, now: NOW,
    });
    assert.ok(code instanceof Promise, 'audience answers when DuckDB has');
    assert.equal(await code, 0);
    assertCsvCounts(JSON.parse(stdout) as AudienceReport);
  });
});

/** CSV written to a file of its own in `dir`, for DuckDB to copy from. */
function writeCsv(dir: string): string {
  const file = path.join(dir, 'source-for-copy.csv');
  fs.writeFileSync(file, CSV);
  return file;
}
