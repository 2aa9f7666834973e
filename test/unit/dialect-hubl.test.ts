import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { hubl } from '../../server/src/core/dialects/hubl';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';
import { hoverAt } from '../../server/src/core/ide';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import type { DocumentAnalysis } from '../../server/src/core/workspace';

function uses(scan: TemplateScan, path: string): FieldUse[] {
  return scan.uses.filter((use) => use.path === path);
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined, limits = DEFAULT_RENDER_LIMITS): RenderResult {
  return hubl.render({ text, scan: hubl.scan(text), data, schemaPathOf, limits });
}

function errors(text: string): string[] {
  return hubl.scan(text).syntaxErrors.map((problem) => `${text.slice(problem.span.start, problem.span.end)} :: ${problem.message}`);
}

/** A HubSpot marketing email in the design manager, as the Shearly team writes it. */
const TRIAL = marked(`{# Trial nurture, email 3. mergewise purpose: trial-stylist-features #}
{%- set industry = █contact.industry -%}
<p>Hi {{ personalization_token('█contact.firstname', 'there') }},</p>
<p>Your trial ends {% if █contact.trial_end_date %}on {{ █contact.trial_end_date|format_date('MMMM d') }}{% else %}soon{% endif %}.</p>
{% if █industry == 'hair' %}
  <p>Stylists love SMS reminders.</p>
{% elif █industry == 'barber' %}
  <p>Barbers love the walk-in queue.</p>
{% else %}
  <p>Salons love deposits.</p>
{% endif %}
{% for booking in █contact.recent_bookings if █booking.status == 'done' %}
  <li>{{ loop.index }}. {{ █booking.service|title }} on {{ █booking.date|datetimeformat('%b %-d') }}</li>
{% endfor %}
{% unless █contact.company %}<p>Add your salon's name in Settings.</p>{% endunless %}
<p>{{ █contact.city if █contact.city else 'your area' }}</p>
{% module "footer" path="@hubspot/email_footer" label="Footer" %}
<a href="{{ unsubscribe_link }}">Unsubscribe</a> {{ site_settings.company_name }}`);

describe('HubL scanning', () => {
  test('finds every reference at its exact range, in document order', () => {
    const scan = hubl.scan(TRIAL.text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start).sort((a, b) => a - b), TRIAL.offsets);
    assert.deepEqual(uses(scan, 'contact.firstname').map((use) => use.written), ['contact.firstname']);
    assert.ok(!scan.uses.some((use) => /^(loop|unsubscribe_link|site_settings)/.test(use.path)));
  });

  test('personalization_token names the field in a string, with its default as the fallback', () => {
    const scan = hubl.scan(TRIAL.text);
    const [token] = uses(scan, 'contact.firstname');
    assert.equal(TRIAL.text.slice(token.span.start, token.span.end), 'contact.firstname');
    assert.equal(token.fallback, 'there');
    assert.equal(token.context, 'output');
    assert.deepEqual(token.filters, ['personalization_token']);
  });

  test('`|default(…)`, guards, inline if, `{% set %}` aliases and loops', () => {
    const scan = hubl.scan(TRIAL.text);
    const [, date] = uses(scan, 'contact.trial_end_date');
    assert.equal(date.guarded, true);
    assert.deepEqual(date.filters, ['format_date']);
    assert.deepEqual(uses(scan, 'contact.industry').map((use) => [use.written, use.context]), [
      ['contact.industry', 'assign'], ['industry', 'condition'], ['industry', 'condition'],
    ]);
    assert.deepEqual(uses(scan, 'contact.recent_bookings[].service').map((use) => use.written), ['booking.service']);
    assert.deepEqual(uses(scan, 'contact.recent_bookings[].status').map((use) => use.context), ['condition']);
    const city = uses(scan, 'contact.city');
    assert.deepEqual(city.map((use) => [use.context, use.guarded]), [['condition', false], ['output', true]]);
    const withDefault = hubl.scan(`{{ contact.firstname|default('there')|title }}`).uses[0];
    assert.equal(withDefault.fallback, 'there');
    assert.deepEqual(withDefault.filters, ['default', 'title']);
  });

  test('branch groups and purpose directives', () => {
    const scan = hubl.scan(TRIAL.text);
    assert.deepEqual(scan.branchGroups.map((group) => group.branches.length), [2, 3]);
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['trial-stylist-features']);
    assert.equal(hubl.purposeDirective(['x']), '{# mergewise purpose: x #}');
  });

  test('module tags are passed over, their string arguments are not fields, and `{% raw %}` is text', () => {
    const scan = hubl.scan(`{% module "hero" path="@hubspot/rich_text" html="Hello" %}{% raw %}{{ contact.firstname }}{% endraw %}`);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses, []);
  });
});

describe('HubL syntax errors', () => {
  test('unclosed tags and comments, and blocks left open', () => {
    assert.match(errors('<p>Hi {{ contact.firstname </p>')[0], /never closed with `}}`/);
    assert.match(errors('{# note')[0], /never closed with `#}`/);
    assert.match(errors('{% if contact.firstname %}Hi')[0], /never closed.*\{% endif %\}/);
    assert.match(errors('{% for x in contact.items %}{% endif %}')[0], /has no matching opening tag/);
    assert.match(errors('{% dnd_area "main" %}')[0], /\{% end_dnd_area %\}/);
  });

  test('a string may hold closers however long it is; the tags an unclosed tag\'s strings hid are each reported', () => {
    assert.deepEqual(errors(`{{ contact.firstname|default("${'x'.repeat(300)} }}") }}`), []);
    // `{{ '\\'` repeated: the strings of each tag hide all the later ones, so every tag runs to the end.
    const hidden = hubl.scan("{{ '\\'".repeat(100)).syntaxErrors;
    assert.deepEqual(hidden.map((error) => [error.span.start, error.span.end]), Array.from({ length: 100 }, (_, i) => [i * 6, 600]));
    // Spans that run to the end stop before the trailing spaces.
    const escaped = hubl.scan(`${'{% \\"'.repeat(100)}${' '.repeat(200)}`).syntaxErrors;
    assert.deepEqual(escaped.map((error) => error.span.end), Array(100).fill(500));
  });

  test('typos of control tags are caught even though unknown module tags are allowed', () => {
    assert.match(errors('{% if a %}x{% esle %}y{% endif %}')[0], /Unknown HubSpot tag `esle`.*Did you mean `else`\?/);
    assert.deepEqual(errors('{% form "signup" %}{% text "title" label="Title" %}'), []);
  });

  test('expression mistakes, and scanning goes on after them', () => {
    assert.match(errors("{{ contact.firstname|default('there' }}")[0], /never closed with `\)`|Unexpected/);
    assert.match(errors('{{ contact. }}')[0], /ends with a dot/);
    assert.match(errors('{{ contact.firstname contact.lastname }}')[0], /Unexpected `contact.lastname`/);
    const scan = hubl.scan('{{ contact. }} {{ contact.city }}');
    assert.deepEqual(scan.uses.map((use) => use.path), ['contact', 'contact.city']);
  });
});

describe('HubL: a broken tag is one mistake, and nothing after the mistake is a field', () => {
  // Shaped on a real programmable-email module (test/real-world/SOURCES.md), published with the
  // association type id still a placeholder: HubSpot refuses both tags.
  const MODULE = `{# Get the contact associated to the deal #}
{% set associated_contact = crm_associations(module.deal.id, "HUBSPOT_DEFINED", <INSERT ASSOCIATION TYPE ID>, "orderBy=-createdate") %}
{# Get the line items associated to the deal #}
{% set associated_line_items = crm_associations(module.deal.id, "HUBSPOT_DEFINED", <INSERT ASSOCIATION TYPE ID>, "orderBy=-createdate") %}
<h2>Hello {{ associated_contact.results[0].firstname }}, thank you for visiting our store!</h2>
{% for item in associated_line_items.results %}<li>{{ item.name }}</li>{% endfor %}
<p>{{ contact.firstname|default("there") }}</p>`;
  const scan = hubl.scan(MODULE);
  const line = (offset: number) => MODULE.slice(0, offset).split('\n').length;

  test('one syntax error per broken tag, at the placeholder', () => {
    assert.deepEqual(scan.syntaxErrors.map((problem) => [line(problem.span.start), MODULE.slice(problem.span.start, problem.span.end)]), [[2, '<'], [4, '<']]);
    assert.match(scan.syntaxErrors[0].message, /^Unexpected `<`: HubSpot .*will not publish or send the email/);
  });

  test('no word of the placeholder is read as a field; the tags after it are read as usual', () => {
    assert.deepEqual(scan.uses.map((use) => [use.path, line(use.span.start)]), [['contact.firstname', 7]]);
    assert.deepEqual(scan.connected?.sources.map((source) => source.name), ['associated_contact', 'associated_line_items']);
  });

  test('every other kind of mistake in a tag is reported once too', () => {
    // Each used to add "never closed", "unexpected" or "needs a value" for the same tag.
    for (const tag of [
      '{{ contact.firstname|default(<FALLBACK>, true) }}',
      '{% if contact.plan == <PLAN> or contact.tier %}x{% endif %}',
      '{% set greeting = <GREETING> %}',
      '{% for item in <LIST> %}{{ item }}{% endfor %}',
      '{% set a = [1, 2 %}',
      '{{ contact.firstname(( }}',
    ]) {
      assert.equal(errors(tag).length, 1, `${tag}: ${errors(tag).join(' | ')}`);
    }
    assert.deepEqual(hubl.scan('{% if contact.plan == <PLAN> or contact.tier %}x{% endif %}').uses.map((use) => use.path), ['contact.plan']);
  });
});

describe('HubL fallback quick fix', () => {
  test('adds `|default(…)` after a reference, or the second argument of personalization_token', () => {
    const text = `{{ contact.firstname|title }} {{ personalization_token("contact.city") }} {{ contact.company }}`;
    const scan = hubl.scan(text);
    const edits = scan.uses.map((use) => hubl.fallbackEdit(text, use, use.path === 'contact.company' ? "your team's salon" : 'there')!);
    const fixed = applyEdits(text, edits);
    assert.equal(fixed, `{{ contact.firstname|default('there')|title }} {{ personalization_token("contact.city", 'there') }} {{ contact.company|default("your team's salon") }}`);
    assert.deepEqual(hubl.scan(fixed).uses.map((use) => use.fallback), ['there', 'there', "your team's salon"]);
  });
});

describe('HubL preview rendering', () => {
  test('marks values, fallbacks and blanks; default replaces only a missing value unless told otherwise', () => {
    const result = render(
      `{{ personalization_token('contact.firstname', 'there') }} {{ contact.city|default('your area') }} {{ contact.lastname }} {{ contact.visits|default(1) }} {{ contact.visits|default(1, true) }}`,
      { contact: { firstname: '', city: 'Oakland', visits: 0 } });
    assert.equal(shown(result), '[fallback:there] [value:Oakland] [blank:] [value:0] [fallback:1]');
  });

  test('evaluates set, elif, loops with filters, inline if and whitespace control', () => {
    const data = {
      customer: { first_name: 'Ana', industry: 'barber', city: '' },
      contact: { recent_bookings: [{ service: 'skin fade', status: 'done', date: '2026-11-20T10:00:00Z' }, { service: 'beard trim', status: 'cancelled', date: '2026-11-21' }] },
    };
    const scan = hubl.scan(TRIAL.text);
    const schemaPaths: Record<string, string> = {
      'contact.firstname': 'customer.first_name', 'contact.industry': 'customer.industry', 'contact.city': 'customer.city',
    };
    const result = hubl.render({ text: TRIAL.text, scan, data, schemaPathOf: (i) => schemaPaths[scan.uses[i].path], limits: DEFAULT_RENDER_LIMITS });
    const out = shown(result);
    // `{%- set … -%}` trims the line breaks around it.
    assert.ok(out.startsWith('<p>Hi [value:Ana],</p>'), out.slice(0, 40));
    assert.match(out, /Your trial ends soon\./);
    assert.match(out, /Barbers love the walk-in queue/);
    assert.doesNotMatch(out, /Stylists love|Salons love/);
    assert.match(out, /<li>1\. \[value:Skin Fade\] on \[value:Nov 20\]<\/li>/);
    assert.doesNotMatch(out, /Beard Trim/);
    assert.match(out, /Add your salon's name/);
    assert.match(out, /<p>\[fallback:your area\]<\/p>/);
    assert.match(out, /href="https:\/\/[^"]+unsubscribe"/);
  });

  test('stops a runaway range at the memory limit', () => {
    const result = render('{% for i in range(100000000) %}x{% endfor %}', {}, () => undefined, { ...DEFAULT_RENDER_LIMITS, memory: 10_000 });
    assert.match(result.error ?? '', /too much memory/);
  });
});

describe('HubL analysis, end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { hubl: 'contact.firstname' } },
      'customer.city': { type: 'string', source: 'observed', aliases: { hubl: 'contact.city' } },
      'customer.plan': { type: 'string', source: 'transactional', required: true, aliases: { hubl: 'contact.shearly_plan' } },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'hubspot/welcome.html', dialect: hubl, schema, now: NOW });

  test('missing-fallback and unknown-field fire through the aliases', () => {
    const text = `Hi {{ contact.firstname }} from {{ personalization_token('contact.city') }}, on {{ contact.shearly_plan }} ({{ contact.frstname|default('x') }})`;
    const diagnostics = analyze(text).diagnostics;
    const missing = diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.field), ['customer.first_name', 'customer.city']);
    assert.match(missing[0].message, /`\|default\('there'\)` \(the schema's fallback\)/);
    assert.match(missing[1].message, /`, '…'` with a sensible default/);
    const unknown = diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => d.data?.suggestions), [['contact.firstname']]);
  });

  test('the head includes and email settings of a coded HubSpot email template are HubSpot\'s, not unknown fields', () => {
    // As `hs create template` writes a coded email template's head, and the email settings it may read.
    const text = [
      '<head>',
      '  <title>{% if content.html_title %}{{ content.html_title }}{% else %}{{ content.body.subject }}{% endif %}</title>',
      '  {{ dnd_area_stylesheet }}',
      '  {{ email_header_includes }}',
      '  {{ reset_css_stylesheet }}',
      '  {{ standard_header_includes }}',
      '</head>',
      '<body style="background-color: {{ background_color }}; color: {{ primary_font_color }}; font: {{ primary_font_size }} {{ primary_font }}">',
      '  <a style="color: {{ secondary_accent_color }}; border-color: {{ color_picker_favorite3 }}" href="{{ view_as_page_url }}">View</a>',
      '  Hi {{ contact.firstname|default(\'there\') }} from {{ company_domain }} ({{ local_time_zone }}), {{ contact.frstname }}',
      '  {{ standard_footer_includes }}',
      '</body>',
    ].join('\n');
    const unknown = analyze(text).diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => d.field ?? d.message), ['contact.frstname']);
    const system = hubl.scan(text).systemUses!.map((use) => use.written);
    for (const name of ['dnd_area_stylesheet', 'email_header_includes', 'reset_css_stylesheet', 'standard_header_includes', 'background_color',
      'primary_font_color', 'primary_font_size', 'primary_font', 'secondary_accent_color', 'color_picker_favorite3', 'company_domain',
      'local_time_zone', 'standard_footer_includes']) {
      assert.ok(system.includes(name), `${name} is a system tag (${system.join(', ')})`);
    }
  });

  test('layouts and HubSpot\'s own idioms: named blocks and end tags, the ? : operator, html_lang', () => {
    const text = [
      '{% extends "./layout.html" %}',
      '<html lang="{{ html_lang }}" {{ html_lang_dir }}>',
      '{% block body %}',
      '<p class="{{ contact.is_vip ? \'vip\' : \'regular\' }}">Thanks.</p>',
      '{% endblock body %}',
      '{% block footer %}{% endblock %}',
    ].join('\n');
    const scan = hubl.scan(text);
    assert.deepEqual(scan.syntaxErrors.map((e) => e.message), []);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [['contact.is_vip', 'condition']]);
    assert.deepEqual(hubl.scan('{{ a ? "x" }} {% block %}{% endblock %}').syntaxErrors.length, 2, 'a ? with one value, a block with no name');
  });

  test('the dialect is registered, and detected from HubL-only syntax', () => {
    assert.equal(getDialect('hubl'), hubl);
    assert.equal(detectDialect(`{{ personalization_token('contact.firstname', 'there') }}`), 'hubl');
    assert.equal(detectDialect(`{% set x = 1 %}{{ x }}`), 'hubl');
    assert.equal(detectDialect(`Hi {{ company.name }}`), undefined, 'not HubL: a plain output tells nothing (Liquid by default)');
  });
});

/** A HubSpot programmable email module, as its CRM docs build one: a deal, its products, its associated contact. */
const DEAL_UPDATE = `{# Programmable email: deal update. module.deal_id is the module's "Deal" field. #}
{% set deal = crm_object("deal", module.deal_id, "dealname,amount,closedate") %}
{% set products = crm_objects("product", "hs_sku__in=" ~ module.skus, "name,price") %}
{% set associated = crm_associations(deal.hs_object_id, "HUBSPOT_DEFINED", 3, "limit=1", "firstname,email") %}
<p>Hi {{ contact.firstname|default('there') }},</p>
{% if deal.amount %}
  <p>{{ deal.dealname }} for {{ company.name|default('your team') }}: {{ deal.amount|format_currency_value(locale='en-US', currency='USD') }},
  closing {{ deal.closedate|format_date('long') }}.</p>
{% endif %}
<ul>
{% for product in products.results %}
  <li>{{ product.name }}: {{ product.price }}</li>
{% endfor %}
</ul>
<p>Your contact: {{ associated.results[0].firstname }}. {{ module.signature }}</p>`;

describe('HubL CRM data and module fields (issue 18 item 4)', () => {
  const schema = schemaOf({
    fields: {
      'contact.firstname': { type: 'string', source: 'declared' },
      'company.name': { type: 'string', source: 'declared' },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'hubspot/deal-update.html', dialect: hubl, schema, now: NOW });

  test('crm_object, crm_objects and crm_associations are connected data; contact and company stay fields', () => {
    const scan = hubl.scan(DEAL_UPDATE);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [['contact.firstname', 'output'], ['company.name', 'output']]);
    assert.deepEqual(scan.connected!.sources.map((source) => [source.kind, source.name, source.object]), [
      ['crm-object', 'deal', 'deal'], ['crm-object', 'products', 'product'], ['crm-object', 'associated', 'association'],
    ]);
    assert.deepEqual(scan.connected!.uses.filter((use) => use.context === 'output').map((use) => [use.written, use.property]), [
      ['deal.dealname', 'dealname'], ['deal.amount', 'amount'], ['deal.closedate', 'closedate'],
      ['product.name', 'name'], ['product.price', 'price'], ['associated.results[0].firstname', 'firstname'],
    ]);
    assert.deepEqual(scan.systemUses!.map((use) => use.written), ['module.deal_id', 'module.skus', 'module.signature']);
  });

  test('no unknown-field for CRM properties or module fields; a misspelled contact property still is one', () => {
    assert.deepEqual(analyze(DEAL_UPDATE).diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error'), []);
    const typo = DEAL_UPDATE.replace('contact.firstname', 'contact.frstname');
    assert.deepEqual(analyze(typo).diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['contact.frstname']);
  });

  test('the hover says where CRM data comes from, and that module fields are module parameters', () => {
    const analysis = analyze(DEAL_UPDATE);
    const document = { dialect: hubl, schema, analysis } as unknown as DocumentAnalysis;
    const { recipients } = parseRecipients('{"$name": "Ana", "contact": {"firstname": "Ana"}, "$connected": {"deal": {"amount": 1200}}}', 'ana.json');
    const amount = hoverAt(document, DEAL_UPDATE.indexOf('deal.amount|') + 6, recipients, NOW)!;
    assert.match(amount.markdown, /^\*\*deal\.amount\*\*: CRM deal, property `amount`, from `crm_object\("deal", module\.deal_id, "dealname,amount,closedate"\)`\. Read by the platform at send time/);
    assert.match(amount.markdown, /\| Ana \| 1200 \|/);
    const name = hoverAt(document, DEAL_UPDATE.indexOf('product.name') + 9, [], NOW)!;
    assert.match(name.markdown, /^\*\*product\.name\*\*: CRM product, property `name`, from `crm_objects\("product", /);
    const contact = hoverAt(document, DEAL_UPDATE.indexOf('associated.results') + 3, [], NOW)!;
    assert.match(contact.markdown, /CRM association, property `firstname`/);
    const module = hoverAt(document, DEAL_UPDATE.indexOf('module.signature') + 3, [], NOW)!;
    assert.match(module.markdown, /^\*\*module\.signature\*\*: filled in by HubSpot, not recipient data\. A module parameter/);
  });
});
