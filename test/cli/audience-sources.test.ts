import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
});
