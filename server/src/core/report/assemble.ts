/** The report's workspace-wide parts: purposes, totals, preview sampling. Pure. */
import { matchesGlob } from '../purposes';
import { isCompletePurpose, type Schema } from '../schema/types';
import {
  emptyQuadrants, REPORT_VERSION, RUNGS, type AudienceSection, type PreviewSampling, type PurposeReport, type Rung, type SendReadinessReport, type TemplateReport,
} from './model';

/** A template as purposes see it: its path relative to its mergewise.json, and the purposes its directives name. */
export interface PurposeTemplate {
  /** As the report shows it. */
  path: string;
  relativePath: string;
  directives: string[];
}

/** Every purpose `schema` declares, with the report's templates it applies to; incomplete ones say what they lack. */
export function purposeReports(schema: Schema, schemaPath: string, templates: PurposeTemplate[]): PurposeReport[] {
  return [...schema.purposes.values()].map((purpose) => {
    const missing = (['segment', 'tactic', 'metric'] as const).filter((part) => !purpose[part]?.trim());
    return {
      id: purpose.id,
      schema: schemaPath,
      segment: purpose.segment ?? null,
      tactic: purpose.tactic ?? null,
      metric: purpose.metric ?? null,
      description: purpose.description ?? null,
      fields: [...purpose.fields],
      globs: [...purpose.templates],
      templates: templates
        .filter((t) => t.directives.includes(purpose.id) || purpose.templates.some((glob) => matchesGlob(glob, t.relativePath)))
        .map((t) => t.path),
      complete: isCompletePurpose(purpose),
      missing,
    };
  });
}

/** How many templates get previews in the HTML: all of the first `full`, then an even sample of at most `sampled` more. */
export function previewSelection(previewable: number, full = 50, sampled = 25): {
  chosen: (index: number) => boolean;
  /** The sampling as it turned out: of those chosen, a partial or a template that could not be rendered shows no preview. */
  shownWas: (shown: number) => PreviewSampling;
} {
  if (previewable <= full) return { chosen: () => true, shownWas: (shown) => ({ shown, previewable, sampled: false }) };
  const rest = previewable - full;
  // Always a sample: at least every other one.
  const step = Math.max(2, Math.ceil(rest / sampled));
  return {
    chosen: (index) => index < full || (index - full) % step === 0,
    shownWas: (shown) => ({
      shown, previewable, sampled: true,
      note: `Previews are shown for the first ${full} templates and for every ${ordinal(step)} one after them (${shown} of ${previewable}), to keep this file under 5 MB. ` +
        'Every template was still rendered for every sample recipient: the checklists cover them all.',
    }),
  };
}

function ordinal(n: number): string {
  if (n === 1) return '';
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

export interface ReportParts {
  generatedAt: Date;
  paths: string[];
  templates: TemplateReport[];
  purposes: PurposeReport[];
  audience: AudienceSection[];
  previews: PreviewSampling;
  notices: string[];
}

export function assembleReport(parts: ReportParts): SendReadinessReport {
  const quadrants = emptyQuadrants();
  const maturity = Object.fromEntries(RUNGS.map((rung) => [rung, 0])) as Record<Rung, number>;
  const items = { pass: 0, fail: 0, warning: 0 };
  const findingCounts: Record<string, number> = {};
  let ready = 0;
  for (const template of parts.templates) {
    for (const [quadrant, count] of Object.entries(template.quadrants)) quadrants[quadrant as keyof typeof quadrants] += count;
    maturity[template.maturity.rung]++;
    for (const item of template.checklist) items[item.status]++;
    for (const [rule, count] of Object.entries(template.findingCounts)) findingCounts[rule] = (findingCounts[rule] ?? 0) + count;
    if (template.state === 'analysed' && !template.checklist.some((item) => item.status === 'fail')) ready++;
  }
  return {
    version: REPORT_VERSION,
    generatedAt: parts.generatedAt.toISOString(),
    paths: parts.paths,
    templates: parts.templates,
    overall: { templates: parts.templates.length, ready, items, findingCounts, quadrants, maturity },
    purposes: parts.purposes,
    audience: parts.audience,
    previews: parts.previews,
    notices: parts.notices,
  };
}

/** The exit code: 1 when some template has a failing item or could not be read, else 0. */
export function reportExitCode(report: SendReadinessReport): number {
  return report.templates.some((t) => t.state === 'skipped' || t.checklist.some((item) => item.status === 'fail')) ? 1 : 0;
}
