/**
 * Braze's Liquid as its documentation writes it: outputs nested in tags (rendered first, read as the
 * value they stand for), `connected_content` and `catalog_items` (connected data, mocked per sample
 * recipient with `$connected`, never fetched), and the same origin in Iterable data feeds and
 * AMPscript's HTTPGet.
 */
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { FieldUse, TemplateScan } from '../../server/src/core/dialects/dialect';
import { liquid } from '../../server/src/core/dialects/liquid';
import { iterable } from '../../server/src/core/dialects/iterable';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { hoverAt, shownHints } from '../../server/src/core/ide';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { markedEmailHtml } from '../../server/src/core/preview/html';
import { parseRecipients, type Recipient } from '../../server/src/core/preview/recipients';
import type { DocumentAnalysis } from '../../server/src/core/workspace';
import { analyze, NOW, schemaOf } from '../helpers/schema';
import { marked } from '../helpers/cursor';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const SCHEMA = {
  fields: {
    first_name: { type: 'string', source: 'declared', fallback: 'there' },
    last_name: { type: 'string', source: 'declared' },
    language: { type: 'string', source: 'observed' },
    country: { type: 'string', source: 'observed' },
    user_id: { type: 'string', source: 'observed', required: true },
    tier: { type: 'string', source: 'declared' },
    email_address: { type: 'string', source: 'declared', required: true },
  },
};

function at(text: string, use: { span: { start: number; end: number } }): string {
  return text.slice(use.span.start, use.span.end);
}

function uses(scan: TemplateScan, path: string): FieldUse[] {
  return scan.uses.filter((use) => use.path === path);
}

function one(text: string): Recipient {
  const parsed = parseRecipients(text, 'recipients/ana.json');
  assert.deepEqual(parsed.problems, []);
  return parsed.recipients[0];
}

describe('Braze: outputs nested in tags', () => {
  const { text, offsets } = marked(`{% comment %}Welcome series, step 2{% endcomment %}
{% assign lang = {{█\${language}}} %}
{% if {{█custom_attribute.\${tier}}} == "gold" %}
  <p>Thanks for being Gold.</p>
{% elsif {{█custom_attribute.\${tier} | default: "none"}} == "none" %}
  <p>Join the club.</p>
{% endif %}
{% case {{█\${country}}} %}
  {% when "US" %}<p>Free shipping in {{█\${country}}}.</p>
  {% else %}<p>Shipping worldwide.</p>
{% endcase %}
{% unless {{█\${last_name}}} == blank %}<p>Dear {{█\${last_name}}},</p>{% endunless %}
{% if {{█\${first_name}}} != blank %}Hi {{█\${first_name}}}{% else %}Hi there{% endif %}
<p>{{ lang }}</p>`);
  const scan = liquid.scan(text);

  test('no syntax error, and every field inside has its exact span', () => {
    assert.deepEqual(scan.syntaxErrors, []);
    const expected = ['${language}', 'custom_attribute.${tier}', 'custom_attribute.${tier}', '${country}', '${country}', '${last_name}', '${last_name}', '${first_name}', '${first_name}'];
    const found = scan.uses.filter((use) => use.span.start !== text.indexOf('lang }}'));
    assert.deepEqual(found.map((use) => at(text, use)), expected);
    assert.deepEqual(found.map((use) => use.span.start), offsets);
    assert.deepEqual(found.map((use) => use.context),
      ['assign', 'condition', 'condition', 'condition', 'output', 'condition', 'output', 'condition', 'output']);
  });

  test('conditions on them guard the outputs, as they do written plainly', () => {
    assert.equal(uses(scan, 'first_name').find((use) => use.context === 'output')?.guarded, true);
    assert.equal(uses(scan, 'last_name').find((use) => use.context === 'output')?.guarded, true);
    assert.equal(uses(scan, 'country').find((use) => use.context === 'output')?.guarded, true, 'when "US" guards the case subject');
  });

  test('an assigned local carries the field; a nested fallback is the fallback', () => {
    const local = scan.uses.find((use) => use.written === 'lang');
    assert.equal(local?.path, 'language');
    assert.equal(uses(scan, 'tier')[1].fallback, 'none');
    const filtered = liquid.scan('{% assign name = {{${first_name} | default: "friend"}} | upcase %}{{ name }}');
    assert.deepEqual(filtered.syntaxErrors, []);
    assert.equal(filtered.uses[0].fallback, 'friend');
    assert.deepEqual(filtered.uses[0].filters, ['default', 'upcase']);
  });

  test('no missing-fallback warning for a guarded nested field, and no unknown field', () => {
    const diagnostics = analyze(text, schemaOf(SCHEMA)).diagnostics;
    assert.deepEqual(diagnostics.filter((d) => d.rule === 'syntax-error' || d.rule === 'unknown-field'), []);
    assert.ok(!diagnostics.some((d) => d.rule === 'missing-fallback' && d.field === 'first_name'), JSON.stringify(diagnostics));
  });

  test('an output left open inside a tag is still a syntax error', () => {
    const errors = liquid.scan('{% if {{${first_name} == "Ana" %}x{% endif %}').syntaxErrors;
    assert.equal(errors.length > 0, true);
  });

  test('the preview renders the inner output first, as Braze does', () => {
    const render = (data: Record<string, unknown>) => {
      const result = previewTemplate({ text, dialect: liquid, scan, schema: schemaOf(SCHEMA), recipient: { name: 'x', file: 'x.json', data, updatedAt: new Map() }, now: NOW });
      assert.equal(result.error, undefined);
      return result.segments.map((segment) => segment.text).join('').replace(/\s+/g, ' ');
    };
    const gold = render({ language: 'fr', tier: 'gold', country: 'US', last_name: 'Doe', first_name: 'Ana' });
    assert.match(gold, /Thanks for being Gold/);
    assert.match(gold, /Free shipping in US/);
    assert.match(gold, /Dear Doe,/);
    assert.match(gold, /Hi Ana/);
    assert.match(gold, /<p>fr<\/p>/);
    const empty = render({});
    assert.match(empty, /Join the club/);
    assert.match(empty, /Shipping worldwide/);
    assert.doesNotMatch(empty, /Dear/);
    assert.match(empty, /Hi there/);
  });
});

const CONNECTED = `{% connected_content https://api.example.com/u/{{\${user_id}}}?lang={{\${language}}}
  :method post
  :headers {"X-Api-Key": "abc123"}
  :body id={{\${user_id}}}&tier={{custom_attribute.\${tier}}}
  :save offer %}
{% if offer.code %}
  <p>Your code: {{ offer.code }}</p>
{% endif %}
{% for product in offer.products %}<li>{{ product.title }}</li>{% endfor %}
{% catalog_items games {{\${user_id}}} %}
<p>{{ items[0].title | default: "our latest game" }}</p>
<h2>{{ offer.headline }}</h2>`;

describe('Braze: connected_content and catalog_items', () => {
  const scan = liquid.scan(CONNECTED);

  test('the fields in the URL and the body are found, with exact spans', () => {
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [use.path, at(CONNECTED, use)]), [
      ['user_id', '${user_id}'], ['language', '${language}'], ['user_id', '${user_id}'], ['tier', 'custom_attribute.${tier}'], ['user_id', '${user_id}'],
    ]);
  });

  test('the saved variables are connected data, with their origin', () => {
    const sources = scan.connected?.sources ?? [];
    assert.deepEqual(sources.map((source) => [source.kind, source.name]), [['connected-content', 'offer'], ['catalog-items', 'items']]);
    assert.equal(sources[0].from, 'https://api.example.com/u/{{${user_id}}}?lang={{${language}}}');
    assert.equal(sources[1].from, 'games');
    assert.deepEqual(scan.connected?.uses.map((use) => [use.written, sources[use.source].name, use.context]), [
      ['offer.code', 'offer', 'condition'], ['offer.code', 'offer', 'output'], ['offer.products', 'offer', 'loop'],
      ['product.title', 'offer', 'output'], ['items[0].title', 'items', 'output'], ['offer.headline', 'offer', 'output'],
    ]);
  });

  test('no unknown-field, and the hover says where the data comes from', () => {
    const analysis = analyze(CONNECTED, schemaOf(SCHEMA));
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error'), []);
    const document = { dialect: liquid, schema: schemaOf(SCHEMA), analysis } as unknown as DocumentAnalysis;
    const ana = one('{"$name": "Ana", "user_id": "u1", "$connected": {"offer": {"code": "SAVE10"}}}');
    const hover = hoverAt(document, CONNECTED.indexOf('offer.code }}') + 2, [ana], NOW);
    assert.match(hover!.markdown, /connected content saved as `offer` from https:\/\/api\.example\.com\/u\//);
    assert.match(hover!.markdown, /\| Ana \| SAVE10 \|/);
    const hints = shownHints(document, 0, CONNECTED.length, ana, NOW).map((hint) => hint.label);
    assert.ok(hints.includes('→ SAVE10'), hints.join(', '));
  });

  test('without :save nothing is kept; a :save without a name is an error', () => {
    assert.equal(liquid.scan('{% connected_content https://api.example.com/banner %}').connected, undefined);
    assert.equal(liquid.scan('{% connected_content https://api.example.com/banner :save %}').syntaxErrors.length, 1);
  });
});

describe('Braze: the preview fills connected data from $connected, never from the network', () => {
  let calls: string[] = [];
  beforeEach(() => {
    calls = [];
    const refuse = (name: string) => () => { calls.push(name); throw new Error(`${name} called during a preview`); };
    mock.method(globalThis, 'fetch', refuse('fetch'));
    mock.method(http, 'request', refuse('http.request'));
    mock.method(https, 'request', refuse('https.request'));
    mock.method(net, 'connect', refuse('net.connect'));
  });
  afterEach(() => mock.restoreAll());

  const preview = (recipient: Recipient) =>
    previewTemplate({ text: CONNECTED, dialect: liquid, scan: liquid.scan(CONNECTED), schema: schemaOf(SCHEMA), recipient, now: NOW });

  test('with a mock, the saved variable renders its values', () => {
    const result = preview(one(JSON.stringify({
      $name: 'Ana', user_id: 'u1',
      $connected: { offer: { code: 'SAVE10', products: [{ title: 'Boots' }] }, items: [{ title: 'Space Quest' }] },
    })));
    assert.equal(result.error, undefined);
    const shown = result.segments.map((segment) => segment.text).join('');
    assert.match(shown, /Your code: SAVE10/);
    assert.match(shown, /<li>Boots<\/li>/);
    assert.match(shown, /Space Quest/);
    const mark = result.segments.find((segment) => segment.text === 'SAVE10')?.mark;
    assert.equal(mark?.connected?.mocked, true);
    assert.deepEqual(calls, []);
  });

  test('without a mock, it renders blank with a clear mark', () => {
    const result = preview(one('{"$name": "Ben", "user_id": "u2"}'));
    assert.equal(result.error, undefined);
    const marks = result.segments.filter((segment) => segment.mark?.connected);
    assert.ok(marks.length > 0);
    assert.deepEqual(marks.map((segment) => [segment.mark!.kind, segment.text]), [['fallback', 'our latest game'], ['blank', '']]);
    const blank = marks.find((segment) => segment.mark!.kind === 'blank')!;
    assert.equal(blank.mark!.connected!.mocked, false);
    assert.match(markedEmailHtml(result, { plainText: false } as never), /not fetched in a preview: add a mock response under &quot;\$connected&quot;/);
    assert.deepEqual(calls, []);
  });

  test('a "$connected" that is not an object is a problem of the file', () => {
    const parsed = parseRecipients('{"$name": "Ana", "$connected": "SAVE10"}', 'recipients/ana.json');
    assert.match(parsed.problems[0], /"\$connected" must map each saved variable/);
    assert.equal(parsed.recipients[0].data.$connected, undefined);
  });
});

describe('connected data in other dialects', () => {
  test('Iterable data feeds: `[[field]]` is connected data, in text and inside helpers', () => {
    const text = `<h1>{{defaultIfEmpty firstName "there"}}, [[productName]] is back</h1>
{{#if [[onSale]]}}<p>Now [[ price ]]</p>{{/if}}
<p>{{defaultIfEmpty [[subtitle]] "New arrivals"}}</p>`;
    const scan = iterable.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.path), ['firstName']);
    assert.deepEqual(scan.connected?.uses.map((use) => at(text, use)), ['productName', 'onSale', 'price', 'subtitle']);
    assert.equal(scan.connected?.sources[0].kind, 'data-feed');
  });

  test('AMPscript: `SET @json = HTTPGet(…)` holds an HTTP response, not a field', () => {
    const text = `%%[
SET @id = AttributeValue("SubscriberKey")
SET @json = HTTPGet(Concat("https://api.example.com/offers?id=", @id))
IF NOT Empty(@json) THEN
  SET @rows = BuildRowsetFromJSON(@json, "$.offers[*]", 1)
ENDIF
]%%
<p>Offer: %%=v(@json)=%%</p>`;
    const scan = ampscript.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.path), ['SubscriberKey']);
    const source = scan.connected?.sources[0];
    assert.deepEqual([source?.kind, source?.name, source?.from], ['http-get', '@json', 'Concat("https://api.example.com/offers?id=", @id)']);
    assert.deepEqual(scan.connected?.uses.map((use) => use.context), ['condition', 'argument', 'output']);
  });
});

describe('Braze: mergewise check on a small workspace', () => {
  const ws = workspacesRemovedAfter();
  test('reports the nested fields and no false syntax errors', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ ...SCHEMA, recipients: ['recipients/*.json'] }),
      'emails/welcome.liquid': CONNECTED,
      'emails/loyalty.liquid': '{% if {{custom_attribute.${tier}}} == "gold" %}Gold{% endif %}\n{% assign lang = {{${language}}} %}{{ lang | default: "en" }}\n',
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', user_id: 'u1', $connected: { offer: { code: 'SAVE10' } } }),
    });
    const run = cli(['check', '--format', 'json'], dir);
    const report = JSON.parse(run.stdout) as { files: { path: string; diagnostics: { rule: string }[]; fields: { path: string }[] }[] };
    const rules = report.files.flatMap((file) => file.diagnostics.map((d) => d.rule));
    assert.ok(!rules.includes('syntax-error') && !rules.includes('unknown-field'), run.stdout + run.stderr);
    const loyalty = report.files.find((file) => file.path.endsWith('loyalty.liquid'))!;
    assert.deepEqual(loyalty.fields.map((field) => field.path).sort(), ['language', 'language', 'tier']);
  });
});

/**
 * Shaped on a real Braze campaign master (SafetyCulture's, test/real-world/SOURCES.md): shared content
 * blocks set Liquid variables (`region`, `lang`, `region-domain`) that the message reads bare, while
 * profile attributes are only ever written `${first_name}` or `custom_attribute.${…}`.
 */
const CAMPAIGN_MASTER = `<!DOCTYPE html>
<html><head><title>{{ hero_title }}</title>
<!--{{content_blocks.\${template-randomiser-email}}}
{{content_blocks.\${core-formatting-blocks}}}-->
</head>
<body>
{% assign use_seed_list = false %}{% assign mode = 'indicator-1' %}{{content_blocks.\${segmentation-template-indicators}}}
<p>Hi {{\${first_name} | default: 'there'}},</p>
<a href="{{region-domain}}/schedule" class="button">Book a demo</a>
{% if custom_attribute.\${plan} == 'premium' %}<p>Thanks for going Premium.</p>{% endif %}
<!--{{content_blocks.\${user-region-block}}}-->
{% if region == 'apac' %}<a href="https://example.com/events?region=apac">Register now</a>
{% elsif region == 'na' %}<a href="https://example.com/events?region=amer">Register now</a>
{% else %}<a href="https://example.com/events">Register now</a>{% endif %}
{% case lang %}{% when "es-ES","es" %}Hola{% else %}Hello{% endcase %}
{% assign greeting_region = region | upcase %}<p>{{ greeting_region }} · {{ mode }}</p>
{% for item in pl_templates %}<a href="{{region-domain-pl}}?id={{ item.id }}">{{ item.title }}</a>{% endfor %}
</body></html>`;

describe('Braze: variables a content block sets are not recipient fields', () => {
  const schema = schemaOf({ fields: { first_name: SCHEMA.fields.first_name, plan: { type: 'string', source: 'declared' } } });
  const scan = liquid.scan(CAMPAIGN_MASTER);
  const line = (offset: number) => CAMPAIGN_MASTER.slice(0, offset).split('\n').length;

  test('only the names written the way Braze reads the profile are fields', () => {
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [at(CAMPAIGN_MASTER, use), line(use.span.start)]), [
      ['hero_title', 2], ['${first_name}', 8], ['custom_attribute.${plan}', 10],
    ]);
  });

  test('a plain name the template never sets, read after a content block, is that block\'s data', () => {
    const connected = scan.connected!;
    const reads = connected.uses.map((use) => [use.written, connected.sources[use.source].kind, connected.sources[use.source].name]);
    assert.deepEqual(reads, [
      ['region-domain', 'content-block', 'region-domain'],
      ['region', 'content-block', 'region'], ['region', 'content-block', 'region'],
      ['lang', 'content-block', 'lang'],
      ['region', 'content-block', 'region'],
      // A local assigned from such a variable holds the block's data too; a loop over one, its items.
      ['greeting_region', 'content-block', 'region'],
      ['pl_templates', 'content-block', 'pl_templates'],
      ['region-domain-pl', 'content-block', 'region-domain-pl'],
      ['item.id', 'content-block', 'pl_templates'], ['item.title', 'content-block', 'pl_templates'],
    ]);
    const region = connected.sources.find((source) => source.name === 'region')!;
    assert.equal(region.from, 'template-randomiser-email, core-formatting-blocks, segmentation-template-indicators, user-region-block');
    // `mode` is the template's own local, set before the block that reads it.
    assert.ok(!connected.uses.some((use) => use.written === 'mode'));
  });

  test('no unknown-field for them; a name read before any content block still is one', () => {
    const unknown = analyze(CAMPAIGN_MASTER, schema).diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error');
    assert.deepEqual(unknown.map((d) => [d.rule, d.field, line(d.span.start)]), [["unknown-field", "hero_title", 2]]);
  });

  test('a profile attribute written bare is still a field when no content block comes before it', () => {
    const plain = liquid.scan('<p>Hi {{ first_name }}</p>{{content_blocks.${footer}}}<p>{{ first_name }}</p>');
    assert.deepEqual(plain.uses.map((use) => use.path), ['first_name']);
    assert.deepEqual(plain.connected?.uses.map((use) => use.written), ['first_name']);
  });

  test('the hover says which content blocks may set it', () => {
    const document = { dialect: liquid, schema, analysis: analyze(CAMPAIGN_MASTER, schema) } as unknown as DocumentAnalysis;
    const hover = hoverAt(document, CAMPAIGN_MASTER.indexOf("region == 'apac'") + 2, [], NOW);
    assert.match(hover!.markdown, /^\*\*region\*\*: a variable the template never sets, which a content block included above may set \(template-randomiser-email, /);
    assert.match(hover!.markdown, /neither a recipient field nor an unknown one/);
  });

  test('the preview takes a block variable from $connected when the block is not in the workspace', () => {
    const preview = (recipient: Recipient) =>
      previewTemplate({ text: CAMPAIGN_MASTER, dialect: liquid, scan, schema, recipient, now: NOW }).segments.map((segment) => segment.text).join('');
    const apac = preview(one('{"$name": "Ana", "first_name": "Ana", "$connected": {"region": "apac", "lang": "es", "region-domain": "https://au.example.com"}}'));
    assert.match(apac, /region=apac/);
    assert.match(apac, /Hola/);
    assert.match(apac, /href="https:\/\/au\.example\.com\/schedule"/);
    assert.match(apac, /APAC · indicator-1/);
    const unmocked = preview(one('{"$name": "Ben", "first_name": "Ben"}'));
    assert.match(unmocked, /events">Register now/);
    assert.match(unmocked, /href="\/schedule"/);
  });

  test('a block in the workspace sets the variable in the preview by its own assign', () => {
    const text = '{{content_blocks.${user-region-block}}}{% if region == "apac" %}APAC{% else %}elsewhere{% endif %}';
    const blockText = '{% assign region = "apac" %}';
    const partial = (kind: string, name: string) => kind === 'content-block' && name === 'user-region-block'
      ? { file: 'content_blocks/user-region-block.liquid', text: blockText, scan: liquid.scan(blockText), schemaPathOf: () => undefined }
      : undefined;
    const shown = previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema, recipient: one('{"$name": "Ana", "$connected": {"region": "na"}}'), now: NOW, partial })
      .segments.map((segment) => segment.text).join('');
    assert.equal(shown, 'APAC');
  });
});
