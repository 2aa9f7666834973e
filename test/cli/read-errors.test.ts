/**
 * Templates `check` cannot simply read: one the user may not read fails the run (exit code 2, named),
 * as a skipped file would otherwise pass CI unseen; one saved as UTF-16 with a byte order mark is
 * read as text, at the positions the same text has in UTF-8, and `--fix` leaves it as it is.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string', fallback: 'there' } } });
const TEXT = '\ufeffHé {{ customer.first_name }}\r\n{{ customer.frist_name }}\n';

interface Report { files: { path: string; diagnostics: { rule: string; range: unknown }[] }[]; notices: string[] }

/** `mergewise check ARGS` from the bundle, as a user who is not root (root may read any file). */
function checkAsUser(dir: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  assert.ok(fs.existsSync(BUNDLE), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const [command, ...rest] = [...asNobody, process.execPath, BUNDLE, 'check', ...args];
  const run = spawnSync(command, rest, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('mergewise check: a template that cannot be read', () => {
  test('fails the run with exit code 2, naming it; the other templates are still reported', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': 'Hi {{ customer.first_name | default: "there" }}\n', 'emails/locked.liquid': 'Hi\n' });
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'emails/locked.liquid'), 0o000);
    const run = checkAsUser(dir, ['--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^mergewise: cannot read emails\/locked\.liquid: permission denied \(EACCES\)$/m);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.files.map((f) => f.path), ['emails/a.liquid', 'mergewise.json']);
    assert.deepEqual(report.notices, ['cannot read emails/locked.liquid: permission denied (EACCES)']);
  });

  test('when the check is spread over threads, as on one', () => {
    const files: Record<string, string> = { 'mergewise.json': SCHEMA };
    for (let i = 0; i < 8; i++) files[`emails/t${i}.liquid`] = 'Hi\n';
    const dir = ws(files);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'emails/t6.liquid'), 0o000);
    const run = checkAsUser(dir, ['--jobs', '2'], { MERGEWISE_JOBS_ANY_SIZE: '1', MERGEWISE_JOBS_MIN_BYTES: '1', MERGEWISE_DEBUG_JOBS: '1' });
    assert.match(run.stderr, /on 2 threads/, 'the check ran on a worker too');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^mergewise: cannot read emails\/t6\.liquid: permission denied \(EACCES\)$/m);
  });
});

describe('mergewise check: UTF-16 templates with a byte order mark', () => {
  const utf8 = Buffer.from(TEXT, 'utf8');
  const utf16le = Buffer.from(TEXT, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();

  test('are checked as text, the findings where they are in the same text in UTF-8', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/le.liquid': utf16le, 'emails/be.liquid': utf16be, 'emails/u8.liquid': utf8 });
    const run = cli(['check', '--format', 'json'], dir);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.notices, []);
    const findings = (name: string) => report.files.find((f) => f.path === `emails/${name}`)?.diagnostics.map((d) => [d.rule, d.range]);
    assert.deepEqual(findings('u8.liquid')?.map(([rule]) => rule), ['missing-fallback', 'unknown-field']);
    assert.deepEqual(findings('le.liquid'), findings('u8.liquid'));
    assert.deepEqual(findings('be.liquid'), findings('u8.liquid'));
  });

  test('--fix leaves them as they are and says why; --fix-dry-run shows no diff for them', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/le.liquid': utf16le });
    const run = cli(['check', '--fix'], dir);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'emails/le.liquid')), utf16le);
    assert.match(run.stderr, /emails\/le\.liquid: not fixed: it is UTF-16LE, and --fix writes UTF-8 only; convert it to UTF-8 to have it fixed\./);
    assert.match(run.stdout, /missing-fallback/, 'what is left is reported');
    const dry = cli(['check', '--fix-dry-run'], dir);
    assert.equal(dry.stdout, '');
  });

  test('explain and preview read them as text too, as check does', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/le.liquid': utf16le });
    const explained = cli(['explain', 'emails/le.liquid:1:9'], dir);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /customer\.first_name/);
    const previewed = cli(['preview', 'emails/le.liquid'], dir);
    assert.doesNotMatch(previewed.stdout + previewed.stderr, /binary/);
  });
});
