/**
 * Spark SQL (3.x, with or without ANSI mode). No safe cast that holds in both modes: a value is cast
 * only when its text reads as the type (as for PostgreSQL), so a well-formed but impossible date
 * stops the query under ANSI mode. Struct members are read as `column['member']`; list membership
 * of a text is `array_contains`, which needs a list of text.
 */
import { asText, EPOCH_MILLISECONDS_FROM, escapedString, FALSE_TEXTS, NUMBER_PATTERN, quoteWith, tableName, TIMESTAMP_PATTERN, TRUE_TEXTS, type SqlDialect, type SqlType } from './dialect';

const TYPES: Record<SqlType, string> = { text: 'STRING', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP' };

const identifier = (name: string) => quoteWith('`', name);
const text = (sql: string) => asText(sql, 'STRING', (value) => `CAST(${value} AS STRING)`);
const words = (list: string[]) => `(${list.map(escapedString).join(', ')})`;
const simple = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const spark: SqlDialect = {
  id: 'spark',
  identifier,
  string: escapedString,
  table: (name) => tableName(name, identifier),
  cast: (sql, type) => `CAST(${sql} AS ${TYPES[type]})`,
  tryCast(sql, type) {
    const value = text(sql);
    if (type === 'boolean') {
      const word = `lower(trim(${value}))`;
      return `(CASE WHEN ${word} IN ${words(TRUE_TEXTS)} THEN true WHEN ${word} IN ${words(FALSE_TEXTS)} THEN false END)`;
    }
    const pattern = type === 'double' ? NUMBER_PATTERN : TIMESTAMP_PATTERN;
    return `(CASE WHEN ${value} RLIKE ${escapedString(pattern)} THEN CAST(${value} AS ${TYPES[type]}) END)`;
  },
  // Java regular expressions: the literal's \\ reaches the pattern as \.
  textFilled: (sql) => `coalesce(${sql} RLIKE '[^\\\\t\\\\n\\\\f\\\\r \\\\x{00A0}\\\\x{2007}\\\\x{202F}\\\\x{FEFF}]', false)`,
  listFilled: (sql) => `coalesce(size(${sql}) > 0, false)`,
  listContains: (list, item) => `array_contains(${list}, ${item})`,
  textContains: (value, part) => `(instr(${value}, ${part}) > 0)`,
  structMember: (sql, name) => `${sql}[${escapedString(name)}]`,
  jsonMember: (sql, path) => `get_json_object(${sql}, ${escapedString(`$${path.map((s) => (simple.test(s) ? `.${s}` : `[${escapedString(s)}]`)).join('')}`)})`,
  timestamp: (iso) => `CAST('${iso}' AS TIMESTAMP)`,
  epochTimestamp: (sql) => `timestamp_millis(CAST(CASE WHEN abs(${sql}) >= ${EPOCH_MILLISECONDS_FROM} THEN ${sql} ELSE ${sql} * 1000 END AS BIGINT))`,
  daysBefore: (timestamp, days) => `(${timestamp} - INTERVAL '${days}' DAY)`,
  countIf: (condition) => `count_if(${condition})`,
};
