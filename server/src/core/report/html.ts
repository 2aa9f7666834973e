/**
 * The send-readiness report as one self-contained HTML file, rendered from the report's data:
 * no script at all, nothing loaded from anywhere (a Content-Security-Policy says so too), inline
 * CSS for light and dark themes, landmarks and headings, charts as inline SVG with text
 * alternatives, and each preview in a sandboxed `srcdoc` frame with its own policy. Pure.
 */
import { GENERATOR_META } from '../generated-page';
import { QUADRANTS, type QuadrantId } from '../../../../protocol/src/quadrants';
import { escapeHtml } from '../../../../protocol/src/email-document';
import { REPORT_PANEL_SCRIPT } from '../../../../protocol/src/report-panel';
import { formatShare } from '../audience/editor';
import type { BaselineDelta } from './baseline';
import { countNoun } from './baseline';
import {
  QUADRANT_ORDER, RUNGS, type ChecklistItem, type ItemStatus, type RecipientRender, type Rung, type SendReadinessReport, type TemplateReport,
} from './model';
import { barChart, quadrantMap, stackedBar } from './svg';

/** One preview frame: the recipient and the full document the frame shows (see `emailDocument`). */
export interface PreviewFrame {
  recipient: string;
  document: string;
}

export interface HtmlOptions {
  /** Frames by template path; a template absent here has no previews in the page. */
  frames: Map<string, PreviewFrame[]>;
  baseline?: BaselineDelta;
  /**
   * Shown in VS Code's webview: the page carries the panel's script (protocol/src/report-panel.ts),
   * allowed by this nonce and nothing else, so that a click on a file link opens it in the editor.
   */
  webview?: { nonce: string };
}

/** The page's own policy: styles inline, images only as data, nothing else from anywhere. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const QUADRANT_CLASS: Record<QuadrantId, string> = {
  'expected-helpful': 'c-eh', 'expected-unhelpful': 'c-eu', 'unexpected-helpful': 'c-uh', 'unexpected-unhelpful': 'c-uu',
};

const RUNG_TEXT: Record<Rung, string> = {
  basic: 'basic: only declared data, no branching',
  segmented: 'segmented: branches on segment attributes',
  behavioral: 'behavioral: uses observed data',
  predictive: 'predictive: inferred data under a complete purpose',
};

const STATUS_TEXT: Record<ItemStatus, string> = { pass: 'Pass', warning: 'Warning', fail: 'Fail' };

const LIGHT = '--bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --link: #0550ae; ' +
  '--pass: #1a7f37; --warn: #8a5a00; --fail: #cf222e; --eh: #2f9e44; --eu: #6e7781; --uh: #1c6fd1; --uu: #d1242f; ' +
  '--fb: #bf8700; --bl: #cf222e; --st: #8250df; --track: #eaeef2;';
const DARK = '--bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --link: #4493f8; ' +
  '--pass: #3fb950; --warn: #d29922; --fail: #ff7b72; --eh: #3fb950; --eu: #9198a1; --uh: #58a6ff; --uu: #ff7b72; ' +
  '--fb: #d29922; --bl: #ff7b72; --st: #bc8cff; --track: #262c36;';

/** The system's light or dark scheme; in VS Code's webview, the editor's theme (its body class) wins. */
const STYLES = `
:root { color-scheme: light dark; ${LIGHT} }
@media (prefers-color-scheme: dark) { :root { ${DARK} } }
body.vscode-light, body.vscode-high-contrast-light { color-scheme: light; ${LIGHT} }
body.vscode-dark, body.vscode-high-contrast:not(.vscode-high-contrast-light) { color-scheme: dark; ${DARK} }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--link); }
a:focus-visible, summary:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; border-bottom: 1px solid var(--line); }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; }
h1 { font-size: 1.7em; margin: 0 0 4px; } h2 { font-size: 1.35em; margin-top: 32px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.1em; margin: 0 0 6px; } .muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.chart-label, .chart-value { fill: var(--fg); font: 13px system-ui, sans-serif; }
.chart-count { fill: var(--fg); font: 600 20px system-ui, sans-serif; stroke: var(--bg); stroke-width: 4px; paint-order: stroke; }
.chart-track { fill: var(--track); } .chart-cell { fill: none; stroke: var(--line); }
.c-eh { fill: var(--eh); } .c-eu { fill: var(--eu); } .c-uh { fill: var(--uh); } .c-uu { fill: var(--uu); }
.c-basic { fill: var(--eu); } .c-segmented { fill: var(--uh); } .c-behavioral { fill: var(--eh); } .c-predictive { fill: var(--st); }
.c-fb { fill: var(--fb); } .c-bl { fill: var(--bl); } .c-st { fill: var(--st); }
.badge { display: inline-block; min-width: 5.5em; font-weight: 600; font-size: .85em; border: 1px solid currentColor; border-radius: 4px; padding: 0 6px; text-align: center; }
.s-pass { color: var(--pass); } .s-warning { color: var(--warn); } .s-fail { color: var(--fail); }
article.template { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 16px 0; background: var(--panel); }
ul.checklist { list-style: none; padding: 0; margin: 8px 0; } ul.checklist > li { margin: 4px 0; }
ul.findings { margin: 4px 0 8px 1.5em; padding: 0; font-size: .92em; }
details > summary { cursor: pointer; }
.frames { display: flex; flex-wrap: wrap; gap: 12px; }
.frames figure { margin: 0; } .frames figcaption { font-size: .85em; color: var(--muted); }
.frames iframe { width: 340px; height: 420px; border: 1px solid var(--line); background: #ffffff; }
.note { border-left: 4px solid var(--warn); padding: 6px 12px; background: var(--panel); }
code { font: .92em ui-monospace, SFMono-Regular, Menlo, monospace; }
`;

/**
 * The whole page stays under this size: charts, tables and every template's checklist first, then
 * previews while they fit; what is left out is said on the page. 5 MB as the issue counts it (10^6 bytes).
 */
export const PAGE_BUDGET_BYTES = 5_000_000;
/** Kept free for the notes that say what was left out. */
const BUDGET_MARGIN_BYTES = 8 * 1024;

export function reportHtml(report: SendReadinessReport, options: HtmlOptions): string {
  const ready = `${report.overall.ready} of ${report.overall.templates} template${report.overall.templates === 1 ? '' : 's'} ready to send`;
  const before = [
    summarySection(report, options.baseline),
    quadrantSection(report),
    maturitySection(report),
    purposeSection(report),
    audienceSection(report),
  ];
  const after = report.notices.length ? [noticeSection(report)] : [];
  const page = (sections: string[]) => pageHtml(report, options, ready, sections);
  const rest = PAGE_BUDGET_BYTES - BUDGET_MARGIN_BYTES - Buffer.byteLength(page([...before, ...after]));
  return page([...before, templatesSection(report, options.frames, rest), ...after]);
}

function pageHtml(report: SendReadinessReport, options: HtmlOptions, ready: string, sections: string[]): string {
  const { webview } = options;
  const csp = webview ? `${REPORT_CSP}; script-src 'nonce-${escapeHtml(webview.nonce)}'` : REPORT_CSP;
  const footer = webview
    ? 'A link to a file opens it in the editor at that line. Every chart is drawn in this page, and each preview is a sandboxed frame that blocks scripts and remote content.'
    : 'This page runs no script and loads nothing: every chart is drawn in it, and each preview is a sandboxed frame that blocks scripts and remote content.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${GENERATOR_META}
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Send-readiness report: ${escapeHtml(ready)}</title>
<style>${STYLES}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header>
<h1>Send-readiness report</h1>
<p>${escapeHtml(ready)}. Generated ${escapeHtml(report.generatedAt.slice(0, 16).replace('T', ' '))} UTC by ${webview ? 'Mergewise in the editor' : '<code>mergewise report</code>'}.</p>
<nav aria-label="Sections"><ul>
<li><a href="#summary">Summary</a></li><li><a href="#quadrants">Quadrant map</a></li><li><a href="#maturity">Maturity ladder</a></li>
<li><a href="#purposes">Purposes</a></li><li><a href="#audience">Audience coverage</a></li><li><a href="#templates">Templates</a></li>${report.notices.length ? '<li><a href="#notices">Notices</a></li>' : ''}
</ul></nav>
</header>
<main id="main">
${sections.join('\n')}
</main>
<footer><p class="muted">${footer}</p></footer>
${webview ? `<script nonce="${escapeHtml(webview.nonce)}">${REPORT_PANEL_SCRIPT}</script>\n` : ''}</body>
</html>
`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function statusBadge(status: ItemStatus): string {
  return `<span class="badge s-${status}">${STATUS_TEXT[status]}</span>`;
}

function summarySection(report: SendReadinessReport, baseline: BaselineDelta | undefined): string {
  const { items, findingCounts } = report.overall;
  const failing = report.templates.filter((t) => t.state === 'skipped' || t.checklist.some((i) => i.status === 'fail'));
  let body = `<p>${report.overall.ready} of ${report.overall.templates} templates have no failing item. Checklist items: ` +
    `${items.pass} pass, ${items.warning} warning${items.warning === 1 ? '' : 's'}, ${items.fail} fail.</p>`;
  const counted = Object.entries(findingCounts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (counted.length) {
    body += '<table><caption class="muted">Findings over all templates</caption><thead><tr><th scope="col">What</th><th scope="col" class="num">Count</th></tr></thead><tbody>' +
      counted.map(([key, n]) => `<tr><td>${escapeHtml(countNoun(key, n).replace(/^\d+ /, ''))} <span class="muted">(${escapeHtml(key)})</span></td><td class="num">${n}</td></tr>`).join('') +
      '</tbody></table>';
  }
  if (failing.length) {
    body += `<p>Not ready: ${failing.slice(0, 20).map((t) => `<a href="#${anchor(t)}">${escapeHtml(t.path)}</a>`).join(', ')}${failing.length > 20 ? `, and ${failing.length - 20} more` : ''}.</p>`;
  }
  if (baseline) body += baselineBlock(baseline);
  return section('summary', 'Summary', body);
}

function baselineBlock(delta: BaselineDelta): string {
  let body = `<h3>Compared with the baseline of ${escapeHtml(delta.baselineGeneratedAt.slice(0, 10))}</h3><p><strong>${escapeHtml(delta.sentence)}</strong> ` +
    `Ready templates: ${delta.ready.before} → ${delta.ready.after}.</p>`;
  if (delta.templates.length) {
    body += '<table><thead><tr><th scope="col">Template</th><th scope="col">Change</th><th scope="col">What changed</th></tr></thead><tbody>' +
      delta.templates.map((t) => {
        const what = [
          ...t.counts.map((c) => `${escapeHtml(countNoun(c.key, Math.abs(c.after - c.before)))} ${c.after > c.before ? 'more' : 'fewer'}`),
          ...t.items.map((i) => `${escapeHtml(i.id)}: ${i.before ?? '—'} → ${i.after ?? '—'}`),
          ...(t.rung ? [`rung ${t.rung.before} → ${t.rung.after}`] : []),
        ].join('; ');
        const label = t.change === 'changed' ? t.direction : t.change;
        return `<tr><td>${escapeHtml(t.path)}</td><td>${escapeHtml(label)}</td><td>${what || '—'}</td></tr>`;
      }).join('') + '</tbody></table>';
  }
  return body;
}

function quadrantSection(report: SendReadinessReport): string {
  const q = report.overall.quadrants;
  const cell = (id: QuadrantId) => ({ label: QUADRANTS[id].axes, name: QUADRANTS[id].name, value: q[id], className: QUADRANT_CLASS[id] });
  const total = QUADRANT_ORDER.reduce((sum, id) => sum + q[id], 0);
  const chart = quadrantMap({
    id: 'quadrant-map', title: 'Field uses by personalization quadrant, all templates',
    desc: QUADRANT_ORDER.map((id) => `${QUADRANTS[id].axes} (${QUADRANTS[id].name}): ${q[id]}`).join('; ') + `. ${total} uses in all.`,
  }, {
    expectedHelpful: cell('expected-helpful'), expectedUnhelpful: cell('expected-unhelpful'),
    unexpectedHelpful: cell('unexpected-helpful'), unexpectedUnhelpful: cell('unexpected-unhelpful'),
  });
  const overall = '<table><caption class="muted">All templates</caption><thead><tr><th scope="col">Quadrant</th><th scope="col" class="num">Uses</th></tr></thead><tbody>' +
    QUADRANT_ORDER.map((id) => `<tr><th scope="row">${escapeHtml(QUADRANTS[id].axes)}: ${escapeHtml(QUADRANTS[id].name)}</th><td class="num">${q[id]}</td></tr>`).join('') +
    `</tbody></table>`;
  const rows = report.templates.filter((t) => QUADRANT_ORDER.some((id) => t.quadrants[id] > 0));
  const perTemplate = rows.length === 0 ? '<p class="muted">No template uses a field whose source is declared.</p>'
    : '<table><caption class="muted">Per template</caption><thead><tr><th scope="col">Template</th>' +
      QUADRANT_ORDER.map((id) => `<th scope="col" class="num">${escapeHtml(QUADRANTS[id].name)}</th>`).join('') +
      '<th scope="col">Mix</th></tr></thead><tbody>' +
      rows.map((t, index) => `<tr><td><a href="#${anchor(t)}">${escapeHtml(t.path)}</a></td>` +
        QUADRANT_ORDER.map((id) => `<td class="num">${t.quadrants[id]}</td>`).join('') +
        // The numbers say it all; the bars are drawn for the first templates only, to keep the page small.
        `<td>${index < FULL_ARTICLES ? stackedBar(QUADRANT_ORDER.map((id) => ({ value: t.quadrants[id], className: QUADRANT_CLASS[id] }))) : ''}</td></tr>`).join('') +
      '</tbody></table>';
  return section('quadrants', 'Quadrant map', '<p>How many field uses fall in each personalization quadrant: did the recipient expect you to know this, and does a purpose make it helpful? Fields with no source are in none.</p>' +
    chart + overall + perTemplate);
}

function maturitySection(report: SendReadinessReport): string {
  const m = report.overall.maturity;
  const chart = barChart({
    id: 'maturity-chart', title: 'Templates by rung of the maturity ladder',
    desc: RUNGS.map((rung) => `${rung}: ${m[rung]}`).join('; ') + '.',
  }, RUNGS.map((rung) => ({ label: rung, value: m[rung], className: `c-${rung}` })));
  const legend = `<ul>${RUNGS.map((rung) => `<li>${escapeHtml(RUNG_TEXT[rung])}</li>`).join('')}</ul>`;
  const table = '<table><thead><tr><th scope="col">Template</th><th scope="col">Rung</th><th scope="col">Why</th></tr></thead><tbody>' +
    report.templates.filter((t) => t.state === 'analysed').map((t, index) => `<tr><td><a href="#${anchor(t)}">${escapeHtml(t.path)}</a></td><td>${t.maturity.rung}</td>` +
      `<td>${t.maturity.link && index < FULL_ARTICLES ? `<a href="${escapeHtml(t.maturity.link)}">${escapeHtml(t.maturity.reason)}</a>` : escapeHtml(t.maturity.reason)}</td></tr>`).join('') +
    '</tbody></table>';
  return section('maturity', 'Maturity ladder', legend + chart + table);
}

function purposeSection(report: SendReadinessReport): string {
  if (report.purposes.length === 0) return section('purposes', 'Purposes', '<p class="muted">No purposes are declared in mergewise.json: no use of data is justified by a hypothesis yet.</p>');
  const rows = report.purposes.map((p) => `<tr><th scope="row">${escapeHtml(p.id)}${p.complete ? '' : ` <span class="badge s-warning">Incomplete</span><br><span class="muted">lacks ${escapeHtml(p.missing.join(', '))}</span>`}</th>` +
    `<td>${cellText(p.segment)}</td><td>${cellText(p.tactic)}</td><td>${cellText(p.metric)}</td>` +
    `<td>${p.templates.length ? p.templates.map(escapeHtml).join('<br>') : '<span class="muted">none</span>'}</td>` +
    `<td>${p.fields.length ? p.fields.map((f) => `<code>${escapeHtml(f)}</code>`).join('<br>') : '<span class="muted">none</span>'}</td></tr>`).join('');
  return section('purposes', 'Purposes',
    '<p>Each purpose is a hypothesis: for this segment, this tactic moves this metric. An incomplete one justifies no use of data.</p>' +
    '<table><thead><tr><th scope="col">Purpose</th><th scope="col">Segment</th><th scope="col">Tactic</th><th scope="col">Metric</th><th scope="col">Templates</th><th scope="col">Fields</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`);
}

function cellText(text: string | null): string {
  return text ? escapeHtml(text) : '<span class="muted">missing</span>';
}

function audienceSection(report: SendReadinessReport): string {
  if (report.audience.length === 0) return section('audience', 'Audience coverage', '<p class="muted">No mergewise.json governs these templates, so there is no audience snapshot to read.</p>');
  let body = '';
  for (const a of report.audience) {
    const state = a.state === 'missing' ? `No snapshot: ${escapeHtml(a.file)} does not exist. Measure one with <code>mergewise audience --data SOURCE --snapshot</code>.`
      : a.state === 'unreadable' ? `<span class="badge s-fail">Unreadable</span> ${escapeHtml(a.file)}: ${escapeHtml(a.note ?? '')}`
      : `${escapeHtml(a.file)}: ${a.rows?.toLocaleString('en-US')} recipients from ${escapeHtml(a.source ?? '')}, taken ${escapeHtml((a.takenAt ?? '').slice(0, 10))}` +
        (a.state === 'old' ? ` <span class="badge s-warning">Old</span> ${escapeHtml(a.note ?? '')}` : '.');
    body += `<p>${state}</p>`;
  }
  const measured = report.templates.filter((t) => t.audience);
  if (measured.length) {
    measured.forEach((t, index) => {
      const a = t.audience!;
      body += `<h3>${escapeHtml(t.path)}${a.approximate ? ' <span class="muted">(upper bounds)</span>' : ''}</h3>` + barChart({
        id: `audience-${index}`, title: `Audience shares for ${t.path}`,
        desc: `Of ${a.recipients} recipients: ${formatShare(a.seeFallback)} see a fallback, ${formatShare(a.seeBlank)} a blank, ${formatShare(a.seeStale)} stale data.`,
      }, [
        { label: 'see a fallback', value: a.seeFallback, className: 'c-fb', shown: formatShare(a.seeFallback) },
        { label: 'see a blank', value: a.seeBlank, className: 'c-bl', shown: formatShare(a.seeBlank) },
        { label: 'see stale data', value: a.seeStale, className: 'c-st', shown: formatShare(a.seeStale) },
      ], { max: 1, width: 480 }) +
        (a.rareBranches.length ? `<p>Rare branches:</p><ul>${a.rareBranches.map((b) => `<li><a href="${escapeHtml(b.link)}">line ${b.range.start.line + 1}</a>: ${escapeHtml(b.message)}</li>`).join('')}</ul>` : '');
    });
  } else if (report.audience.some((a) => a.state === 'current' || a.state === 'old')) {
    body += '<p class="muted">The snapshot measured none of these templates.</p>';
  }
  return section('audience', 'Audience coverage', body);
}

/**
 * Every template's article, within `budget` bytes: the checklists first (past the first templates,
 * items that pass are counted rather than listed and the recipients fit on a line), then previews
 * in order while they fit. Should the checklists alone overflow, the last templates are named only.
 */
function templatesSection(report: SendReadinessReport, frames: Map<string, PreviewFrame[]>, budget: number): string {
  const findingsBudget = { findings: FINDINGS_PER_PAGE };
  const articles = report.templates.map((t, index) => templateArticle(t, findingsBudget, index >= FULL_ARTICLES));
  let left = budget - Buffer.byteLength(`${report.previews.note ?? ''}${FRAMES_LEFT_OUT_NOTE}${ARTICLES_LEFT_OUT_NOTE}`) * 2;
  let kept = 0;
  for (const article of articles) {
    const bytes = Buffer.byteLength(article.body) + ARTICLE_END.length + 1;
    if (bytes > left) break;
    left -= bytes;
    kept++;
  }
  let framesShown = 0;
  let framesLeftOut = 0;
  const withFrames = articles.slice(0, kept).map((article, index) => {
    const t = report.templates[index];
    const figures: string[] = [];
    for (const f of frames.get(t.path) ?? []) {
      const figure = `<figure><iframe sandbox loading="lazy" title="${escapeHtml(`${t.path} for ${f.recipient}`)}" srcdoc="${escapeHtml(f.document)}"></iframe>` +
        `<figcaption>${escapeHtml(f.recipient)}</figcaption></figure>`;
      const bytes = Buffer.byteLength(figure);
      if (bytes + FRAMES_WRAPPER.length > left) {
        framesLeftOut++;
        continue;
      }
      left -= bytes;
      figures.push(figure);
    }
    if (figures.length) left -= FRAMES_WRAPPER.length;
    framesShown += figures.length;
    return `${article.body}${figures.length ? `<div class="frames">${figures.join('')}</div>` : ''}${ARTICLE_END}`;
  });
  for (const t of report.templates.slice(kept)) framesLeftOut += frames.get(t.path)?.length ?? 0;
  const notes = [
    report.previews.note,
    articles.length > FULL_ARTICLES ? `Past the first ${FULL_ARTICLES} templates, items that pass are counted rather than listed, and the page lists ` +
      `${FINDINGS_PER_PAGE} findings at most: every finding is in --format json and mergewise check.` : '',
    framesLeftOut ? `${FRAMES_LEFT_OUT_NOTE} ${framesLeftOut} of the ${framesShown + framesLeftOut} previews made, and shows ${framesShown}.` : '',
    kept < articles.length ? `${ARTICLES_LEFT_OUT_NOTE} ${(articles.length - kept).toLocaleString('en')} more templates, from ${report.templates[kept].path}.` : '',
  ].filter(Boolean);
  const leftOut = kept < articles.length
    ? `<p>Not shown here: ${report.templates.slice(kept, kept + 20).map((t) => escapeHtml(t.path)).join(', ')}${articles.length - kept > 20 ? ', …' : ''}.</p>`
    : '';
  return section('templates', 'Templates', notes.map((n) => `<p class="note">${escapeHtml(n!)}</p>`).join('') + withFrames.join('\n') + leftOut);
}

const ARTICLE_END = '</article>';
const FRAMES_WRAPPER = '<div class="frames"></div>';
const FRAMES_LEFT_OUT_NOTE = 'To keep this page under 5 MB, it leaves out';
const ARTICLES_LEFT_OUT_NOTE = 'To keep this page under 5 MB, it leaves out the checklists of';

/** A template's article without its previews and closing tag; `compact` past the first templates. */
function templateArticle(t: TemplateReport, budget: { findings: number }, compact: boolean): { body: string } {
  const id = anchor(t);
  const facts = [
    t.dialect ? `dialect ${escapeHtml(t.dialect)}` : '',
    t.schema ? `governed by ${escapeHtml(t.schema)}` : 'no mergewise.json: only syntax is checked',
    t.partial ? 'a partial: judged through the templates that include it, not previewed alone' : '',
    `rung: ${t.maturity.rung}`,
  ].filter(Boolean).join(' · ');
  let body = `<article class="template" id="${id}" aria-labelledby="${id}-h"><h3 id="${id}-h"><a href="${escapeHtml(t.link)}">${escapeHtml(t.path)}</a></h3>${compact ? '' : `<p class="muted">${facts}</p>`}`;
  if (t.state === 'skipped') body += `<p>${statusBadge('fail')} Not checked: ${escapeHtml(t.problem ?? '')}</p>`;
  const shown = compact ? t.checklist.filter((item) => item.status !== 'pass') : t.checklist;
  if (compact) budget.findings = Math.min(budget.findings, FINDINGS_PER_PAGE);
  const passed = t.checklist.length - shown.length;
  if (shown.length) body += `<ul class="checklist" aria-label="Checklist for ${escapeHtml(t.path)}">${shown.map((item) => checklistItem(item, budget, compact)).join('')}</ul>`;
  if (passed) body += `<p>${statusBadge('pass')} ${shown.length ? `The other ${passed} items pass` : `All ${passed} items pass`}.</p>`;
  if (t.recipients.length && compact) {
    body += `<p>Sample recipients: ${t.recipients.map((r) => `${escapeHtml(r.recipient)}, ${r.error !== undefined ? `<span class="s-fail">does not render:</span> ${escapeHtml(r.error)}` : escapeHtml(r.summary)}` +
      `${r.size === undefined ? '' : `, ${renderedSize(r)}`}`).join('; ')}.</p>`;
  } else if (t.recipients.length) {
    body += '<table><caption class="muted">Sample recipients</caption><thead><tr><th scope="col">Recipient</th><th scope="col">Rendering</th><th scope="col" class="num">Size</th></tr></thead><tbody>' +
      t.recipients.map((r) => `<tr><td>${escapeHtml(r.recipient)}</td><td>${r.error !== undefined ? `<span class="s-fail">does not render:</span> ${escapeHtml(r.error)}` : escapeHtml(r.summary)}</td>` +
        `<td class="num">${r.size === undefined ? '—' : renderedSize(r)}</td></tr>`).join('') +
      '</tbody></table>';
  }
  return { body };
}

function renderedSize(r: RecipientRender): string {
  return `${(Math.ceil(r.size! / 102.4) / 10).toFixed(1)} KB${r.clipped ? ' <span class="s-fail">clipped</span>' : ''}`;
}

/** Findings listed per item, and in the whole page: the rest are counted, and all are in `--format json`. */
const FINDINGS_PER_ITEM = 5;
const FINDINGS_PER_PAGE = 500;
const FULL_ARTICLES = 50;

/** An item, with its first findings while the page's budget for them lasts; `compact` leaves out a list that would name none. */
function checklistItem(item: ChecklistItem, budget: { findings: number }, compact: boolean): string {
  const listed = item.findings.slice(0, Math.min(FINDINGS_PER_ITEM, budget.findings));
  budget.findings -= listed.length;
  const rest = item.findings.length - listed.length;
  const findings = item.findings.length && !(compact && listed.length === 0)
    ? `<details><summary>${item.findings.length} finding${item.findings.length === 1 ? '' : 's'}</summary><ul class="findings">${listed.map((f) =>
      `<li><a href="${escapeHtml(f.link)}">${escapeHtml(f.path)}:${f.range.start.line + 1}</a> <span class="muted">${escapeHtml(f.rule)}</span>: ${escapeHtml(f.message)}</li>`).join('')}` +
      `${rest > 0 ? `<li>and ${rest} more (every finding is in <code>--format json</code> and <code>mergewise check</code>)</li>` : ''}</ul></details>`
    : '';
  return `<li>${statusBadge(item.status)} ${escapeHtml(item.title)} <span class="muted">(${escapeHtml(item.detail)})</span>${findings}</li>`;
}

function noticeSection(report: SendReadinessReport): string {
  return section('notices', 'Notices', `<ul>${report.notices.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
}

/** The template's element id: stable and unique in the page. */
export function anchor(t: { path: string }): string {
  return `t-${t.path.replace(/[^A-Za-z0-9_-]+/g, '-')}-${hash(t.path)}`;
}

function hash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
