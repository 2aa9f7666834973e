/**
 * Output that cannot be written (a full disk, a file where a folder should be, a folder the user may
 * not write) ends the run with one line, `mergewise: cannot write …: reason`, and exit code 2 (1 would
 * read as findings), leaving no half-written report behind. A reader that stops early (`| head`) is
 * not an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string' } }, recipients: ['recipients/*.json'] });
const FILES = {
  'mergewise.json': SCHEMA,
  'emails/a.liquid': 'Hi {{ customer.frist_name }}\n',
  'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
};

/** `mergewise ARGS` from the bundle through `sh -c`, for redirections and limits: `$MW` is the command. */
function shell(script: string, cwd: string): { code: number | null; stdout: string; stderr: string } {
  assert.ok(fs.existsSync(BUNDLE), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  const run = spawnSync('sh', ['-c', script.replaceAll('$MW', '"$NODE" "$CLI"')], { cwd, encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI: BUNDLE } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at |Usage:/);
}

describe('mergewise check: a report that cannot be written', () => {
  test('to a full device: one line and exit code 2, not a stack trace and 1', () => {
    const dir = ws(FILES);
    for (const format of ['text', 'json', 'sarif']) {
      const run = shell(`$MW check --format ${format} > /dev/full`, dir);
      assert.equal(run.code, 2, run.stderr);
      assertOneLine(run.stderr, /^mergewise: cannot write standard output: no space left on device \(ENOSPC\); the report is incomplete\.$/m);
    }
  });

  test('to a file that fills up: what this run wrote is taken back, the file\'s earlier lines kept', () => {
    const dir = ws(FILES);
    fs.writeFileSync(path.join(dir, 'log.txt'), 'earlier line\n');
    // A file size limit of 4 KB stands in for a full disk; the SARIF report is larger (its rules' help).
    const run = shell(`trap '' XFSZ; ulimit -f 4; $MW check --format sarif >> log.txt`, dir);
    assert.equal(run.code, 2, run.stderr);
    assertOneLine(run.stderr, /cannot write standard output: file too large \(EFBIG\); the report is incomplete, and what was written of it is removed\./);
    assert.equal(fs.readFileSync(path.join(dir, 'log.txt'), 'utf8'), 'earlier line\n');
  });

  test('a reader that stops early (| head) is not an error: the exit code is still the findings\'', async () => {
    const many: Record<string, string> = { 'mergewise.json': SCHEMA };
    for (let i = 0; i < 300; i++) many[`emails/e${i}.liquid`] = 'Hi {{ customer.frist_name }}\n'.repeat(20);
    const dir = ws(many);
    const child = spawn(process.execPath, [BUNDLE, 'check', '--jobs', '1'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    assert.equal(stderr, '');
  });
});

describe('mergewise report and preview: --out that cannot be written', () => {
  test('report --out naming a file: the file is left as it was, exit code 2', () => {
    const dir = ws({ ...FILES, 'taken.html': 'mine\n' });
    const run = cli(['report', '--out', 'taken.html'], dir);
    assert.equal(run.code, 2);
    assertOneLine(run.stderr, /^mergewise: cannot write taken\.html: it is a file, not a folder$/m);
    assert.equal(fs.readFileSync(path.join(dir, 'taken.html'), 'utf8'), 'mine\n');
  });

  test('report --out under a file: said with the reason, exit code 2', () => {
    const dir = ws({ ...FILES, 'taken.html': 'mine\n' });
    const run = cli(['report', '--out', 'taken.html/reports'], dir);
    assert.equal(run.code, 2);
    assertOneLine(run.stderr, /^mergewise: cannot write taken\.html\/reports: not a directory \(ENOTDIR\)$/m);
  });

  test('preview --out naming a file: exit code 2, no page written', () => {
    const dir = ws({ ...FILES, afile: 'mine\n' });
    const run = cli(['preview', 'emails/a.liquid', '--out', 'afile'], dir);
    assert.equal(run.code, 2);
    assertOneLine(run.stderr, /^mergewise: cannot write afile: it is a file, not a folder$/m);
    assert.equal(run.stdout, '');
  });

  test('report --out into a folder the user may not write: exit code 2, naming the file', () => {
    const dir = ws(FILES);
    const out = path.join(dir, 'locked');
    fs.mkdirSync(out);
    fs.chmodSync(out, 0o555);
    // Root may write anywhere: run the command as nobody, in a workspace nobody may read.
    const asUser = process.getuid?.() === 0 ? 'setpriv --reuid=65534 --regid=65534 --clear-groups ' : '';
    fs.chmodSync(dir, 0o755);
    const run = shell(`${asUser}$MW report --out locked`, dir);
    assert.equal(run.code, 2, run.stderr);
    assertOneLine(run.stderr, /^mergewise: cannot write locked\/report\.html: permission denied \(EACCES\)$/m);
    assert.deepEqual(fs.readdirSync(out), []);
  });

  test('a report cut off by a full disk leaves the last report whole, and no temporary file', () => {
    const dir = ws(FILES);
    fs.mkdirSync(path.join(dir, 'out'));
    fs.writeFileSync(path.join(dir, 'out/report.html'), 'last week\'s report\n');
    const run = shell(`trap '' XFSZ; ulimit -f 4; $MW report --out out`, dir);
    assert.equal(run.code, 2, run.stderr);
    assertOneLine(run.stderr, /^mergewise: cannot write out\/report\.html: file too large \(EFBIG\)$/m);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')), ['report.html']);
    assert.equal(fs.readFileSync(path.join(dir, 'out/report.html'), 'utf8'), 'last week\'s report\n');
  });
});
