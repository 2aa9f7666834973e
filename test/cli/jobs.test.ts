/**
 * `mergewise check --jobs N` (issue 19 item 2): the report written from several threads (the main
 * thread and workers, each taking part) is byte for byte the single thread's, in the same order, with
 * the same notices and exit code. Runs the bundle
 * (dist/cli.js beside dist/check-worker.js) as a child; how many threads checked is read from the
 * MERGEWISE_DEBUG_JOBS line, never from timing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateTemplate, schemaText } from '../../bench/generate';
import { workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = path.join(ROOT, 'examples');
const ws = workspacesRemovedAfter();

interface Run {
  status: number | null; stdout: Buffer; stderr: string; threads: number | undefined;
  /** How many threads checked and why, as MERGEWISE_DEBUG_JOBS says it. */
  jobsLine: string | undefined;
  /** Spread over threads: how many batches each checked, the main thread's first, and of how many. */
  batchesByThread: number[] | undefined;
  batches: number | undefined;
}

function check(cwd: string, args: string[], env: Record<string, string> = {}): Run {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/check-worker.js')), 'dist/check-worker.js is missing: run `npm run build` first (npm test does)');
  const child = spawnSync(process.execPath, [BUNDLE, 'check', ...args], {
    cwd, env: { ...process.env, NO_COLOR: '1', MERGEWISE_DEBUG_JOBS: '1', ...env }, maxBuffer: 1 << 30,
  });
  const lines = child.stderr.toString('utf8').split('\n');
  const debugLines = lines.filter((line) => line.startsWith('mergewise: jobs: '));
  const [debug, split] = debugLines;
  const threads = debug?.match(/ on (\d+) threads \(the main thread and (\d+) workers?\)$/);
  if (threads) assert.equal(Number(threads[2]), Number(threads[1]) - 1);
  const batches = split?.match(/^mergewise: jobs: batches checked by each thread, the main thread's first: ([\d, ]+) \(of (\d+)\)$/);
  assert.equal(debugLines.length, threads ? 2 : debug === undefined ? 0 : 1, debugLines.join('\n'));
  return {
    status: child.status,
    stdout: child.stdout,
    stderr: lines.filter((line) => !debugLines.includes(line)).join('\n'),
    threads: threads ? Number(threads[1]) : undefined,
    jobsLine: debug,
    batchesByThread: batches?.[1].split(', ').map(Number),
    batches: batches ? Number(batches[2]) : undefined,
  };
}

/** Runs with --jobs 1, then each of `jobs`, and says each is the same report, notices and exit code. */
function assertSameAcrossJobs(cwd: string, args: string[], jobs: number[], env: Record<string, string> = {}): Run {
  const single = check(cwd, [...args, '--jobs', '1'], env);
  assert.equal(single.threads, undefined);
  for (const n of jobs) {
    const spread = check(cwd, [...args, '--jobs', String(n)], env);
    assert.equal(spread.threads, n, `--jobs ${n} ran on ${spread.threads ?? 'no'} threads`);
    // Every thread took part, the main thread among them.
    assert.equal(spread.batchesByThread?.length, n);
    assert.ok(spread.batchesByThread!.every((count) => count > 0), `batches by thread: ${spread.batchesByThread!.join(', ')}`);
    assert.equal(spread.batchesByThread!.reduce((sum, count) => sum + count, 0), spread.batches);
    assert.ok(spread.stdout.equals(single.stdout), `--jobs ${n} ${args.join(' ')}: the report differs from --jobs 1's`);
    assert.equal(spread.stderr, single.stderr);
    assert.equal(spread.status, single.status);
  }
  return single;
}

const FORMATS = ['json', 'sarif', 'text', 'jsonl'];

describe('check --jobs: the same report on any number of threads', () => {
  for (const format of FORMATS) {
    test(`examples/ (partials, ten dialects), --format ${format}, 2 and 3 threads`, () => {
      // examples/ is small: below the size that pays for workers, unless told.
      const single = assertSameAcrossJobs(EXAMPLES, ['.', '--format', format], [2, 3], { MERGEWISE_JOBS_ANY_SIZE: '1' });
      assert.equal(single.status, 1);
    });
  }

  // 120 generated templates, most of 10 KB (about 1.6 MB): enough for workers once the size that
  // pays for them is lowered to 1 MB, so that they go through every other decision as a large
  // workspace does. A binary file and twenty clean ones come first (the first report written is not
  // the first template's; a SARIF report's first result comes late), every tenth template renders a
  // partial, a larger one is skipped.
  const dir = ws(generatedWorkspace());
  const env = { MERGEWISE_JOBS_MIN_BYTES: String(1 << 20) };

  for (const format of FORMATS) {
    test(`a generated workspace of 120 templates, --format ${format}`, () => {
      const single = assertSameAcrossJobs(dir, ['.', '--format', format, '--max-file-size', '60000'], [2, 3], env);
      assert.equal(single.status, 1);
      assert.match(single.stderr, /0000-binary\.liquid: skipped/);
      assert.match(single.stderr, /9999-large\.liquid: skipped/);
    });
  }

  test('in the order walked: folders and files by name, then mergewise.json', () => {
    const run = check(dir, ['.', '--format', 'json', '--jobs', '3'], env);
    assert.equal(run.threads, 3);
    const report = JSON.parse(run.stdout.toString('utf8')) as { files: { path: string }[] };
    const paths = report.files.map((file) => file.path);
    assert.equal(paths.at(-1), 'mergewise.json');
    const templates = paths.slice(0, -1);
    assert.equal(templates.length, 120 + 20 + 1 + 1); // and the partial; the binary file is skipped
    assert.deepEqual(templates, [...templates].sort());
  });

  test('--hints, --rule and --max-warnings go to the workers as to one thread', () => {
    assertSameAcrossJobs(dir, ['.', '--format', 'json', '--hints', '--rule', 'missing-fallback=off'], [2], env);
    const single = assertSameAcrossJobs(dir, ['.', '--format', 'text', '--rule', 'missing-fallback=off', '--max-warnings', '100000'], [2], env);
    assert.ok(single.status === 0 || single.status === 1);
  });

  test('a template Mergewise fails on: an internal-error on it, the same on one thread and on workers', () => {
    const failing = { ...env, MERGEWISE_TEST_FAIL_ON: '0042-' };
    const single = assertSameAcrossJobs(dir, ['.', '--format', 'json'], [2], failing);
    const report = JSON.parse(single.stdout.toString('utf8')) as { files: { path: string; diagnostics: { rule: string; message: string }[] }[] };
    const failed = report.files.find((file) => file.path.includes('0042-'))!;
    assert.deepEqual(failed.diagnostics.map((d) => d.rule), ['internal-error']);
    assert.match(failed.diagnostics[0].message, /Mergewise failed on this file \(injected failure on .*0042-.*\)/);
    // The templates after it are checked.
    assert.ok(report.files.findIndex((file) => file.path.includes('0043-')) > 0);
    assertSameAcrossJobs(dir, ['.', '--format', 'text'], [3], failing);
  });

  test('a worker that stops: one line saying so, exit code 2, and the main thread stops checking too', () => {
    const run = check(dir, ['.', '--format', 'json', '--jobs', '2'], { ...env, MERGEWISE_TEST_WORKER_STOPS: '1' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^mergewise: a check worker stopped \(exit code 70\) before the check was done\. Please report this\.$/m);
    // The worker stopped at the first of the two batches it was handed: the main thread, which checks
    // one batch at a time and reads the workers' news in between, gives up at its next batch, and so
    // does not go on through all the others (34 of 36: what it did before). Its first batches are
    // checked while the worker stops, however busy the machine, hence no tighter bound.
    const [here, worker] = run.batchesByThread!;
    assert.equal(worker, 0);
    assert.ok(here < run.batches! - 2, `the main thread went on to check ${here} of ${run.batches} batches`);
  });

  test('--fix stays on one thread', () => {
    const copy = ws({ 'mergewise.json': schemaText() });
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(copy, `t${i}.liquid`), generateTemplate('liquid', 20 * 1024, `jobs-fix/${i}`));
    const run = check(copy, ['.', '--fix', '--format', 'json', '--jobs', '2'], env);
    assert.equal(run.threads, undefined);
    assert.match(run.jobsLine ?? '', /on the main thread \(--fix\)/);
  });

  test('under 24 MB of templates, the check stays on the main thread unless told otherwise', () => {
    // Two workers on a busy 2-core machine cost more than they save on a workspace this size.
    const run = check(dir, ['.', '--format', 'json', '--jobs', '2']);
    assert.equal(run.threads, undefined);
    assert.match(run.jobsLine ?? '', /on the main thread \(less than 24 MB of templates\)/);
    const lowered = check(dir, ['.', '--format', 'json', '--jobs', '2'], env);
    assert.equal(lowered.threads, 2);
    assert.ok(lowered.stdout.equals(run.stdout));
  });
});

describe('check --jobs: when it spreads', () => {
  test('a few small templates stay on the main thread', () => {
    const run = check(EXAMPLES, ['.', '--jobs', '2']);
    assert.equal(run.threads, undefined);
    assert.match(run.jobsLine ?? '', /on the main thread \(fewer than 25 per thread\)/);
  });

  /** 60 templates of 20 KB and a partial; those whose number `includes` picks render it. */
  function includingWorkspace(includes: (i: number) => boolean): string {
    const files: Record<string, string> = {
      'mergewise.json': schemaText(),
      'snippets/footer.liquid': '<p>Thanks, {{ name }}.</p>\n',
    };
    for (let i = 0; i < 60; i++) {
      const render = includes(i) ? `\n{% render 'footer', name: customer.first_name %}\n` : '\n';
      files[`emails/${String(i).padStart(2, '0')}.liquid`] = `${generateTemplate('liquid', 20 * 1024, `jobs-includes/${i}`)}${render}`;
    }
    return ws(files);
  }

  /** Runs --jobs 2 (over the size that pays for workers once it is lowered to 1 MB) and --jobs 1: the same report; the debug line. */
  function afterAll(dir: string): string {
    const lowered = { MERGEWISE_JOBS_MIN_BYTES: String(1 << 20) };
    const single = check(dir, ['.', '--format', 'json', '--jobs', '1'], lowered);
    const run = check(dir, ['.', '--format', 'json', '--jobs', '2'], lowered);
    assert.equal(run.threads, undefined);
    assert.ok(run.stdout.equals(single.stdout));
    assert.equal(run.stderr, single.stderr);
    assert.equal(run.status, single.status);
    return run.jobsLine ?? '';
  }

  test('templates that nearly all render partials: on the main thread after all, before any worker starts, the same report', () => {
    const line = afterAll(includingWorkspace(() => true));
    // The main thread's first templates settle it: more than one in ten of the 61 may include.
    assert.match(line, /on the main thread after all: at least 7 of 61 may include partials \(no worker started\)$/);
  });

  test('one template in three renders a partial: on the main thread after all, once the threads have tested them, the same report', () => {
    // The main thread's first templates do not settle it (7 without a partial come before 7 with
    // one), so the worker starts; the rest of the main thread's share does.
    const line = afterAll(includingWorkspace((i) => i % 3 === 0));
    const [, found] = line.match(/on the main thread after all: at least (\d+) of 61 may include partials$/) ?? [];
    assert.ok(found !== undefined && Number(found) >= 7, line);
  });

  test('--jobs 0, --jobs abc, --jobs 1.5: usage errors (exit 2)', () => {
    for (const value of ['0', 'abc', '1.5', '-1']) {
      const run = check(EXAMPLES, ['.', `--jobs=${value}`]);
      assert.equal(run.status, 2, value);
      assert.match(run.stderr, /--jobs takes a whole number of threads, 1 or more/);
      assert.equal(run.stdout.length, 0);
    }
  });
});

function generatedWorkspace(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {
    'mergewise.json': schemaText(),
    'snippets/footer.liquid': '<p>Thanks, {{ name }}. Sent to {{ customer.city }} {{ customer.first_name | default: "friend" }}</p>\n',
    'emails/0000-binary.liquid': Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]),
    'emails/9999-large.liquid': generateTemplate('liquid', 80 * 1024, 'jobs/large'),
  };
  for (let i = 0; i < 20; i++) files[`emails/0001-clean-${String(i).padStart(2, '0')}.liquid`] = '<p>Hello, and thanks for reading.</p>\n';
  for (let i = 0; i < 120; i++) {
    let text = generateTemplate('liquid', (i % 7 === 3 ? 30 : 10) * 1024, `jobs/${i}`);
    if (i % 10 === 5) text += '\n{% render \'footer\', name: customer.first_name %}\n';
    files[`emails/${String(i + 10).padStart(4, '0')}-t.liquid`] = text;
  }
  return files;
}
