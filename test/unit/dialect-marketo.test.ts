import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type RenderResult } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { marketo } from '../../server/src/core/dialects/marketo';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function errors(text: string): string[] {
  return marketo.scan(text).syntaxErrors.map((problem) => `${text.slice(problem.span.start, problem.span.end)} :: ${problem.message}`);
}

/** A Marketo webinar invitation, as the Shearly team builds it in an email program. */
const WEBINAR = marked(`<!-- Program "Spring webinar", invite 1. mergewise purpose: webinar-signups -->
<p>Hi {{█lead.First Name:default=there}},</p>
<p>Join us on {{█my.webinar_date}} to see how {{█company.Company Name:default=your salon}} can fill last-minute slots.</p>
<a href="https://shearly.example/webinar?email={{█lead.Email Address}}">Save my seat</a>
<p><a href="{{system.unsubscribeLink}}">Unsubscribe</a> · {{campaign.name}} · {{system.date}}</p>`);

describe('Marketo scanning', () => {
  test('finds every token at its exact range; system, campaign and program tokens are not fields', () => {
    const scan = marketo.scan(WEBINAR.text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), WEBINAR.offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.written]), [
      ['lead.First Name', 'lead.First Name'], ['my.webinar_date', 'my.webinar_date'],
      ['company.Company Name', 'company.Company Name'], ['lead.Email Address', 'lead.Email Address'],
    ]);
    const first = scan.uses[0];
    assert.equal(WEBINAR.text.slice(first.span.start, first.span.end), 'lead.First Name');
    assert.equal(WEBINAR.text.slice(first.tagSpan.start, first.tagSpan.end), '{{lead.First Name:default=there}}');
  });

  test('`:default=` is the fallback; Marketo has no conditionals, so no guards or branches', () => {
    const scan = marketo.scan(WEBINAR.text);
    assert.deepEqual(scan.uses.map((use) => use.fallback), ['there', null, 'your salon', null]);
    assert.ok(scan.uses.every((use) => !use.guarded && use.context === 'output'));
    assert.deepEqual(scan.branchGroups, []);
    assert.deepEqual(marketo.scan('{{lead.Title:default=}}').uses[0].fallback, '');
  });

  test('trigger tokens are what Marketo fills in from the triggering activity: system tokens, not fields', () => {
    // A form-fill follow-up, as Marketo's token reference lists them: {{trigger.Name}}, {{trigger.Web Page}}.
    const text = '<p>Thanks for filling out {{trigger.Name}} on {{trigger.Web Page}}, {{lead.First Name:default=there}}.</p>';
    const scan = marketo.scan(text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.path), ['lead.First Name']);
    const analysis = analyzeTemplate({ text, relativePath: 'emails/follow-up.html', dialect: marketo, schema: schemaOf({ fields: {} }), now: NOW });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['lead.First Name']);
  });

  test('purpose directives live in HTML comments', () => {
    assert.deepEqual(marketo.scan(WEBINAR.text).purposeDirectives.map((d) => d.purpose), ['webinar-signups']);
    assert.equal(marketo.purposeDirective(['a', 'b']), '<!-- mergewise purpose: a, b -->');
  });
});

describe('Marketo syntax errors', () => {
  test('tokens Marketo cannot read reach the recipient as raw text', () => {
    assert.match(errors('<p>Hi {{lead.First Name</p>')[0], /never closed with `}}`.*raw text/);
    assert.match(errors('{{leed.First Name}}')[0], /^leed :: Marketo has no `leed\.` tokens.*Did you mean `lead\.`\?/);
    assert.match(errors('{{ lead.First Name }}')[0], /spaces inside the braces/);
    assert.match(errors('{{FirstName}}')[0], /no token type.*\{\{lead\.FirstName\}\}/);
    assert.match(errors('{{lead.First Name:defualt=there}}')[0], /^:defualt=there :: .*exactly `:default=value`/);
    assert.match(errors('{{}}')[0], /empty/);
  });

  test('scanning goes on after every mistake', () => {
    const scan = marketo.scan('{{lead.First Name {{leed.X}} {{lead.Last Name}}');
    assert.deepEqual(scan.uses.map((use) => use.path), ['lead.Last Name']);
    assert.equal(scan.syntaxErrors.length, 2);
  });
});

describe('Marketo fallback quick fix', () => {
  test('adds `:default=` before the closing braces', () => {
    const text = '<p>Hi {{lead.First Name}}, from {{company.Company Name}}</p>';
    const edits = marketo.scan(text).uses.map((use, i) => marketo.fallbackEdit(text, use, i === 0 ? 'there' : 'your salon')!);
    const fixed = applyEdits(text, edits);
    assert.equal(fixed, '<p>Hi {{lead.First Name:default=there}}, from {{company.Company Name:default=your salon}}</p>');
    assert.deepEqual(marketo.scan(fixed).uses.map((use) => use.fallback), ['there', 'your salon']);
  });
});

describe('Marketo preview rendering', () => {
  test('substitutes by schema path, with the token default and marks', () => {
    const scan = marketo.scan(WEBINAR.text);
    const schemaPaths: Record<string, string> = { 'lead.First Name': 'customer.first_name', 'lead.Email Address': 'customer.email' };
    const result = marketo.render({
      text: WEBINAR.text, scan, schemaPathOf: (i) => schemaPaths[scan.uses[i].path], limits: DEFAULT_RENDER_LIMITS,
      data: { customer: { first_name: '', email: 'ben@example.com' }, my: { webinar_date: 'March 12' } },
    });
    const out = shown(result);
    assert.match(out, /<p>Hi \[fallback:there\],<\/p>/);
    assert.match(out, /Join us on \[value:March 12\] to see how \[fallback:your salon\] can/);
    assert.match(out, /email=\[value:ben@example\.com\]/);
    assert.match(out, /href="https:\/\/[^"]*[Uu]nsubscribe[^"]*"/);
    assert.doesNotMatch(out, /\{\{/);
  });

  test('a system token named like an object\'s built-in property shows as an unknown token', () => {
    const text = '<p>{{system.constructor}} {{system.toString}}</p>';
    const scan = marketo.scan(text);
    const out = shown(marketo.render({ text, scan, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS, data: {} }));
    assert.match(out, /\(system\.constructor\) \(system\.toString\)/);
  });
});

describe('Marketo analysis, end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { marketo: 'lead.First Name' } },
      'customer.email': { type: 'string', source: 'declared', required: true, aliases: { marketo: 'lead.Email Address' } },
      // Program tokens are declared like any field.
      'my.webinar_date': { type: 'string', source: 'transactional', description: 'Program token: the webinar date as written' },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'marketo/invite.html', dialect: marketo, schema, now: NOW });

  test('missing-fallback fires through the alias; an undeclared program token is an unknown field', () => {
    const text = 'Hi {{lead.First Name}} ({{lead.Email Address}}), join us {{my.webinar_date:default=soon}} {{my.webinar_time}} {{lead.Frist Name:default=x}}';
    const diagnostics = analyze(text).diagnostics;
    const missing = diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.field), ['customer.first_name']);
    assert.match(missing[0].message, /`:default=there` \(the schema's fallback\)/);
    const unknown = diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => d.field), ['my.webinar_time', 'lead.Frist Name']);
    assert.deepEqual(unknown[1].data?.suggestions, ['lead.First Name']);
  });

  test('the dialect is registered, and detected from its tokens', () => {
    assert.equal(getDialect('marketo'), marketo);
    assert.equal(detectDialect('<p>Hi {{lead.First Name:default=there}}</p>'), 'marketo');
  });
});
