import type { DialectId } from '../dialects/ids';
import type { FieldSpec, Schema } from './types';

export type Resolution =
  | { kind: 'field'; field: FieldSpec }
  /** A prefix of declared fields, such as `customer` in `{% if customer %}`. */
  | { kind: 'namespace' }
  | { kind: 'unknown' };

const aliasIndexes = new WeakMap<Schema, Map<DialectId, Map<string, FieldSpec>>>();
const namespaceIndexes = new WeakMap<Schema, Map<DialectId, Set<string>>>();
const longestNames = new WeakMap<Schema, Map<DialectId, number>>();

/**
 * Finds the schema field a dialect's path names: by path, then by the dialect's alias, then by the
 * nearest declared parent that leaves its sub-fields open (an object or array with no `fields`).
 */
export function resolveField(schema: Schema, dialect: DialectId, path: string): Resolution {
  const direct = schema.fields.get(path) ?? aliasIndex(schema, dialect).get(path);
  if (direct) return { kind: 'field', field: direct };
  if (path.endsWith('[]')) {
    const list = schema.fields.get(path.slice(0, -2));
    if (list) return { kind: 'field', field: list };
  }
  // Parents longer than every declared name cannot match: skip them without slicing (slicing and
  // hashing each prefix of a path with thousands of segments was quadratic).
  const longest = longestName(schema, dialect);
  for (let cut = lastSeparator(path, path.length); cut > 0; cut = lastSeparator(path, cut)) {
    if (cut > longest) continue;
    const parent = schema.fields.get(path.slice(0, cut)) ?? aliasIndex(schema, dialect).get(path.slice(0, cut));
    if (parent) {
      if (parent.open && (parent.type === 'object' || parent.type === 'array')) return { kind: 'field', field: parent };
      // A closed parent still has its declared sub-fields' prefixes: `plan` in a list's item field `plan.name`.
      break;
    }
  }
  return namespaces(schema, dialect).has(path) ? { kind: 'namespace' } : { kind: 'unknown' };
}

/** Every name a dialect can use for a field: its paths and its aliases. */
export function knownNames(schema: Schema, dialect: DialectId): string[] {
  return [...schema.fields.keys(), ...aliasIndex(schema, dialect).keys()];
}

function aliasIndex(schema: Schema, dialect: DialectId): Map<string, FieldSpec> {
  let byDialect = aliasIndexes.get(schema);
  if (!byDialect) aliasIndexes.set(schema, (byDialect = new Map()));
  let index = byDialect.get(dialect);
  if (!index) {
    index = new Map();
    for (const field of schema.fields.values()) {
      const alias = field.aliases[dialect];
      if (alias) index.set(alias, field);
    }
    byDialect.set(dialect, index);
  }
  return index;
}

/** The length of the longest path or alias this dialect can name. */
function longestName(schema: Schema, dialect: DialectId): number {
  let byDialect = longestNames.get(schema);
  if (!byDialect) longestNames.set(schema, (byDialect = new Map()));
  let longest = byDialect.get(dialect);
  if (longest === undefined) {
    longest = 0;
    for (const name of knownNames(schema, dialect)) longest = Math.max(longest, name.length);
    byDialect.set(dialect, longest);
  }
  return longest;
}

/** Every prefix of a declared path or of this dialect's aliases: `customer`, `cart.items`. */
function namespaces(schema: Schema, dialect: DialectId): Set<string> {
  let byDialect = namespaceIndexes.get(schema);
  if (!byDialect) namespaceIndexes.set(schema, (byDialect = new Map()));
  let index = byDialect.get(dialect);
  if (!index) {
    index = new Set();
    for (const path of [...schema.fields.keys(), ...aliasIndex(schema, dialect).keys()]) {
      for (let cut = lastSeparator(path, path.length); cut > 0; cut = lastSeparator(path, cut)) index.add(path.slice(0, cut));
    }
    byDialect.set(dialect, index);
  }
  return index;
}

/** The offset of the last `.` or `[]` before `end`, or -1. */
function lastSeparator(path: string, end: number): number {
  for (let i = end - 1; i > 0; i--) {
    const c = path.charCodeAt(i);
    if (c === 46) return i;
    if (c === 91 && i + 1 < end) return i;
  }
  return -1;
}
