/**
 * The audience report's shape (`mergewise audience --format json`), and its committed snapshot
 * `mergewise.audience.json`: the same aggregates, counts and shares only, never a row value. The
 * reader is strict: a key it does not know is refused, so no row value can ride along in one.
 */
import type { Range } from '../model';

export const AUDIENCE_SNAPSHOT_FILE_NAME = 'mergewise.audience.json';

export interface AudienceReport {
  source: { description: string; rows: number; takenAt: string };
  fields: Record<string, FieldCoverage>;
  templates: TemplateCoverage[];
  /** Schema fields no column holds, with why. */
  unmappedFields?: { field: string; reason: string }[];
  /** Columns of the source no field reads. */
  unusedColumns?: string[];
  /** Rows the source could not read: the count, and where the first ones are (file and line). */
  malformedRows?: { count: number; first: { file: string; line: number }[] };
}

export interface FieldCoverage {
  column: string;
  filled: number;
  fillRate: number;
  stale: number;
  staleShare: number;
  /** Filled values that do not read as the field's type (text in a date field). */
  unparsable?: number;
  /** For a field with `maxAgeDays`: filled values with no readable updated-at date. */
  staleUnknown?: number;
}

export interface TemplateCoverage {
  path: string;
  recipients: number;
  seeFallback: number;
  seeBlank: number;
  seeStale: number;
  /** Null when a condition around an abort could not be translated. */
  aborted: number | null;
  branches: { range: Range; condition: string; share: number | null }[];
  untranslated: { range: Range; condition: string; reason: string }[];
  /** Fields the template shows that no column holds. */
  unmeasuredFields?: string[];
  /** The see* shares are upper bounds: a condition around some use could not be translated. */
  approximate?: boolean;
}

/** The snapshot's text: the report, two-space indented, with a final newline. */
export function snapshotText(report: AudienceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export type SnapshotResult = { ok: true; snapshot: AudienceReport } | { ok: false; error: string };

class Invalid extends Error {}

/** Reads and checks a `mergewise.audience.json` text. Never throws. */
export function loadAudienceSnapshot(text: string): SnapshotResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${AUDIENCE_SNAPSHOT_FILE_NAME} is not valid JSON (${(error as Error).message}).` };
  }
  try {
    return { ok: true, snapshot: readReport(data) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: `${AUDIENCE_SNAPSHOT_FILE_NAME}: ${error.message}` };
    throw error;
  }
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string, required: string[], optional: string[] = []): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(`${where} must be an object.`);
  const known = new Set([...required, ...optional]);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new Invalid(`${where} has an unknown key "${key.slice(0, 60)}": a snapshot holds aggregates only.`);
  }
  for (const key of required) if (!(key in value)) throw new Invalid(`${where} lacks "${key}".`);
  return value as Json;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Invalid(`${where} must be a string.`);
  return value;
}

function count(value: unknown, where: string, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Invalid(`${where} must be a whole number of rows, 0 or more.`);
  if (max !== undefined && value > max) throw new Invalid(`${where} (${value}) is more than the source's ${max} rows.`);
  return value;
}

function share(value: unknown, where: string, nullable = false): number | null {
  if (nullable && value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new Invalid(`${where} must be a share from 0 to 1${nullable ? ', or null' : ''}.`);
  return value;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(`${where} must be a list.`);
  return value;
}

function range(value: unknown, where: string): Range {
  const r = object(value, where, ['start', 'end']);
  const position = (p: unknown, w: string) => {
    const o = object(p, w, ['line', 'character']);
    return { line: count(o.line, `${w}.line`), character: count(o.character, `${w}.character`) };
  };
  return { start: position(r.start, `${where}.start`), end: position(r.end, `${where}.end`) };
}

function readReport(data: unknown): AudienceReport {
  const root = object(data, 'the snapshot', ['source', 'fields', 'templates'], ['unmappedFields', 'unusedColumns', 'malformedRows']);
  const sourceNode = object(root.source, 'source', ['description', 'rows', 'takenAt']);
  const rows = count(sourceNode.rows, 'source.rows');
  const takenAt = string(sourceNode.takenAt, 'source.takenAt');
  if (Number.isNaN(Date.parse(takenAt))) throw new Invalid('source.takenAt must be a date (ISO 8601).');
  const report: AudienceReport = { source: { description: string(sourceNode.description, 'source.description'), rows, takenAt }, fields: {}, templates: [] };

  const fields = object(root.fields, 'fields', [], Object.keys(root.fields ?? {}));
  for (const [path, value] of Object.entries(fields)) {
    const where = `fields["${path.slice(0, 60)}"]`;
    const f = object(value, where, ['column', 'filled', 'fillRate', 'stale', 'staleShare'], ['unparsable', 'staleUnknown']);
    const coverage: FieldCoverage = {
      column: string(f.column, `${where}.column`),
      filled: count(f.filled, `${where}.filled`, rows),
      fillRate: share(f.fillRate, `${where}.fillRate`)!,
      stale: count(f.stale, `${where}.stale`, rows),
      staleShare: share(f.staleShare, `${where}.staleShare`)!,
    };
    if (f.unparsable !== undefined) coverage.unparsable = count(f.unparsable, `${where}.unparsable`, rows);
    if (f.staleUnknown !== undefined) coverage.staleUnknown = count(f.staleUnknown, `${where}.staleUnknown`, rows);
    report.fields[path] = coverage;
  }

  array(root.templates, 'templates').forEach((value, i) => {
    const where = `templates[${i}]`;
    const t = object(value, where, ['path', 'recipients', 'seeFallback', 'seeBlank', 'seeStale', 'aborted', 'branches', 'untranslated'], ['unmeasuredFields', 'approximate']);
    const template: TemplateCoverage = {
      path: string(t.path, `${where}.path`),
      recipients: count(t.recipients, `${where}.recipients`, rows),
      seeFallback: share(t.seeFallback, `${where}.seeFallback`)!,
      seeBlank: share(t.seeBlank, `${where}.seeBlank`)!,
      seeStale: share(t.seeStale, `${where}.seeStale`)!,
      aborted: share(t.aborted, `${where}.aborted`, true),
      branches: array(t.branches, `${where}.branches`).map((b, j) => {
        const w = `${where}.branches[${j}]`;
        const branch = object(b, w, ['range', 'condition', 'share']);
        return { range: range(branch.range, `${w}.range`), condition: string(branch.condition, `${w}.condition`), share: share(branch.share, `${w}.share`, true) };
      }),
      untranslated: array(t.untranslated, `${where}.untranslated`).map((u, j) => {
        const w = `${where}.untranslated[${j}]`;
        const entry = object(u, w, ['range', 'condition', 'reason']);
        return { range: range(entry.range, `${w}.range`), condition: string(entry.condition, `${w}.condition`), reason: string(entry.reason, `${w}.reason`) };
      }),
    };
    if (t.unmeasuredFields !== undefined) template.unmeasuredFields = array(t.unmeasuredFields, `${where}.unmeasuredFields`).map((s, j) => string(s, `${where}.unmeasuredFields[${j}]`));
    if (t.approximate !== undefined) {
      if (typeof t.approximate !== 'boolean') throw new Invalid(`${where}.approximate must be true or false.`);
      template.approximate = t.approximate;
    }
    report.templates.push(template);
  });

  if (root.unmappedFields !== undefined) {
    report.unmappedFields = array(root.unmappedFields, 'unmappedFields').map((u, i) => {
      const entry = object(u, `unmappedFields[${i}]`, ['field', 'reason']);
      return { field: string(entry.field, `unmappedFields[${i}].field`), reason: string(entry.reason, `unmappedFields[${i}].reason`) };
    });
  }
  if (root.unusedColumns !== undefined) report.unusedColumns = array(root.unusedColumns, 'unusedColumns').map((s, i) => string(s, `unusedColumns[${i}]`));
  if (root.malformedRows !== undefined) {
    const m = object(root.malformedRows, 'malformedRows', ['count', 'first']);
    report.malformedRows = {
      count: count(m.count, 'malformedRows.count'),
      first: array(m.first, 'malformedRows.first').map((e, i) => {
        const entry = object(e, `malformedRows.first[${i}]`, ['file', 'line']);
        return { file: string(entry.file, `malformedRows.first[${i}].file`), line: count(entry.line, `malformedRows.first[${i}].line`) };
      }),
    };
  }
  return report;
}
