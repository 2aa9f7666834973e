import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { klaviyo } from '../../server/src/core/dialects/klaviyo';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function uses(scan: TemplateScan, path: string): FieldUse[] {
  return scan.uses.filter((use) => use.path === path);
}

function only(scan: TemplateScan, path: string): FieldUse {
  const found = uses(scan, path);
  assert.equal(found.length, 1, `expected one use of ${path}, found ${JSON.stringify(scan.uses.map((u) => u.path))}`);
  return found[0];
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined, limits = DEFAULT_RENDER_LIMITS): RenderResult {
  return klaviyo.render({ text, scan: klaviyo.scan(text), data, schemaPathOf, limits });
}

function errors(text: string): string[] {
  return klaviyo.scan(text).syntaxErrors.map((problem) => `${text.slice(problem.span.start, problem.span.end)} :: ${problem.message}`);
}

/** A Klaviyo "Started Checkout" flow email, as the Shearly team writes it. */
const CHECKOUT = marked(`{% comment %}Flow "Shop checkout started", email 1. mergewise purpose: cart-recovery{% endcomment %}
<p>Hi {{ █first_name|default:'there' }},</p>
{% if █person|lookup:'Favorite Service' %}<p>Still thinking about {{ █person|lookup:'Favorite Service'|lower }}?</p>{% endif %}
{% for item in █event.Items %}
  <a href="{{ █item.ProductURL }}">{{ █item.ProductName|title }}</a> ({{ forloop.counter }} of {{ █event.Items|length }})
{% empty %}
  <p>Your cart is saved.</p>
{% endfor %}
<p>Total: \${{ █event|lookup:'$value'|floatformat:2 }}</p>
{% with plan=█person.Plan %}{% if █plan == 'trial' %}<p>Your trial includes free shipping.</p>{% endif %}{% endwith %}
<p>Sent to {{ █email }}. {% unsubscribe 'Unsubscribe' %} {{ organization.name }}</p>`);

describe('Klaviyo scanning', () => {
  test('finds every reference at its exact range, in document order', () => {
    const scan = klaviyo.scan(CHECKOUT.text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), CHECKOUT.offsets);
    assert.deepEqual(scan.uses.map((use) => use.path), [
      'first_name', 'Favorite Service', 'Favorite Service', 'event.Items', 'event.Items[].ProductURL', 'event.Items[].ProductName',
      'event.Items', 'event.$value', 'Plan', 'Plan', 'email',
    ]);
    assert.deepEqual(scan.uses.map((use) => use.context), [
      'output', 'condition', 'output', 'loop', 'output', 'output', 'output', 'output', 'assign', 'condition', 'output',
    ]);
  });

  test('`person.` and `person|lookup:` name the profile property itself, and the range covers the lookup', () => {
    const scan = klaviyo.scan(CHECKOUT.text);
    const lookup = uses(scan, 'Favorite Service')[1];
    assert.equal(lookup.written, "person|lookup:'Favorite Service'");
    assert.deepEqual(lookup.filters, ['lower']);
    assert.equal(only(scan, 'event.$value').written, "event|lookup:'$value'");
  });

  test('a default is a fallback, and a condition guards what it checks', () => {
    const scan = klaviyo.scan(CHECKOUT.text);
    assert.equal(only(scan, 'first_name').fallback, 'there');
    assert.deepEqual(only(scan, 'first_name').filters, ['default']);
    const [condition, output] = uses(scan, 'Favorite Service');
    assert.equal(condition.guarded, false);
    assert.equal(output.guarded, true);
    assert.equal(output.fallback, null);
  });

  test('elif and else branches know what the earlier conditions ruled out', () => {
    const text = `{% if not first_name %}Hi there{% elif plan == 'trial' %}Hi {{ first_name }}{% else %}Hello {{ first_name|title }}{% endif %}`;
    const scan = klaviyo.scan(text);
    assert.deepEqual(uses(scan, 'first_name').map((use) => [use.context, use.guarded]), [['condition', false], ['output', true], ['output', true]]);
    assert.equal(scan.branchGroups.length, 1);
    assert.equal(scan.branchGroups[0].branches.length, 3);
  });

  test('loop variables resolve to the list item, and the loop helpers are not fields', () => {
    const scan = klaviyo.scan(CHECKOUT.text);
    assert.ok(!scan.uses.some((use) => use.path.startsWith('forloop') || use.path.startsWith('organization')));
    assert.deepEqual(scan.loopScopes?.map((scope) => [scope.variable, scope.itemPath]), [['item', 'event.Items[]']]);
  });

  test('`{% with %}` aliases a field; a value with filters is local', () => {
    const scan = klaviyo.scan(`{% with name=first_name greeting=first_name|default:'there' %}{{ name }} {{ greeting }}{% endwith %}{{ name }}`);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.written, use.context]), [
      ['first_name', 'first_name', 'assign'], ['first_name', 'first_name', 'assign'], ['first_name', 'name', 'output'], ['name', 'name', 'output'],
    ]);
    assert.equal(scan.uses[1].fallback, 'there');
  });

  test('purpose directives come from `{# #}` and `{% comment %}`', () => {
    const scan = klaviyo.scan(`{# mergewise purpose: winback-favorite-service #}\n${CHECKOUT.text}`);
    assert.deepEqual(scan.purposeDirectives.map((directive) => directive.purpose), ['winback-favorite-service', 'cart-recovery']);
    assert.equal(klaviyo.purposeDirective(['a', 'b']), '{# mergewise purpose: a, b #}');
  });

  test('identical branches are reported as a group', () => {
    const text = `{% if Industry == 'hair' %}<a href="/book">Book</a>{% elif Industry == 'nails' %}<a href="/book">Book</a>{% endif %}`;
    const [group] = klaviyo.scan(text).branchGroups;
    const bodies = group.branches.map((branch) => text.slice(branch.body.start, branch.body.end));
    assert.deepEqual(bodies, ['<a href="/book">Book</a>', '<a href="/book">Book</a>']);
  });
});

describe('Klaviyo syntax errors', () => {
  test('a tag left open, or split over lines, reaches the inbox as raw text', () => {
    const found = errors(`<p>Hi {{ first_name</p>\n<p>{{ first_name\n|default:'there' }}</p>\n{{ email }}`);
    assert.equal(found.length, 2);
    assert.match(found[0], /^\{\{ first_name<\/p> :: .*not closed with `}}` on the same line.*raw merge syntax/);
    assert.match(found[1], /^\{\{ first_name :: /);
    // Scanning goes on after the mistakes.
    assert.deepEqual(klaviyo.scan(`{{ first_name\n{{ email }}`).uses.map((use) => use.path), ['email']);
  });

  test('a tag named like one of Object\'s own methods is an unknown tag, and does not swallow the rest', () => {
    assert.match(errors('{% constructor %}Hi {{ first_name }}')[0], /constructor/);
    assert.deepEqual(klaviyo.scan('{% constructor %}Hi {{ first_name }}').uses.map((use) => use.path), ['first_name']);
  });

  test('unbalanced and mismatched blocks', () => {
    assert.match(errors('{% if first_name %}Hi')[0], /never closed.*\{% endif %\}/);
    assert.match(errors('Hi{% endif %}')[0], /has no matching opening tag/);
    assert.match(errors('{% else %}')[0], /outside `\{% if %\}`/);
    assert.match(errors('{% for item in event.Items %}{% if item %}{% endfor %}')[0], /\{% if item %\}.*never closed before `\{% endfor %\}`/);
    assert.match(errors('{% if a %}x{% else %}y{% else %}z{% endif %}')[0], /after `\{% else %\}`/);
    assert.match(errors('{% empty %}')[0], /outside `\{% for %\}`/);
    assert.match(errors('{% for x in event.Items %}{{ x }}{% else %}none{% endfor %}')[0], /loops take `\{% empty %\}`/);
  });

  test('unknown tags get a suggestion; Django has no parentheses or arithmetic', () => {
    assert.match(errors('{% elsif plan %}')[0], /Unknown Klaviyo tag `elsif`.*Did you mean `elif`\?/);
    assert.match(errors("{% if (plan == 'trial') %}x{% endif %}")[0], /do not take parentheses/);
    assert.match(errors('{{ order_count + 1 }}')[0], /no `\+` operator.*\|add:1/);
    assert.match(errors('{{ first_name| }}')[0], /no filter name/);
    assert.match(errors("{{ first_name|default: }}")[0], /followed by `:` but no value/);
    assert.match(errors("{{ first_name|default:'there }}")[0], /missing its closing quote/);
  });

  test('a clean template has none', () => {
    assert.deepEqual(errors(CHECKOUT.text), []);
  });
});

describe('Klaviyo: a broken tag is one mistake, and nothing after the mistake is a field', () => {
  // An abandoned-cart flow email as a template pack ships it, with the placeholders left in.
  const FLOW = `<p>Hi {{ first_name|default:'there' }},</p>
{% if event.ItemCount > <MINIMUM ITEMS> and person.vip %}<p>Free shipping on us.</p>{% endif %}
<p>{{ event.ItemNames|join:', ' [ADD MORE] organization.name }}</p>
{% for item in event.Items %}<li>{{ item.ProductName }} × {{ item.Quantity }}</li>{% endfor %}
<p>Total: {{ event.TotalPrice + shipping.price }}</p>`;
  const scan = klaviyo.scan(FLOW);
  const line = (offset: number) => FLOW.slice(0, offset).split('\n').length;

  test('one syntax error per broken tag', () => {
    assert.deepEqual(scan.syntaxErrors.map((problem) => line(problem.span.start)), [2, 3, 5]);
    assert.match(scan.syntaxErrors[2].message, /no `\+` operator.*\|add:1/);
  });

  test('the fields before the mistake are read, none after it', () => {
    assert.deepEqual(scan.uses.map((use) => [use.path, line(use.span.start)]), [
      ['first_name', 1], ['event.ItemCount', 2], ['event.ItemNames', 3],
      ['event.Items', 4], ['event.Items[].ProductName', 4], ['event.Items[].Quantity', 4], ['event.TotalPrice', 5],
    ]);
  });

  test('a tag with parentheses is one mistake, whatever follows', () => {
    assert.equal(errors("{% if (plan == 'trial') and (tier == 'gold' %}x{% endif %}").length, 1);
    assert.equal(errors('{% for item in %}{% endfor %}').length, 1);
  });
});

describe('Klaviyo fallback quick fix', () => {
  test('inserts `|default:` right after the reference, quoted so it parses', () => {
    const text = '<p>Hi {{ first_name|title }}, from {{ person|lookup:\'Salon Name\' }}</p>';
    const scan = klaviyo.scan(text);
    const edits = scan.uses.map((use, i) => klaviyo.fallbackEdit(text, use, i === 0 ? 'there' : "your stylist's salon")!);
    assert.equal(applyEdits(text, edits),
      `<p>Hi {{ first_name|default:'there'|title }}, from {{ person|lookup:'Salon Name'|default:"your stylist's salon" }}</p>`);
    assert.deepEqual(klaviyo.scan(applyEdits(text, edits)).uses.map((use) => use.fallback), ['there', "your stylist's salon"]);
  });

  test('conditions get no fallback edit', () => {
    const text = '{% if first_name %}x{% endif %}';
    assert.equal(klaviyo.fallbackEdit(text, klaviyo.scan(text).uses[0], 'there'), undefined);
  });
});

describe('Klaviyo preview rendering', () => {
  test('marks values, fallbacks and blanks', () => {
    const result = render(`Hi {{ first_name|default:'there' }}, {{ last_name }}! {{ person|lookup:'Favorite Service'|title }}`, {
      first_name: '', 'Favorite Service': 'skin fade',
    });
    assert.equal(shown(result), 'Hi [fallback:there], [blank:]! [value:Skin Fade]');
  });

  test("`default` fires on any falsy value: 0 and False too, as Klaviyo's does", () => {
    const result = render(`{{ order_count|default:'no' }} orders, VIP: {{ is_vip|default:'not yet' }}`, { order_count: 0, is_vip: false });
    assert.equal(shown(result), '[fallback:no] orders, VIP: [fallback:not yet]');
  });

  test('reads data by the schema path of each alias, loops, conditions and Klaviyo tags', () => {
    const text = CHECKOUT.text;
    const scan = klaviyo.scan(text);
    const schemaPaths: Record<string, string> = {
      first_name: 'customer.first_name', email: 'customer.email', 'event.Items': 'cart.items',
      'event.Items[].ProductName': 'cart.items[].title', 'event.Items[].ProductURL': 'cart.items[].url', 'event.$value': 'cart.total',
    };
    const data = {
      customer: { first_name: 'Ana', email: 'ana@example.com' },
      cart: { items: [{ title: 'tap card reader', url: 'https://shearly.example/tap' }], total: 89 },
      Plan: 'trial',
    };
    const result = klaviyo.render({ text, scan, data, schemaPathOf: (i) => schemaPaths[scan.uses[i].path], limits: DEFAULT_RENDER_LIMITS });
    const out = shown(result);
    assert.match(out, /Hi \[value:Ana\],/);
    assert.match(out, /<a href="\[value:https:\/\/shearly.example\/tap\]">\[value:Tap Card Reader\]<\/a> \(1 of \[value:1\]\)/);
    assert.match(out, /Total: \$\[value:89.00\]/);
    assert.match(out, /Your trial includes free shipping/);
    assert.match(out, /<a href="https:\/\/manage\.kmail-lists\.com[^"]*">Unsubscribe<\/a> \(organization\.name\)/);
    assert.doesNotMatch(out, /Your cart is saved/);
  });

  test('`{% currency_format %}` is a Klaviyo tag: its value is a use, and the preview shows it as money', () => {
    const text = '<p>{% currency_format item.price %}</p><p>{% currency_format event.line_price|floatformat:2 %}</p>{% currency_format missing %}';
    assert.deepEqual(errors(text), []);
    const scan = klaviyo.scan(text);
    assert.deepEqual(scan.uses.map((use) => use.path), ['item.price', 'event.line_price', 'missing']);
    const result = render(text, { item: { price: 1234.5 }, event: { line_price: '3.5' } });
    assert.equal(result.output, '<p>$1,234.50</p><p>$3.50</p>');
  });

  test('`{% coupon_code %}` and a catalog lookup\'s `catalog_item` are Klaviyo\'s own: no error, no recipient field', () => {
    const text = "<p>Code: {% coupon_code 'WELCOME10' %}</p>{% catalog product_id %}<a href=\"{{ catalog_item.url }}\">{{ catalog_item.title }}</a>{% endcatalog %}";
    assert.deepEqual(errors(text), []);
    assert.deepEqual(klaviyo.scan(text).uses.map((use) => use.path), ['product_id']);
    assert.match(render(text, { product_id: 'p1' }).output, /Code: \[WELCOME10 code\]/);
  });

  test('`{% empty %}` runs for an empty list, and dates use Django formats', () => {
    const result = render(`{% for item in items %}{{ item }}{% empty %}none{% endfor %} {{ trial_end|date:'F j, Y' }}`, {
      items: [], trial_end: '2026-12-03T10:00:00Z',
    });
    assert.equal(shown(result), 'none [value:December 3, 2026]');
  });

  test('stops at the output limit and reports it', () => {
    const result = render('{% for x in items %}{{ x }}{% endfor %}', { items: Array.from({ length: 500 }, () => 'abcdefghij') }, () => undefined,
      { ...DEFAULT_RENDER_LIMITS, outputChars: 100 });
    assert.match(result.error ?? '', /longer than 100 characters/);
    assert.ok(result.output.length <= 100);
  });
});

describe('Klaviyo analysis, end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { klaviyo: 'first_name' } },
      'customer.email': { type: 'string', source: 'declared', required: true, aliases: { klaviyo: 'email' } },
      'trial.ends_at': { type: 'date', source: 'transactional', aliases: { klaviyo: 'Trial End Date' } },
      'customer.plan': { type: 'string', source: 'transactional', required: true, aliases: { klaviyo: 'Plan' } },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'klaviyo/welcome.html', dialect: klaviyo, schema, now: NOW });

  test('missing-fallback and unknown-field fire through the aliases, with Klaviyo syntax in the hints', () => {
    const text = `Hi {{ first_name }}, your trial ends {{ person|lookup:'Trial End Date'|date:'F j' }}. {{ frist_name|default:'there' }} {{ email }} {{ person.Plan|upper }}`;
    const diagnostics = analyze(text).diagnostics;
    const missing = diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.field), ['customer.first_name', 'trial.ends_at']);
    assert.match(missing[0].message, /`\|default:'there'` \(the schema's fallback\)/);
    const unknown = diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.equal(unknown.length, 1);
    assert.equal(text.slice(unknown[0].span.start, unknown[0].span.end), 'frist_name');
    assert.deepEqual(unknown[0].data?.suggestions, ['first_name']);
  });

  test('type-mismatch uses the typed filters: a date format on text', () => {
    const diagnostics = analyze(`{{ person.Plan|date:'F j' }}`).diagnostics;
    assert.deepEqual(diagnostics.filter((d) => d.rule === 'type-mismatch').map((d) => d.field), ['customer.plan']);
  });

  test('the dialect is registered, and detected from Klaviyo-only syntax', () => {
    assert.equal(getDialect('klaviyo'), klaviyo);
    assert.equal(detectDialect(`{% if first_name %}Hi{% elif x %}{% endif %}`), 'klaviyo');
    assert.equal(detectDialect(`{{ person|lookup:'Favorite Color' }}`), 'klaviyo');
    assert.equal(detectDialect(`{% if a %}{% elsif b %}{% endif %}`), 'liquid');
  });
});
