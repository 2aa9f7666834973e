/**
 * The coverage query: pure SQL text over a relation (DuckDB's `read_csv(…)`, `read_parquet(…)` or a
 * table), written through one engine's `SqlDialect` (`sql/`), so the text the embedded DuckDB runs is
 * the text `--emit-sql duckdb` prints, and the other engines' differ only in spelling. One pass: a
 * per-row projection of facts, each distinct expression once (each field filled; each update time
 * older than a cutoff, or missing; each typed value unreadable; each branch condition), then one
 * aggregate row of counts, each a boolean formula over the facts with its constants folded
 * (`formula.ts`). Only counts come back; no row value leaves the engine.
 *
 * The result's columns, all counts of rows (`--import-result` reads them back by these names):
 * `rows`; per mapped field, numbered `i` from 0 in the order of `mergewise.json`'s fields: `f{i}`
 * filled, `s{i}` stale, `u{i}` unparsable (typed fields read from text only) and `k{i}` filled with no
 * readable update date (fields with `maxAgeDays` and an update column only); per template, numbered
 * `t` from 0 in the order the templates are listed: `t{t}_fallback`, `t{t}_blank`, `t{t}_stale`,
 * `t{t}_aborted` (when every abort's condition is translated) and `t{t}_b{b}` per translated branch.
 */
import type { FieldColumn, ColumnValue } from './columns';
import { filledSql } from './columns';
import { factName, FactRegistry, parseFormula, printFormula, simplify, type Formula } from './formula';
import { ConditionRegistry, filledFlag, staleFlag, type Reach, type TemplatePlan } from './plan';
import type { AudienceReport, FieldCoverage, TemplateCoverage } from './snapshot';
import type { SqlDialect } from './sql/dialect';
import { duckdb } from './sql/duckdb';

export interface CoverageQuery {
  sql: string;
  /** The result's column names, in order. */
  columns: string[];
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
  /** The engine the query is written for (the fields' and conditions' SQL must be too); DuckDB when not given. */
  sql?: SqlDialect;
}

const unparsableFlag = (i: number) => `u${i}`;
const staleUnknownFlag = (i: number) => `k${i}`;

/** The value cast to the field's type (NULL when it does not read as one), for typed fields read from text only. */
function typedCast(field: FieldColumn, sql: SqlDialect): string | undefined {
  if (field.kind !== 'text' && field.kind !== 'json' && field.kind !== 'other') return undefined;
  const cast = ({ date: 'timestamp', number: 'double', boolean: 'boolean' } as const)[field.field.type as 'date' | 'number' | 'boolean'];
  return cast ? sql.tryCast(sql.cast(field.sql, 'text'), cast) : undefined;
}

/**
 * A column's value as a timestamp. In DuckDB, reading the source itself, a date column is cast as it
 * is; for another engine the types came from a sample, and the warehouse's column may be text (with
 * '' in it): the cast is guarded there, or one bad value fails the whole query.
 */
function timestamp(value: ColumnValue, sql: SqlDialect): string {
  if (value.kind === 'number') return sql.epochTimestamp(value.sql);
  return value.kind === 'date' && sql === duckdb ? sql.cast(value.sql, 'timestamp') : sql.tryCast(sql.cast(value.sql, 'text'), 'timestamp');
}

export function buildCoverageQuery(input: CoverageInput): CoverageQuery {
  const dialect = input.sql ?? duckdb;
  const now = input.now.toISOString();
  const facts = new FactRegistry();
  const aggregates: string[] = [`count(*) AS ${dialect.identifier('rows')}`];
  const columns = ['rows'];
  const count = (formula: Formula, name: string) => {
    aggregates.push(`${dialect.countIf(printFormula(formula))} AS ${dialect.identifier(name)}`);
    columns.push(name);
  };
  const and = (...operands: Formula[]) => simplify({ t: 'and', operands });
  // What each flag name in the templates' measures stands for.
  const flags = new Map<string, Formula>();
  input.fields.forEach((field, i) => {
    const filled = facts.fact(filledSql(field, dialect));
    flags.set(filledFlag(i), filled);
    count(filled, filledFlag(i));
    const cast = typedCast(field, dialect);
    if (cast) count(and(filled, facts.fact(`(${cast} IS NULL)`)), unparsableFlag(i));
    if (field.field.maxAgeDays !== undefined && field.updatedAt) {
      const ts = timestamp(field.updatedAt, dialect);
      const cutoff = dialect.daysBefore(dialect.timestamp(now), Math.floor(field.field.maxAgeDays));
      const stale = and(filled, facts.fact(`coalesce(${ts} < ${cutoff}, false)`));
      flags.set(staleFlag(i), stale);
      count(stale, staleFlag(i));
      count(and(filled, facts.fact(`(${ts} IS NULL)`)), staleUnknownFlag(i));
    } else {
      flags.set(staleFlag(i), false);
    }
  });
  const flag = (name: string): Formula => {
    const known = flags.get(name);
    if (known !== undefined) return known;
    const condition = /^c(\d+)$/.exec(name);
    if (!condition || Number(condition[1]) >= input.conditions.conditions.length) throw new Error(`unknown flag ${name} in a measure`);
    const fact = facts.fact(input.conditions.conditions[Number(condition[1])]);
    flags.set(name, fact);
    return fact;
  };
  input.templates.forEach((template, t) => {
    const measures = templateMeasures(template);
    for (const [name, sql] of Object.entries(measures)) if (sql !== null) count(parseFormula(sql, flag), `t${t}_${name}`);
  });
  const projection = facts.facts.map((sql, k) => `${sql} AS ${factName(k)}`);
  if (!projection.length) projection.push('true AS nothing');
  const sql = `WITH facts AS (\n  SELECT\n    ${projection.join(',\n    ')}\n  FROM ${input.relation}${input.where ? `\n  WHERE ${input.where}` : ''}\n)\n` +
    `SELECT\n  ${aggregates.join(',\n  ')}\nFROM facts`;
  return { sql, columns };
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
