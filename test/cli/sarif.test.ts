/**
 * `mergewise check --format sarif` is ready for GitHub code scanning (issue 19 item 3): Microsoft's
 * SARIF Multitool, a dev dependency, validates the report of examples/ with the SARIF and GitHub
 * rules and finds no error and no warning. The same run checks a report that lacks what GitHub
 * requires, so that a validator which stopped looking would be noticed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALL_RULES } from '../../server/src/core/rules';
import { ruleHelp } from '../../server/src/core/rules/help';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const ws = workspacesRemovedAfter();

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; fullDescription?: { text: string }; help?: { text: string; markdown?: string } }[] } };
    results: { ruleId: string; level: string; message: { text: string }; locations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    invocations?: { executionSuccessful: boolean }[];
  }[];
}

/** The Multitool's binary for this platform (its package's main export is the path). */
function multitool(): string {
  const binary = require('@microsoft/sarif-multitool') as string;
  assert.ok(fs.existsSync(binary), `${binary} is missing: run npm ci`);
  return binary;
}

describe('mergewise check --format sarif: GitHub code scanning', () => {
  test('the SARIF Multitool (rule kinds Sarif and Gh) finds no error or warning in the report of examples/', () => {
    assert.ok(fs.existsSync(BUNDLE), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-sarif-'));
    try {
      const report = path.join(dir, 'mergewise.sarif');
      const check = spawnSync(process.execPath, [BUNDLE, 'check', 'examples', '--format', 'sarif'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(check.status, 1, check.stderr);
      fs.writeFileSync(report, check.stdout);
      const ours = JSON.parse(check.stdout) as SarifLog;
      assert.ok(ours.runs[0].results.length > 20);

      // The control: the same report without the rules' fullDescription and help, which GitHub requires.
      const bare = path.join(dir, 'bare.sarif');
      for (const rule of ours.runs[0].tool.driver.rules) {
        delete rule.fullDescription;
        delete rule.help;
      }
      fs.writeFileSync(bare, JSON.stringify(ours));

      const output = path.join(dir, 'validation.sarif');
      // No shell: the `;` reaches the Multitool as it is.
      const validate = spawnSync(multitool(), ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning', '--output', output, report, bare], { encoding: 'utf8' });
      assert.equal(validate.error, undefined);
      assert.ok(fs.existsSync(output), validate.stdout + validate.stderr);
      const validation = JSON.parse(fs.readFileSync(output, 'utf8')) as SarifLog;
      const [run] = validation.runs;
      assert.equal(run.invocations?.[0]?.executionSuccessful, true, validate.stdout);
      const about = (file: string) => run.results
        .filter((result) => result.locations?.some((l) => l.physicalLocation.artifactLocation.uri.endsWith(`/${file}`)))
        .map((result) => `${result.ruleId} ${result.level}: ${result.message.text ?? ''}`);
      assert.deepEqual(about('mergewise.sarif'), [], validate.stdout);
      assert.ok(about('bare.sarif').filter((finding) => finding.startsWith('GH2012 error')).length >= ALL_RULES.length, validate.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a run stopped by a configuration error, with notices, is still valid SARIF that says so', () => {
    const dir = ws({
      'mergewise.json': '{ "fields": { "customer.first_name": {} } ',
      'emails/a.liquid': 'Hi {{ customer.frist_name }}\n',
      'emails/b.html': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
    });
    const check = spawnSync(process.execPath, [BUNDLE, 'check', '.', 'nope', '--format', 'sarif'], { cwd: dir, encoding: 'utf8' });
    assert.equal(check.status, 2, check.stderr);
    const report = path.join(dir, 'failed.sarif');
    fs.writeFileSync(report, check.stdout);
    const log = JSON.parse(check.stdout) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string }[] }[] }[] };
    assert.equal(log.runs[0].invocations[0].executionSuccessful, false);
    assert.deepEqual(log.runs[0].invocations[0].toolExecutionNotifications.map((n) => n.level), ['error', 'error', 'warning']);

    const output = path.join(dir, 'validation.sarif');
    const validate = spawnSync(multitool(), ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning', '--output', output, report], { encoding: 'utf8' });
    assert.ok(fs.existsSync(output), validate.stdout + validate.stderr);
    const [run] = (JSON.parse(fs.readFileSync(output, 'utf8')) as SarifLog).runs;
    assert.equal(run.invocations?.[0]?.executionSuccessful, true, validate.stdout);
    assert.deepEqual(run.results.map((result) => `${result.ruleId} ${result.level}: ${result.message.text ?? ''}`), [], validate.stdout);
  });

  test('each rule\'s help is its section of the README; hints only with --hints, as in the text format', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ fields: { 'customer.first_name': { type: 'string', source: 'declared' } } }),
      'emails/a b#1.liquid': 'Hi {{ customer.first_name }}\n',
    });
    const plain = JSON.parse(cli(['check', '--format', 'sarif'], dir).stdout) as SarifLog;
    const help = ruleHelp(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    for (const rule of plain.runs[0].tool.driver.rules) {
      const section = help.get(rule.id);
      assert.ok(section, `no README section for ${rule.id}`);
      assert.equal(rule.help?.markdown, section.markdown);
      assert.equal(rule.fullDescription?.text, section.summary);
    }
    assert.match(help.get('missing-fallback')?.markdown ?? '', /^A field written into the copy with no fallback/);

    const rules = (log: SarifLog) => log.runs[0].results.map((result) => result.ruleId);
    assert.deepEqual(rules(plain), ['missing-fallback']);
    const withHints = JSON.parse(cli(['check', '--format', 'sarif', '--hints'], dir).stdout) as SarifLog;
    assert.deepEqual(rules(withHints), ['missing-fallback', 'quadrant-expected-unhelpful']);
    assert.equal(withHints.runs[0].results[1].level, 'note');
    // A path as a URI reference: a space and a `#` are percent-encoded.
    assert.equal(plain.runs[0].results[0].locations?.[0].physicalLocation.artifactLocation.uri, 'emails/a%20b%231.liquid');
  });
});
