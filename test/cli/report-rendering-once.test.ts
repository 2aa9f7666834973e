/**
 * `mergewise report` renders every template for every sample recipient (issue 20, speed): the
 * template, and each partial it includes, is parsed once, whatever the number of recipients, and
 * the renderings are those the preview makes one recipient at a time.
 */
import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { Tokenizer } from 'liquidjs';
import type { SendReadinessReport } from '../../server/src/core/report/model';
import { liquid } from '../../server/src/core/dialects/liquid';
import { prepareTemplatePreview, previewTemplate } from '../../server/src/core/preview/preview';
import { loadRecipients, parseRecipients } from '../../server/src/core/preview/recipients';
import { utf8Length } from '../../protocol/src/email-size';
import { schemaOf } from '../helpers/schema';
import { loadSchema } from '../../server/src/core/schema/load';
import { recipientRender } from '../../server/src/core/report/facts';
import { nodeFileSystem } from '../../server/src/node-fs';
import { NOW } from '../helpers/schema';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.city': { type: 'string', source: 'observed' },
  },
  recipients: ['recipients/*.json'],
});

const RECIPIENTS = [
  { $name: 'Ana', customer: { first_name: 'Ana', city: 'Lisbon' } },
  { $name: 'Bo', customer: { first_name: '' } },
  { $name: 'Cy', customer: { city: 'Leeds' } },
  { $name: 'Di' },
];

/** Two Liquid templates rendering the same snippet, one without, and a Handlebars one; `recipients` sample recipients. */
function workspaceWith(recipients: number): string {
  const files: Record<string, string> = {
    'mergewise.json': SCHEMA,
    'snippets/city.liquid': '{% if customer.city %}in {{ customer.city }}{% endif %}',
    'emails/a.liquid': "Hi {{ customer.first_name | default: 'there' }} {% render 'city' %}\n",
    'emails/b.liquid': "{% if customer.first_name %}Dear {{ customer.first_name }}{% endif %} {% render 'city' %} {{ customer.city }}\n",
    'emails/c.liquid': '{% for i in (1..3) %}{{ i }} {{ customer.first_name }}{% endfor %}\n',
    'emails/d.hbs': '{{#if customer.first_name}}Hi {{customer.first_name}}{{else}}Hi there{{/if}} {{customer.city}}\n',
  };
  RECIPIENTS.slice(0, recipients).forEach((recipient, index) => { files[`recipients/r${index}.json`] = JSON.stringify(recipient); });
  return ws(files);
}

/**
 * The report as JSON, with how many times liquidjs parsed a template or snippet while it ran (not
 * counting the names of `{% render %}` tags, which it parses as templates too) and how many times
 * handlebars.js parsed a text.
 */
function reportCountingParses(dir: string): { report: SendReadinessReport; liquidParses: number; handlebarsParses: number } {
  const readTopLevelTokens = Tokenizer.prototype.readTopLevelTokens;
  let liquidParses = 0;
  const liquidTokens = mock.method(Tokenizer.prototype, 'readTopLevelTokens', function counted(this: Tokenizer, ...args: Parameters<typeof readTopLevelTokens>) {
    if (/\{\{|\{%/.test(this.input)) liquidParses++;
    return readTopLevelTokens.apply(this, args);
  });
  // The parser every environment's `parse` and `compile` call (typed as internal).
  const handlebarsParses = mock.method((Handlebars as unknown as { Parser: { parse(input: string): unknown } }).Parser, 'parse');
  try {
    assert.ok([0, 1].includes(cli(['report', '--out', 'out', '--format', 'json'], dir).code));
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as SendReadinessReport;
    return { report, liquidParses, handlebarsParses: handlebarsParses.mock.callCount() };
  } finally {
    liquidTokens.mock.restore();
    handlebarsParses.mock.restore();
  }
}

describe('mergewise report parses each template once for all its sample recipients', () => {
  test('liquidjs parses each Liquid template, and the snippet once per template that renders it, for 4 recipients as for 1', () => {
    const four = reportCountingParses(workspaceWith(4));
    assert.equal(four.report.templates.filter((t) => t.recipients.length === 4).length, 4, 'every sending template rendered for every recipient');
    // a, b, c, and the snippet for a and for b (the snippet alone is a partial, not rendered by itself).
    assert.equal(four.liquidParses, 5);
    assert.equal(reportCountingParses(workspaceWith(1)).liquidParses, 5);
  });

  test('handlebars.js compiles the Handlebars template as often for 4 recipients as for 1', () => {
    const one = reportCountingParses(workspaceWith(1));
    const four = reportCountingParses(workspaceWith(4));
    assert.ok(one.handlebarsParses > 0, 'handlebars.js compiled the template');
    assert.equal(four.handlebarsParses, one.handlebarsParses);
  });

  test('each recipient\'s facts are those the preview gives rendering for that recipient alone', () => {
    const dir = workspaceWith(4);
    const { report } = reportCountingParses(dir);
    const schemaFile = path.join(dir, 'mergewise.json');
    const schema = loadSchema(fs.readFileSync(schemaFile, 'utf8'), schemaFile, dir).schema;
    const { recipients } = loadRecipients(schema, nodeFileSystem, (file) => path.relative(dir, file));
    const text = fs.readFileSync(path.join(dir, 'emails', 'c.liquid'), 'utf8');
    const alone = recipients.map((recipient) =>
      recipientRender(previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema, recipient, now: NOW }), path.relative(dir, recipient.file)));
    const reported = report.templates.find((t) => t.path === 'emails/c.liquid')!.recipients;
    assert.deepEqual(reported, alone);
    assert.deepEqual(reported.map((r) => r.summary), ['0 fallbacks, 0 blanks, 0 stale', '0 fallbacks, 3 blanks, 0 stale', '0 fallbacks, 3 blanks, 0 stale', '0 fallbacks, 3 blanks, 0 stale']);
  });
});

describe('an email the report does not show is counted and measured without being cut into segments', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', fallback: 'there' },
      'customer.job_title': { type: 'string', maxAgeDays: 365 },
      'customer.city': { type: 'string' },
    },
  });
  const text = '<style>.a{color:red}</style><p>Hi {{ customer.first_name | default: "there" }} ({{ customer.job_title }}), ' +
    '{% if customer.city %}in {{ customer.city }}{% endif %} {{ customer.city }} é {% raw %}{{ leftover }}{% endraw %}</p>\n';
  const recipients = [
    { $name: 'Ana', customer: { first_name: 'Ana', job_title: 'Chef', city: 'Évora' }, $updatedAt: { 'customer.job_title': '2020-01-01' } },
    { $name: 'Bo', customer: { first_name: '' } },
    { $name: 'Cy' },
  ].map((json) => parseRecipients(JSON.stringify(json), 'recipients/r.json').recipients[0]);

  test('facts are the preview without its segments, and the size is that of the segments\' text', () => {
    const previews = prepareTemplatePreview({ text, dialect: liquid, scan: liquid.scan(text), schema, now: NOW });
    for (const recipient of recipients) {
      const { segments, ...shown } = previews.preview(recipient);
      assert.deepEqual(previews.facts(recipient), shown);
      assert.equal(shown.size, segments.reduce((sum, segment) => sum + utf8Length(segment.text), 0));
    }
    // The `{{` and `}}` left in the email are each raw merge syntax; the braces in the style are not.
    const counts = recipients.map((recipient) => previews.facts(recipient).counts);
    assert.deepEqual(counts, [
      { fallback: 0, blank: 0, stale: 1, raw: 2 },
      { fallback: 1, blank: 2, stale: 0, raw: 2 },
      { fallback: 1, blank: 2, stale: 0, raw: 2 },
    ]);
    assert.equal(previews.facts(recipients[0]).size, utf8Length('<style>.a{color:red}</style><p>Hi Ana (Chef), in Évora Évora é {{ leftover }}</p>\n'));
  });
});
