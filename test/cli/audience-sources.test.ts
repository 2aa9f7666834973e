import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runAudience } from '../../server/src/cli/audience';
import { runInitFromData } from '../../server/src/cli/init-from-data';
import type { AudienceReport } from '../../server/src/core/audience/snapshot';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const NOW = new Date('2026-11-30T08:00:00Z');

interface Run { code: number; stdout: string; stderr: string }

async function audience(dir: string, args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAudience([...args, '--format', 'json'], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd: dir, now: NOW });
  return { code, stdout, stderr };
}

async function report(dir: string, args: string[]): Promise<AudienceReport> {
  const run = await audience(dir, args);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as AudienceReport;
}

async function init(dir: string, data: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runInitFromData({ paths: [], cwd: dir, merge: false, dryRun: false, aliases: [], format: 'text', now: NOW }, data, undefined, {
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
  });
  return { code, stdout, stderr };
}

const SCHEMA = JSON.stringify({ fields: { first_name: { type: 'string', maxAgeDays: 30 }, city: { type: 'string' } } });

describe('audience sources as exports come', () => {
  test('a CSV without a header row stops audience and init with a message that quotes no value', async () => {
    const cells = ['ana.lopez@gmail.com', 'Ana', 'Lopez', 'Berlin', 'ben.k@yahoo.com', 'Kim'];
    const noHeader = 'ana.lopez@gmail.com,Ana,Lopez,Berlin\nben.k@yahoo.com,Ben,Kim,Paris\n';
    const numbered = 'u1,Ana,2024-01-05,12\nu2,Ben,2024-02-05,7\n';
    for (const csv of [noHeader, numbered]) {
      const dir = workspace({ 'mergewise.json': SCHEMA, 'data.csv': csv });
      const runs = [await audience(dir, ['--data', 'data.csv']), await init(workspace({ 'data.csv': csv }), ['data.csv'])];
      for (const run of runs) {
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /data\.csv seems to have no header row/);
        for (const cell of cells) assert.ok(!run.stderr.includes(cell), `${cell} was shown`);
      }
    }
  });

  test('init --from-data and then audience on the same file: every column, names with spaces too, is read by a field', async () => {
    const dir = workspace({ 'contacts.csv': 'Record ID,First Name,Lifecycle Stage,Account.Name\n1,Ana,lead,Globex\n2,,customer,Initech\n' });
    assert.equal((await init(dir, ['contacts.csv'])).code, 0);
    const measured = await report(dir, ['--data', 'contacts.csv']);
    assert.equal(measured.unmappedFields, undefined);
    assert.equal(measured.unusedColumns, undefined);
    assert.deepEqual(Object.entries(measured.fields).map(([field, f]) => [field, f.column, f.filled]), [
      ['Account.Name', 'Account.Name', 2], ['First_Name', 'First Name', 1], ['Lifecycle_Stage', 'Lifecycle Stage', 2], ['Record_ID', 'Record ID', 2],
    ]);
  });

  test('a glob over CSV files with different columns, order and delimiter reads every file by column name', async () => {
    const dir = workspace({
      'mergewise.json': SCHEMA,
      'exports/a.csv': 'first_name,city\nAna,Berlin\n',
      'exports/b.csv': 'first_name,last_name\nBen,Kim\n',
      'exports/c.csv': 'city;first_name\nRome;\n',
    });
    const measured = await report(dir, ['--data', 'exports/*.csv']);
    assert.equal(measured.source.rows, 3);
    assert.deepEqual([measured.fields.first_name.filled, measured.fields.city.filled], [2, 2]);
  });

  test('a glob with a file that cannot be read names that file', async () => {
    const dir = workspace({ 'mergewise.json': SCHEMA, 'exports/a.csv': 'first_name,city\nAna,Berlin\n', 'exports/b.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0x0a, 0xff, 0x22, 0x0a, 0x22, 0x2c]) });
    const run = await audience(dir, ['--data', 'exports/*.csv']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /exports\/b\.csv (could not be read|is not UTF-8)/);
  });

  test('NULL, null and \\N, as databases export an empty value, are empty', async () => {
    const dir = workspace({ 'mergewise.json': SCHEMA, 'data.csv': 'first_name,city\nAna,NULL\nnull,\\N\nBen,Rome\n,N/A\n' });
    const measured = await report(dir, ['--data', 'data.csv']);
    assert.deepEqual([measured.fields.first_name.filled, measured.fields.city.filled], [2, 2]);
  });

  test('compressed CSV, and a .json file holding one array of objects', async () => {
    const dir = workspace({
      'mergewise.json': SCHEMA,
      'data.csv.gz': zlib.gzipSync('first_name,city\nAna,Berlin\n,Rome\n'),
      'profiles.json': JSON.stringify([{ first_name: 'Ana', city: 'Berlin' }, { first_name: null, city: 'Rome' }, { first_name: 'Carla' }], null, 2),
    });
    for (const file of ['data.csv.gz', 'profiles.json']) {
      const measured = await report(dir, ['--data', file]);
      assert.equal(measured.malformedRows, undefined, file);
      assert.equal(measured.fields.first_name.filled, measured.source.rows - 1, file);
    }
  });

  test('a UTF-16 CSV (Excel\'s "Unicode text") is said to be UTF-16, to convert', async () => {
    const text = 'first_name,city\r\nAna,Berlin\r\n';
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), Buffer.from(text, 'utf16le')]) {
      const dir = workspace({ 'mergewise.json': SCHEMA, 'data.csv': bytes });
      const run = await audience(dir, ['--data', 'data.csv']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /data\.csv is UTF-16 encoded: convert it to UTF-8/);
    }
  });

  test('init --from-data leaves out columns with neither a header nor a value (Excel\'s trailing empty cells)', async () => {
    const dir = workspace({ 'data.csv': 'plan,visits,,\ngold,3,,\nsilver,,,\n' });
    const run = await init(dir, ['data.csv']);
    assert.equal(run.code, 0, run.stderr);
    const fields = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8')).fields);
    assert.deepEqual(fields, ['plan', 'visits']);
  });

  test('US dates (month/day) are read as such, though the first rows could be day/month, and no row is dropped', async () => {
    // More ambiguous rows than DuckDB's sniffer samples, then dates only month/day reads.
    const ambiguous = Array.from({ length: 21_000 }, () => 'Ana,01/02/2026,11/01/2026');
    const dir = workspace({
      'mergewise.json': JSON.stringify({ fields: { first_name: { type: 'string', maxAgeDays: 40 }, signup: { type: 'date' } } }),
      'data.csv': ['first_name,signup,updated_at', ...ambiguous, 'Ben,12/25/2025,11/25/2026', ''].join('\n'),
    });
    const measured = await report(dir, ['--data', 'data.csv']);
    assert.equal(measured.malformedRows, undefined);
    assert.equal(measured.source.rows, 21_001);
    assert.equal(measured.fields.signup.filled, 21_001);
    // November 1st is 29 days before NOW; January 11th would be stale.
    assert.equal(measured.fields.first_name.stale, 0);
  });

  test('a JSON lines value of mixed types: an empty string or null is empty, as in a column of one type', async () => {
    const dir = workspace({
      'mergewise.json': JSON.stringify({ fields: { score: { type: 'number' } } }),
      'mixed.jsonl': '{"score":4}\n{"score":""}\n{"score":null}\n{"score":"n/a"}\n{"score":"  "}\n',
    });
    const measured = await report(dir, ['--data', 'mixed.jsonl']);
    assert.equal(measured.source.rows, 5);
    assert.equal(measured.fields.score.filled, 2);
  });

  test('an updated-at column of epoch seconds or milliseconds is read', async () => {
    const seconds = (iso: string) => Date.parse(iso) / 1000;
    const schema = JSON.stringify({ fields: { first_name: { type: 'string', maxAgeDays: 30 } } });
    const dir = workspace({
      'mergewise.json': schema,
      // 10 days old and 100 days old.
      'ms.csv': `first_name,updated_at\nAna,${seconds('2026-11-20T00:00:00Z') * 1000}\nBen,${seconds('2026-08-22T00:00:00Z') * 1000}\n`,
      's.jsonl': `{"first_name":"Ana","updated_at":${seconds('2026-11-20T00:00:00Z')}}\n{"first_name":"Ben","updated_at":${seconds('2026-08-22T00:00:00Z')}}\n`,
    });
    for (const file of ['ms.csv', 's.jsonl']) {
      const measured = await report(dir, ['--data', file]);
      assert.equal(measured.fields.first_name.stale, 1, file);
      assert.ok(!measured.fields.first_name.staleUnknown, file);
    }
  });
});
