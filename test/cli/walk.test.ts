/**
 * Which files `check` and `report` read when they walk a folder: links are followed (a template or
 * a folder of templates kept elsewhere), each real file is checked once, and a link to nothing or a
 * link that loops is passed over with a notice naming it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string', fallback: 'there' } } });
const TYPO = 'Hi {{ customer.frist_name }}\n';

interface Report { files: { path: string; diagnostics: { rule: string }[] }[]; notices: string[] }

function check(dir: string, ...args: string[]): { code: number; report: Report; stderr: string } {
  const run = cli(['check', '--format', 'json', ...args], dir);
  return { code: run.code, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

const paths = (report: Report) => report.files.map((f) => f.path);

describe('mergewise check: links in the folders it walks', () => {
  test('a linked template and a linked folder are checked, under the names the links give them', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'shared/real.liquid': TYPO, 'elsewhere/folder/b.liquid': TYPO });
    fs.mkdirSync(path.join(dir, 'emails'));
    fs.symlinkSync('../shared/real.liquid', path.join(dir, 'emails/linked.liquid'));
    fs.symlinkSync('../elsewhere/folder', path.join(dir, 'emails/more'));
    const run = check(dir, 'emails');
    assert.deepEqual(paths(run.report), ['emails/linked.liquid', 'emails/more/b.liquid', 'mergewise.json']);
    assert.equal(run.code, 1, 'the typos behind the links are errors');
  });

  test('a file reached by a link and by its own path is checked once', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': TYPO });
    fs.symlinkSync('a.liquid', path.join(dir, 'emails/z-same.liquid'));
    fs.symlinkSync('.', path.join(dir, 'emails/again'));
    const run = check(dir);
    assert.deepEqual(paths(run.report), ['emails/a.liquid', 'mergewise.json']);
    assert.equal(run.report.files[0].diagnostics.length, 1);
  });

  test('a link to nothing is named in a notice; the rest is checked', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': 'Hi\n' });
    fs.symlinkSync('../gone/b.liquid', path.join(dir, 'emails/b.liquid'));
    const run = check(dir);
    assert.equal(run.code, 0);
    assert.deepEqual(paths(run.report), ['emails/a.liquid', 'mergewise.json']);
    assert.deepEqual(run.report.notices, ['emails/b.liquid: skipped, a link to ../gone/b.liquid, which does not exist.']);
  });

  test('a link to a folder it is inside of is named in a notice, and the walk ends', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': 'Hi\n' });
    fs.symlinkSync('..', path.join(dir, 'emails/up'));
    fs.symlinkSync('loop-b', path.join(dir, 'emails/loop-a.liquid'));
    fs.symlinkSync('loop-a.liquid', path.join(dir, 'emails/loop-b'));
    const run = check(dir);
    assert.deepEqual(paths(run.report), ['emails/a.liquid', 'mergewise.json']);
    assert.deepEqual(run.report.notices, [
      'emails/loop-a.liquid: skipped, a link that leads back to itself.',
      'emails/loop-b: skipped, a link that leads back to itself.',
      'emails/up: skipped, a link to .., a folder it is inside of: following it would loop.',
    ]);
  });
});

describe('mergewise report: links in the folders it walks', () => {
  test('a linked template is in the report; a link to nothing is in its notices', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'shared/real.liquid': 'Hi {{ customer.first_name }}\n' });
    fs.mkdirSync(path.join(dir, 'emails'));
    fs.symlinkSync('../shared/real.liquid', path.join(dir, 'emails/linked.liquid'));
    fs.symlinkSync('../gone.liquid', path.join(dir, 'emails/gone.liquid'));
    const run = cli(['report', 'emails', '--out', 'out', '--format', 'json'], dir);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out/report.json'), 'utf8')) as { templates: { path: string }[]; notices: string[] };
    assert.deepEqual(report.templates.map((t) => t.path), ['emails/linked.liquid']);
    assert.ok(report.notices.includes('emails/gone.liquid: skipped, a link to ../gone.liquid, which does not exist.'), report.notices.join('\n'));
    assert.equal(run.code, 0, run.stderr);
  });
});

describe('mergewise check: folders it skips', () => {
  test('dist, out and node_modules are skipped, unless a templates glob names the folder', () => {
    const files = { 'emails/a.liquid': 'Hi\n', 'dist/emails/built.html': TYPO, 'out/b.liquid': TYPO, 'node_modules/x/c.liquid': TYPO };
    const plain = check(ws({ 'mergewise.json': SCHEMA, ...files }));
    assert.deepEqual(paths(plain.report), ['emails/a.liquid', 'mergewise.json']);
    assert.equal(plain.code, 0);

    const named = JSON.stringify({ ...JSON.parse(SCHEMA), templates: { 'dist/emails/*.html': 'liquid' } });
    const withGlob = check(ws({ 'mergewise.json': named, ...files }));
    assert.deepEqual(paths(withGlob.report), ['dist/emails/built.html', 'emails/a.liquid', 'mergewise.json']);
    assert.equal(withGlob.code, 1);

    // A glob that reaches every folder names none of them.
    const everywhere = JSON.stringify({ ...JSON.parse(SCHEMA), templates: { '**/*.html': 'liquid' } });
    assert.deepEqual(paths(check(ws({ 'mergewise.json': everywhere, ...files })).report), ['emails/a.liquid', 'mergewise.json']);
  });
});

describe('pages Mergewise wrote are not read as templates', () => {
  const files = {
    'mergewise.json': JSON.stringify({ fields: { orders: { type: 'array', items: { fields: { title: {} } } } }, recipients: ['recipients/*.json'] }),
    'emails/welcome.hbs': '{{#each orders}}<p>{{title}}</p>{{/each}}\n',
    'recipients/ana.json': JSON.stringify({ $name: 'Ana', orders: [{ title: 'Boots' }] }),
  };

  test('check after report --out and preview --out reads only the templates', () => {
    const dir = ws(files);
    assert.equal(cli(['report', '--out', 'mergewise-report'], dir).code, 0);
    assert.equal(cli(['preview', 'emails/welcome.hbs', '--out', 'previews'], dir).code, 0);
    const run = check(dir);
    assert.deepEqual(paths(run.report), ['emails/welcome.hbs', 'mergewise.json']);
    assert.equal(run.code, 0, JSON.stringify(run.report));
    assert.deepEqual(run.report.notices, []);
  });

  test('report does not count its own earlier page', () => {
    const dir = ws(files);
    cli(['report', '--out', 'mergewise-report'], dir);
    const again = cli(['report', '--out', 'mergewise-report'], dir);
    assert.match(again.stdout, /^1 of 1 templates ready to send/);
  });

  test('named on the command line, such a page is skipped with a notice', () => {
    const dir = ws(files);
    cli(['report', '--out', 'mergewise-report'], dir);
    const run = check(dir, 'mergewise-report/report.html', 'emails');
    assert.deepEqual(paths(run.report), ['emails/welcome.hbs', 'mergewise.json']);
    assert.deepEqual(run.report.notices, ['mergewise-report/report.html: skipped, a page Mergewise wrote (report --out or preview --out), not a template.']);
  });
});
