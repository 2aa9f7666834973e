import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { liquid } from '../../server/src/core/dialects/liquid';
import { emailDocument, previewCsp, PREVIEW_CSP } from '../../protocol/src/email-document';
import { isPlainTextTemplate, markedEmailHtml, recipientPage } from '../../server/src/core/preview/html';
import { previewTemplate, type MarkKind, type RecipientPreview } from '../../server/src/core/preview/preview';
import { expandDottedKeys, parseRecipients, selectRecipientFiles, type Recipient } from '../../server/src/core/preview/recipients';
import type { Schema } from '../../server/src/core/schema/types';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  recipients: ['recipients/*.json', 'more/**/*.json'],
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'customer.city': { type: 'string' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    'customer.plan': { type: 'string' },
    first_name: { type: 'string' },
    'cart.items': { type: 'array', items: { fields: { title: { type: 'string' }, price: { type: 'number' } } } },
  },
});

function recipient(json: object | string): Recipient {
  const { recipients, problems } = parseRecipients(typeof json === 'string' ? json : JSON.stringify(json), 'recipients/test.json');
  assert.deepEqual(problems, []);
  assert.equal(recipients.length, 1);
  return recipients[0];
}

function preview(text: string, data: object, schema: Schema | undefined = SCHEMA): RecipientPreview {
  return previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema, recipient: recipient(data), now: NOW });
}

/** The rendering as plain text. */
function rendered(result: RecipientPreview): string {
  return result.segments.map((s) => s.text).join('');
}

/** Marked segments as [kind, field, text]. */
function marks(result: RecipientPreview, kinds: MarkKind[] = ['value', 'fallback', 'blank', 'stale', 'raw']): [MarkKind, string | undefined, string][] {
  return result.segments.filter((s) => s.mark && kinds.includes(s.mark.kind)).map((s) => [s.mark!.kind, s.mark!.field, s.text]);
}

describe('preview: what each recipient sees', () => {
  test('a value is rendered by liquidjs and marked with its field and tag', () => {
    const text = 'Hi {{ customer.first_name | default: "there" }}!';
    const result = preview(text, { customer: { first_name: 'Ana' } });
    assert.equal(rendered(result), 'Hi Ana!');
    assert.deepEqual(marks(result), [['value', 'customer.first_name', 'Ana']]);
    const mark = result.segments[1].mark!;
    assert.equal(text.slice(mark.span!.start, mark.span!.end), '{{ customer.first_name | default: "there" }}');
    assert.equal(result.summary, '0 fallbacks, 0 blanks, 0 stale');
  });

  test('a fallback is marked when the value is missing or empty', () => {
    for (const data of [{}, { customer: { first_name: '' } }, { customer: { first_name: null } }]) {
      const result = preview('Hi {{ customer.first_name | default: "there" }}!', data);
      assert.equal(rendered(result), 'Hi there!');
      assert.deepEqual(marks(result), [['fallback', 'customer.first_name', 'there']]);
      assert.equal(result.counts.fallback, 1);
      assert.match(result.summary, /^1 fallback, 0 blanks/);
    }
  });

  test('a fallback after other filters is still marked as a fallback', () => {
    const result = preview('{{ customer.first_name | upcase | default: "THERE" }}', {});
    assert.deepEqual(marks(result), [['fallback', 'customer.first_name', 'THERE']]);
  });

  test('a blank is marked where the recipient gets nothing', () => {
    const result = preview('<p>Hi {{ customer.first_name }}, welcome to {{ customer.city }}.</p>', { customer: { city: '' } });
    assert.equal(rendered(result), '<p>Hi , welcome to .</p>');
    assert.deepEqual(marks(result), [['blank', 'customer.first_name', ''], ['blank', 'customer.city', '']]);
    assert.equal(result.summary, '0 fallbacks, 2 blanks, 0 stale');
  });

  test('a value older than maxAgeDays by $updatedAt is marked stale, with its date', () => {
    const result = preview('As a {{ customer.job_title }}', {
      customer: { job_title: 'Junior stylist' },
      $updatedAt: { 'customer.job_title': '2021-04-12T11:20:00Z' },
    });
    assert.deepEqual(marks(result), [['stale', 'customer.job_title', 'Junior stylist']]);
    assert.equal(result.segments[1].mark?.updatedAt?.toISOString().slice(0, 10), '2021-04-12');
    assert.equal(result.counts.stale, 1);
  });

  test('a recent value, a value without $updatedAt, or a field without maxAgeDays is not stale', () => {
    const recent = preview('{{ customer.job_title }}', { customer: { job_title: 'Owner' }, $updatedAt: { 'customer.job_title': '2026-06-01' } });
    assert.deepEqual(marks(recent), [['value', 'customer.job_title', 'Owner']]);
    const undated = preview('{{ customer.job_title }}', { customer: { job_title: 'Owner' } });
    assert.deepEqual(marks(undated), [['value', 'customer.job_title', 'Owner']]);
    const noLimit = preview('{{ customer.plan }}', { customer: { plan: 'solo' }, $updatedAt: { 'customer.plan': '2001-01-01' } });
    assert.deepEqual(marks(noLimit), [['value', 'customer.plan', 'solo']]);
  });

  test('raw merge syntax that would reach the inbox is marked', () => {
    const result = preview('Use {% raw %}{{ code }}{% endraw %} and *|FNAME|*', {});
    assert.equal(rendered(result), 'Use {{ code }} and *|FNAME|*');
    assert.deepEqual(marks(result, ['raw']), [['raw', undefined, '{{'], ['raw', undefined, '}}'], ['raw', undefined, '*|FNAME|*']]);
    assert.match(result.summary, /3 raw merge syntax/);
  });

  test('braces in CSS or a script are not raw merge syntax; after them they are again', () => {
    const text = '<style>@media(max-width:600px){.a{width:100%}}</style><script>if(a){b()}}</script><p>{% raw %}{{ x }}{% endraw %}</p>';
    const result = preview(text, {});
    assert.deepEqual(marks(result, ['raw']), [['raw', undefined, '{{'], ['raw', undefined, '}}']]);
    assert.equal(rendered(result), '<style>@media(max-width:600px){.a{width:100%}}</style><script>if(a){b()}}</script><p>{{ x }}</p>');
  });

  test('loop items are rendered and marked with their item field', () => {
    const result = preview('{% for item in cart.items %}<li>{{ item.title }}</li>{% endfor %}', {
      cart: { items: [{ title: 'Card reader' }, { title: 'SMS bundle' }] },
    });
    assert.equal(rendered(result), '<li>Card reader</li><li>SMS bundle</li>');
    assert.deepEqual(marks(result), [['value', 'cart.items[].title', 'Card reader'], ['value', 'cart.items[].title', 'SMS bundle']]);
  });

  test('whitespace control renders as Liquid does', () => {
    const result = preview('<p>\n  {{- customer.first_name | default: "there" -}}\n</p>', {});
    assert.equal(rendered(result), '<p>there</p>');
    assert.deepEqual(marks(result), [['fallback', 'customer.first_name', 'there']]);
  });

  test('Braze `{{${first_name}}}` renders the attribute', () => {
    const result = preview('Hi {{${first_name}}}!', { first_name: 'Ana' });
    assert.equal(rendered(result), 'Hi Ana!');
    assert.deepEqual(marks(result), [['value', 'first_name', 'Ana']]);
  });

  test('non-ASCII values render intact', () => {
    const result = preview('Hallo {{ customer.first_name }} aus {{ customer.city }} 👋', { customer: { first_name: 'Jürgen', city: 'München' } });
    assert.equal(rendered(result), 'Hallo Jürgen aus München 👋');
  });

  test('without a schema, values still render and are marked with their path', () => {
    const result = preview('Hi {{ customer.first_name }}', { customer: { first_name: 'Ana' } }, undefined);
    assert.deepEqual(marks(result), [['value', 'customer.first_name', 'Ana']]);
  });
});

describe('preview: abort_message', () => {
  const text = '{% if customer.first_name == blank %}{% abort_message("no first name on file") %}{% endif %}Hi {{ customer.first_name }}';

  test('abort_message stops the send, with its reason', () => {
    const result = preview(text, {});
    assert.equal(result.aborted, 'no first name on file');
    assert.equal(result.summary, 'send stopped: no first name on file');
    assert.deepEqual(result.segments, []);
  });

  test('the abort does not happen when its condition is false', () => {
    const result = preview(text, { customer: { first_name: 'Ana' } });
    assert.equal(result.aborted, undefined);
    assert.equal(rendered(result), 'Hi Ana');
  });

  test('the reason can be written without parentheses', () => {
    assert.equal(preview("{% abort_message 'opted out' %}", {}).aborted, 'opted out');
  });

  test('the HTML page for an aborted recipient says the email is not sent, and why', () => {
    const page = recipientPage(preview(text, {}), 'welcome.liquid', { plainText: false });
    assert.match(page, /This recipient gets no email: the template stops the send \(no first name on file\)/);
    assert.doesNotMatch(page, /Hi /);
  });
});

describe('preview: errors and limits', () => {
  test('a template liquidjs refuses gives an error, not a crash', () => {
    const result = preview('{% if %}', {});
    assert.match(result.error ?? '', /liquidjs could not render this template/);
    assert.equal(result.summary, 'not rendered');
  });

  test('a runaway loop is stopped by the limits', () => {
    const text = '{% for i in (1..100000000) %}x{% endfor %}';
    const result = previewTemplate({
      text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient: recipient({}), now: NOW,
      limits: { timeMs: 200, outputChars: 1000, memory: 10_000 },
    });
    assert.ok(result.error, 'expected the rendering to be stopped');
  });

  test('output over the limit is cut, with a message', () => {
    const text = '{% for i in (1..500) %}abcdefghij{% endfor %}';
    const result = previewTemplate({
      text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient: recipient({}), now: NOW,
      limits: { timeMs: 2000, outputChars: 100, memory: 50_000_000 },
    });
    assert.match(result.error ?? '', /longer than 100 characters and was cut off/);
  });
});

describe('preview: HTML', () => {
  test('marks become <mark> elements with a title, except inside an HTML tag', () => {
    const text = '<a href="/u?n={{ customer.first_name | default: "x" }}">Hi {{ customer.first_name | default: "there" }}</a>';
    const html = markedEmailHtml(preview(text, {}), { plainText: false });
    const tag = '{{ customer.first_name | default: "there" }}';
    const start = text.indexOf(tag);
    assert.equal(html, `<a href="/u?n=x">Hi <mark class="mw mw-fallback" title="fallback used: customer.first_name" data-start="${start}" data-end="${start + tag.length}">there</mark></a>`);
  });

  test('no mark inside <title>, <style> or other text-only elements, where it would show as text or break CSS', () => {
    const text = '<title>For {{ customer.city }}</title><style>.c{color:{{ customer.plan }}}</style><p>1 < 2: {{ customer.city }}</p>';
    const html = markedEmailHtml(preview(text, { customer: { city: 'Lisbon', plan: 'red' } }), { plainText: false });
    assert.ok(html.startsWith('<title>For Lisbon</title><style>.c{color:red}</style><p>1 < 2: <mark class="mw mw-value"'), html);
    assert.equal([...html.matchAll(/<mark /g)].length, 1);
  });

  test('plain text is escaped and shown monospaced', () => {
    const html = markedEmailHtml(preview('1 < 2 & {{ customer.city }}', { customer: { city: '<b>' } }), { plainText: true });
    assert.match(html, /^<pre class="mw-plain">1 &lt; 2 &amp; <mark class="mw mw-value"[^>]*>&lt;b&gt;<\/mark><\/pre>$/);
  });

  test('the CLI page and the editor\'s frame are one renderer: same marks, the CSP before any template byte', () => {
    const text = '<head><meta http-equiv="refresh" content="0;url=https://evil.example"><script>x()</script></head><p>Hi {{ customer.city }}</p>';
    const result = preview(text, { customer: { city: 'Lisbon' } });
    const body = markedEmailHtml(result, { plainText: false });
    const page = recipientPage(result, 't.liquid', { plainText: false });
    const frame = emailDocument(body, { title: 't.liquid for test', remote: false });
    const start = text.indexOf('{{ customer.city }}');
    const mark = `<mark class="mw mw-value" title="value: customer.city" data-start="${start}" data-end="${start + 19}">Lisbon</mark>`;
    for (const document of [page, frame]) {
      assert.ok(document.includes(mark), document);
      assert.ok(document.indexOf(`content="${PREVIEW_CSP}"`) < document.indexOf('<script>'));
      assert.match(document, /<meta data-mw-disabled-http-equiv="refresh"/);
      assert.doesNotMatch(document, /<meta http-equiv="refresh"/);
    }
  });

  test('remote content is allowed only when asked for, and only https: images, fonts and CSS', () => {
    assert.equal(previewCsp(false), PREVIEW_CSP);
    assert.equal(previewCsp(true), "default-src 'none'; style-src 'unsafe-inline' https:; img-src data: https:; font-src data: https:; base-uri 'none'; form-action 'none'");
    assert.match(emailDocument('', { title: 't', remote: true }), /img-src data: https:/);
  });

  test('plain-text templates are .txt and .text files', () => {
    assert.equal(isPlainTextTemplate('emails/welcome.TXT'), true);
    assert.equal(isPlainTextTemplate('emails/welcome.text'), true);
    assert.equal(isPlainTextTemplate('emails/welcome.html'), false);
  });

  test('the page forbids scripts and remote content', () => {
    const page = recipientPage(preview('Hi', {}), 't.liquid', { plainText: false });
    assert.ok(page.includes(`content="${PREVIEW_CSP}"`));
    assert.match(PREVIEW_CSP, /default-src 'none'/);
    assert.doesNotMatch(PREVIEW_CSP, /script-src/);
  });
});

describe('recipient files', () => {
  test('one object is one recipient, named by $name, with $jurisdiction and $updatedAt', () => {
    const { recipients, problems } = parseRecipients(JSON.stringify({
      $name: 'Ana Reyes', $jurisdiction: 'US-CA', $updatedAt: { 'customer.city': '2026-11-25T18:40:00Z' },
      customer: { city: 'Oakland' },
    }), 'recipients/ana.json');
    assert.deepEqual(problems, []);
    assert.equal(recipients[0].name, 'Ana Reyes');
    assert.equal(recipients[0].jurisdiction, 'US-CA');
    assert.deepEqual(recipients[0].data, { customer: { city: 'Oakland' } });
    assert.equal(recipients[0].updatedAt.get('customer.city')?.toISOString(), '2026-11-25T18:40:00.000Z');
  });

  test('without $name, a recipient is named after its file', () => {
    assert.equal(parseRecipients('{}', 'recipients/ben-missing-data.json').recipients[0].name, 'ben-missing-data');
  });

  test('an array holds several recipients, numbered when unnamed', () => {
    const { recipients } = parseRecipients('[{"$name": "A"}, {}, {}]', 'recipients/batch.json');
    assert.deepEqual(recipients.map((r) => r.name), ['A', 'batch #2', 'batch #3']);
  });

  test('dotted keys become nested data and merge with nested keys', () => {
    const { recipients } = parseRecipients('{"customer.first_name": "Ana", "customer": {"city": "Oakland"}, "cart.items": [{"title": "x"}]}', 'r.json');
    assert.deepEqual(recipients[0].data, { customer: { first_name: 'Ana', city: 'Oakland' }, cart: { items: [{ title: 'x' }] } });
    assert.deepEqual(expandDottedKeys({ 'a.b.c': 1, a: { 'b.d': 2 } }), { a: { b: { c: 1, d: 2 } } });
  });

  test('comments and trailing commas are allowed', () => {
    const { recipients, problems } = parseRecipients('{\n // sample\n "x": 1,\n}', 'r.json');
    assert.deepEqual(problems, []);
    assert.deepEqual(recipients[0].data, { x: 1 });
  });

  test('bad JSON is reported as file:line:col with what was expected, and gives no recipients', () => {
    const { recipients, problems } = parseRecipients('{\n  "customer": {\n    "city": \n  }\n}', 'recipients/bad.json');
    assert.deepEqual(recipients, []);
    assert.deepEqual(problems, ['recipients/bad.json:4:3: invalid JSON (value expected).']);
  });

  test('an entry that is not an object is reported with its index; the others still load', () => {
    const { recipients, problems } = parseRecipients('[{"x": 1}, "ana", null]', 'recipients/r.json');
    assert.equal(recipients.length, 1);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^recipients\/r.json \(recipient 2\): expected a recipient object such as/);
    assert.match(problems[1], /\(recipient 3\)/);
  });

  test('a bad $updatedAt is reported, and the recipient still loads', () => {
    const bad = parseRecipients('{"$updatedAt": {"customer.city": "last tuesday"}, "x": 1}', 'r.json');
    assert.equal(bad.recipients.length, 1);
    assert.deepEqual(bad.problems, ['r.json: "$updatedAt"."customer.city" is not an ISO date (found "last tuesday").']);
    const notAnObject = parseRecipients('{"$updatedAt": "2026-01-01"}', 'r.json');
    assert.match(notAnObject.problems[0], /"\$updatedAt" must map field paths to ISO dates/);
  });

  test('recipient files are selected by the schema\'s `recipients` globs, in order', () => {
    const files = ['recipients/b.json', 'recipients/a.json', 'recipients/notes.txt', 'emails/x.json', 'more/deep/c.json'];
    assert.deepEqual(selectRecipientFiles(SCHEMA, files), ['more/deep/c.json', 'recipients/a.json', 'recipients/b.json']);
  });
});
