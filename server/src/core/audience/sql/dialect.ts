/**
 * One SQL engine's spelling of the few constructs the coverage query uses: pure text builders, one
 * module per engine (`duckdb.ts`, `postgres.ts`, `bigquery.ts`, `snowflake.ts`, `spark.ts`). The
 * query, the column values and the branch conditions are built only through these, so the query the
 * embedded DuckDB runs and the one `--emit-sql duckdb` prints are the same text.
 *
 * Every boolean these return for a flag is never NULL where the caller wraps it in `coalesce(…,
 * false)`; `tryCast` is NULL when the value does not read as the type (never an error).
 */
export type EngineId = 'duckdb' | 'postgres' | 'bigquery' | 'snowflake' | 'spark';

/** The types the query casts to. */
export type SqlType = 'text' | 'double' | 'boolean' | 'timestamp';

export interface SqlDialect {
  readonly id: EngineId;
  /** A column or alias name, quoted. */
  identifier(name: string): string;
  /** A string literal. */
  string(value: string): string;
  /** A table as given with `--table`: kept as written when it is a plain dotted name or already quoted, else quoted. */
  table(name: string): string;
  /** `CAST(x AS type)`. */
  cast(sql: string, type: SqlType): string;
  /** The value as the type, NULL when it does not read as one (never an error). */
  tryCast(sql: string, type: Exclude<SqlType, 'text'>): string;
  /** True when the text has a character other than white space (and no-break spaces, the byte order mark); never NULL. */
  textFilled(sql: string): string;
  /** True when the list has an item; never NULL. */
  listFilled(sql: string): string;
  /** Whether the list holds the item (`itemsAsText`: compare the list's items as text); may be NULL. */
  listContains(list: string, item: string, itemsAsText: boolean): string;
  /** Whether the text holds the other text; may be NULL. */
  textContains(text: string, part: string): string;
  /** A member of a struct (record) value, itself a struct, a list or another value. */
  structMember(sql: string, name: string, member: 'struct' | 'list' | 'value'): string;
  /** The member at `path` of a JSON value (or JSON text), as text. */
  jsonMember(sql: string, path: string[]): string;
  /** A timestamp with time zone, from an ISO 8601 UTC text. */
  timestamp(iso: string): string;
  /** A timestamp from a number of seconds or milliseconds since 1970 (`EPOCH_MILLISECONDS_FROM` and up: milliseconds). */
  epochTimestamp(sql: string): string;
  /** `timestamp - days`. */
  daysBefore(timestamp: string, days: number): string;
  /** How many rows the condition holds for. */
  countIf(condition: string): string;
}

/** Quotes a name with `quote`, doubling it inside. */
export function quoteWith(quote: string, name: string): string {
  return `${quote}${name.split(quote).join(quote + quote)}${quote}`;
}

/** A string literal with `'` doubled (standard SQL: DuckDB, PostgreSQL). */
export function standardString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A string literal with backslash escapes (BigQuery, Snowflake, Spark). */
export function escapedString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

const PLAIN_TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$/;

/** `--table NAME`: a plain dotted name stays as written (so case rules stay the engine's), a quoted one too; else each part is quoted. */
export function tableName(name: string, identifier: (part: string) => string): string {
  if (PLAIN_TABLE.test(name) || /["`\[]/.test(name)) return name;
  return name.split('.').map(identifier).join('.');
}

/** Texts that read as true or false, as DuckDB reads them: for engines without a safe boolean cast. */
export const TRUE_TEXTS = ['true', 't', 'yes', 'y', '1'];
export const FALSE_TEXTS = ['false', 'f', 'no', 'n', '0'];

/** Epoch numbers from here up are milliseconds: as seconds they would be after the year 5000. */
export const EPOCH_MILLISECONDS_FROM = 100_000_000_000;

/** A number as text (regular expression), for engines without a safe numeric cast. */
export const NUMBER_PATTERN = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';
/** A date or timestamp as text (ISO 8601 with an optional zone), for engines without a safe timestamp cast. */
export const TIMESTAMP_PATTERN = '^\\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?\\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\\s*$';

/**
 * `sql` as text: itself when it already is (`CAST(… AS type)` as a whole, or a string literal), else
 * `cast(sql)`; so the guarded casts below do not nest casts to text.
 */
export function asText(sql: string, type: string, cast: (sql: string) => string): string {
  if (/^'(?:[^'\\]|''|\\.)*'$/.test(sql)) return sql;
  if (sql.startsWith('CAST(') && sql.endsWith(` AS ${type})`) && closingParen(sql, 4) === sql.length - 1) return sql;
  return cast(sql);
}

/** The index of the parenthesis closing the one at `open` (quotes skipped), or -1. */
function closingParen(sql: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
