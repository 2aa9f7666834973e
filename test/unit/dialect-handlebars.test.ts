import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { handlebars, handlebarsWithHelpers } from '../../server/src/core/dialects/handlebars';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function only(scan: TemplateScan, path: string): FieldUse {
  const found = scan.uses.filter((use) => use.path === path);
  assert.equal(found.length, 1, `expected one use of ${path}, found ${JSON.stringify(scan.uses.map((u) => u.path))}`);
  return found[0];
}

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

/** The rendering with each field output written `[kind:text]`. */
function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined, limits = DEFAULT_RENDER_LIMITS): RenderResult {
  return handlebars.render({ text, scan: handlebars.scan(text), data, schemaPathOf, limits });
}

/** An Amazon SES welcome template, as the sign-up service sends it with SendTemplatedEmail. */
const SES_WELCOME = `{{!-- SES template "shearly-welcome". mergewise purpose: onboarding --}}
<h1>{{#if customer.first_name}}Welcome, {{█customer.first_name}}!{{else}}Welcome to Shearly!{{/if}}</h1>
<p>You picked the {{█customer.plan}} plan.</p>
<ul>
{{#each █cart.items as |item|}}
  <li>{{@index}}. {{█item.title}}: \${{█this.price}} (for {{█../customer.email}})</li>
{{/each}}
</ul>
{{#with customer}}<p>{{█city}}</p>{{/with}}
<p>Trial ends {{█@root.trial.ends_at}}</p>
<a href="{{amazonSESUnsubscribeUrl}}">Unsubscribe</a>`;

describe('handlebars (SES, Mailgun): scanning', () => {
  test('every reference has its exact range, resolved through loops, block params, `this`, `../`, `#with` and `@root`', () => {
    const { text, offsets } = marked(SES_WELCOME);
    const scan = handlebars.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    const outputs = scan.uses.filter((use) => use.context !== 'condition');
    assert.deepEqual(outputs.map((use) => [use.path, use.context]), [
      ['customer.first_name', 'output'],
      ['customer.plan', 'output'],
      ['cart.items', 'loop'],
      ['cart.items[].title', 'output'],
      ['cart.items[].price', 'output'],
      ['customer.email', 'output'],
      ['customer.city', 'output'],
      ['trial.ends_at', 'output'],
    ]);
    assert.deepEqual(outputs.map((use) => use.span.start), offsets);
    assert.deepEqual(outputs.map((use) => use.written), [
      'customer.first_name', 'customer.plan', 'cart.items', 'item.title', 'this.price', '../customer.email', 'city', '@root.trial.ends_at',
    ]);
    assert.equal(slice(text, only(scan, 'cart.items[].price').tagSpan), '{{this.price}}');
    // `@index` is a loop variable and the unsubscribe link is SES's own: neither is recipient data.
    assert.ok(!scan.uses.some((use) => use.written.startsWith('@index') || use.written === 'amazonSESUnsubscribeUrl'));
    assert.deepEqual(scan.purposeDirectives.map((d) => [d.purpose, slice(text, d.span)]), [['onboarding', 'onboarding']]);
    assert.deepEqual(scan.loopScopes?.map((scope) => [scope.variable, scope.itemPath]), [['item', 'cart.items[]']]);
  });

  test('`{{#if x}}{{x}}{{else}}there{{/if}}` is a guard with a fallback; `{{#unless}}` guards its `{{else}}`', () => {
    const text = '{{#if customer.first_name}}{{customer.first_name}}{{else}}there{{/if}} {{#unless customer.city}}your area{{else}}{{customer.city}}{{/unless}} {{#if customer.city}}near you{{else}}{{customer.plan}}{{/if}}';
    const scan = handlebars.scan(text);
    const name = scan.uses.find((use) => use.path === 'customer.first_name' && use.context === 'output');
    assert.equal(name?.guarded, true);
    assert.equal(name?.fallback, 'there');
    const city = scan.uses.find((use) => use.path === 'customer.city' && use.context === 'output');
    assert.equal(city?.guarded, true);
    assert.equal(city?.fallback, 'your area');
    // The `{{else}}` of `{{#if customer.city}}` guards nothing.
    assert.equal(only(scan, 'customer.plan').guarded, false);
  });

  test("Mailgun's `{{#equal}}` guards the field it compares with a value; chained `{{else if}}` branches form one group", () => {
    const text = '{{#equal customer.plan "trial"}}{{customer.plan}}{{/equal}}\n{{#if a}}A{{else if b}}B{{else}}C{{/if}}';
    const scan = handlebars.scan(text);
    assert.equal(scan.uses.find((use) => use.context === 'output')?.guarded, true);
    assert.equal(scan.branchGroups.length, 1);
    assert.deepEqual(scan.branchGroups[0].branches.map((branch) => slice(text, branch.body)), ['A', 'B', 'C']);
    assert.deepEqual(scan.branchGroups[0].branches.map((branch) => slice(text, branch.tagSpan)), ['{{#if a}}', '{{else if b}}', '{{else}}']);
  });

  test('an escaped `\\{{x}}` is text, not a field', () => {
    assert.deepEqual(handlebars.scan('Type \\{{client.first_name}} in the reminder').uses, []);
  });
});

describe('handlebars (SES, Mailgun): syntax errors', () => {
  test('unclosed tags and blocks, stray and mismatched closers are reported where they are, and scanning goes on', () => {
    const { text, offsets } = marked([
      '{{#if customer.first_name}}Hi {{customer.first_name}}',
      '<p>{{customer.plan}} █{{customer.city</p>',
      '█{{#each cart.items}}{{title}}{{/if}}',
      '█{{/each}}',
      '█{{#unless customer.plan}}free█{{/unless}',
      '<p>{{trial.ends_at}}</p>',
    ].join('\n'));
    const scan = handlebars.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start).sort((a, b) => a - b), offsets);
    // After every mistake the scan went on: the last output is still found.
    assert.ok(scan.uses.some((use) => use.path === 'trial.ends_at'));
    const messages = scan.syntaxErrors.map((error) => error.message).join('\n');
    assert.match(messages, /`\{\{customer\.city<\/p>` is never closed with `\}\}`/);
    assert.match(messages, /Amazon SES and Mailgun cannot render the template/);
    assert.match(messages, /`\{\{#each cart\.items\}\}` is never closed: `\{\{\/if\}\}` closes an outer block first/);
    assert.match(messages, /`\{\{\/each\}\}` closes a block that was never opened/);
  });

  test('a string may hold `}}` however long it is, and an escaped quote does not close it', () => {
    const text = `{{#if customer.name}}{{lookup customer "${'x'.repeat(300)} }}"}}{{/if}}`;
    assert.equal(handlebars.scan(text).uses[1]?.tagSpan.end, text.length - '{{/if}}'.length);
    // Every quote escaped: no string closes on the line, each quote is a stray character, and each tag ends at the next.
    const escaped = handlebars.scan('{{ \\"'.repeat(100));
    assert.deepEqual(escaped.syntaxErrors.map((error) => [error.span.start, error.span.end]), Array.from({ length: 100 }, (_, i) => [i * 5, i * 5 + 5]));
  });

  test('unknown block helpers, a misplaced `{{else}}` and a brace mismatch are named specifically; a partial is an include', () => {
    const scan = handlebars.scan('{{#unles customer.city}}x{{/unles}} {{else}} {{{customer.plan}} {{> footer}} {{lookup}}');
    const messages = scan.syntaxErrors.map((error) => error.message);
    assert.ok(messages.some((m) => /`unles` is not a block helper .* Did you mean `unless`\?/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /`\{\{else\}\}` is outside any block/.test(m)));
    assert.ok(messages.some((m) => /opens with three braces but closes with two/.test(m)));
    assert.ok(!messages.some((m) => /partial/.test(m)), 'handlebars.js and the tools teams send with register partials');
    assert.deepEqual(scan.includes?.map((site) => site.name), ['footer']);
  });

  test('names of Object\'s own methods are fields or unknown helpers, never helpers', () => {
    const scan = handlebars.scan('{{toString}} {{__proto__}} {{#constructor}}x{{/constructor}} {{valueOf customer.city}}');
    assert.deepEqual(scan.uses.map((use) => use.path), ['toString', '__proto__', 'constructor', 'customer.city']);
    assert.ok(scan.syntaxErrors.some((error) => /`valueOf` is not a helper/.test(error.message)), scan.syntaxErrors.map((e) => e.message).join('\n'));
  });

  test('an unterminated string or parenthesis inside a tag is reported at its own range', () => {
    const { text, offsets } = marked('{{lookup customer █"plan}}\n{{#if █(lookup a "b"}}x{{/if}}');
    const scan = handlebars.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start), offsets);
  });
});

describe('handlebars (SES, Mailgun): fallback edit, directives, rendering', () => {
  test('the fallback edit moves the tag\'s whitespace control onto the `{{#if}}` and `{{/if}}` around it: the output is unchanged for a recipient with the value', () => {
    const text = '<p>Hi\n  {{~user.name~}}\n  !</p>';
    const fixed = applyEdits(text, [handlebars.fallbackEdit(text, handlebars.scan(text).uses[0], 'there')!]);
    assert.equal(fixed, '<p>Hi\n  {{~#if user.name}}{{~user.name~}}{{else}}there{{/if~}}\n  !</p>');
    assert.equal(shown(render(fixed, { user: { name: 'Ana' } })), shown(render(text, { user: { name: 'Ana' } })));
    assert.equal(shown(render(fixed, {})), '<p>Hithere!</p>');
  });

  test('the fallback edit wraps the output in `{{#if}}…{{else}}…{{/if}}`, after which nothing is unguarded', () => {
    const text = '<p>Hi {{customer.first_name}},</p> {{{customer.city}}}';
    const scan = handlebars.scan(text);
    const edits = scan.uses.map((use) => handlebars.fallbackEdit(text, use, 'there {friend}'));
    assert.deepEqual(edits.map((edit) => edit?.newText), [
      '{{#if customer.first_name}}{{customer.first_name}}{{else}}there friend{{/if}}',
      '{{#if customer.city}}{{{customer.city}}}{{else}}there friend{{/if}}',
    ]);
    const fixed = applyEdits(text, edits.filter((edit) => edit !== undefined));
    const rescanned = handlebars.scan(fixed);
    assert.deepEqual(rescanned.syntaxErrors, []);
    assert.ok(rescanned.uses.filter((use) => use.context === 'output').every((use) => use.guarded && use.fallback === 'there friend'));
    assert.equal(handlebars.purposeDirective(['a', 'b']), '{{!-- mergewise purpose: a, b --}}');
    assert.deepEqual(handlebars.scan(handlebars.purposeDirective(['a', 'b'])).purposeDirectives.map((d) => d.purpose), ['a', 'b']);
  });

  test('renders with handlebars.js and marks each output as a value or a blank', () => {
    const text = '{{#if customer.first_name}}Hi {{customer.first_name}}{{else}}Hi there{{/if}}, {{customer.city}}. {{#each cart.items}}{{title}} ({{@index}}) {{/each}}{{#equal customer.plan "trial"}}trial{{else}}paid{{/equal}}';
    const full = render(text, { customer: { first_name: 'Ana', city: '', plan: 'trial' }, cart: { items: [{ title: 'Tap reader' }, { title: 'SMS bundle' }] } });
    assert.equal(shown(full), 'Hi [value:Ana], [blank:]. [value:Tap reader] (0) [value:SMS bundle] (1) trial');
    const empty = render(text, { customer: { plan: 'solo' } });
    assert.equal(shown(empty), 'Hi there, [blank:]. paid');
  });

  test('prototype access is off, and HTML in data is escaped as handlebars.js does', () => {
    const result = render('{{customer.constructor}}|{{customer.__proto__}}|{{customer.first_name}}|{{{customer.first_name}}}', { customer: { first_name: '<b>Ana</b>' } });
    assert.equal(shown(result), '[blank:]|[blank:]|[value:&lt;b&gt;Ana&lt;/b&gt;]|[value:<b>Ana</b>]');
  });

  test('a rendering that grows past the limits is stopped with a message', () => {
    const text = '{{#each a}}{{#each ../a}}{{#each ../../a}}{{x}}xxxxxxxxxx{{/each}}{{/each}}{{/each}}';
    const result = render(text, { a: Array.from({ length: 60 }, () => ({})) }, () => undefined, { timeMs: 2000, outputChars: 10_000, memory: 1_000_000 });
    assert.match(result.error ?? '', /grew past|longer than/);
  });
});

describe('handlebars (SES, Mailgun): end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
      'customer.email': { type: 'string', source: 'declared', required: true },
    },
  });

  test('missing-fallback says that SES fails the whole send, and offers the `{{#if}}` fallback', () => {
    const text = '<p>Hi {{customer.first_name}},</p><p>{{customer.emial}}</p>';
    const analysis = analyzeTemplate({ text, relativePath: 'ses/welcome.html', dialect: handlebars, schema, now: NOW });
    const missing = analysis.diagnostics.find((d) => d.rule === 'missing-fallback');
    assert.match(missing?.message ?? '', /Amazon SES, which fails the whole send/);
    assert.match(missing?.message ?? '', /\{\{#if customer\.first_name\}\}\{\{customer\.first_name\}\}\{\{else\}\}there\{\{\/if\}\}/);
    const unknown = analysis.diagnostics.find((d) => d.rule === 'unknown-field');
    assert.equal(slice(text, unknown!.span), 'customer.emial');
    assert.deepEqual(unknown?.data?.suggestions, ['customer.email']);
  });

  test('is registered, and detected from content when nothing else says which dialect', () => {
    assert.equal(getDialect('handlebars'), handlebars);
    assert.equal(detectDialect('{{#each items}}{{name}}{{/each}}'), 'handlebars');
  });

  test('`list.length` is a use of the list, counted; its test guards the list; the preview counts the items', () => {
    const text = '<p>{{items.length}} items</p>{{#if updates.length}}{{updates}}{{/if}}{{#each items}}{{this.length}}{{/each}}{{length}}';
    const scan = handlebars.scan(text);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context, use.filters, use.guarded]), [
      ['items', 'output', ['length'], false],
      ['updates', 'condition', ['length'], false],
      ['updates', 'output', [], true],
      ['items', 'loop', [], false],
      ['items[]', 'output', ['length'], true],
      ['length', 'output', [], false],
    ]);
    assert.equal(shown(render('{{items.length}} items', { items: ['a', 'b'] })), '[value:2] items');
  });

  test('inside `each`, the item itself is guarded (the body runs for items that exist), not its fields, nor the `else` branch', () => {
    const scan = handlebars.scan('{{#each tags}}{{this}} {{name}}{{else}}{{this}}{{/each}}{{#each items as |item|}}{{item}}{{/each}}');
    assert.deepEqual(scan.uses.filter((use) => use.context === 'output').map((use) => [use.path, use.guarded]), [
      ['tags[]', true], ['tags[].name', false], ['items[]', true],
    ]);
  });

  test('the application\'s own helpers: the preview shows an inline one\'s first value and a block\'s main content', () => {
    const own = handlebarsWithHelpers(['currency', 'ifCond']);
    const text = '{{currency amount code="USD"}} {{#ifCond plan "gold"}}Gold{{else}}Other{{/ifCond}} {{currency}}';
    const scan = own.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    const result = own.render({ text, scan, data: { amount: 12, plan: 'silver' }, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    assert.equal(result.error, undefined);
    assert.equal(shown(result), '[value:12] Gold ');
    assert.equal(handlebarsWithHelpers(['currency', 'ifCond']), own, 'one dialect per list of names');
  });

  test('a helper nobody registered: the preview says so, not handlebars.js\'s internals', () => {
    const text = '{{currency amount}}';
    const result = handlebars.render({ text, scan: handlebars.scan(text), data: { currency: 'USD', amount: 1 }, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    assert.match(result.error ?? '', /calls a helper the platform does not have.*"handlebars": \{"helpers": \["name"\]\}/);
    const missing = handlebars.render({ text, scan: handlebars.scan(text), data: { amount: 1 }, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    assert.match(missing.error ?? '', /calls `currency`, a helper the platform does not have/);
  });

  test('a layout with only comments, partials and plain outputs is Handlebars, not Liquid', () => {
    assert.equal(detectDialect('{{!-- base layout --}}\n<title>{{subject}}</title>\n{{> body}}'), 'handlebars');
    assert.equal(detectDialect('<title>{{subject}}</title>{{~> footer}}'), 'handlebars');
    assert.equal(detectDialect('<title>{{ subject }}</title>{% if x %}{% endif %}'), 'liquid');
  });
});
