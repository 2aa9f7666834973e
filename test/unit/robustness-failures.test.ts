/**
 * Issue 8, part 4: a rule that throws on one file is reported for that file (an `internal-error`
 * diagnostic), while the other rules and files go on. The failures are injected from the inputs,
 * with no test hook in the product: a dialect (a Proxy over Liquid) or a schema field whose data
 * throws when a rule reads it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate, type TemplateAnalysis } from '../../server/src/core/analyze';
import type { Dialect } from '../../server/src/core/dialects/dialect';
import { liquid } from '../../server/src/core/dialects/liquid';
import { INTERNAL_ERROR, type Diagnostic } from '../../server/src/core/model';
import type { FieldSpec, Schema } from '../../server/src/core/schema/types';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = {
  dialect: 'liquid',
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.signup_date': { type: 'string', source: 'declared' },
    'customer.job_title': { type: 'string', source: 'inferred', maxAgeDays: 90 },
    'customer.old_name': { type: 'string', source: 'declared', deprecated: 'use customer.first_name' },
  },
};

/** Something in every rule's way: a missing fallback, a date filter on text, stale and deprecated data, an unknown field, a syntax error. */
const TEMPLATE = [
  'Hi {{ customer.first_name }},',
  'You joined on {{ customer.signup_date | date: "%B %Y" }}.',
  'Still a {{ customer.job_title }}? {{ customer.old_name | default: "friend" }} {{ customer.nope }}',
  '{% if customer.first_name %}',
].join('\n');

function analyze(dialect: Dialect, schema: Schema, text = TEMPLATE): TemplateAnalysis {
  return analyzeTemplate({ text, relativePath: 'emails/welcome.liquid', dialect, schema, now: NOW });
}

const key = (d: Diagnostic) => `${d.rule} ${d.span.start}-${d.span.end} ${d.field ?? ''} ${d.message}`;

/** Liquid, with one member replaced by a getter that throws the way a buggy dialect would. */
function liquidWhere(member: keyof Dialect, failure: () => never): Dialect {
  return new Proxy(liquid, {
    get(target, property, receiver) {
      if (property === member) return failure();
      return Reflect.get(target, property, receiver);
    },
  });
}

function internalErrors(analysis: TemplateAnalysis): Diagnostic[] {
  return analysis.diagnostics.filter((d) => d.rule === INTERNAL_ERROR);
}

describe('a rule that throws on one file', () => {
  const schema = schemaOf(SCHEMA);
  const baseline = analyze(liquid, schema);
  const rulesInBaseline = new Set(baseline.diagnostics.map((d) => d.rule));

  test('the template holds a finding for every rule the failures below touch', () => {
    for (const rule of ['syntax-error', 'unknown-field', 'missing-fallback', 'stale-data', 'deprecated-field', 'type-mismatch']) {
      assert.ok(rulesInBaseline.has(rule as Diagnostic['rule']), `${rule} expected in ${[...rulesInBaseline]}`);
    }
    assert.deepEqual(internalErrors(baseline), []);
  });

  test('type-mismatch fails (the dialect\'s filter table throws): reported on the file, every other rule still reports', () => {
    const broken = liquidWhere('filterInputs', () => { throw new Error('filter table unavailable'); });
    const analysis = analyze(broken, schema);
    const failed = internalErrors(analysis);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].severity, 'error');
    assert.deepEqual(failed[0].span, { start: 0, end: 0 });
    assert.match(failed[0].message, /type-mismatch check failed on this file \(filter table unavailable\); the other checks ran/);
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.rule !== INTERNAL_ERROR).map(key),
      baseline.diagnostics.filter((d) => d.rule !== 'type-mismatch').map(key));
  });

  test('the fallback writer throws: the two rules that quote it fail, and only they', () => {
    const broken = liquidWhere('fallbackEdit', () => { throw new TypeError('no fallback syntax'); });
    const analysis = analyze(broken, schema);
    assert.deepEqual(internalErrors(analysis).map((d) => /Mergewise's ([a-z-]+) check failed/.exec(d.message)?.[1]).sort(), ['missing-fallback', 'stale-data']);
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.rule !== INTERNAL_ERROR).map(key),
      baseline.diagnostics.filter((d) => d.rule !== 'missing-fallback' && d.rule !== 'stale-data').map(key));
  });

  test('a schema field whose data throws when read: stale-data fails, the rest of the schema and the rules go on', () => {
    const fields = new Map(schema.fields);
    const stale = fields.get('customer.job_title')!;
    fields.set('customer.job_title', new Proxy(stale, {
      get(target, property, receiver) {
        if (property === 'maxAgeDays') throw new RangeError('corrupt maxAgeDays');
        return Reflect.get(target, property, receiver);
      },
    }) as FieldSpec);
    const analysis = analyze(liquid, { ...schema, fields });
    assert.deepEqual(internalErrors(analysis).map((d) => /Mergewise's ([a-z-]+) check failed/.exec(d.message)?.[1]), ['stale-data']);
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.rule !== INTERNAL_ERROR).map(key),
      baseline.diagnostics.filter((d) => d.rule !== 'stale-data').map(key));
  });

  test('a scanner that throws: one internal-error on the file, no exception, and the next file is analysed as usual', () => {
    const broken = liquidWhere('scan', () => { throw new Error('scanner exploded'); });
    let analysis: TemplateAnalysis | undefined;
    assert.doesNotThrow(() => { analysis = analyze(broken, schema); });
    assert.deepEqual(analysis!.diagnostics.map((d) => d.rule), [INTERNAL_ERROR]);
    assert.match(analysis!.diagnostics[0].message, /could not read this Liquid .* template \(scanner exploded\), so none of its checks ran/);
    assert.deepEqual(analysis!.scan.uses, []);
    // Other files, analysed after the failures above, are untouched by them.
    assert.deepEqual(analyze(liquid, schema).diagnostics.map(key), baseline.diagnostics.map(key));
  });

  test('across many files, each failure stays with its own file', () => {
    const broken = liquidWhere('filterInputs', () => { throw new Error('filter table unavailable'); });
    const results = Array.from({ length: 20 }, (_, i) => analyze(i % 5 === 2 ? broken : liquid, schema, `${TEMPLATE}\n{{ customer.first_name }} ${i}`));
    results.forEach((analysis, i) => {
      assert.equal(internalErrors(analysis).length, i % 5 === 2 ? 1 : 0, `file ${i}`);
      assert.ok(analysis.diagnostics.some((d) => d.rule === 'missing-fallback'), `file ${i} still gets its other findings`);
    });
  });
});
