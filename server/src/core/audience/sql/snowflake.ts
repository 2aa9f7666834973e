/**
 * Snowflake. TRY_CAST reads only text, so values are cast to VARCHAR first. Structs are OBJECT or
 * VARIANT columns (members read with GET); JSON text is read with JSON_EXTRACT_PATH_TEXT.
 */
import { asText, EPOCH_MILLISECONDS_FROM, escapedString, quoteWith, tableName, type SqlDialect, type SqlType } from './dialect';

const TYPES: Record<SqlType, string> = { text: 'VARCHAR', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP_TZ' };

const identifier = (name: string) => quoteWith('"', name);
const simple = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const snowflake: SqlDialect = {
  id: 'snowflake',
  identifier,
  string: escapedString,
  table: (name) => tableName(name, identifier),
  cast: (sql, type) => `CAST(${sql} AS ${TYPES[type]})`,
  tryCast: (sql, type) => `TRY_CAST(${asText(sql, 'VARCHAR', (value) => `CAST(${value} AS VARCHAR)`)} AS ${TYPES[type]})`,
  // The literal's escapes (\t, \u00A0) become the characters themselves in the POSIX pattern.
  textFilled: (sql) => `coalesce(REGEXP_INSTR(${sql}, '[^\\t\\n\\f\\r \\u00A0\\u2007\\u202F\\uFEFF]') > 0, false)`,
  listFilled: (sql) => `coalesce(ARRAY_SIZE(${sql}) > 0, false)`,
  listContains: (list, item) => `ARRAY_CONTAINS(TO_VARIANT(${item}), ${list})`,
  textContains: (value, part) => `CONTAINS(${value}, ${part})`,
  structMember: (sql, name) => `GET(${sql}, ${escapedString(name)})`,
  jsonMember: (sql, path) => `JSON_EXTRACT_PATH_TEXT(CAST(${sql} AS VARCHAR), ${escapedString(path.map((s) => (simple.test(s) ? s : JSON.stringify(s))).join('.'))})`,
  timestamp: (iso) => `CAST('${iso}' AS TIMESTAMP_TZ)`,
  epochTimestamp: (sql) => `TO_TIMESTAMP_TZ(CASE WHEN ABS(${sql}) >= ${EPOCH_MILLISECONDS_FROM} THEN ${sql} / 1000 ELSE ${sql} END)`,
  daysBefore: (timestamp, days) => `DATEADD(day, -${days}, ${timestamp})`,
  countIf: (condition) => `COUNT_IF(${condition})`,
};
