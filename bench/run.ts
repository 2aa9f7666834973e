/**
 * `npm run bench`: Mergewise against the parsers users would otherwise rely on (issue 7).
 *
 * Everything below runs in one process, side by side, on the same generated templates
 * (bench/generate.ts), so that the ratios compare like with like on this machine:
 * - Mergewise's full analysis (`analyzeTemplate`: scan, schema resolution, every rule), and its scan alone;
 * - liquidjs `Tokenizer#readTopLevelTokens` and `Liquid#parse`;
 * - `toLiquidHtmlAST` from @shopify/liquid-html-parser;
 * - `Handlebars.parse`;
 * - a bare regular-expression count of tag openers: the practical floor; and, for Liquid, a JavaScript
 *   loop that only visits every character of every tag, to show where that floor stands;
 * - Mergewise's full analysis in each other dialect, on its example template repeated to 100 KB and 1 MB.
 * Then the command line on a 2,000-template workspace (in a child, pinned to one core), and the
 * language server's latencies over stdio. It prints a table and writes bench/results.json.
 *
 * Method: the core is bundled by esbuild as dist/ is; each contender is warmed up, then timed one
 * file at a time, in rounds that alternate every contender and size of a dialect, so that drift
 * (heat, other load) and the garbage collector's work are shared by the ratios and the growth. No forced `gc()` between batches: it resets V8's young
 * generation sizing, and made allocation-heavy contenders (Mergewise, the liquidjs tokenizer) up to 3x
 * slower than in a real process. Iteration counts adapt to each contender's speed (a time budget with
 * a floor on samples).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { Liquid, Tokenizer } from 'liquidjs';
import { toLiquidHtmlAST } from '@shopify/liquid-html-parser';
import Handlebars from 'handlebars';
import * as lsp from 'vscode-languageserver-protocol/node';
import type { Dialect } from '../server/src/core/dialects/dialect';
import type { DialectId } from '../server/src/core/dialects/ids';
import type * as CoreEntry from './core-entry';
import type { Schema } from '../server/src/core/schema/types';
import {
  BENCH_DIR, GENERATED_DIR, LARGE_WORKSPACE_DIR, LSP_TEMPLATE, LSP_WORKSPACE_DIR, SIZES, WORKSPACE_DIR,
  currentManifest, generateAll, generateLargeWorkspace, sizeFileName, type BenchDialect, type Manifest,
} from './generate';
import {
  GREETING_PARTIAL, INLINE_DIR, WITH_PARTIALS_DIR, currentPartialsManifest, generatePartialWorkspaces, type PartialsManifest,
} from './partials';
import { audienceLines, audienceTargets, measureAudience, type AudienceResult } from './audience';
import { initTargets, measureInit, type InitBenchResult } from './init';
import { measureReport, reportTargets, type ReportBenchResult } from './report';
import { emails400Targets, measureEmails400, type Emails400Result } from './emails400';
import { jobsTargets, measureJobs, type JobsResult } from './jobs';
import { formatAllocation, measureAllocation, type AllocationRow } from './allocation';

const ROOT = path.dirname(BENCH_DIR);
const CORE_BUNDLE = path.join(GENERATED_DIR, 'core-bundle', 'core.cjs');
/** Analyses run as of this date, so that `stale-data` gives the same findings every day. */
const NOW = new Date('2026-11-26T12:00:00Z');
const QUICK = process.argv.includes('--quick');
const SKIP_CLI = process.argv.includes('--no-cli');
const SKIP_LSP = process.argv.includes('--no-lsp');
/** `--no-partials` leaves out the checks across files (bench/partials.ts); `--partials-only` runs only them. */
const SKIP_PARTIALS = process.argv.includes('--no-partials');
const PARTIALS_ONLY = process.argv.includes('--partials-only');
/** `--no-audience` leaves out audience coverage (bench/audience.ts); `--audience-only` runs only it. */
const SKIP_AUDIENCE = process.argv.includes('--no-audience');
/** `--no-init` leaves out `mergewise init` on the workspace (bench/init.ts). */
const SKIP_INIT = process.argv.includes('--no-init');
/** `--no-report` leaves out `mergewise report` on the workspace (bench/report.ts). */
const SKIP_REPORT = process.argv.includes('--no-report');
/** `--no-emails400` leaves out check on 400 emails against toLiquidHtmlAST, whole processes (bench/emails400.ts). */
const SKIP_EMAILS400 = process.argv.includes('--no-emails400');
/** `--no-jobs` leaves out check with the default --jobs against --jobs 1, whole processes (bench/jobs.ts). */
const SKIP_JOBS = process.argv.includes('--no-jobs');
/** `--no-allocation` leaves out the bytes allocated per MB analysed (bench/allocation.ts). */
const SKIP_ALLOCATION = process.argv.includes('--no-allocation');
const AUDIENCE_ONLY = process.argv.includes('--audience-only');
/** `--no-lsp10k` leaves out the language server on the 10,000-template workspace; `--lsp10k-only` runs only it. */
const SKIP_LSP10K = process.argv.includes('--no-lsp10k');
const LSP10K_ONLY = process.argv.includes('--lsp10k-only');
/** `--only=mergewise-liquid,regex-floor-liquid`: time only these contenders (for profiling; targets then show n/a). */
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
/** Only a complete run replaces bench/results.json; partial runs write into bench/generated/. */
const RESULTS_FILE = QUICK || SKIP_CLI || SKIP_LSP || ONLY || SKIP_PARTIALS || PARTIALS_ONLY || SKIP_AUDIENCE || AUDIENCE_ONLY || SKIP_INIT || SKIP_REPORT
  || SKIP_LSP10K || LSP10K_ONLY || SKIP_EMAILS400 || SKIP_JOBS || SKIP_ALLOCATION
  ? path.join(GENERATED_DIR, 'results-partial.json')
  : path.join(BENCH_DIR, 'results.json');

/** Time spent sampling each contender on each file, and the fewest samples taken however slow it is. */
const BUDGET_MS = QUICK ? 300 : 1500;
const MIN_SAMPLES = QUICK ? 5 : 15;
const MAX_SAMPLES = 3000;
const ROUNDS = 10;

// ---- Statistics ------------------------------------------------------------------------------------

interface Stats {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0],
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

/** Results are folded into this so that no contender's work can be optimized away. */
let sink = 0;

function consume(result: unknown): void {
  if (typeof result === 'number') sink += result;
  else if (Array.isArray(result)) sink += result.length;
  else if (result && typeof result === 'object') sink += 1;
}

// ---- Contenders ------------------------------------------------------------------------------------

interface Contender {
  id: string;
  label: string;
  /** A generated template's dialect, or (the other dialects' rows) the dialect of an example template. */
  dialect: BenchDialect | DialectId;
  /** The contender Mergewise's ratios are computed against; undefined for Mergewise's own rows. */
  baseline?: 'faster' | 'floor';
  /** Undefined when the contender cannot run here (a dialect not implemented yet). */
  run?: (text: string) => unknown;
  unavailable?: string;
}

/** Bundles the core the way esbuild.mjs bundles dist/, and loads it. */
async function loadCore(): Promise<typeof CoreEntry> {
  const outfile = CORE_BUNDLE;
  await esbuild.build({
    entryPoints: [path.join(BENCH_DIR, 'core-entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    define: { MERGEWISE_VERSION: JSON.stringify('bench') },
  });
  return createRequire(import.meta.url)(outfile) as typeof CoreEntry;
}

function contenders(core: typeof CoreEntry, schema: Schema): Contender[] {
  const liquid = core.getDialect('liquid');
  // The Handlebars rows use the registered dialect, or say n/a: never a stand-in.
  const handlebars = core.getDialect('handlebars');
  const analyze = (dialect: Dialect, extension: string) => (text: string) =>
    core.analyzeTemplate({ text, relativePath: `emails/newsletters/bench.${extension}`, dialect, schema, now: NOW }).diagnostics;
  const engine = new Liquid();
  const opener = /\{\{|\{%/g;
  // The cheapest way to count matches in JavaScript (no match arrays), so the floor is a real floor.
  const regexFloor = (text: string) => {
    opener.lastIndex = 0;
    let count = 0;
    while (opener.test(text)) count++;
    return count;
  };
  // What any reader of the tags must at least do in JavaScript: find each tag's end and look at every
  // character inside it, building no object and no string. It shows where the regex floor stands.
  const tagWalk = (text: string) => {
    let pos = 0;
    let sum = 0;
    for (;;) {
      const open = text.indexOf('{', pos);
      if (open === -1) break;
      const next = text.charCodeAt(open + 1);
      if (next !== 123 && next !== 37) { pos = open + 1; continue; }
      const close = text.indexOf(next === 123 ? '}}' : '%}', open + 2);
      if (close === -1) break;
      for (let i = open + 2; i < close; i++) sum += text.charCodeAt(i);
      pos = close + 2;
    }
    return sum;
  };
  const mergewise = (dialect: Dialect | undefined, bench: BenchDialect, extension: string): Contender[] => {
    const unavailable = dialect ? undefined : 'n/a (dialect not available)';
    return [
      { id: `mergewise-${bench}`, label: 'Mergewise full analysis', dialect: bench, run: dialect && analyze(dialect, extension), unavailable },
      { id: `mergewise-scan-${bench}`, label: '  of which: scan only', dialect: bench, run: dialect && ((text: string) => dialect.scan(text).uses), unavailable },
    ];
  };
  if (!liquid) throw new Error('The Liquid dialect is not registered: nothing to measure.');
  return [
    ...mergewise(liquid, 'liquid', 'liquid'),
    { id: 'liquidjs-tokenizer', label: 'liquidjs Tokenizer#readTopLevelTokens', dialect: 'liquid', baseline: 'faster', run: (text) => new Tokenizer(text).readTopLevelTokens() },
    // One engine for every file, as a linter would keep it: this times the parse, not the set-up.
    { id: 'liquidjs-parse', label: 'liquidjs Liquid#parse', dialect: 'liquid', baseline: 'faster', run: (text) => engine.parse(text) },
    { id: 'liquid-html-ast', label: 'toLiquidHtmlAST (@shopify/liquid-html-parser)', dialect: 'liquid', baseline: 'faster', run: (text) => toLiquidHtmlAST(text) },
    { id: 'regex-floor-liquid', label: 'regex floor /\\{\\{|\\{%/g', dialect: 'liquid', baseline: 'floor', run: regexFloor },
    { id: 'tag-walk-liquid', label: 'JS loop over every character of every tag', dialect: 'liquid', baseline: 'floor', run: tagWalk },
    ...mergewise(handlebars, 'handlebars', 'hbs'),
    { id: 'handlebars-parse', label: 'Handlebars.parse', dialect: 'handlebars', baseline: 'faster', run: (text) => Handlebars.parse(text) },
    { id: 'regex-floor-handlebars', label: 'regex floor /\\{\\{|\\{%/g', dialect: 'handlebars', baseline: 'floor', run: regexFloor },
  ];
}

interface Measurement extends Stats {
  contender: string;
  dialect: BenchDialect | DialectId;
  size: string;
  bytes: number;
  mbPerSecond: number;
}

interface Task {
  contender: Contender & { run: (text: string) => unknown };
  size: string;
  text: string;
  planned: number;
  times: number[];
}

/**
 * Times every available contender of one dialect on every size, all interleaved in rounds, so that
 * the ratios between contenders and between sizes (growth) are taken under the same conditions.
 */
function measureDialect(list: Contender[], files: { size: string; text: string }[], log: (line: string) => void, budgetMs = BUDGET_MS): Measurement[] {
  const runnable = list.filter((c): c is Contender & { run: (text: string) => unknown } => Boolean(c.run) && (!ONLY || ONLY.includes(c.id)));
  const tasks: Task[] = [];
  for (const file of files) {
    for (const contender of runnable) {
      // Warm-up: until the optimizing compiler has seen the code, and at least 3 runs.
      const warmStart = performance.now();
      let runs = 0;
      while (runs < 3 || (performance.now() - warmStart < (QUICK ? 100 : 300) && runs < 500)) {
        consume(contender.run(file.text));
        runs++;
      }
      const estimate = (performance.now() - warmStart) / runs;
      const planned = Math.max(MIN_SAMPLES, Math.min(MAX_SAMPLES, Math.round(budgetMs / estimate)));
      tasks.push({ contender, size: file.size, text: file.text, planned, times: [] });
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const task of tasks) {
      const wanted = Math.ceil(task.planned / ROUNDS);
      for (let i = 0; i < wanted; i++) {
        const start = performance.now();
        const result = task.contender.run(task.text);
        task.times.push(performance.now() - start);
        consume(result);
      }
    }
  }
  return tasks.map((task) => {
    const s = stats(task.times);
    const bytes = Buffer.byteLength(task.text);
    log(`  ${task.size.padEnd(6)} ${task.contender.label.padEnd(48)} median ${formatMs(s.medianMs).padStart(10)}  p95 ${formatMs(s.p95Ms).padStart(10)}  (${s.samples} runs)`);
    return { contender: task.contender.id, dialect: task.contender.dialect, size: task.size, bytes, ...s, mbPerSecond: bytes / 1024 / 1024 / (s.medianMs / 1000) };
  });
}

/** What Mergewise's analysis found in each file: evidence that it did the whole job. */
function analysisSummary(core: typeof CoreEntry, schema: Schema, dialect: Dialect, text: string, extension: string) {
  const analysis = core.analyzeTemplate({ text, relativePath: `emails/newsletters/bench.${extension}`, dialect, schema, now: NOW });
  const byRule: Record<string, number> = {};
  for (const diagnostic of analysis.diagnostics) byRule[diagnostic.rule] = (byRule[diagnostic.rule] ?? 0) + 1;
  return { fieldUses: analysis.scan.uses.length, diagnostics: analysis.diagnostics.length, byRule };
}

/** Every baseline must parse every file completely, or its time would flatter it. */
function checkBaselinesParse(list: Contender[], text: string, size: string): string[] {
  const problems: string[] = [];
  for (const contender of list) {
    if (!contender.run) continue;
    try {
      contender.run(text);
    } catch (error) {
      problems.push(`${contender.label} failed on the ${size} ${contender.dialect} template: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}

// ---- The other dialects ----------------------------------------------------------------------------

/** Each other dialect's example template (examples/), which its rows repeat to 100 KB and 1 MB. */
const EXAMPLE_TEMPLATES: [DialectId, string][] = [
  ['sendgrid', 'sendgrid/abandoned-cart.html'],
  ['iterable', 'iterable/trial-ending.html'],
  ['postmark', 'postmark/abandoned-cart.html'],
  ['hml', 'account-engagement/salon-owners-meetup.html'],
  ['klaviyo', 'klaviyo/abandoned-cart.html'],
  ['hubl', 'hubspot/trial-ending.html'],
  ['ampscript', 'salesforce-mc/renewal.html'],
  ['mailchimp', 'mailchimp/welcome.html'],
  ['marketo', 'marketo/win-back.html'],
];

interface ExampleRow {
  dialect: DialectId;
  template: string;
  /** Findings at 1 MB: evidence that the analysis did its whole job. */
  diagnosticsAt1MB: number;
  growth: Growth;
}

/**
 * Issue 7's targets name Liquid and Handlebars, but the other dialects' users type as fast: each
 * is timed on its example, repeated, against the examples' schema, by the same method with a
 * smaller budget. A slowdown in one of them showed nowhere before these rows.
 */
function measureExampleDialects(core: typeof CoreEntry, log: (line: string) => void): { rows: ExampleRow[]; measurements: Measurement[] } {
  const examples = path.join(ROOT, 'examples');
  const loaded = core.loadSchema(readFileSync(path.join(examples, 'mergewise.json'), 'utf8'), path.join(examples, 'mergewise.json'), examples);
  if (loaded.diagnostics.length) throw new Error(`examples/mergewise.json has problems: ${loaded.diagnostics[0].message}`);
  const rows: ExampleRow[] = [];
  const measurements: Measurement[] = [];
  const sizes = SIZES.filter((size) => size.label !== '10 KB');
  for (const [id, template] of EXAMPLE_TEMPLATES) {
    const dialect = core.getDialect(id);
    if (!dialect) throw new Error(`No dialect ${id} in the core.`);
    const example = readFileSync(path.join(examples, template), 'utf8');
    const files = sizes.map((size) => ({ size: size.label, text: example.repeat(Math.ceil(size.bytes / example.length)) }));
    const run = (text: string) => core.analyzeTemplate({ text, relativePath: template, dialect, schema: loaded.schema, now: NOW }).diagnostics;
    const contender: Contender = { id: `mergewise-${id}`, label: `Mergewise ${dialect.label}`, dialect: id, run };
    const timed = measureDialect([contender], files, log, BUDGET_MS / 3);
    measurements.push(...timed);
    const [small, large] = timed;
    if (!small || !large) continue; // left out by --only
    rows.push({
      dialect: id, template: `examples/${template}`, diagnosticsAt1MB: run(files[1].text).length,
      growth: { byMean: large.meanMs / small.meanMs, byMedian: large.medianMs / small.medianMs },
    });
  }
  return { rows, measurements };
}

// ---- Command line on the workspace -----------------------------------------------------------------

interface CliRun {
  wallMs: number;
  peakRssMB: number;
  cpuMs: number;
  exitCode: number | null;
}

interface CoreOnlyRun {
  files: number;
  bytes: number;
  diagnostics: number;
  uses: number;
  wallMs: number;
  peakRssMB: number;
}

interface CliResult {
  command: string;
  oneCore: boolean;
  templates: number;
  megabytes: number;
  runs: CliRun[];
  wallMsMedian: number;
  mbPerSecond: number;
  peakRssMBMax: number;
  exitCode: number | null;
  stderrFirstLine?: string;
  /** Size of the JSON report on stdout (one extra, untimed run); undefined with --quick. */
  reportBytes?: number;
  /** The same files analyzed in a pinned child without building or writing a report (bench/workspace-analysis.ts). */
  coreOnly?: { command: string; runs: CoreOnlyRun[]; wallMsMedian: number; mbPerSecond: number; peakRssMBMax: number };
}

function measureCli(manifest: Manifest, log: (line: string) => void): CliResult {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does).');
  const usageFile = path.join(GENERATED_DIR, 'cli-usage.json');
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const args = ['--require', path.join(BENCH_DIR, 'peak-rss.cjs'), cli, 'check', path.relative(ROOT, WORKSPACE_DIR), '--format', 'json'];
  const command = [...(pinned ? ['taskset', '-c', '0'] : []), 'node', ...args.map((a) => (a.startsWith(ROOT) ? path.relative(ROOT, a) : a))].join(' ') + ' > /dev/null';
  const runs: CliRun[] = [];
  let stderrFirstLine: string | undefined;
  const total = QUICK ? 2 : 4;
  for (let i = 0; i < total; i++) {
    rmSync(usageFile, { force: true });
    const devNull = openSync('/dev/null', 'w');
    const start = performance.now();
    const child = spawnSync(pinned ? 'taskset' : process.execPath, pinned ? ['-c', '0', process.execPath, ...args] : args, {
      cwd: ROOT,
      stdio: ['ignore', devNull, 'pipe'],
      env: { ...process.env, MERGEWISE_BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - start;
    closeSync(devNull);
    stderrFirstLine ??= child.stderr?.toString().split('\n').find((line) => line.trim());
    const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number; userMs: number; systemMs: number } : undefined;
    const run = { wallMs, peakRssMB: usage ? usage.maxRssKiB / 1024 : NaN, cpuMs: usage ? usage.userMs + usage.systemMs : NaN, exitCode: child.status };
    // The first run fills the page cache; it is reported but not counted.
    log(`  CLI run ${i + 1}/${total}${i === 0 ? ' (warm-up)' : ''}: ${(wallMs / 1000).toFixed(2)} s, peak ${run.peakRssMB.toFixed(0)} MB, exit ${child.status}`);
    if (i > 0) runs.push(run);
  }
  const megabytes = manifest.workspace.bytes / 1024 / 1024;
  const wallMsMedian = stats(runs.map((r) => r.wallMs)).medianMs;

  // How big the report is: one more run, into `wc -c` (not timed: a pipe is slower than /dev/null).
  let reportBytes: number | undefined;
  if (!QUICK) {
    const counted = spawnSync('sh', ['-c', `"${process.execPath}" dist/cli.js check ${path.relative(ROOT, WORKSPACE_DIR)} --format json 2>/dev/null | wc -c`], { cwd: ROOT, encoding: 'utf8' });
    reportBytes = Number(counted.stdout.trim()) || undefined;
    if (reportBytes) log(`  JSON report: ${(reportBytes / 1024 / 1024).toFixed(0)} MB`);
  }

  // The core's share: the same analysis and range conversion, with no report.
  const coreArgs = ['--import', 'tsx', path.join(BENCH_DIR, 'workspace-analysis.ts'), CORE_BUNDLE, WORKSPACE_DIR];
  const coreRuns: CoreOnlyRun[] = [];
  for (let i = 0; i < (QUICK ? 1 : 3); i++) {
    const child = spawnSync(pinned ? 'taskset' : process.execPath, pinned ? ['-c', '0', process.execPath, ...coreArgs] : coreArgs, { cwd: ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench/workspace-analysis.ts failed: ${child.stderr}`);
    const run = JSON.parse(child.stdout) as CoreOnlyRun;
    log(`  core only (analysis + ranges, no report): ${(run.wallMs / 1000).toFixed(2)} s, peak ${run.peakRssMB.toFixed(0)} MB`);
    coreRuns.push(run);
  }
  const coreMedian = stats(coreRuns.map((r) => r.wallMs)).medianMs;
  return {
    command, oneCore: pinned, templates: manifest.workspace.templates, megabytes, runs, wallMsMedian,
    mbPerSecond: megabytes / (wallMsMedian / 1000),
    peakRssMBMax: Math.max(...runs.map((r) => r.peakRssMB)),
    exitCode: runs[runs.length - 1]?.exitCode ?? null,
    stderrFirstLine,
    reportBytes,
    coreOnly: {
      command: `${pinned ? 'taskset -c 0 ' : ''}node --import tsx bench/workspace-analysis.ts ${path.relative(ROOT, CORE_BUNDLE)} ${path.relative(ROOT, WORKSPACE_DIR)}`,
      runs: coreRuns, wallMsMedian: coreMedian, mbPerSecond: megabytes / (coreMedian / 1000),
      peakRssMBMax: Math.max(...coreRuns.map((r) => r.peakRssMB)),
    },
  };
}

// ---- LSP latency over stdio ------------------------------------------------------------------------
//
// didChange -> publishDiagnostics, completion and hover on the 100 KB Liquid template, p50 and p95,
// against `node dist/server.js --stdio` (or the file named by MERGEWISE_BENCH_SERVER), spoken to
// over its stdio by vscode-languageserver-protocol, as an editor would.

/** Time at 1 MB divided by time at 100 KB; linear is about 10. */
interface Growth {
  byMean: number;
  byMedian: number;
}

interface Publication {
  uri: string;
  version?: number;
  at: number;
}

type DiagnosticsAfter = (since: number, version: number, forUri?: string, ms?: number) => Promise<number>;

interface LspResult {
  server: string;
  template: string;
  bytes: number;
  openToDiagnosticsMs?: number;
  didChangeToDiagnostics?: Stats;
  completion?: Stats & { items: number };
  hover?: Stats & { found: boolean };
  /** The server's own work per change, timed in this process: analysis, conversion to LSP, serialization. */
  serverWorkPerChange?: Stats;
  burst?: BurstResult;
  notes: string[];
}

/** 10,000 edits sent at once, then a hover, with another process keeping one core busy (see measureBurst). */
interface BurstResult {
  edits: number;
  rounds: { burstMs: number; applyMs: number; ratio: number; publications: number }[];
  medianRatio: number;
  maxRatio: number;
}

/**
 * What the server does for one didChange, without the transport: the same Project and conversion as
 * dist/server.js, on the same template, alternating two versions so that nothing is cached.
 */
async function measureServerWork(file: string, text: string, runs: number): Promise<Stats> {
  const { TextDocument } = await import('vscode-languageserver-textdocument');
  const { Project } = await import('../server/src/lsp/project');
  const { pathToUri, toLspDiagnostic } = await import('../server/src/lsp/convert');
  const { nodeFileSystem } = await import('../server/src/node-fs');
  let document = TextDocument.create(pathToUri(file), 'liquid', 1, text);
  const project = new Project(nodeFileSystem, () => [document], () => new Date());
  const times: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    document = TextDocument.create(document.uri, 'liquid', i + 2, i % 2 === 0 ? `${text}x` : text);
    const started = performance.now();
    const state = project.stateOf(document);
    const diagnostics = state.kind === 'template' ? state.result.analysis.diagnostics.map((d) => toLspDiagnostic(d, state.lines)) : [];
    JSON.stringify({ uri: document.uri, version: document.version, diagnostics });
    if (i >= 5) times.push(performance.now() - started);
  }
  return stats(times);
}

interface ProgressEvent {
  kind: string;
  percentage?: number;
  message?: string;
  at: number;
}

/** A language server spoken to over its stdio, as an editor would, and what it has published. */
interface ServerSession {
  connection: lsp.ProtocolConnection;
  /** Every publishDiagnostics received, in order. */
  published: Publication[];
  /** The initialize result's change kind: how to send edits. */
  changeKind: lsp.TextDocumentSyncKind;
  /** Resolves when the server ends its "indexing templates" progress (only when started with `progress`). */
  indexed: Promise<void>;
  /** Every `$/progress` value received, in order, with when it arrived. */
  progress: ProgressEvent[];
  /** When `initialized` was sent (performance.now()). */
  initializedAt: number;
  /** The server's process id, to read its memory. */
  pid: number | undefined;
  /** Resolves when `test` holds for a publication received so far or later. */
  waitForPublication(test: (p: Publication) => boolean, ms: number, what: string): Promise<Publication>;
  timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts `node dist/server.js --stdio` (or MERGEWISE_BENCH_SERVER) on a workspace folder and
 * initializes it, answering what a server may ask of its client with defaults. With `progress`, the
 * client advertises workDoneProgress, so that `indexed` can tell when the workspace is indexed.
 */
async function startServer(server: string, workspace: string, progress = false): Promise<ServerSession> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [server, '--stdio'], { cwd: workspace, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const connection = lsp.createProtocolConnection(new lsp.StreamMessageReader(child.stdout), new lsp.StreamMessageWriter(child.stdin));
  // Answer what a server may ask of its client with defaults (this client advertises none of them, progress aside).
  connection.onRequest(lsp.ConfigurationRequest.type, (params) => params.items.map(() => null));
  for (const method of ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create',
    'workspace/inlayHint/refresh', 'workspace/diagnostic/refresh', 'workspace/codeLens/refresh', 'window/showMessageRequest']) {
    connection.onRequest(method, () => null);
  }
  let indexingDone: () => void = () => undefined;
  const indexed = new Promise<void>((resolve) => { indexingDone = resolve; });
  const progressEvents: ProgressEvent[] = [];
  connection.onNotification('$/progress', (params: { value?: { kind?: string; percentage?: number; message?: string } }) => {
    if (params.value?.kind) progressEvents.push({ kind: params.value.kind, percentage: params.value.percentage, message: params.value.message, at: performance.now() });
    if (params.value?.kind === 'end') indexingDone();
  });
  const published: Publication[] = [];
  const waiters = new Set<() => void>();
  connection.onNotification(lsp.PublishDiagnosticsNotification.type, (params) => {
    published.push({ uri: params.uri, version: params.version, at: performance.now() });
    for (const check of [...waiters]) check();
  });
  connection.listen();
  const timeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms${stderr ? ` (server stderr: ${stderr.trim().slice(0, 300)})` : ''}`)), ms))]);
  const waitForPublication = (test: (p: Publication) => boolean, ms: number, what: string) => {
    let check: () => void = () => undefined;
    return timeout(new Promise<Publication>((resolve) => {
      check = () => {
        const hit = published.find(test);
        if (hit) { waiters.delete(check); resolve(hit); }
      };
      waiters.add(check);
      check();
    }), ms, what).finally(() => waiters.delete(check));
  };
  const close = async () => {
    try {
      await timeout(connection.sendRequest(lsp.ShutdownRequest.type), 5_000, 'shutdown');
      await connection.sendNotification(lsp.ExitNotification.type);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    }
  };
  try {
    const init = await timeout(connection.sendRequest(lsp.InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).href,
      workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'bench' }],
      capabilities: {
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          synchronization: { didSave: false, dynamicRegistration: false },
        },
        // As VS Code does: the server then learns of changed files from the client, instead of asking the disk.
        workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
        ...(progress ? { window: { workDoneProgress: true } } : {}),
      },
    }), 10_000, 'initialize');
    const initializedAt = performance.now();
    await connection.sendNotification(lsp.InitializedNotification.type, {});
    const sync = init.capabilities.textDocumentSync;
    const changeKind = typeof sync === 'number' ? sync : sync?.change ?? lsp.TextDocumentSyncKind.Full;
    return { connection, published, changeKind, indexed, progress: progressEvents, initializedAt, pid: child.pid, waitForPublication, timeout, close };
  } catch (error) {
    connection.dispose();
    child.kill();
    throw error;
  }
}

async function measureLspLatency(log: (line: string) => void): Promise<LspResult | { skipped: string }> {
  const server = process.env.MERGEWISE_BENCH_SERVER ?? path.join(ROOT, 'dist', 'server.js');
  if (!existsSync(server)) return { skipped: `${path.relative(ROOT, server)} does not exist (the language server is not built yet)` };
  const file = path.join(LSP_WORKSPACE_DIR, LSP_TEMPLATE);
  const uri = pathToFileURL(file).href;
  let text = readFileSync(file, 'utf8');
  const session = await startServer(server, LSP_WORKSPACE_DIR);
  const { connection, published, changeKind, timeout } = session;
  const result: LspResult = { server: path.relative(ROOT, server), template: path.relative(ROOT, file), bytes: Buffer.byteLength(text), notes: [] };
  /** The next publication for a document after `since` (for `version`, when the server sends versions). */
  const diagnosticsAfter: DiagnosticsAfter = async (since, version, forUri = uri, ms = 10_000) => (await session.waitForPublication(
    (p) => p.uri === forUri && p.at >= since && (p.version === undefined || p.version >= version), ms, `publishDiagnostics for version ${version}`)).at;

  try {
    let version = 1;
    const opened = performance.now();
    await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'liquid', version, text } });
    result.openToDiagnosticsMs = (await diagnosticsAfter(opened, version)) - opened;
    log(`  LSP didOpen -> diagnostics: ${formatMs(result.openToDiagnosticsMs)}`);

    // Typing in the middle of the copy: one character in, then out again, so the text stays the same size.
    const typeAt = text.indexOf('<p style=', text.length >> 1);
    const insertAt = text.indexOf('>', typeAt) + 1;
    // The first edits after opening run code V8 has not optimized yet; an author typing is past them
    // within a second, so they are made but not timed, as the analysis contenders are warmed up.
    const warmUpEdits = 10;
    const edits = QUICK ? 20 : 100;
    const changeTimes: number[] = [];
    for (let i = 0; i < warmUpEdits + edits; i++) {
      const inserting = i % 2 === 0;
      const position = positionAt(text, insertAt);
      const range = inserting
        ? { start: position, end: position }
        : { start: position, end: positionAt(text, insertAt + 1) };
      text = inserting ? `${text.slice(0, insertAt)}x${text.slice(insertAt)}` : `${text.slice(0, insertAt)}${text.slice(insertAt + 1)}`;
      version++;
      const sent = performance.now();
      await connection.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: changeKind === lsp.TextDocumentSyncKind.Incremental ? [{ range, text: inserting ? 'x' : '' }] : [{ text }],
      });
      const latency = (await diagnosticsAfter(sent, version)) - sent;
      if (i >= warmUpEdits) changeTimes.push(latency);
    }
    result.didChangeToDiagnostics = stats(changeTimes);
    result.serverWorkPerChange = await measureServerWork(file, text, edits * 2);
    log(`  server work per change (in process): p50 ${formatMs(result.serverWorkPerChange.medianMs)}, p95 ${formatMs(result.serverWorkPerChange.p95Ms)}`);
    log(`  LSP didChange -> diagnostics: p50 ${formatMs(result.didChangeToDiagnostics.medianMs)}, p95 ${formatMs(result.didChangeToDiagnostics.p95Ms)}`);

    // Completion of a field name after `customer.`, and hover over a field, in the same document.
    const reference = /\{\{-? customer\.([a-z_]+)/g;
    reference.lastIndex = text.length >> 1;
    const match = reference.exec(text) ?? (reference.lastIndex = 0, reference.exec(text));
    if (!match) throw new Error(`no {{ customer.… }} output in ${LSP_TEMPLATE} to complete or hover`);
    const fieldStart = match.index + match[0].length - match[1].length;
    const completionAt = positionAt(text, fieldStart);
    const hoverAt = positionAt(text, fieldStart + (match[1].length >> 1));
    result.notes.push(`completion after \`${match[0].slice(0, -match[1].length)}\` and hover on \`customer.${match[1]}\`, line ${completionAt.line + 1}`);
    const requests = QUICK ? 20 : 100;
    const completionTimes: number[] = [];
    let items = 0;
    const hoverTimes: number[] = [];
    let found = false;
    for (let i = 0; i < requests; i++) {
      let start = performance.now();
      const completion = await timeout(connection.sendRequest(lsp.CompletionRequest.type, { textDocument: { uri }, position: completionAt }), 10_000, 'completion');
      completionTimes.push(performance.now() - start);
      items = Array.isArray(completion) ? completion.length : completion?.items.length ?? 0;
      start = performance.now();
      const hover = await timeout(connection.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: hoverAt }), 10_000, 'hover');
      hoverTimes.push(performance.now() - start);
      found = hover !== null;
    }
    result.completion = { ...stats(completionTimes), items };
    result.hover = { ...stats(hoverTimes), found };
    log(`  LSP completion: p50 ${formatMs(result.completion.medianMs)}, p95 ${formatMs(result.completion.p95Ms)} (${items} items)`);
    log(`  LSP hover: p50 ${formatMs(result.hover.medianMs)}, p95 ${formatMs(result.hover.p95Ms)}${found ? '' : ' (no hover returned)'}`);
    if (items === 0) result.notes.push('completion returned no items at the position tried');
    result.notes.push('didChange -> diagnostics is measured here, in the client: it includes sending ~360 KB of diagnostics over stdio and parsing them; the server analyses as soon as it has handled every message it has read');

    result.burst = await measureBurst(connection, text, diagnosticsAfter, published, log);
  } finally {
    await session.close();
  }
  return result;
}

/**
 * A burst: 10,000 incremental edits to the 100 KB template sent at once, then a hover on a field of
 * the final text, timed from the first edit sent to the hover's answer, while another process keeps
 * one core busy. The baseline, under the same load: this process applying the same edits to its own
 * copy of the text with vscode-languageserver-textdocument, as an editor does. Three rounds, each on
 * a document of its own.
 */
async function measureBurst(connection: lsp.ProtocolConnection, text: string, diagnosticsAfter: DiagnosticsAfter, published: Publication[],
  log: (line: string) => void): Promise<BurstResult> {
  const { applyMs, editBurst } = await import('../test/helpers/edits');
  const { analyzeDocument, SchemaIndex } = await import('../server/src/core/workspace');
  const { nodeFileSystem } = await import('../server/src/node-fs');
  /** The first use of a declared field in the text, as the server will see it, to hover. */
  const declaredFieldUse = (file: string, finalText: string) => {
    const { scan: { uses }, resolutions } = analyzeDocument(new SchemaIndex(nodeFileSystem), file, finalText).analysis;
    const use = uses.find((_, i) => resolutions[i]?.kind === 'field');
    if (!use) throw new Error('no declared field left after the burst to hover');
    return use;
  };
  const edits = 10_000;
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const rounds: BurstResult['rounds'] = [];
  try {
    for (let round = 1; round <= 3; round++) {
      const uri = pathToFileURL(path.join(LSP_WORKSPACE_DIR, `emails/newsletters/burst-${round}.liquid`)).href;
      const opened = performance.now();
      await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'liquid', version: 1, text } });
      await diagnosticsAfter(opened, 1, uri);
      const { changes, finalText } = editBurst(text, edits, round);
      const field = declaredFieldUse(path.join(LSP_WORKSPACE_DIR, `emails/newsletters/burst-${round}.liquid`), finalText);
      const publishedBefore = published.filter((p) => p.uri === uri).length;
      const started = performance.now();
      for (const [i, change] of changes.entries()) {
        void connection.sendNotification(lsp.DidChangeTextDocumentNotification.type, { textDocument: { uri, version: i + 2 }, contentChanges: [change] });
      }
      const hover = await connection.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: positionAt(finalText, field.span.start + 1) });
      const burstMs = performance.now() - started;
      if (!hover) throw new Error(`no hover on ${field.written} after the burst`);
      await diagnosticsAfter(started, edits + 1, uri, 120_000);
      const publications = published.filter((p) => p.uri === uri).length - publishedBefore;
      const baselineMs = applyMs(text, changes);
      rounds.push({ burstMs, applyMs: baselineMs, ratio: burstMs / baselineMs, publications });
      log(`  burst of ${edits} edits, round ${round}: hover answered ${formatMs(burstMs)} after the first edit; applying them here ${formatMs(baselineMs)} (${formatRatio(burstMs / baselineMs)}x); ${publications} publications`);
      await connection.sendNotification(lsp.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    }
  } finally {
    hog.kill();
  }
  const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
  return { edits, rounds, medianRatio: ratios[1], maxRatio: ratios[2] };
}

// ---- The language server on a large workspace (issue 19 item 6) ---------------------------------
//
// The 10,000-template workspace (bench/generate.ts, generateLargeWorkspace): the server started from
// dist/server.js over stdio as an editor starts it (advertising workDoneProgress), a template opened
// right after `initialized`; then its first diagnostics, the index's progress, hovers answered while
// it indexes, a references request across the workspace once it is done, and the server's peak RSS.

interface LargeWorkspaceResult {
  server: string;
  workspace: string;
  templates: number;
  megabytes: number;
  opened: string;
  /** From sending `initialized` to the opened template's first publishDiagnostics. */
  initializedToDiagnosticsMs: number;
  /** Whether those diagnostics came before the index's progress ended. */
  diagnosticsBeforeIndexEnd: boolean;
  /** The index's progress as received: each value, timed from `initialized`. */
  progress: { begins: number; reports: number; ends: number; percentages: number[]; rising: boolean; firstMessage?: string; lastMessage?: string };
  /** From `initialized` to the end of the index's progress. */
  indexMs: number;
  /** Hovers on the opened template sent one after another while the index runs. */
  hoverWhileIndexing?: Stats;
  /** References to a field across the indexed workspace, once the index is done: files found, and the time. */
  references?: { files: number; ms: number };
  /** The server process's peak resident memory (VmHWM), read after all of the above. */
  peakRssMB: number;
  /** Its resident memory then (VmRSS). */
  rssMB: number;
  notes: string[];
}

/** A process's peak and current resident memory from /proc, in MB; undefined where /proc is not. */
function processMemory(pid: number | undefined): { peakMB: number; currentMB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { peakMB: kb('VmHWM') / 1024, currentMB: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

async function measureLargeWorkspace(log: (line: string) => void): Promise<LargeWorkspaceResult | { skipped: string }> {
  const server = process.env.MERGEWISE_BENCH_SERVER ?? path.join(ROOT, 'dist', 'server.js');
  if (!existsSync(server)) return { skipped: `${path.relative(ROOT, server)} does not exist (the language server is not built yet)` };
  const manifest = generateLargeWorkspace(log);
  const file = path.join(LARGE_WORKSPACE_DIR, manifest.opened);
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  const session = await startServer(server, LARGE_WORKSPACE_DIR, true);
  const { connection, initializedAt, timeout } = session;
  const notes: string[] = [];
  try {
    await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'liquid', version: 1, text } });
    let indexEnded = false;
    void session.indexed.then(() => { indexEnded = true; });
    const first = await session.waitForPublication((p) => p.uri === uri, 120_000, `diagnostics for ${manifest.opened}`);
    const initializedToDiagnosticsMs = first.at - initializedAt;
    const diagnosticsBeforeIndexEnd = !indexEnded;
    log(`  ${manifest.templates.toLocaleString('en')} templates: initialized -> diagnostics of ${manifest.opened}: ${formatMs(initializedToDiagnosticsMs)}${diagnosticsBeforeIndexEnd ? ', before the index ended' : ', after the index ended'}`);

    // Hovers while the index runs: how long a request waits behind it.
    const field = /\{\{-? customer\.([a-z_]+)/.exec(text);
    if (!field) throw new Error(`no {{ customer.… }} output in ${manifest.opened} to hover`);
    const hoverAt = positionAt(text, field.index + field[0].length - 2);
    const hoverTimes: number[] = [];
    while (!indexEnded) {
      const sent = performance.now();
      await timeout(connection.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: hoverAt }), 60_000, 'hover while indexing');
      if (!indexEnded) hoverTimes.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await timeout(session.indexed, 600_000, 'indexing the workspace');
    const end = session.progress.find((p) => p.kind === 'end');
    const indexMs = (end?.at ?? performance.now()) - initializedAt;
    const percentages = session.progress.filter((p) => typeof p.percentage === 'number').map((p) => p.percentage!);
    const progress = {
      begins: session.progress.filter((p) => p.kind === 'begin').length,
      reports: session.progress.filter((p) => p.kind === 'report').length,
      ends: session.progress.filter((p) => p.kind === 'end').length,
      percentages,
      rising: percentages.every((p, i) => i === 0 || p >= percentages[i - 1]),
      firstMessage: session.progress.find((p) => p.message)?.message,
      lastMessage: session.progress.filter((p) => p.message).at(-1)?.message,
    };
    log(`  index: ended ${formatMs(indexMs)} after initialized; ${progress.begins} begin, ${progress.reports} reports (${percentages[0] ?? 'n/a'}% to ${percentages.at(-1) ?? 'n/a'}%${progress.rising ? ', rising' : ', NOT rising'}), ${progress.ends} end`);
    const hoverWhileIndexing = hoverTimes.length ? stats(hoverTimes) : undefined;
    if (hoverWhileIndexing) log(`  hover while indexing: p50 ${formatMs(hoverWhileIndexing.medianMs)}, p95 ${formatMs(hoverWhileIndexing.p95Ms)}, max ${formatMs(Math.max(...hoverTimes))} (${hoverTimes.length} hovers)`);

    const referencesSent = performance.now();
    const locations = await timeout(connection.sendRequest(lsp.ReferencesRequest.type, {
      textDocument: { uri }, position: hoverAt, context: { includeDeclaration: false },
    }), 600_000, 'references') ?? [];
    const references = { files: new Set(locations.map((l) => l.uri)).size, ms: performance.now() - referencesSent };
    log(`  references to customer.${field[1]} once indexed: ${references.files.toLocaleString('en')} files, ${formatMs(references.ms)}`);
    const memory = processMemory(session.pid);
    if (!memory) throw new Error('no /proc here to read the server\'s memory from');
    log(`  server memory: peak RSS ${memory.peakMB.toFixed(0)} MB, ${memory.currentMB.toFixed(0)} MB at the end`);
    notes.push(`${manifest.templates.toLocaleString('en')} templates, ${(manifest.bytes / 1024 / 1024).toFixed(0)} MB; ${manifest.opened} opened right after initialized`);
    notes.push('peak RSS is the server process\'s VmHWM (/proc/PID/status), read after the index and a references request across the workspace');
    return {
      server: path.relative(ROOT, server), workspace: path.relative(ROOT, LARGE_WORKSPACE_DIR), templates: manifest.templates, megabytes: manifest.bytes / 1024 / 1024,
      opened: manifest.opened, initializedToDiagnosticsMs, diagnosticsBeforeIndexEnd, progress, indexMs, hoverWhileIndexing, references,
      peakRssMB: memory.peakMB, rssMB: memory.currentMB, notes,
    };
  } finally {
    await session.close();
  }
}

/** Issue 19 item 6's three targets. */
function largeWorkspaceTargets(result: LargeWorkspaceResult | { skipped: string }): Target[] {
  const what = (thing: string) => `language server, 10,000 templates: ${thing}`;
  if ('skipped' in result) {
    return [
      { what: what('first diagnostics of a file opened at start'), target: 'within 300 ms of initialized', measured: `not measured: ${result.skipped}`, status: 'n/a' },
      { what: what('workspace index'), target: 'completes, with progress', measured: `not measured: ${result.skipped}`, status: 'n/a' },
      { what: what('memory'), target: 'under 500 MB', measured: `not measured: ${result.skipped}`, status: 'n/a' },
    ];
  }
  const { progress } = result;
  const withProgress = progress.begins === 1 && progress.ends === 1 && progress.reports > 0 && progress.rising && progress.percentages.at(-1) === 100;
  return [
    {
      what: what('first diagnostics of a file opened at start'), target: 'within 300 ms of initialized',
      measured: `${formatMs(result.initializedToDiagnosticsMs)}${result.diagnosticsBeforeIndexEnd ? ', before the index ended' : ', after the index ended'}`,
      status: result.initializedToDiagnosticsMs <= 300 ? 'pass' : 'fail',
    },
    {
      what: what('workspace index'), target: 'completes, with progress',
      measured: `in ${(result.indexMs / 1000).toFixed(1)} s; begin, ${progress.reports} reports from ${progress.percentages[0] ?? 'n/a'}% to ${progress.percentages.at(-1) ?? 'n/a'}%${progress.rising ? '' : ' (not rising)'}, end` +
        (result.hoverWhileIndexing ? `; hovers meanwhile p95 ${formatMs(result.hoverWhileIndexing.p95Ms)}` : ''),
      status: withProgress ? 'pass' : 'fail',
    },
    { what: what('memory'), target: 'under 500 MB', measured: `peak RSS ${result.peakRssMB.toFixed(0)} MB`, status: result.peakRssMB < 500 ? 'pass' : 'fail' },
  ];
}

function largeWorkspaceLines(result: LargeWorkspaceResult | { skipped: string }): string[] {
  if ('skipped' in result) return [`Language server, large workspace: not measured (${result.skipped})`];
  const hover = result.hoverWhileIndexing;
  return [
    `Language server, ${result.templates.toLocaleString('en')} templates (${result.megabytes.toFixed(0)} MB): initialized->diagnostics ${formatMs(result.initializedToDiagnosticsMs)}; ` +
      `index done ${(result.indexMs / 1000).toFixed(1)} s after initialized (${result.progress.reports} progress reports)` +
      (hover ? `; hover while indexing p50 ${formatMs(hover.medianMs)}, p95 ${formatMs(hover.p95Ms)}` : '') +
      (result.references ? `; references ${result.references.files.toLocaleString('en')} files in ${formatMs(result.references.ms)}` : '') +
      `; peak RSS ${result.peakRssMB.toFixed(0)} MB`,
    ...result.notes.map((note) => `  note: ${note}`),
  ];
}


// ---- Checks across files: partials ----------------------------------------------------------------
//
// bench/partials.ts's two workspaces: 2,000 templates sharing 50 partials, and the same templates
// with each partial's body pasted in where it was included. The command line on each, in turns; then
// the language server while a partial that 200 open templates include is edited.

interface PartialsCliRun {
  wallMs: number;
  peakRssMB: number;
}

interface PartialsCliResult {
  command: string;
  oneCore: boolean;
  templates: number;
  partials: number;
  /** One pair per turn: the workspace with partials, then the one with them pasted inline. The first is a warm-up, not counted. */
  pairs: { partials: PartialsCliRun; inline: PartialsCliRun; ratio: number }[];
  /** Median over the counted pairs of (time with partials / time inline). */
  medianRatio: number;
  withPartials: { megabytes: number; wallMsMedian: number; peakRssMBMax: number; summary?: unknown; reportBytes?: number };
  inline: { megabytes: number; wallMsMedian: number; peakRssMBMax: number; summary?: unknown; reportBytes?: number };
}

function measurePartialsCli(manifest: PartialsManifest, log: (line: string) => void): PartialsCliResult {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does).');
  const usageFile = path.join(GENERATED_DIR, 'cli-usage.json');
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const argsFor = (dir: string) => ['--require', path.join(BENCH_DIR, 'peak-rss.cjs'), cli, 'check', path.relative(ROOT, dir), '--format', 'json'];
  const command = [...(pinned ? ['taskset', '-c', '0'] : []), 'node', 'dist/cli.js', 'check', '<workspace>', '--format', 'json'].join(' ') + ' > /dev/null';
  /** One run; the warm-up's report goes to a file, for its summary and size, the timed ones to /dev/null. */
  const run = (dir: string, reportFile?: string): PartialsCliRun => {
    rmSync(usageFile, { force: true });
    const out = openSync(reportFile ?? '/dev/null', 'w');
    const args = argsFor(dir);
    const start = performance.now();
    const child = spawnSync(pinned ? 'taskset' : process.execPath, pinned ? ['-c', '0', process.execPath, ...args] : args, {
      cwd: ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, MERGEWISE_BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - start;
    closeSync(out);
    // Exit code 1 means findings; anything else is a failure.
    if (child.status !== 0 && child.status !== 1) throw new Error(`mergewise check ${path.relative(ROOT, dir)} exited ${child.status}: ${child.stderr?.toString().slice(0, 300)}`);
    const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number } : undefined;
    return { wallMs, peakRssMB: usage ? usage.maxRssKiB / 1024 : NaN };
  };
  /** The report's summary (it ends the JSON) and size. */
  const readReport = (file: string) => {
    const bytes = statSync(file).size;
    const text = readFileSync(file, 'utf8');
    const summary = JSON.parse(text).summary as unknown;
    rmSync(file);
    return { summary, reportBytes: bytes };
  };
  const pairs: PartialsCliResult['pairs'] = [];
  const total = QUICK ? 3 : 6;
  const reports = { partials: path.join(GENERATED_DIR, 'partials-report.json'), inline: path.join(GENERATED_DIR, 'inline-report.json') };
  let partialsReport: ReturnType<typeof readReport> | undefined;
  let inlineReport: ReturnType<typeof readReport> | undefined;
  for (let i = 0; i < total; i++) {
    const warmUp = i === 0;
    const partials = run(WITH_PARTIALS_DIR, warmUp ? reports.partials : undefined);
    const inline = run(INLINE_DIR, warmUp ? reports.inline : undefined);
    const ratio = partials.wallMs / inline.wallMs;
    log(`  pair ${i + 1}/${total}${warmUp ? ' (warm-up)' : ''}: with partials ${(partials.wallMs / 1000).toFixed(2)} s, inline ${(inline.wallMs / 1000).toFixed(2)} s, ratio ${ratio.toFixed(2)}`);
    if (warmUp) {
      partialsReport = readReport(reports.partials);
      inlineReport = readReport(reports.inline);
    } else {
      pairs.push({ partials, inline, ratio });
    }
  }
  const side = (key: 'partials' | 'inline', bytes: number, report?: ReturnType<typeof readReport>) => ({
    megabytes: bytes / 1024 / 1024,
    wallMsMedian: stats(pairs.map((p) => p[key].wallMs)).medianMs,
    peakRssMBMax: Math.max(...pairs.map((p) => p[key].peakRssMB)),
    ...report,
  });
  return {
    command, oneCore: pinned, templates: manifest.templates, partials: manifest.partials, pairs,
    medianRatio: stats(pairs.map((p) => p.ratio)).medianMs,
    withPartials: side('partials', manifest.withPartials.bytes, partialsReport),
    inline: side('inline', manifest.inline.bytes, inlineReport),
  };
}

interface PartialEditResult {
  server: string;
  workspace: string;
  partial: string;
  /** Templates open besides the partial, each rendering it. */
  openTemplates: number;
  /** didOpen of all of them to the last one's diagnostics. */
  openAllMs: number;
  /** didChange of the partial to its own publishDiagnostics, seen by the client. */
  didChangeToDiagnostics: Stats;
  /** didChange of the partial to the last of the open templates' publications (informational). */
  allTemplatesRepublished: Stats;
  notes: string[];
}

/**
 * Opens the greeting partial and 200 templates that render it, in the workspace with partials (all
 * 2,000 templates indexed first), then edits the partial, alternating two versions of one line. Each
 * edit waits for the partial's diagnostics (the timed latency) and then for every open template's
 * diagnostics to be published again, so that each edit starts from a quiet server.
 */
async function measurePartialEdits(manifest: PartialsManifest, log: (line: string) => void): Promise<PartialEditResult | { skipped: string }> {
  const server = process.env.MERGEWISE_BENCH_SERVER ?? path.join(ROOT, 'dist', 'server.js');
  if (!existsSync(server)) return { skipped: `${path.relative(ROOT, server)} does not exist (the language server is not built yet)` };
  const openCount = 200;
  const partialFile = path.join(WITH_PARTIALS_DIR, GREETING_PARTIAL);
  const partialUri = pathToFileURL(partialFile).href;
  const templates = manifest.greetingIncluders.slice(0, openCount).map((file) => pathToFileURL(path.join(WITH_PARTIALS_DIR, file)).href);
  const session = await startServer(server, WITH_PARTIALS_DIR, true);
  const { connection, changeKind, timeout } = session;
  try {
    const indexStart = performance.now();
    await timeout(session.indexed, 120_000, 'indexing the workspace');
    log(`  partials workspace indexed by the server in ${formatMs(performance.now() - indexStart)}`);
    const allPublishedAfter = (uris: string[], since: number, ms: number) =>
      Promise.all(uris.map((uri) => session.waitForPublication((p) => p.uri === uri && p.at >= since, ms, `diagnostics of ${uri}`))).then((hits) => Math.max(...hits.map((h) => h.at)));

    let text = readFileSync(partialFile, 'utf8');
    const opened = performance.now();
    await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri: partialUri, languageId: 'liquid', version: 1, text } });
    for (const uri of templates) {
      await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'liquid', version: 1, text: readFileSync(fileURLToPath(uri), 'utf8') } });
    }
    const openAllMs = (await allPublishedAfter([partialUri, ...templates], opened, 120_000)) - opened;
    log(`  opened ${GREETING_PARTIAL} and ${templates.length} templates that render it: all diagnostics in ${formatMs(openAllMs)}`);

    // Two versions of the greeting's line, in turn: "Hi {{ name }}," and "Hello {{ name }},".
    const at = text.indexOf('>Hi {{') + 1;
    if (at === 0) throw new Error(`no "Hi {{" in ${GREETING_PARTIAL}`);
    const warmUpEdits = 10;
    const edits = QUICK ? 20 : 60;
    const partialTimes: number[] = [];
    const allTimes: number[] = [];
    let version = 1;
    for (let i = 0; i < warmUpEdits + edits; i++) {
      const [from, to] = text.startsWith('Hi ', at) ? ['Hi', 'Hello'] : ['Hello', 'Hi'];
      const range = { start: positionAt(text, at), end: positionAt(text, at + from.length) };
      text = text.slice(0, at) + to + text.slice(at + from.length);
      version++;
      const sent = performance.now();
      await connection.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
        textDocument: { uri: partialUri, version },
        contentChanges: changeKind === lsp.TextDocumentSyncKind.Incremental ? [{ range, text: to }] : [{ text }],
      });
      const own = await session.waitForPublication((p) => p.uri === partialUri && p.at >= sent && (p.version === undefined || p.version >= version), 30_000, `diagnostics of ${GREETING_PARTIAL}, version ${version}`);
      const all = await allPublishedAfter(templates, sent, 60_000);
      if (i >= warmUpEdits) {
        partialTimes.push(own.at - sent);
        allTimes.push(all - sent);
      }
    }
    const result: PartialEditResult = {
      server: path.relative(ROOT, server), workspace: path.relative(ROOT, WITH_PARTIALS_DIR), partial: GREETING_PARTIAL,
      openTemplates: templates.length, openAllMs,
      didChangeToDiagnostics: stats(partialTimes), allTemplatesRepublished: stats(allTimes),
      notes: [
        `${edits} edits timed after ${warmUpEdits} untimed; each waits until all ${templates.length} open templates are published again, so every edit starts from a quiet server`,
        `the server knows all ${manifest.templates} templates of the workspace (indexed before the edits), each of which renders the partial`,
      ],
    };
    log(`  didChange of ${GREETING_PARTIAL} -> its diagnostics: p50 ${formatMs(result.didChangeToDiagnostics.medianMs)}, p95 ${formatMs(result.didChangeToDiagnostics.p95Ms)}`);
    log(`  didChange -> all ${templates.length} open templates republished: p50 ${formatMs(result.allTemplatesRepublished.medianMs)}, p95 ${formatMs(result.allTemplatesRepublished.p95Ms)}`);
    return result;
  } finally {
    await session.close();
  }
}

interface PartialsResult {
  inputs: Omit<PartialsManifest, 'greetingIncluders'>;
  cli: PartialsCliResult | { skipped: string };
  lsp: PartialEditResult | { skipped: string };
}

/** The checks across files: bench/partials.ts's workspaces (generated when missing), the command line, then the language server. */
async function measurePartials(log: (line: string) => void): Promise<PartialsResult> {
  const manifest = currentPartialsManifest() ?? generatePartialWorkspaces(log);
  const { greetingIncluders: _, ...inputs } = manifest;
  let cli: PartialsResult['cli'];
  if (SKIP_CLI) cli = { skipped: '--no-cli' };
  else {
    log(`\nPartials: mergewise check on ${manifest.templates} templates sharing ${manifest.partials} partials, and on the same with the partials pasted inline, in turns:`);
    cli = measurePartialsCli(manifest, log);
  }
  let lspResult: PartialsResult['lsp'];
  if (SKIP_LSP) lspResult = { skipped: '--no-lsp' };
  else {
    log('\nPartials: the language server while a partial that 200 open templates render is edited:');
    try {
      lspResult = await measurePartialEdits(manifest, log);
    } catch (error) {
      lspResult = { skipped: `failed: ${(error as Error).message}` };
    }
    if ('skipped' in lspResult) log(`  skipped: ${lspResult.skipped}`);
  }
  return { inputs, cli, lsp: lspResult };
}

function partialsTargets(partials: PartialsResult | { skipped: string }): Target[] {
  const targets: Target[] = [];
  const cli = 'cli' in partials ? partials.cli : partials;
  const what = 'mergewise check, 2,000 templates sharing 50 partials vs the same pasted inline';
  targets.push('pairs' in cli
    ? {
      what, target: 'within 1.5x',
      measured: `${cli.medianRatio.toFixed(2)}x by median of ${cli.pairs.length} pairs (${(cli.withPartials.wallMsMedian / 1000).toFixed(2)} s vs ${(cli.inline.wallMsMedian / 1000).toFixed(2)} s${cli.oneCore ? ', taskset -c 0' : ', not pinned'})`,
      status: cli.medianRatio <= 1.5 ? 'pass' : 'fail',
    }
    : { what, target: 'within 1.5x', measured: `not measured: ${cli.skipped}`, status: 'n/a' });
  const lspResult = 'lsp' in partials ? partials.lsp : partials;
  const edit = 'didChange to the partial\'s diagnostics, a partial 200 open templates render';
  targets.push('didChangeToDiagnostics' in lspResult
    ? {
      what: edit, target: 'p95 under 50 ms',
      measured: `p95 ${formatMs(lspResult.didChangeToDiagnostics.p95Ms)}, p50 ${formatMs(lspResult.didChangeToDiagnostics.medianMs)}; all ${lspResult.openTemplates} templates republished after p50 ${formatMs(lspResult.allTemplatesRepublished.medianMs)}`,
      status: lspResult.didChangeToDiagnostics.p95Ms < 50 ? 'pass' : 'fail',
    }
    : { what: edit, target: 'p95 under 50 ms', measured: `not measured: ${lspResult.skipped}`, status: 'n/a' });
  return targets;
}

function partialsLines(partials: PartialsResult | { skipped: string }): string[] {
  if ('skipped' in partials) return [`Partials: skipped (${partials.skipped})`];
  const out: string[] = [];
  const { cli, lsp: lspResult } = partials;
  if ('pairs' in cli) {
    out.push(`Partials, command line: ${cli.command}`);
    for (const [name, side] of [['with partials', cli.withPartials], ['pasted inline', cli.inline]] as const) {
      out.push(`  ${name.padEnd(14)} ${side.megabytes.toFixed(1)} MB: ${(side.wallMsMedian / 1000).toFixed(2)} s wall (median of ${cli.pairs.length}), peak RSS ${side.peakRssMBMax.toFixed(0)} MB` +
        (side.reportBytes ? `, JSON report ${(side.reportBytes / 1024 / 1024).toFixed(0)} MB` : ''));
    }
    out.push(`  with partials / inline: ${cli.medianRatio.toFixed(2)}x by median of the pairs' ratios (${cli.pairs.map((p) => p.ratio.toFixed(2)).join(', ')})`);
  } else {
    out.push(`Partials, command line: skipped (${cli.skipped})`);
  }
  if ('didChangeToDiagnostics' in lspResult) {
    out.push(`Partials, language server (${lspResult.partial}, ${lspResult.openTemplates} open templates render it): didChange->its diagnostics p50 ${formatMs(lspResult.didChangeToDiagnostics.medianMs)}, p95 ${formatMs(lspResult.didChangeToDiagnostics.p95Ms)}; ` +
      `all templates republished p50 ${formatMs(lspResult.allTemplatesRepublished.medianMs)}, p95 ${formatMs(lspResult.allTemplatesRepublished.p95Ms)}`);
    for (const note of lspResult.notes) out.push(`  note: ${note}`);
  } else {
    out.push(`Partials, language server: not measured (${lspResult.skipped})`);
  }
  return out;
}



function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** What a reader of the Handlebars rows should know about the dialect being measured. */
function handlebarsNotes(): string[] {
  const scanner = readIfExists(path.join(ROOT, 'server', 'src', 'core', 'dialects', 'handlebars', 'scanner.ts')) ?? '';
  const limit = /const CONFIRM_LIMIT = ([\d_* ]+);/.exec(scanner);
  if (!limit || !scanner.includes('Handlebars.parse(')) return [];
  return [`The Handlebars dialect confirms templates it finds clean with Handlebars.parse up to CONFIRM_LIMIT = ${limit[1].trim()} characters (server/src/core/dialects/handlebars/scanner.ts): its 10 KB time includes one Handlebars.parse, its 100 KB and 1 MB times do not.`];
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

// ---- Report ----------------------------------------------------------------------------------------

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

interface Ratio {
  dialect: BenchDialect;
  size: string;
  against: string;
  /** baseline time / Mergewise time: above 1, Mergewise is faster. */
  speedup: number;
  text: string;
}

interface Target {
  what: string;
  target: string;
  measured: string;
  status: 'pass' | 'fail' | 'n/a';
}

function gitDescription(): { commit?: string; dirty?: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return {};
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim().length > 0 };
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** One part of the bench alone (`--partials-only`, `--audience-only`, `--lsp10k-only`), into bench/generated/results-partial.json. */
async function mainOnePart<T>(log: (line: string) => void, part: {
  option: string; key: string; measure: () => Promise<T>; lines: (result: T) => string[]; targets: (result: T) => Target[];
}): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  const measured = await part.measure();
  const targets = part.targets(measured);
  console.log(['', ...part.lines(measured), '', 'Targets:', ...targets.map((t) => `  [${t.status.toUpperCase().padEnd(4)}] ${t.what}: ${t.target}; measured ${t.measured}`)].join('\n'));
  const cpus = os.cpus();
  const results = {
    generatedBy: `npm run bench -- ${part.option} (bench/run.ts)`,
    date: new Date().toISOString(),
    quick: QUICK,
    machine: { cpu: cpus[0]?.model, cores: cpus.length, node: process.version, loadAverage: { before: loadBefore, after: os.loadavg()[0] } },
    code: gitDescription(),
    [part.key]: measured,
    targets,
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nWrote ${path.relative(process.cwd(), RESULTS_FILE)} in ${results.totalSeconds} s.`);
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  if (PARTIALS_ONLY) {
    return mainOnePart(log, { option: '--partials-only', key: 'partials', measure: () => measurePartials(log), lines: partialsLines, targets: partialsTargets });
  }
  if (AUDIENCE_ONLY) {
    log('\nAudience coverage: mergewise audience on Parquet and CSV, and the baseline on the CSV, in turns:');
    return mainOnePart(log, { option: '--audience-only', key: 'audience', measure: () => measureAudience({ quick: QUICK, log }), lines: audienceLines, targets: audienceTargets });
  }
  if (LSP10K_ONLY) {
    log('\nLanguage server on the 10,000-template workspace:');
    return mainOnePart(log, {
      option: '--lsp10k-only', key: 'largeWorkspace', measure: () => measureLargeWorkspace(log), lines: largeWorkspaceLines, targets: largeWorkspaceTargets,
    });
  }
  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  const manifest = currentManifest() ?? generateAll(log);
  const core = await loadCore();
  const schemaFile = path.join(GENERATED_DIR, 'mergewise.json');
  const loaded = core.loadSchema(readFileSync(schemaFile, 'utf8'), schemaFile, GENERATED_DIR);
  if (loaded.diagnostics.length) throw new Error(`The generated schema has problems: ${loaded.diagnostics[0].message}`);
  const schema = loaded.schema;
  const all = contenders(core, schema);

  const cpus = os.cpus();
  log(`Mergewise benchmark: ${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, ${os.platform()} ${os.release()}, Node ${process.version}`);
  log(`Schema: ${schema.fields.size} fields, ${schema.purposes.size} purposes. Templates: bench/generated/ (seed "${manifest.seed}").`);

  const measurements: Measurement[] = [];
  const analyses: Record<string, unknown> = {};
  // CPU time this process got per second of wall time while timing: about 1 (or a little more, with
  // the garbage collector's helper threads) on an idle machine; well below 1 when others took the CPU.
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const parseProblems: string[] = [];
  for (const dialect of ['liquid', 'handlebars'] as const) {
    const list = all.filter((c) => c.dialect === dialect);
    log(`\n${dialect === 'liquid' ? 'Liquid' : 'Handlebars'}:`);
    const files: { size: string; text: string }[] = [];
    for (const size of SIZES) {
      const entry = manifest.sizes.find((s) => s.dialect === dialect && s.label === size.label);
      if (!entry) throw new Error(`No generated ${dialect} template for ${size.label}.`);
      const text = readFileSync(path.join(GENERATED_DIR, sizeFileName(dialect, size.label)), 'utf8');
      parseProblems.push(...checkBaselinesParse(list, text, size.label));
      const dialectModule = core.getDialect(dialect);
      if (dialectModule) analyses[`${dialect} ${size.label}`] = analysisSummary(core, schema, dialectModule, text, dialect === 'liquid' ? 'liquid' : 'hbs');
      files.push({ size: size.label, text });
    }
    measurements.push(...measureDialect(list, files, log));
  }
  log('\nOther dialects, each on its example template repeated:');
  const otherDialects = measureExampleDialects(core, log);
  measurements.push(...otherDialects.measurements);
  const cpuUsed = process.cpuUsage(cpuStart);
  const cpuShare = (cpuUsed.user + cpuUsed.system) / 1000 / (performance.now() - wallStart);
  for (const problem of parseProblems) log(`WARNING: ${problem}`);

  const find = (contender: string, size: string) => measurements.find((m) => m.contender === contender && m.size === size);
  // Growth by mean time per file as well as by median: a cost that comes less than once per run (a
  // garbage collection every few analyses) drops out of the small file's median but lands in nearly
  // every large-file run, so the medians' ratio overstates growth; means share such costs fairly.
  const growth: Record<string, Growth> = {};
  for (const contender of all) {
    const small = find(contender.id, '100 KB');
    const large = find(contender.id, '1 MB');
    if (small && large) growth[contender.id] = { byMean: large.meanMs / small.meanMs, byMedian: large.medianMs / small.medianMs };
  }
  const ratios: Ratio[] = [];
  for (const dialect of ['liquid', 'handlebars'] as const) {
    for (const size of SIZES) {
      const ours = find(`mergewise-${dialect}`, size.label);
      if (!ours) continue;
      for (const baseline of all.filter((c) => c.dialect === dialect && c.baseline)) {
        const theirs = find(baseline.id, size.label);
        if (!theirs) continue;
        const speedup = theirs.medianMs / ours.medianMs;
        const name = baseline.label;
        const textRatio = baseline.baseline === 'floor'
          ? `Mergewise vs ${name}: ${formatRatio(1 / speedup)}x its time`
          : speedup >= 1 ? `Mergewise vs ${name}: ${formatRatio(speedup)}x faster` : `Mergewise vs ${name}: ${formatRatio(1 / speedup)}x slower`;
        ratios.push({ dialect, size: size.label, against: baseline.id, speedup, text: textRatio });
      }
    }
  }

  let cli: CliResult | { skipped: string };
  if (SKIP_CLI) cli = { skipped: '--no-cli' };
  else {
    log('\nCommand line:');
    cli = measureCli(manifest, log);
  }
  let lspResult: LspResult | { skipped: string };
  if (SKIP_LSP) lspResult = { skipped: '--no-lsp' };
  else {
    log('\nLanguage server:');
    try {
      lspResult = await measureLspLatency(log);
    } catch (error) {
      lspResult = { skipped: `failed: ${(error as Error).message}` };
    }
    if ('skipped' in lspResult) log(`  skipped: ${lspResult.skipped}`);
  }
  let largeWorkspace: LargeWorkspaceResult | { skipped: string };
  if (SKIP_LSP || SKIP_LSP10K) largeWorkspace = { skipped: SKIP_LSP ? '--no-lsp' : '--no-lsp10k' };
  else {
    log('\nLanguage server on the 10,000-template workspace:');
    try {
      largeWorkspace = await measureLargeWorkspace(log);
    } catch (error) {
      largeWorkspace = { skipped: `failed: ${(error as Error).message}` };
    }
    if ('skipped' in largeWorkspace) log(`  skipped: ${largeWorkspace.skipped}`);
  }
  const partials: PartialsResult | { skipped: string } = SKIP_PARTIALS ? { skipped: '--no-partials' } : await measurePartials(log);
  let audience: AudienceResult | { skipped: string };
  if (SKIP_AUDIENCE) audience = { skipped: '--no-audience' };
  else {
    log('\nAudience coverage: mergewise audience on Parquet and CSV, and the baseline on the CSV, in turns:');
    audience = await measureAudience({ quick: QUICK, log });
  }
  let init: InitBenchResult | { skipped: string };
  if (SKIP_INIT || SKIP_CLI) init = { skipped: SKIP_INIT ? '--no-init' : '--no-cli' };
  else {
    log('\nmergewise init --dry-run on the workspace, without and with its mergewise.json:');
    init = measureInit({ runs: QUICK ? 2 : 3, log });
  }
  let emails400: Emails400Result | { skipped: string };
  if (SKIP_EMAILS400 || SKIP_CLI) emails400 = { skipped: SKIP_EMAILS400 ? '--no-emails400' : '--no-cli' };
  else {
    log('\nmergewise check on 400 emails of 40 KB, each format in pairs with a process that only parses them with toLiquidHtmlAST:');
    emails400 = measureEmails400(QUICK ? 2 : 6, log);
  }
  let jobs: JobsResult | { skipped: string };
  if (SKIP_JOBS || SKIP_CLI) jobs = { skipped: SKIP_JOBS ? '--no-jobs' : '--no-cli' };
  else {
    log('\nmergewise check on the workspace, the default --jobs in pairs with --jobs 1, each pair beside two --jobs 1 processes side by side on a half of it each:');
    jobs = await measureJobs(QUICK ? 2 : 6, log);
  }
  let allocation: AllocationRow[] | { skipped: string };
  if (SKIP_ALLOCATION) allocation = { skipped: '--no-allocation' };
  else {
    log('\nBytes allocated per MB analysed, 1 MB templates (bench/allocation.ts):');
    allocation = measureAllocation();
    for (const line of formatAllocation(allocation)) log(`  ${line}`);
  }
  let report: ReportBenchResult | { skipped: string };
  if (SKIP_REPORT || SKIP_CLI) report = { skipped: SKIP_REPORT ? '--no-report' : '--no-cli' };
  else {
    log('\nmergewise report on the workspace, without and with sample recipients, each in turn with check --jobs 1:');
    report = measureReport({ quick: QUICK, log });
  }

  // ---- Targets of issue 7 ----
  const targets: Target[] = [];
  const mw1mb = find('mergewise-liquid', '1 MB');
  const ast1mb = find('liquid-html-ast', '1 MB');
  const floor1mb = find('regex-floor-liquid', '1 MB');
  if (mw1mb && ast1mb) {
    const x = ast1mb.medianMs / mw1mb.medianMs;
    targets.push({ what: 'full analysis, 1 MB Liquid, vs toLiquidHtmlAST', target: 'at least 10x faster', measured: `${formatRatio(x)}x faster (${formatMs(mw1mb.medianMs)} vs ${formatMs(ast1mb.medianMs)})`, status: x >= 10 ? 'pass' : 'fail' });
  }
  if (mw1mb && floor1mb) {
    const x = mw1mb.medianMs / floor1mb.medianMs;
    targets.push({ what: 'full analysis, 1 MB Liquid, vs the regex floor', target: 'within 5x', measured: `${formatRatio(x)}x (${formatMs(mw1mb.medianMs)} vs ${formatMs(floor1mb.medianMs)})`, status: x <= 5 ? 'pass' : 'fail' });
  }
  for (const dialect of ['liquid', 'handlebars'] as const) {
    const name = dialect === 'liquid' ? 'Liquid' : 'Handlebars';
    const m = find(`mergewise-${dialect}`, '100 KB');
    targets.push(m
      ? { what: `full analysis, 100 KB ${name}`, target: 'under 2 ms', measured: `median ${formatMs(m.medianMs)}, p95 ${formatMs(m.p95Ms)}`, status: m.medianMs < 2 ? 'pass' : 'fail' }
      : { what: `full analysis, 100 KB ${name}`, target: 'under 2 ms', measured: 'n/a (dialect not available)', status: 'n/a' });
    const g = growth[`mergewise-${dialect}`];
    targets.push(g !== undefined
      ? { what: `growth, ${name} (time at 1 MB / time at 100 KB)`, target: '11 or less', measured: `${g.byMean.toFixed(1)} by mean time per file (${g.byMedian.toFixed(1)} by median)`, status: g.byMean <= 11 ? 'pass' : 'fail' }
      : { what: `growth, ${name} (time at 1 MB / time at 100 KB)`, target: '11 or less', measured: 'n/a (dialect not available)', status: 'n/a' });
  }
  if ('didChangeToDiagnostics' in lspResult && lspResult.didChangeToDiagnostics) {
    const p95 = lspResult.didChangeToDiagnostics.p95Ms;
    targets.push({ what: 'didChange to diagnostics, 100 KB, seen by the client', target: 'p95 under 15 ms', measured: `p95 ${formatMs(p95)}, p50 ${formatMs(lspResult.didChangeToDiagnostics.medianMs)}`, status: p95 < 15 ? 'pass' : 'fail' });
    const work = lspResult.serverWorkPerChange;
    if (work) targets.push({ what: 'didChange to diagnostics, 100 KB, server time', target: 'p95 under 15 ms', measured: `p95 ${formatMs(work.p95Ms)}, p50 ${formatMs(work.medianMs)}`, status: work.p95Ms < 15 ? 'pass' : 'fail' });
  } else {
    targets.push({ what: 'didChange to diagnostics, 100 KB', target: 'p95 under 15 ms', measured: `not measured: ${'skipped' in lspResult ? lspResult.skipped : 'no result'}`, status: 'n/a' });
  }
  const burst = 'burst' in lspResult ? lspResult.burst : undefined;
  targets.push(burst
    ? {
      what: `hover after a burst of ${burst.edits.toLocaleString('en')} edits, 100 KB, one core kept busy`, target: 'at most 4x applying the edits',
      measured: `${formatRatio(burst.medianRatio)}x by median of ${burst.rounds.length} rounds (${formatRatio(burst.maxRatio)}x at most); ${Math.max(...burst.rounds.map((r) => r.publications))} publications at most`,
      status: burst.maxRatio <= 4 ? 'pass' : 'fail',
    }
    : { what: 'hover after a burst of edits', target: 'at most 4x applying the edits', measured: 'not measured', status: 'n/a' });
  if ('runs' in cli) {
    const fast = cli.wallMsMedian < 5000 && cli.oneCore;
    targets.push({ what: `${cli.templates}-template workspace (${cli.megabytes.toFixed(0)} MB), time`, target: 'under 5 s on one core', measured: `${(cli.wallMsMedian / 1000).toFixed(2)} s${cli.oneCore ? ' (taskset -c 0)' : ' (not pinned: taskset unavailable)'}, ${cli.mbPerSecond.toFixed(1)} MB/s`, status: fast ? 'pass' : 'fail' });
    targets.push({ what: `${cli.templates}-template workspace (${cli.megabytes.toFixed(0)} MB), memory`, target: 'under 300 MB', measured: `peak RSS ${cli.peakRssMBMax.toFixed(0)} MB`, status: cli.peakRssMBMax < 300 ? 'pass' : 'fail' });
  } else {
    targets.push({ what: 'workspace', target: 'under 5 s on one core, under 300 MB', measured: `not measured: ${cli.skipped}`, status: 'n/a' });
  }

  targets.push(...largeWorkspaceTargets(largeWorkspace));
  targets.push(...partialsTargets(partials));
  targets.push(...audienceTargets(audience));
  targets.push(...initTargets(init));
  targets.push(...reportTargets(report));
  targets.push(...emails400Targets(emails400));
  targets.push(...jobsTargets(jobs));

  printTable(measurements, all, growth, ratios, otherDialects.rows, cli, lspResult, largeWorkspace, partials, targets, audience);
  for (const note of handlebarsNotes()) log(`\nNote: ${note}`);
  if (cpuShare < 0.9) {
    log(`\nWARNING: while timing, this process got ${cpuShare.toFixed(2)} s of CPU per second (1-minute load average ${loadBefore.toFixed(1)} before the run, ` +
      `${os.loadavg()[0].toFixed(1)} after, on ${cpus.length} cores): other processes took CPU time, so times are inflated and noisy. ` +
      'Run again on an idle machine for numbers to publish.');
  }

  const results = {
    generatedBy: 'npm run bench (bench/run.ts)',
    date: new Date().toISOString(),
    quick: QUICK,
    machine: {
      cpu: cpus[0]?.model, cores: cpus.length, memoryGB: +(os.totalmem() / 1024 ** 3).toFixed(1),
      platform: `${os.platform()} ${os.release()}`, arch: os.arch(), node: process.version, v8: process.versions.v8,
      /** Other work on the machine skews timings: the 1-minute load average before and after the run. */
      loadAverage: { before: loadBefore, after: os.loadavg()[0] },
      /** CPU seconds per wall second while timing in-process: near 1 on an idle machine. */
      cpuShareWhileTiming: +cpuShare.toFixed(2),
    },
    code: gitDescription(),
    versions: {
      liquidjs: packageVersion('liquidjs'), '@shopify/liquid-html-parser': packageVersion('@shopify/liquid-html-parser'),
      handlebars: packageVersion('handlebars'), esbuild: packageVersion('esbuild'),
    },
    method: {
      budgetMsPerContenderAndFile: BUDGET_MS, minSamples: MIN_SAMPLES, rounds: ROUNDS,
      notes: [
        'One process; every contender and size of a dialect alternate in rounds; no forced gc(); per-file times.',
        'Mergewise runs from an esbuild bundle built like dist/ (bench/core-entry.ts).',
        'liquidjs Liquid#parse reuses one engine; the regex floor counts /\\{\\{|\\{%/g with RegExp#test.',
        `Analyses use relativePath emails/newsletters/bench.* and now = ${NOW.toISOString()}.`,
        ...handlebarsNotes(),
      ],
    },
    inputs: {
      seed: manifest.seed, generatorVersion: manifest.version,
      schema: { fields: schema.fields.size, purposes: schema.purposes.size },
      templates: manifest.sizes, workspace: manifest.workspace,
      mergewiseFindings: analyses,
      baselineParseProblems: parseProblems,
    },
    contenders: all.map((c) => ({ id: c.id, label: c.label.trim(), dialect: c.dialect, available: Boolean(c.run), ...(c.unavailable ? { note: c.unavailable } : {}) })),
    measurements,
    growth,
    ratios,
    otherDialects: otherDialects.rows,
    cli,
    lsp: lspResult,
    largeWorkspace,
    partials,
    audience,
    init,
    report,
    emails400,
    jobs,
    allocation,
    targets,
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
    sink,
  };
  const temporary = `${RESULTS_FILE}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temporary, RESULTS_FILE);
  log(`\nWrote ${path.relative(process.cwd(), RESULTS_FILE)} in ${results.totalSeconds} s.`);
}

function printTable(
  measurements: Measurement[], all: Contender[], growth: Record<string, Growth>, ratios: Ratio[], otherDialects: ExampleRow[],
  cli: CliResult | { skipped: string }, lspResult: LspResult | { skipped: string }, largeWorkspace: LargeWorkspaceResult | { skipped: string },
  partials: PartialsResult | { skipped: string }, targets: Target[],
  audience: AudienceResult | { skipped: string },
): void {
  const out: string[] = [];
  const sizes = SIZES.map((s) => s.label);
  const cell = (text: string, width: number) => text.padStart(width);
  for (const dialect of ['liquid', 'handlebars'] as const) {
    out.push('', `${dialect === 'liquid' ? 'Liquid' : 'Handlebars'}: time per file, median / p95`);
    out.push(`${''.padEnd(48)}${sizes.map((s) => cell(s, 28)).join('')}${cell('growth, mean / median', 24)}`);
    for (const contender of all.filter((c) => c.dialect === dialect)) {
      const row = sizes.map((size) => {
        const m = measurements.find((x) => x.contender === contender.id && x.size === size);
        return cell(m ? `${formatMs(m.medianMs)} / ${formatMs(m.p95Ms)}` : contender.unavailable ?? 'n/a', 28);
      });
      const g = growth[contender.id];
      out.push(`${contender.label.padEnd(48)}${row.join('')}${cell(g === undefined ? '' : `${g.byMean.toFixed(1)} / ${g.byMedian.toFixed(1)}`, 24)}`);
    }
    const ours = ratios.filter((r) => r.dialect === dialect);
    if (ours.length) {
      out.push('', `${dialect === 'liquid' ? 'Liquid' : 'Handlebars'}: Mergewise full analysis vs each (medians, same process)`);
      for (const against of [...new Set(ours.map((r) => r.against))]) {
        const baseline = all.find((c) => c.id === against);
        const label = `${baseline?.label} (${baseline?.baseline === 'floor' ? 'x its time' : 'x faster'})`;
        const row = sizes.map((size) => {
          const r = ours.find((x) => x.against === against && x.size === size);
          if (!r) return cell('n/a', 28);
          const floor = all.find((c) => c.id === against)?.baseline === 'floor';
          return cell(floor ? `${formatRatio(1 / r.speedup)}x` : r.speedup >= 1 ? `${formatRatio(r.speedup)}x faster` : `${formatRatio(1 / r.speedup)}x slower`, 28);
        });
        out.push(`${label.padEnd(48)}${row.join('')}`);
      }
    } else {
      // With --only, or when a dialect or baseline could not load.
      out.push(`${dialect === 'liquid' ? 'Liquid' : 'Handlebars'}: no ratios, as Mergewise and a baseline were not both timed`);
    }
  }
  if (otherDialects.length) {
    out.push('', 'Other dialects, each on its example template repeated: time per file, median / p95');
    out.push(`${''.padEnd(48)}${['100 KB', '1 MB'].map((s) => cell(s, 28)).join('')}${cell('growth, mean / median', 24)}`);
    for (const row of otherDialects) {
      const sizes = ['100 KB', '1 MB'].map((size) => measurements.find((m) => m.contender === `mergewise-${row.dialect}` && m.size === size));
      const label = `${row.dialect} (${row.template})`;
      out.push(`${label.padEnd(48)}${sizes.map((m) => cell(m ? `${formatMs(m.medianMs)} / ${formatMs(m.p95Ms)}` : 'n/a', 28)).join('')}` +
        cell(`${row.growth.byMean.toFixed(1)} / ${row.growth.byMedian.toFixed(1)}`, 24));
    }
  }
  out.push('');
  if ('runs' in cli) {
    out.push(`Command line: ${cli.command}`);
    out.push(`  ${cli.templates} templates, ${cli.megabytes.toFixed(1)} MB: ${(cli.wallMsMedian / 1000).toFixed(2)} s wall (median of ${cli.runs.length}), ${cli.mbPerSecond.toFixed(1)} MB/s, peak RSS ${cli.peakRssMBMax.toFixed(0)} MB, exit code ${cli.exitCode}` +
      (cli.reportBytes ? `, JSON report ${(cli.reportBytes / 1024 / 1024).toFixed(0)} MB` : ''));
    if (cli.coreOnly) {
      out.push(`  core only, same files, no report (${cli.coreOnly.command}): ${(cli.coreOnly.wallMsMedian / 1000).toFixed(2)} s, ${cli.coreOnly.mbPerSecond.toFixed(1)} MB/s, peak RSS ${cli.coreOnly.peakRssMBMax.toFixed(0)} MB`);
    }
  } else {
    out.push(`Command line: skipped (${cli.skipped})`);
  }
  if ('skipped' in lspResult) {
    out.push(`Language server: not measured (${lspResult.skipped})`);
  } else {
    const line = (name: string, s?: Stats) => (s ? `${name} p50 ${formatMs(s.medianMs)}, p95 ${formatMs(s.p95Ms)}` : `${name} n/a`);
    out.push(`Language server (${lspResult.template}): ${[line('didChange->diagnostics', lspResult.didChangeToDiagnostics), line('server work per change', lspResult.serverWorkPerChange), line('completion', lspResult.completion), line('hover', lspResult.hover)].join('; ')}`);
    for (const note of lspResult.notes) out.push(`  note: ${note}`);
  }
  out.push(...largeWorkspaceLines(largeWorkspace));
  out.push(...partialsLines(partials));
  out.push(...audienceLines(audience));
  out.push('', 'Targets (issue 7):');
  for (const t of targets) out.push(`  [${t.status.toUpperCase().padEnd(4)}] ${t.what}: ${t.target}; measured ${t.measured}`);
  console.log(out.join('\n'));
}

mkdirSync(GENERATED_DIR, { recursive: true });
main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
