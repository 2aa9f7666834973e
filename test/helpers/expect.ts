import assert from 'node:assert/strict';
import type { Diagnostic, DiagnosticCode } from '../../server/src/core/model';
import type { Schema } from '../../server/src/core/schema/types';
import { marked } from './cursor';
import { findings, type AnalyzeOptions } from './schema';

/**
 * Asserts that `rule` reports exactly at the `█` markers of `source` (one diagnostic starting at each
 * marker, and no others), and returns those diagnostics in order.
 */
export function expectAt(source: string, schema: Schema | undefined, rule: DiagnosticCode, options?: AnalyzeOptions): Diagnostic[] {
  const { text, offsets } = marked(source);
  assert.ok(offsets.length > 0, 'expectAt needs at least one █ marker; use expectNone to check that a rule stays quiet');
  const found = findings(text, schema, rule, options);
  assert.deepEqual(
    found.map((d) => d.span.start),
    offsets,
    `${rule} should start at ${JSON.stringify(offsets)} in ${JSON.stringify(text)}; found ${JSON.stringify(found.map((d) => [d.span.start, d.message]))}`,
  );
  return found;
}

/** Asserts that `rule` reports nothing on `source`. */
export function expectNone(source: string, schema: Schema | undefined, rule: DiagnosticCode, options?: AnalyzeOptions): void {
  const found = findings(source, schema, rule, options);
  assert.deepEqual(found.map((d) => d.message), [], `${rule} should not fire on ${JSON.stringify(source)}`);
}

/** Asserts that a message says what is wrong, what the recipient would see, and how to fix it. */
export function expectMessage(message: string, parts: { wrong: RegExp; recipient: RegExp; fix: RegExp }): void {
  assert.match(message, parts.wrong, 'the message should say what is wrong');
  assert.match(message, parts.recipient, 'the message should say what the recipient would see');
  assert.match(message, parts.fix, 'the message should say how to fix it');
}
