/**
 * subject-fallback: a missing fallback in the subject line or preheader is an error, reported
 * instead of missing-fallback; and a subject kept in mergewise.json's "subjects" is checked in its
 * template's dialect, with its findings on mergewise.json.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getDialect } from '../../server/src/core/dialects/registry';
import { schemaDiagnostics } from '../../server/src/core/workspace';
import { subjectDiagnostics } from '../../server/src/core/schema-subjects';
import { fixesFor } from '../../server/src/core/fixes';
import { expectAt, expectMessage, expectNone } from '../helpers/expect';
import { analyze, findings, load, schemaOf } from '../helpers/schema';

const FIELDS = {
  'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
  'customer.plan': { type: 'string', source: 'transactional' },
  'customer.email': { type: 'string', source: 'declared', required: true },
};
const SCHEMA = schemaOf({ fields: FIELDS });

describe('subject-fallback in a template', () => {
  test('a field in <title> with no fallback is an error, saying what the inbox would show', () => {
    const [diagnostic] = expectAt('<html><head><title>Welcome, {{ █customer.first_name }}</title></head><body><p>Hi {{ customer.first_name | default: "there" }}</p></body></html>', SCHEMA, 'subject-fallback');
    assert.equal(diagnostic.severity, 'error');
    assert.match(diagnostic.message, /in the subject line: the inbox would show 'Welcome, '/);
    expectMessage(diagnostic.message, { wrong: /has no fallback in the subject line/, recipient: /inbox would show/, fix: /Add `\| default: 'there'` \(the schema's fallback\)/ });
  });

  test('reported instead of missing-fallback, never both; the body keeps missing-fallback', () => {
    const text = '<title>Hi {{ customer.first_name }}</title><body><p>Hi {{ customer.first_name }}</p></body>';
    assert.equal(findings(text, SCHEMA, 'subject-fallback').length, 1);
    const missing = findings(text, SCHEMA, 'missing-fallback');
    assert.equal(missing.length, 1);
    assert.ok(missing[0].span.start > text.indexOf('<body>'));
  });

  test('the preheader block and front matter', () => {
    const [pre] = expectAt('<body><div style="display:none;max-height:0">Your {{ █customer.plan }} plan renews&nbsp;&zwnj;</div><p>Body</p></body>', SCHEMA, 'subject-fallback');
    assert.match(pre.message, /in the preheader: the inbox would show 'Your plan renews ' to a recipient without it\. Add `\| default: '…'` with a sensible default/);
    expectAt('---\nsubject: "Hi {{ █customer.first_name }}"\npreheader: Your {{ █customer.plan }} plan\n---\n<p>Body</p>', SCHEMA, 'subject-fallback');
  });

  test('quiet with a fallback, a guard, a required field, or outside the inbox lines', () => {
    expectNone('<title>Hi {{ customer.first_name | default: "there" }}</title>', SCHEMA, 'subject-fallback');
    expectNone('<title>Hi{% if customer.first_name %} {{ customer.first_name }}{% endif %}</title>', SCHEMA, 'subject-fallback');
    expectNone('<title>For {{ customer.email }}</title>', SCHEMA, 'subject-fallback');
    expectNone('<body><p>Hi {{ customer.first_name }}</p><div style="display:none">{{ customer.plan }}</div></body>', SCHEMA, 'subject-fallback');
  });

  test('its severity is set like any rule\'s; turned off, the use is not reported as missing-fallback either', () => {
    const text = '<title>Hi {{ customer.first_name }}</title>';
    assert.equal(findings(text, SCHEMA, 'subject-fallback', { severityOverrides: { 'subject-fallback': 'warning' } })[0].severity, 'warning');
    const off = schemaOf({ fields: FIELDS, rules: { 'subject-fallback': 'off' } });
    assert.deepEqual(analyze(text, off).diagnostics.map((d) => d.rule).filter((rule) => rule.endsWith('fallback')), []);
  });

  test('the quick fix adds the schema\'s fallback, a safe fix', () => {
    const text = '<title>Welcome, {{ customer.first_name }}</title>';
    const analysis = analyze(text, SCHEMA);
    const diagnostic = analysis.diagnostics.find((d) => d.rule === 'subject-fallback')!;
    const fixes = fixesFor(analysis, diagnostic);
    assert.equal(fixes.fix?.title, 'Add fallback "there"');
  });
});

describe('subjects in mergewise.json', () => {
  const JSON_TEXT = `{
  "fields": ${JSON.stringify(FIELDS)},
  "templates": { "hbs/**": "handlebars" },
  "subjects": {
    "emails/welcome.liquid": { "subject": "Welcome, {{ customer.first_name }}", "preheader": "Your {{ customer.plan | default: 'new' }} plan" },
    "hbs/trial.hbs": { "subject": "Hi {{customer.frist_name}}" },
    "emails/escaped.liquid": { "subject": "\\"Hi\\" {{ customer.plan }}" }
  }
}`;

  test('loaded by template path, with where each line is in the file', () => {
    const { schema, diagnostics } = load(JSON_TEXT);
    assert.deepEqual(diagnostics, []);
    const welcome = schema.subjects!.get('emails/welcome.liquid')!;
    assert.equal(welcome.subject!.text, 'Welcome, {{ customer.first_name }}');
    assert.equal(JSON_TEXT.slice(welcome.subject!.textStart!, welcome.subject!.textStart! + welcome.subject!.text.length), welcome.subject!.text);
    assert.equal(schema.subjects!.get('emails/escaped.liquid')!.subject!.textStart, undefined, 'escapes: no one-to-one offsets');
  });

  test('each line is checked in its template\'s dialect, its findings on mergewise.json', () => {
    const loaded = { file: '/workspace/mergewise.json', result: load(JSON_TEXT) };
    const diagnostics = schemaDiagnostics(loaded).filter((d) => d.severity !== 'hint');
    const shown = diagnostics.map((d) => [d.rule, d.severity, JSON_TEXT.slice(d.span.start, d.span.end)]);
    assert.deepEqual(shown, [
      ['subject-fallback', 'error', 'customer.first_name'],
      ['unknown-field', 'error', 'customer.frist_name'],
      ['subject-fallback', 'error', '"\\"Hi\\" {{ customer.plan }}"'],
    ]);
    assert.match(diagnostics[0].message, /^emails\/welcome\.liquid, subject line: `customer\.first_name` has no fallback in the subject line: the inbox would show 'Welcome, '/);
    assert.match(diagnostics[1].message, /^hbs\/trial\.hbs, subject line: /);
  });

  test('a rule turned off in "rules" is off for the subjects too', () => {
    const result = load(JSON_TEXT.replace('"subjects"', '"rules": { "subject-fallback": "off" },\n  "subjects"'));
    const rules = subjectDiagnostics(result.schema, () => getDialect('liquid')).map((d) => d.rule);
    assert.ok(!rules.includes('subject-fallback'), rules.join());
  });

  test('mistakes in "subjects" are reported where they are', () => {
    const text = '{ "subjects": { "a.liquid": { "subjet": "x", "preheader": 3 } } }';
    const messages = load(text).diagnostics.map((d) => [text.slice(d.span.start, d.span.end), d.message]);
    assert.match(messages[0][1], /Unknown property "subjet".*did you mean "subject"/);
    assert.equal(messages[1][0], '3');
    assert.match(messages[1][1], /must be a string/);
  });
});
