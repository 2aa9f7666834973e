/**
 * `--baseline OLD.json`: what got better or worse since an earlier report, per template and
 * overall, from the reports' `findingCounts`, checklist statuses, rungs and quadrant counts. Pure.
 */
import type { QuadrantId } from '../../../../protocol/src/quadrants';
import { QUADRANT_ORDER, RUNGS, type ChecklistItemId, type ItemStatus, type Rung, type SendReadinessReport } from './model';

/** Besides rule ids, `findingCounts` has these: recipients whose rendering failed, renderings Gmail clips. */
export const RENDER_ERROR_COUNT = 'render-error';
export const CLIPPED_COUNT = 'clipped-rendering';

const NOUNS: Record<string, [string, string]> = {
  'missing-fallback': ['missing fallback', 'missing fallbacks'],
  'quadrant-unexpected-unhelpful': ['surveillance-quadrant use', 'surveillance-quadrant uses'],
  'quadrant-expected-unhelpful': ['self-centered-flex use', 'self-centered-flex uses'],
  'quadrant-unexpected-helpful': ['genuine-delight use', 'genuine-delight uses'],
  'unknown-field': ['unknown field', 'unknown fields'],
  'stale-data': ['stale-data use', 'stale-data uses'],
  'syntax-error': ['syntax error', 'syntax errors'],
  'sensitive-data': ['sensitive-data use', 'sensitive-data uses'],
  'broken-link-field': ['broken link', 'broken links'],
  'unencoded-url-field': ['unencoded URL field', 'unencoded URL fields'],
  'unescaped-field': ['unescaped field', 'unescaped fields'],
  'subject-fallback': ['subject without a fallback', 'subjects without a fallback'],
  'unknown-partial': ['unresolved partial', 'unresolved partials'],
  'partial-cycle': ['partial cycle', 'partial cycles'],
  [RENDER_ERROR_COUNT]: ['recipient that fails to render', 'recipients that fail to render'],
  [CLIPPED_COUNT]: ['rendering Gmail clips', 'renderings Gmail clips'],
};

/** "3 missing fallbacks", "1 deprecated-field finding". */
export function countNoun(key: string, count: number): string {
  const noun = NOUNS[key] ?? [`${key} finding`, `${key} findings`];
  return `${count} ${count === 1 ? noun[0] : noun[1]}`;
}

export interface CountChange {
  key: string;
  before: number;
  after: number;
}

export interface TemplateDelta {
  path: string;
  change: 'added' | 'removed' | 'changed';
  counts: CountChange[];
  items: { id: ChecklistItemId; before: ItemStatus | null; after: ItemStatus | null }[];
  rung?: { before: Rung; after: Rung };
  /** Better, worse or mixed, by counts and statuses. */
  direction: 'better' | 'worse' | 'mixed';
}

export interface BaselineDelta {
  baselineGeneratedAt: string;
  /** "This change adds 2 surveillance-quadrant uses and fixes 5 missing fallbacks." */
  sentence: string;
  counts: CountChange[];
  quadrants: { quadrant: QuadrantId; before: number; after: number }[];
  rungs: { rung: Rung; before: number; after: number }[];
  ready: { before: number; after: number };
  templates: TemplateDelta[];
}

export type BaselineRead = { ok: true; report: SendReadinessReport } | { ok: false; error: string };

/** Reads an earlier `--format json` report. Never throws. */
export function readBaseline(text: string): BaselineRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `it is not valid JSON (${(error as Error).message})` };
  }
  const report = data as Partial<SendReadinessReport> | null;
  if (typeof report !== 'object' || report === null || !Array.isArray(report.templates) || typeof report.overall !== 'object' || report.overall === null) {
    return { ok: false, error: 'it is not a report written by `mergewise report --format json` (no "templates" and "overall")' };
  }
  for (const template of report.templates) {
    if (typeof template?.path !== 'string' || typeof template.findingCounts !== 'object' || template.findingCounts === null || !Array.isArray(template.checklist)) {
      return { ok: false, error: 'a template in it has no "path", "findingCounts" or "checklist"' };
    }
  }
  return { ok: true, report: report as SendReadinessReport };
}

function countChanges(before: Record<string, number>, after: Record<string, number>): CountChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .map((key) => ({ key, before: before[key] ?? 0, after: after[key] ?? 0 }))
    .filter((c) => c.before !== c.after);
}

/** Compares the report with an earlier one. */
export function compareReports(before: SendReadinessReport, after: SendReadinessReport): BaselineDelta {
  const counts = countChanges(before.overall.findingCounts ?? {}, after.overall.findingCounts ?? {});
  const old = new Map(before.templates.map((t) => [t.path, t]));
  const templates: TemplateDelta[] = [];
  const seen = new Set<string>();
  for (const now of after.templates) {
    seen.add(now.path);
    const was = old.get(now.path);
    const changes = countChanges(was?.findingCounts ?? {}, now.findingCounts);
    const statuses = new Map<ChecklistItemId, { before: ItemStatus | null; after: ItemStatus | null }>();
    for (const item of was?.checklist ?? []) statuses.set(item.id, { before: item.status, after: null });
    for (const item of now.checklist) statuses.set(item.id, { before: statuses.get(item.id)?.before ?? null, after: item.status });
    const items = [...statuses.entries()].filter(([, s]) => s.before !== s.after && was).map(([id, s]) => ({ id, ...s }));
    const rung = was && was.maturity?.rung !== now.maturity.rung ? { before: was.maturity.rung, after: now.maturity.rung } : undefined;
    if (was && changes.length === 0 && items.length === 0 && !rung) continue;
    templates.push({ path: now.path, change: was ? 'changed' : 'added', counts: changes, items, ...(rung ? { rung } : {}), direction: direction(changes, items) });
  }
  for (const was of before.templates) {
    if (seen.has(was.path)) continue;
    const changes = countChanges(was.findingCounts, {});
    templates.push({ path: was.path, change: 'removed', counts: changes, items: [], direction: direction(changes, []) });
  }
  return {
    baselineGeneratedAt: before.generatedAt,
    sentence: deltaSentence(counts),
    counts,
    quadrants: QUADRANT_ORDER.map((quadrant) => ({ quadrant, before: before.overall.quadrants?.[quadrant] ?? 0, after: after.overall.quadrants[quadrant] }))
      .filter((q) => q.before !== q.after),
    rungs: RUNGS.map((rung) => ({ rung, before: before.overall.maturity?.[rung] ?? 0, after: after.overall.maturity[rung] }))
      .filter((r) => r.before !== r.after),
    ready: { before: before.overall.ready ?? 0, after: after.overall.ready },
    templates,
  };
}

const RANK: Record<ItemStatus, number> = { pass: 0, warning: 1, fail: 2 };

function direction(counts: CountChange[], items: { before: ItemStatus | null; after: ItemStatus | null }[]): 'better' | 'worse' | 'mixed' {
  let better = false;
  let worse = false;
  for (const c of counts) {
    if (c.after < c.before) better = true;
    else worse = true;
  }
  for (const item of items) {
    if (item.before === null || item.after === null) continue;
    if (RANK[item.after] < RANK[item.before]) better = true;
    else if (RANK[item.after] > RANK[item.before]) worse = true;
  }
  return better && worse ? 'mixed' : worse ? 'worse' : better ? 'better' : 'mixed';
}

/** "This change adds 2 surveillance-quadrant uses and fixes 5 missing fallbacks." */
export function deltaSentence(counts: CountChange[]): string {
  const added = counts.filter((c) => c.after > c.before).map((c) => countNoun(c.key, c.after - c.before));
  const fixed = counts.filter((c) => c.after < c.before).map((c) => countNoun(c.key, c.before - c.after));
  if (!added.length && !fixed.length) return 'This change adds and fixes no findings.';
  const parts = [...(added.length ? [`adds ${list(added)}`] : []), ...(fixed.length ? [`fixes ${list(fixed)}`] : [])];
  return `This change ${parts.join(' and ')}.`;
}

function list(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
