import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { getDialect } from '../../server/src/core/dialects/registry';
import { sendgrid } from '../../server/src/core/dialects/sendgrid';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function uses(scan: TemplateScan, path: string): FieldUse[] {
  return scan.uses.filter((use) => use.path === path);
}

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>): RenderResult {
  return sendgrid.render({ text, scan: sendgrid.scan(text), data, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
}

/** A SendGrid dynamic template for the Shearly Shop order receipt, in the style of SendGrid's examples. */
const RECEIPT = `{{!-- mergewise purpose: cart-recovery --}}
<p>Hello {{insert █user.profile.firstName "default=Customer"}}! Thank you for contacting us about {{insert █businessName "your business"}}.</p>
<p>Ordered {{formatDate █order.placedAt "MMMM D, YYYY h:mm A" "-0800"}}</p>
{{#greaterThan (length █order.items) 0}}
  <ol>{{#each █order.items}}<li>{{█this.item}} on {{█this.date}}</li>{{/each}}</ol>
{{else}}
  <p>Thanks for browsing our site.</p>
{{/greaterThan}}
<p>{{█@root.supportPhone}}</p>
<a href="{{{unsubscribe}}}">Unsubscribe</a> {{Sender_Name}}, {{Sender_City}}`;

describe('sendgrid: scanning', () => {
  test('outputs, `insert` fallbacks (with or without `default=`), `formatDate`, `length`, loops and `@root` have exact ranges', () => {
    const { text, offsets } = marked(RECEIPT);
    const scan = sendgrid.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context, use.fallback, use.filters.join(',')]), [
      ['user.profile.firstName', 'output', 'Customer', 'insert'],
      ['businessName', 'output', 'your business', 'insert'],
      ['order.placedAt', 'output', null, 'formatDate'],
      ['order.items', 'condition', null, 'length'],
      ['order.items', 'loop', null, ''],
      ['order.items[].item', 'output', null, ''],
      ['order.items[].date', 'output', null, ''],
      ['supportPhone', 'output', null, ''],
    ]);
    // `(length order.items)` above 0 means the list has items: the loop inside is guarded.
    assert.equal(uses(scan, 'order.items')[1].guarded, true);
    // SendGrid's unsubscribe and sender tags are not recipient data.
    assert.ok(!scan.uses.some((use) => /unsubscribe|Sender_/.test(use.path)));
    assert.equal(scan.branchGroups.length, 1);
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['cart-recovery']);
  });

  test('comparison helpers guard what they prove has a value, and chained `{{else …}}` branches form one group', () => {
    const text = [
      '{{#equals customer.plan "trial"}}{{customer.plan}}{{/equals}}',
      '{{#notEquals customer.city ""}}{{customer.city}}{{/notEquals}}',
      '{{#greaterThan cart.total 0}}{{cart.total}}{{/greaterThan}}',
      '{{#lessThan customer.bookings 10}}{{customer.bookings}}{{/lessThan}}',
      '{{#and customer.first_name customer.last_name}}{{customer.first_name}} {{customer.last_name}}{{/and}}',
      '{{#or customer.nickname customer.title}}{{customer.nickname}}{{/or}}',
      '{{#if user.profile.male}}Dear Sir{{else if user.profile.female}}Dear Madame{{else equals user.lang "fr"}}Bonjour{{else}}Dear Customer{{/if}}',
    ].join('\n');
    const scan = sendgrid.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    const guarded = Object.fromEntries(scan.uses.filter((use) => use.context === 'output').map((use) => [use.path, use.guarded]));
    assert.deepEqual(guarded, {
      'customer.plan': true, 'customer.city': true, 'cart.total': true, 'customer.bookings': false,
      'customer.first_name': true, 'customer.last_name': true, 'customer.nickname': false,
    });
    const salutation = scan.branchGroups[scan.branchGroups.length - 1];
    assert.deepEqual(salutation.branches.map((branch) => slice(text, branch.body)), ['Dear Sir', 'Dear Madame', 'Bonjour', 'Dear Customer']);
  });
});

describe('sendgrid: syntax errors', () => {
  test('helpers SendGrid does not document, sections and partials are refused with a specific message', () => {
    const { text, offsets } = marked('{{#█equal a "b"}}x{{/equal}} {{#with customer}}{{/with}} {{#customer}}{{/customer}} █{{> footer}} {{█upper name}}');
    const scan = sendgrid.scan(text);
    const starts = scan.syntaxErrors.map((error) => error.span.start);
    for (const offset of offsets) assert.ok(starts.includes(offset), `expected an error at ${offset}: ${JSON.stringify(scan.syntaxErrors)}`);
    const messages = scan.syntaxErrors.map((error) => error.message).join('\n');
    assert.match(messages, /`equal` is not a block helper SendGrid knows.*Did you mean `equals`\?/);
    assert.match(messages, /`with` is not a block helper SendGrid knows/);
    assert.match(messages, /`\{\{#customer\}\}` is a Mustache section, which SendGrid does not support/);
    assert.match(messages, /SendGrid templates cannot include partials/);
    assert.match(messages, /SendGrid cannot render the template and the send fails/);
  });

  test('a comparison without its second value and an unbalanced `{{/if}}` are reported, and the scan goes on', () => {
    const { text, offsets } = marked('█{{#equals customer.plan}}x{{/equals}} █{{/if}} {{customer.city}}');
    const scan = sendgrid.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start), offsets);
    assert.match(scan.syntaxErrors[0].message, /`\{\{#equals\}\}` needs 2 values/);
    assert.ok(scan.uses.some((use) => use.path === 'customer.city'));
  });
});

describe('sendgrid: fallback edit and rendering', () => {
  test('the fallback is written with `insert … "default=…"`, added to a bare `insert`, or wrapped in `{{#if}}` around other helpers', () => {
    const text = '{{first_name}} {{{company}}} {{insert city}} {{formatDate renews_at "MMMM D"}}';
    const scan = sendgrid.scan(text);
    const edits = scan.uses.map((use) => sendgrid.fallbackEdit(text, use, 'a "friend"'));
    const fixed = applyEdits(text, edits.filter((edit) => edit !== undefined));
    assert.equal(fixed,
      '{{insert first_name "default=a \\"friend\\""}} {{{insert company "default=a \\"friend\\""}}} {{insert city "default=a \\"friend\\""}} ' +
      '{{#if renews_at}}{{formatDate renews_at "MMMM D"}}{{else}}a "friend"{{/if}}');
    const rescanned = sendgrid.scan(fixed);
    assert.deepEqual(rescanned.syntaxErrors, []);
    assert.ok(rescanned.uses.filter((use) => use.context === 'output').every((use) => use.fallback === 'a "friend"' || use.guarded));
  });

  test("renders SendGrid's helpers as documented: defaults, moment tokens at an offset, coercing `equals`, `length`, `and`/`or` truthiness", () => {
    const text = [
      'Hello {{insert name "default=Customer"}}, about {{insert businessName "your business"}}.',
      'Join us {{formatDate timeStamp "MMMM DD, YYYY h:mm:ss A"}} / {{formatDate timeStamp "MMMM DD, YYYY h:mm:ss A" "-0800"}}',
      '{{#equals code "3"}}match{{else}}no match{{/equals}} {{#greaterThan (length cart) 0}}items{{else}}empty{{/greaterThan}}',
      '{{#and food drink}}both{{else}}not both{{/and}} {{#or zero blank}}any{{else}}none{{/or}}',
    ].join('\n');
    const result = render(text, { name: 'Ben', timeStamp: '2020-01-01T23:00:00.000Z', code: 3, cart: [], food: 'Pasta', drink: '', zero: 0, blank: '' });
    assert.equal(result.error, undefined);
    assert.equal(shown(result), [
      'Hello [value:Ben], about [fallback:your business].',
      'Join us [value:January 01, 2020 11:00:00 PM] / [value:January 01, 2020 3:00:00 PM]',
      'match empty',
      'not both none',
    ].join('\n'));
  });

  test('the preview shows unsubscribe-group tags as the addresses they stand for, not raw', () => {
    const result = render('<a href="<%asm_group_unsubscribe_raw_url%>">Leave</a> <a href="<%asm_preferences_raw_url%>">Prefs</a> <%not_a_tag%>', {});
    assert.equal(result.output, '<a href="https://unsubscribe.example/sendgrid/group">Leave</a> <a href="https://preferences.example/sendgrid">Prefs</a> <%not_a_tag%>');
  });

  test('the preview marks fallbacks and blanks per recipient', () => {
    const schema = schemaOf({ fields: { 'customer.first_name': { type: 'string', fallback: 'there' }, 'customer.city': { type: 'string' } } });
    const text = 'Hi {{insert customer.first_name "default=there"}} from {{customer.city}}';
    const preview = previewTemplate({
      text, dialect: sendgrid, scan: sendgrid.scan(text), schema, now: NOW,
      recipient: { name: 'Ben', file: 'ben.json', data: { customer: { first_name: '' } }, updatedAt: new Map() },
    });
    assert.deepEqual(preview.segments.filter((s) => s.mark).map((s) => [s.mark?.kind, s.mark?.field, s.text]), [
      ['fallback', 'customer.first_name', 'there'],
      ['blank', 'customer.city', ''],
    ]);
    assert.equal(preview.summary, '1 fallback, 1 blank, 0 stale');
  });
});

describe('sendgrid: end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { sendgrid: 'firstName' } },
      'customer.plan': { type: 'string', source: 'transactional', required: true, aliases: { sendgrid: 'plan' } },
      'subscription.renews_at': { type: 'date', source: 'transactional', aliases: { sendgrid: 'renewsAt' } },
    },
  });

  test('missing-fallback, unknown-field and type-mismatch fire through the `sendgrid` aliases', () => {
    const { text, offsets } = marked('<p>Hi {{█firstName}}, your {{formatDate █plan "MM/DD/YYYY"}} plan renews {{formatDate █renewsAt "MMMM D"}}. {{█frstName}}</p>');
    const analysis = analyzeTemplate({ text, relativePath: 'sendgrid/renewal.html', dialect: sendgrid, schema, now: NOW });
    const byRule = (rule: string) => analysis.diagnostics.filter((d) => d.rule === rule);
    assert.deepEqual(byRule('missing-fallback').map((d) => d.span.start), [offsets[0], offsets[2]]);
    assert.match(byRule('missing-fallback')[0].message, /Add `\{\{insert firstName "default=there"\}\}`/);
    assert.match(byRule('missing-fallback')[0].message, /SendGrid renders a missing value as empty text/);
    assert.deepEqual(byRule('type-mismatch').map((d) => d.span.start), [offsets[1]]);
    // Around another helper, the fallback is a wrapping `{{#if}}`.
    assert.match(byRule('missing-fallback')[1].message, /\{\{#if renewsAt\}\}\{\{formatDate renewsAt "MMMM D"\}\}\{\{else\}\}…\{\{\/if\}\}/);
    assert.deepEqual(byRule('unknown-field').map((d) => d.span.start), [offsets[3]]);
    assert.deepEqual(byRule('unknown-field')[0].data?.suggestions, ['firstName']);
    assert.equal(byRule('syntax-error').length, 0);
  });

  test('is registered, and detected from `insert` and its comparison helpers', () => {
    assert.equal(getDialect('sendgrid'), sendgrid);
    assert.equal(detectDialect('<p>Hello {{insert name "default=Customer"}}</p>'), 'sendgrid');
    assert.equal(detectDialect('{{#greaterThan score 10}}win{{/greaterThan}}'), 'sendgrid');
  });
});
