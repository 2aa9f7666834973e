import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type RenderResult } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { mailchimp } from '../../server/src/core/dialects/mailchimp';
import { getDialect } from '../../server/src/core/dialects/registry';
import { withSchemaFallbacks } from '../../server/src/core/dialects/schema-fallbacks';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function errors(text: string): string[] {
  return mailchimp.scan(text).syntaxErrors.map((problem) => `${text.slice(problem.span.start, problem.span.end)} :: ${problem.message}`);
}

/** A Mailchimp welcome email, as the Shearly team pastes it into a custom-coded template. */
const WELCOME = marked(`<!-- Welcome journey, step 1. mergewise purpose: onboarding -->
<title>*|MC:SUBJECT|*</title>
<h1>*|IF:█FNAME|*Welcome, *|█FNAME|*!*|ELSE:|*Welcome to Shearly!*|END:IF|*</h1>
<p>Most *|IF:█INDUSTRY=barber|*barbershops*|ELSEIF:█INDUSTRY=nails|*nail studios*|ELSE:|*salons*|END:IF|* book online.</p>
*|IFNOT:█CITY|*<p>Add your salon's address so clients can find you.</p>*|END:IF|*
<p>Clients in *|TITLE:█CITY|* can book you from Google Maps.</p>
<p>Sent to *|█EMAIL|*. <a href="*|UNSUB|*">Unsubscribe</a> · *|LIST:COMPANY|* *|HTML:LIST_ADDRESS_HTML|* © *|CURRENT_YEAR|*</p>`);

describe('Mailchimp scanning', () => {
  test('finds every merge field at its exact range; Mailchimp’s own tags are not fields', () => {
    const scan = mailchimp.scan(WELCOME.text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start), WELCOME.offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [
      ['FNAME', 'condition'], ['FNAME', 'output'], ['INDUSTRY', 'condition'], ['INDUSTRY', 'condition'],
      ['CITY', 'condition'], ['CITY', 'output'], ['EMAIL', 'output'],
    ]);
    assert.deepEqual(scan.uses[5].filters, ['TITLE']);
  });

  test('*|IF:…|* guards its branch, *|IFNOT:…|* guards the *|ELSE:|*; the tag itself has no fallback', () => {
    const scan = mailchimp.scan(WELCOME.text);
    assert.equal(scan.uses[1].guarded, true);
    assert.equal(scan.uses[1].fallback, null);
    assert.equal(scan.uses[5].guarded, false);
    const ifNot = mailchimp.scan('*|IFNOT:FNAME|*Hello!*|ELSE:|*Hi *|FNAME|*!*|END:IF|*');
    assert.deepEqual(ifNot.uses.map((use) => use.guarded), [false, true]);
  });

  test('branch groups, and purpose directives in HTML comments', () => {
    const scan = mailchimp.scan(WELCOME.text);
    assert.deepEqual(scan.branchGroups.map((group) => group.branches.map((b) => WELCOME.text.slice(b.body.start, b.body.end))), [
      ['Welcome, *|FNAME|*!', 'Welcome to Shearly!'],
      ['barbershops', 'nail studios', 'salons'],
    ]);
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['onboarding']);
    assert.equal(mailchimp.purposeDirective(['a']), '<!-- mergewise purpose: a -->');
  });
});

describe('Mailchimp syntax errors', () => {
  test('a tag left open, and unbalanced conditionals, are sent as raw text', () => {
    assert.match(errors('<p>Hi *|FNAME, welcome</p>')[0], /^\*\|FNAME :: .*never closed with `\|\*`.*raw text/);
    assert.match(errors('*|IF:FNAME|*Hi')[0], /never closed.*\*\|END:IF\|\*/);
    assert.match(errors('Hi*|END:IF|*')[0], /has no matching/);
    assert.match(errors('*|ELSE:|*')[0], /outside `\*\|IF:…\|\*`/);
    assert.match(errors('*|ELSEIF:FNAME=Ana|*')[0], /outside/);
    assert.match(errors('*|IF:FNAME|*a*|ELSE:|*b*|ELSE:|*c*|END:IF|*')[0], /second `\*\|ELSE:\|\*`/);
    assert.match(errors('*|IF:|*x*|END:IF|*')[0], /needs a merge tag to test/);
  });

  test('unknown prefixes get a suggestion, and scanning goes on after every mistake', () => {
    assert.match(errors('*|IFF:FNAME|*')[0], /no `\*\|IFF:…\|\*` merge tag.*Did you mean `\*\|IF:…\|\*`\?/);
    assert.match(errors('*|FIRST NAME|*')[0], /not a merge tag name/);
    const scan = mailchimp.scan('*|FNAME *|IFF:X|* *|END:FOO|* *|LNAME|*');
    assert.deepEqual(scan.uses.map((use) => use.path), ['LNAME']);
    assert.equal(scan.syntaxErrors.length, 3);
  });
});

describe('Mailchimp fallback quick fix', () => {
  test('wraps the tag in *|IF:…|*…*|ELSE:|*fallback*|END:IF|*', () => {
    const text = '<p>Hi *|TITLE:FNAME|*,</p>';
    const use = mailchimp.scan(text).uses[0];
    const fixed = applyEdits(text, [mailchimp.fallbackEdit(text, use, 'there')!]);
    assert.equal(fixed, '<p>Hi *|IF:FNAME|**|TITLE:FNAME|**|ELSE:|*there*|END:IF|*,</p>');
    const rescanned = mailchimp.scan(fixed);
    assert.deepEqual(rescanned.syntaxErrors, []);
    assert.equal(rescanned.uses[1].guarded, true);
  });
});

describe('Mailchimp preview rendering', () => {
  test('substitutes, evaluates conditionals and marks outputs', () => {
    const text = WELCOME.text;
    const scan = mailchimp.scan(text);
    const result = mailchimp.render({ text, scan, data: { FNAME: 'Ana', INDUSTRY: 'nails', CITY: 'oakland', EMAIL: 'ana@example.com' }, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    const out = shown(result);
    assert.match(out, /<h1>Welcome, \[value:Ana\]!<\/h1>/);
    assert.match(out, /Most nail studios book online/);
    assert.doesNotMatch(out, /Add your salon's address/);
    assert.match(out, /Clients in \[value:Oakland\]/);
    assert.match(out, /href="https:\/\/[^"]*unsubscribe[^"]*"/);
    assert.doesNotMatch(out, /\*\|/);
  });

  test('an empty field shows its audience default, which comes from the schema’s fallback', () => {
    const text = '<p>Hi *|FNAME|*, clients in *|CITY|* are waiting. *|LNAME|*</p>';
    const scan = withSchemaFallbacks(mailchimp, mailchimp.scan(text), (i) => (i === 0 ? 'there' : i === 1 ? 'your area' : undefined));
    const result = mailchimp.render({ text, scan, data: { FNAME: '', CITY: 'Leeds' }, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    assert.equal(shown(result), '<p>Hi [fallback:there], clients in [value:Leeds] are waiting. [blank:]</p>');
  });

  test('previewTemplate applies the schema fallbacks and reads data by alias', () => {
    const schema = schemaOf({
      fields: { 'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { mailchimp: 'FNAME' } } },
    });
    const text = 'Hi *|FNAME|*!';
    const preview = previewTemplate({
      text, dialect: mailchimp, scan: mailchimp.scan(text), schema, now: NOW,
      recipient: { name: 'Ben', file: 'ben.json', data: { customer: { first_name: '' } }, updatedAt: new Map() },
    });
    assert.equal(preview.segments.map((segment) => segment.text).join(''), 'Hi there!');
    assert.equal(preview.counts.fallback, 1);
  });
});

describe('Mailchimp analysis, end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { mailchimp: 'FNAME' } },
      'customer.last_name': { type: 'string', source: 'declared', aliases: { mailchimp: 'LNAME' } },
      'customer.email': { type: 'string', source: 'declared', required: true, aliases: { mailchimp: 'EMAIL' } },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'mailchimp/welcome.html', dialect: mailchimp, schema, now: NOW });

  test('a field with a schema fallback counts as having its audience default; one without gets missing-fallback', () => {
    const analysis = analyze('Hi *|FNAME|* *|LNAME|* (*|EMAIL|*), *|FNMAE|*');
    assert.equal(analysis.scan.uses[0].fallback, 'there');
    const missing = analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => d.field), ['customer.last_name']);
    assert.match(missing[0].message, /`\*\|IF:LNAME\|\*\*\|LNAME\|\*\*\|ELSE:\|\*…\*\|END:IF\|\*` with a sensible default/);
    const unknown = analysis.diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => [d.field, d.data?.suggestions]), [['FNMAE', ['FNAME']]]);
    assert.match(unknown[0].message, /raw `\*\|TAG\|\*` text/);
  });

  test('the dialect is registered, and detected from merge tags', () => {
    assert.equal(getDialect('mailchimp'), mailchimp);
    assert.equal(detectDialect('<p>Hi *|FNAME|*</p>'), 'mailchimp');
  });
});
