import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type RenderResult } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { hml } from '../../server/src/core/dialects/hml';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

/** An Account Engagement list email, as the Lightning email builder writes HML. */
const INVITE = `{{!-- mergewise purpose: meetup-invites --}}
<p>{{#if █Recipient.FirstName}}Hi {{█Recipient.FirstName}},{{else}}Hi there,{{/if}}</p>
<p>Your salon {{{█Recipient.Company}}} in {{█Recipient.City}} is invited.</p>
{{#unless █Recipient.Phone}}<p>Add a phone number to get SMS reminders.</p>{{/unless}}
<p>{{Sender.FullName}}, {{Sender.Title}} · © {{Current_Year}}</p>
<a href="{{{EmailPreferenceCenter}}}">Preferences</a> <a href="{{{Unsubscribe}}}">Unsubscribe</a> <a href="{{View_Online}}">View online</a>`;

describe('hml (Account Engagement): scanning', () => {
  test('`Recipient.*` fields have exact ranges; sender, date and link tags are the platform\'s own', () => {
    const { text, offsets } = marked(INVITE);
    const scan = hml.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context, use.guarded]), [
      ['Recipient.FirstName', 'condition', false],
      ['Recipient.FirstName', 'output', true],
      ['Recipient.Company', 'output', false],
      ['Recipient.City', 'output', false],
      ['Recipient.Phone', 'condition', false],
    ]);
    // "Hi {{x}}," is not just the value, so "Hi there," is alternative copy rather than its fallback.
    assert.equal(scan.uses[1].fallback, null);
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['meetup-invites']);
    assert.equal(scan.branchGroups.length, 1);
  });

  test('`{{#if x}}{{x}}{{else}}there{{/if}}` is read as a guarded output with a fallback', () => {
    const scan = hml.scan('Hi {{#if Recipient.FirstName}}{{Recipient.FirstName}}{{else}}there{{/if}},');
    const output = scan.uses.find((use) => use.context === 'output');
    assert.equal(output?.guarded, true);
    assert.equal(output?.fallback, 'there');
  });
});

describe('hml (Account Engagement): syntax errors', () => {
  test('conditionals nest at most three deep: the fourth is refused, and the scan goes on', () => {
    const { text, offsets } = marked([
      '{{#if Recipient.Country}}{{#if Recipient.State}}{{#unless Recipient.City}}',
      '  █{{#if Recipient.Zip}}near {{Recipient.Zip}}{{/if}}',
      '{{/unless}}{{/if}}{{/if}}',
      '{{#if Recipient.A}}{{#if Recipient.B}}{{#if Recipient.C}}three is fine{{/if}}{{/if}}{{/if}}',
      '{{Recipient.Company}}',
    ].join('\n'));
    const scan = hml.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start), offsets);
    assert.match(scan.syntaxErrors[0].message, /conditional number 4 in a nest of conditionals, and Account Engagement HML allows at most 3 deep: Account Engagement will not save or send the email/);
    assert.ok(scan.uses.some((use) => use.path === 'Recipient.Company'));
  });

  test('HML has no loops, helpers, comparisons, sections or `else if`: each is named', () => {
    const text = [
      '{{#each Recipient.Orders}}x{{/each}}',
      '{{#if (eq Recipient.Country "US")}}US{{/if}}',
      '{{#if Recipient.A}}a{{else if Recipient.B}}b{{/if}}',
      '{{#Recipient.FirstName}}x{{/Recipient.FirstName}}',
      '{{upper Recipient.FirstName}}',
      '{{#if}}empty{{/if}}',
    ].join('\n');
    const messages = hml.scan(text).syntaxErrors.map((error) => error.message);
    const expected = [
      /`each` is not a block helper Account Engagement HML knows: .* knows the block helpers `if`, `unless`/,
      /conditions only test whether one field has a value/,
      /has no `\{\{else if\}\}`: .* Nest a second `\{\{#if\}\}` inside `\{\{else\}\}` \(at most 3 conditionals deep\)/,
      /is a Mustache section, which Account Engagement HML does not support/,
      /`upper` is not a helper Account Engagement HML knows/,
      /`\{\{#if\}\}` needs a value/,
    ];
    for (const pattern of expected) assert.ok(messages.some((m) => pattern.test(m)), `${pattern} not in:\n${messages.join('\n')}`);
  });
});

describe('hml (Account Engagement): fallback edit and rendering', () => {
  test('the fallback is an `{{#if}}…{{else}}…{{/if}}`, except where it would nest a fourth conditional', () => {
    const text = 'Hi {{Recipient.FirstName}} {{#if a}}{{#if b}}{{#if c}}{{Recipient.City}}{{/if}}{{/if}}{{/if}}';
    const scan = hml.scan(text);
    const [first, city] = scan.uses.filter((use) => use.context === 'output');
    const edit = hml.fallbackEdit(text, first, 'there');
    assert.equal(edit?.newText, '{{#if Recipient.FirstName}}{{Recipient.FirstName}}{{else}}there{{/if}}');
    assert.equal(hml.fallbackEdit(text, city, 'your area'), undefined);
    const fixed = applyEdits(text, [edit!]);
    assert.deepEqual(hml.scan(fixed).syntaxErrors, []);
  });

  test('renders `Recipient.*` from the schema paths of the recipient data, with sender placeholders and marks', () => {
    const text = '{{#if Recipient.FirstName}}Hi {{Recipient.FirstName}}{{else}}Hi there{{/if}}, {{Recipient.City}}. {{Sender.FullName}}';
    const scan = hml.scan(text);
    const schemaPaths: Record<string, string> = { 'Recipient.FirstName': 'customer.first_name', 'Recipient.City': 'customer.city' };
    const render = (data: Record<string, unknown>) => hml.render({
      text, scan, data, schemaPathOf: (index) => schemaPaths[scan.uses[index].path], limits: DEFAULT_RENDER_LIMITS,
    });
    assert.equal(shown(render({ customer: { first_name: 'Ana', city: 'Oakland' } })), 'Hi [value:Ana], [value:Oakland]. Alex Rivera');
    assert.equal(shown(render({ customer: { first_name: '' } })), 'Hi there, [blank:]. Alex Rivera');
  });
});

describe('hml (Account Engagement): end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { hml: 'Recipient.FirstName' } },
      'customer.city': { type: 'string', source: 'observed', aliases: { hml: 'Recipient.City' } },
    },
  });

  test('missing-fallback names the field default of Account Engagement; unknown-field suggests the alias', () => {
    const { text, offsets } = marked('<p>Hi {{█Recipient.FirstName}}, see you in {{#if Recipient.City}}{{Recipient.City}}{{else}}your city{{/if}} {{█Recipient.Frstname}}</p>');
    const analysis = analyzeTemplate({ text, relativePath: 'account-engagement/invite.html', dialect: hml, schema, now: NOW });
    const missing = analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.span.start), [offsets[0]]);
    assert.match(missing[0].message, /the default value set for the field in Account Engagement/);
    assert.match(missing[0].message, /Add `\{\{#if Recipient\.FirstName\}\}\{\{Recipient\.FirstName\}\}\{\{else\}\}there\{\{\/if\}\}`/);
    const unknown = analysis.diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => d.span.start), [offsets[1]]);
    assert.deepEqual(unknown[0].data?.suggestions, ['Recipient.FirstName']);
  });

  test('is registered, and detected from `Recipient.` fields', () => {
    assert.equal(getDialect('hml'), hml);
    assert.equal(detectDialect('<p>Hi {{Recipient.FirstName}}</p>'), 'hml');
  });
});
