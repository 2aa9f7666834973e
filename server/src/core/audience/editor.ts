/**
 * What the editor and `mergewise check` tell from a committed `mergewise.audience.json`, as plain
 * data and words: a field's fill rate in its hover, how many recipients a missing fallback leaves
 * blank, branches almost nobody takes (`rare-branch`), a template's coverage for the status bar,
 * and notes on the snapshot itself (unreadable, or old). Pure: the snapshot's text is read by the
 * caller (`SchemaIndex.audienceFor`), and the clock is given.
 *
 * A snapshot was measured from the templates as they were then. A branch is matched by its range
 * and its condition's text; when the text at that range is not the same any more, nothing is said.
 */
import type { Dialect, TemplateScan } from '../dialects/dialect';
import { AUDIENCE_SNAPSHOT, type Diagnostic, type Span } from '../model';
import { LineIndex } from '../positions';
import type { FieldSpec, Schema } from '../schema/types';
import { templateConditionals, type BranchCondition } from './conditions';
import { AUDIENCE_SNAPSHOT_FILE_NAME, loadAudienceSnapshot, type AudienceReport, type FieldCoverage, type TemplateCoverage } from './snapshot';

export const DEFAULT_RARE_BRANCH_SHARE = 0.001;
export const DEFAULT_MAX_SNAPSHOT_AGE_DAYS = 30;

/** The snapshot beside one `mergewise.json`: read, or why it could not be. */
export interface LoadedAudience {
  /** Absolute path of `mergewise.audience.json`. */
  file: string;
  snapshot?: AudienceReport;
  error?: string;
}

/** Reads a snapshot's text (undefined when there is no file). Never throws. */
export function readAudience(file: string, text: string | undefined, readError?: string): LoadedAudience | undefined {
  if (readError !== undefined) return { file, error: `${AUDIENCE_SNAPSHOT_FILE_NAME} could not be read: ${readError}` };
  if (text === undefined) return undefined;
  const loaded = loadAudienceSnapshot(text);
  return loaded.ok ? { file, snapshot: loaded.snapshot } : { file, error: loaded.error };
}

/** What one template's analysis knows from the snapshot. */
export interface TemplateAudience {
  source: AudienceReport['source'];
  fields: Record<string, FieldCoverage>;
  /** The template's own measurement, when the snapshot has one for its path. */
  template?: TemplateCoverage;
  rareBranchShare: number;
}

/** The snapshot's view of the template at `relativePath` (relative to mergewise.json's folder, `/` separators). */
export function templateAudience(loaded: LoadedAudience | undefined, schema: Schema | undefined, relativePath: string): TemplateAudience | undefined {
  const snapshot = loaded?.snapshot;
  if (!snapshot || !schema) return undefined;
  return {
    source: snapshot.source,
    fields: snapshot.fields,
    template: snapshot.templates.find((t) => t.path === relativePath),
    rareBranchShare: schema.audience?.rareBranchShare ?? DEFAULT_RARE_BRANCH_SHARE,
  };
}

/** `1,204,332`. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** `23.4%`, `0.02%`: one decimal from 1% up, two significant digits below. */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent === 0) return '0%';
  const shown = percent >= 1 ? Number(percent.toFixed(1)) : Number(percent.toPrecision(2));
  return `${shown}%`;
}

/** `2026-11-30`, the day the snapshot was taken (UTC). */
export function audienceDate(takenAt: string): string {
  const date = new Date(takenAt);
  return Number.isNaN(date.getTime()) ? takenAt : date.toISOString().slice(0, 10);
}

/**
 * A field's line in its hover: "empty for 23.4% of 1,204,332 recipients (audience of 2026-11-30)",
 * and its stale share when it goes stale. Undefined when the snapshot did not measure it.
 */
export function fieldCoverageText(audience: TemplateAudience | undefined, field: FieldSpec): string | undefined {
  const coverage = audience?.fields[field.path];
  if (!audience || !coverage) return undefined;
  const { rows, takenAt } = audience.source;
  let text = `empty for ${formatShare(1 - coverage.fillRate)} of ${formatCount(rows)} recipients`;
  if (field.maxAgeDays !== undefined && coverage.stale > 0) text += `, stale for ${formatShare(coverage.staleShare)}`;
  return `${text} (audience of ${audienceDate(takenAt)})`;
}

/**
 * For `missing-fallback`: how many recipients have no value for the field, by its fill rate:
 * "281,834 recipients (23.4%) would see a blank (audience of 2026-11-30)". Undefined when not measured
 * or when every recipient has it.
 */
export function blankCountText(audience: TemplateAudience | undefined, fieldPath: string): string | undefined {
  const coverage = audience?.fields[fieldPath];
  if (!audience || !coverage) return undefined;
  const empty = audience.source.rows - coverage.filled;
  if (empty <= 0) return undefined;
  return `${formatCount(empty)} recipient${empty === 1 ? '' : 's'} (${formatShare(1 - coverage.fillRate)}) would see a blank (audience of ${audienceDate(audience.source.takenAt)})`;
}

/** The template's branches with their conditions, found as `mergewise audience` found them. */
export function templateBranches(dialect: Dialect, text: string, scan: TemplateScan): BranchCondition[] {
  return templateConditionals(dialect.id, text, scan).flatMap((conditional) => conditional.conditions);
}

export interface RareBranch {
  span: Span;
  message: string;
}

/**
 * Branches the snapshot measured below the template's `rareBranchShare`, matched to the template as
 * it is now by range and condition text. A branch whose text changed since is left out: nothing is
 * guessed. Cheap when the snapshot has no rare branch for the template.
 */
export function rareBranches(audience: TemplateAudience | undefined, dialect: Dialect, text: string, scan: TemplateScan): RareBranch[] {
  const measured = audience?.template;
  if (!audience || !measured) return [];
  const rare = measured.branches.filter((b) => b.share !== null && b.share < audience.rareBranchShare);
  if (rare.length === 0) return [];
  const lines = new LineIndex(text);
  const byRange = new Map<string, BranchCondition>();
  for (const branch of templateBranches(dialect, text, scan)) byRange.set(rangeKey(lines.range(branch.tagSpan)), branch);
  const { rows, takenAt } = audience.source;
  const found: RareBranch[] = [];
  for (const branch of rare) {
    const now = byRange.get(rangeKey(branch.range));
    if (!now || now.display !== branch.condition) continue;
    const share = branch.share!;
    const taken = Math.round(share * rows);
    found.push({
      span: now.tagSpan,
      message: `Taken by ${formatShare(share)} of recipients (${formatCount(taken)} of ${formatCount(rows)}, audience of ${audienceDate(takenAt)}): ` +
        'content almost nobody reads. Check the condition, or drop the branch.',
    });
  }
  return found.sort((a, b) => a.span.start - b.span.start);
}

function rangeKey(range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  return `${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}`;
}

/**
 * Notes on the snapshot, reported on `mergewise.json` (once, not on every template): why it cannot
 * be read (a warning: coverage is not shown until it is fixed), or that it is older than
 * `audience.maxSnapshotAgeDays` (information). `span` is where in mergewise.json to put them.
 */
export function snapshotNotes(loaded: LoadedAudience | undefined, schema: Schema | undefined, now: Date, span: Span): Diagnostic[] {
  if (!loaded) return [];
  if (loaded.error !== undefined) {
    return [{
      rule: AUDIENCE_SNAPSHOT, severity: 'warning', span,
      message: `${loaded.error} Audience coverage is not shown until it is fixed, or measured again with \`mergewise audience --data SOURCE --snapshot\`.`,
    }];
  }
  const age = snapshotAgeDays(loaded, now);
  const maxDays = schema?.audience?.maxSnapshotAgeDays ?? DEFAULT_MAX_SNAPSHOT_AGE_DAYS;
  if (age === undefined || age <= maxDays) return [];
  return [{
    rule: AUDIENCE_SNAPSHOT, severity: 'information', span,
    message: `${AUDIENCE_SNAPSHOT_FILE_NAME} was taken on ${audienceDate(loaded.snapshot!.source.takenAt)}, ${Math.floor(age)} days ago (more than ${maxDays}, "audience": {"maxSnapshotAgeDays"}): ` +
      'its shares may no longer hold. Measure again with `mergewise audience --data SOURCE --snapshot`.',
  }];
}

function snapshotAgeDays(loaded: LoadedAudience, now: Date): number | undefined {
  const taken = Date.parse(loaded.snapshot?.source.takenAt ?? '');
  return Number.isNaN(taken) ? undefined : (now.getTime() - taken) / 86_400_000;
}

/** A template's coverage as the status bar shows it. */
export interface CoverageSummary {
  /** The day the snapshot was taken. */
  date: string;
  rows: number;
  /** Older than `audience.maxSnapshotAgeDays`. */
  old: boolean;
  /** Undefined when the snapshot has no measurement of this template. */
  template?: { recipients: number; seeFallback: number; seeBlank: number; seeStale: number; aborted: number | null; approximate: boolean };
}

/** What the snapshot says for one document: `audience` is its analysis's view (undefined for a file it did not measure). */
export function coverageSummary(loaded: LoadedAudience | undefined, audience: TemplateAudience | undefined, schema: Schema | undefined, now: Date): CoverageSummary | undefined {
  const snapshot = loaded?.snapshot;
  if (!snapshot) return undefined;
  const maxDays = schema?.audience?.maxSnapshotAgeDays ?? DEFAULT_MAX_SNAPSHOT_AGE_DAYS;
  const age = snapshotAgeDays(loaded, now);
  const t = audience?.template;
  const summary: CoverageSummary = { date: audienceDate(snapshot.source.takenAt), rows: snapshot.source.rows, old: age !== undefined && age > maxDays };
  if (t) summary.template = { recipients: t.recipients, seeFallback: t.seeFallback, seeBlank: t.seeBlank, seeStale: t.seeStale, aborted: t.aborted, approximate: t.approximate ?? false };
  return summary;
}
