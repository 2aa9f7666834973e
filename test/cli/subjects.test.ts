/**
 * `mergewise check` and the inbox lines: a missing fallback in a template's subject line is an error
 * (exit 1), and a subject kept in mergewise.json's "subjects" is reported on mergewise.json.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const FIELDS = { 'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' } };

interface Report {
  files: { path: string; diagnostics: { rule: string; severity: string; message: string; range: { start: { line: number; character: number } } }[] }[];
}

describe('mergewise check: subject lines and preheaders', () => {
  test('a field with no fallback in <title> is a subject-fallback error: exit 1', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ fields: FIELDS }),
      'emails/welcome.liquid': '<html><head><title>Welcome, {{ customer.first_name }}</title></head>\n<body><p>Hi {{ customer.first_name | default: "there" }}</p></body></html>\n',
    });
    const run = cli(['check'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /emails\/welcome\.liquid:1:32 +error +subject-fallback +`customer\.first_name` has no fallback in the subject line: the inbox would show 'Welcome, '/);
    assert.doesNotMatch(run.stdout, /missing-fallback/);
  });

  test('a subject in mergewise.json is checked in its template\'s dialect and reported on mergewise.json', () => {
    const schema = `{
  "fields": ${JSON.stringify(FIELDS)},
  "subjects": {
    "emails/welcome.hbs": { "subject": "Welcome, {{customer.first_name}}", "preheader": "Hi {{customer.frist_name}}" }
  }
}
`;
    const dir = ws({ 'mergewise.json': schema, 'emails/welcome.hbs': '<p>Hi {{#if customer.first_name}}{{customer.first_name}}{{else}}there{{/if}}</p>\n' });
    const run = cli(['check', '--format', 'json'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    const onSchema = report.files.find((f) => f.path === 'mergewise.json')!.diagnostics.filter((d) => d.severity !== 'hint');
    assert.deepEqual(onSchema.map((d) => [d.rule, d.severity, d.range.start.line]), [['subject-fallback', 'error', 3], ['unknown-field', 'error', 3]]);
    const line = schema.split('\n')[3];
    assert.equal(onSchema[0].range.start.character, line.indexOf('customer.first_name'));
    assert.match(onSchema[0].message, /^emails\/welcome\.hbs, subject line: `customer\.first_name` has no fallback in the subject line: the inbox would show 'Welcome, '/);
    assert.match(onSchema[1].message, /^emails\/welcome\.hbs, preheader: /);
    assert.deepEqual(report.files.find((f) => f.path === 'emails/welcome.hbs')!.diagnostics.filter((d) => d.severity !== 'hint'), []);
  });
});
