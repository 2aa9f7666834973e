/**
 * Plain data types shared by the whole analysis core.
 *
 * Invariants:
 * - Offsets index the template string, so they count UTF-16 code units (as LSP does).
 * - Positions are 0-based lines and characters, as in LSP and the JSON output.
 * - Nothing here knows about LSP, VS Code or the file system.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A half-open span [start, end) of UTF-16 offsets into a text. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';
/** What a rule may be set to, in `mergewise.json`, the editor's settings and `--rule`. */
export const SEVERITY_SETTINGS = ['error', 'warning', 'information', 'hint', 'off'] as const;
export type SeveritySetting = (typeof SEVERITY_SETTINGS)[number];

export const RULE_IDS = [
  'syntax-error',
  'unknown-field',
  'missing-fallback',
  'subject-fallback',
  'broken-link-field',
  'unencoded-url-field',
  'unescaped-field',
  'quadrant-unexpected-unhelpful',
  'quadrant-unexpected-helpful',
  'quadrant-expected-unhelpful',
  'sensitive-data',
  'stale-data',
  'deprecated-field',
  'type-mismatch',
  'purpose-incomplete',
  'schema-proposal',
  'duplicate-branches',
  'rare-branch',
  'unknown-partial',
  'partial-cycle',
  'partial-parameter',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** Problems in `mergewise.json` itself that are not one of the rules: bad JSON, wrong types. */
export const SCHEMA_ERROR = 'schema-error';
/** A rule that threw: reported on the file so that one broken rule never hides the others. */
export const INTERNAL_ERROR = 'internal-error';

/** Notes on `mergewise.audience.json` beside `mergewise.json`: unreadable, or older than `audience.maxSnapshotAgeDays`. */
export const AUDIENCE_SNAPSHOT = 'audience-snapshot';

export type DiagnosticCode = RuleId | typeof SCHEMA_ERROR | typeof INTERNAL_ERROR | typeof AUDIENCE_SNAPSHOT;

export type DiagnosticTag = 'deprecated' | 'unnecessary';

export interface Diagnostic {
  rule: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  /** The schema field this is about, when there is one. */
  field?: string;
  tags?: DiagnosticTag[];
  /** Machine-readable extras that quick fixes need (e.g. suggested names). */
  data?: DiagnosticData;
  /** In a partial: the sending templates the finding affects (absolute paths). */
  includedBy?: string[];
}

export interface DiagnosticData {
  suggestions?: string[];
  fallback?: string | null;
}
