/**
 * `mergewise init` on the 2,000-template bench workspace, as a whole process:
 * `node dist/cli.js init DIR --dry-run`, from scratch (the workspace's templates without its
 * mergewise.json, hard-linked into bench/generated/init-workspace/) and with the workspace's own
 * mergewise.json there (what a merge would add). Target: under 5 s from scratch.
 *
 * Run after `npm run build`: `node --import tsx bench/init.ts [--runs=N]`. Prints the times; writes nothing
 * but the linked workspace.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentManifest, generateAll, GENERATED_DIR, WORKSPACE_DIR } from './generate';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FRESH_DIR = path.join(GENERATED_DIR, 'init-workspace');
const TARGET_MS = 5000;
const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 3);

/** The bench workspace's templates, without its mergewise.json: hard links, so nothing is copied. */
function freshWorkspace(): void {
  fs.rmSync(FRESH_DIR, { recursive: true, force: true });
  const walk = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) walk(source, target);
      else if (entry.isFile() && entry.name !== 'mergewise.json') fs.linkSync(source, target);
    }
  };
  walk(WORKSPACE_DIR, FRESH_DIR);
}

function time(dir: string): { ms: number; code: number | null; summary: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [CLI, 'init', dir, '--dry-run', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - started;
  let summary = child.stderr.split('\n')[0] ?? '';
  try {
    const report = JSON.parse(child.stdout) as { summary: { fields: string[]; templates: number } };
    summary = `${report.summary.templates} templates, ${report.summary.fields.length} fields proposed`;
  } catch { /* the error is in stderr */ }
  return { ms, code: child.status, summary };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export interface InitBenchResult {
  command: string;
  /** Per label ("from scratch", "with its mergewise.json"): the runs' times and the last run's summary. */
  runs: { label: string; timesMs: number[]; medianMs: number; summary: string }[];
}

/** Times `init --dry-run` on the bench workspace, from scratch and with its mergewise.json, `runs` times each. */
export function measureInit({ runs: count = runs, log = console.log }: { runs?: number; log?: (line: string) => void } = {}): InitBenchResult {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first.`);
  if (!currentManifest()) generateAll(log);
  freshWorkspace();
  const result: InitBenchResult = { command: 'node dist/cli.js init <workspace> --dry-run --format json', runs: [] };
  for (const [label, dir] of [['from scratch', FRESH_DIR], ['with its mergewise.json', WORKSPACE_DIR]] as const) {
    const times: number[] = [];
    let last: ReturnType<typeof time> | undefined;
    for (let i = 0; i < count; i++) {
      last = time(dir);
      if (last.code !== 0) throw new Error(`init exited ${last.code}: ${last.summary}`);
      times.push(last.ms);
    }
    const ms = median(times);
    result.runs.push({ label, timesMs: times, medianMs: ms, summary: last!.summary });
    log(`  init --dry-run ${label}: median ${(ms / 1000).toFixed(2)} s of ${count} (${times.map((t) => (t / 1000).toFixed(2)).join(', ')}); ${last!.summary}`);
  }
  return result;
}

/** The target: init on 2,000 templates from scratch in under 5 s. */
export function initTargets(result: InitBenchResult | { skipped: string }): { what: string; target: string; measured: string; status: 'pass' | 'fail' | 'n/a' }[] {
  const what = 'mergewise init --dry-run, 2,000 templates, no mergewise.json';
  const target = `under ${TARGET_MS / 1000} s`;
  if ('skipped' in result) return [{ what, target, measured: `not measured: ${result.skipped}`, status: 'n/a' }];
  const fresh = result.runs.find((run) => run.label === 'from scratch')!;
  return [{ what, target, measured: `median ${(fresh.medianMs / 1000).toFixed(2)} s of ${fresh.timesMs.length} (${fresh.summary})`, status: fresh.medianMs <= TARGET_MS ? 'pass' : 'fail' }];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = measureInit();
  for (const t of initTargets(result)) console.log(`[${t.status.toUpperCase()}] ${t.what}: ${t.target}; measured ${t.measured}`);
}
