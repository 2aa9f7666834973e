import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { SchemaIndex, isTemplateIn } from '../../server/src/core/workspace';
import { nodeFileSystem } from '../../server/src/node-fs';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

/** A file a `templates` glob names is checked whatever its extension (issue 18 item 7). */
const SCHEMA = JSON.stringify({
  fields: { 'customer.first_name': { type: 'string', source: 'declared' } },
  recipients: ['recipients/*.json'],
  templates: { 'emails/**/*.mjml': 'liquid', 'legacy/*': 'ampscript' },
}, null, 2);

const FILES = {
  'mergewise.json': SCHEMA,
  'emails/welcome/welcome.mjml': '<mjml><mj-text>Hi {{ customer.first_name }}</mj-text></mjml>\n',
  'legacy/promo': 'Hi %%=AttributeValue("customer.frist_name")=%%\n',
  'legacy/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48]),
  'other/unmatched.mjml': '<mjml>{{ customer.first_name }}</mjml>\n',
  'emails/plain.liquid': 'Hi {{ customer.first_name | default: "there" }}\n',
};

interface Report {
  files: { path: string; dialect: string; diagnostics: { rule: string; field?: string }[]; fields: { path: string }[] }[];
  summary: { files: number; skipped: number };
  notices: string[];
}

const ws = workspacesRemovedAfter();

describe('templates globs name templates of any extension', () => {
  test('check --format json lists the files a glob names, in its dialect, with their findings', () => {
    const run = cli(['check', '--format', 'json'], ws(FILES));
    const report = JSON.parse(run.stdout) as Report;
    const byPath = new Map(report.files.map((file) => [file.path, file]));
    assert.deepEqual([...byPath.keys()].sort(), ['emails/plain.liquid', 'emails/welcome/welcome.mjml', 'legacy/promo', 'mergewise.json']);

    const mjml = byPath.get('emails/welcome/welcome.mjml')!;
    assert.equal(mjml.dialect, 'liquid');
    assert.deepEqual(mjml.fields.map((f) => f.path), ['customer.first_name']);
    assert.ok(mjml.diagnostics.some((d) => d.rule === 'missing-fallback' && d.field === 'customer.first_name'), JSON.stringify(mjml.diagnostics));

    const extensionless = byPath.get('legacy/promo')!;
    assert.equal(extensionless.dialect, 'ampscript');
    assert.ok(extensionless.diagnostics.some((d) => d.rule === 'unknown-field'), JSON.stringify(extensionless.diagnostics));
  });

  test('a binary file a glob names is skipped with a notice naming it', () => {
    const run = cli(['check', '--format', 'json'], ws(FILES));
    const report = JSON.parse(run.stdout) as Report;
    assert.equal(report.summary.skipped, 1);
    assert.deepEqual(report.notices, ['legacy/logo.png: skipped, it looks like a binary file, not a template.']);
  });

  test('a file no glob names keeps being left out by its extension; the schema and its recipients are never templates', () => {
    const dir = ws({ ...FILES, 'mergewise.json': SCHEMA.replace('"legacy/*"', '"**/*"').replace('"emails/**/*.mjml": "liquid",', ''), 'recipients/ada.json': '{"customer": {}}' });
    const index = new SchemaIndex(nodeFileSystem);
    assert.equal(isTemplateIn(index, path.join(dir, 'legacy/promo')), true);
    assert.equal(isTemplateIn(index, path.join(dir, 'mergewise.json')), false);
    assert.equal(isTemplateIn(index, path.join(dir, 'recipients/ada.json')), false);
    assert.equal(isTemplateIn(new SchemaIndex(nodeFileSystem), path.join(ws(FILES), 'other/unmatched.mjml')), false);
    assert.equal(isTemplateIn(new SchemaIndex(nodeFileSystem), path.join(ws({ 'a.mjml': '' }), 'a.mjml')), false, 'no schema, no globs');
  });
});
