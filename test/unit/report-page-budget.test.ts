/**
 * The report's page stays under 5 MB (issue 20, speed): on a workspace as large as the bench's,
 * 2,000 templates rendered for 3 sample recipients, every template's checklist is on the page, the
 * previews fill what is left in order, and the page says how many it left out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleReport, previewSelection } from '../../server/src/core/report/assemble';
import { anchor, PAGE_BUDGET_BYTES, reportHtml, type PreviewFrame } from '../../server/src/core/report/html';
import { emptyQuadrants, type ChecklistItem, type ReportFinding, type TemplateReport } from '../../server/src/core/report/model';

const RECIPIENTS = ['Complete profile', 'Identity fields only', 'New subscriber'];

function findings(path: string, rule: string, count: number): ReportFinding[] {
  return Array.from({ length: count }, (_, i) => ({
    rule, severity: 'warning' as const, message: `customer.field_${i} has no fallback: a recipient without it sees nothing here.`, path,
    range: { start: { line: i, character: 4 }, end: { line: i, character: 30 } }, link: `../emails/${path}#L${i + 1}`,
  }));
}

/** A template as the bench's are: a failing item, three warnings with dozens of findings, five that pass. */
function template(index: number, folder = 'lifecycle'): TemplateReport {
  const path = `emails/${folder}/${String(index).padStart(4, '0')}-season-quiet.liquid`;
  const item = (id: ChecklistItem['id'], status: ChecklistItem['status'], count: number): ChecklistItem => ({
    id, title: `Item ${id}`, status, detail: count ? `${count} findings` : 'none found', rules: [id], findings: findings(path, id, count),
  });
  return {
    path, link: `../${path}`, state: 'analysed', dialect: 'liquid', schema: 'mergewise.json', partial: false,
    checklist: [
      item('parses', 'pass', 0), item('fallbacks', 'fail', 39), item('known-fields', 'pass', 0), item('no-surveillance', 'warning', 46),
      item('recipients-render', 'pass', 0), item('fresh-data', 'warning', 2), item('safe-links', 'warning', 2), item('safe-subject', 'pass', 0),
      item('under-clipping', 'pass', 0),
    ],
    findingCounts: { 'missing-fallback': 39 },
    quadrants: { ...emptyQuadrants(), 'expected-helpful': 12, 'unexpected-unhelpful': 3 },
    maturity: { rung: 'behavioral', reason: `uses observed data customer.last_order_date (line ${index % 90 + 1})`, link: `../${path}#L3` },
    recipients: RECIPIENTS.map((recipient, r) => ({
      recipient, file: `recipients/r${r}.json`, summary: '12 fallbacks, 104 blanks, 0 stale, 4 raw merge syntax',
      counts: { fallback: 12, blank: 104, stale: 0, raw: 4 }, size: 41_000 - r * 7000, clipped: false,
    })),
  };
}

/** The report with its frames, as runReportOver makes them: the first 50 templates and a sample of the rest, about 40 KB each. */
function largeReport(templates: TemplateReport[]) {
  const selection = previewSelection(templates.length);
  const frames = new Map<string, PreviewFrame[]>();
  templates.forEach((t, index) => {
    if (!selection.chosen(index)) return;
    frames.set(t.path, RECIPIENTS.map((recipient) => ({
      recipient, document: `<!doctype html><html><body><p>${t.path} for ${recipient}</p>${'<td style="padding: 8px">Ana &amp; Bo</td>'.repeat(900)}</body></html>`,
    })));
  });
  const report = assembleReport({
    generatedAt: new Date('2026-11-20T10:00:00Z'), paths: [], templates, purposes: [], audience: [],
    previews: selection.shownWas(frames.size), notices: [],
  });
  return { report, frames, framesMade: [...frames.values()].reduce((sum, list) => sum + list.length, 0) };
}

describe('the report page within its 5 MB budget', () => {
  test('2,000 templates x 3 recipients: under 5 MB, every checklist kept, previews in order while they fit, the rest counted on the page', () => {
    const { report, frames, framesMade } = largeReport(Array.from({ length: 2000 }, (_, i) => template(i)));
    const html = reportHtml(report, { frames });
    assert.ok(Buffer.byteLength(html) < PAGE_BUDGET_BYTES, `${Buffer.byteLength(html)} bytes`);
    for (const t of report.templates) assert.ok(html.includes(`id="${anchor(t)}"`), `${t.path} has its article`);
    assert.equal(html.match(/<span class="badge s-fail">Fail<\/span> Item fallbacks/g)?.length, 2000, 'every failing item is shown');

    const shown = html.match(/<iframe /g)?.length ?? 0;
    assert.ok(shown > 0 && shown < framesMade, `${shown} of ${framesMade} frames`);
    const note = /To keep this page under 5 MB, it leaves out (\d+) of the (\d+) previews made, and shows (\d+)\./.exec(html);
    assert.ok(note, 'the page says how many previews it left out');
    assert.equal(Number(note[1]) + Number(note[3]), framesMade);
    assert.equal(Number(note[2]), framesMade);
    assert.equal(Number(note[3]), shown);
    assert.match(html, /Past the first 50 templates, items that pass are counted rather than listed/);
    // In order: the first template's previews are there, the last sampled one's are not.
    assert.ok(html.includes(`title="${report.templates[0].path} for New subscriber"`));
    const lastSampled = [...frames.keys()].pop()!;
    assert.ok(!html.includes(`title="${lastSampled} for Complete profile"`));
    assert.match(html, /Previews are shown for the first 50 templates and for every/);
  });

  test('when the checklists alone would not fit, the last templates are named and counted instead, still under 5 MB', () => {
    const { report, frames } = largeReport(Array.from({ length: 6000 }, (_, i) => template(i, `a-folder-with-a-long-name-${'x'.repeat(60)}`)));
    const html = reportHtml(report, { frames });
    assert.ok(Buffer.byteLength(html) < PAGE_BUDGET_BYTES, `${Buffer.byteLength(html)} bytes`);
    const note = /it leaves out the checklists of ([\d,]+) more templates, from (\S+)\./.exec(html);
    assert.ok(note, 'the page says whose checklists it left out');
    const leftOut = Number(note[1].replace(/,/g, ''));
    const kept = report.templates.length - leftOut;
    assert.ok(kept > 50 && leftOut > 0, `${kept} kept, ${leftOut} left out`);
    assert.equal(note[2], report.templates[kept].path);
    assert.ok(html.includes(`id="${anchor(report.templates[kept - 1])}"`));
    assert.ok(!html.includes(`id="${anchor(report.templates[kept])}"`));
  });

  test('a small report keeps every item, finding list and recipient table, with nothing left out', () => {
    const { report, frames, framesMade } = largeReport(Array.from({ length: 3 }, (_, i) => template(i)));
    const html = reportHtml(report, { frames });
    assert.equal(html.match(/<iframe /g)?.length, framesMade);
    assert.equal(html.match(/<caption class="muted">Sample recipients<\/caption>/g)?.length, 3);
    assert.equal(html.match(/Item parses/g)?.length, 3, 'items that pass are listed');
    assert.doesNotMatch(html, /To keep this page under 5 MB/);
  });
});
