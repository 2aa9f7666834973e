/**
 * The coverage query: pure SQL text over a relation (DuckDB's `read_csv(…)`, `read_parquet(…)` or a
 * table), so that it can be emitted for other engines later. One pass: a per-row projection of
 * flags (each field filled, stale, unparsable; each branch condition), then one aggregate row of
 * `count_if`s. Only counts come back; no row value leaves the engine.
 */
import type { FieldColumn, ColumnValue } from './columns';
import { filledSql } from './columns';
import { ConditionRegistry, filledFlag, staleFlag, type Reach, type TemplatePlan } from './plan';
import type { AudienceReport, FieldCoverage, TemplateCoverage } from './snapshot';

export interface CoverageQuery {
  sql: string;
}

export interface CoverageInput {
  /** A SQL relation: `read_csv([...], …)`, a table name. */
  relation: string;
  /** Rows to leave out (malformed JSON lines), as a SQL condition on the relation; optional. */
  where?: string;
  fields: FieldColumn[];
  templates: TemplatePlan[];
  conditions: ConditionRegistry;
  now: Date;
}

const unparsableFlag = (i: number) => `u${i}`;
const staleUnknownFlag = (i: number) => `k${i}`;

/** True when a filled value does not read as the field's type (text in a date field). */
export function unparsableSql(field: FieldColumn): string | undefined {
  if (field.kind !== 'text' && field.kind !== 'json' && field.kind !== 'other') return undefined;
  const cast = { date: 'TIMESTAMPTZ', number: 'DOUBLE', boolean: 'BOOLEAN' }[field.field.type as string];
  if (!cast) return undefined;
  return `(${filledSql(field)} AND TRY_CAST(CAST(${field.sql} AS VARCHAR) AS ${cast}) IS NULL)`;
}

function timestamp(value: ColumnValue): string {
  return value.kind === 'date' ? `CAST(${value.sql} AS TIMESTAMPTZ)` : `TRY_CAST(CAST(${value.sql} AS VARCHAR) AS TIMESTAMPTZ)`;
}

export function buildCoverageQuery(input: CoverageInput): CoverageQuery {
  const now = input.now.toISOString();
  const flags: string[] = [];
  const aggregates: string[] = ['count(*) AS "rows"'];
  input.fields.forEach((field, i) => {
    const filled = filledSql(field);
    flags.push(`${filled} AS ${filledFlag(i)}`);
    aggregates.push(`count_if(${filledFlag(i)}) AS "${filledFlag(i)}"`);
    const unparsable = unparsableSql(field);
    if (unparsable) {
      flags.push(`${unparsable} AS ${unparsableFlag(i)}`);
      aggregates.push(`count_if(${unparsableFlag(i)}) AS "${unparsableFlag(i)}"`);
    }
    if (field.field.maxAgeDays !== undefined && field.updatedAt) {
      const ts = timestamp(field.updatedAt);
      const cutoff = `(TIMESTAMPTZ '${now}' - INTERVAL (${Math.floor(field.field.maxAgeDays)}) DAY)`;
      flags.push(`(${filled} AND coalesce(${ts} < ${cutoff}, false)) AS ${staleFlag(i)}`);
      flags.push(`(${filled} AND ${ts} IS NULL) AS ${staleUnknownFlag(i)}`);
      aggregates.push(`count_if(${staleFlag(i)}) AS "${staleFlag(i)}"`, `count_if(${staleUnknownFlag(i)}) AS "${staleUnknownFlag(i)}"`);
    } else {
      flags.push(`false AS ${staleFlag(i)}`);
    }
  });
  input.conditions.conditions.forEach((sql, j) => flags.push(`${sql} AS c${j}`));
  input.templates.forEach((template, t) => {
    const measures = templateMeasures(template);
    for (const [name, sql] of Object.entries(measures)) if (sql !== null) aggregates.push(`count_if(${sql}) AS "t${t}_${name}"`);
  });
  if (!flags.length) flags.push('true AS nothing');
  const sql = `WITH flags AS (\n  SELECT\n    ${flags.join(',\n    ')}\n  FROM ${input.relation}${input.where ? `\n  WHERE ${input.where}` : ''}\n)\n` +
    `SELECT\n  ${aggregates.join(',\n  ')}\nFROM flags`;
  return { sql };
}

/** Each measure of a template as a per-row condition over the flags (null when unknowable). */
function templateMeasures(template: TemplatePlan): Record<string, string | null> {
  const any = (terms: string[]) => (terms.length ? terms.map((t) => `(${t})`).join(' OR ') : 'false');
  const exactAborts = template.aborts.every((r) => r.exact !== null);
  const aborted = exactAborts ? any(template.aborts.map((r) => r.exact!)) : null;
  const notAborted = (sql: string) => (aborted && aborted !== 'false' ? `(${sql}) AND NOT (${aborted})` : sql);
  const reach = (r: Reach) => r.upper;
  const fallback = any(template.uses.filter((u) => u.whenEmpty === 'fallback').map((u) => `${reach(u.reach)} AND NOT ${filledFlag(u.field)}`));
  const blank = any(template.uses.filter((u) => u.whenEmpty === 'blank').map((u) => `${reach(u.reach)} AND NOT ${filledFlag(u.field)}`));
  const stale = any(template.uses.map((u) => `${reach(u.reach)} AND ${staleFlag(u.field)}`));
  const measures: Record<string, string | null> = {
    fallback: notAborted(fallback),
    blank: notAborted(blank),
    stale: notAborted(stale),
    aborted,
  };
  template.branches.forEach((branch, b) => { measures[`b${b}`] = branch.sql; });
  return measures;
}

/** Whether a template's measures are upper bounds, because some condition around a use could not be translated. */
export function isApproximate(template: TemplatePlan): boolean {
  return template.uses.some((u) => u.reach.exact === null) || template.aborts.some((r) => r.exact === null);
}

/** The report from the query's one row of counts. */
export function readCoverage(
  input: CoverageInput,
  row: Record<string, number | bigint | null>,
  source: { description: string; takenAt: string },
  display: (template: TemplatePlan) => string,
): AudienceReport {
  const count = (name: string): number => Number(row[name] ?? 0);
  const rows = count('rows');
  const share = (n: number) => (rows === 0 ? 0 : round(n / rows));
  const fields: Record<string, FieldCoverage> = {};
  input.fields.forEach((field, i) => {
    const filled = count(filledFlag(i));
    const stale = count(staleFlag(i));
    const coverage: FieldCoverage = { column: field.column, filled, fillRate: share(filled), stale, staleShare: share(stale) };
    if (`${unparsableFlag(i)}` in row) coverage.unparsable = count(unparsableFlag(i));
    if (`${staleUnknownFlag(i)}` in row) coverage.staleUnknown = count(staleUnknownFlag(i));
    else if (field.field.maxAgeDays !== undefined) coverage.staleUnknown = filled;
    fields[field.field.path] = coverage;
  });
  const templates: TemplateCoverage[] = input.templates.map((template, t) => {
    const name = (measure: string) => `t${t}_${measure}`;
    const coverage: TemplateCoverage = {
      path: display(template),
      recipients: rows,
      seeFallback: share(count(name('fallback'))),
      seeBlank: share(count(name('blank'))),
      seeStale: share(count(name('stale'))),
      aborted: name('aborted') in row ? share(count(name('aborted'))) : null,
      branches: template.branches.map((branch, b) => ({
        range: branch.range, condition: branch.condition, share: branch.sql === null ? null : share(count(name(`b${b}`))),
      })),
      untranslated: template.branches.filter((b) => b.sql === null).map((b) => ({ range: b.range, condition: b.condition, reason: b.reason ?? 'not translatable' })),
    };
    if (template.unmeasured.length) coverage.unmeasuredFields = template.unmeasured;
    if (isApproximate(template)) coverage.approximate = true;
    return coverage;
  });
  return { source: { description: source.description, rows, takenAt: source.takenAt }, fields, templates };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
