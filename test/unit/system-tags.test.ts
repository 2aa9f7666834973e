/**
 * Issue 18, item 5: every name a platform fills in itself (each dialect's `system-tags.ts`) is
 * recognised in that dialect's syntax: never an unknown field, classified as a system use, and its
 * hover says what the platform fills in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import type { Dialect } from '../../server/src/core/dialects/dialect';
import type { SystemTag } from '../../server/src/core/dialects/common/system-tags';
import { getDialect, implementedDialects } from '../../server/src/core/dialects/registry';
import { hoverAt } from '../../server/src/core/ide';
import type { DocumentAnalysis } from '../../server/src/core/workspace';
import { NOW, schemaOf } from '../helpers/schema';

/** A template that uses `entry` as the dialect writes it. */
function templateFor(dialect: Dialect, entry: SystemTag): string {
  const name = entry.example ?? entry.name;
  switch (dialect.id) {
    case 'mailchimp': return `<p>*|${name}|*</p>`;
    case 'ampscript': return `<p>%%${name}%%</p>`;
    case 'klaviyo':
    case 'hubl': return entry.tag ? `<p>{% ${name} %}</p>` : `<p>{{ ${name} }}</p>`;
    case 'sendgrid': return entry.tag ? `<a href="<%${name}%>">x</a>` : `<p>{{{${name}}}}</p>`;
    default: return `<p>{{${name}}}</p>`;
  }
}

const EMPTY = schemaOf({ fields: {} });

/** Every dialect, and the variants a mergewise.json option chooses that have lists of their own. */
const WITH_PLATFORM_LISTS = [...implementedDialects(), getDialect('liquid', { liquidPlatform: 'shopify' })];

for (const dialect of WITH_PLATFORM_LISTS) {
  describe(`${dialect.id} (${dialect.systemTags.platform}): the platform's own tags`, () => {
    test('the list is not empty, and every entry says what the platform fills in', () => {
      assert.ok(dialect.systemTags.entries.length > 0);
      for (const entry of dialect.systemTags.entries) assert.ok(entry.description.length > 10, entry.name);
    });
    for (const entry of dialect.systemTags.entries) {
      test(`${entry.example ?? entry.name}`, () => {
        const text = templateFor(dialect, entry);
        const analysis = analyzeTemplate({ text, relativePath: 'emails/a.html', dialect, schema: EMPTY, now: NOW });
        assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error').map((d) => d.message), [], text);
        assert.deepEqual(analysis.scan.uses.map((use) => use.written), [], text);
        const system = analysis.scan.systemUses ?? [];
        assert.deepEqual(system.map((use) => use.name), [entry.name], text);
        const document = { dialect, schema: EMPTY, analysis } as unknown as DocumentAnalysis;
        const hover = hoverAt(document, system[0].span.start + 1, [], NOW);
        assert.ok(hover?.markdown.includes(entry.description), `${text}: ${hover?.markdown}`);
        assert.ok(hover?.markdown.includes(dialect.systemTags.platform), hover?.markdown);
      });
    }
  });
}

describe('system tags in context', () => {
  test('Mailchimp: conditions on system tags and modified system tags are not fields', () => {
    const dialect = implementedDialects().find((d) => d.id === 'mailchimp')!;
    const text = '*|IF:LIST|*<em>*|LIST:COMPANY|*</em>*|END:IF|* <!-- *|IFNOT:ARCHIVE_PAGE|* -->x*|END:IF|* *|HTML:EMAILERROR|* *|LIST:ADDRESSLINE|* *|UNIQID|*';
    const analysis = analyzeTemplate({ text, relativePath: 'a.html', dialect, schema: EMPTY, now: NOW });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field'), []);
    assert.deepEqual(analysis.scan.systemUses?.map((use) => use.written), ['LIST', 'LIST:COMPANY', 'ARCHIVE_PAGE', 'HTML:EMAILERROR', 'LIST:ADDRESSLINE', 'UNIQID']);
  });

  test('Braze: profile attributes stay fields, Braze\'s own values do not', () => {
    const dialect = implementedDialects().find((d) => d.id === 'liquid')!;
    const text = 'Hi {{${first_name}}} {{${braze_id}}} {{campaign.${dispatch_id}}} <a href="{{${set_user_to_unsubscribed_url}}}">x</a>';
    const analysis = analyzeTemplate({ text, relativePath: 'a.liquid', dialect, schema: EMPTY, now: NOW });
    assert.deepEqual(analysis.scan.uses.map((use) => use.path), ['first_name']);
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['first_name']);
  });

  test('Shopify (`"liquid": {"platform": "shopify"}`): the store\'s details are system uses; order and customer data stay fields; Braze reads them as fields', () => {
    const shopify = getDialect('liquid', { liquidPlatform: 'shopify' });
    const text = '{{ shop.name }} <img src="{{ shop.email_logo_url }}"> {{ email_title }} {{ customer.first_name }} <a href="{{ order_status_url }}">{{ order_name }}</a>';
    const analysis = analyzeTemplate({ text, relativePath: 'a.liquid', dialect: shopify, schema: EMPTY, now: NOW });
    assert.deepEqual(analysis.scan.systemUses?.map((use) => use.written), ['shop.name', 'shop.email_logo_url', 'email_title', 'order_status_url']);
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['customer.first_name', 'order_name']);
    const document = { dialect: shopify, schema: EMPTY, analysis } as unknown as DocumentAnalysis;
    assert.match(hoverAt(document, text.indexOf('shop.name') + 1, [], NOW)?.markdown ?? '', /filled in by Shopify.*Shopify: the store's name/);

    const braze = getDialect('liquid');
    const onBraze = analyzeTemplate({ text: '{{ shop.name }}', relativePath: 'a.liquid', dialect: braze, schema: EMPTY, now: NOW });
    assert.deepEqual(onBraze.scan.systemUses ?? [], []);
    assert.deepEqual(onBraze.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['shop.name']);
  });

  test('Klaviyo: `now` is the send\'s date as a tag and as a value', () => {
    const dialect = getDialect('klaviyo');
    const text = '<p>&copy; {{ now|date:"%Y" }} {% now %}</p>';
    const analysis = analyzeTemplate({ text, relativePath: 'a.html', dialect, schema: EMPTY, now: NOW });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error').map((d) => d.message), []);
    assert.deepEqual(analysis.scan.systemUses?.map((use) => use.written), ['now', 'now']);
  });

  test('AMPscript: system strings inside a block are read in any case', () => {
    const dialect = implementedDialects().find((d) => d.id === 'ampscript')!;
    const text = '%%[ IF _IsTestSend == "true" THEN ]%%test%%[ ENDIF ]%% %%=v(_SubscriberKey)=%% %%Member_Busname%%';
    const analysis = analyzeTemplate({ text, relativePath: 'a.html', dialect, schema: EMPTY, now: NOW });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field'), []);
    assert.deepEqual(analysis.scan.systemUses?.map((use) => use.name), ['_IsTestSend', '_subscriberkey', 'Member_Busname']);
  });
});
