/** DuckDB: the embedded engine; `--emit-sql duckdb` prints exactly what it runs. */
import { quoteWith, standardString, tableName, type SqlDialect, type SqlType } from './dialect';

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
  textFilled: (sql) => `coalesce(regexp_matches(${sql}, ${NON_BLANK_PATTERN}), false)`,
  listFilled: (sql) => `coalesce(len(${sql}) > 0, false)`,
  listContains: (list, item, itemsAsText) => `list_contains(${itemsAsText ? `CAST(${list} AS VARCHAR[])` : list}, ${item})`,
  textContains: (text, part) => `contains(${text}, ${part})`,
  structMember: (sql, name) => `struct_extract(${sql}, ${standardString(name)})`,
  jsonMember: (sql, path) => `json_extract_string(${sql}, ${standardString(`$${path.map((s) => `.${JSON.stringify(s)}`).join('')}`)})`,
  timestamp: (iso) => `TIMESTAMPTZ '${iso}'`,
  daysBefore: (timestamp, days) => `(${timestamp} - INTERVAL (${days}) DAY)`,
  countIf: (condition) => `count_if(${condition})`,
};
