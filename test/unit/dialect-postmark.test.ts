import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type RenderResult } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { postmark } from '../../server/src/core/dialects/postmark';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined): RenderResult {
  return postmark.render({ text, scan: postmark.scan(text), data, schemaPathOf, limits: DEFAULT_RENDER_LIMITS });
}

/** A Postmark receipt in the style of Postmark's own template gallery (Mustachio). */
const RECEIPT = `{{! Receipt, alias "receipt". mergewise purpose: cart-recovery }}
{{#person}}<h1>Hi {{█first_name}},</h1>{{/person}}
<p>Ship to: {{#█person.city}}{{█.}}{{/person.city}}{{^█person.city}}pick up in store{{/person.city}}</p>
<table>
{{#each █receipt_details}}
  <tr><td>{{█description}}</td><td>{{{█amount}}}</td><td>{{█../company_name}}</td></tr>
{{/each}}
</table>
<p>{{{ pm:unsubscribe }}}</p>`;

describe('postmark (Mustachio): scanning', () => {
  test('sections scope their content, `{{.}}` is the current value, `../` reaches out of a loop, each with its exact range', () => {
    const { text, offsets } = marked(RECEIPT);
    const scan = postmark.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    const shownUses = scan.uses.filter((use) => use.path !== 'person');
    assert.deepEqual(shownUses.map((use) => use.span.start), offsets);
    assert.deepEqual(shownUses.map((use) => [use.path, use.written, use.context, use.guarded]), [
      ['person.first_name', 'first_name', 'output', false],
      ['person.city', 'person.city', 'condition', false],
      ['person.city', '.', 'output', true],
      ['person.city', 'person.city', 'condition', false],
      ['receipt_details', 'receipt_details', 'loop', false],
      ['receipt_details[].description', 'description', 'output', false],
      ['receipt_details[].amount', 'amount', 'output', false],
      ['company_name', '../company_name', 'output', false],
    ]);
    // `{{#x}}{{.}}{{/x}}{{^x}}…{{/x}}` is Mustachio's fallback.
    assert.equal(shownUses[2].fallback, 'pick up in store');
    assert.equal(slice(text, shownUses[2].tagSpan), '{{.}}');
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['cart-recovery']);
    assert.deepEqual(scan.loopScopes?.map((scope) => [scope.variable, scope.itemPath]), [['.', 'receipt_details[]']]);
  });
});

describe('postmark (Mustachio): syntax errors', () => {
  test('inside `{{#each}}`, `{{.}}` (the item itself) is guarded; its fields are not', () => {
    const scan = postmark.scan('{{#each tags}}<li>{{.}}</li>{{/each}}{{#each items}}{{name}}{{/each}}');
    assert.deepEqual(scan.uses.filter((use) => use.context === 'output').map((use) => [use.path, use.guarded]), [['tags[]', true], ['items[].name', false]]);
  });

  test('Handlebars habits Mustachio does not have are named: `#if`, `{{else}}`, `this`, `@index`, helpers, `{{/if}}` with a space', () => {
    const text = [
      '{{#if person.first_name}}Hi{{/if}}',
      '{{#person}}{{first_name}}{{else}}there{{/person}}',
      '{{#each items}}{{this}} {{@index}}{{/each}}',
      '{{insert name "there"}}',
    ].join('\n');
    const scan = postmark.scan(text);
    const messages = scan.syntaxErrors.map((error) => error.message);
    assert.ok(messages.some((m) => /Postmark's Mustachio has no `if` helper: Postmark rejects the template when it is saved or sent\. Write `\{\{#field\}\}…\{\{\/field\}\}`/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /no `\{\{else\}\}`/.test(m)));
    assert.ok(messages.some((m) => /no `this`: .* Write `\{\{\.\}\}`/.test(m)));
    assert.ok(messages.some((m) => /no `@` variables such as `@index`/.test(m)));
    assert.ok(messages.some((m) => /no helpers \(such as `insert`\)/.test(m)));
    // The `{{#if}}` block is closed by `{{/if}}`: no cascade of unclosed-block errors.
    assert.ok(!messages.some((m) => /never closed/.test(m)), messages.join('\n'));
  });

  test('a stray brace makes a tag raw text, and unclosed or mismatched sections are reported; the scan goes on', () => {
    const { text, offsets } = marked('<p>Hi █{{first_name}, █{{#person}}{{name}}█{{/persons}}</p> <p>{{company_name}}</p>');
    const scan = postmark.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start).sort((a, b) => a - b), offsets);
    const messages = scan.syntaxErrors.map((error) => error.message).join('\n');
    assert.match(messages, /`\{\{first_name\}` is not a Mustachio tag: .* the recipient would see this raw merge syntax/);
    assert.match(messages, /`\{\{#person\}\}` is never closed/);
    // The scan went on; with `{{#person}}` left open, the last tag is read inside its scope.
    assert.ok(scan.uses.some((use) => use.path === 'person.company_name'));
  });
});

describe('postmark (Mustachio): fallback edit and rendering', () => {
  test('the fallback edit writes a section and an inverted section, which the scanner then reads as a guarded fallback', () => {
    const text = '<p>Hi {{person.first_name}}, {{{person.bio}}}</p>';
    const scan = postmark.scan(text);
    const edits = scan.uses.map((use) => postmark.fallbackEdit(text, use, 'there'));
    const fixed = applyEdits(text, edits.filter((edit) => edit !== undefined));
    assert.equal(fixed,
      '<p>Hi {{#person.first_name}}{{.}}{{/person.first_name}}{{^person.first_name}}there{{/person.first_name}}, ' +
      '{{#person.bio}}{{{.}}}{{/person.bio}}{{^person.bio}}there{{/person.bio}}</p>');
    const rescanned = postmark.scan(fixed);
    assert.deepEqual(rescanned.syntaxErrors, []);
    assert.deepEqual(rescanned.uses.filter((use) => use.context === 'output').map((use) => [use.path, use.guarded, use.fallback]), [
      ['person.first_name', true, 'there'],
      ['person.bio', true, 'there'],
    ]);
    assert.equal(postmark.purposeDirective(['cart-recovery']), '{{! mergewise purpose: cart-recovery }}');
  });

  test('renders as Mustachio does: 0, "" and empty objects hide a section, sections scope, `../` reaches out, marks on outputs', () => {
    const text = '{{#person}}Hi {{first_name}}{{/person}}{{^person}}Hi there{{/person}}. {{#points}}{{.}} points{{/points}}{{^points}}No points{{/points}}. {{#each items}}{{title}} from {{../company}}; {{/each}}{{missing}}|{{{ pm:unsubscribe }}}';
    const result = render(text, { person: { first_name: 'Ana' }, points: 0, company: 'Shearly', items: [{ title: 'Tap reader' }] });
    assert.equal(shown(result), 'Hi [value:Ana]. No points. [value:Tap reader] from [value:Shearly]; [blank:]|https://unsubscribe.example/postmark');
    assert.equal(shown(render(text, { person: {}, points: 12, company: 'Shearly', items: [] })), 'Hi there. [value:12] points. [blank:]|https://unsubscribe.example/postmark');
  });

  test('a template Mustachio would refuse is not rendered as if it worked', () => {
    const result = render('{{#if person}}Hi{{/if}}', { person: { first_name: 'Ana' } });
    assert.match(result.error ?? '', /Postmark could not render this template/);
  });
});

describe('postmark (Mustachio): end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { postmark: 'FirstName' } },
      'customer.email': { type: 'string', source: 'declared', required: true },
    },
  });

  test('missing-fallback and unknown-field fire through the `postmark` aliases and through sections', () => {
    const { text, offsets } = marked('<p>Hi {{█FirstName}},</p>{{#customer}}<p>This goes to {{email}} ({{█emial}})</p>{{/customer}}');
    const analysis = analyzeTemplate({ text, relativePath: 'postmark/receipt.html', dialect: postmark, schema, now: NOW });
    const missing = analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.span.start), [offsets[0]]);
    assert.match(missing[0].message, /Mustachio writes nothing for a missing value/);
    assert.match(missing[0].message, /Add `\{\{#FirstName\}\}\{\{\.\}\}\{\{\/FirstName\}\}\{\{\^FirstName\}\}there\{\{\/FirstName\}\}`/);
    const unknown = analysis.diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => d.span.start), [offsets[1]]);
    assert.equal(unknown[0].field, 'customer.emial');
    assert.deepEqual(unknown[0].data?.suggestions, ['customer.email']);
  });

  test('is registered, and detected from its unsubscribe tag', () => {
    assert.equal(getDialect('postmark'), postmark);
    assert.equal(detectDialect('<a href="{{{ pm:unsubscribe }}}">Unsubscribe</a> {{#person}}{{name}}{{/person}}'), 'postmark');
  });
});
