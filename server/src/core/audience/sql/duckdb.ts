/** DuckDB: the embedded engine; `--emit-sql duckdb` prints exactly what it runs. */
import { EPOCH_MILLISECONDS_FROM, quoteWith, standardString, tableName, type SqlDialect, type SqlType } from './dialect';

const TYPES: Record<SqlType, string> = { text: 'VARCHAR', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMPTZ' };

/** Characters that count as blank beside `\s` (RE2: space, tab, line feed, form feed, carriage return): no-break spaces and the byte order mark. */
const NON_BLANK_PATTERN = "'[^\\s\\x{00A0}\\x{2007}\\x{202F}\\x{FEFF}]'";

const identifier = (name: string) => quoteWith('"', name);

export const duckdb: SqlDialect = {
  id: 'duckdb',
  identifier,
  string: standardString,
  table: (name) => tableName(name, identifier),
  cast: (sql, type) => `CAST(${sql} AS ${TYPES[type]})`,
  tryCast: (sql, type) => `TRY_CAST(${sql} AS ${TYPES[type]})`,
  // A value whose first character is printable ASCII or a C1 control (U+0021 to U+009F: the byte
  // range from '!' up to U+00A0's encoding) has a character that is not blank: filled, without the
  // regular expression, which then reads only the rest (empty, leading white space, other scripts).
  // The comparisons are byte-wise (DuckDB's default binary collation) and read a string's prefix.
  // CASE evaluates the ELSE only for the rows the WHEN leaves; same result as the pattern alone.
  textFilled: (sql) => `(CASE WHEN ${sql} >= '!' AND ${sql} < chr(160) THEN true ELSE coalesce(regexp_matches(${sql}, ${NON_BLANK_PATTERN}), false) END)`,
  listFilled: (sql) => `coalesce(len(${sql}) > 0, false)`,
  listContains: (list, item, itemsAsText) => `list_contains(${itemsAsText ? `CAST(${list} AS VARCHAR[])` : list}, ${item})`,
  textContains: (text, part) => `contains(${text}, ${part})`,
  structMember: (sql, name) => `struct_extract(${sql}, ${standardString(name)})`,
  jsonMember: (sql, path) => `json_extract_string(${sql}, ${standardString(`$${path.map((s) => `.${JSON.stringify(s)}`).join('')}`)})`,
  timestamp: (iso) => `TIMESTAMPTZ '${iso}'`,
  epochTimestamp: (sql) => `to_timestamp(CASE WHEN abs(${sql}) >= ${EPOCH_MILLISECONDS_FROM} THEN ${sql} / 1000 ELSE ${sql} END)`,
  daysBefore: (timestamp, days) => `(${timestamp} - INTERVAL (${days}) DAY)`,
  countIf: (condition) => `count_if(${condition})`,
};
