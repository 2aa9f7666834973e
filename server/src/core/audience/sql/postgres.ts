/**
 * PostgreSQL (12 and later). It has no safe cast: a value is cast only when its text reads as the
 * type (a pattern for numbers and ISO 8601 dates, a list of words for booleans), so a well-formed but
 * impossible date (February 30) stops the query with PostgreSQL's error. Struct members and JSON
 * members are read through `to_jsonb`, so a composite column and a `jsonb` column both work (a list
 * member as `text[]`).
 */
import { asText, EPOCH_MILLISECONDS_FROM, FALSE_TEXTS, NUMBER_PATTERN, quoteWith, standardString, tableName, TIMESTAMP_PATTERN, TRUE_TEXTS, type SqlDialect, type SqlType } from './dialect';

const TYPES: Record<SqlType, string> = { text: 'text', double: 'double precision', boolean: 'boolean', timestamp: 'timestamptz' };

const identifier = (name: string) => quoteWith('"', name);
const text = (sql: string) => asText(sql, 'text', (value) => `CAST(${value} AS text)`);
const words = (list: string[]) => `(${list.map(standardString).join(', ')})`;

export const postgres: SqlDialect = {
  id: 'postgres',
  identifier,
  string: standardString,
  table: (name) => tableName(name, identifier),
  cast: (sql, type) => `CAST(${sql} AS ${TYPES[type]})`,
  tryCast(sql, type) {
    const value = text(sql);
    if (type === 'boolean') {
      const word = `lower(btrim(${value}))`;
      return `(CASE WHEN ${word} IN ${words(TRUE_TEXTS)} THEN true WHEN ${word} IN ${words(FALSE_TEXTS)} THEN false END)`;
    }
    const pattern = type === 'double' ? NUMBER_PATTERN : TIMESTAMP_PATTERN;
    return `(CASE WHEN ${value} ~ ${standardString(pattern)} THEN CAST(${value} AS ${TYPES[type]}) END)`;
  },
  // Advanced regular expressions: \t \n \f \r and \uXXXX are read by the regex engine, not the literal.
  textFilled: (sql) => `coalesce(${sql} ~ '[^\\t\\n\\f\\r \\u00A0\\u2007\\u202F\\uFEFF]', false)`,
  listFilled: (sql) => `coalesce(cardinality(${sql}) > 0, false)`,
  listContains: (list, item, itemsAsText) => `(${item} = ANY(${itemsAsText ? `CAST(${list} AS text[])` : list}))`,
  textContains: (value, part) => `(strpos(${value}, ${part}) > 0)`,
  // A list member becomes a text[] (so cardinality and = ANY read it), a struct member stays jsonb.
  structMember(sql, name, member) {
    const path = `jsonb_extract_path(to_jsonb(${sql}), ${standardString(name)})`;
    if (member === 'list') return `ARRAY(SELECT jsonb_array_elements_text(${path}))`;
    return member === 'struct' ? path : `jsonb_extract_path_text(to_jsonb(${sql}), ${standardString(name)})`;
  },
  jsonMember: (sql, path) => `jsonb_extract_path_text(CAST(${sql} AS jsonb), ${path.map(standardString).join(', ')})`,
  timestamp: (iso) => `CAST('${iso}' AS timestamptz)`,
  epochTimestamp: (sql) => `to_timestamp(CASE WHEN abs(${sql}) >= ${EPOCH_MILLISECONDS_FROM} THEN ${sql} / 1000.0 ELSE ${sql} END)`,
  daysBefore: (timestamp, days) => `(${timestamp} - INTERVAL '${days} days')`,
  countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
};
