import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate, type TemplateAnalysis } from '../../server/src/core/analyze';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { enclosingQuote, quoteWithoutEscapes } from '../../server/src/core/dialects/common/quote';
import type { Dialect, TextEdit } from '../../server/src/core/dialects/dialect';
import { handlebars } from '../../server/src/core/dialects/handlebars';
import { hubl } from '../../server/src/core/dialects/hubl';
import { klaviyo } from '../../server/src/core/dialects/klaviyo';
import { liquid } from '../../server/src/core/dialects/liquid';
import { postmark } from '../../server/src/core/dialects/postmark';
import { applyEdits, compatibleFixes, fixText, MAX_FIX_PASSES, safeFixes, type Fix } from '../../server/src/core/fixes';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { ampscript: 'FirstName' } },
    'customer.city': { type: 'string', source: 'declared', fallback: 'your area', aliases: { ampscript: 'City' } },
    'customer.job_title': { type: 'string', source: 'declared' },
  },
});

function analyzer(dialect: Dialect, counter?: { calls: number }): (text: string) => TemplateAnalysis {
  return (text) => {
    if (counter) counter.calls++;
    return analyzeTemplate({ text, relativePath: 'emails/a.html', dialect, schema: SCHEMA, now: NOW });
  };
}

const insert = (at: number, newText: string): TextEdit => ({ span: { start: at, end: at }, newText });
const replace = (start: number, end: number, newText: string): TextEdit => ({ span: { start, end }, newText });
const fix = (title: string, ...edits: TextEdit[]): Fix => ({ title, edits });

describe('compatibleFixes', () => {
  test('takes fixes in order, deferring one whose edits overlap a fix already taken', () => {
    const a = fix('a', replace(0, 5, 'A'));
    const b = fix('b', replace(3, 8, 'B'));
    const c = fix('c', replace(5, 8, 'C'));
    assert.deepEqual(compatibleFixes([a, b, c]), { taken: [a, c], deferred: [b] });
  });

  test('two insertions at the same offset overlap (their order would be a guess); at a replacement\'s edge they do not', () => {
    const first = fix('first', insert(4, 'x'));
    const second = fix('second', insert(4, 'y'));
    const before = fix('before', replace(0, 4, 'z'));
    const after = fix('after', replace(4, 6, 'w'));
    assert.deepEqual(compatibleFixes([first, second, before, after]), { taken: [first, before, after], deferred: [second] });
  });

  test('an insertion inside a replacement overlaps it', () => {
    const wrap = fix('wrap', replace(2, 10, 'W'));
    const inside = fix('inside', insert(5, 'i'));
    assert.deepEqual(compatibleFixes([wrap, inside]).deferred, [inside]);
  });

  test('a fix is taken whole or not at all', () => {
    const taken = fix('taken', replace(10, 12, 'T'));
    const split = fix('split', insert(0, 'fine'), replace(11, 13, 'clash'));
    assert.deepEqual(compatibleFixes([taken, split]), { taken: [taken], deferred: [split] });
  });
});

describe('applyEdits', () => {
  test('makes edits given in any order, an insertion before a replacement at the same offset', () => {
    const text = '0123456789';
    assert.equal(applyEdits(text, [replace(6, 8, 'R'), insert(6, 'I'), insert(0, '<'), insert(10, '>')]), '<012345IR89>');
  });

  test('keeps every character no edit touches, CRLF and a BOM among them', () => {
    const text = '\uFEFFa\r\nb\r\nc';
    assert.equal(applyEdits(text, [insert(2, '!')]), '\uFEFFa!\r\nb\r\nc');
    assert.equal(applyEdits(text, []), text);
  });
});

describe('fixText', () => {
  test('nothing to fix: the text as it was, after one analysis', () => {
    const counter = { calls: 0 };
    const text = 'Hi {{ customer.first_name | default: "you" }}';
    assert.deepEqual(fixText(text, analyzer(liquid, counter)), { text, applied: [], passes: 0, settled: true });
    assert.equal(counter.calls, 1);
  });

  test('fixes that do not overlap are made in one pass, then a fresh analysis finds none left', () => {
    const counter = { calls: 0 };
    const outcome = fixText('Hi {{ customer.first_name }} from {{ customer.city }}', analyzer(liquid, counter));
    assert.equal(outcome.text, "Hi {{ customer.first_name | default: 'there' }} from {{ customer.city | default: 'your area' }}");
    assert.deepEqual(outcome.applied.map((f) => f.title), ['Add fallback "there"', 'Add fallback "your area"']);
    assert.equal(outcome.passes, 1);
    assert.equal(outcome.settled, true);
    assert.equal(counter.calls, 2);
  });

  test('only safe fixes: a field without a schema fallback gets no placeholder', () => {
    const text = 'Hi {{ customer.job_title }}';
    const analysis = analyzer(liquid)(text);
    assert.equal(analysis.diagnostics.filter((d) => d.rule === 'missing-fallback').length, 1);
    assert.deepEqual(safeFixes(analysis), []);
    assert.equal(fixText(text, analyzer(liquid)).text, text);
  });

  test('fixes that overlap are made over passes (AMPscript: two attributes in one expression)', () => {
    const text = '%%[ SET @f = AttributeValue("FirstName") SET @c = AttributeValue("City") ]%%%%=Concat(@f, " in ", @c)=%%';
    const first = safeFixes(analyzer(ampscript)(text));
    assert.equal(first.length, 2);
    assert.equal(compatibleFixes(first).deferred.length, 1, 'both fixes rewrite the same expression');
    const outcome = fixText(text, analyzer(ampscript));
    assert.equal(outcome.passes, 2);
    assert.equal(outcome.settled, true);
    assert.equal(outcome.applied.length, 2);
    assert.match(outcome.text, /%%=IIF\(Empty\(@\w\), "[^"]+", IIF\(Empty\(@\w\), "[^"]+", Concat\(@f, " in ", @c\)\)\)=%%$/);
    assert.deepEqual(safeFixes(analyzer(ampscript)(outcome.text)), []);
  });

  test('synthetic overlapping fixes: each pass takes what it can, until none is left', () => {
    // A dialect whose fallback rewrites the whole tag: the two uses in one tag overlap, so the second waits a pass.
    const wrapping: Dialect = {
      ...liquid,
      fallbackEdit: (text, use, fallback) => ({ span: use.tagSpan, newText: text.slice(use.tagSpan.start, use.tagSpan.end).replace(use.written, `${use.written} | default: '${fallback}'`) }),
    };
    const outcome = fixText('{{ customer.first_name }}{{ customer.city }}', analyzer(wrapping));
    assert.equal(outcome.passes, 1, 'different tags do not overlap');
    const sameTag = { ...wrapping, fallbackEdit: (text: string, use: Parameters<Dialect['fallbackEdit']>[1], fallback: string) =>
      ({ span: { start: 0, end: text.length }, newText: text.replace(use.written, `${use.written} | default: '${fallback}'`) }) };
    const overlapping = fixText('{{ customer.first_name }}{{ customer.city }}', analyzer(sameTag));
    assert.equal(overlapping.passes, 2);
    assert.equal(overlapping.settled, true);
    assert.equal(overlapping.text, "{{ customer.first_name | default: 'there' }}{{ customer.city | default: 'your area' }}");
  });

  test('the pass limit stops a fix that never settles, and says it did not', () => {
    // A fix that adds text but no fallback: the finding is back after every pass.
    const neverSettles: Dialect = { ...liquid, fallbackEdit: (_text, use) => insert(use.tagSpan.end, '!') };
    const counter = { calls: 0 };
    const outcome = fixText('Hi {{ customer.first_name }}', analyzer(neverSettles, counter));
    assert.equal(outcome.passes, MAX_FIX_PASSES);
    assert.equal(outcome.settled, false);
    assert.equal(outcome.applied.length, MAX_FIX_PASSES);
    assert.equal(outcome.text, `Hi {{ customer.first_name }}${'!'.repeat(MAX_FIX_PASSES)}`);
    assert.equal(counter.calls, MAX_FIX_PASSES + 1, 'one analysis per pass, and one to see what is left');

    const limited = fixText('Hi {{ customer.first_name }}', analyzer(neverSettles), 3);
    assert.deepEqual([limited.passes, limited.settled, limited.text], [3, false, 'Hi {{ customer.first_name }}!!!']);
  });

  test('the pass limit with a synthetic analysis: a callback that always finds one more fix', () => {
    // Not a rule at all: an analysis whose one finding's fix always reappears, counted by pass.
    let calls = 0;
    const analyze = (text: string): TemplateAnalysis => {
      calls++;
      return analyzeTemplate({ text: `{{ customer.first_name }}`, relativePath: 'a.html', dialect: { ...liquid, fallbackEdit: () => insert(text.length, '.') }, schema: SCHEMA, now: NOW });
    };
    const outcome = fixText('x', analyze, 4);
    assert.deepEqual([outcome.text, outcome.passes, outcome.settled, calls], ['x....', 4, false, 5]);
  });
});

describe('a fallback literal in the quotes around its tag', () => {
  test('takes the other quote than the attribute or front matter value the tag sits in', () => {
    const at = (text: string) => enclosingQuote(text, text.indexOf('{{'));
    assert.equal(at("<img alt='{{ x }}'>"), "'");
    assert.equal(at('<a href="https://x/?a={{ x }}">'), '"');
    assert.equal(at("subject: 'Hi {{ x }}, your month'"), "'");
    const afterAnother = "<p>{{ a | default: 'x' }} {{ b }}</p>";
    assert.equal(enclosingQuote(afterAnother, afterAnother.indexOf('{{ b')), undefined, 'the nearest quote closes a literal');
    assert.equal(at('<p>Hi {{ x }}</p>'), undefined);
    assert.equal(quoteWithoutEscapes('there', "'"), '"there"');
    assert.equal(quoteWithoutEscapes('there', '"'), "'there'");
    assert.equal(quoteWithoutEscapes("O'Hare"), '"O\'Hare"');
  });

  test('none fits a text with both quotes, or with the quote it sits in: no edit rather than a changed text', () => {
    assert.equal(quoteWithoutEscapes('it\'s "great"'), undefined);
    assert.equal(quoteWithoutEscapes("O'Hare", '"'), undefined);
    assert.equal(quoteWithoutEscapes("O'Hare", "'"), undefined);
  });
});

describe('a Handlebars or Mustachio fallback written as text in a quoted attribute', () => {
  const quoting = schemaOf({ fields: { 'customer.first_name': { type: 'string', source: 'declared', fallback: 'our "best" & dearest' } } });
  const fixed = (dialect: Dialect, text: string) =>
    fixText(text, (t) => analyzeTemplate({ text: t, relativePath: 'emails/a.html', dialect, schema: quoting, now: NOW })).text;

  test('writes the attribute\'s quote and & as entities, so the attribute still ends where it did', () => {
    assert.equal(
      fixed(handlebars, '<img alt="{{customer.first_name}}">'),
      '<img alt="{{#if customer.first_name}}{{customer.first_name}}{{else}}our &quot;best&quot; &amp; dearest{{/if}}">',
    );
    assert.equal(
      fixed(postmark, '<img alt="{{customer.first_name}}">'),
      '<img alt="{{#customer.first_name}}{{.}}{{/customer.first_name}}{{^customer.first_name}}our &quot;best&quot; &amp; dearest{{/customer.first_name}}">',
    );
  });

  test('elsewhere the text is written as it is; in a front matter value with its quote, no safe fix', () => {
    assert.equal(fixed(handlebars, "<img alt='{{customer.first_name}}'>"), "<img alt='{{#if customer.first_name}}{{customer.first_name}}{{else}}our \"best\" & dearest{{/if}}'>");
    assert.equal(fixed(handlebars, '<p>{{customer.first_name}}</p>'), '<p>{{#if customer.first_name}}{{customer.first_name}}{{else}}our "best" & dearest{{/if}}</p>');
    assert.equal(fixed(handlebars, 'subject: "Hi {{customer.first_name}}"'), 'subject: "Hi {{customer.first_name}}"');
  });
});

describe('a Klaviyo or HubL fallback beside a filter that reads a date, number or list', () => {
  const dated = schemaOf({ fields: {
    Birthday: { type: 'date', fallback: 'your birthday' },
    Balance: { type: 'number', fallback: 'no' },
    City: { type: 'string', fallback: 'your area' },
    'contact.renewal_date': { type: 'date', fallback: 'soon' },
  } });
  const fixed = (dialect: Dialect, text: string) =>
    fixText(text, (t) => analyzeTemplate({ text: t, relativePath: 'emails/a.html', dialect, schema: dated, now: NOW })).text;

  test('goes after the whole chain in Klaviyo, and around the tag in HubL, where the formatting filter cannot turn it into nothing', () => {
    assert.equal(
      fixed(klaviyo, "<p>On {{ person.Birthday|date:'F j' }}, {{ person.Balance|floatformat:2 }} points</p>"),
      "<p>On {{ person.Birthday|date:'F j'|default:'your birthday' }}, {{ person.Balance|floatformat:2|default:'no' }} points</p>",
    );
    // HubL's default replaces only a missing value, and its date filters print a date even then: the tag goes in an if.
    assert.equal(
      fixed(hubl, "<p>Renews {{- contact.renewal_date|format_date('long') -}}</p>"),
      "<p>Renews {%- if contact.renewal_date %}{{- contact.renewal_date|format_date('long') -}}{% else %}soon{% endif -%}</p>",
    );
  });

  test('a text filter keeps it right after the reference, so that the fallback is formatted too', () => {
    assert.equal(fixed(klaviyo, '<p>{{ person.City|upper }}</p>'), "<p>{{ person.City|default:'your area'|upper }}</p>");
  });
});
