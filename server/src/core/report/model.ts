/**
 * The send-readiness report (`mergewise report`) as plain data: what `--format json` writes, what
 * the HTML and markdown are rendered from, and what `--baseline` compares. Paths are relative to
 * the folder the command ran in, with `/` separators; `link`s are relative to the report's folder
 * (`../emails/a.liquid#L12`); ranges are 0-based, as in `check --format json`.
 */
import type { QuadrantId } from '../../../../protocol/src/quadrants';
import type { Range, Severity } from '../model';

export const REPORT_VERSION = 1;

export type ItemStatus = 'pass' | 'fail' | 'warning';

/** The checklist's items, in the order shown. An item whose rules do not exist, or that cannot apply, is left out. */
export type ChecklistItemId =
  | 'parses' | 'fallbacks' | 'known-fields' | 'no-surveillance' | 'recipients-render' | 'fresh-data'
  | 'safe-links' | 'safe-subject' | 'under-clipping' | 'partials-resolve';

export interface ReportFinding {
  rule: string;
  severity: Severity;
  message: string;
  /** The file the finding is in (a partial's, for a finding there). */
  path: string;
  range: Range;
  /** `path` relative to the report's folder, with `#L` and the 1-based line. */
  link: string;
}

export interface ChecklistItem {
  id: ChecklistItemId;
  title: string;
  status: ItemStatus;
  /** What the status rests on, in words: "3 fields without a fallback", "all 4 recipients render". */
  detail: string;
  /** The rules the item reads (empty for the ones read from previews). */
  rules: string[];
  findings: ReportFinding[];
}

export type QuadrantCounts = Record<QuadrantId, number>;

export const RUNGS = ['basic', 'segmented', 'behavioral', 'predictive'] as const;
export type Rung = (typeof RUNGS)[number];

export interface Maturity {
  rung: Rung;
  /** Why this rung: the field or branch that put the template there. */
  reason: string;
  field?: string;
  range?: Range;
  link?: string;
}

export interface RecipientRender {
  recipient: string;
  /** The recipient file, relative. */
  file: string;
  /** "1 fallback, 0 blanks, 0 stale", or what stopped the rendering. */
  summary: string;
  counts: { fallback: number; blank: number; stale: number; raw: number };
  size?: number;
  clipped?: boolean;
  aborted?: string;
  error?: string;
}

export interface TemplateAudienceReport {
  recipients: number;
  seeFallback: number;
  seeBlank: number;
  seeStale: number;
  approximate: boolean;
  rareBranches: { message: string; range: Range; link: string }[];
}

export type TemplateState =
  /** Read and analysed (it may still have syntax errors: see the `parses` item). */
  | 'analysed'
  /** Not read: too large, binary or unreadable (`problem` says which). */
  | 'skipped';

export interface TemplateReport {
  path: string;
  link: string;
  state: TemplateState;
  problem?: string;
  dialect: string | null;
  /** The `mergewise.json` that governs it, relative; null when none does (only syntax is checked). */
  schema: string | null;
  /** Included by other templates: a partial, judged through them and not previewed alone. */
  partial: boolean;
  checklist: ChecklistItem[];
  /** Findings per rule, over every rule (what `--baseline` compares). */
  findingCounts: Record<string, number>;
  quadrants: QuadrantCounts;
  maturity: Maturity;
  recipients: RecipientRender[];
  /** What the audience snapshot measured for it, when there is one that measured it. */
  audience?: TemplateAudienceReport;
}

export interface PurposeReport {
  id: string;
  /** The `mergewise.json` it is declared in, relative. */
  schema: string;
  segment: string | null;
  tactic: string | null;
  metric: string | null;
  description: string | null;
  fields: string[];
  /** Its `templates` globs, as written. */
  globs: string[];
  /** The report's templates it applies to (by a glob or a directive). */
  templates: string[];
  complete: boolean;
  /** What it lacks, when incomplete: segment, tactic, metric. */
  missing: string[];
}

export type SnapshotState = 'current' | 'old' | 'unreadable' | 'missing';

export interface AudienceSection {
  schema: string;
  /** The snapshot's path, relative. */
  file: string;
  state: SnapshotState;
  /** For `unreadable`: why; for `old`: how old. */
  note?: string;
  takenAt?: string;
  rows?: number;
  source?: string;
}

export interface PreviewSampling {
  /** Templates whose previews are in the HTML. */
  shown: number;
  /** Templates that could be previewed (not partials, not skipped, with a schema and recipients). */
  previewable: number;
  sampled: boolean;
  /** Said in the report when sampled or when frames were left out to stay under the size limit. */
  note?: string;
}

export interface SendReadinessReport {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  /** What the command was given, as given. */
  paths: string[];
  templates: TemplateReport[];
  overall: {
    templates: number;
    /** Templates with no failing item. */
    ready: number;
    items: Record<ItemStatus, number>;
    findingCounts: Record<string, number>;
    quadrants: QuadrantCounts;
    maturity: Record<Rung, number>;
  };
  purposes: PurposeReport[];
  audience: AudienceSection[];
  previews: PreviewSampling;
  /** Files skipped, recipient files that could not be read, schemas that could not be loaded. */
  notices: string[];
}

export function emptyQuadrants(): QuadrantCounts {
  return { 'expected-helpful': 0, 'expected-unhelpful': 0, 'unexpected-helpful': 0, 'unexpected-unhelpful': 0 };
}

export const QUADRANT_ORDER: QuadrantId[] = ['expected-helpful', 'unexpected-helpful', 'expected-unhelpful', 'unexpected-unhelpful'];
