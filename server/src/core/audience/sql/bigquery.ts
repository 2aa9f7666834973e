/** BigQuery (GoogleSQL). `--table` may be `project.dataset.table`; a name with a hyphen is quoted whole. */
import { asText, EPOCH_MILLISECONDS_FROM, escapedString, FALSE_TEXTS, TRUE_TEXTS, type SqlDialect, type SqlType } from './dialect';

const TYPES: Record<SqlType, string> = { text: 'STRING', double: 'FLOAT64', boolean: 'BOOL', timestamp: 'TIMESTAMP' };

const identifier = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
const text = (sql: string) => asText(sql, 'STRING', (value) => `CAST(${value} AS STRING)`);
const words = (list: string[]) => `(${list.map(escapedString).join(', ')})`;
const simple = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const bigquery: SqlDialect = {
  id: 'bigquery',
  identifier,
  string: escapedString,
  table: (name) => (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name) || name.includes('`') ? name : `\`${name}\``),
  cast: (sql, type) => `CAST(${sql} AS ${TYPES[type]})`,
  tryCast(sql, type) {
    if (type !== 'boolean') return `SAFE_CAST(${sql} AS ${TYPES[type]})`;
    // SAFE_CAST reads only true and false: read the words DuckDB reads.
    const word = `LOWER(TRIM(${text(sql)}))`;
    return `(CASE WHEN ${word} IN ${words(TRUE_TEXTS)} THEN true WHEN ${word} IN ${words(FALSE_TEXTS)} THEN false END)`;
  },
  // RE2, as in DuckDB: the literal's \\ reaches the regular expression as \.
  textFilled: (sql) => `coalesce(REGEXP_CONTAINS(${sql}, '[^\\\\t\\\\n\\\\f\\\\r \\\\x{00A0}\\\\x{2007}\\\\x{202F}\\\\x{FEFF}]'), false)`,
  listFilled: (sql) => `coalesce(ARRAY_LENGTH(${sql}) > 0, false)`,
  listContains: (list, item, itemsAsText) => (itemsAsText
    ? `EXISTS(SELECT 1 FROM UNNEST(${list}) AS list_item WHERE CAST(list_item AS STRING) = ${item})`
    : `(${item} IN UNNEST(${list}))`),
  textContains: (value, part) => `(STRPOS(${value}, ${part}) > 0)`,
  structMember: (sql, name) => `${sql}.${identifier(name)}`,
  jsonMember: (sql, path) => `JSON_VALUE(${sql}, ${escapedString(`$${path.map((s) => (simple.test(s) ? `.${s}` : `.${JSON.stringify(s)}`)).join('')}`)})`,
  timestamp: (iso) => `TIMESTAMP '${iso}'`,
  epochTimestamp: (sql) => `TIMESTAMP_MILLIS(CAST(CASE WHEN ABS(${sql}) >= ${EPOCH_MILLISECONDS_FROM} THEN ${sql} ELSE ${sql} * 1000 END AS INT64))`,
  daysBefore: (timestamp, days) => `TIMESTAMP_SUB(${timestamp}, INTERVAL ${days} DAY)`,
  countIf: (condition) => `COUNTIF(${condition})`,
};
