/**
 * Issue 19, item 3 ("repeated messages cost little"): a finding repeated in one file is explained at
 * its first place, and each later one says what it is and points there, in the editor, the command
 * line and every report format alike.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeDocument, SchemaIndex } from '../../server/src/core/workspace';
import { explainRepeatsOnce } from '../../server/src/core/repeats';
import type { Diagnostic } from '../../server/src/core/model';
import { memoryFs } from '../helpers/memory-fs';
import { NOW } from '../helpers/schema';

const ROOT = '/work/repeats';
const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string', source: 'declared' } } });

function diagnosticsOf(text: string): Diagnostic[] {
  const fs = memoryFs({ [path.join(ROOT, 'mergewise.json')]: SCHEMA });
  return analyzeDocument(new SchemaIndex(fs), path.join(ROOT, 'emails/a.liquid'), text, undefined, NOW).analysis.diagnostics;
}

describe('a finding repeated in one file is explained once', () => {
  test('later uses of the same unknown field point to the first, which keeps the whole explanation and its suggestion', () => {
    const text = [
      'Hi {{ customer.frist_name }},', // line 1
      '<p>{{ campaign.name }} {{ campaign.name }}</p>', // line 2
      '',
      '<p>{{ campaign.name }} and {{ customer.frist_name }}</p>', // line 4
    ].join('\n');
    const unknown = diagnosticsOf(text).filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => [d.field, d.message.length > 80 ? 'full' : d.message]), [
      ['customer.frist_name', 'full'],
      ['campaign.name', 'full'],
      ['campaign.name', '`campaign.name` is not a field in mergewise.json, as before on this line.'],
      ['campaign.name', '`campaign.name` is not a field in mergewise.json, as on line 2.'],
      ['customer.frist_name', '`customer.frist_name` is not a field in mergewise.json, as on line 1.'],
    ]);
    assert.match(unknown[0].message, /Did you mean `customer.first_name`\?/);
    // The quick fix comes from the finding's data, not its words: every repeat still offers it.
    assert.deepEqual(unknown[4].data?.suggestions, ['customer.first_name']);
  });

  test('every rule about a field is shortened alike; findings without a field are left whole', () => {
    const text = '{{ customer.first_name }} {{ customer.first_name }}\n{{ customer.first_name }}';
    const missing = diagnosticsOf(text).filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 3);
    assert.match(missing[0].message, /^`customer.first_name` has no fallback: /);
    assert.equal(missing[1].message, '`customer.first_name` has no fallback, as before on this line.');
    assert.equal(missing[2].message, '`customer.first_name` has no fallback, as on line 1.');
    const syntax: Diagnostic = { rule: 'syntax-error', severity: 'error', span: { start: 0, end: 1 }, message: 'Unclosed: add `}}`.' };
    assert.deepEqual(explainRepeatsOnce([syntax, { ...syntax, span: { start: 2, end: 3 } }], 'abcd').map((d) => d.message), [syntax.message, syntax.message]);
  });

  test('the headline ends at the first ": " outside code and quotes; a message without one is kept whole', () => {
    const finding = (message: string, start: number): Diagnostic => ({ rule: 'unknown-field', severity: 'error', span: { start, end: start + 1 }, field: 'x', message });
    const text = 'one\ntwo\nthree';
    const inCode = 'The tag `{% if a: b %}` reads "a: b": fix it.';
    assert.equal(explainRepeatsOnce([finding(inCode, 0), finding(inCode, 9)], text)[1].message, 'The tag `{% if a: b %}` reads "a: b", as on line 1.');
    const whole = 'No headline here.';
    assert.equal(explainRepeatsOnce([finding(whole, 0), finding(whole, 9)], text)[1].message, whole);
  });
});
