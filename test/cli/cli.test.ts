import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS } from '../../server/src/core/model';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.email': { type: 'string', source: 'declared', required: true },
    'customer.job_title': { type: 'string', source: 'declared', maxAgeDays: 365 },
  },
  recipients: ['recipients/*.json'],
}, null, 2);

/** Templates by what they contain. */
const CLEAN = 'Hi {{ customer.first_name | default: "there" }},\n';
const WARNING = 'Hi\n  {{ customer.first_name }}\n';
const ERROR = 'Hi {{ customer.frist_name | default: "x" }}\n';

interface JsonReport {
  files: {
    path: string;
    dialect: string | null;
    diagnostics: { rule: string; severity: string; message: string; field?: string; includedBy?: string[]; range: Range }[];
    fields: { path: string; fallback: string | null; guarded: boolean; range: Range }[];
    includes?: { name: string; path: string | null; range: Range }[];
  }[];
  summary: { files: number; errors: number; warnings: number };
}
interface Range { start: { line: number; character: number }; end: { line: number; character: number } }

function json(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

const ws = workspacesRemovedAfter();

describe('mergewise check: exit codes', () => {
  test('0 when there are no errors and no warnings', () => {
    const run = cli(['check'], ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN }));
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  test('0 with warnings when no --max-warnings is given, or when they are within it', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': WARNING });
    assert.equal(cli(['check'], dir).code, 0);
    assert.equal(cli(['check', '--max-warnings', '1'], dir).code, 0);
  });

  test('1 when warnings are over --max-warnings', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': WARNING });
    assert.equal(cli(['check', '--max-warnings', '0'], dir).code, 1);
  });

  test('1 when there are errors', () => {
    const run = cli(['check'], ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': ERROR }));
    assert.equal(run.code, 1);
  });

  test('a severity raised to error in mergewise.json makes the check fail', () => {
    const schema = JSON.stringify({ ...JSON.parse(SCHEMA), rules: { 'missing-fallback': 'error' } });
    assert.equal(cli(['check'], ws({ 'mergewise.json': schema, 'emails/a.liquid': WARNING })).code, 1);
  });

  test('--rule changes a severity for one run, and is a usage error when malformed', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': WARNING });
    assert.equal(cli(['check', '--rule', 'missing-fallback=error'], dir).code, 1);
    assert.equal(cli(['check', '--rule', 'missing-fallback'], dir).code, 2);
  });

  test('--rule wins over a rules entry in mergewise.json for that run', () => {
    const schema = JSON.stringify({ ...JSON.parse(SCHEMA), rules: { 'missing-fallback': 'error' } });
    const dir = ws({ 'mergewise.json': schema, 'emails/a.liquid': WARNING });
    assert.equal(cli(['check'], dir).code, 1);
    const off = cli(['check', '--format', 'json', '--rule', 'missing-fallback=off'], dir);
    assert.equal(off.code, 0, off.stdout + off.stderr);
    assert.deepEqual(json(off.stdout).files.flatMap((f) => f.diagnostics.map((d) => d.rule)), []);
    const warning = cli(['check', '--format', 'json', '--rule', 'missing-fallback=warning'], dir);
    assert.equal(warning.code, 0);
    assert.deepEqual(json(warning.stdout).files.flatMap((f) => f.diagnostics.map((d) => `${d.rule} ${d.severity}`)), ['missing-fallback warning']);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no command', [], /Usage:/],
    ['an unknown command', ['lint'], /Unknown command "lint"/],
    ['an unknown format', ['check', '--format', 'xml'], /--format must be text, json, jsonl or sarif, not "xml"/],
    ['a bad --max-warnings', ['check', '--max-warnings', 'many'], /--max-warnings takes a whole number, not "many"/],
    ['an unknown option', ['check', '--frobnicate'], /mergewise: .*--frobnicate/],
  ];
  for (const [name, args, message] of usageErrors) {
    test(`2 for ${name}, with a message saying what`, () => {
      const run = cli(args, ws({ 'mergewise.json': SCHEMA }));
      assert.equal(run.code, 2);
      assert.match(run.stdout + run.stderr, message);
    });
  }

  test('2 for a missing path, naming it', () => {
    const run = cli(['check', 'emails/nope.liquid'], ws({ 'mergewise.json': SCHEMA }));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /configuration error: emails\/nope.liquid: no such file or folder/);
  });

  test('2 for an invalid mergewise.json, saying what and where (file:line:col)', () => {
    const broken = '{\n  "fields": {\n    "customer.first_name": { "type": "strng" }\n  }\n}\n';
    const run = cli(['check'], ws({ 'mergewise.json': broken, 'emails/a.liquid': CLEAN }));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /configuration error: mergewise.json:3:38: Field "customer.first_name": "type" must be one of string, .*found "strng" \(did you mean "string"\?\)/);
  });

  test('configuration errors are in the notices of --format json and jsonl too, and SARIF says the run failed', () => {
    const dir = ws({ 'mergewise.json': '{ "fields": { "customer.first_name": {} } ', 'emails/a.liquid': CLEAN });
    const expected = ['configuration error: nope: no such file or folder.', 'configuration error: mergewise.json:1:43: Invalid JSON: close brace expected.'];
    const jsonRun = cli(['check', '.', 'nope', '--format', 'json'], dir);
    assert.equal(jsonRun.code, 2);
    assert.deepEqual((JSON.parse(jsonRun.stdout) as { notices: string[] }).notices, expected);
    const lines = cli(['check', '.', 'nope', '--format', 'jsonl'], dir).stdout.trim().split('\n');
    assert.deepEqual((JSON.parse(lines[lines.length - 1]) as { notices: string[] }).notices, expected);

    const sarif = JSON.parse(cli(['check', '.', 'nope', '--format', 'sarif'], dir).stdout) as {
      runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { level: string; message: { text: string } }[] }[] }[];
    };
    assert.deepEqual(sarif.runs[0].invocations, [{
      executionSuccessful: false,
      toolExecutionNotifications: expected.map((text) => ({ level: 'error', message: { text } })),
    }]);
    const fine = JSON.parse(cli(['check', '--format', 'sarif'], ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN })).stdout) as typeof sarif;
    assert.deepEqual(fine.runs[0].invocations, [{ executionSuccessful: true }]);
  });

  test('warnings in mergewise.json are findings, not configuration errors', () => {
    const schema = JSON.stringify({ ...JSON.parse(SCHEMA), dialekt: 'liquid' });
    const run = cli(['check', '--format', 'json'], ws({ 'mergewise.json': schema, 'emails/a.liquid': CLEAN }));
    assert.equal(run.code, 0);
    const file = json(run.stdout).files.find((f) => f.path === 'mergewise.json');
    assert.match(file?.diagnostics[0].message ?? '', /Unknown property "dialekt"/);
  });

  test('--help and --version exit 0', () => {
    const dir = ws({});
    assert.equal(cli(['--help'], dir).code, 0);
    assert.match(cli(['--version'], dir).stdout, /\S/);
  });

  test('a command\'s --help prints the usage and exits 0', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': ERROR });
    for (const args of [['check', '--help'], ['check', 'emails', '-h'], ['preview', '--help'], ['report', '--help']]) {
      const run = cli(args, dir);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stdout, /^Usage:\n {2}mergewise check \[PATH\.\.\.\]/);
      assert.equal(run.stderr, '');
    }
  });
});

describe('mergewise check --format json', () => {
  const dir = () => ws({
    'mergewise.json': SCHEMA,
    'emails/welcome.html': '<p>Hi\n   {{ customer.first_name }}</p>\n{% if customer.job_title %}{{ customer.job_title }}{% endif %}\n',
  });

  test('the shape the README documents for --format json', () => {
    const run = cli(['check', '--format', 'json'], dir());
    const report = json(run.stdout);
    assert.deepEqual(Object.keys(report).filter((k) => k === 'files' || k === 'summary'), ['files', 'summary']);
    const file = report.files.find((f) => f.path === 'emails/welcome.html');
    assert.ok(file, JSON.stringify(report.files.map((f) => f.path)));
    assert.equal(file.dialect, 'liquid');

    const diagnostic = file.diagnostics.find((d) => d.rule === 'missing-fallback');
    assert.ok(diagnostic);
    assert.deepEqual(Object.keys(diagnostic), ['rule', 'severity', 'message', 'field', 'range']);
    assert.equal(diagnostic.severity, 'warning');
    assert.equal(diagnostic.field, 'customer.first_name');
    assert.match(diagnostic.message, /has no fallback/);
    // 0-based lines and characters, as in LSP.
    assert.deepEqual(diagnostic.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 25 } });

    assert.deepEqual(file.fields.map((f) => [f.path, f.fallback, f.guarded]), [
      ['customer.first_name', null, false],
      ['customer.job_title', null, false],
      ['customer.job_title', null, true],
    ]);
    for (const field of file.fields) {
      for (const key of ['path', 'fallback', 'guarded', 'range']) assert.ok(key in field, `fields[] lacks ${key}`);
    }
    assert.deepEqual(file.fields[0].range, diagnostic.range);

    assert.equal(typeof report.summary.files, 'number');
    assert.equal(report.summary.errors, 0);
    assert.equal(report.summary.warnings, 1);
  });

  test('the summary counts every file and every error and warning', () => {
    const run = cli(['check', '--format', 'json'], ws({
      'mergewise.json': SCHEMA, 'emails/a.liquid': ERROR, 'emails/b.liquid': WARNING, 'emails/c.liquid': WARNING,
    }));
    const report = json(run.stdout);
    assert.equal(report.summary.files, report.files.length);
    const count = (severity: string) => report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === severity).length;
    assert.equal(report.summary.errors, count('error'));
    assert.equal(report.summary.warnings, count('warning'));
    assert.equal(report.summary.errors, 1);
    assert.equal(report.summary.warnings, 2);
  });

  test('fields are resolved through loop variables, with fallbacks as the recipient reads them', () => {
    const run = cli(['check', '--format', 'json', 'a.liquid'], ws({
      'a.liquid': '{% for item in cart.items %}{{ item.title | default: "an item" }}{% endfor %}',
    }));
    const [file] = json(run.stdout).files;
    assert.deepEqual(file.fields.map((f) => [f.path, f.fallback]), [['cart.items', null], ['cart.items[].title', 'an item']]);
  });

  test('paths are relative to the working folder, with `/` separators', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/deep/er/a.liquid': CLEAN });
    const report = json(cli(['check', '--format', 'json', 'emails'], dir).stdout);
    assert.ok(report.files.some((f) => f.path === 'emails/deep/er/a.liquid'));
  });

  test('ranges count UTF-16 code units on CRLF lines, as LSP does', () => {
    const run = cli(['check', '--format', 'json'], ws({ 'mergewise.json': SCHEMA, 'a.liquid': 'Grüße 👋\r\nHi {{ customer.first_name }}\r\n' }));
    const file = json(run.stdout).files.find((f) => f.path === 'a.liquid');
    assert.deepEqual(file?.fields[0].range, { start: { line: 1, character: 6 }, end: { line: 1, character: 25 } });
  });
});

describe('mergewise check: purposes by `templates` glob, relative to mergewise.json', () => {
  test('the glob covers templates under the schema\'s folder, whatever the working folder', () => {
    const dir = ws({
      'brand/mergewise.json': JSON.stringify({
        fields: { 'customer.favorite_service': { type: 'string', source: 'inferred', fallback: 'a cut' } },
        purposes: { spotlight: { segment: 's', tactic: 't', metric: 'm', fields: ['customer.favorite_service'], templates: ['emails/**'] } },
      }),
      'brand/emails/a.liquid': '{{ customer.favorite_service | default: "a cut" }}',
      'brand/drafts/b.liquid': '{{ customer.favorite_service | default: "a cut" }}',
    });
    const report = json(cli(['check', '--format', 'json', 'brand'], dir).stdout);
    const rules = (file: string) => report.files.find((f) => f.path === file)?.diagnostics.map((d) => d.rule);
    assert.deepEqual(rules('brand/emails/a.liquid'), ['quadrant-unexpected-helpful']);
    assert.deepEqual(rules('brand/drafts/b.liquid'), ['quadrant-unexpected-unhelpful']);
  });
});

describe('mergewise check --format sarif', () => {
  test('SARIF 2.1.0 with rules and 1-based regions', () => {
    const run = cli(['check', '--format', 'sarif'], ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': WARNING }));
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    const [runResult] = sarif.runs;
    assert.equal(runResult.tool.driver.name, 'mergewise');
    assert.deepEqual(runResult.tool.driver.rules.map((r: { id: string }) => r.id), [...RULE_IDS]);
    const result = runResult.results.find((r: { ruleId: string }) => r.ruleId === 'missing-fallback');
    assert.equal(result.level, 'warning');
    assert.match(result.message.text, /has no fallback/);
    const { artifactLocation, region } = result.locations[0].physicalLocation;
    assert.equal(artifactLocation.uri, 'emails/a.liquid');
    // `  {{ customer.first_name }}` on line 2: the field starts at column 6 (1-based).
    assert.deepEqual(region, { startLine: 2, startColumn: 6, endLine: 2, endColumn: 25 });
    // Hints only with --hints, as in the text format (test/cli/sarif.test.ts).
    assert.equal(runResult.results.find((r: { ruleId: string }) => r.ruleId === 'quadrant-expected-unhelpful'), undefined);
  });
});

describe('mergewise check: text output', () => {
  test('`file:line:col  severity  rule  message`, 1-based, then a summary', () => {
    const run = cli(['check'], ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': WARNING }));
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^emails\/a\.liquid:2:6  warning  missing-fallback  `customer.first_name` has no fallback: /);
    assert.match(lines[lines.length - 1], /^0 errors, 1 warning, 0 information, 1 hint \(shown with --hints\) in 2 files\.$/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no color codes when color is off');
  });

  test('hints are hidden unless --hints', () => {
    const dir = ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN });
    assert.doesNotMatch(cli(['check'], dir).stdout, /quadrant-expected-unhelpful/);
    assert.match(cli(['check', '--hints'], dir).stdout, /emails\/a\.liquid:1:7  hint  quadrant-expected-unhelpful  /);
  });

  test('every finding on examples/ is one line in that format', () => {
    const run = cli(['check', '--hints', 'examples'], ROOT);
    const lines = run.stdout.trimEnd().split('\n');
    const findings = lines.slice(0, lines.indexOf(''));
    assert.ok(findings.length > 20);
    for (const line of findings) {
      assert.match(line, /^examples\/\S+:\d+:\d+  (error|warning|information|hint)  [a-z-]+  \S.*$/);
    }
  });
});

describe('mergewise check: files it cannot or should not read', () => {
  test('a binary file is skipped with a notice, not a crash', () => {
    const run = cli(['check', '--format', 'json'], ws({
      'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN, 'emails/logo.html': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
    }));
    assert.equal(run.code, 0);
    assert.match(run.stderr, /emails\/logo\.html: skipped, it looks like a binary file, not a template/);
    assert.ok(!json(run.stdout).files.some((f) => f.path === 'emails/logo.html'));
  });

  test('a file over --max-file-size is skipped with a notice that says how to raise the limit', () => {
    const run = cli(['check', '--max-file-size', '100', '--format', 'json'], ws({
      'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN, 'emails/huge.liquid': ERROR.repeat(10),
    }));
    assert.equal(run.code, 0);
    assert.match(run.stderr, /emails\/huge\.liquid: skipped, 440 bytes is over the 100 bytes limit \(raise it with --max-file-size or "maxFileSize" in mergewise\.json\)/);
    const paths = json(run.stdout).files.map((f) => f.path);
    assert.ok(paths.includes('emails/a.liquid') && !paths.includes('emails/huge.liquid'));
  });

  test('"maxFileSize" in mergewise.json sets the limit', () => {
    const schema = JSON.stringify({ ...JSON.parse(SCHEMA), maxFileSize: 100 });
    const run = cli(['check'], ws({ 'mergewise.json': schema, 'emails/huge.liquid': ERROR.repeat(10) }));
    assert.equal(run.code, 0);
    assert.match(run.stderr, /huge\.liquid: skipped/);
  });

  test('the default limit is 5 MB', () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    const run = cli(['check'], ws({ 'mergewise.json': SCHEMA, 'big.html': big }));
    assert.match(run.stderr, /big\.html: skipped, 5 MB is over the 5 MB limit/);
  });

  test('files that are not templates, and node_modules, are not checked when walking a folder', () => {
    const run = cli(['check', '--format', 'json'], ws({
      'mergewise.json': SCHEMA, 'emails/a.liquid': CLEAN, 'notes.md': '{{ broken', 'node_modules/x/y.html': '{{ broken',
    }));
    assert.deepEqual(json(run.stdout).files.map((f) => f.path), ['emails/a.liquid', 'mergewise.json']);
  });
});

describe('mergewise check without mergewise.json', () => {
  let dir: string;
  before(() => {
    dir = ws({ 'a.liquid': 'Hi {{ customer.first_name }}\n{{ broken', 'b.liquid': 'Hi {{ customer.whatever }}', 'c.html': '{% if x %}' });
    for (let up = dir; path.dirname(up) !== up; up = path.dirname(up)) {
      assert.ok(!fs.existsSync(path.join(up, 'mergewise.json')), `a mergewise.json above the temp folder (${up}) spoils this test`);
    }
  });

  test('one clear notice for all templates, and syntax checks still run', () => {
    const run = cli(['check', '--format', 'json'], dir);
    const notices = run.stderr.trim().split('\n');
    assert.equal(notices.length, 1, run.stderr);
    assert.match(notices[0], /^mergewise: No mergewise\.json found above 3 templates \(first: a\.liquid\): only syntax checks ran there\. Create a mergewise\.json/);
    const report = json(run.stdout);
    const rules = report.files.flatMap((f) => f.diagnostics.map((d) => `${f.path} ${d.rule}`));
    assert.deepEqual(rules, ['a.liquid syntax-error', 'c.html syntax-error']);
    assert.equal(run.code, 1);
  });
});

describe('mergewise check on examples/', () => {
  const run = () => cli(['check', '--format', 'json', '--hints', 'examples'], ROOT);

  test('every rule fires somewhere', () => {
    const report = json(run().stdout);
    const fired = new Set(report.files.flatMap((f) => f.diagnostics.map((d) => d.rule)));
    assert.deepEqual(RULE_IDS.filter((id) => !fired.has(id)), []);
  });

  test('the drafts trigger what examples/README.md says they do', () => {
    const report = json(run().stdout);
    const at = (file: string, rule: string) => report.files.find((f) => f.path === `examples/${file}`)?.diagnostics
      .filter((d) => d.rule === rule).map((d) => d.range.start.line + 1) ?? [];
    assert.deepEqual(at('emails/drafts/spring-promo.liquid', 'syntax-error'), [19]);
    assert.deepEqual(at('emails/drafts/referral-invite.liquid', 'syntax-error'), [26]);
    assert.deepEqual(at('emails/drafts/stylist-spotlight.liquid', 'unknown-field'), [16]);
    assert.deepEqual(at('emails/drafts/loyalty-update.liquid', 'missing-fallback'), [17]);
    assert.deepEqual(at('emails/drafts/booking-recap.liquid', 'subject-fallback'), [7]);
    assert.deepEqual(at('emails/drafts/booking-recap.liquid', 'missing-fallback'), [], 'the subject line is subject-fallback\'s');
    assert.deepEqual(at('emails/drafts/city-guide.liquid', 'broken-link-field'), [16]);
    assert.deepEqual(at('emails/drafts/city-guide.liquid', 'missing-fallback'), [], 'the image address is broken-link-field\'s');
    assert.deepEqual(at('emails/drafts/city-guide.liquid', 'unescaped-field'), [17]);
    assert.deepEqual(at('emails/drafts/city-guide.liquid', 'unencoded-url-field'), [20]);
    assert.deepEqual(at('emails/drafts/team-scheduling-launch.liquid', 'stale-data'), [18]);
    assert.deepEqual(at('emails/drafts/team-scheduling-launch.liquid', 'deprecated-field'), [16]);
    assert.deepEqual(at('emails/drafts/price-change.liquid', 'type-mismatch'), [17]);
    assert.deepEqual(at('emails/drafts/colour-season.liquid', 'sensitive-data'), [19]);
    assert.deepEqual(at('emails/drafts/win-back-short.liquid', 'quadrant-unexpected-helpful'), [18]);
    assert.deepEqual(at('snippets/greeting.liquid', 'missing-fallback'), [10]);
    assert.deepEqual(at('emails/drafts/instant-payouts.liquid', 'missing-fallback'), [], 'reported in the snippet, not at the include');
    assert.deepEqual(at('emails/drafts/black-friday.liquid', 'rare-branch'), [19], 'by examples/mergewise.audience.json');
    assert.deepEqual(at('emails/drafts/holiday-support.liquid', 'unknown-partial'), [14]);
    assert.deepEqual(at('emails/drafts/holiday-support.liquid', 'partial-parameter'), [6]);
    assert.deepEqual(at('snippets/holiday-banner.liquid', 'partial-cycle'), [6]);
    assert.deepEqual(at('snippets/holiday-hours.liquid', 'partial-cycle'), [5]);
    const schemaLines = fs.readFileSync(path.join(ROOT, 'examples/mergewise.json'), 'utf8').split('\n');
    assert.deepEqual(at('mergewise.json', 'purpose-incomplete'), [schemaLines.findIndex((line) => line.includes('"loyalty-milestones"')) + 1]);
    const missingFallback = report.files.find((f) => f.path === 'examples/emails/drafts/loyalty-update.liquid')?.diagnostics.find((d) => d.rule === 'missing-fallback');
    assert.equal(missingFallback?.severity, 'error', 'raised to error by "rules" in examples/mergewise.json');
  });

  test('the live templates are clean: no errors, no warnings; information only for the covered inferred field', () => {
    const clean = fs.readdirSync(path.join(EXAMPLES, 'emails')).filter((f) => f.endsWith('.liquid') || f.endsWith('.txt'));
    assert.ok(clean.length >= 6, clean.join(', '));
    const report = json(run().stdout);
    for (const name of clean) {
      const file = report.files.find((f) => f.path === `examples/emails/${name}`);
      assert.ok(file, `examples/emails/${name} was not checked`);
      const notHints = file.diagnostics.filter((d) => d.severity !== 'hint').map((d) => `${d.rule} ${d.field}`);
      // examples/README.md: win-back.liquid shows `customer.favorite_service` on purpose, covered by a
      // complete purpose through its directive comment: the "genuine delight" quadrant, as information.
      const expected = name === 'win-back.liquid' ? ['quadrant-unexpected-helpful customer.favorite_service'] : [];
      assert.deepEqual(notHints, expected, `examples/emails/${name}`);
    }
  });

  test('the live emails alone have no errors, so the check passes', () => {
    const live = ['welcome.liquid', 'welcome.txt', 'trial-ending.liquid', 'abandoned-cart.liquid', 'renewal.liquid', 'win-back.liquid'];
    const result = cli(['check', ...live.map((name) => `examples/emails/${name}`)], ROOT);
    assert.equal(result.code, 0, result.stdout);
  });

  test('the emails built from snippets list each one under includes, with its path and the include\'s line', () => {
    const report = json(run().stdout);
    const includes = (file: string) => report.files.find((f) => f.path === `examples/${file}`)?.includes
      ?.map((i) => [i.name, i.path, i.range.start.line + 1]);
    assert.deepEqual(includes('emails/abandoned-cart.liquid'), [
      ['header', 'examples/snippets/header.liquid', 6],
      ['greeting', 'examples/snippets/greeting.liquid', 9],
      ['product-card', 'examples/snippets/product-card.liquid', 14],
      ['footer', 'examples/snippets/footer.liquid', 31],
    ]);
    for (const email of ['trial-ending.liquid', 'win-back.liquid']) {
      assert.deepEqual(includes(`emails/${email}`)?.map(([name, file]) => [name, file]), [
        ['header', 'examples/snippets/header.liquid'],
        ['greeting', 'examples/snippets/greeting.liquid'],
        ['footer', 'examples/snippets/footer.liquid'],
      ], email);
    }
    // The other platforms' partials resolve by their conventions, each in its platform's dialect.
    assert.deepEqual(includes('ses/welcome.html')?.map(([name, file]) => [name, file]), [['footer', 'examples/ses/partials/footer.hbs']]);
    assert.deepEqual(includes('salesforce-mc/renewal.html')?.map(([name, file]) => [name, file]), [['footer', 'examples/salesforce-mc/content-blocks/footer.html']]);
    assert.deepEqual(includes('hubspot/trial-ending.html')?.map(([name, file]) => [name, file]), [['partials/footer.html', 'examples/hubspot/partials/footer.html']]);
    const dialect = (file: string) => report.files.find((f) => f.path === `examples/${file}`)?.dialect;
    assert.deepEqual(
      ['ses/partials/footer.hbs', 'salesforce-mc/content-blocks/footer.html', 'hubspot/partials/footer.html'].map(dialect),
      ['handlebars', 'ampscript', 'hubl'],
    );
    // The fields a snippet reads count as the including email's: the product card's, through the loop.
    const fields = report.files.find((f) => f.path === 'examples/emails/abandoned-cart.liquid')?.fields.map((f) => f.path) ?? [];
    for (const field of ['cart.items[].title', 'cart.items[].price', 'cart.items[].url', 'customer.email']) assert.ok(fields.includes(field), field);
  });

  test('the snippet mistake is reported once, in the snippet, naming only the draft that passes the bare field', () => {
    const report = json(run().stdout);
    const greeting = report.files.find((f) => f.path === 'examples/snippets/greeting.liquid');
    assert.ok(greeting, 'examples/snippets/greeting.liquid was not checked');
    const missing = greeting.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1, JSON.stringify(missing));
    assert.equal(missing[0].severity, 'error', 'raised to error by "rules" in examples/mergewise.json');
    assert.equal(missing[0].field, 'customer.first_name');
    assert.deepEqual(missing[0].includedBy, ['examples/emails/drafts/instant-payouts.liquid']);
    assert.match(missing[0].message, /\(in 1 of the 5 templates that include it: emails\/drafts\/instant-payouts\.liquid\)$/);
    const draft = report.files.find((f) => f.path === 'examples/emails/drafts/instant-payouts.liquid');
    assert.deepEqual(draft?.diagnostics.filter((d) => d.severity !== 'hint'), [], 'the draft itself looks clean');
  });

  test('the live emails alone pass, and their snippets are still followed', () => {
    const live = ['welcome.liquid', 'welcome.txt', 'trial-ending.liquid', 'abandoned-cart.liquid', 'renewal.liquid', 'win-back.liquid'];
    const result = cli(['check', '--format', 'json', ...live.map((name) => `examples/emails/${name}`)], ROOT);
    assert.equal(result.code, 0, result.stdout);
    const report = json(result.stdout);
    assert.equal(report.summary.errors, 0);
    assert.ok(!report.files.some((f) => f.diagnostics.some((d) => d.includedBy?.some((by) => by.includes('/drafts/')))), 'a draft\'s mistake leaked into the live check');
    const cart = report.files.find((f) => f.path === 'examples/emails/abandoned-cart.liquid');
    assert.deepEqual(cart?.includes?.map((i) => i.name), ['header', 'greeting', 'product-card', 'footer']);
  });

  test('the bundled command line (node dist/cli.js) gives the same report', () => {
    const bundle = path.join(ROOT, 'dist/cli.js');
    assert.ok(fs.existsSync(bundle), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
    const spawned = spawnSync(process.execPath, [bundle, 'check', '--format', 'json', '--hints', 'examples'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(spawned.status, 1, spawned.stderr);
    const fromBundle = json(spawned.stdout);
    const inProcess = json(run().stdout);
    assert.deepEqual(fromBundle.summary, inProcess.summary);
    const rulesByFile = (report: JsonReport) => report.files.map((f) => [f.path, f.diagnostics.map((d) => `${d.range.start.line}:${d.rule}`)]);
    assert.deepEqual(rulesByFile(fromBundle), rulesByFile(inProcess));
  });
});

describe('mergewise check: scale', () => {
  // Speed is measured by `npm run bench`; this checks that a large folder is checked completely.
  test('a folder of a thousand templates is checked, every file of it', () => {
    const files: Record<string, string> = { 'mergewise.json': SCHEMA };
    for (let i = 0; i < 1000; i++) files[`emails/t${i}.liquid`] = `${CLEAN}{% if customer.job_title %}<p>{{ customer.job_title }}</p>{% endif %}\n`.repeat(5);
    const dir = ws(files);
    const run = cli(['check', '--format', 'json'], dir);
    assert.equal(run.code, 0);
    assert.equal(json(run.stdout).summary.files, 1001);
  });
});

describe('mergewise preview', () => {
  const files = {
    'mergewise.json': SCHEMA,
    'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', job_title: 'Owner' }, $updatedAt: { 'customer.job_title': '2020-01-01' } }),
    'recipients/ben.json': JSON.stringify({ $name: 'Ben', customer: {} }),
    'emails/a.liquid': 'Hi {{ customer.first_name | default: "there" }}, {{ customer.job_title }}.',
  };

  test('renders each sample recipient, showing fallbacks, blanks and stale values', () => {
    const run = cli(['preview', 'emails/a.liquid'], ws(files));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /── Ana: 0 fallbacks, 0 blanks, 1 stale · 14 bytes ──\nHi Ana, \[Owner ← stale, updated 2020-01-01\]\./);
    assert.match(run.stdout, /── Ben: 1 fallback, 1 blank, 0 stale · 11 bytes ──\nHi \[there ← fallback\], \[blank: customer.job_title\]\./);
  });

  test('connected data is said to be not fetched, or blank in its mock, by what the template reads', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ recipients: ['recipients/*.json'], fields: { fav_game_id: {} } }),
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', fav_game_id: 'g1', $connected: { offer: { other: 1 } } }),
      'emails/a.liquid': '{% catalog_items games {{custom_attribute.${fav_game_id}}} %}<p>{{ items[0].title }}</p>\n' +
        '{% connected_content https://api.example.com/x :save offer %}<p>{{ offer.code }}</p>',
    });
    const run = cli(['preview', 'emails/a.liquid'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /<p>\[not fetched: items\[0\]\.title; mock it under "\$connected" in the recipient file\]<\/p>/);
    assert.match(run.stdout, /<p>\[blank: offer\.code in the mock response\]<\/p>/);
    assert.doesNotMatch(run.stdout, /undefined/);
  });

  test('--recipient picks one by name', () => {
    const run = cli(['preview', 'emails/a.liquid', '--recipient', 'ben'], ws(files));
    assert.doesNotMatch(run.stdout, /Ana/);
    assert.match(run.stdout, /Ben/);
  });

  test('a recipients file listing 200,000 recipients is read whole; one is picked from it', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ $name: `R${i}`, customer: { first_name: `N${i}` } }));
    const dir = ws({ ...files, 'recipients/ana.json': JSON.stringify(many) });
    const run = cli(['preview', 'emails/a.liquid', '--recipient', 'R199999'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /── R199999: .*──\nHi N199999, \[blank: customer.job_title\]\./);
  });

  test('--out writes one page per recipient and an index', () => {
    const dir = ws(files);
    const run = cli(['preview', 'emails/a.liquid', '--out', 'out'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')).sort(), ['ana.html', 'ben.html', 'index.html']);
    assert.match(fs.readFileSync(path.join(dir, 'out/ben.html'), 'utf8'), /<mark class="mw mw-fallback"[^>]*>there<\/mark>/);
  });

  test('a folder is said to be one, without the usage', () => {
    const run = cli(['preview', 'emails'], ws(files));
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'mergewise: emails is a folder: preview takes one template file (mergewise preview emails/welcome.liquid).\n');
  });

  test('usage errors exit 2 and say what is wrong', () => {
    const dir = ws(files);
    const unknown = cli(['preview', 'emails/a.liquid', '--recipient', 'zoe'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No sample recipient named "zoe"; the recipients are: Ana, Ben/);
    assert.equal(cli(['preview'], dir).code, 2);
    assert.match(cli(['preview', 'emails/none.liquid'], dir).stderr, /emails\/none.liquid: no such template/);
  });

  test('a template no recipient can be rendered for exits 1, saying so', () => {
    const dir = ws({ ...files, 'emails/broken.hbs': '{{nohelper customer.first_name}}' });
    const run = cli(['preview', 'emails/broken.hbs'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /── Ana: not rendered ──\n.*calls `nohelper`, a helper the platform does not have/);
    assert.match(run.stderr, /mergewise: emails\/broken\.hbs could not be rendered for any recipient\./);
  });

  test('a workspace without sample recipients is said alone, without the usage', () => {
    const dir = ws({ 'mergewise.json': '{ "fields": {} }', 'emails/a.liquid': 'Hi' });
    const run = cli(['preview', 'emails/a.liquid'], dir);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'mergewise: mergewise.json has no "recipients": add globs of sample recipient files, as in "recipients": ["recipients/*.json"].\n');
  });

  test('says each recipient\'s rendered size, and which ones Gmail clips (over 102 × 1024 bytes)', () => {
    const row = `<tr><td style="padding:12px 16px;border-bottom:1px solid #e9ecef;font:14px Arial,sans-serif">{{ item.title }}</td><td style="padding:12px 16px;text-align:right">${'in your cart '.repeat(20)}</td></tr>`;
    const items = (count: number) => Array.from({ length: count }, (_, i) => ({ title: `Item ${i + 1}` }));
    const dir = ws({
      'mergewise.json': JSON.stringify({ fields: { 'cart.items': { type: 'array', items: { fields: { title: { type: 'string' } } } } }, recipients: ['recipients/*.json'] }),
      'recipients/many.json': JSON.stringify({ $name: 'Many', cart: { items: items(300) } }),
      'recipients/few.json': JSON.stringify({ $name: 'Few', cart: { items: items(3) } }),
      'emails/cart.liquid': `<table>{% for item in cart.items %}${row}{% endfor %}</table>`,
    });
    const run = cli(['preview', 'emails/cart.liquid'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /── Many: 0 fallbacks, 0 blanks, 0 stale · 1\d\d\.\d KB — Gmail clips this ──/);
    assert.match(run.stdout, /── Few: 0 fallbacks, 0 blanks, 0 stale · \d\.\d KB ──/);
    const out = cli(['preview', 'emails/cart.liquid', '--out', 'out'], dir);
    assert.match(out.stdout, /^Many: .* · 1\d\d\.\d KB — Gmail clips this$/m);
    assert.match(out.stdout, /^Few: .* · \d\.\d KB$/m);
  });

  test('a recipient file with bad JSON is reported as file:line:col; the others still render', () => {
    const run = cli(['preview', 'emails/a.liquid'], ws({ ...files, 'recipients/bad.json': '{\n  "customer": \n}' }));
    assert.equal(run.code, 0);
    assert.match(run.stderr, /recipients\/bad\.json:3:1: invalid JSON \(value expected\)/);
    assert.match(run.stdout, /── Ana/);
  });
});
