import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DIALECT_IDS } from '../../server/src/core/dialects/ids';
import { getDialect } from '../../server/src/core/dialects/registry';
import { FALLBACK_PLACEHOLDER } from '../../server/src/core/rules/rule';
import { NOW, schemaOf } from '../helpers/schema';

const schema = schemaOf({ fields: { 'customer.job': { type: 'string', aliases: { mailchimp: 'JOB', ampscript: 'Job', marketo: 'lead.Job' } } } });
const TEMPLATES: Record<string, string> = {
  mailchimp: '<p>*|JOB|*</p>', ampscript: '<p>%%=AttributeValue("Job")=%%</p>', marketo: '<p>{{lead.Job}}</p>',
};

const missingFallbacks = (text: string, dialectId: (typeof DIALECT_IDS)[number]) =>
  analyzeTemplate({ text, relativePath: 'emails/a.html', dialect: getDialect(dialectId), schema, now: NOW }).diagnostics.filter((d) => d.rule === 'missing-fallback');

test('the placeholder a fallback fix writes, until it is replaced, is reported in every dialect (it would reach recipients as "FALLBACK")', () => {
  for (const id of DIALECT_IDS) {
    const text = TEMPLATES[id] ?? '<p>{{ customer.job }}</p>';
    const [finding] = missingFallbacks(text, id);
    assert.ok(finding, `${id}: a missing fallback first`);
    const dialect = getDialect(id);
    const use = analyzeTemplate({ text, relativePath: 'emails/a.html', dialect, schema, now: NOW }).scan.uses.find((u) => u.span.start === finding.span.start)!;
    const edit = dialect.fallbackEdit(text, use, FALLBACK_PLACEHOLDER)!;
    const fixed = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
    const left = missingFallbacks(fixed, id);
    assert.deepEqual(left.map((d) => fixed.slice(d.span.start, d.span.end)), ['FALLBACK'], `${id}: ${fixed}`);
    assert.match(left[0].message, /placeholder FALLBACK is still here/);
    assert.deepEqual(missingFallbacks(fixed.replace('FALLBACK', 'our team'), id), [], `${id}: replaced, nothing is left`);
  }
});

test('the word in the copy is not the placeholder', () => {
  assert.deepEqual(missingFallbacks("<p>Our FALLBACK plan: {{ customer.job | default: 'you' }}</p>", 'liquid'), []);
});
