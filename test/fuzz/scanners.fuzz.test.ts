/**
 * Issue 8, part 1: every registered dialect's scanner, and the whole analysis, on bad, huge and
 * hostile templates. For every input: nothing throws, every span lies inside the document, no rule
 * fails (`internal-error`), and the run keeps within a time proportional to the input's size.
 *
 * `npm test` runs this briefly with a fixed seed; `npm run fuzz` runs it at length with a random
 * seed (printed below; replay a failure with FUZZ_SEED=<seed>, and set FUZZ_RUNS to choose the length).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeTemplate } from '../../server/src/core/analyze';
import type { Dialect } from '../../server/src/core/dialects/dialect';
import { getDialect, implementedDialects } from '../../server/src/core/dialects/registry';
import { INTERNAL_ERROR } from '../../server/src/core/model';
import {
  CORPUS, DEPTH, EXAMPLE_SCHEMA, HOSTILE_SHAPES, LONG, SEED, TimeBudget, deepNesting, describeInput, megabyteLines,
  mutatedTemplate, randomTemplate, repeatTo, repeatedFragment, runs, scanSpanProblems, spanProblems, timeOf, cpuMs,
} from './properties';

const NOW = new Date('2026-11-26T12:00:00Z');
const dialects = implementedDialects();
const liquid = getDialect('liquid')!;

function analyze(dialect: Dialect, text: string) {
  return analyzeTemplate({ text, relativePath: 'emails/fuzz.html', dialect, schema: EXAMPLE_SCHEMA, now: NOW });
}

/** Time of a scan and of an analysis, against benign templates (see TimeBudget). */
const scanBudget = new TimeBudget(200, 100, (dialect, text) => dialect.scan(text), liquid);
const analysisBudget = new TimeBudget(200, 100, (dialect, text) => analyze(dialect, text), liquid);

/** Fails with the dialect, the problem and the input (shortened). */
function where(dialect: Dialect, text: string): string {
  return `${dialect.id}, input ${describeInput(text)}`;
}

/** The dialect's own scan: nothing throws, and every span lies inside the document. */
function checkScan(dialect: Dialect, text: string): void {
  let scan;
  try {
    scan = dialect.scan(text);
  } catch (error) {
    assert.fail(`${dialect.id}.scan threw ${(error as Error).stack ?? error}\n${where(dialect, text)}`);
  }
  assert.deepEqual(scanSpanProblems(scan, text.length), [], `scan spans, ${where(dialect, text)}`);
}

/**
 * The whole analysis (which scans again, resolves against the example schema and runs every rule):
 * nothing throws, no rule fails, every span lies inside the document, and so does the dialect's
 * fallback edit for each use. Returns the analysis's CPU time, in milliseconds.
 */
function checkAnalysis(dialect: Dialect, text: string): number {
  let analysis;
  const start = cpuMs();
  try {
    analysis = analyze(dialect, text);
  } catch (error) {
    assert.fail(`analyzeTemplate threw ${(error as Error).stack ?? error}\n${where(dialect, text)}`);
  }
  const ms = cpuMs() - start;
  assert.deepEqual(scanSpanProblems(analysis.scan, text.length), [], `analysis scan spans, ${where(dialect, text)}`);
  assert.deepEqual(spanProblems('diagnostics', analysis.diagnostics.map((d) => d.span), text.length), [], `diagnostic spans, ${where(dialect, text)}`);
  const failed = analysis.diagnostics.filter((d) => d.rule === INTERNAL_ERROR);
  assert.deepEqual(failed.map((d) => d.message), [], `a rule failed, ${where(dialect, text)}`);
  const edits = analysis.scan.uses.slice(0, 200).map((use) => dialect.fallbackEdit(text, use, 'there')?.span).filter((span) => span !== undefined);
  assert.deepEqual(spanProblems('fallback edits', edits, text.length), [], `fallback edit spans, ${where(dialect, text)}`);
  return ms;
}

/** Any input: scanned and analysed, checked, and timed against the budget for its size (re-timed only when over it). */
function checkInput(dialect: Dialect, text: string, name = 'the input'): void {
  checkScan(dialect, text);
  const ms = checkAnalysis(dialect, text);
  if (ms <= analysisBudget.limitMs(dialect, text.length)) return;
  const retried = analysisBudget.check(dialect, text.length, () => analyze(dialect, text));
  assert.ok(retried.ok, `${dialect.id}: ${name} (${text.length} code units) took ${retried.ms.toFixed(0)} ms, over the ${retried.limitMs.toFixed(0)} ms limit; ${where(dialect, text)}`);
}

/**
 * A shape at 64 KB and at 256 KB: four times the text may take at most eight times as long (linear:
 * four; quadratic: sixteen), plus a margin for a garbage collection, and the whole within the
 * budget for its size. Returns what was measured, for the log.
 */
function checkLinear(dialect: Dialect, shape: string, build: (size: number) => string): string {
  const small = build(64 * 1024);
  const large = build(256 * 1024);
  const scan = () => dialect.scan(large);
  dialect.scan(small);
  const smallMs = timeOf(() => dialect.scan(small), 2);
  const { ok, ms, limitMs } = scanBudget.check(dialect, large.length, scan);
  assert.ok(ok, `${dialect.id} took ${ms.toFixed(0)} ms (limit ${limitMs.toFixed(0)} ms) on ${shape} at 256 KB`);
  const linearMs = 8 * smallMs + 1.5 * scanBudget.floorMs;
  const again = ms <= linearMs ? ms : Math.min(ms, timeOf(scan, 3));
  assert.ok(again <= linearMs, `${dialect.id} is superlinear on ${shape}: 64 KB in ${smallMs.toFixed(1)} ms, 256 KB in ${again.toFixed(1)} ms`);
  return `${dialect.id} ${shape}: 64 KB ${smallMs.toFixed(1)} ms, 256 KB ${again.toFixed(1)} ms`;
}

/** A large targeted input: the same checks, without a second scan of its own. */
function checkLarge(dialect: Dialect, name: string, text: string): void {
  const ms = checkAnalysis(dialect, text);
  if (ms <= analysisBudget.limitMs(dialect, text.length)) return;
  const retried = analysisBudget.check(dialect, text.length, () => analyze(dialect, text));
  assert.ok(retried.ok, `${dialect.id}: ${name} (${text.length} code units) took ${retried.ms.toFixed(0)} ms, over the ${retried.limitMs.toFixed(0)} ms limit`);
}

describe(`fuzzing the scanners and the analysis (seed ${SEED}${LONG ? ', at length' : ''})`, () => {
  test('the corpus holds every example and the unit tests\' templates', (t) => {
    t.diagnostic(`seed ${SEED}; replay with FUZZ_SEED=${SEED}`);
    assert.ok(CORPUS.length > 100, `only ${CORPUS.length} templates in the corpus`);
    assert.ok(dialects.length >= 11, `${dialects.length} dialects registered`);
  });

  test('mutated templates from the examples and fixtures: nothing throws, spans lie inside, no rule fails, time in proportion', () => {
    fc.assert(fc.property(fc.constantFrom(...dialects), mutatedTemplate, (dialect, text) => checkInput(dialect, text)), runs(600));
  });

  test('random text of delimiters, code units and words: nothing throws, spans lie inside, no rule fails, time in proportion', () => {
    fc.assert(fc.property(fc.constantFrom(...dialects), randomTemplate, (dialect, text) => checkInput(dialect, text)), runs(400));
  });

  test('a fragment repeated to 256 KB scans in linear time', () => {
    fc.assert(fc.property(fc.constantFrom(...dialects), fc.context(), repeatedFragment(64 * 1024), (dialect, context, { fragment, text: small }) => {
      context.log(checkLinear(dialect, JSON.stringify(fragment), (size) => repeatTo(fragment, size)));
      checkInput(dialect, small);
    }), runs(16));
  });

  for (const dialect of dialects) {
    describe(dialect.id, () => {
      test(`blocks and expressions nested ${DEPTH.toLocaleString('en')} levels deep`, () => {
        for (const [name, text] of Object.entries(deepNesting())) checkLarge(dialect, name, text);
      });

      test('each shape that made a scanner quadratic, at 64 KB and at 256 KB, scans in linear time', () => {
        for (const [shape, build] of HOSTILE_SHAPES) checkLinear(dialect, shape, build);
      });

      test('a 1 MB single line, with NULs and lone UTF-16 surrogates', () => {
        const lines = megabyteLines(dialect);
        const chosen = LONG ? Object.entries(lines) : Object.entries(lines).slice(-1);
        for (const [name, text] of chosen) checkLarge(dialect, name, text);
      });
    });
  }
});
