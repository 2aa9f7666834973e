import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import type { IncludeSite, TemplateScan } from '../../server/src/core/dialects/dialect';
import { handlebars } from '../../server/src/core/dialects/handlebars';
import { hubl } from '../../server/src/core/dialects/hubl';
import { iterable } from '../../server/src/core/dialects/iterable';
import { klaviyo } from '../../server/src/core/dialects/klaviyo';
import { sendgrid } from '../../server/src/core/dialects/sendgrid';

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

/** Each include as `[kind, name, name as written]`. */
function sites(text: string, scan: TemplateScan): [string, string | null, string][] {
  return (scan.includes ?? []).map((site) => [site.kind, site.name, slice(text, site.nameSpan)]);
}

function site(scan: TemplateScan, name: string | null): IncludeSite {
  const found = (scan.includes ?? []).filter((each) => each.name === name);
  assert.equal(found.length, 1, `expected one include of ${name}, found ${JSON.stringify(scan.includes?.map((each) => each.name))}`);
  return found[0];
}

/** A SendGrid order confirmation whose footer, cards and layout are partials. */
const SENDGRID_ORDER = `{{!-- mergewise purpose: transactional --}}
<h1>Thanks for your order{{#if first_name}}, {{first_name}}{{/if}}!</h1>
{{#if first_name}}{{> greeting name=first_name tone="warm" vip=true count=2}}{{/if}}
<table>
{{#each cart.items}}
  {{> "product-card" title=this.title price=(insert price "default=0.00")}}
  {{> (lookup . 'cardKind')}}
{{/each}}
</table>
{{#> layout}}<p>Questions? Reply to this email.</p>{{/layout}}
{{> footer}}`;

describe('include sites: Handlebars partials', () => {
  test('names, kinds and name spans, in the order written; a computed name is null', () => {
    const scan = sendgrid.scan(SENDGRID_ORDER);
    assert.deepEqual(sites(SENDGRID_ORDER, scan), [
      ['partial', 'greeting', 'greeting'],
      ['partial', 'product-card', '"product-card"'],
      ['partial', null, "(lookup . 'cardKind')"],
      ['partial', 'layout', 'layout'],
      ['partial', 'footer', 'footer'],
    ]);
    for (const each of scan.includes ?? []) assert.equal(each.sharesScope, true);
    assert.equal(slice(SENDGRID_ORDER, site(scan, 'footer').tagSpan), '{{> footer}}');
  });

  test('hash values become parameters: paths through the context, literals, and the fallback helper', () => {
    const scan = sendgrid.scan(SENDGRID_ORDER);
    assert.deepEqual(site(scan, 'greeting').parameters.map(({ name, path, fallback, literal }) => ({ name, path, fallback, literal })), [
      { name: 'name', path: 'first_name', fallback: null, literal: undefined },
      { name: 'tone', path: null, fallback: null, literal: 'string' },
      { name: 'vip', path: null, fallback: null, literal: 'boolean' },
      { name: 'count', path: null, fallback: null, literal: 'number' },
    ]);
    const card = site(scan, 'product-card');
    assert.deepEqual(card.parameters.map(({ name, path, fallback }) => [name, path, fallback]), [
      ['title', 'cart.items[].title', null],
      ['price', 'cart.items[].price', '0.00'],
    ]);
    assert.equal(slice(SENDGRID_ORDER, card.parameters[0].span), 'title=this.title');
  });

  test('the context a partial continues: the loop item inside `{{#each}}`, the given context, none at the top level', () => {
    const scan = sendgrid.scan(SENDGRID_ORDER);
    assert.equal(site(scan, 'product-card').contextPath, 'cart.items[]');
    assert.equal(site(scan, null).contextPath, 'cart.items[]');
    assert.equal(site(scan, 'footer').contextPath, undefined);
    const given = handlebars.scan('{{#with customer}}{{> address shipping}}{{/with}}');
    assert.equal(given.includes?.[0].contextPath, 'customer.shipping');
  });

  test('guards: the paths a surrounding conditional checks', () => {
    const scan = sendgrid.scan(SENDGRID_ORDER);
    assert.deepEqual(site(scan, 'greeting').guards, ['first_name']);
    assert.deepEqual(site(scan, 'product-card').guards, ['cart.items', 'cart.items[]']);
    assert.deepEqual(site(scan, 'footer').guards, []);
  });

  test('uses and problems are as they were: partials add no use, and still draw the refusal SendGrid gives them', () => {
    const scan = sendgrid.scan(SENDGRID_ORDER);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [
      ['first_name', 'condition'], ['first_name', 'output'], ['first_name', 'condition'], ['cart.items', 'loop'],
    ]);
    assert.equal(scan.syntaxErrors.length, 5);
    assert.ok(scan.syntaxErrors.every((problem) => /SendGrid templates cannot include partials/.test(problem.message)));
    const plain = sendgrid.scan('<p>Hi {{first_name}}</p>');
    assert.equal(plain.includes, undefined);
    assert.equal(plain.parameters, undefined);
  });

  test('a partial declares its parameters in a comment that says mergewise; other comments are not read', () => {
    const partial = `{{!-- mergewise
  @param {string} name - the greeting's name
  @param {boolean} [vip]
--}}
{{! @param {string} ignored - for another tool }}
{{! mergewise @param {number} count }}
<p>Hello {{name}}{{#if vip}}, valued member{{/if}}</p>`;
    const scan = handlebars.scan(partial);
    assert.deepEqual(scan.parameters?.map(({ name, type, required, description }) => ({ name, type, required, description })), [
      { name: 'name', type: 'string', required: true, description: "the greeting's name" },
      { name: 'vip', type: 'boolean', required: false, description: undefined },
      { name: 'count', type: 'number', required: true, description: undefined },
    ]);
    assert.equal(slice(partial, scan.parameters![1].span), '[vip]');
    assert.deepEqual(scan.syntaxErrors, []);
  });
});

/** An Iterable cart reminder built from snippets. */
const ITERABLE_CART = `{{{snippet "header" "Your cart misses you"}}}
{{#if firstName}}<p>{{{snippet "greeting" (defaultIfEmpty firstName "there") 3}}}</p>{{/if}}
{{#each shoppingCartItems}}{{snippet "cart-row" name=name}}{{/each}}
{{{snippet footerSnippet}}}`;

describe('include sites: Iterable snippets', () => {
  test('positional values are named 0, 1, …; key=value pairs by their key; a name from a field is null', () => {
    const scan = iterable.scan(ITERABLE_CART);
    assert.deepEqual(sites(ITERABLE_CART, scan), [
      ['snippet', 'header', '"header"'],
      ['snippet', 'greeting', '"greeting"'],
      ['snippet', 'cart-row', '"cart-row"'],
      ['snippet', null, 'footerSnippet'],
    ]);
    assert.deepEqual(site(scan, 'header').parameters.map(({ name, literal }) => [name, literal]), [['0', 'string']]);
    const greeting = site(scan, 'greeting');
    assert.deepEqual(greeting.parameters.map(({ name, path, fallback, literal }) => [name, path, fallback, literal]), [
      ['0', 'firstName', 'there', undefined],
      ['1', null, null, 'number'],
    ]);
    assert.deepEqual(greeting.guards, ['firstName']);
    assert.deepEqual(site(scan, 'cart-row').parameters.map(({ name, path }) => [name, path]), [['name', 'shoppingCartItems[].name']]);
    for (const each of scan.includes ?? []) assert.equal(each.sharesScope, true);
  });

  test('the values passed stay uses, as before, and nothing is refused', () => {
    const scan = iterable.scan(ITERABLE_CART);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [
      ['firstName', 'condition'], ['firstName', 'argument'], ['shoppingCartItems', 'loop'],
      ['shoppingCartItems[].name', 'argument'], ['footerSnippet', 'output'],
    ]);
  });
});

/** A Marketing Cloud newsletter: content blocks chosen by the subscriber's data. */
const SFMC_NEWSLETTER = String.raw`%%[
/* mergewise purpose: newsletter */
SET @first = AttributeValue("FirstName")
SET @region = [Region]
IF NOT EMPTY(@first) THEN ]%%
  %%=ContentBlockByKey("hero-personal")=%%
%%[ ELSE ]%%
  %%=ContentBlockByName("Content Builder\Heroes\Generic")=%%
%%[ ENDIF
IF @region == "EU" THEN ]%%
  %%=ContentBlockByID(4821)=%%
%%[ ENDIF ]%%
<p>Hi %%=v(@first)=%%,</p>
%%=TreatAsContent(ContentBlockByID("4822"))=%%
%%=TreatAsContent("<b>Free shipping this week</b>")=%%
%%=TreatAsContent(@promoHtml)=%%
%%=ContentBlockByKey(Concat("footer-", @region))=%%`;

describe('include sites: AMPscript content blocks', () => {
  test('ContentBlockByKey, ByName and ByID name the block with their literal; a backslash is part of the name', () => {
    const scan = ampscript.scan(SFMC_NEWSLETTER);
    assert.deepEqual(sites(SFMC_NEWSLETTER, scan), [
      ['content-block-key', 'hero-personal', '"hero-personal"'],
      ['content-block-name', 'Content Builder\\Heroes\\Generic', '"Content Builder\\Heroes\\Generic"'],
      ['content-block-id', '4821', '4821'],
      ['content-block-id', '4822', '"4822"'],
      ['content-block-key', null, '@promoHtml'],
      ['content-block-key', null, 'Concat("footer-", @region)'],
    ]);
    assert.equal(slice(SFMC_NEWSLETTER, site(scan, '4821').tagSpan), 'ContentBlockByID(4821)');
    for (const each of scan.includes ?? []) {
      assert.equal(each.sharesScope, true);
      assert.deepEqual(each.parameters, []);
    }
  });

  test('guards: the fields an IF around the call checks, through the variables that hold them', () => {
    const scan = ampscript.scan(SFMC_NEWSLETTER);
    assert.deepEqual(site(scan, 'hero-personal').guards, ['FirstName']);
    assert.deepEqual(site(scan, 'Content Builder\\Heroes\\Generic').guards, []);
    assert.deepEqual(site(scan, '4821').guards, ['Region']);
    assert.deepEqual(site(scan, '4822').guards, []);
  });

  test('uses and problems are as they were; a block declares its parameters in a mergewise comment', () => {
    const scan = ampscript.scan(SFMC_NEWSLETTER);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [['FirstName', 'assign'], ['Region', 'assign'], ['FirstName', 'output']]);
    assert.deepEqual(scan.purposeDirectives.map((directive) => directive.purpose), ['newsletter']);
    assert.equal(scan.parameters, undefined);
    const block = '%%[ /* mergewise\n  @param {string} FirstName - the greeting\n  @param {number} [Points] */ ]%%<p>Hi %%=v(@FirstName)=%%</p>';
    const declared = ampscript.scan(block);
    assert.deepEqual(declared.parameters?.map(({ name, type, required, description }) => ({ name, type, required, description })), [
      { name: 'FirstName', type: 'string', required: true, description: 'the greeting' },
      { name: 'Points', type: 'number', required: false, description: undefined },
    ]);
    assert.equal(ampscript.scan('%%[ /* @param {string} x */ ]%%').parameters, undefined);
  });
});

/** A HubSpot welcome email: macros imported, a shared footer included. */
const HUBL_WELCOME = `{# mergewise purpose: onboarding #}
{% import "../macros/buttons.html" as buttons %}
{% from "../macros/text.html" import greeting, signoff as bye %}
{% if contact.firstname %}
  {% include "../partials/hero-personal.html" %}
{% endif %}
<ul>
{% for deal in contact.deals %}
  {% include "../partials/deal-row.html" title=deal.dealname|default('Your deal') rank=loop.index vip=true %}
{% endfor %}
</ul>
{{ buttons.primary(contact.website) }}
{{ greeting(contact.firstname|default('there')) }}
{% include footer_template %}
{% include "../partials/legal.html" ignore missing without context %}`;

describe('include sites: HubL include, import, from and extends', () => {
  test('names and kinds, in the order written; a name held in a variable is null', () => {
    const scan = hubl.scan(HUBL_WELCOME);
    assert.deepEqual(sites(HUBL_WELCOME, scan), [
      ['import', '../macros/buttons.html', '"../macros/buttons.html"'],
      ['import', '../macros/text.html', '"../macros/text.html"'],
      ['include', '../partials/hero-personal.html', '"../partials/hero-personal.html"'],
      ['include', '../partials/deal-row.html', '"../partials/deal-row.html"'],
      ['include', null, 'footer_template'],
      ['include', '../partials/legal.html', '"../partials/legal.html"'],
    ]);
    assert.equal(slice(HUBL_WELCOME, site(scan, '../partials/hero-personal.html').tagSpan), '{% include "../partials/hero-personal.html" %}');
    const layout = hubl.scan('{% extends "layouts/base.html" %}{% block body %}Hi {{ contact.firstname }}{% endblock %}');
    assert.deepEqual(sites('{% extends "layouts/base.html" %}', layout), [['extends', 'layouts/base.html', '"layouts/base.html"']]);
    assert.equal(layout.includes?.[0].sharesScope, true);
  });

  test('scope: includes see the caller\'s variables and loop variables, imports do not, `without context` hides them', () => {
    const scan = hubl.scan(HUBL_WELCOME);
    assert.equal(site(scan, '../macros/buttons.html').sharesScope, false);
    assert.equal(site(scan, '../partials/hero-personal.html').sharesScope, true);
    assert.equal(site(scan, '../partials/legal.html').sharesScope, false);
    const row = site(scan, '../partials/deal-row.html');
    assert.deepEqual(row.loopVariables, { deal: 'contact.deals[]' });
    assert.deepEqual(row.parameters.map(({ name, path, fallback, literal }) => ({ name, path, fallback, literal })), [
      { name: 'title', path: 'contact.deals[].dealname', fallback: 'Your deal', literal: undefined },
      { name: 'rank', path: null, fallback: null, literal: undefined },
      { name: 'vip', path: null, fallback: null, literal: 'boolean' },
    ]);
    assert.deepEqual(site(scan, '../partials/hero-personal.html').guards, ['contact.firstname']);
    assert.deepEqual(site(scan, null).guards, []);
  });

  test('uses are the fields only: imported macros are locals, and `ignore missing` is no field', () => {
    const scan = hubl.scan(HUBL_WELCOME);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [
      ['contact.firstname', 'condition'],
      ['contact.deals', 'loop'],
      ['contact.deals[].dealname', 'argument'],
      ['contact.website', 'argument'],
      ['contact.firstname', 'argument'],
      ['footer_template', 'argument'],
    ]);
  });

  test('a partial declares its parameters in a `{# mergewise #}` comment; Klaviyo still refuses includes', () => {
    const partial = '{# mergewise\n  @param {string} title - the deal\'s name\n  @param {number} [rank] #}\n<li>{{ rank }}. {{ title }}</li>';
    assert.deepEqual(hubl.scan(partial).parameters?.map(({ name, type, required }) => ({ name, type, required })), [
      { name: 'title', type: 'string', required: true },
      { name: 'rank', type: 'number', required: false },
    ]);
    assert.equal(hubl.scan('{# @param {string} title #}').parameters, undefined);
    const refused = klaviyo.scan('{% include "footer.html" %}');
    assert.equal(refused.includes, undefined);
    assert.match(refused.syntaxErrors[0].message, /Unknown Klaviyo tag `include`/);
  });
});
