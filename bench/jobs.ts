/**
 * Every core (issue 19 item 2): `mergewise check --format json` on the 2,000-template workspace with
 * the default `--jobs` (one thread per processor: the main thread and workers) against `--jobs 1`,
 * whole processes, in pairs (A B, then B A, so neither always goes first) after a warm-up pair. The
 * figure is the median of the per-pair ratios `--jobs 1` / default, by wall time; each run's CPU time
 * and peak RSS come from bench/peak-rss.cjs. The two reports must be the same bytes.
 *
 * Beside each pair, in the same round, what this machine gives two processes at all: two `--jobs 1`
 * processes side by side, on half of the templates each, against the pair's `--jobs 1` on them all
 * (the ceiling a second thread can reach, with no thread of ours involved); and how many cores
 * `--jobs 1` keeps busy alone (its CPU time over its wall time: V8 collects garbage and compiles on
 * helper threads).
 *
 * Run alone after `npm run build`: `node --import tsx bench/jobs.ts [--pairs=N]`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, WORKSPACE_DIR } from './generate';
import { median, readUsage } from './measure';

const ROOT = path.dirname(BENCH_DIR);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PEAK_RSS = path.join(BENCH_DIR, 'peak-rss.cjs');
export const JOBS_TARGET = 1.6;

interface Usage { wallMs: number; cpuMs: number; peakRssMB: number }

interface Launch { args: string[]; out: string; usageFile: string }

/** `mergewise check PATHS --format json [--jobs 1]` into `out`, with its usage written to a file of its own. */
function launch(scratch: string, name: string, paths: string[], jobs1: boolean): Launch {
  return {
    args: ['--require', PEAK_RSS, CLI, 'check', ...paths, '--format', 'json', ...(jobs1 ? ['--jobs', '1'] : [])],
    out: path.join(scratch, `${name}.json`),
    usageFile: path.join(scratch, `${name}.usage.json`),
  };
}

/** Runs the check; resolves with its wall time, CPU time and peak RSS once it has exited. */
function check(run: Launch): Promise<Usage> {
  rmSync(run.usageFile, { force: true });
  const out = openSync(run.out, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, run.args, {
    cwd: WORKSPACE_DIR, stdio: ['ignore', out, 'inherit'], env: { ...process.env, MERGEWISE_BENCH_USAGE_FILE: run.usageFile, NO_COLOR: '1' },
  });
  return new Promise<Usage>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      closeSync(out);
      // 1: findings were reported; anything else means the run itself failed.
      if (code !== 0 && code !== 1) {
        reject(new Error(`node ${run.args.slice(2).join(' ')} exited with ${code}`));
        return;
      }
      resolve({ wallMs, ...readUsage(run.usageFile) });
    });
  });
}

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface JobsResult {
  templates: number;
  threads: number;
  pairs: number;
  jobs1: { wallMsMedian: number; cpuMsMedian: number; peakRssMBMax: number };
  spread: { wallMsMedian: number; cpuMsMedian: number; peakRssMBMax: number };
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
  cpuRatioMedian: number;
  sameReport: boolean;
  /** Cores `--jobs 1` keeps busy alone: its CPU time over its wall time, median. */
  jobs1Cores: number;
  /** The same round's `--jobs 1` on every template / two `--jobs 1` processes on a half each side by side, by wall time, median. */
  twoProcessesRatio: number;
  /** Those two processes' CPU time together / `--jobs 1`'s, median. */
  twoProcessesCpuRatio: number;
  met: boolean;
}

export async function measureJobs(pairs: number, log: (line: string) => void = console.log): Promise<JobsResult> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  const folders = readdirSync(path.join(WORKSPACE_DIR, 'emails')).sort().map((name) => path.join('emails', name));
  if (folders.length < 2) throw new Error(`${WORKSPACE_DIR} has no generated templates: run npm run bench once to generate them.`);
  const templates = folders.reduce((sum, folder) => sum + readdirSync(path.join(WORKSPACE_DIR, folder)).length, 0);
  const halfPaths = [folders.slice(0, folders.length >> 1), folders.slice(folders.length >> 1)];
  const scratch = path.join(os.tmpdir(), `mergewise-bench-jobs-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    const single = launch(scratch, 'jobs1', ['.'], true);
    const spread = launch(scratch, 'spread', ['.'], false);
    await check(single); await check(spread); // warm-up: the files into the page cache
    const sameReport = digest(single.out) === digest(spread.out);
    const singles: Usage[] = [];
    const spreads: Usage[] = [];
    const ratios: number[] = [];
    const ceilings: number[] = [];
    const ceilingCpu: number[] = [];
    const halves = [launch(scratch, 'half0', halfPaths[0], true), launch(scratch, 'half1', halfPaths[1], true)];
    // Each round times the pair, then the machine's own ceiling for two threads: the two halves of
    // the templates in two --jobs 1 processes side by side, against the pair's --jobs 1 on them all,
    // so that both see the machine as it is that minute.
    for (let i = 0; i < pairs; i++) {
      let a: Usage, b: Usage;
      if (i % 2) { b = await check(spread); a = await check(single); } else { a = await check(single); b = await check(spread); }
      singles.push(a);
      spreads.push(b);
      ratios.push(a.wallMs / b.wallMs);
      const started = performance.now();
      const both = await Promise.all(halves.map(check));
      const sideBySide = performance.now() - started;
      const bothCpu = both[0].cpuMs + both[1].cpuMs;
      ceilings.push(a.wallMs / sideBySide);
      ceilingCpu.push(bothCpu / a.cpuMs);
      log(`  round ${i + 1}/${pairs}: --jobs 1 ${(a.wallMs / 1000).toFixed(2)} s (CPU ${(a.cpuMs / 1000).toFixed(2)} s), default ${(b.wallMs / 1000).toFixed(2)} s ` +
        `(CPU ${(b.cpuMs / 1000).toFixed(2)} s): ${(a.wallMs / b.wallMs).toFixed(2)}x; two --jobs 1 processes, a half each, side by side ` +
        `${(sideBySide / 1000).toFixed(2)} s (CPU ${(bothCpu / 1000).toFixed(2)} s): ${(a.wallMs / sideBySide).toFixed(2)}x`);
    }

    const summary = (runs: Usage[]) => ({
      wallMsMedian: median(runs.map((r) => r.wallMs)), cpuMsMedian: median(runs.map((r) => r.cpuMs)), peakRssMBMax: Math.max(...runs.map((r) => r.peakRssMB)),
    });
    const ratio = median(ratios);
    const result: JobsResult = {
      templates,
      threads: os.availableParallelism(),
      pairs,
      jobs1: summary(singles),
      spread: summary(spreads),
      ratioMedian: ratio,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      cpuRatioMedian: median(spreads.map((b, k) => b.cpuMs / singles[k].cpuMs)),
      sameReport,
      jobs1Cores: median(singles.map((r) => r.cpuMs / r.wallMs)),
      twoProcessesRatio: median(ceilings),
      twoProcessesCpuRatio: median(ceilingCpu),
      met: sameReport && ratio >= JOBS_TARGET,
    };
    log(`check --jobs on ${templates} templates: default (${result.threads} threads) ${(result.spread.wallMsMedian / 1000).toFixed(2)} s, --jobs 1 ${(result.jobs1.wallMsMedian / 1000).toFixed(2)} s: ` +
      `${ratio.toFixed(2)}x by the median of ${pairs} pairs (${result.ratioMin.toFixed(2)} to ${result.ratioMax.toFixed(2)}), ${result.cpuRatioMedian.toFixed(2)}x the CPU, ` +
      `peak ${result.spread.peakRssMBMax.toFixed(0)} MB against ${result.jobs1.peakRssMBMax.toFixed(0)} MB; the same report: ${sameReport ? 'yes' : 'NO'}; ` +
      `--jobs 1 alone keeps ${result.jobs1Cores.toFixed(2)} cores busy; two processes on a half each side by side ${result.twoProcessesRatio.toFixed(2)}x ` +
      `(${result.twoProcessesCpuRatio.toFixed(2)}x the CPU); target at least ${JOBS_TARGET}x: ${result.met ? 'met' : 'MISSED'}`);
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function jobsTargets(result: JobsResult | { skipped: string }): { what: string; target: string; measured: string; status: 'pass' | 'fail' | 'n/a' }[] {
  const what = 'mergewise check on the 2,000-template workspace, default --jobs against --jobs 1, whole processes';
  const target = `at least ${JOBS_TARGET}x faster, the same report`;
  if ('skipped' in result) return [{ what, target, measured: `not measured: ${result.skipped}`, status: 'n/a' }];
  return [{
    what,
    target,
    measured: `${result.ratioMedian.toFixed(2)}x by the median of ${result.pairs} pairs on ${result.threads} threads (${result.ratioMin.toFixed(2)} to ${result.ratioMax.toFixed(2)}), ` +
      `${result.cpuRatioMedian.toFixed(2)}x the CPU; the same report: ${result.sameReport ? 'yes' : 'no'}; on this machine --jobs 1 keeps ${result.jobs1Cores.toFixed(2)} cores busy ` +
      `and two --jobs 1 processes side by side, on half of the templates each, ran ${result.twoProcessesRatio.toFixed(2)}x faster than --jobs 1 on them all ` +
      `(${result.twoProcessesCpuRatio.toFixed(2)}x the CPU)`,
    status: result.met ? 'pass' : 'fail',
  }];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const pairs = Number(process.argv.find((arg) => arg.startsWith('--pairs='))?.slice('--pairs='.length) ?? 6);
  void measureJobs(pairs).then((result) => {
    for (const t of jobsTargets(result)) console.log(`[${t.status.toUpperCase()}] ${t.what}: ${t.target}; measured ${t.measured}`);
  });
}
