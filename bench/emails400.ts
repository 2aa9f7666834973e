/**
 * A whole workspace, whole process (issue 19 item 1): `mergewise check emails --format json|sarif|text`
 * with the report written to a file, against a Node process that only parses the same files with
 * `toLiquidHtmlAST` (bench/parse-baseline-liquid.mjs), as a new user would compare them.
 *
 * The workload, under bench/generated/emails400/ (regenerated when EMAILS400_VERSION changes): 400
 * Liquid emails of about 40 KB (16 MB) from bench/generate.ts's template writer (fields, loops,
 * conditions, missing fallbacks, typos), and a plain mergewise.json of the 8 fields they use most, with
 * no purposes, so most other paths are unknown fields, as in a team's first run.
 *
 * Each format runs in pairs with the baseline (A B, then B A, so neither always goes first), after a
 * warm-up pair; the figure is the median of the per-pair ratios baseline / check, by wall time. Target:
 * at least 3x for every format. Run alone after `npm run build`: `node --import tsx bench/emails400.ts
 * [--runs=N]`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, GENERATED_DIR, generateTemplate } from './generate';
import { median } from './measure';

/** Bump when the output changes, so that stale files are regenerated. */
export const EMAILS400_VERSION = 1;
export const EMAILS400_DIR = path.join(GENERATED_DIR, 'emails400');
const TEMPLATES = 400;
const TEMPLATE_BYTES = 40 * 1024;
export const EMAILS400_TARGET = 3;
const REPORT_LIMIT_BYTES = 40e6;
const ROOT = path.dirname(BENCH_DIR);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BASELINE = path.join(BENCH_DIR, 'parse-baseline-liquid.mjs');

/** The 8 fields the generated templates use most, typed as a team would first declare them. */
const SCHEMA = {
  dialect: 'liquid',
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.email': { type: 'string', source: 'declared', required: true },
    'customer.plan': { type: 'string', source: 'transactional', required: true },
    'customer.is_vip': { type: 'boolean', source: 'observed' },
    'product.title': { type: 'string', source: 'transactional', required: true },
    'product.url': { type: 'string', source: 'transactional', required: true },
    'order.total': { type: 'number', source: 'transactional', required: true },
    'loyalty.points': { type: 'number', source: 'observed' },
  },
};

function generated(): boolean {
  try {
    return JSON.parse(readFileSync(path.join(EMAILS400_DIR, 'manifest.json'), 'utf8')).version === EMAILS400_VERSION;
  } catch {
    return false;
  }
}

/** Writes the workspace unless this version of it is there; returns its total template bytes. */
export function generateEmails400(): number {
  if (generated()) return JSON.parse(readFileSync(path.join(EMAILS400_DIR, 'manifest.json'), 'utf8')).bytes;
  rmSync(EMAILS400_DIR, { recursive: true, force: true });
  mkdirSync(path.join(EMAILS400_DIR, 'emails'), { recursive: true });
  writeFileSync(path.join(EMAILS400_DIR, 'mergewise.json'), `${JSON.stringify(SCHEMA, null, 2)}\n`);
  let bytes = 0;
  for (let i = 1; i <= TEMPLATES; i++) {
    const text = generateTemplate('liquid', TEMPLATE_BYTES, `emails400/${i}`);
    writeFileSync(path.join(EMAILS400_DIR, 'emails', `email-${String(i).padStart(3, '0')}.liquid`), text);
    bytes += Buffer.byteLength(text);
  }
  writeFileSync(path.join(EMAILS400_DIR, 'manifest.json'), `${JSON.stringify({ version: EMAILS400_VERSION, templates: TEMPLATES, bytes }, null, 2)}\n`);
  return bytes;
}

interface Timed { ms: number; status: number | null }

function run(args: string[], out: string): Timed {
  const started = performance.now();
  const child = spawnSync('sh', ['-c', `exec "$0" "$@" > "${out}"`, process.execPath, ...args], { cwd: EMAILS400_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  const ms = performance.now() - started;
  if (child.error) throw child.error;
  return { ms, status: child.status };
}

export interface Emails400Result {
  templates: number;
  bytes: number;
  formats: { format: string; checkMsMedian: number; baselineMsMedian: number; ratioMedian: number; ratioMin: number; ratioMax: number; reportBytes: number; pairs: number; met: boolean }[];
}

export function measureEmails400(runs: number, log: (line: string) => void = console.log): Emails400Result {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  const bytes = generateEmails400();
  const scratch = path.join(os.tmpdir(), `mergewise-emails400-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const baselineArgs = [BASELINE, 'emails'];
  const baselineTimes: number[] = [];
  const formats: Emails400Result['formats'] = [];
  try {
    for (const format of ['json', 'sarif', 'text']) {
      const report = path.join(scratch, `report.${format}`);
      const checkArgs = [CLI, 'check', 'emails', '--format', format];
      const check = () => {
        const timed = run(checkArgs, report);
        // 1: findings were reported; anything else means the run itself failed.
        if (timed.status !== 0 && timed.status !== 1) throw new Error(`mergewise check --format ${format} exited with ${timed.status}`);
        return timed.ms;
      };
      const baseline = () => {
        const timed = run(baselineArgs, path.join(scratch, 'baseline.json'));
        if (timed.status !== 0) throw new Error(`the baseline exited with ${timed.status}`);
        baselineTimes.push(timed.ms);
        return timed.ms;
      };
      check(); baseline(); // warm-up: the files into the page cache
      baselineTimes.length = 0;
      const ratios: number[] = [];
      const checks: number[] = [];
      for (let i = 0; i < runs; i++) {
        let checkMs: number, baselineMs: number;
        if (i % 2) { baselineMs = baseline(); checkMs = check(); } else { checkMs = check(); baselineMs = baseline(); }
        checks.push(checkMs);
        ratios.push(baselineMs / checkMs);
      }
      const ratio = median(ratios);
      const row = {
        format, checkMsMedian: median(checks), baselineMsMedian: median(baselineTimes), ratioMedian: ratio, ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios),
        reportBytes: statSync(report).size, pairs: runs, met: ratio >= EMAILS400_TARGET,
      };
      formats.push(row);
      log(`emails400 --format ${format}: check median ${(row.checkMsMedian / 1000).toFixed(2)} s, report ${(row.reportBytes / 1e6).toFixed(1)} MB; ` +
        `toLiquidHtmlAST ${(row.baselineMsMedian / 1000).toFixed(2)} s; ${ratio.toFixed(2)}x faster by the median of ${runs} pairs ` +
        `(${row.ratioMin.toFixed(2)} to ${row.ratioMax.toFixed(2)}); target at least ${EMAILS400_TARGET}x: ${row.met ? 'met' : 'MISSED'}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { templates: TEMPLATES, bytes, formats };
}

export function emails400Targets(result: Emails400Result | { skipped: string }): { what: string; target: string; measured: string; status: 'pass' | 'fail' | 'n/a' }[] {
  const target = `at least ${EMAILS400_TARGET}x faster than toLiquidHtmlAST alone, whole process`;
  if ('skipped' in result) return [{ what: 'mergewise check on 400 emails of 40 KB', target, measured: `not measured: ${result.skipped}`, status: 'n/a' }];
  const json = result.formats.find((row) => row.format === 'json')!;
  return [...result.formats.map((row) => ({
    what: `mergewise check --format ${row.format} > file, 400 emails of 40 KB`,
    target,
    measured: `${row.ratioMedian.toFixed(2)}x by the median of ${row.pairs} pairs (${(row.checkMsMedian / 1000).toFixed(2)} s against ${(row.baselineMsMedian / 1000).toFixed(2)} s; report ${(row.reportBytes / 1e6).toFixed(1)} MB)`,
    status: row.met ? 'pass' as const : 'fail' as const,
  })), {
    what: 'the JSON report of the 400 emails',
    target: `under ${REPORT_LIMIT_BYTES / 1e6} MB`,
    measured: `${(json.reportBytes / 1e6).toFixed(1)} MB`,
    status: json.reportBytes < REPORT_LIMIT_BYTES ? 'pass' as const : 'fail' as const,
  }];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 6);
  for (const t of emails400Targets(measureEmails400(runs))) console.log(`[${t.status.toUpperCase()}] ${t.what}: ${t.target}; measured ${t.measured}`);
}
