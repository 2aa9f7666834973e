/**
 * `mergewise report` on the 2,000-template bench workspace (issue 20): written in under 10 s, and
 * the HTML under 5 MB by sampling previews beyond the first 50 templates, saying so on the page.
 *
 * Two cases, each run as a user runs it, from the workspace's folder, a whole process, not pinned:
 * `node dist/cli.js report --out ../report-out/NAME`. First the workspace as generated: its
 * mergewise.json names `recipients/*.json` and there are none, so nothing is rendered. Then the same
 * files hard-linked into generated/report-workspace/ beside three sample recipients made from the
 * schema (a complete profile, declared identity fields only, a name alone), so that every template
 * is rendered for every recipient, as a team's report is. In turn with each report, as the baseline
 * on the same files: `node dist/cli.js check --format json --jobs 1 > /dev/null`, the same analysis
 * on the same single thread, without rendering. Pairs alternate which runs first; CPU time (user +
 * system) and peak RSS come from peak-rss.cjs.
 *
 * Run alone after `npm run build`: `node --import tsx bench/report.ts [--quick] [--cli=path/to/cli.js]`.
 */
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, currentManifest, generateAll, GENERATED_DIR, SCHEMA_FIELDS, WORKSPACE_DIR } from './generate';
import { median, readUsage } from './measure';

const ROOT = path.dirname(BENCH_DIR);
const REPORT_WORKSPACE = path.join(GENERATED_DIR, 'report-workspace');
const OUT_DIR = path.join(GENERATED_DIR, 'report-out');
const USAGE_FILE = path.join(GENERATED_DIR, 'report-usage.json');
const TARGET_MS = 10_000;
const TARGET_HTML_BYTES = 5_000_000;
/** What the page says when it samples previews (core/report/assemble.ts, previewSelection). */
const SAMPLING_NOTE = /Previews are shown for the first 50 templates and for every/;

type FieldDef = (typeof SCHEMA_FIELDS)[string];

/** A plausible value of each type; arrays get two items, with every item field filled. */
function sampleValue(name: string, def: FieldDef, index: number): unknown {
  if (def.examples?.length) return def.examples[index % def.examples.length];
  switch (def.type) {
    case 'number': return 3 + index;
    case 'boolean': return index % 2 === 0;
    case 'date': return `2026-11-${String(20 - index).padStart(2, '0')}T10:00:00Z`;
    case 'object': return {};
    case 'array': return [0, 1].map((i) => Object.fromEntries(Object.entries(def.items ?? {}).map(([child, childDef]) => [child, sampleValue(child, childDef, i)])));
    default: return `${name.split('.').pop()!.replace(/_/g, ' ')} ${index + 1}`;
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1]] = value;
}

/** Three sample recipients: every field, only declared identity data, and a name alone. */
function sampleRecipients(): Record<string, Record<string, unknown>> {
  const complete: Record<string, unknown> = { $name: 'Complete profile' };
  const identity: Record<string, unknown> = { $name: 'Identity fields only' };
  for (const [name, def] of Object.entries(SCHEMA_FIELDS)) {
    setPath(complete, name, sampleValue(name, def, 0));
    if (def.source === 'declared') setPath(identity, name, sampleValue(name, def, 1));
  }
  const fresh = { $name: 'New subscriber', customer: { first_name: 'Sam' } };
  return { 'complete.json': complete, 'identity.json': identity, 'new.json': fresh };
}

/** The bench workspace with sample recipients: its files hard-linked, so nothing is copied. */
function reportWorkspace(): void {
  rmSync(REPORT_WORKSPACE, { recursive: true, force: true });
  const walk = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(from, entry.name), path.join(to, entry.name));
      else if (entry.isFile()) linkSync(path.join(from, entry.name), path.join(to, entry.name));
    }
  };
  walk(WORKSPACE_DIR, REPORT_WORKSPACE);
  mkdirSync(path.join(REPORT_WORKSPACE, 'recipients'));
  for (const [file, recipient] of Object.entries(sampleRecipients())) {
    writeFileSync(path.join(REPORT_WORKSPACE, 'recipients', file), `${JSON.stringify(recipient, null, 2)}\n`);
  }
}

interface ProcessRun { wallMs: number; cpuMs: number; peakRssMB: number; exitCode: number | null }

function run(cli: string, cwd: string, args: string[]): ProcessRun {
  rmSync(USAGE_FILE, { force: true });
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--require', path.join(BENCH_DIR, 'peak-rss.cjs'), cli, ...args], {
    cwd, stdio: ['ignore', devNull, 'pipe'], env: { ...process.env, MERGEWISE_BENCH_USAGE_FILE: USAGE_FILE, NO_COLOR: '1' },
  });
  const wallMs = performance.now() - started;
  closeSync(devNull);
  // Exit 1 is the report's and check's answer for templates that fail; anything else is a crash.
  if (child.status !== 0 && child.status !== 1) throw new Error(`mergewise ${args[0]} exited ${child.status}: ${child.stderr.toString().slice(0, 500)}`);
  return { wallMs, ...readUsage(USAGE_FILE), exitCode: child.status };
}

interface Side { wallMsMedian: number; cpuMsMedian: number; peakRssMBMax: number }

export interface ReportCase {
  label: string;
  command: string;
  baseline: string;
  recipients: number;
  pairs: { report: ProcessRun; check: ProcessRun }[];
  report: Side;
  check: Side;
  /** Report CPU / check CPU, pair by pair. */
  cpuRatioMedian: number;
  htmlBytes: number;
  frames: number;
  saysItSamples: boolean;
  loadAverage: { before: number; after: number };
}

export interface ReportBenchResult {
  templates: number;
  cases: ReportCase[];
}

/** `pairs` report/check pairs in `dir`, after `warmUps` uncounted ones, each pair swapping which runs first. */
function measureCase(label: string, dir: string, recipients: number, cli: string, warmUps: number, pairs: number, log: (line: string) => void): ReportCase {
  const out = path.join(OUT_DIR, path.basename(dir));
  const reportArgs = ['report', '--out', path.relative(dir, out)];
  const checkArgs = ['check', '--format', 'json', '--jobs', '1'];
  const loadBefore = os.loadavg()[0];
  const counted: ReportCase['pairs'] = [];
  log(`  ${label}:`);
  for (let i = 0; i < warmUps + pairs; i++) {
    const first = i % 2 === 0 ? 'report' : 'check';
    const runs: Partial<Record<'report' | 'check', ProcessRun>> = {};
    for (const side of first === 'report' ? ['report', 'check'] as const : ['check', 'report'] as const) runs[side] = run(cli, dir, side === 'report' ? reportArgs : checkArgs);
    const { report, check } = runs as Record<'report' | 'check', ProcessRun>;
    const seconds = (r: ProcessRun) => `${(r.wallMs / 1000).toFixed(2)} s (CPU ${(r.cpuMs / 1000).toFixed(2)} s, peak ${r.peakRssMB.toFixed(0)} MB)`;
    log(`    pair ${i + 1}/${warmUps + pairs}${i < warmUps ? ' (warm-up)' : ''}: report ${seconds(report)}; check --jobs 1 ${seconds(check)}; load ${os.loadavg()[0].toFixed(1)}`);
    if (i >= warmUps) counted.push({ report, check });
  }
  const summary = (side: 'report' | 'check'): Side => ({
    wallMsMedian: median(counted.map((p) => p[side].wallMs)),
    cpuMsMedian: median(counted.map((p) => p[side].cpuMs)),
    peakRssMBMax: Math.max(...counted.map((p) => p[side].peakRssMB)),
  });
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  const inDir = `cd ${path.relative(ROOT, dir)} && node ${path.relative(dir, cli)}`;
  return {
    label, command: `(${inDir} ${reportArgs.join(' ')})`, baseline: `(${inDir} ${checkArgs.join(' ')} > /dev/null)`, recipients,
    pairs: counted, report: summary('report'), check: summary('check'),
    cpuRatioMedian: median(counted.map((p) => p.report.cpuMs / p.check.cpuMs)),
    htmlBytes: Buffer.byteLength(html), frames: html.match(/<iframe /g)?.length ?? 0, saysItSamples: SAMPLING_NOTE.test(html),
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  };
}

/**
 * The workspace as generated (its mergewise.json names recipients/*.json, and there are none: no
 * previews), then with three sample recipients (every template rendered three times, previews sampled).
 * `quick`: one counted pair of each; otherwise three without recipients.
 */
export function measureReport({ quick = false, cli = path.join(ROOT, 'dist', 'cli.js'), log = console.log }: { quick?: boolean; cli?: string; log?: (line: string) => void } = {}): ReportBenchResult {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first.`);
  const manifest = currentManifest() ?? generateAll(log);
  reportWorkspace();
  // The two workspaces share their files (hard links): the first warm-up fills the page cache for both.
  // With recipients a report takes minutes, against seconds for check: one pair tells that apart.
  const cases = [
    measureCase('the workspace as generated, no sample recipient files', WORKSPACE_DIR, 0, cli, 1, quick ? 1 : 3, log),
    measureCase('with 3 sample recipients', REPORT_WORKSPACE, 3, cli, 0, 1, log),
  ];
  const result = { templates: manifest.workspace.templates, cases };
  for (const line of reportLines(result)) log(line);
  return result;
}

export function reportLines(result: ReportBenchResult | { skipped: string }): string[] {
  if ('skipped' in result) return [`Send-readiness report: not measured (${result.skipped})`];
  return result.cases.flatMap((c) => [
    `Send-readiness report, ${c.label}: ${c.command}`,
    `  ${result.templates.toLocaleString('en')} templates x ${c.recipients} sample recipients: ${(c.report.wallMsMedian / 1000).toFixed(2)} s wall, ${(c.report.cpuMsMedian / 1000).toFixed(2)} s CPU ` +
      `(medians of ${c.pairs.length}), peak RSS ${c.report.peakRssMBMax.toFixed(0)} MB; HTML ${(c.htmlBytes / 1024 / 1024).toFixed(2)} MB with ${c.frames} preview frames` +
      `${c.saysItSamples ? ', saying it samples them' : ''}`,
    `  against ${c.baseline}: ${(c.check.wallMsMedian / 1000).toFixed(2)} s wall, ${(c.check.cpuMsMedian / 1000).toFixed(2)} s CPU; ` +
      `report / check CPU ${c.cpuRatioMedian.toFixed(2)}x by the median of the pairs (load average ${c.loadAverage.before.toFixed(1)} before, ${c.loadAverage.after.toFixed(1)} after)`,
  ]);
}

type Target = { what: string; target: string; measured: string; status: 'pass' | 'fail' | 'n/a' };

/** The issue's targets: under 10 s; the HTML under 5 MB, sampling previews beyond the first 50 templates and saying so. */
export function reportTargets(result: ReportBenchResult | { skipped: string }): Target[] {
  if ('skipped' in result) return [{ what: 'mergewise report, 2,000 templates', target: `under ${TARGET_MS / 1000} s; HTML under 5 MB`, measured: `not measured: ${result.skipped}`, status: 'n/a' }];
  return result.cases.flatMap((c) => {
    const what = `mergewise report, ${result.templates.toLocaleString('en')} templates, ${c.label}`;
    const wall = c.report.wallMsMedian;
    const previews = c.recipients > 0;
    return [
      { what: `${what}, time`, target: `under ${TARGET_MS / 1000} s`, measured: `median ${(wall / 1000).toFixed(2)} s of ${c.pairs.length} (CPU ${(c.report.cpuMsMedian / 1000).toFixed(2)} s, ${c.cpuRatioMedian.toFixed(2)}x check --jobs 1's)`, status: wall < TARGET_MS ? 'pass' : 'fail' },
      {
        what: `${what}, HTML`, target: previews ? 'under 5 MB, previews sampled beyond the first 50 templates and the page says so' : 'under 5 MB',
        measured: `${c.htmlBytes.toLocaleString('en')} bytes, ${c.frames} frames${previews ? (c.saysItSamples ? ', sampling stated' : ', no sampling note') : ''}`,
        status: c.htmlBytes < TARGET_HTML_BYTES && (!previews || c.saysItSamples) ? 'pass' : 'fail',
      },
    ];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cli = process.argv.find((arg) => arg.startsWith('--cli='))?.slice('--cli='.length);
  const result = measureReport({ quick: process.argv.includes('--quick'), ...(cli ? { cli: path.resolve(cli) } : {}) });
  for (const t of reportTargets(result)) console.log(`[${t.status.toUpperCase()}] ${t.what}: ${t.target}; measured ${t.measured}`);
}
