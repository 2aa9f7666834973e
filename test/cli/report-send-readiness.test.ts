/**
 * `mergewise report` (issue 20 items 1, 2 and 4): the send-readiness report on examples/, as JSON
 * facts, one self-contained HTML file and a markdown summary; --baseline; bad input; sampling.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SendReadinessReport, TemplateReport } from '../../server/src/core/report/model';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const ws = workspacesRemovedAfter();
const made: string[] = [];
after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of examples/ to write reports into and change. */
function examplesCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-report-'));
  made.push(dir);
  fs.cpSync(EXAMPLES, path.join(dir, 'examples'), { recursive: true });
  return path.join(dir, 'examples');
}

function readJson(dir: string, out = 'out'): SendReadinessReport {
  return JSON.parse(fs.readFileSync(path.join(dir, out, 'report.json'), 'utf8')) as SendReadinessReport;
}

function template(report: SendReadinessReport, file: string): TemplateReport {
  const found = report.templates.find((t) => t.path === file);
  assert.ok(found, `${file} is in the report`);
  return found;
}

function status(t: TemplateReport, id: string): string | undefined {
  return t.checklist.find((item) => item.id === id)?.status;
}

describe('mergewise report --format json on examples/', () => {
  let dir: string;
  let report: SendReadinessReport;
  let code: number;
  before(() => {
    dir = examplesCopy();
    const run = cli(['report', '--out', 'out', '--format', 'json'], dir);
    code = run.code;
    report = readJson(dir);
  });

  test('exits 1: some examples fail an item on purpose', () => {
    assert.equal(code, 1);
    assert.ok(report.overall.ready > 0 && report.overall.ready < report.overall.templates);
  });

  test('checklist statuses of known templates, each finding linked to its file and line', () => {
    const renewal = template(report, 'emails/renewal.liquid');
    assert.ok(renewal.checklist.every((item) => item.status === 'pass'), JSON.stringify(renewal.checklist));
    assert.equal(status(renewal, 'recipients-render'), 'pass');
    assert.equal(status(renewal, 'under-clipping'), 'pass');

    const loyalty = template(report, 'emails/drafts/loyalty-update.liquid');
    const fallbacks = loyalty.checklist.find((item) => item.id === 'fallbacks')!;
    assert.notEqual(fallbacks.status, 'pass');
    assert.equal(fallbacks.findings[0].rule, 'missing-fallback');
    assert.equal(fallbacks.findings[0].path, 'emails/drafts/loyalty-update.liquid');
    assert.match(fallbacks.findings[0].link, /^\.\.\/emails\/drafts\/loyalty-update\.liquid#L\d+$/);
    assert.equal(fallbacks.findings[0].link, `../emails/drafts/loyalty-update.liquid#L${fallbacks.findings[0].range.start.line + 1}`);

    const spotlight = template(report, 'emails/drafts/stylist-spotlight.liquid');
    assert.equal(status(spotlight, 'known-fields'), 'fail');
    assert.equal(status(spotlight, 'no-surveillance'), 'warning');

    // A template that does not parse: its item fails, and so does every recipient's rendering.
    const broken = template(report, 'emails/drafts/referral-invite.liquid');
    assert.equal(status(broken, 'parses'), 'fail');
    assert.equal(status(broken, 'recipients-render'), 'fail');
    assert.ok(broken.recipients.every((r) => r.error !== undefined));

    assert.equal(status(template(report, 'emails/drafts/holiday-support.liquid'), 'partials-resolve'), 'fail');
    assert.equal(status(template(report, 'emails/drafts/city-guide.liquid'), 'safe-links'), 'fail');
  });

  test('quadrant counts are what check --format json --hints implies', () => {
    const check = JSON.parse(cli(['check', '--format', 'json', '--hints'], dir).stdout) as { files: { path: string; diagnostics: { rule: string; includedBy?: string[] }[] }[] };
    const rules = { 'expected-unhelpful': 'quadrant-expected-unhelpful', 'unexpected-helpful': 'quadrant-unexpected-helpful', 'unexpected-unhelpful': 'quadrant-unexpected-unhelpful' } as const;
    let compared = 0;
    for (const file of check.files) {
      if (file.diagnostics.some((d) => d.includedBy)) continue; // a partial: judged through the templates that send it
      const t = report.templates.find((each) => each.path === file.path);
      if (!t) continue;
      for (const [quadrant, rule] of Object.entries(rules)) {
        assert.equal(t.quadrants[quadrant as keyof typeof rules], file.diagnostics.filter((d) => d.rule === rule).length, `${file.path} ${quadrant}`);
      }
      compared++;
    }
    assert.ok(compared > 20);
    assert.equal(report.overall.quadrants['unexpected-unhelpful'], report.templates.reduce((n, t) => n + t.quadrants['unexpected-unhelpful'], 0));
    assert.ok(report.overall.quadrants['expected-helpful'] > 0);
  });

  test('maturity rungs with the field or branch that put each template there', () => {
    const winBack = template(report, 'emails/win-back.liquid').maturity;
    assert.equal(winBack.rung, 'predictive');
    assert.equal(winBack.field, 'customer.favorite_service');
    assert.match(winBack.reason, /inferred data customer\.favorite_service under the complete purpose "winback-favorite-service"/);
    assert.match(winBack.link!, /^\.\.\/emails\/win-back\.liquid#L\d+$/);

    const mailchimp = template(report, 'mailchimp/welcome.html').maturity;
    assert.equal(mailchimp.rung, 'behavioral');
    assert.match(mailchimp.reason, /observed data customer\.city/);

    const renewal = template(report, 'emails/renewal.liquid').maturity;
    assert.equal(renewal.rung, 'segmented');
    assert.match(renewal.reason, /branches on customer\.plan/);

    const greeting = template(report, 'snippets/greeting.liquid').maturity;
    assert.equal(greeting.rung, 'basic');
    assert.match(greeting.reason, /only declared data/);

    const total = Object.values(report.overall.maturity).reduce((a, b) => a + b, 0);
    assert.equal(total, report.overall.templates);
  });

  test('purposes: each hypothesis with its parts, templates and fields; incomplete ones flagged', () => {
    const winBack = report.purposes.find((p) => p.id === 'winback-favorite-service')!;
    assert.ok(winBack.complete);
    assert.ok(winBack.segment && winBack.tactic && winBack.metric);
    assert.ok(winBack.fields.includes('customer.favorite_service'));
    assert.ok(winBack.templates.includes('emails/win-back.liquid'));
    const loyalty = report.purposes.find((p) => p.id === 'loyalty-milestones')!;
    assert.equal(loyalty.complete, false);
    assert.deepEqual(loyalty.missing, ['metric']);
    assert.deepEqual(loyalty.templates, ['emails/drafts/loyalty-update.liquid']);
  });

  test('audience: the snapshot and each measured template\'s shares', () => {
    assert.equal(report.audience.length, 1);
    assert.ok(['current', 'old'].includes(report.audience[0].state));
    assert.equal(report.audience[0].rows, 48210);
    const measured = report.templates.filter((t) => t.audience);
    assert.ok(measured.length > 0);
    assert.ok(measured.some((t) => t.audience!.rareBranches.length > 0));
  });
});

describe('mergewise report: HTML', () => {
  let html: string;
  let dir: string;
  before(() => {
    dir = examplesCopy();
    fs.writeFileSync(path.join(dir, 'emails/drafts/escape-me.liquid'),
      'Hi {{ customer.first_name | default: "</iframe><script>alert(1)</script>" }} <img src="https://tracker.example/p.gif">\n');
    const run = cli(['report', '--out', 'out'], dir);
    assert.equal(run.code, 1, run.stderr);
    html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
  });

  test('one file with no script and no remote loads', () => {
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')), ['report.html']);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<(?:link|img|iframe|style|script|source|video|audio|embed|object)\b[^>]*\s(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(\s*["']?(?:https?:)?\/\//i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    assert.ok(Buffer.byteLength(html) < 5 * 1024 * 1024);
  });

  test('landmarks, both themes, charts with text alternatives', () => {
    for (const landmark of ['<header>', '<nav aria-label=', '<main id="main">', '<footer>']) assert.ok(html.includes(landmark), landmark);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /@media \(prefers-color-scheme: dark\)/);
    const charts = html.match(/<svg class="chart" role="img" aria-labelledby="([^"]+)"/g) ?? [];
    assert.ok(charts.length >= 2);
    assert.match(html, /<title id="quadrant-map-title">/);
    assert.match(html, /<desc id="maturity-chart-desc">basic: \d+; segmented: \d+/);
  });

  test('previews in sandboxed srcdoc frames with the preview\'s CSP, template content escaped', () => {
    const frames = html.match(/<iframe [^>]*>/g) ?? [];
    assert.ok(frames.length > 10);
    for (const frame of frames) {
      assert.match(frame, /^<iframe sandbox /);
      assert.match(frame, /srcdoc="[^"]*"/);
      assert.doesNotMatch(frame.replace(/srcdoc="[^"]*"/, ''), /\ssrc=/);
    }
    assert.ok(html.includes('&lt;meta http-equiv=&quot;Content-Security-Policy&quot; content=&quot;default-src &#39;none&#39;'));
    // The escape-me template's content only ever appears escaped.
    assert.ok(!html.includes('</iframe><script>'));
    assert.ok(html.includes('escape-me.liquid'));
    assert.ok(html.includes('&lt;img src=&quot;https://tracker.example/p.gif&quot;&gt;'));
  });
});

describe('mergewise report --baseline and --format markdown', () => {
  test('what got better and worse on a modified copy of examples', () => {
    const dir = examplesCopy();
    assert.equal(cli(['report', '--out', 'old', '--format', 'json'], dir).code, 1);
    const loyalty = path.join(dir, 'emails/drafts/loyalty-update.liquid');
    fs.writeFileSync(loyalty, fs.readFileSync(loyalty, 'utf8').replace('Hi {{ customer.first_name }},', 'Hi {{ customer.first_name | default: \'there\' }},'));
    const renewal = path.join(dir, 'emails/renewal.liquid');
    fs.appendFileSync(renewal, '\n<p>Your favourite: {{ customer.favorite_service | default: "colour" }}</p>\n');

    const json = cli(['report', '--out', 'new', '--format', 'json', '--baseline', 'old/report.json'], dir);
    assert.equal(json.code, 1, json.stderr);
    const md = cli(['report', '--out', 'md', '--format', 'markdown', '--baseline', 'old/report.json'], dir);
    const summary = fs.readFileSync(path.join(dir, 'md', 'report.md'), 'utf8');
    assert.match(summary, /^### Mergewise send-readiness/);
    assert.match(summary, /This change adds 1 surveillance-quadrant use.* and fixes 1 missing fallback/);
    assert.match(summary, /Worse or new:\n- `emails\/renewal\.liquid`: \+1 surveillance-quadrant use/);
    assert.match(summary, /Better:\n- `emails\/drafts\/loyalty-update\.liquid`: −1 missing fallback/);
    assert.ok(summary.length < 4000, 'short enough for a pull-request comment');
    assert.equal(md.code, 1);

    const html = cli(['report', '--out', 'html', '--baseline', 'old/report.json'], dir);
    assert.equal(html.code, 1);
    assert.match(fs.readFileSync(path.join(dir, 'html', 'report.html'), 'utf8'), /This change adds 1 surveillance-quadrant use/);
  });

  test('markdown without a baseline lists what is not ready', () => {
    const dir = examplesCopy();
    cli(['report', '--out', 'out', '--format', 'markdown'], dir);
    const summary = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    assert.match(summary, /\*\*\d+ of \d+\*\* templates ready to send/);
    assert.match(summary, /\| `emails\/drafts\/referral-invite\.liquid` \| The template parses/);
    assert.match(summary, /Incomplete purposes: `loyalty-milestones` \(lacks metric\)/);
  });

  test('a baseline that is not a report is a usage error', () => {
    const dir = ws({ 'mergewise.json': '{}', 'a.liquid': 'Hi\n', 'old.json': '{"nope": 1}' });
    const run = cli(['report', '--out', 'out', '--baseline', 'old.json'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--baseline old\.json: it is not a report/);
    assert.equal(cli(['report'], dir).code, 2);
    assert.equal(cli(['report', '--out', 'out', '--format', 'pdf'], dir).code, 2);
  });
});

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.city': { type: 'string', source: 'observed', fallback: 'your area' },
    'customer.visits': { type: 'number', source: 'observed' },
  },
  recipients: ['recipients/*.json'],
});

describe('mergewise report: bad input appears in the report', () => {
  test('a broken template, a recipient that fails to render, a malformed recipient file and snapshot', () => {
    const dir = ws({
      'mergewise.json': SCHEMA,
      'mergewise.audience.json': '{"source": ',
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', city: 'Oakland', visits: 100_000_000 } }),
      'recipients/bad.json': '{"customer": ',
      // A loop over this recipient's huge count runs out of the render's memory: rendering fails, the rest goes on.
      'emails/fails.liquid': '{% for i in (1..customer.visits) %}{{ customer.first_name | default: "there" }}{% endfor %}\n',
      'emails/broken.liquid': 'Hi {% if customer.first_name %}\n',
      'emails/fine.liquid': 'Hi {{ customer.first_name | default: "there" }}\n',
      'emails/binary.liquid': Buffer.from([0, 1, 2, 3]),
    });
    const run = cli(['report', '--out', 'out', '--format', 'json'], dir);
    assert.equal(run.code, 1, run.stderr);
    const report = readJson(dir);
    assert.equal(status(template(report, 'emails/broken.liquid'), 'parses'), 'fail');
    const fails = template(report, 'emails/fails.liquid');
    assert.equal(status(fails, 'recipients-render'), 'fail');
    assert.ok(fails.recipients[0].error);
    assert.equal(fails.findingCounts['render-error'], 1);
    assert.ok(template(report, 'emails/fine.liquid').checklist.every((item) => item.status === 'pass'));
    const binary = template(report, 'emails/binary.liquid');
    assert.equal(binary.state, 'skipped');
    assert.match(binary.problem!, /binary/);
    assert.equal(report.audience[0].state, 'unreadable');
    assert.match(report.audience[0].note!, /not valid JSON/);
    assert.ok(report.notices.some((n) => n.includes('recipients/bad.json')), report.notices.join('\n'));

    assert.equal(cli(['report', '--out', 'html'], dir).code, 1);
    const html = fs.readFileSync(path.join(dir, 'html', 'report.html'), 'utf8');
    assert.match(html, /Unreadable<\/span> mergewise\.audience\.json/);
    assert.match(html, /Not checked: it looks like a binary file/);
    assert.match(html, /does not render:/);
  });

  test('no snapshot appears as missing; a workspace where everything passes exits 0', () => {
    const dir = ws({
      'mergewise.json': SCHEMA,
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
      'emails/fine.liquid': 'Hi {{ customer.first_name | default: "there" }}\n',
    });
    assert.equal(cli(['report', '--out', 'out', '--format', 'json'], dir).code, 0);
    const report = readJson(dir);
    assert.equal(report.audience[0].state, 'missing');
    assert.equal(report.overall.ready, 1);
  });
});

describe('mergewise report: the files mergewise.json names', () => {
  test('a `templates` glob makes any extension a template for report, as for check', () => {
    const dir = ws({ 'mergewise.json': '{ "templates": { "**/*.pug": "mailchimp" }, "fields": { "FNAME": {} } }', 'emails/a.pug': 'p Hi *|FNAME|*' });
    const run = cli(['report', '--out', 'out', '--format', 'json'], dir);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assert.equal(template(readJson(dir), 'emails/a.pug').dialect, 'mailchimp');
  });
});

describe('mergewise report: 60 templates', () => {
  test('previews beyond the first 50 templates are sampled, and the page says so', () => {
    const files: Record<string, string> = {
      'mergewise.json': SCHEMA,
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
    };
    for (let i = 0; i < 60; i++) files[`emails/t${String(i).padStart(2, '0')}.liquid`] = `Hi {{ customer.first_name | default: "there" }}, number ${i}\n`;
    const dir = ws(files);
    assert.equal(cli(['report', '--out', 'out'], dir).code, 0);
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    const frames = html.match(/<iframe /g)?.length ?? 0;
    assert.ok(frames > 50 && frames < 60, `${frames} frames`);
    assert.match(html, /Previews are shown for the first 50 templates and for every/);
    assert.ok(html.includes('t00.liquid for Ana') && html.includes('t49.liquid for Ana') && html.includes('t50.liquid for Ana'));
    assert.ok(!html.includes('t51.liquid for Ana'));
    cli(['report', '--out', 'out', '--format', 'json'], dir);
    const report = readJson(dir);
    assert.equal(report.previews.sampled, true);
    assert.equal(report.previews.shown, frames);
    assert.equal(report.templates.filter((t) => t.recipients.length === 1).length, 60, 'every template still rendered');
  });

  test('the note counts the previews shown: a partial among the templates chosen shows none', () => {
    const files: Record<string, string> = {
      'mergewise.json': SCHEMA,
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
      'snippets/greeting.liquid': 'Hi {{ customer.first_name | default: "there" }}',
    };
    for (let i = 0; i < 60; i++) files[`emails/t${String(i).padStart(2, '0')}.liquid`] = `{% render 'greeting' %}, number ${i}\n`;
    const dir = ws(files);
    cli(['report', '--out', 'out', '--format', 'json'], dir);
    const { previews } = readJson(dir);
    assert.equal(previews.previewable, 61);
    assert.match(previews.note ?? '', new RegExp(`\\(${previews.shown} of 61\\)`));
  });

  test('with no sample recipient, nothing is previewed, and the page claims no sample of previews', () => {
    const files: Record<string, string> = { 'mergewise.json': SCHEMA };
    for (let i = 0; i < 60; i++) files[`emails/t${String(i).padStart(2, '0')}.liquid`] = `Hi {{ customer.first_name | default: "there" }}, number ${i}\n`;
    const dir = ws(files);
    cli(['report', '--out', 'out'], dir);
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    assert.equal(html.match(/<iframe /g), null);
    assert.doesNotMatch(html, /Previews are shown/);
    cli(['report', '--out', 'out', '--format', 'json'], dir);
    assert.deepEqual(readJson(dir).previews, { shown: 0, previewable: 0, sampled: false });
  });
});

describe('mergewise report: work that grows with the workspace', () => {
  // The report once listed the governing folder again for every template: 2,000 templates meant
  // 2,000 walks of 2,000 files, half its time. Folders are listed per run, whatever the count of templates.
  test('the folders are listed as often for 40 templates as for 4', () => {
    const folderListings = (templates: number) => {
      const files: Record<string, string> = { 'mergewise.json': SCHEMA, 'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }) };
      for (let i = 0; i < templates; i++) files[`emails/${['news', 'promo'][i % 2]}/t${i}.liquid`] = `Hi {{ customer.first_name | default: "there" }} {{ customer.city }}, ${i}\n`;
      const dir = ws(files);
      // The module object itself (the namespace import's properties are read-only getters onto it).
      const readdir = mock.method(fsModule, 'readdirSync');
      try {
        assert.equal(cli(['report', '--out', 'out', '--format', 'json'], dir).code, 0);
        return readdir.mock.callCount();
      } finally {
        readdir.mock.restore();
      }
    };
    const few = folderListings(4);
    assert.ok(few > 0, 'the report lists the workspace\'s folders');
    assert.equal(folderListings(40), few);
  });
});
