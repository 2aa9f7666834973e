import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  dialect: 'liquid',
  recipients: ['recipients/*.json'],
  fields: {
    customer: { type: 'object', fields: { first_name: { type: 'string', source: 'declared' }, city: { type: 'string', source: 'declared' } } },
    cart: { type: 'object', fields: { items: { type: 'array', items: { fields: { title: { type: 'string', required: true } } } } } },
  },
});

/** A Braze team's repository: shared snippets under the schema, emails in their own folder. */
const TEAM = {
  'mergewise.json': SCHEMA,
  'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', city: 'Lisbon' }, cart: { items: [{ title: 'Card reader' }, { title: 'SMS bundle' }] } }),
  'recipients/nobody.json': JSON.stringify({ $name: 'Nobody', customer: {} }),
  'snippets/greeting.liquid': '{% doc %}\n  @param {string} name\n{% enddoc %}\n<p>Hi {{ name }},</p>\n',
  'snippets/city-line.liquid': '<p>Events near {{ customer.city }}.</p>\n',
  'snippets/card.liquid': '<li>{{ item.title }}</li>\n',
  'emails/welcome.liquid': [
    '{% render \'greeting\', name: customer.first_name %}',
    '{% if customer.city %}{% render \'city-line\' %}{% endif %}',
    '<ul>{% render \'card\' for cart.items as item %}</ul>',
    '{% render \'footer\' %}',
  ].join('\n'),
  'emails/winback.liquid': '{% render \'city-line\' %}\n',
};

interface Report {
  files: {
    path: string;
    diagnostics: { rule: string; message: string; includedBy?: string[]; range: unknown }[];
    fields: { path: string; file?: string }[];
    includes?: { name: string | null; path: string | null; range: { start: { line: number; character: number } } }[];
  }[];
}

describe('mergewise check follows partials', () => {
  test('each template lists its includes, resolved or not, and the fields its partials use', () => {
    const dir = workspace(TEAM);
    const run = cli(['check', '--format', 'json', '.'], dir);
    const report = JSON.parse(run.stdout) as Report;
    const welcome = report.files.find((file) => file.path === 'emails/welcome.liquid')!;
    assert.deepEqual(welcome.includes?.map((include) => [include.name, include.path, include.range.start.line]), [
      ['greeting', 'snippets/greeting.liquid', 0],
      ['city-line', 'snippets/city-line.liquid', 1],
      ['card', 'snippets/card.liquid', 2],
      ['footer', null, 3],
    ]);
    assert.deepEqual(welcome.fields.filter((field) => field.file).map((field) => `${field.file} ${field.path}`), [
      'snippets/greeting.liquid customer.first_name',
      'snippets/city-line.liquid customer.city',
      'snippets/card.liquid cart.items[].title',
    ]);
    assert.deepEqual(welcome.diagnostics.filter((d) => d.rule !== 'quadrant-expected-unhelpful').map((d) => d.rule), ['unknown-partial']);
    assert.equal(run.code, 1);
  });

  test('a finding in a partial is reported once, in the partial, with includedBy naming the templates it affects', () => {
    const dir = workspace(TEAM);
    const report = JSON.parse(cli(['check', '--format', 'json', '.'], dir).stdout) as Report;
    const cityLine = report.files.find((file) => file.path === 'snippets/city-line.liquid')!;
    const missing = cityLine.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1);
    assert.deepEqual(missing[0].includedBy, ['emails/winback.liquid']);
    const winback = report.files.find((file) => file.path === 'emails/winback.liquid')!;
    assert.deepEqual(winback.diagnostics, [], 'the finding is not repeated in the template');
  });

  test('checking one partial alone still knows the templates that send it', () => {
    const dir = workspace(TEAM);
    const run = cli(['check', 'snippets/city-line.liquid'], dir);
    assert.match(run.stdout, /snippets\/city-line\.liquid:1:19 {2}warning {2}missing-fallback .*\(in 1 of the 2 templates that include it: emails\/winback\.liquid\)/);
  });

  test('the preview renders the partials, with their values marked', () => {
    const dir = workspace(TEAM);
    const run = cli(['preview', 'emails/welcome.liquid', '--recipient', 'all'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Hi Ana,/);
    assert.match(run.stdout, /Events near Lisbon\./);
    assert.match(run.stdout, /<li>Card reader<\/li>\s*<li>SMS bundle<\/li>/);
    assert.match(run.stdout, /Hi \[blank: name\],/);
  });
});

describe('a partial in which nothing tells its dialect', () => {
  test('is read in the dialect of the templates that include it: its advice and --fix in their syntax (a Panini layout\'s header.html)', () => {
    const dir = workspace({
      'mergewise.json': JSON.stringify({ fields: { first_name: { type: 'string', fallback: 'there' } } }),
      'emails/welcome.html': '{{!-- welcome --}}\n{{> header}}\n<p>Thanks</p>\n',
      'emails/partials/header.html': '<p>Hi {{first_name}}</p>\n',
      'emails/partials/unused.html': '<p>Bye {{first_name}}</p>\n',
    });
    const report = JSON.parse(cli(['check', '--format', 'json', '.'], dir).stdout) as { files: { path: string; dialect: string; diagnostics: { message: string }[] }[] };
    const header = report.files.find((file) => file.path === 'emails/partials/header.html')!;
    assert.equal(header.dialect, 'handlebars');
    assert.match(header.diagnostics[0].message, /Add `\{\{#if first_name\}\}\{\{first_name\}\}\{\{else\}\}there\{\{\/if\}\}`/);
    assert.equal(report.files.find((file) => file.path === 'emails/partials/unused.html')!.dialect, 'liquid', 'what nothing includes stays Liquid, the default');
    cli(['check', '--fix', '.'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/partials/header.html'), 'utf8'), '<p>Hi {{#if first_name}}{{first_name}}{{else}}there{{/if}}</p>\n');
  });
});

describe('mergewise preview and a partial that is not there', () => {
  test('says so on stderr, naming it and where it was looked for, instead of rendering nothing in silence', () => {
    const dir = workspace({
      'mergewise.json': JSON.stringify({ fields: { first_name: {} }, recipients: ['recipients/*.json'] }),
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', first_name: 'Ana' }),
      'emails/m.html': '{{!-- x --}}\n{{> nothere}}\n<p>{{first_name}}</p>\n',
    });
    const run = cli(['preview', 'emails/m.html'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /<p>Ana<\/p>/);
    assert.match(run.stderr, /emails\/m\.html: the partial "nothere" was not found \(no file named nothere in partials\/, layouts\/ or beside the template\): the preview shows nothing in its place/);
  });
});

describe('a partial one template includes twice, with different values', () => {
  test('--fix does not write the fallback of the other include\'s field into it', () => {
    const dir = workspace({
      'mergewise.json': JSON.stringify({ fields: { first_name: { type: 'string', fallback: 'there' }, city: { type: 'string', fallback: 'your area' } } }),
      'snippets/hello.liquid': '<p>{{ name }}</p>\n',
      'emails/two.liquid': "<p>x</p>\n{% if first_name %}{% render 'hello', name: first_name %}{% endif %}\n{% render 'hello', name: city %}\n",
    });
    const report = JSON.parse(cli(['check', '--format', 'json'], dir).stdout) as { files: { path: string; diagnostics: { rule: string; message: string }[] }[] };
    const [finding] = report.files.find((file) => file.path === 'snippets/hello.liquid')!.diagnostics;
    assert.match(finding.message, /holds `city`.*'your area'/);
    cli(['check', '--fix'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'snippets/hello.liquid'), 'utf8'), '<p>{{ name }}</p>\n', 'it was written with "there", first_name\'s fallback');
  });
});
