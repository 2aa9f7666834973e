/**
 * `mergewise report --jobs N`: the report written from worker threads is the single thread's, byte
 * for byte (apart from the minute it was written in), with the same previews, notices, purposes and
 * exit code. Runs the bundle (dist/cli.js beside dist/report-worker.js) as a child; how many threads
 * rendered is read from the MERGEWISE_DEBUG_JOBS line, never from timing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = path.join(ROOT, 'examples');
const ws = workspacesRemovedAfter();

interface Run { status: number | null; stdout: string; stderr: string; threads: number | undefined; written: string }

function report(cwd: string, format: string, jobs: number, env: Record<string, string> = {}): Run {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/report-worker.js')), 'dist/report-worker.js is missing: run `npm run build` first (npm test does)');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-report-jobs-'));
  try {
    const child = spawnSync(process.execPath, [BUNDLE, 'report', '--out', out, '--format', format, '--jobs', String(jobs)], {
      cwd, env: { ...process.env, NO_COLOR: '1', MERGEWISE_DEBUG_JOBS: '1', ...env }, encoding: 'utf8', maxBuffer: 1 << 28,
    });
    const lines = child.stderr.split('\n');
    const debug = lines.find((line) => line.startsWith('mergewise: jobs: '));
    const threads = debug?.match(/ on (\d+) worker threads$/)?.[1];
    const name = { json: 'report.json', html: 'report.html', markdown: 'report.md' }[format]!;
    const file = path.join(out, name);
    return {
      status: child.status,
      stdout: child.stdout.replaceAll(out, 'OUT'),
      stderr: lines.filter((line) => line !== debug).join('\n'),
      threads: threads === undefined ? undefined : Number(threads),
      written: fs.existsSync(file) ? withoutClock(fs.readFileSync(file, 'utf8')) : '',
    };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The time of writing, which two runs need not share: the JSON's generatedAt, the page's "Generated … UTC". */
function withoutClock(text: string): string {
  return text.replace(/"generatedAt": "[^"]*"/, '"generatedAt": "T"').replace(/Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'Generated T');
}

function assertSameAcrossJobs(cwd: string, format: string, jobs: number[], env: Record<string, string> = {}): Run {
  const single = report(cwd, format, 1, env);
  assert.equal(single.threads, undefined, 'one thread: no workers');
  assert.ok(single.written.length > 0, 'the single thread wrote its report');
  for (const n of jobs) {
    const spread = report(cwd, format, n, env);
    assert.equal(spread.threads, n, `--jobs ${n} rendered on ${spread.threads ?? 'no'} worker threads`);
    assert.ok(spread.written === single.written, `--jobs ${n} --format ${format}: the report differs from --jobs 1's`);
    assert.equal(spread.stdout, single.stdout);
    assert.equal(spread.stderr, single.stderr);
    assert.equal(spread.status, single.status);
  }
  return single;
}

describe('report --jobs: the same report on any number of threads', () => {
  for (const format of ['json', 'html']) {
    test(`examples/ (partials, ten dialects, sample recipients, an audience snapshot), --format ${format}, 2 and 3 threads`, () => {
      const single = assertSameAcrossJobs(EXAMPLES, format, [2, 3], { MERGEWISE_JOBS_ANY_SIZE: '1' });
      assert.match(single.stdout, /^\d+ of \d+ templates ready to send; wrote OUT\//);
      if (format === 'json') {
        const parsed = JSON.parse(single.written);
        assert.ok(parsed.templates.length > 20 && parsed.templates.some((t: { recipients: unknown[] }) => t.recipients.length > 0), 'every example, rendered');
      } else {
        assert.match(single.written, /<iframe[^>]+sandbox/, 'the previews are in the page');
      }
    });
  }

  test('a template that cannot be read, a recipient that does not render and a broken recipients file: the same notices in the same order', () => {
    const files: Record<string, string> = {
      'mergewise.json': JSON.stringify({ fields: { 'customer.first_name': { type: 'string', source: 'declared' } }, recipients: ['recipients/*.json'] }),
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
      'recipients/broken.json': '{ "$name": "Broken", ',
      'emails/binary.liquid': '\u0000\u0001\u0002 not text',
    };
    for (let i = 0; i < 12; i++) files[`emails/e${String(i).padStart(2, '0')}.liquid`] = `<p>Hi {{ customer.first_name }} ${i}</p>\n${i % 5 === 0 ? '{% if %}\n' : ''}`;
    const root = ws(files);
    const single = assertSameAcrossJobs(root, 'json', [2, 3], { MERGEWISE_JOBS_ANY_SIZE: '1' });
    const parsed = JSON.parse(single.written);
    assert.ok(parsed.notices.some((n: string) => n.includes('binary.liquid')), JSON.stringify(parsed.notices));
    assert.ok(parsed.notices.some((n: string) => n.startsWith('Sample recipients:')), JSON.stringify(parsed.notices));
  });

  test('60 templates: rendered on 2 workers for their sample recipients, analysed on the main thread without any', () => {
    const files: Record<string, string> = {
      'mergewise.json': JSON.stringify({ fields: { 'customer.first_name': { type: 'string', source: 'declared' } }, recipients: ['recipients/*.json'] }),
    };
    for (let i = 0; i < 60; i++) files[`emails/e${String(i).padStart(2, '0')}.liquid`] = `<p>Hi {{ customer.first_name | default: "there" }} ${i}</p>\n`;
    const withoutRecipients = ws(files);
    assert.equal(report(withoutRecipients, 'json', 2).threads, undefined, 'nothing to render: one thread');
    const withRecipients = ws({ ...files, 'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }) });
    const single = assertSameAcrossJobs(withRecipients, 'json', [2]);
    assert.equal(JSON.parse(single.written).templates.length, 60);
  });

  test('few templates stay on the main thread unless told: workers would cost more than they save', () => {
    const root = ws({ 'mergewise.json': JSON.stringify({ fields: {} }), 'emails/a.liquid': '<p>Hi</p>\n' });
    assert.equal(report(root, 'json', 4).threads, undefined);
  });
});
