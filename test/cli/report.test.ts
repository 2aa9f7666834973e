/**
 * Reports a person or a dashboard can use (issue 19 item 3): the JSON report leaves hints out unless
 * `--hints` (its summary counts them), `--format jsonl` streams the same files one line each, and a
 * workspace's report stays in proportion to its templates.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTemplate } from '../../bench/generate';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.city': { type: 'string', source: 'declared' },
  },
});

interface FileObject { path: string; diagnostics: { rule: string; severity: string }[]; fields: unknown[] }
interface Summary { files: number; errors: number; warnings: number; information: number; hints: number; skipped: number }

describe('mergewise check --format json: hints', () => {
  const dir = () => ws({ 'mergewise.json': SCHEMA, 'emails/a.liquid': 'Hi {{ customer.first_name | default: "there" }} in {{ customer.city }}\n' });

  test('left out of the files unless --hints; the summary counts them either way', () => {
    const files = (args: string[]) => JSON.parse(cli(['check', '--format', 'json', ...args], dir()).stdout) as { files: FileObject[]; summary: Summary };
    const without = files([]);
    const withHints = files(['--hints']);
    const severities = (report: { files: FileObject[] }) => report.files.flatMap((f) => f.diagnostics.map((d) => `${d.rule} ${d.severity}`));
    assert.deepEqual(severities(without), ['missing-fallback warning']);
    assert.deepEqual(severities(withHints).sort(), ['missing-fallback warning', 'quadrant-expected-unhelpful hint', 'quadrant-expected-unhelpful hint']);
    assert.equal(without.summary.hints, 2);
    assert.deepEqual(without.summary, withHints.summary);
  });
});

describe('mergewise check --format jsonl', () => {
  test('one line per file, the objects of --format json\'s files, then a line with the summary and notices', () => {
    for (const hints of [[], ['--hints']]) {
      const dir = ws({
        'mergewise.json': SCHEMA,
        'emails/a.liquid': 'Hi {{ customer.first_name }}\n',
        'emails/b.liquid': '{% if customer.city %}{{ customer.city }}{% endif %} {{ customer.frist_name }}\n',
        'notes.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
      });
      const json = cli(['check', '--format', 'json', ...hints], dir);
      const jsonl = cli(['check', '--format', 'jsonl', ...hints], dir);
      assert.equal(jsonl.code, json.code);
      assert.ok(jsonl.stdout.endsWith('}\n'));
      const lines = jsonl.stdout.slice(0, -1).split('\n');
      const report = JSON.parse(json.stdout) as { files: FileObject[]; summary: Summary; notices: string[] };
      assert.equal(lines.length, report.files.length + 1);
      assert.deepEqual(lines.slice(0, -1).map((line) => JSON.parse(line)), report.files);
      assert.deepEqual(JSON.parse(lines[lines.length - 1]), { summary: report.summary, notices: report.notices });
      assert.equal(report.notices.length, 1, 'the binary file\'s notice');
    }
  });
});

describe('the JSON report\'s size', () => {
  // Issue 19: a 400-email workspace (generated Liquid emails of ~40 KB, a small schema, no purposes)
  // must report in under 40 MB: 40 MB per 400 x 40 KB of templates, 2,621 bytes per KB. Its hints
  // (every use of a declared field with no purpose is quadrant-expected-unhelpful) made it 145 MB.
  // A tenth of it, in proportion; a count of bytes, not a time.
  const BYTES_PER_TEMPLATE_KB = (40 * 1024 * 1024) / (400 * 40);
  const EMAILS = 40;

  test(`${EMAILS} generated emails of 40 KB: under ${Math.round(BYTES_PER_TEMPLATE_KB)} bytes of report per KB of template`, () => {
    // 8 fields: the generator's namespaces, declared as objects, so that most uses resolve.
    const namespaces = ['customer', 'cart', 'order', 'subscription', 'trial', 'loyalty', 'store', 'campaign'];
    const fields = Object.fromEntries(namespaces.map((name) => [name, { type: 'object', source: name === 'customer' ? 'declared' : 'transactional' }]));
    const files: Record<string, string> = { 'mergewise.json': JSON.stringify({ fields }) };
    let templateBytes = 0;
    for (let i = 0; i < EMAILS; i++) {
      const text = generateTemplate('liquid', 40 * 1024, `report-size-${i}`);
      templateBytes += Buffer.byteLength(text);
      files[`emails/email-${i}.liquid`] = text;
    }
    const dir = ws(files);
    const run = cli(['check', '--format', 'json'], dir);
    const report = JSON.parse(run.stdout) as { files: FileObject[]; summary: Summary };
    const reportBytes = Buffer.byteLength(run.stdout);
    const perKb = reportBytes / (templateBytes / 1024);
    // The workspace is the one the bound is about: hints outnumber the other findings.
    assert.ok(report.summary.hints > report.summary.errors + report.summary.warnings, JSON.stringify(report.summary));
    assert.ok(perKb < BYTES_PER_TEMPLATE_KB, `${reportBytes} bytes for ${templateBytes} bytes of templates: ${perKb.toFixed(0)} per KB`);
    // With --hints the same report is more than twice as large: the hints were the bulk.
    const withHints = Buffer.byteLength(cli(['check', '--format', 'json', '--hints'], dir).stdout);
    assert.ok(withHints > 1.5 * reportBytes, `${withHints} bytes with --hints, ${reportBytes} without`);
  });
});
