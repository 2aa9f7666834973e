/** The report as a short markdown summary for a pull-request comment, with the baseline's delta when given. Pure. */
import { QUADRANTS } from '../../../../protocol/src/quadrants';
import { countNoun, type BaselineDelta } from './baseline';
import { QUADRANT_ORDER, RUNGS, type SendReadinessReport } from './model';

const MAX_LISTED = 10;

export function reportMarkdown(report: SendReadinessReport, baseline?: BaselineDelta): string {
  const { overall } = report;
  const lines: string[] = ['### Mergewise send-readiness', ''];
  lines.push(`**${overall.ready} of ${overall.templates}** templates ready to send · checklist items: ${overall.items.pass} pass, ${overall.items.warning} warning, ${overall.items.fail} fail`);
  if (baseline) {
    lines.push('', `**${baseline.sentence}** (ready: ${baseline.ready.before} → ${baseline.ready.after})`);
    const worse = baseline.templates.filter((t) => t.direction === 'worse' || t.direction === 'mixed' || t.change === 'added');
    const better = baseline.templates.filter((t) => t.direction === 'better' && t.change === 'changed');
    const describe = (t: BaselineDelta['templates'][number]) => `\`${t.path}\`${t.change !== 'changed' ? ` (${t.change})` : ''}: ` +
      (t.counts.map((c) => `${c.after > c.before ? '+' : '−'}${countNoun(c.key, Math.abs(c.after - c.before))}`).join(', ') || 'checklist changed');
    if (worse.length) lines.push('', 'Worse or new:', ...worse.slice(0, MAX_LISTED).map((t) => `- ${describe(t)}`), ...(worse.length > MAX_LISTED ? [`- and ${worse.length - MAX_LISTED} more`] : []));
    if (better.length) lines.push('', 'Better:', ...better.slice(0, MAX_LISTED).map((t) => `- ${describe(t)}`), ...(better.length > MAX_LISTED ? [`- and ${better.length - MAX_LISTED} more`] : []));
  }
  const failing = report.templates.filter((t) => t.state === 'skipped' || t.checklist.some((i) => i.status === 'fail'));
  if (failing.length) {
    lines.push('', '| Not ready | Failing items |', '| --- | --- |');
    for (const t of failing.slice(0, MAX_LISTED)) {
      const items = t.state === 'skipped' ? `not checked: ${t.problem ?? ''}` : t.checklist.filter((i) => i.status === 'fail').map((i) => `${i.title} (${i.detail})`).join('; ');
      lines.push(`| \`${cell(t.path)}\` | ${cell(items)} |`);
    }
    if (failing.length > MAX_LISTED) lines.push(`| and ${failing.length - MAX_LISTED} more | |`);
  }
  lines.push('', `Quadrants: ${QUADRANT_ORDER.map((id) => `${QUADRANTS[id].name} ${overall.quadrants[id]}`).join(' · ')}`);
  lines.push(`Maturity: ${RUNGS.map((rung) => `${rung} ${overall.maturity[rung]}`).join(' · ')}`);
  const incomplete = report.purposes.filter((p) => !p.complete);
  if (incomplete.length) lines.push(`Incomplete purposes: ${incomplete.map((p) => `\`${p.id}\` (lacks ${p.missing.join(', ')})`).join(', ')}`);
  for (const a of report.audience) {
    if (a.state === 'unreadable' || a.state === 'old') lines.push(`Audience snapshot ${a.file}: ${a.state}${a.note ? `: ${a.note}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
