/**
 * Which column of an audience export holds each schema field: pure, from the source's column list
 * (names and DuckDB types, as `DESCRIBE` gives them) and the schema.
 *
 * A field maps, in this order, by: `mergewise.json`'s `audience.columns` (a column, or
 * `column.member…` inside a struct or JSON column); a column named exactly as its path; a column
 * named as one of its aliases; a struct or JSON column holding it (`customer` with `first_name`);
 * Braze's `custom_attributes` holding it (its user export);
 * a column named as its last segment (`first_name`), when no other field ends the same way.
 * Names compare exactly first, then without regard to case, then as a path segment spells them
 * (`First_Name` reads the column `First Name`, the field `init --from-data` made of it).
 */
import type { FieldSpec, Schema } from '../schema/types';
import type { SqlDialect } from './sql/dialect';
import { duckdb } from './sql/duckdb';

/** The struct or JSON column Braze's user export holds custom attributes in. */
const BRAZE_CUSTOM_ATTRIBUTES = 'custom_attributes';

/** One column of the source, with the members of a struct column. */
export interface SourceColumn {
  name: string;
  /** The DuckDB type as written: `VARCHAR`, `BIGINT`, `VARCHAR[]`, `STRUCT(first_name VARCHAR)`, `JSON`. */
  type: string;
  members?: SourceColumn[];
}

/** How a value is tested for being filled, and how its type is checked. */
export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'list' | 'struct' | 'json' | 'other';

/** A value in the source: its SQL expression and kind. */
export interface ColumnValue {
  /** As people read it: `first_name`, `customer.first_name` (struct member), `customer->first_name` (JSON). */
  column: string;
  /** The top-level column it is read from. */
  top: string;
  sql: string;
  kind: ValueKind;
}

export type MappedBy = 'audience.columns' | 'path' | 'alias' | 'struct' | 'json' | 'last segment';

export interface FieldColumn extends ColumnValue {
  field: FieldSpec;
  by: MappedBy;
  /** When the field's value was last updated, for `maxAgeDays`. */
  updatedAt?: ColumnValue;
}

export interface UnmappedField {
  field: string;
  reason: string;
}

export interface ColumnMapping {
  fields: FieldColumn[];
  unmappedFields: UnmappedField[];
  /** Top-level columns no field and no updated-at reads. */
  unusedColumns: string[];
  /** Problems in `audience` that the user should fix (a named column the source lacks). */
  problems: string[];
}

/** DuckDB's names for CSV columns whose header cell is empty (all of them when it finds no header row). */
export const GENERATED_COLUMN_NAME = /^column\d+$/;

/** Column names taken as the rows' update time when `audience.updatedAt` names none. */
export const DEFAULT_UPDATED_AT_COLUMNS = ['$updatedAt', 'updated_at', 'updatedAt'];

/** A DuckDB identifier (the embedded engine's; other engines quote through their `SqlDialect`). */
export function quoteIdentifier(name: string): string {
  return duckdb.identifier(name);
}

/** A DuckDB string literal. */
export function quoteString(value: string): string {
  return duckdb.string(value);
}

/** Parses a DuckDB type string into the member columns of a struct (`STRUCT(a VARCHAR, "b c" INTEGER)`). */
export function structMembers(type: string): SourceColumn[] | undefined {
  const trimmed = type.trim();
  if (!/^STRUCT\s*\(/i.test(trimmed) || !trimmed.endsWith(')')) return undefined;
  const inner = trimmed.slice(trimmed.indexOf('(') + 1, -1);
  const members: SourceColumn[] = [];
  for (const part of splitTopLevel(inner)) {
    const match = /^\s*(?:"((?:[^"]|"")*)"|([^\s"]+))\s+([\s\S]+?)\s*$/.exec(part);
    if (!match) return undefined;
    const name = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2];
    const memberType = match[3];
    members.push({ name, type: memberType, members: structMembers(memberType) });
  }
  return members;
}

/** A column list as DuckDB describes it, with struct members filled in. */
export function sourceColumns(described: { name: string; type: string }[]): SourceColumn[] {
  return described.map(({ name, type }) => ({ name, type, members: structMembers(type) }));
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  if (text.slice(from).trim()) parts.push(text.slice(from));
  return parts;
}

/** The kind of a DuckDB type. */
export function kindOfType(type: string): ValueKind {
  const upper = type.trim().toUpperCase();
  if (upper.endsWith(']') || upper.startsWith('LIST') || upper.startsWith('MAP')) return 'list';
  if (upper.startsWith('STRUCT')) return 'struct';
  if (upper === 'JSON') return 'json';
  if (upper === 'VARCHAR' || upper.startsWith('VARCHAR') || upper === 'TEXT' || upper === 'STRING' || upper === 'UUID' || upper.startsWith('ENUM')) return 'text';
  if (upper === 'BOOLEAN' || upper === 'BOOL') return 'boolean';
  if (upper.startsWith('DATE') || upper.startsWith('TIMESTAMP') || upper.startsWith('TIME')) return 'date';
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)/.test(upper)) return 'number';
  return 'other';
}

/** A column name as a field path segment (as `init --from-data` writes it): characters a path cannot hold become `_`. */
export function fieldSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9_$-]+/g, '_') || '_';
}

/** By name exactly, then without regard to case, then as a field path segment spells it (`First_Name` for `First Name`). */
function findByName<T extends { name: string }>(items: readonly T[] | undefined, name: string): T | undefined {
  if (!items) return undefined;
  const lower = name.toLowerCase();
  return items.find((item) => item.name === name) ?? items.find((item) => item.name.toLowerCase() === lower)
    ?? items.find((item) => fieldSegment(item.name) === name) ?? items.find((item) => fieldSegment(item.name).toLowerCase() === lower);
}

/**
 * The value at `segments` below a top-level column: the column itself, a struct member (any depth),
 * or a member of a JSON column (or of a JSON member of a struct).
 */
export function valueAt(columns: readonly SourceColumn[], segments: string[], sql: SqlDialect = duckdb): ColumnValue | undefined {
  const top = findByName(columns, segments[0]);
  if (!top) return undefined;
  let value: ColumnValue = { column: top.name, top: top.name, sql: sql.identifier(top.name), kind: kindOfType(top.type) };
  let current: SourceColumn = top;
  for (let i = 1; i < segments.length; i++) {
    if (value.kind === 'json') {
      return { column: `${value.column}->${segments.slice(i).join('.')}`, top: top.name, sql: sql.jsonMember(value.sql, segments.slice(i)), kind: 'text' };
    }
    const member = findByName(current.members, segments[i]);
    if (!member) return undefined;
    value = { column: `${value.column}.${member.name}`, top: top.name, sql: sql.structMember(value.sql, member.name, memberKind(member.type)), kind: kindOfType(member.type) };
    current = member;
  }
  return value;
}

/** What a struct member is, for engines that read structs as JSON. */
function memberKind(type: string): 'struct' | 'list' | 'value' {
  const kind = kindOfType(type);
  return kind === 'struct' || kind === 'list' ? kind : 'value';
}

/** `valueAt` in one engine's SQL, for the functions below that shadow its name. */
const valueAtIn = valueAt;

function lastSegment(path: string): string {
  const parts = path.split('.');
  return parts[parts.length - 1];
}

/** Maps the schema's fields to the source's columns. */
export function mapColumns(schema: Schema, columns: readonly SourceColumn[], sql: SqlDialect = duckdb): ColumnMapping {
  const valueAt = (cols: readonly SourceColumn[], segments: string[]) => valueAtIn(cols, segments, sql);
  const audience = schema.audience;
  const explicit = audience?.columns ?? new Map<string, string>();
  const mapping: ColumnMapping = { fields: [], unmappedFields: [], unusedColumns: [], problems: [] };
  const used = new Set<string>();
  const fields = [...schema.fields.values()].filter((field) => !field.path.includes('[]'));
  // Last segments that more than one field ends with: a column of that name is ambiguous.
  const lastSegments = new Map<string, number>();
  for (const field of fields) {
    const last = lastSegment(field.path).toLowerCase();
    lastSegments.set(last, (lastSegments.get(last) ?? 0) + 1);
  }

  for (const path of explicit.keys()) {
    if (!schema.fields.has(path)) mapping.problems.push(`mergewise.json: audience: "columns" names "${path}", which is not a declared field.`);
  }

  for (const field of fields) {
    let found: { value: ColumnValue; by: MappedBy } | undefined;
    const named = explicit.get(field.path);
    if (named !== undefined) {
      const value = findByName(columns, named) ? valueAt(columns, [named]) : valueAt(columns, named.split('.'));
      if (!value) {
        mapping.problems.push(`mergewise.json: audience: "columns" maps "${field.path}" to "${named}", which the source has no column for.`);
        mapping.unmappedFields.push({ field: field.path, reason: `audience.columns names "${named}", which the source lacks` });
        continue;
      }
      found = { value, by: 'audience.columns' };
    }
    if (!found) {
      const exact = findByName(columns, field.path);
      if (exact) found = { value: valueAt(columns, [exact.name])!, by: 'path' };
    }
    if (!found) {
      for (const alias of new Set(Object.values(field.aliases))) {
        if (!alias) continue;
        const value = findByName(columns, alias) ? valueAt(columns, [alias]) : undefined;
        if (value) { found = { value, by: 'alias' }; break; }
      }
    }
    if (!found && field.path.includes('.')) {
      const value = valueAt(columns, field.path.split('.'));
      if (value) found = { value, by: value.column.includes('->') ? 'json' : 'struct' };
    }
    if (!found) {
      // Braze's user export keeps custom attributes under `custom_attributes`; templates read them
      // as `custom_attribute.${plan}`, the field `plan`.
      const value = valueAt(columns, [BRAZE_CUSTOM_ATTRIBUTES, ...field.path.split('.')]);
      if (value) found = { value, by: value.column.includes('->') ? 'json' : 'struct' };
    }
    if (!found && field.path.includes('.')) {
      const last = lastSegment(field.path);
      const column = findByName(columns, last);
      if (column && (lastSegments.get(last.toLowerCase()) ?? 0) === 1) found = { value: valueAt(columns, [column.name])!, by: 'last segment' };
      else if (column) {
        mapping.unmappedFields.push({ field: field.path, reason: `column "${column.name}" could be any of the fields ending in "${last}": map it in audience.columns` });
        continue;
      }
    }
    if (!found) {
      mapping.unmappedFields.push({ field: field.path, reason: 'no column by its path, last segment or aliases' });
      continue;
    }
    used.add(found.value.top);
    const updatedAt = updatedAtFor(field, columns, audience?.updatedAtColumns.get(field.path), audience?.updatedAt, mapping.problems, sql);
    if (updatedAt) used.add(updatedAt.top);
    mapping.fields.push({ ...found.value, field, by: found.by, ...(updatedAt ? { updatedAt } : {}) });
  }
  // A row's updated-at column is read whether or not a field has maxAgeDays.
  const rowUpdatedAt = audience?.updatedAt ?? DEFAULT_UPDATED_AT_COLUMNS.find((name) => findByName(columns, name));
  const rowColumn = rowUpdatedAt !== undefined ? findByName(columns, rowUpdatedAt) : undefined;
  if (rowColumn) used.add(rowColumn.name);
  mapping.unusedColumns = columns.map((c) => c.name).filter((name) => !used.has(name));
  return mapping;
}

/**
 * The updated-at value of a field: `audience.updatedAtColumns`, else the row's (`audience.updatedAt`,
 * else a `$updatedAt`, `updated_at` or `updatedAt` column). A struct or JSON `$updatedAt` column is
 * read per field, by the field's path, as sample recipients write it.
 */
function updatedAtFor(field: FieldSpec, columns: readonly SourceColumn[], perField: string | undefined, row: string | undefined, problems: string[], sql: SqlDialect): ColumnValue | undefined {
  const valueAt = (cols: readonly SourceColumn[], segments: string[]) => valueAtIn(cols, segments, sql);
  if (perField !== undefined) {
    const value = findByName(columns, perField) ? valueAt(columns, [perField]) : valueAt(columns, perField.split('.'));
    if (!value) problems.push(`mergewise.json: audience: "updatedAtColumns" names "${perField}" for "${field.path}", which the source has no column for.`);
    return value;
  }
  if (row !== undefined) {
    const value = findByName(columns, row) ? valueAt(columns, [row]) : valueAt(columns, row.split('.'));
    if (!value && !problems.some((p) => p.includes('"updatedAt"'))) problems.push(`mergewise.json: audience: "updatedAt" names "${row}", which the source has no column for.`);
    return value ? perFieldMember(value, columns, field, sql) : undefined;
  }
  for (const name of DEFAULT_UPDATED_AT_COLUMNS) {
    if (findByName(columns, name)) return perFieldMember(valueAt(columns, [name])!, columns, field, sql);
  }
  return undefined;
}

/** In a struct or JSON updated-at column: the member named by the field's path, if any. */
function perFieldMember(value: ColumnValue, columns: readonly SourceColumn[], field: FieldSpec, sql: SqlDialect): ColumnValue | undefined {
  if (value.kind === 'json') {
    return { column: `${value.column}->${field.path}`, top: value.top, sql: sql.jsonMember(value.sql, [field.path]), kind: 'text' };
  }
  if (value.kind !== 'struct') return value;
  const top = findByName(columns, value.top);
  const member = findByName(top?.members, field.path);
  return member ? { column: `${value.column}.${member.name}`, top: value.top, sql: sql.structMember(value.sql, member.name, memberKind(member.type)), kind: kindOfType(member.type) } : undefined;
}

/** True when the value is filled: not null, and for text not empty or white space only, for lists not empty. */
export function filledSql(value: Pick<ColumnValue, 'sql' | 'kind'>, sql: SqlDialect = duckdb): string {
  switch (value.kind) {
    case 'text':
      return sql.textFilled(sql.cast(value.sql, 'text'));
    case 'json':
      // DuckDB reads a JSON lines field that is sometimes a number, sometimes a string, as JSON: its
      // value's own text, so that `""` and JSON null are empty, as in a column of one type. (A
      // warehouse's column, typed from a sample, is read as text.)
      return sql.textFilled(sql === duckdb ? sql.jsonMember(value.sql, []) : sql.cast(value.sql, 'text'));
    case 'list':
      return sql.listFilled(value.sql);
    default:
      return `(${value.sql} IS NOT NULL)`;
  }
}
