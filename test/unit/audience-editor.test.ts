/**
 * The editor's answers from a committed audience snapshot (core/audience/editor.ts), through the
 * same path the language server and `mergewise check` take: a SchemaIndex over files, then
 * analyzeDocument, hoverAt and schemaDiagnostics.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapColumns, sourceColumns } from '../../server/src/core/audience/columns';
import { blankCountText, coverageSummary, formatShare, templateAudience } from '../../server/src/core/audience/editor';
import { ConditionRegistry, planTemplate } from '../../server/src/core/audience/plan';
import type { AudienceReport } from '../../server/src/core/audience/snapshot';
import { getDialect } from '../../server/src/core/dialects/registry';
import { hoverAt } from '../../server/src/core/ide';
import { analyzeDocument, SchemaIndex, schemaDiagnostics } from '../../server/src/core/workspace';
import { memoryFs } from '../helpers/memory-fs';
import { load, schemaOf } from '../helpers/schema';

const NOW = new Date('2026-12-05T12:00:00Z');
const SCHEMA_JSON = {
  fields: {
    'customer.first_name': { type: 'string', source: 'declared' },
    'customer.plan': { type: 'string', source: 'declared', fallback: 'Solo' },
  },
};
const TEMPLATE = [
  '{% if customer.plan == "salon" %}Salon perks',
  '{% elsif customer.plan == "chain" %}Chain perks',
  '{% else %}Solo perks{% endif %}',
  'Hi {{ customer.first_name }}',
  '',
].join('\n');
const ROWS = 1_204_332;

/** The branches as `mergewise audience` plans them, with the shares given. */
function measuredBranches(text: string, shares: number[]): AudienceReport['templates'][number]['branches'] {
  const schema = schemaOf(SCHEMA_JSON);
  const dialect = getDialect('liquid');
  const mapping = mapColumns(schema, sourceColumns([{ name: 'plan', type: 'VARCHAR' }, { name: 'first_name', type: 'VARCHAR' }]));
  const plan = planTemplate({ path: 'emails/t.liquid', text, scan: dialect.scan(text), dialect, schema, fields: mapping.fields, conditions: new ConditionRegistry() });
  return plan.branches.map((b, i) => ({ range: b.range, condition: b.condition, share: shares[i] }));
}

function snapshot(overrides: Partial<AudienceReport> = {}, branches = measuredBranches(TEMPLATE, [0.0002, 0.3, 0.6998])): AudienceReport {
  return {
    source: { description: 'exports/customers.parquet', rows: ROWS, takenAt: '2026-11-30T08:00:00Z' },
    fields: {
      'customer.first_name': { column: 'first_name', filled: 922_498, fillRate: 922_498 / ROWS, stale: 0, staleShare: 0 },
      'customer.plan': { column: 'plan', filled: ROWS, fillRate: 1, stale: 0, staleShare: 0 },
    },
    templates: [{ path: 'emails/t.liquid', recipients: ROWS, seeFallback: 0, seeBlank: 0.234, seeStale: 0, aborted: 0, branches, untranslated: [] }],
    ...overrides,
  };
}

function workspace(snapshotText: string | undefined, schema: object = SCHEMA_JSON, text = TEMPLATE) {
  const files: Record<string, string> = {
    '/w/mergewise.json': JSON.stringify(schema, null, 2),
    '/w/emails/t.liquid': text,
  };
  if (snapshotText !== undefined) files['/w/mergewise.audience.json'] = snapshotText;
  const index = new SchemaIndex(memoryFs(files));
  const analysed = analyzeDocument(index, '/w/emails/t.liquid', text, undefined, NOW);
  const loaded = index.load('/w/mergewise.json');
  const schemaNotes = schemaDiagnostics(loaded, undefined, { loaded: index.audienceFor('/w/mergewise.json'), now: NOW, text: files['/w/mergewise.json'] });
  return { index, analysed, schemaNotes, text };
}

const rule = (analysed: ReturnType<typeof workspace>['analysed'], id: string) => analysed.analysis.diagnostics.filter((d) => d.rule === id);

describe('audience snapshot in the editor', () => {
  test('shares read as people write them', () => {
    assert.equal(formatShare(0.234), '23.4%');
    assert.equal(formatShare(0.0002), '0.02%');
    assert.equal(formatShare(0), '0%');
    assert.equal(formatShare(1), '100%');
  });

  test('hover on a field tells how many recipients it is empty for', () => {
    const { analysed, text } = workspace(JSON.stringify(snapshot()));
    const answer = hoverAt(analysed, text.indexOf('customer.first_name }}') + 2, [], NOW);
    assert.match(answer!.markdown, /\*\*Audience:\*\* empty for 23\.4% of 1,204,332 recipients \(audience of 2026-11-30\)/);
  });

  test('missing-fallback says how many recipients would see the blank', () => {
    const { analysed } = workspace(JSON.stringify(snapshot()));
    const [finding] = rule(analysed, 'missing-fallback');
    assert.match(finding.message, /281,834 recipients \(23\.4%\) would see a blank \(audience of 2026-11-30\)/);
  });

  test('without a snapshot, nothing changes', () => {
    const { analysed, schemaNotes, text } = workspace(undefined);
    assert.equal(rule(analysed, 'rare-branch').length, 0);
    assert.doesNotMatch(rule(analysed, 'missing-fallback')[0].message, /would see a blank \(audience/);
    assert.doesNotMatch(hoverAt(analysed, text.indexOf('customer.first_name }}') + 2, [], NOW)!.markdown, /Audience/);
    assert.deepEqual(schemaNotes, []);
  });

  test('rare-branch: a branch below the threshold, on its tag, with the count', () => {
    const { analysed, text } = workspace(JSON.stringify(snapshot()));
    const found = rule(analysed, 'rare-branch');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'information');
    assert.equal(text.slice(found[0].span.start, found[0].span.end), '{% if customer.plan == "salon" %}');
    assert.equal(found[0].message, 'Taken by 0.02% of recipients (241 of 1,204,332, audience of 2026-11-30): content almost nobody reads. Check the condition, or drop the branch.');
  });

  test('rare-branch: the threshold comes from audience.rareBranchShare', () => {
    const higher = workspace(JSON.stringify(snapshot()), { ...SCHEMA_JSON, audience: { rareBranchShare: 0.5 } });
    assert.equal(rule(higher.analysed, 'rare-branch').length, 2);
    const off = workspace(JSON.stringify(snapshot()), { ...SCHEMA_JSON, audience: { rareBranchShare: 0 } });
    assert.equal(rule(off.analysed, 'rare-branch').length, 0);
  });

  test('rare-branch: a branch whose condition changed since the snapshot is not reported', () => {
    const changed = TEMPLATE.replace('"salon"', '"sal0n"');
    const { analysed } = workspace(JSON.stringify(snapshot()), SCHEMA_JSON, changed);
    assert.equal(rule(analysed, 'rare-branch').length, 0);
    // Moved down a line: the range no longer matches either.
    const moved = workspace(JSON.stringify(snapshot()), SCHEMA_JSON, `\n${TEMPLATE}`);
    assert.equal(rule(moved.analysed, 'rare-branch').length, 0);
  });

  test('rare-branch: an untranslated branch (share null) is never reported', () => {
    const branches = measuredBranches(TEMPLATE, [0, 0.3, 0.7]).map((b, i) => (i === 0 ? { ...b, share: null } : b));
    const { analysed } = workspace(JSON.stringify(snapshot({}, branches)));
    assert.equal(rule(analysed, 'rare-branch').length, 0);
  });

  test('an old snapshot is noted once, on mergewise.json, and the age is configurable', () => {
    const old = snapshot({ source: { description: 'x.csv', rows: ROWS, takenAt: '2026-09-01T00:00:00Z' } });
    const { schemaNotes } = workspace(JSON.stringify(old), { ...SCHEMA_JSON, audience: { maxSnapshotAgeDays: 30 } });
    assert.equal(schemaNotes.length, 1);
    assert.equal(schemaNotes[0].rule, 'audience-snapshot');
    assert.equal(schemaNotes[0].severity, 'information');
    assert.match(schemaNotes[0].message, /taken on 2026-09-01, 95 days ago \(more than 30/);
    const text = JSON.stringify({ ...SCHEMA_JSON, audience: { maxSnapshotAgeDays: 30 } }, null, 2);
    assert.equal(text.slice(schemaNotes[0].span.start, schemaNotes[0].span.end), '"audience"');
    assert.deepEqual(workspace(JSON.stringify(old), { ...SCHEMA_JSON, audience: { maxSnapshotAgeDays: 120 } }).schemaNotes, []);
    assert.deepEqual(workspace(JSON.stringify(snapshot())).schemaNotes, [], 'a fresh one says nothing');
  });

  test('a malformed snapshot is a clear problem on mergewise.json, and analyses go on without it', () => {
    for (const bad of ['{ not json', JSON.stringify({ ...snapshot(), rows: [{ email: 'a@b.c' }] }), JSON.stringify(snapshot({ source: { description: 'x', rows: -1, takenAt: 'soon' } }))]) {
      const { analysed, schemaNotes } = workspace(bad);
      assert.equal(schemaNotes.length, 1, bad);
      assert.equal(schemaNotes[0].severity, 'warning');
      assert.match(schemaNotes[0].message, /^mergewise\.audience\.json.*Audience coverage is not shown until it is fixed/);
      assert.equal(rule(analysed, 'rare-branch').length, 0);
      assert.equal(rule(analysed, 'missing-fallback').length, 1);
      assert.ok(!analysed.analysis.diagnostics.some((d) => d.rule === 'internal-error'));
    }
  });

  test('the snapshot is read again after it changes (SchemaIndex.invalidate)', () => {
    const files: Record<string, string> = { '/w/mergewise.json': JSON.stringify(SCHEMA_JSON), '/w/emails/t.liquid': TEMPLATE, '/w/mergewise.audience.json': JSON.stringify(snapshot()) };
    const index = new SchemaIndex(memoryFs(files));
    assert.equal(rule(analyzeDocument(index, '/w/emails/t.liquid', TEMPLATE, undefined, NOW), 'rare-branch').length, 1);
    files['/w/mergewise.audience.json'] = JSON.stringify(snapshot({}, measuredBranches(TEMPLATE, [0.2, 0.3, 0.5])));
    assert.equal(rule(analyzeDocument(index, '/w/emails/t.liquid', TEMPLATE, undefined, NOW), 'rare-branch').length, 1, 'cached until told');
    index.invalidate('/w/mergewise.audience.json');
    assert.equal(rule(analyzeDocument(index, '/w/emails/t.liquid', TEMPLATE, undefined, NOW), 'rare-branch').length, 0);
  });

  test('the status bar summary: the template\'s shares, and whether the snapshot is old', () => {
    const { index, analysed } = workspace(JSON.stringify(snapshot()));
    const summary = coverageSummary(index.audienceFor('/w/mergewise.json'), analysed.audience, analysed.schema, NOW);
    assert.deepEqual(summary, { date: '2026-11-30', rows: ROWS, old: false, template: { recipients: ROWS, seeFallback: 0, seeBlank: 0.234, seeStale: 0, aborted: 0, approximate: false } });
  });

  test('mergewise.json: audience.rareBranchShare and maxSnapshotAgeDays are read and checked', () => {
    const good = load(JSON.stringify({ fields: {}, audience: { rareBranchShare: 0.01, maxSnapshotAgeDays: 7 } }));
    assert.deepEqual(good.diagnostics, []);
    assert.equal(good.schema.audience?.rareBranchShare, 0.01);
    assert.equal(good.schema.audience?.maxSnapshotAgeDays, 7);
    const bad = load(JSON.stringify({ fields: {}, audience: { rareBranchShare: 2, maxSnapshotAgeDays: 0 } }));
    assert.deepEqual(bad.diagnostics.map((d) => d.message.match(/"(\w+)" must be/)?.[1]), ['rareBranchShare', 'maxSnapshotAgeDays']);
  });

  test('a field every recipient has gets no blank count', () => {
    const audience = templateAudience({ file: '/w/mergewise.audience.json', snapshot: snapshot() }, schemaOf(SCHEMA_JSON), 'emails/t.liquid');
    assert.equal(blankCountText(audience, 'customer.plan'), undefined);
  });
});
