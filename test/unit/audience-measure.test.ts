/**
 * "Mergewise: Measure audience coverage…" without VS Code: finding DuckDB, the child process it
 * runs (the command line bundle, copied away from this checkout's node_modules, so that DuckDB is
 * found only through the resolution hook, as in an installed extension), what its exit means, and the status
 * bar's coverage lines.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { coverageTooltip, findDuckdb, keepTail, measureOutcome, measureProcess } from '../../client/src/audience-measure';
import { loadAudienceSnapshot } from '../../server/src/core/audience/snapshot';
import { workspace } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');

describe('measure audience coverage (client, pure parts)', () => {
  const made: string[] = [];
  after(() => { for (const dir of made) fs.rmSync(dir, { recursive: true, force: true }); });

  test('DuckDB is found in a node_modules above the start folders, in order', () => {
    const files = new Set(['/w/node_modules/@duckdb/node-api/package.json', '/ext/node_modules/@duckdb/node-api/package.json']);
    const exists = (file: string) => files.has(file);
    assert.equal(findDuckdb(['/w/emails/deep', '/ext'], exists), '/w/node_modules');
    assert.equal(findDuckdb(['/elsewhere', '/ext'], exists), '/ext/node_modules');
    assert.equal(findDuckdb(['/elsewhere'], exists), undefined);
  });

  test('the child runs the bundle as Node, DuckDB resolved by a hook, in mergewise.json\'s folder', () => {
    const child = measureProcess({ nodeExecutable: '/code', cliBundle: '/ext/dist/cli.js', dataFile: '/data/a.csv', schemaDir: '/w', duckdbEntry: '/w/node_modules/@duckdb/node-api/lib/index.js', env: { PATH: '/bin' } });
    assert.deepEqual(child.args.slice(2), ['/ext/dist/cli.js', 'audience', '--data', '/data/a.csv', '--snapshot']);
    assert.equal(child.args[0], '--import');
    assert.match(decodeURIComponent(decodeURIComponent(child.args[1])), /file:\/\/\/w\/node_modules\/@duckdb\/node-api\/lib\/index\.js/);
    assert.equal(child.cwd, '/w');
    assert.equal(child.env.ELECTRON_RUN_AS_NODE, '1');
    assert.equal(child.env.PATH, '/bin');
  });

  test('exits in words: written, cancelled, DuckDB missing, bad input', () => {
    assert.equal(measureOutcome(0, null, 'Wrote mergewise.audience.json (counts and shares only).\n', false).kind, 'written');
    assert.match(measureOutcome(0, null, 'Wrote mergewise.audience.json (counts and shares only).\n', false).message, /Wrote mergewise\.audience\.json/);
    assert.equal(measureOutcome(130, null, 'mergewise audience: cancelled; nothing was written.\n', true).kind, 'cancelled');
    assert.equal(measureOutcome(null, 'SIGKILL', '', true).kind, 'cancelled');
    assert.match(measureOutcome(1, null, "Error: Cannot find module '@duckdb/node-api'\nRequire stack: …", false).message, /npm install --save-dev @duckdb\/node-api/);
    const bad = measureOutcome(2, null, 'mergewise audience: exports/a.csv is empty: no rows to measure.\n', false);
    assert.equal(bad.kind, 'failed');
    assert.equal(bad.message, 'Mergewise could not measure audience coverage: exports/a.csv is empty: no rows to measure.');
  });

  test('standard error is kept bounded, its end kept', () => {
    let kept = '';
    for (let i = 0; i < 1000; i++) kept = keepTail(kept, `line ${i}\n`, 100);
    assert.equal(kept.length, 100);
    assert.ok(kept.endsWith('line 999\n'));
  });

  test('the status bar tooltip: shares of the template, the snapshot\'s age, its problem', () => {
    const template = { recipients: 1_204_332, seeFallback: 0.051, seeBlank: 0.234, seeStale: 0.0002, aborted: 0, approximate: false };
    const text = coverageTooltip({ date: '2026-11-30', rows: 1_204_332, old: false, template });
    assert.equal(text, 'Audience coverage (audience of 2026-11-30, 1,204,332 recipients):\n- 5.1% see a fallback\n- 23.4% see a blank\n- 0.02% see stale data');
    assert.match(coverageTooltip({ date: '2026-09-01', rows: 10, old: true, template: { ...template, approximate: true } }), /\*\*old\*\*: measure again\):\n- up to 5\.1% see a fallback/);
    assert.match(coverageTooltip({ date: '2026-11-30', rows: 10, old: false }), /this template was not measured/);
    assert.match(coverageTooltip({ date: '', rows: 0, old: false, problem: 'mergewise.audience.json is not valid JSON (x).' }), /^Audience snapshot: mergewise\.audience\.json is not valid JSON/);
    assert.equal(coverageTooltip(undefined), '');
  });

  test('the command line bundle, away from node_modules, measures through the resolution hook and writes the snapshot', () => {
    const bundle = path.join(ROOT, 'dist/cli.js');
    const nodeModules = findDuckdb([ROOT], fs.existsSync);
    // npm test builds first, and DuckDB is a dependency: either missing is a broken checkout, not a reason to pass.
    assert.ok(fs.existsSync(bundle), 'dist/cli.js is missing: run `npm run build` (npm test does)');
    assert.ok(nodeModules, '@duckdb/node-api is not installed: run `npm ci`');
    const extension = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-ext-'));
    made.push(extension);
    fs.mkdirSync(path.join(extension, 'dist'));
    fs.copyFileSync(bundle, path.join(extension, 'dist/cli.js'));
    const root = workspace({
      'mergewise.json': JSON.stringify({ fields: { 'customer.first_name': { type: 'string' }, 'customer.plan': { type: 'string' } } }),
      'emails/t.liquid': '{% if customer.plan == "salon" %}Salon{% else %}Hi {{ customer.first_name }}{% endif %}\n',
      'data/customers.csv': 'first_name,plan\nAna,salon\n,solo\nBen,solo\n',
    });
    made.push(root);
    assert.equal(findDuckdb([root, extension], fs.existsSync), undefined, 'the temporary folders must not see a node_modules');
    const duckdbEntry = require.resolve('@duckdb/node-api', { paths: [path.dirname(nodeModules)] });
    const child = measureProcess({ nodeExecutable: process.execPath, cliBundle: path.join(extension, 'dist/cli.js'), dataFile: path.join(root, 'data/customers.csv'), schemaDir: root, duckdbEntry, env: process.env });
    const run = spawnSync(child.command, child.args, { cwd: child.cwd, env: child.env, encoding: 'utf8' });
    const outcome = measureOutcome(run.status, run.signal, run.stderr, false);
    assert.equal(outcome.kind, 'written', run.stderr);
    const loaded = loadAudienceSnapshot(fs.readFileSync(path.join(root, 'mergewise.audience.json'), 'utf8'));
    assert.ok(loaded.ok);
    assert.equal(loaded.snapshot.source.rows, 3);
    assert.deepEqual(loaded.snapshot.templates[0].branches.map((b) => Math.round(b.share! * 3)), [1, 2]);

    // Without the hook the bundle, away from node_modules, cannot load DuckDB: why the command finds it first.
    const without = spawnSync(child.command, child.args.slice(2), { cwd: child.cwd, env: child.env, encoding: 'utf8' });
    assert.equal(measureOutcome(without.status, without.signal, without.stderr, false).kind, 'failed');
  });
});
