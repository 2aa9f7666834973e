import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { iterable } from '../../server/src/core/dialects/iterable';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function outputs(scan: TemplateScan): FieldUse[] {
  return scan.uses.filter((use) => use.context === 'output');
}

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined): RenderResult {
  return iterable.render({ text, scan: iterable.scan(text), data, schemaPathOf, limits: DEFAULT_RENDER_LIMITS });
}

/** An Iterable abandoned-cart template over `shoppingCartItems` event data. */
const CART = `{{!-- Iterable "Abandoned cart", triggered by updateCart. --}}
<p>Hi {{defaultIfEmpty █firstName "there"}},</p>
<p>{{capitalize (lower █city)}} · {{█[favorite salon]}}</p>
{{#ifGt █shoppingCartItems.[0].price 50}}<p>Free shipping on {{█shoppingCartItems.[0].name}}!</p>{{/ifGt}}
{{#each █shoppingCartItems}}
  <p>{{@index}}: {{█name}} x{{█quantity}}, {{numberFormat █price "#,##0.00"}}</p>
{{/each}}
<p>Items: {{join █tags ", "}} · Sent {{now "MMMM d"}} · Updated {{dateFormat █cartUpdatedAt "MMMM d, yyyy" tz="America/New_York"}}</p>
<a href="{{unsubscribeUrl}}">Unsubscribe</a>`;

describe('iterable: scanning', () => {
  test('outputs, nested helpers, `[segments with spaces]`, indexed items and loops have exact ranges and filters in order', () => {
    const { text, offsets } = marked(CART);
    const scan = iterable.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context, use.fallback, use.filters.join(',')]), [
      ['firstName', 'output', 'there', 'defaultIfEmpty'],
      ['city', 'output', null, 'lower,capitalize'],
      ['favorite salon', 'output', null, ''],
      ['shoppingCartItems[].price', 'condition', null, ''],
      ['shoppingCartItems[].name', 'output', null, ''],
      ['shoppingCartItems', 'loop', null, ''],
      ['shoppingCartItems[].name', 'output', null, ''],
      ['shoppingCartItems[].quantity', 'output', null, ''],
      ['shoppingCartItems[].price', 'output', null, 'numberFormat'],
      ['tags', 'output', null, 'join'],
      ['cartUpdatedAt', 'output', null, 'dateFormat'],
    ]);
    // `{{now}}` and `{{unsubscribeUrl}}` are Iterable's own.
    assert.ok(!scan.uses.some((use) => use.path === 'now' || use.path === 'unsubscribeUrl'));
  });

  test("Iterable's comparison blocks and `(eq …)` conditions guard what they prove has a value", () => {
    const text = [
      '{{#ifEq plan "trial"}}{{plan}}{{/ifEq}}',
      '{{#ifContainsStr city "land"}}{{city}}{{/ifContainsStr}}',
      '{{#ifGt bookings 100}}{{bookings}}{{/ifGt}}',
      '{{#ifLt score 3}}{{score}}{{/ifLt}}',
      '{{#eq industry "hair"}}{{industry}}{{else}}other{{/eq}}',
      '{{#if (and firstName lastName)}}{{firstName}} {{lastName}}{{/if}}',
      '{{#if (eq tier "gold")}}{{tier}}{{/if}}',
      '{{#ifMatchesRegexStr phone "^\\+1"}}{{phone}}{{/ifMatchesRegexStr}}',
    ].join('\n');
    const scan = iterable.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(Object.fromEntries(outputs(scan).map((use) => [use.path, use.guarded])), {
      plan: true, city: true, bookings: true, score: false, industry: true, firstName: true, lastName: true, tier: true, phone: false,
    });
    assert.equal(scan.branchGroups.length, 1);
  });
});

describe('iterable: syntax errors', () => {
  test('unknown helpers get a suggestion, unclosed blocks and tags are reported, and scanning goes on', () => {
    const { text, offsets } = marked('{{#█ifEquals plan "trial"}}x{{/ifEquals}} {{█defaultIfEmtpy firstName "there"}} █{{#ifGt bookings 3}}many █{{email}');
    const scan = iterable.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((error) => error.span.start).sort((a, b) => a - b), offsets);
    const messages = scan.syntaxErrors.map((error) => error.message).join('\n');
    assert.match(messages, /`defaultIfEmtpy` is not a helper Iterable knows: Iterable cannot render the template and skips the send\. Did you mean `defaultIfEmpty`\?/);
    assert.match(messages, /`\{\{#ifGt bookings 3\}\}` is never closed/);
    assert.ok(scan.uses.some((use) => use.path === 'bookings'));
  });
});

describe('iterable: fallback edit and rendering', () => {
  test('the fallback is written with `defaultIfEmpty`, around the whole expression when helpers transform the value', () => {
    const text = 'Hi {{firstName}}, {{capitalize city}} {{{bio}}}';
    const scan = iterable.scan(text);
    const fixed = applyEdits(text, scan.uses.map((use) => iterable.fallbackEdit(text, use, 'there')).filter((edit) => edit !== undefined));
    assert.equal(fixed, 'Hi {{defaultIfEmpty firstName "there"}}, {{defaultIfEmpty (capitalize city) "there"}} {{{defaultIfEmpty bio "there"}}}');
    assert.deepEqual(outputs(iterable.scan(fixed)).map((use) => use.fallback), ['there', 'there', 'there']);
  });

  test("renders Iterable's helpers: defaults (0 and empty lists count as empty), Java date patterns in a zone, number patterns, math, strings", () => {
    const text = [
      'Hi {{defaultIfEmpty firstName "there"}} / {{defaultIfEmpty points "no"}} points',
      '{{dateFormat signupDate "EEEE, MMMM d, yyyy h:mm a z"}} | {{dateFormat signupDate "yyyy-MM-dd HH:mm" tz="America/Los_Angeles"}} | {{dateFormat signupDate "long"}}',
      '{{numberFormat total "#,##0.00"}} {{numberFormat total "integer"}} {{numberFormat ratio "percent"}} {{math total "*" 2}}',
      '{{capitalize (lower city)}} {{capitalizeFirst "ana"}} {{abbreviate bio 10}} {{substring firstName 0 1}} {{join tags " / "}}',
      '{{#ifEq plan "trial"}}T{{/ifEq}}{{#ifContainsStr city "LAND"}}C{{/ifContainsStr}}{{#ifGt points 5}}G{{else}}g{{/ifGt}}{{#if (eq plan "trial")}}E{{/if}}{{#ifMatchesRegexStr zip "9\\d+"}}Z{{/ifMatchesRegexStr}}',
    ].join('\n');
    const result = render(text, {
      firstName: '', points: 0, signupDate: '2026-03-15 18:30:00 +00:00', total: 12345.678, ratio: 0.25,
      city: 'OAKLAND', bio: 'Balayage specialist since 2011', tags: ['hair', 'color'], plan: 'trial', zip: '94607',
    });
    assert.equal(result.error, undefined);
    assert.equal(shown(result), [
      'Hi [fallback:there] / [fallback:no] points',
      '[value:Sunday, March 15, 2026 6:30 PM UTC] | [value:2026-03-15 11:30] | [value:March 15, 2026]',
      '[value:12,345.68] [value:12,346] [value:25%] [value:24691.356]',
      '[value:Oakland] Ana [value:Balayag...] [blank:] [value:hair / color]',
      'TCgEZ',
    ].join('\n'));
  });

  test('aliased fields are rendered from the schema paths of the recipient data', () => {
    const text = 'Hi {{defaultIfEmpty firstName "there"}}, {{#each shoppingCartItems}}{{name}}; {{/each}}';
    const scan = iterable.scan(text);
    const schemaPaths = scan.uses.map((use) => ({ firstName: 'customer.first_name', shoppingCartItems: 'cart.items', 'shoppingCartItems[].name': 'cart.items[].title' } as Record<string, string>)[use.path]);
    const result = render(text, { customer: { first_name: 'Ana' }, cart: { items: [{ title: 'Tap reader' }, { title: 'SMS bundle' }] } }, (index) => schemaPaths[index]);
    assert.equal(shown(result), 'Hi [value:Ana], [value:Tap reader]; [value:SMS bundle]; ');
  });
});

describe('iterable: end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { iterable: 'firstName' } },
      'customer.plan': { type: 'string', source: 'transactional', required: true, aliases: { iterable: 'plan' } },
      'trial.ends_at': { type: 'date', source: 'transactional', aliases: { iterable: 'trialEndsAt' } },
    },
  });

  test('missing-fallback, unknown-field and type-mismatch fire through the `iterable` aliases', () => {
    const { text, offsets } = marked('Hi {{█firstName}}! {{#if trialEndsAt}}Ends {{dateFormat trialEndsAt "MMMM d"}}{{/if}} {{numberFormat █plan "#.00"}} {{█firstname}}');
    const analysis = analyzeTemplate({ text, relativePath: 'iterable/trial.html', dialect: iterable, schema, now: NOW });
    const byRule = (rule: string) => analysis.diagnostics.filter((d) => d.rule === rule);
    assert.deepEqual(byRule('missing-fallback').map((d) => d.span.start), [offsets[0]]);
    assert.match(byRule('missing-fallback')[0].message, /Add `\{\{defaultIfEmpty firstName "there"\}\}`/);
    assert.deepEqual(byRule('type-mismatch').map((d) => slice(text, d.span)), ['plan']);
    assert.deepEqual(byRule('unknown-field').map((d) => d.span.start), [offsets[2]]);
    assert.deepEqual(byRule('unknown-field')[0].data?.suggestions, ['firstName']);
  });

  test('is registered, and detected from `defaultIfEmpty` and `#ifEq`', () => {
    assert.equal(getDialect('iterable'), iterable);
    assert.equal(detectDialect('Hi {{defaultIfEmpty firstName "there"}}'), 'iterable');
    assert.equal(detectDialect('{{#ifEq plan "trial"}}x{{/ifEq}}'), 'iterable');
  });
});

describe('iterable: #assign variables and catalog lookups (handlebars.java helpers)', () => {
  /** Shaped like a real Iterable campaign: links built with #assign, copy looked up in a catalog. */
  const OFFER = `{{#assign "couponPath"}}new-member-offer{{/assign}}
{{#assign "couponLink"}}https://shop.example{{couponPath}}?plan={{defaultIfEmpty plan "yearly"}}&email={{#urlEncode}}{{email}}{{/urlEncode}}{{/assign}}
{{#eq segment "trial"}}{{#assign "cta"}}Redeem{{/assign}}{{/eq}}
<a href="{{couponLink}}">{{cta}}</a>
{{#catalog "Localization" "offers" as |translations|}}
{{#lookup translations language as |text|}}<h1>{{{text.title}}}</h1> {{firstName}}{{/lookup}}
{{/catalog}}`;

  test('are no syntax error; an assigned name and a catalog item are not recipient fields, the fields inside them are', () => {
    const scan = iterable.scan(OFFER);
    assert.deepEqual(scan.syntaxErrors.map((problem) => problem.message), []);
    assert.deepEqual(scan.uses.map((use) => use.path), ['plan', 'email', 'segment', 'language', 'firstName']);
  });

  test('a name read before its #assign is still a field', () => {
    const text = '{{cta}} {{#assign "cta"}}Go{{/assign}} {{cta}}';
    assert.deepEqual(iterable.scan(text).uses.map((use) => `${use.path}@${use.span.start}`), ['cta@2']);
  });

  test('the preview shows the assigned content where the variable is read', () => {
    const result = render('{{#assign "greeting"}}Hi {{firstName}}{{/assign}}<p>{{greeting}}!</p>', { firstName: 'Ana' });
    assert.match(result.output, /<p>Hi .*Ana.*!<\/p>/);
  });
});
