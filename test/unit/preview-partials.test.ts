/**
 * Previews of templates that pull in partials: each platform's renderer renders the include with the
 * partial's text, and the partial's field outputs are marked with its file and their span in it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncludeKind, RenderPartial } from '../../server/src/core/dialects/dialect';
import type { DialectId } from '../../server/src/core/dialects/ids';
import { getDialect } from '../../server/src/core/dialects/registry';
import { markedEmailHtml } from '../../server/src/core/preview/html';
import { previewTemplate, type MarkKind, type RecipientPreview } from '../../server/src/core/preview/preview';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  fields: {
    'customer.first_name': { type: 'string' },
    'customer.city': { type: 'string' },
    'customer.job_title': { type: 'string', maxAgeDays: 365 },
    items: { type: 'array', items: { fields: { title: { type: 'string' } } } },
  },
});

const ANA = { customer: { first_name: 'Ana', job_title: 'Stylist' }, items: [{ title: 'Boots' }, { title: 'Scarf' }] };

interface Partials {
  /** Partial texts by the name the include reads. */
  files: Record<string, string>;
  /** The include kinds looked up, as `kind:name`. */
  asked: string[];
}

/**
 * Previews `text` for a recipient, serving `files` as partials (named `partials/<name>`) with scans
 * from the dialect's own scanner. A partial's use is read by its schema field when `aliases` or the
 * schema names it.
 */
function preview(dialectId: DialectId, text: string, files: Record<string, string>, data: object = ANA, aliases: Record<string, string> = {}): RecipientPreview & Partials {
  const dialect = getDialect(dialectId);
  const asked: string[] = [];
  const partial = (kind: IncludeKind, name: string): RenderPartial | undefined => {
    asked.push(`${kind}:${name}`);
    const partialText = files[name];
    if (partialText === undefined) return undefined;
    const scan = dialect.scan(partialText);
    return {
      file: `partials/${name}`,
      text: partialText,
      scan,
      schemaPathOf: (index) => {
        const path = scan.uses[index]?.path;
        return path === undefined ? undefined : aliases[path] ?? (SCHEMA.fields.has(path) ? path : undefined);
      },
    };
  };
  const { recipients } = parseRecipients(JSON.stringify(data), 'recipients/ana.json');
  const result = previewTemplate({ text, dialect, scan: dialect.scan(text), schema: SCHEMA, recipient: recipients[0], now: NOW, partial });
  return { ...result, files, asked };
}

function rendered(result: RecipientPreview): string {
  return result.segments.map((segment) => segment.text).join('');
}

/** Marks inside partials, as [kind, field, text, file, the text their span covers in the partial]. */
function partialMarks(result: RecipientPreview & Partials): [MarkKind, string | undefined, string, string, string][] {
  return result.segments.flatMap(({ text, mark }) => {
    if (!mark?.file || !mark.span) return [];
    const partialText = result.files[mark.file.slice('partials/'.length)];
    return [[mark.kind, mark.field, text, mark.file, partialText.slice(mark.span.start, mark.span.end)]];
  });
}

describe('preview of partials: Liquid', () => {
  const files = {
    greeting: 'Hello {{ name }}!',
    city: 'From {{ customer.city | default: "somewhere" }}, {{ customer.job_title }}.',
    card: '[{{ item.title }}]',
    looping: 'again {% render "looping" %}',
    aliased: 'Hi {{ user.fname }}',
    promo: 'Promo for {{ customer.first_name }}',
    included: 'Inc {{ local }}',
  };

  test('render with a parameter shows the recipient\'s value, marked with the partial\'s file and span', () => {
    const result = preview('liquid', "A {% render 'greeting', name: customer.first_name %} B", files);
    assert.equal(rendered(result), 'A Hello Ana! B');
    assert.deepEqual(partialMarks(result), [['value', 'name', 'Ana', 'partials/greeting', '{{ name }}']]);
    assert.deepEqual(result.asked, ['render:greeting']);
  });

  test('fallbacks and blanks inside a partial are counted, and the recipient\'s fields are readable in render', () => {
    const result = preview('liquid', "{% render 'city' %}", files);
    assert.equal(rendered(result), 'From somewhere, Stylist.');
    assert.deepEqual(partialMarks(result), [
      ['fallback', 'customer.city', 'somewhere', 'partials/city', '{{ customer.city | default: "somewhere" }}'],
      ['value', 'customer.job_title', 'Stylist', 'partials/city', '{{ customer.job_title }}'],
    ]);
    assert.equal(result.counts.fallback, 1);
    const blank = preview('liquid', "{% render 'greeting' %}", files);
    assert.deepEqual(partialMarks(blank), [['blank', 'name', '', 'partials/greeting', '{{ name }}']]);
  });

  test('a stale value inside a partial is marked stale through the partial\'s schema path', () => {
    const data = { ...ANA, $updatedAt: { 'customer.job_title': '2021-04-12T11:20:00Z' } };
    const result = preview('liquid', "{% render 'city' %}", files, data);
    assert.deepEqual(partialMarks(result)[1].slice(0, 3), ['stale', 'customer.job_title', 'Stylist']);
    assert.equal(result.counts.stale, 1);
  });

  test('a partial\'s aliased reference is read by its schema path', () => {
    const result = preview('liquid', "{% render 'aliased' %}", files, ANA, { 'user.fname': 'customer.first_name' });
    assert.equal(rendered(result), 'Hi Ana');
    assert.deepEqual(partialMarks(result), [['value', 'customer.first_name', 'Ana', 'partials/aliased', '{{ user.fname }}']]);
  });

  test('render for and with run the partial per item and with the object', () => {
    const result = preview('liquid', "{% render 'card' for items as item %}|{% render 'card' with items.first as item %}", files);
    assert.equal(rendered(result), '[Boots][Scarf]|[Boots]');
    assert.deepEqual(partialMarks(result).map((mark) => mark.slice(0, 4)), [
      ['value', 'item.title', 'Boots', 'partials/card'],
      ['value', 'item.title', 'Scarf', 'partials/card'],
      ['value', 'item.title', 'Boots', 'partials/card'],
    ]);
  });

  test('include sees the caller\'s variables; a Braze content block renders in place', () => {
    const result = preview('liquid', "{% assign local = 'x' %}{% include 'included' %} {{content_blocks.${promo}}}", files);
    assert.equal(rendered(result), 'Inc x Promo for Ana');
    assert.deepEqual(result.asked, ['include:included', 'content-block:promo']);
    assert.deepEqual(partialMarks(result).map((mark) => mark[3]), ['partials/included', 'partials/promo']);
  });

  test('a partial that renders itself stops at the depth limit; a missing partial renders as nothing', () => {
    const looping = preview('liquid', "{% render 'looping' %} end", files);
    assert.equal(looping.error, undefined);
    assert.equal(rendered(looping), `${'again '.repeat(20)} end`);
    const missing = preview('liquid', "A {% render 'nowhere' %}{% include 'nowhere' %}B {{ customer.first_name }}", files);
    assert.equal(missing.error, undefined);
    assert.equal(rendered(missing), 'A B Ana');
  });
});

describe('preview of partials: Handlebars and Iterable', () => {
  const files = {
    greeting: 'Hello {{name}}!',
    city: 'From {{#if customer.city}}{{customer.city}}{{/if}}{{customer.job_title}}{{customer.city}}.',
    card: '[{{title}}]',
    looping: 'again {{> looping}}',
    promo: '{{!-- mergewise @param {string} who --}}Promo for {{defaultIfEmpty who "you"}} in {{defaultIfEmpty customer.city "town"}}',
    layout: '<body>{{> @partial-block }}</body>',
  };

  test('a layout renders the block that includes it where it writes `{{> @partial-block}}`; inline partials are the template\'s own', () => {
    const result = preview('handlebars', '{{#> layout}}Hi {{customer.first_name}}{{/layout}}{{#*inline "sig"}}- {{customer.job_title}}{{/inline}} {{> sig}}', files);
    assert.equal(result.error, undefined);
    assert.equal(rendered(result), '<body>Hi Ana</body> - Stylist');
    assert.deepEqual(result.asked, ['partial:layout']);
  });

  test('a partial with a hash parameter shows the recipient\'s value, marked with its file and span', () => {
    const result = preview('handlebars', 'A {{> greeting name=customer.first_name}} B', files);
    assert.equal(rendered(result), 'A Hello Ana! B');
    assert.deepEqual(partialMarks(result), [['value', 'name', 'Ana', 'partials/greeting', '{{name}}']]);
  });

  test('a blank inside a partial is marked blank', () => {
    const result = preview('handlebars', '{{> city}}', files);
    assert.equal(rendered(result), 'From Stylist.');
    assert.deepEqual(partialMarks(result), [
      ['value', 'customer.job_title', 'Stylist', 'partials/city', '{{customer.job_title}}'],
      ['blank', 'customer.city', '', 'partials/city', '{{customer.city}}'],
    ]);
  });

  test('a partial inside each renders with each item as its context', () => {
    const result = preview('handlebars', '{{#each items}}{{> card}}{{/each}}', files);
    assert.equal(rendered(result), '[Boots][Scarf]');
    assert.deepEqual(partialMarks(result).map((mark) => mark[2]), ['Boots', 'Scarf']);
  });

  test('a partial that includes itself stops at the depth limit; a missing one renders as nothing', () => {
    const looping = preview('handlebars', '{{> looping}} end', files);
    assert.equal(looping.error, undefined);
    assert.equal(rendered(looping), `${'again '.repeat(20)} end`);
    const missing = preview('handlebars', 'A {{> nowhere}}B {{customer.first_name}}', files);
    assert.equal(missing.error, undefined);
    assert.equal(rendered(missing), 'A B Ana');
  });

  test('an Iterable snippet reads its arguments by the names it declares; fallbacks inside are marked', () => {
    const result = preview('iterable', 'A {{{snippet "promo" customer.first_name}}} B {{{snippet "nowhere"}}}C', files);
    assert.equal(rendered(result), 'A Promo for Ana in town B C');
    assert.deepEqual(result.asked, ['snippet:promo', 'snippet:nowhere']);
    assert.deepEqual(partialMarks(result), [
      ['value', 'who', 'Ana', 'partials/promo', '{{defaultIfEmpty who "you"}}'],
      ['fallback', 'customer.city', 'town', 'partials/promo', '{{defaultIfEmpty customer.city "town"}}'],
    ]);
  });
});

describe('preview of partials: AMPscript', () => {
  const files = {
    greeting: 'Hello %%=v(@name)=%% %%=v(FirstName)=%%!',
    city: 'From %%=IIF(Empty(City), "somewhere", City)=%%%%=v(JobTitle)=%%.',
    line: '[%%=v(@i)=%%]',
    looping: 'again %%=ContentBlockByKey("looping")=%%',
  };
  // The partials' attributes are read by the schema paths their `schemaPathOf` gives.
  const aliases = { FirstName: 'customer.first_name', City: 'customer.city', JobTitle: 'customer.job_title' };

  test('a content block runs in the caller\'s variables, its outputs marked with its file and span', () => {
    const result = preview('ampscript', '%%[ SET @name = "dear" ]%%A %%=ContentBlockByKey("greeting")=%% B', files, ANA, aliases);
    assert.equal(rendered(result), 'A Hello dear Ana! B');
    assert.deepEqual(result.asked, ['content-block-key:greeting']);
    assert.deepEqual(partialMarks(result), [['value', 'customer.first_name', 'Ana', 'partials/greeting', '%%=v(FirstName)=%%']]);
  });

  test('fallbacks inside a content block are marked, by name and by ID', () => {
    const result = preview('ampscript', '%%=ContentBlockByName("city")=%% %%=ContentBlockByID("city")=%%', files, ANA, aliases);
    assert.equal(rendered(result), 'From somewhereStylist. From somewhereStylist.');
    assert.deepEqual(result.asked, ['content-block-name:city', 'content-block-id:city']);
    assert.deepEqual(partialMarks(result).slice(0, 2), [
      ['fallback', 'customer.city', 'somewhere', 'partials/city', '%%=IIF(Empty(City), "somewhere", City)=%%'],
      ['value', 'customer.job_title', 'Stylist', 'partials/city', '%%=v(JobTitle)=%%'],
    ]);
  });

  test('a content block in a loop runs once per pass', () => {
    const result = preview('ampscript', '%%[ FOR @i = 1 TO 3 DO ]%%%%=ContentBlockByKey("line")=%%%%[ NEXT @i ]%%', files);
    assert.equal(rendered(result), '[1][2][3]');
  });

  test('a block that pulls itself in stops at the depth limit; a missing one writes its default content', () => {
    const looping = preview('ampscript', '%%=ContentBlockByKey("looping")=%% end', files);
    assert.equal(looping.error, undefined);
    assert.equal(rendered(looping), `${'again '.repeat(20)} end`);
    const missing = preview('ampscript', 'A %%=ContentBlockByKey("nowhere")=%%|%%=ContentBlockByKey("nowhere", "", 0, "default")=%% B', files);
    assert.equal(missing.error, undefined);
    assert.equal(rendered(missing), 'A |default B');
  });
});

describe('preview of partials: HubL', () => {
  const files = {
    'greeting.html': 'Hello {{ name }}!',
    'city.html': 'From {{ customer.city|default("somewhere") }}, {{ customer.job_title }}{{ customer.city }}.',
    'card.html': '[{{ item.title }}]',
    'looping.html': 'again {% include "looping.html" %}',
  };

  test('an include with a named value shows the recipient\'s value, marked with its file and span', () => {
    const result = preview('hubl', 'A {% include "greeting.html" name=customer.first_name %} B', files);
    assert.equal(rendered(result), 'A Hello Ana! B');
    assert.deepEqual(result.asked, ['include:greeting.html']);
    assert.deepEqual(partialMarks(result), [['value', 'name', 'Ana', 'partials/greeting.html', '{{ name }}']]);
  });

  test('the included partial sees the caller\'s variables, and its fallbacks and blanks are marked', () => {
    const set = preview('hubl', '{% set name = customer.first_name %}{% include "greeting.html" %}', files);
    assert.equal(rendered(set), 'Hello Ana!');
    const result = preview('hubl', '{% include "city.html" %}', files);
    assert.equal(rendered(result), 'From somewhere, Stylist.');
    assert.deepEqual(partialMarks(result).map((mark) => mark.slice(0, 3)), [
      ['fallback', 'customer.city', 'somewhere'],
      ['value', 'customer.job_title', 'Stylist'],
      ['blank', 'customer.city', ''],
    ]);
    assert.equal(result.counts.blank, 1);
  });

  test('an include inside a loop sees the loop variable', () => {
    const result = preview('hubl', '{% for item in items %}{% include "card.html" %}{% endfor %}', files);
    assert.equal(rendered(result), '[Boots][Scarf]');
    assert.deepEqual(partialMarks(result).map((mark) => [mark[2], mark[4]]), [['Boots', '{{ item.title }}'], ['Scarf', '{{ item.title }}']]);
  });

  test('a partial that includes itself stops at the depth limit; a missing one renders as nothing', () => {
    const looping = preview('hubl', '{% include "looping.html" %} end', files);
    assert.equal(looping.error, undefined);
    assert.equal(rendered(looping), `${'again '.repeat(20)} end`);
    const missing = preview('hubl', 'A {% include "nowhere.html" %}B {{ customer.first_name }}', files);
    assert.equal(missing.error, undefined);
    assert.equal(rendered(missing), 'A B Ana');
  });
});

describe('preview of partials: marks outside partials', () => {
  test('the template\'s own marks carry no file, and templates without partials render as before', () => {
    const result = preview('liquid', "{{ customer.first_name }} {% render 'greeting', name: 'x' %}", { greeting: '{{ name }}' });
    assert.deepEqual(result.segments.filter((segment) => segment.mark).map((segment) => segment.mark!.file), [undefined, 'partials/greeting']);
  });
});

describe('the preview HTML of included content', () => {
  test('a mark inside a partial carries the partial\'s file, so that a click selects the tag there', () => {
    const result = preview('liquid', '<p>{% render \'greeting\', name: customer.first_name %}</p>', { greeting: 'Hi {{ customer.city }}' });
    const html = markedEmailHtml(result, { plainText: false });
    assert.match(html, /<mark class="mw mw-blank" title="blank: nothing was shown: customer.city" data-start="3" data-end="22" data-file="partials\/greeting"><\/mark>/);
  });
});
