/**
 * Issue 18, item 6: Handlebars as Mailchimp Transactional (Mandrill) runs it, chosen by
 * `"handlebars": {"flavor": "mandrill"}` in mergewise.json: its helpers and comparisons in
 * backticks are accepted, and its messages name Mailchimp Transactional, not Amazon SES or Mailgun.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START } from '../../server/src/core/dialects/dialect';
import { getDialect } from '../../server/src/core/dialects/registry';
import { mandrillToHandlebars } from '../../server/src/core/dialects/handlebars/mandrill';
import { analyzeDocument, SchemaIndex } from '../../server/src/core/workspace';
import { memoryFs } from '../helpers/memory-fs';
import { NOW, load, schemaOf } from '../helpers/schema';

const FIELDS = {
  customer: { type: 'object', fields: { first_name: { type: 'string' }, plan: { type: 'string' }, purchases: { type: 'number' }, bio: { type: 'string' } } },
};
const MANDRILL_SCHEMA = schemaOf({ handlebars: { flavor: 'mandrill' }, fields: FIELDS });
const PLAIN_SCHEMA = schemaOf({ fields: FIELDS });
const mandrill = getDialect('handlebars', { handlebarsFlavor: 'mandrill' });
const plain = getDialect('handlebars');

function analyze(text: string, dialect = mandrill, schema = MANDRILL_SCHEMA) {
  return analyzeTemplate({ text, relativePath: 'emails/a.hbs', dialect, schema, now: NOW });
}

function errors(text: string, dialect = mandrill, schema = MANDRILL_SCHEMA): string[] {
  return analyze(text, dialect, schema).diagnostics.filter((d) => d.rule === 'syntax-error').map((d) => d.message);
}

describe('Mailchimp Transactional (Mandrill) Handlebars', () => {
  test('mergewise.json chooses the flavor; the dialect id stays handlebars', () => {
    assert.equal(MANDRILL_SCHEMA.handlebarsFlavor, 'mandrill');
    assert.equal(mandrill.id, 'handlebars');
    assert.notEqual(mandrill, plain);
    assert.equal(getDialect('handlebars', { handlebarsFlavor: 'ses' }), plain);
    const refused = load(JSON.stringify({ handlebars: { flavor: 'mandril' } }));
    assert.match(refused.diagnostics.map((d) => d.message).join('\n'), /"flavor" must be one of ses, mailgun, mandrill.*did you mean "mandrill"/);
  });

  test('an unknown helper names Mailchimp Transactional, not Amazon SES or Mailgun', () => {
    const [message] = errors('Hi {{shout customer.first_name}}');
    assert.match(message, /Mailchimp Transactional \(Mandrill\)/);
    assert.doesNotMatch(message, /Amazon SES|Mailgun/);
    assert.match(message, /`upper`/);
    const [block] = errors('{{#equal customer.plan "gold"}}x{{/equal}}');
    assert.match(block, /not a block helper Mailchimp Transactional \(Mandrill\) knows/);
  });

  test('its documented helpers and blocks are accepted', () => {
    const text = [
      '{{#if customer.first_name}}Hi {{upper customer.first_name}}, {{lower customer.first_name}}, {{title customer.first_name}}{{/if}}',
      '{{url customer.plan}} {{striptags customer.bio}} {{date "Y-m-d"}} {{date}}',
      "<a href='{{unsub \"https://example.com/bye\"}}'>Unsubscribe</a>",
      '{{#unless customer.plan}}none{{/unless}} {{#with customer}}{{plan}}{{/with}} {{#each items}}{{this}}{{/each}}',
    ].join('\n');
    assert.deepEqual(errors(text), []);
  });

  test('comparisons in backticks, in {{#if}} and {{elseif}}, read the fields they compare', () => {
    const text = '{{#if `customer.purchases > 3`}}Loyal{{elseif `customer.plan == "gold"`}}Gold{{else}}Hi{{/if}} {{#unless `customer.plan != "x"`}}x{{/unless}}';
    const analysis = analyze(text);
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'syntax-error' || d.rule === 'unknown-field').map((d) => d.message), []);
    assert.deepEqual(analysis.scan.uses.map((use) => `${use.path}:${use.context}`), ['customer.purchases:condition', 'customer.plan:condition', 'customer.plan:condition']);
  });

  test('a comparison guards what it shows: `x == "gold"` means x has a value', () => {
    const analysis = analyze('{{#if `customer.plan == "gold"`}}Your {{customer.plan}} plan{{/if}}');
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'missing-fallback').map((d) => d.field), []);
    const unguarded = analyze('{{#if `customer.purchases < 3`}}Your {{customer.plan}} plan{{/if}}');
    assert.deepEqual(unguarded.diagnostics.filter((d) => d.rule === 'missing-fallback').map((d) => d.field), ['customer.plan']);
  });

  test('malformed comparisons are reported in Mandrill\'s terms', () => {
    assert.match(errors("{{#if `customer.plan == 'gold'`}}x{{/if}}")[0], /compares strings only in double quotes/);
    assert.match(errors('{{#if `customer.plan ==`}}x{{/if}}')[0], /no value on one side/);
    assert.match(errors('{{#if `customer.plan == "x"}}x{{/if}}')[0], /never closed/);
    assert.match(errors('{{#each `items > 1`}}x{{/each}}')[0], /not a comparison in backticks/);
  });

  test('plain Handlebars is unchanged: SES and Mailgun in messages, no backticks, no Mandrill helpers', () => {
    const [helper] = errors('Hi {{upper customer.first_name}}', plain, PLAIN_SCHEMA);
    assert.match(helper, /Amazon SES, Mailgun/);
    assert.ok(errors('{{#if `customer.purchases > 3`}}x{{/if}}', plain, PLAIN_SCHEMA).length > 0);
    assert.deepEqual(errors('{{#equal customer.plan "gold"}}x{{/equal}}', plain, PLAIN_SCHEMA), []);
  });

  test('the preview renders its helpers and comparisons', () => {
    const text = 'Hi {{upper customer.first_name}}{{#if `customer.purchases > 3`}} loyal{{elseif `customer.plan == "gold"`}} gold{{else}} new{{/if}}';
    const scan = mandrill.scan(text);
    const render = (data: Record<string, unknown>) => {
      const result = mandrill.render({ text, scan, data, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
      assert.equal(result.error, undefined);
      return result.output.replace(new RegExp(`${MARK_START}\\d+${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g'), '$1');
    };
    assert.equal(render({ customer: { first_name: 'Ana', purchases: '5' } }), 'Hi ANA loyal');
    assert.equal(render({ customer: { first_name: 'Ana', purchases: 1, plan: 'gold' } }), 'Hi ANA gold');
    assert.equal(render({ customer: { first_name: 'Ana' } }), 'Hi ANA new');
    assert.equal(mandrillToHandlebars('{{elseif `a == "b"`}}'), '{{else if (mw_compare "a == \\"b\\"")}}');
  });

  test('a template under mergewise.json with the flavor is analysed as Mandrill', () => {
    const root = path.resolve('/ws');
    const fs = memoryFs({ [path.join(root, 'mergewise.json')]: JSON.stringify({ handlebars: { flavor: 'mandrill' }, fields: FIELDS }) });
    const document = analyzeDocument(new SchemaIndex(fs), path.join(root, 'emails/a.hbs'), 'Hi {{shout customer.first_name}}', undefined, NOW);
    assert.equal(document.dialect.id, 'handlebars');
    assert.match(document.analysis.diagnostics.find((d) => d.rule === 'syntax-error')?.message ?? '', /Mailchimp Transactional/);
  });
});
