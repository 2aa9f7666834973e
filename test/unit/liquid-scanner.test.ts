import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RENDER_LIMITS, type FieldUse, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { scanLiquid } from '../../server/src/core/dialects/liquid/scanner';
import { renderLiquid } from '../../server/src/core/dialects/liquid/render';
import { LineIndex } from '../../server/src/core/positions';
import { cursor, marked } from '../helpers/cursor';

/** The uses of one data path, in order. */
function usesOf(scan: TemplateScan, path: string): FieldUse[] {
  return scan.uses.filter((use) => use.path === path);
}

function only(scan: TemplateScan, path: string): FieldUse {
  const found = usesOf(scan, path);
  assert.equal(found.length, 1, `expected one use of ${path}, found ${found.length}: ${JSON.stringify(scan.uses.map((u) => u.path))}`);
  return found[0];
}

function paths(scan: TemplateScan): string[] {
  return scan.uses.map((use) => use.path);
}

function textAt(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

describe('liquid scanner: outputs and filters', () => {
  test('an output gives the path, its exact span, the tag span and the filters in order', () => {
    const { text, offset } = cursor('<p>Hi {{ █customer.first_name | upcase | truncate: 10 }}!</p>');
    const scan = scanLiquid(text);
    const use = only(scan, 'customer.first_name');
    assert.deepEqual(use.span, { start: offset, end: offset + 'customer.first_name'.length });
    assert.equal(textAt(text, use.tagSpan), '{{ customer.first_name | upcase | truncate: 10 }}');
    assert.equal(use.context, 'output');
    assert.deepEqual(use.filters, ['upcase', 'truncate']);
    assert.equal(use.fallback, null);
    assert.equal(use.guarded, false);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('a tag inside an HTML attribute is found with its exact range', () => {
    const { text, offsets } = marked('<a href="{{ █cart.url }}"><img alt="{{ █product.title | escape }}" src="x.png"></a>');
    const scan = scanLiquid(text);
    assert.deepEqual(paths(scan), ['cart.url', 'product.title']);
    assert.equal(scan.uses[0].span.start, offsets[0]);
    assert.equal(scan.uses[1].span.start, offsets[1]);
    assert.equal(textAt(text, scan.uses[0].tagSpan), '{{ cart.url }}');
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('`| default:` is the fallback, with its text as the recipient reads it', () => {
    const scan = scanLiquid(`{{ a | default: 'there' }} {{ b | default: "friend" }} {{ c | default: 0 }} {{ d | upcase | default: e }}`);
    assert.equal(only(scan, 'a').fallback, 'there');
    assert.equal(only(scan, 'b').fallback, 'friend');
    assert.equal(only(scan, 'c').fallback, '0');
    assert.equal(only(scan, 'd').fallback, 'e');
    assert.deepEqual(only(scan, 'd').filters, ['upcase', 'default']);
    // The fallback's own reference is a filter argument, not copy.
    assert.equal(only(scan, 'e').context, 'argument');
  });

  test('other filters are not fallbacks', () => {
    const scan = scanLiquid(`{{ a | append: 'x' }} {{ b | replace: 'a', 'b' }}`);
    assert.equal(only(scan, 'a').fallback, null);
    assert.equal(only(scan, 'b').fallback, null);
  });

  test('literals and keywords are not data references', () => {
    const scan = scanLiquid(`{{ "it's" }} {{ 42 }} {{ true }} {% if x == nil %}{% endif %} {% if y == empty %}{% endif %}`);
    assert.deepEqual(paths(scan), ['x', 'y']);
  });

  test('bracket access and `.first` read as an item of the list', () => {
    const scan = scanLiquid(`{{ cart.items[0].title }} {{ cart.items.first.price }} {{ customer["first_name"] }}`);
    assert.deepEqual(paths(scan), ['cart.items[].title', 'cart.items[].price', 'customer.first_name']);
  });

  test('`.size` is a count of the list, not a field', () => {
    const use = only(scanLiquid('{{ cart.items.size }}'), 'cart.items');
    assert.equal(use.written, 'cart.items.size');
    assert.deepEqual(use.filters, ['size']);
  });
});

describe('liquid scanner: blocks', () => {
  test('nested if/for/if blocks close in order with no errors', () => {
    const text = [
      '{% if customer.plan == "trial" %}',
      '  {% for item in cart.items %}',
      '    {% if item.image_url != blank %}<img src="{{ item.image_url }}">{% endif %}',
      '    {% unless item.price == blank %}{{ item.price }}{% endunless %}',
      '  {% endfor %}',
      '{% endif %}',
    ].join('\n');
    const scan = scanLiquid(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), [
      'customer.plan', 'cart.items', 'cart.items[].image_url', 'cart.items[].image_url', 'cart.items[].price', 'cart.items[].price',
    ]);
    const [, imageOutput] = usesOf(scan, 'cart.items[].image_url');
    assert.equal(imageOutput.guarded, true);
    assert.equal(usesOf(scan, 'cart.items[].price')[1].guarded, true);
  });

  test('a close tag that skips an inner block reports the inner block', () => {
    const { text, offset } = cursor('{% if a %}█{% for x in list %}{{ x }}{% endif %}');
    const scan = scanLiquid(text);
    assert.equal(scan.syntaxErrors.length, 1);
    assert.equal(scan.syntaxErrors[0].span.start, offset);
    assert.match(scan.syntaxErrors[0].message, /\{% endfor %\}/);
  });

  test('a stray end tag is an error at that tag, and what follows is still scanned', () => {
    const { text, offset } = cursor('{% if a %}\n{{ b }}\n█{% endfor %}\n{% endif %}{{ c }}');
    const scan = scanLiquid(text);
    assert.equal(scan.syntaxErrors.length, 1);
    assert.equal(scan.syntaxErrors[0].span.start, offset);
    assert.match(scan.syntaxErrors[0].message, /has no matching `\{% for %\}`/);
    assert.ok(usesOf(scan, 'c').length === 1);
  });

  test('an unknown tag name is reported at the name, with the closest tag suggested', () => {
    const { text, offset } = cursor('{% █iff customer.vip %}VIP{% endif %}');
    const errors = scanLiquid(text).syntaxErrors;
    assert.equal(errors[0].span.start, offset);
    assert.equal(errors[0].span.end, offset + 3);
    assert.match(errors[0].message, /Unknown Liquid tag `iff`/);
    assert.match(errors[0].message, /Did you mean `if`\?/);
  });

  test('`else` and `elsif` outside a block are errors', () => {
    const errors = scanLiquid('{% else %}{% elsif x %}').syntaxErrors;
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /outside/);
  });

  test('`{% liquid %}` holds one tag per line, with exact positions', () => {
    const { text, offset } = cursor('{% liquid\n  assign x = customer.a\n  if customer.b\n    echo █customer.b\n  endif\n%}{{ x }}');
    const scan = scanLiquid(text);
    assert.deepEqual(scan.syntaxErrors, []);
    // `{{ x }}` outputs customer.a through the local.
    assert.deepEqual(paths(scan), ['customer.a', 'customer.b', 'customer.b', 'customer.a']);
    const echo = usesOf(scan, 'customer.b')[1];
    assert.equal(echo.span.start, offset);
    assert.equal(echo.context, 'output');
    assert.equal(echo.guarded, true);
  });
});

describe('liquid scanner: brackets in conditions', () => {
  // Shopify's own order confirmation writes this, and Shopify sends it (Ruby Liquid's lax parser
  // passes over the brackets); every name inside is still a field.
  const SHOPIFY_PAYMENT = '{% for transaction in transactions %}\n' +
    '{% if (transaction.status == "success") and (transaction.kind == "authorization" or transaction.kind == "sale") %}' +
    '{{ transaction.amount }}{% endif %}\n{% endfor %}';

  test('brackets that group a condition are no error, and every field inside is read', () => {
    const scan = scanLiquid(SHOPIFY_PAYMENT);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), [
      'transactions', 'transactions[].status', 'transactions[].kind', 'transactions[].kind', 'transactions[].amount',
    ]);
    assert.equal(textAt(SHOPIFY_PAYMENT, usesOf(scan, 'transactions[].kind')[1].span), 'transaction.kind');
  });

  test('an unmatched bracket in `elsif` and `unless` is passed over as well', () => {
    const scan = scanLiquid('{% if a %}{% elsif (customer.vip == true %}x{% endif %}{% unless customer.opt_out) %}y{% endunless %}');
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), ['a', 'customer.vip', 'customer.opt_out']);
  });

  test('a range in a condition is still a range, and a broken one still an error', () => {
    assert.deepEqual(scanLiquid('{% if (1..5) contains customer.tier %}x{% endif %}').syntaxErrors, []);
    const errors = scanLiquid('{% if customer.tier == (1.. %}x{% endif %}').syntaxErrors;
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /A range must look like/);
  });

  test('the preview renders the condition as written, without the brackets', () => {
    const scan = scanLiquid(SHOPIFY_PAYMENT);
    const result = renderLiquid({
      text: SHOPIFY_PAYMENT, scan, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS,
      data: { transactions: [{ status: 'success', kind: 'sale', amount: 12 }, { status: 'failure', kind: 'sale', amount: 3 }] },
    });
    assert.equal(result.error, undefined);
    assert.equal(result.values.length, 1);
    assert.match(result.output, /12/);
    assert.doesNotMatch(result.output, /3/);
  });
});

describe('liquid scanner: a fallback that is another value', () => {
  test('`default:` with a field or a local names it as the fallback field; with text, none', () => {
    const scan = scanLiquid('{{ a | default: billing.first_name }}{% assign n = "x" %}{{ b | default: n }}{{ c | default: "there" }}{{ d | default: nil }}');
    const fields = Object.fromEntries(scan.uses.filter((u) => u.context === 'output').map((u) => [u.path, [u.fallback, u.fallbackField]]));
    assert.deepEqual(fields, {
      a: ['billing.first_name', 'billing.first_name'],
      b: ['n', 'n'],
      c: ['there', undefined],
      d: ['nil', undefined],
    });
  });
});

describe('liquid scanner: a local built up in a loop', () => {
  test('its first read in its own assign inside a loop is no field; outside a loop it is', () => {
    const loop = scanLiquid('{% for show in shows %}{% assign list = list | append: show | append: "*" %}{% assign total = total | plus: show.price %}{% endfor %}{{ list }}{{ total }}');
    assert.deepEqual(paths(loop), ['shows', 'shows[]', 'shows[].price']);
    const once = scanLiquid('{% assign name = name | capitalize %}Hi {{ name }}');
    assert.deepEqual(paths(once), ['name', 'name']);
  });
});

describe('liquid scanner: raw and comment', () => {
  test('nothing inside `raw` is a reference or an error', () => {
    const scan = scanLiquid('{% raw %}{{ not.a.field }} {% if %} {{{% endraw %}{{ after }}');
    assert.deepEqual(paths(scan), ['after']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('nothing inside `comment` is a reference or an error', () => {
    const scan = scanLiquid('{% comment %}{{ nope }} {% for %}{% endcomment %}{{ after }}');
    assert.deepEqual(paths(scan), ['after']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('each body ends at its own end tag, whitespace control and all, one block after another', () => {
    const scan = scanLiquid(
      '{%- comment -%}{{ a }}{% endraw %}{%- endcomment -%}{{ b }}{% raw %}{{ c }}{% endcomment %}{% endraw %}' +
      '{{ d }}{% doc %}{{ e }}{%   enddoc   %}{{ f }}{% comment %}{{ g }}{% endcomment %}{{ h }}');
    assert.deepEqual(paths(scan), ['b', 'd', 'f', 'h']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('a body never closed swallows the rest and is reported on its tag', () => {
    const text = '{{ before }}{% raw %}{{ after }}';
    const scan = scanLiquid(text);
    assert.deepEqual(paths(scan), ['before']);
    assert.equal(scan.syntaxErrors.length, 1);
    assert.equal(textAt(text, scan.syntaxErrors[0].span), '{% raw %}');
    assert.match(scan.syntaxErrors[0].message, /never closed.*\{% endraw %\}/);
  });

  test('purpose directives in a comment, with the span of each id', () => {
    const source = '{% comment %}mergewise purpose: █trial-stylist-features, █cart-recovery{% endcomment %}';
    const { text, offsets } = marked(source);
    const directives = scanLiquid(text).purposeDirectives;
    assert.deepEqual(directives.map((d) => d.purpose), ['trial-stylist-features', 'cart-recovery']);
    assert.deepEqual(directives.map((d) => d.span.start), offsets);
    assert.equal(textAt(text, directives[0].span), 'trial-stylist-features');
  });

  test('purpose directives in an inline `{% # %}` comment and in whitespace-controlled comments', () => {
    const scan = scanLiquid('{% # mergewise purpose: a %}{%- comment -%}\n  mergewise purposes: b\n{%- endcomment -%}{{ x }}');
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['a', 'b']);
    assert.deepEqual(paths(scan), ['x']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('text that only mentions mergewise is not a directive', () => {
    assert.deepEqual(scanLiquid('{% comment %}checked by mergewise{% endcomment %}').purposeDirectives, []);
  });

  test('an unclosed `raw` or `comment` is an error at its opening tag', () => {
    for (const name of ['raw', 'comment']) {
      const { text, offset } = cursor(`<p>{{ a }}</p>\n█{% ${name} %}{{ b }}`);
      const scan = scanLiquid(text);
      assert.equal(scan.syntaxErrors.length, 1, name);
      assert.equal(scan.syntaxErrors[0].span.start, offset);
      assert.match(scan.syntaxErrors[0].message, new RegExp(`Add \`\\{% end${name} %\\}\``));
      assert.deepEqual(paths(scan), ['a']);
    }
  });
});

describe('liquid scanner: whitespace control', () => {
  test('`{{-`, `-}}`, `{%-` and `-%}` are delimiters, not part of the markup', () => {
    const { text, offsets } = marked('{{- █a -}}\n{%- if █b -%}\n  {{- █b | default: "x" -}}\n{%- endif -%}');
    const scan = scanLiquid(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((u) => u.span.start), offsets);
    assert.deepEqual(scan.uses.map((u) => u.written), ['a', 'b', 'b']);
    assert.equal(scan.uses[2].guarded, true);
    assert.equal(scan.uses[2].fallback, 'x');
  });

  test('`-` touching a path is whitespace control, not a minus sign', () => {
    const scan = scanLiquid('{{-a-}}');
    assert.deepEqual(scan.syntaxErrors, []);
    // `a-` would be a legal Liquid name, but `-}}` closes the tag.
    assert.deepEqual(paths(scan), ['a']);
  });
});

describe('liquid scanner: unclosed tags at the end of the file', () => {
  const cases: [string, string, RegExp][] = [
    ['output', '<p>Hi {{ a }}</p>\n█{{ customer.first_name', /never closed with `\}\}`/],
    ['tag', '<p>Hi {{ a }}</p>\n█{% if customer.vip', /never closed with `%\}`/],
    ['bare `{{`', '<p>Hi {{ a }}</p>\n█{{', /never closed with `\}\}`/],
    ['bare `{%`', '<p>Hi {{ a }}</p>\n█{%', /never closed with `%\}`/],
    ['block', '<p>Hi {{ a }}</p>\n█{% if customer.vip %}VIP', /`\{% if customer.vip %\}` is never closed.*Add `\{% endif %\}`/],
  ];
  for (const [name, source, message] of cases) {
    test(`an unclosed ${name} is one error where it opens; earlier tags still count`, () => {
      const { text, offset } = cursor(source);
      const scan = scanLiquid(text);
      assert.equal(scan.syntaxErrors.length, 1, JSON.stringify(scan.syntaxErrors));
      const [error] = scan.syntaxErrors;
      assert.equal(error.span.start, offset);
      assert.ok(error.span.end <= text.length && error.span.end > error.span.start);
      assert.match(error.message, message);
      assert.equal(usesOf(scan, 'a').length, 1);
    });
  }

  test('an output left open before the next tag ends there, and the next tag is still read', () => {
    const { text, offsets } = marked('Sent to █{{ customer.email because you signed up.\n<a href="x">{{ █customer.id }}</a>');
    const scan = scanLiquid(text);
    assert.equal(scan.syntaxErrors.length, 1);
    assert.equal(scan.syntaxErrors[0].span.start, offsets[0]);
    assert.ok(scan.syntaxErrors[0].span.end <= offsets[1]);
    assert.equal(only(scan, 'customer.id').span.start, offsets[1]);
  });

  test('a line of unclosed tags: each is reported, and a span that runs to the line\'s end stops before its trailing spaces', () => {
    const scan = scanLiquid(`${'{% {{ '.repeat(50)}${' '.repeat(200)}`);
    assert.equal(scan.syntaxErrors.length, 100);
    // A `{%` holding a `{{` that never closes runs to the end of the line; the `{{` stops at the next `{%`.
    assert.deepEqual(scan.syntaxErrors.slice(0, 3).map((error) => [error.span.start, error.span.end]), [[0, 299], [3, 5], [6, 299]]);
  });

  test('the message of an unclosed tag quotes one line only', () => {
    const scan = scanLiquid('{{ customer.email\n<p>{{ b }}</p>');
    assert.equal(scan.syntaxErrors.length, 1);
    assert.doesNotMatch(scan.syntaxErrors[0].message, /\n/);
    assert.match(scan.syntaxErrors[0].message, /`\{\{ customer.email` is never closed/);
  });
});

describe('liquid scanner: positions', () => {
  test('CRLF line endings: LSP positions count lines and characters correctly', () => {
    const text = 'Hi\r\nthere,\r\n  {{ customer.first_name }}\r\n{% if a %}\r\n';
    const scan = scanLiquid(text);
    const lines = new LineIndex(text);
    assert.deepEqual(lines.range(only(scan, 'customer.first_name').span), {
      start: { line: 2, character: 5 }, end: { line: 2, character: 24 },
    });
    assert.equal(scan.syntaxErrors.length, 1);
    assert.deepEqual(lines.range(scan.syntaxErrors[0].span), {
      start: { line: 3, character: 0 }, end: { line: 3, character: 10 },
    });
  });

  test('CRLF inside a multi-line tag', () => {
    const text = '{% if a\r\n   and b %}\r\n{{ b }}{% endif %}';
    const scan = scanLiquid(text);
    const lines = new LineIndex(text);
    const [condition, output] = usesOf(scan, 'b');
    assert.deepEqual(lines.range(condition.span).start, { line: 1, character: 7 });
    assert.deepEqual(lines.range(output.span).start, { line: 2, character: 3 });
    assert.equal(output.guarded, true);
  });

  test('non-ASCII text and emoji before a tag: characters are UTF-16 code units, as LSP counts', () => {
    // "Grüße " is 6 units; 👋 and 🏽 are surrogate pairs of 2 units each; then a space.
    const text = 'Grüße 👋🏽 {{ customer.city }}\n日本語 🎉{{ customer.first_name }}';
    const scan = scanLiquid(text);
    const lines = new LineIndex(text);
    assert.deepEqual(lines.range(only(scan, 'customer.city').span), {
      start: { line: 0, character: 14 }, end: { line: 0, character: 27 },
    });
    assert.deepEqual(lines.range(only(scan, 'customer.first_name').span).start, { line: 1, character: 9 });
  });

  test('an emoji inside a tag gives an error that does not split the surrogate pair', () => {
    const text = '{{ a 🎉 }}';
    const errors = scanLiquid(text).syntaxErrors;
    assert.equal(errors.length, 1);
    assert.equal(textAt(text, errors[0].span), '🎉');
  });

  test('non-ASCII field names keep their exact span', () => {
    const { text, offset } = cursor('Hallo {{ █kunde.vorname_ä | default: "Grüße" }}');
    const use = only(scanLiquid(text), 'kunde.vorname_ä');
    assert.equal(use.span.start, offset);
    assert.equal(use.fallback, 'Grüße');
  });

  test('every span lies inside the text, even for broken input', () => {
    for (const text of ['{{', '{%', '{{ a |', '{% if a == %}', '{% for %}', '{{ a.', '{{ "unterminated }}', '{% assign = %}']) {
      const scan = scanLiquid(text);
      for (const span of [...scan.uses.map((u) => u.span), ...scan.syntaxErrors.map((e) => e.span)]) {
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= text.length, `${JSON.stringify(text)}: ${JSON.stringify(span)}`);
      }
      assert.ok(scan.syntaxErrors.length > 0, `${JSON.stringify(text)} should be a syntax error`);
    }
  });
});

describe('liquid scanner: loops and locals', () => {
  test('a loop variable resolves to the array item: `item.title` is `cart.items[].title`', () => {
    const { text, offset } = cursor('{% for item in cart.items %}<li>{{ █item.title }}</li>{% endfor %}');
    const scan = scanLiquid(text);
    const source = only(scan, 'cart.items');
    assert.equal(source.context, 'loop');
    const title = only(scan, 'cart.items[].title');
    assert.equal(title.written, 'item.title');
    assert.equal(title.span.start, offset);
  });

  test('nested loops resolve through each other, and an inner variable shadows the outer one', () => {
    const scan = scanLiquid(
      '{% for order in customer.orders %}{% for line in order.lines %}{{ line.sku }}{% endfor %}' +
      '{% for order in order.children %}{{ order.id }}{% endfor %}{{ order.total }}{% endfor %}');
    assert.deepEqual(paths(scan), [
      'customer.orders', 'customer.orders[].lines', 'customer.orders[].lines[].sku',
      'customer.orders[].children', 'customer.orders[].children[].id', 'customer.orders[].total',
    ]);
  });

  test('after the loop, the variable is no longer bound', () => {
    const scan = scanLiquid('{% for item in cart.items %}{% endfor %}{{ item.title }}');
    assert.deepEqual(paths(scan), ['cart.items', 'item.title']);
  });

  test('`forloop` and `tablerowloop` are not data', () => {
    const scan = scanLiquid(
      '{% for item in cart.items %}{{ forloop.index }}{% if forloop.last %}.{% endif %}{% endfor %}' +
      '{% tablerow p in products cols: 2 %}{{ tablerowloop.col }}{{ p.name }}{% endtablerow %}');
    assert.deepEqual(paths(scan), ['cart.items', 'products', 'products[].name']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('a loop over a range binds a local, not a field', () => {
    const scan = scanLiquid('{% for i in (1..3) %}{{ i }}{% endfor %}');
    assert.deepEqual(paths(scan), []);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('`assign` locals are not fields; the assigned value is a use in the `assign` context', () => {
    const scan = scanLiquid('{% assign name = customer.first_name | default: "there" %}Hi {{ name }}, {{ name | upcase }}');
    assert.deepEqual(paths(scan), ['customer.first_name']);
    assert.equal(scan.uses[0].context, 'assign');
    assert.equal(scan.uses[0].fallback, 'there');
  });

  test('`assign` reads its value before binding the name', () => {
    const scan = scanLiquid('{% assign total = total | plus: 1 %}{{ total }}');
    assert.deepEqual(paths(scan), ['total']);
  });

  test('a local shadows a field root of the same name', () => {
    assert.deepEqual(paths(scanLiquid('{% assign customer = "x" %}{{ customer.name }}')), []);
  });

  test('`capture` locals are not fields; the fields used inside are', () => {
    const scan = scanLiquid('{% capture greeting %}Hi {{ customer.first_name }}{% endcapture %}{{ greeting }}');
    assert.deepEqual(paths(scan), ['customer.first_name']);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('`increment` counters are locals', () => {
    assert.deepEqual(paths(scanLiquid('{% increment n %}{{ n }}')), []);
  });
});

describe('liquid scanner: Braze', () => {
  test('`{{${first_name}}}` is the attribute `first_name`', () => {
    const { text, offset } = cursor('Hi {{█${first_name}}}!');
    const scan = scanLiquid(text);
    assert.deepEqual(scan.syntaxErrors, []);
    const use = only(scan, 'first_name');
    assert.equal(use.written, '${first_name}');
    assert.equal(use.span.start, offset);
    assert.equal(use.span.end, offset + '${first_name}'.length);
  });

  test('`{{${first_name} | default: "there"}}` has the fallback', () => {
    const use = only(scanLiquid('{{${first_name} | default: "there"}}'), 'first_name');
    assert.equal(use.fallback, 'there');
  });

  test('`custom_attribute.${name}` is the custom attribute `name`, even with spaces', () => {
    const scan = scanLiquid('{{custom_attribute.${loyalty_tier}}} {{ custom_attribute.${Favorite Color} | default: "blue" }}');
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), ['loyalty_tier', 'Favorite Color']);
    assert.equal(scan.uses[1].fallback, 'blue');
  });

  test('`abort_message` is a known tag; its text is not data, its condition is', () => {
    const scan = scanLiquid('{% if customer.first_name == blank %}{% abort_message("no first name") %}{% endif %}Hi {{ customer.first_name }}');
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), ['customer.first_name', 'customer.first_name']);
  });

  test('`connected_content` reads the fields in its URL and saves connected data, not a field', () => {
    const scan = scanLiquid('{% connected_content https://api.example/x?id={{ customer.id }} :save offer %}{{ offer.title }}');
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(paths(scan), ['customer.id']);
    assert.deepEqual(scan.connected?.uses.map((use) => use.written), ['offer.title']);
  });
});

describe('liquid scanner: guards', () => {
  const guardedOutput = (source: string, path = 'x') => {
    const outputs = usesOf(scanLiquid(source), path).filter((u) => u.context === 'output');
    assert.equal(outputs.length, 1, source);
    return outputs[0].guarded;
  };

  test('`{% if x %}` guards x', () => assert.equal(guardedOutput('{% if x %}{{ x }}{% endif %}'), true));
  test('`{% if x != blank %}` guards x', () => assert.equal(guardedOutput('{% if x != blank %}{{ x }}{% endif %}'), true));
  test('`{% if x != "" %}` and `!= empty` guard x', () => {
    assert.equal(guardedOutput('{% if x != "" %}{{ x }}{% endif %}'), true);
    assert.equal(guardedOutput('{% if x != empty %}{{ x }}{% endif %}'), true);
  });
  test('`{% unless x == blank %}` guards x', () => assert.equal(guardedOutput('{% unless x == blank %}{{ x }}{% endunless %}'), true));
  test('`{% if x == "gold" %}` guards x (it has that value)', () => assert.equal(guardedOutput('{% if x == "gold" %}{{ x }}{% endif %}'), true));
  test('`{% if x.size > 0 %}` guards x', () => assert.equal(guardedOutput('{% if x.size > 0 %}{{ x | join: ", " }}{% endif %}'), true));

  test('a count above zero, `!= empty` or `!= blank` guards the list\'s first and last item; `{% if list %}` and `!= nil` do not', () => {
    const item = (source: string) => guardedOutput(source, 'list[]');
    assert.equal(item('{% if list.size > 0 %}{{ list.first }}{% endif %}'), true);
    assert.equal(item('{% if list.size >= 1 %}{{ list.last }}{% endif %}'), true);
    assert.equal(item('{% if list.size != 0 %}{{ list.first }}{% endif %}'), true);
    assert.equal(item('{% if list != empty %}{{ list.first }}{% endif %}'), true);
    assert.equal(item('{% if list == empty %}none{% else %}{{ list.last }}{% endif %}'), true);
    assert.equal(item('{% if list %}{{ list.first }}{% endif %}'), false);
    assert.equal(item('{% if list != blank %}{{ list.first }}{% endif %}'), true);
    assert.equal(item('{% if list != nil %}{{ list.first }}{% endif %}'), false);
    assert.equal(item('{% if other.size > 0 %}{{ list.first }}{% endif %}'), false);
  });

  test('`{% unless x %}` does not guard x', () => assert.equal(guardedOutput('{% unless x %}{{ x }}{% endunless %}'), false));
  test('`{% if x == blank %}` does not guard x', () => assert.equal(guardedOutput('{% if x == blank %}{{ x }}{% endif %}'), false));
  test('`{% if x != "gold" %}` does not guard x', () => assert.equal(guardedOutput('{% if x != "gold" %}{{ x }}{% endif %}'), false));
  test('a guard on another field does not guard x', () => assert.equal(guardedOutput('{% if y %}{{ x }}{% endif %}'), false));
  test('the guard ends with the block', () => assert.equal(guardedOutput('{% if x %}{% endif %}{{ x }}'), false));

  test('`and` guards both sides, `or` guards neither', () => {
    assert.equal(guardedOutput('{% if x and y %}{{ x }}{% endif %}'), true);
    assert.equal(guardedOutput('{% if y and x != blank %}{{ x }}{% endif %}'), true);
    assert.equal(guardedOutput('{% if x or y %}{{ x }}{% endif %}'), false);
  });

  test('`else` after `if x == blank` is a negative guard on x', () => {
    assert.equal(guardedOutput('{% if x == blank %}friend{% else %}{{ x }}{% endif %}'), true);
    assert.equal(guardedOutput('{% unless x %}friend{% else %}{{ x }}{% endunless %}'), true);
  });

  test('`else` after `if x` is not a guard on x', () => {
    assert.equal(guardedOutput('{% if x %}hi{% else %}{{ x }}{% endif %}'), false);
  });

  test('`elsif` after `if x == blank` keeps the negative guard; its own condition guards too', () => {
    const scan = scanLiquid('{% if x == blank %}a{% elsif y %}{{ x }}{{ y }}{% else %}{{ x }}{{ y }}{% endif %}');
    const outputs = scan.uses.filter((u) => u.context === 'output');
    assert.deepEqual(outputs.map((u) => [u.path, u.guarded]), [['x', true], ['y', true], ['x', true], ['y', false]]);
  });

  test('in an `elsif`, the `if` condition is false: it does not guard', () => {
    const scan = scanLiquid('{% if x %}{% elsif y %}{{ x }}{% endif %}');
    assert.equal(scan.uses.find((u) => u.context === 'output')?.guarded, false);
  });

  test('`case/when` with a real value guards the subject; `when nil`, `when ""` and `else` do not', () => {
    const scan = scanLiquid('{% case x %}{% when "gold", "silver" %}{{ x }}{% when nil %}{{ x }}{% when "" %}{{ x }}{% else %}{{ x }}{% endcase %}');
    assert.deepEqual(scan.uses.filter((u) => u.context === 'output').map((u) => u.guarded), [true, false, false, false]);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('a guard on a loop item field guards the output of the same item field', () => {
    const scan = scanLiquid('{% for item in cart.items %}{% if item.image_url != blank %}<img src="{{ item.image_url }}">{% endif %}{% endfor %}');
    const output = scan.uses.find((u) => u.context === 'output');
    assert.equal(output?.path, 'cart.items[].image_url');
    assert.equal(output?.guarded, true);
  });

  test('inside a loop, the item itself is guarded (the body only runs for items that exist), its fields are not', () => {
    const scan = scanLiquid('{% for t in customer.tags %}{{ t }}{{ t.label }}{% else %}{{ customer.tags.first }}{% endfor %}{{ customer.tags.first }}');
    assert.deepEqual(scan.uses.filter((u) => u.context === 'output').map((u) => [u.path, u.guarded]), [
      ['customer.tags[]', true], ['customer.tags[].label', false], ['customer.tags[]', false], ['customer.tags[]', false],
    ]);
  });

  test('conditions are recorded as uses in the `condition` context', () => {
    const scan = scanLiquid('{% if a and b == c %}{% endif %}{% case d %}{% when e %}{% endcase %}');
    assert.deepEqual(scan.uses.map((u) => [u.path, u.context]), [
      ['a', 'condition'], ['b', 'condition'], ['c', 'condition'], ['d', 'condition'], ['e', 'condition'],
    ]);
  });
});

describe('liquid scanner: branch groups', () => {
  test('an if/elsif/else gives one group with each branch body', () => {
    const text = '{% if a %}A{% elsif b %}B{% else %}C{% endif %}';
    const groups = scanLiquid(text).branchGroups;
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0].branches.map((b) => textAt(text, b.body)), ['A', 'B', 'C']);
    assert.deepEqual(groups[0].branches.map((b) => textAt(text, b.tagSpan)), ['{% if a %}', '{% elsif b %}', '{% else %}']);
  });

  test('an `if` without `else` has one branch and gives no group', () => {
    assert.deepEqual(scanLiquid('{% if a %}A{% endif %}').branchGroups, []);
  });

  test('case/when branches', () => {
    const text = '{% case p %}{% when "a" %}A{% when "b" %}B{% endcase %}';
    const groups = scanLiquid(text).branchGroups;
    assert.deepEqual(groups[0].branches.map((b) => textAt(text, b.body)), ['A', 'B']);
  });
});

describe('liquid scanner: keeps going after mistakes', () => {
  test('after a syntax error, the rest of the file is still analysed', () => {
    const source = [
      '{{ a | }}',
      '{{ b..c }}',
      '{% if %}{% endif %}',
      '{% bogus %}',
      '{{ "unterminated }}',
      '{% for item in %}{% endfor %}',
      '{% if d %}{{ █d }}{% endif %}',
      '{% for item in cart.items %}{{ █item.title }}{% endfor %}',
      '{{ e | default: "x" }}',
    ].join('\n');
    const { text, offsets } = marked(source);
    const scan = scanLiquid(text);
    assert.ok(scan.syntaxErrors.length >= 6, JSON.stringify(scan.syntaxErrors.map((e) => e.message)));
    const errorLines = new Set(scan.syntaxErrors.map((e) => new LineIndex(text).range(e.span).start.line));
    for (const line of [0, 1, 2, 3, 4, 5]) assert.ok(errorLines.has(line), `no error on line ${line + 1}`);
    const d = usesOf(scan, 'd').find((u) => u.context === 'output');
    assert.equal(d?.span.start, offsets[0]);
    assert.equal(d?.guarded, true);
    assert.equal(only(scan, 'cart.items[].title').span.start, offsets[1]);
    assert.equal(only(scan, 'e').fallback, 'x');
  });

  test('syntax error messages say what is wrong, what the recipient sees and how to fix it', () => {
    const [error] = scanLiquid('{{ customer.first_name').syntaxErrors;
    assert.match(error.message, /never closed/);
    assert.match(error.message, /recipient would see this raw merge syntax/);
    assert.match(error.message, /Close the tag with `\}\}`/);
  });

  test('a dangling pipe and a dangling dot are reported at their own place', () => {
    const { text, offsets } = marked('{{ a █| }} {{ █customer. }}');
    const errors = scanLiquid(text).syntaxErrors;
    assert.deepEqual(errors.map((e) => e.span.start), offsets);
    assert.match(errors[1].message, /ends with a dot/);
  });

  test('a missing closing quote is reported', () => {
    const errors = scanLiquid(`{{ a | default: 'there }}`).syntaxErrors;
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /closing quote/);
  });

  test('a large template is scanned completely', () => {
    const block = '{% if customer.vip %}<p>{{ customer.first_name | default: "there" }}</p>{% else %}{% for i in cart.items %}{{ i.title }}{% endfor %}{% endif %}\n';
    const text = block.repeat(2000);
    const scan = scanLiquid(text);
    assert.equal(scan.uses.length, 2000 * 4);
    assert.equal(scan.syntaxErrors.length, 0);
  });

  test('a local assigned straight from a field carries the field to its outputs', () => {
    const scan = scanLiquid("{% assign name = customer.first_name %}Hi {{ name }}, {{ name | default: 'there' }}{% assign name = 'Bob' %}{{ name }}");
    const outputs = scan.uses.filter((use) => use.context === 'output');
    assert.deepEqual(outputs.map((use) => [use.path, use.written, use.fallback]), [
      ['customer.first_name', 'name', null],
      ['customer.first_name', 'name', 'there'],
    ]);
    const withFallback = scanLiquid("{% assign city = customer.city | default: 'your city' %}{{ city }}");
    assert.deepEqual(withFallback.uses.filter((use) => use.context === 'output'), []);
  });
});
