/**
 * `mergewise check` reads mergewise.audience.json beside mergewise.json, as the editor does: CI shows
 * the same rare branches, blank counts and notes on the snapshot.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW } from '../helpers/schema';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const TEMPLATE = '{% if customer.plan == "salon" %}Salon perks\n{% else %}Hi {{ customer.first_name }}{% endif %}\n';
const ROWS = 1_204_332;

function snapshot(takenAt: string): string {
  return JSON.stringify({
    source: { description: 'customers.csv', rows: ROWS, takenAt },
    fields: { 'customer.first_name': { column: 'first_name', filled: 922_498, fillRate: 922_498 / ROWS, stale: 0, staleShare: 0 } },
    templates: [{
      path: 'emails/t.liquid', recipients: ROWS, seeFallback: 0, seeBlank: 0.2, seeStale: 0, aborted: 0,
      branches: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 33 } }, condition: 'customer.plan == "salon"', share: 0.0002 }],
      untranslated: [],
    }],
  });
}

interface Report { files: { path: string; diagnostics: { rule: string; severity: string; message: string; range: { start: { line: number } } }[] }[] }

function check(files: Record<string, string>): Report {
  const run = cli(['check', '--format', 'json', '.'], workspace(files));
  return JSON.parse(run.stdout) as Report;
}

const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string' }, 'customer.plan': { type: 'string' } } }, null, 2);

describe('mergewise check with an audience snapshot', () => {
  test('rare-branch and the blank count, as in the editor', () => {
    const report = check({ 'mergewise.json': SCHEMA, 'emails/t.liquid': TEMPLATE, 'mergewise.audience.json': snapshot(NOW.toISOString()) });
    const template = report.files.find((f) => f.path === 'emails/t.liquid')!;
    const rare = template.diagnostics.filter((d) => d.rule === 'rare-branch');
    assert.equal(rare.length, 1);
    assert.equal(rare[0].severity, 'information');
    assert.match(rare[0].message, /^Taken by 0\.02% of recipients \(241 of 1,204,332/);
    assert.match(template.diagnostics.find((d) => d.rule === 'missing-fallback')!.message, /281,834 recipients \(23\.4%\) would see a blank/);
    assert.deepEqual(report.files.find((f) => f.path === 'mergewise.json')!.diagnostics, []);
  });

  test('--rule rare-branch=off turns it off', () => {
    const run = cli(['check', '--format', 'json', '--rule', 'rare-branch=off', '.'],
      workspace({ 'mergewise.json': SCHEMA, 'emails/t.liquid': TEMPLATE, 'mergewise.audience.json': snapshot(NOW.toISOString()) }));
    assert.ok(!(JSON.parse(run.stdout) as Report).files.some((f) => f.diagnostics.some((d) => d.rule === 'rare-branch')));
  });

  test('an old or unreadable snapshot is noted on mergewise.json, and does not fail the check', () => {
    const old = new Date(NOW.getTime() - 40 * 86_400_000).toISOString();
    const report = check({ 'mergewise.json': SCHEMA, 'emails/t.liquid': '{{ customer.first_name | default: "there" }}\n', 'mergewise.audience.json': snapshot(old) });
    const notes = report.files.find((f) => f.path === 'mergewise.json')!.diagnostics;
    assert.deepEqual(notes.map((d) => [d.rule, d.severity]), [['audience-snapshot', 'information']]);
    assert.match(notes[0].message, /40 days ago \(more than 30/);

    const files = { 'mergewise.json': SCHEMA, 'emails/t.liquid': '{{ customer.first_name | default: "there" }}\n', 'mergewise.audience.json': '{"source": {"description": "x", "rows": 1, "takenAt": "2026-11-30"}, "fields": {}, "templates": [], "rows": [["ana@example.com"]]}' };
    const run = cli(['check', '--format', 'json', '.'], workspace(files));
    assert.equal(run.code, 0, run.stdout);
    const broken = (JSON.parse(run.stdout) as Report).files.find((f) => f.path === 'mergewise.json')!.diagnostics;
    assert.deepEqual(broken.map((d) => [d.rule, d.severity]), [['audience-snapshot', 'warning']]);
    assert.match(broken[0].message, /unknown key "rows": a snapshot holds aggregates only/);
    assert.doesNotMatch(broken[0].message, /ana@example/);
  });
});
