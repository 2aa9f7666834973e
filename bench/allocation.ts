/**
 * Allocation per MB analysed (issue 19 item 5): how many bytes the JavaScript heap takes on for
 * each MB of template that Mergewise's full analysis reads, against the parsers a team would
 * otherwise use, on the bench's 1 MB Liquid and Handlebars templates.
 *
 * Method: a child Node process with a young generation larger than any one run allocates
 * (`--min-semi-space-size` = `--max-semi-space-size` = 512 MB), so no collection runs during a
 * measured call; after warm-up runs and a forced `gc()`, a call's allocation is the growth of
 * `v8.getHeapStatistics().used_heap_size` across it. A garbage collection seen during a call (by a
 * PerformanceObserver) voids that sample; the median of the valid samples is reported.
 *
 * Run alone after `npm run bench` has generated the templates: `node --import tsx bench/allocation.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as esbuild from 'esbuild';
import { BENCH_DIR, GENERATED_DIR, sizeFileName } from './generate';
import type * as CoreEntry from './core-entry';

const SEMI_SPACE_MB = 512;
const SAMPLES = 7;
const WARMUP = 5;
const CORE_BUNDLE = path.join(GENERATED_DIR, 'core-allocation.cjs');
const NOW = new Date('2026-11-26T12:00:00Z');

export interface AllocationRow {
  contender: string;
  dialect: 'liquid' | 'handlebars';
  /** Bytes of template text (UTF-8). */
  bytes: number;
  /** Median bytes allocated per MB of template, over the samples no collection voided. */
  allocatedPerMB: number | null;
  validSamples: number;
}

/** In the parent: runs the child and returns its rows. */
export function measureAllocation(): AllocationRow[] {
  const child = spawnSync(process.execPath, [
    `--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`, '--expose-gc', '--import', 'tsx',
    fileURLToPath(import.meta.url), '--child',
  ], { cwd: path.dirname(BENCH_DIR), encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`bench/allocation.ts failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as AllocationRow[];
}

async function measureInChild(): Promise<AllocationRow[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  await esbuild.build({
    entryPoints: [path.join(BENCH_DIR, 'core-entry.ts')], outfile: CORE_BUNDLE, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', mainFields: ['module', 'main'], logLevel: 'warning', define: { MERGEWISE_VERSION: JSON.stringify('bench') },
  });
  const require = createRequire(import.meta.url);
  const core = require(CORE_BUNDLE) as typeof CoreEntry;
  const { toLiquidHtmlAST } = require('@shopify/liquid-html-parser') as typeof import('@shopify/liquid-html-parser');
  const Handlebars = require('handlebars') as typeof import('handlebars');
  const schemaFile = path.join(GENERATED_DIR, 'mergewise.json');
  const schema = core.loadSchema(readFileSync(schemaFile, 'utf8'), schemaFile, GENERATED_DIR).schema!;
  let collections = 0;
  new PerformanceObserver((list) => { collections += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
  const rows: AllocationRow[] = [];
  for (const dialect of ['liquid', 'handlebars'] as const) {
    const file = path.join(GENERATED_DIR, sizeFileName(dialect, '1 MB'));
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run bench (or node --import tsx bench/generate.ts) first`);
    const text = readFileSync(file, 'utf8');
    const bytes = Buffer.byteLength(text);
    const mergewise = core.getDialect(dialect);
    const contenders: [string, () => unknown][] = [
      ['Mergewise full analysis', () => core.analyzeTemplate({ text, relativePath: `emails/bench.${dialect === 'liquid' ? 'liquid' : 'hbs'}`, dialect: mergewise, schema, now: NOW })],
      ['Mergewise scan only', () => mergewise.scan(text)],
      dialect === 'liquid' ? ['toLiquidHtmlAST', () => toLiquidHtmlAST(text)] : ['Handlebars.parse', () => Handlebars.parse(text)],
    ];
    for (const [contender, run] of contenders) {
      for (let i = 0; i < WARMUP; i++) run();
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        // The observer reports collections a moment later: let the forced one arrive before counting.
        const forced = collections;
        gc();
        for (let waited = 0; collections === forced && waited < 200; waited++) await pause();
        const before = collections;
        const used = v8.getHeapStatistics().used_heap_size;
        const result = run();
        const grown = v8.getHeapStatistics().used_heap_size - used;
        for (let waited = 0; waited < 20; waited++) await pause();
        if (collections === before && result !== undefined) samples.push(grown);
      }
      samples.sort((a, b) => a - b);
      rows.push({
        contender, dialect, bytes, validSamples: samples.length,
        allocatedPerMB: samples.length ? Math.round(samples[samples.length >> 1] / (bytes / (1024 * 1024))) : null,
      });
    }
  }
  return rows;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

export function formatAllocation(rows: AllocationRow[]): string[] {
  return rows.map((row) => `${row.dialect.padEnd(10)} ${row.contender.padEnd(26)} ` +
    (row.allocatedPerMB === null ? 'n/a (a collection ran in every sample)' : `${(row.allocatedPerMB / (1024 * 1024)).toFixed(1)} MB allocated per MB (${row.validSamples} samples)`));
}

if (process.argv.includes('--child')) {
  measureInChild().then((rows) => console.log(JSON.stringify(rows)), (error) => { console.error(error); process.exit(1); });
} else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of formatAllocation(measureAllocation())) console.log(line);
}
