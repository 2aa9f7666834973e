/**
 * Issue 18, item 5: `mergewise check` on a workspace of Mailchimp, Marketing Cloud and Klaviyo
 * templates whose schema declares almost nothing: the tags each platform fills in itself are never
 * reported as unknown fields, while a real unknown field still is.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  templates: { 'mailchimp/**': 'mailchimp', 'sfmc/**': 'ampscript', 'klaviyo/**': 'klaviyo' },
  fields: { 'customer.email': { type: 'string', source: 'declared', required: true } },
}, null, 2);

const FILES = {
  'mergewise.json': SCHEMA,
  'mailchimp/newsletter.html':
    '<p>News from *|LIST:COMPANY|*</p>\n*|IF:LIST|*<p>*|LIST:ADDRESSLINE|*</p>*|END:IF|*\n<a href="*|UNSUB|*">Unsubscribe</a> <a href="*|ARCHIVE|*">View online</a> &copy; *|CURRENT_YEAR|*\n',
  'sfmc/welcome.html':
    '<a href="%%view_email_url%%">View online</a>\n<p>%%Member_Busname%%</p>\n<a href="%%unsub_center_url%%">Unsubscribe</a> <a href="%%profile_center_url%%">Preferences</a>\n',
  'klaviyo/welcome.html':
    '<p>Thanks from {{ organization.name }}</p>\n<p>{{ organization.full_address }}</p>\n{% unsubscribe %} {% manage_preferences %}\n',
};

interface Report {
  files: { path: string; dialect: string | null; diagnostics: { rule: string; message: string; field?: string }[] }[];
}

describe('mergewise check: the tags each platform fills in itself', () => {
  test('are not unknown fields in Mailchimp, Marketing Cloud or Klaviyo templates', () => {
    const run = cli(['check', '--format', 'json'], ws(FILES));
    const report = JSON.parse(run.stdout) as Report;
    const dialects = Object.fromEntries(report.files.map((file) => [file.path, file.dialect]));
    assert.deepEqual(dialects, {
      'klaviyo/welcome.html': 'klaviyo',
      'mailchimp/newsletter.html': 'mailchimp',
      'mergewise.json': null,
      'sfmc/welcome.html': 'ampscript',
    }, run.stderr);
    const unknown = report.files.flatMap((file) => file.diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error').map((d) => `${file.path}: ${d.message}`));
    assert.deepEqual(unknown, []);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  test('a field of the recipient beside them is still reported', () => {
    const files = { ...FILES, 'mailchimp/newsletter.html': `${FILES['mailchimp/newsletter.html']}Hi *|FAVCOLOR|*\n` };
    const report = JSON.parse(cli(['check', '--format', 'json'], ws(files)).stdout) as Report;
    const unknown = report.files.flatMap((file) => file.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => `${file.path}: ${d.field}`));
    assert.deepEqual(unknown, ['mailchimp/newsletter.html: FAVCOLOR']);
  });
});
