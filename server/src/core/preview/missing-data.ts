/**
 * "Add sample recipient with missing data": a recipient whose every optional field is empty, so the
 * preview shows each fallback and each blank at once. Pure: the editor writes the file.
 */
import { matchesGlob } from '../purposes';
import type { FieldSpec, FieldType, Schema } from '../schema/types';

export const MISSING_DATA_NAME = 'Missing data';
const MISSING_DATA_FILE = 'missing-data';

/**
 * The recipient as a JSON object, nested by path segments: every optional field (not `required:
 * true`) empty, every required one filled from its first example, or a plain stand-in of its type.
 * A required list gets one item built the same way from its item fields.
 */
export function missingDataRecipient(schema: Schema, now: Date): Record<string, unknown> {
  return { $name: MISSING_DATA_NAME, ...buildObject(schema, '', now) };
}

/** The fields directly below `prefix` (`customer.` or `cart.items[].`), each written at its own key. */
function buildObject(schema: Schema, prefix: string, now: Date): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of schema.fields.values()) {
    if (!field.path.startsWith(prefix)) continue;
    const rest = field.path.slice(prefix.length);
    // Item fields belong to their list; a field under an undeclared parent is written nested.
    if (rest.includes('[]') || hasDeclaredParent(schema, prefix, rest)) continue;
    setPath(result, rest.split('.'), valueOf(schema, field, now));
  }
  return result;
}

function hasDeclaredParent(schema: Schema, prefix: string, rest: string): boolean {
  const segments = rest.split('.');
  for (let length = 1; length < segments.length; length++) {
    if (schema.fields.has(prefix + segments.slice(0, length).join('.'))) return true;
  }
  return false;
}

function valueOf(schema: Schema, field: FieldSpec, now: Date): unknown {
  const hasChildren = [...schema.fields.keys()].some((other) => other.startsWith(`${field.path}.`));
  // An object with declared sub-fields is spelled out, so each of them shows up empty or filled.
  if (field.type === 'object' && hasChildren) return buildObject(schema, `${field.path}.`, now);
  if (!field.required) return emptyValue(field.type);
  if (field.examples?.length) return field.examples[0];
  if (field.type === 'array') {
    const hasItemFields = [...schema.fields.keys()].some((other) => other.startsWith(`${field.path}[].`));
    return hasItemFields ? [buildObject(schema, `${field.path}[].`, now)] : [];
  }
  return standIn(field.type, now);
}

/** What "no data" looks like for a type: a blank string, an empty list, otherwise (an untyped field too) null. */
export function emptyValue(type: FieldType | undefined): '' | [] | null {
  if (type === 'string') return '';
  if (type === 'array') return [];
  return null;
}

function standIn(type: FieldType | undefined, now: Date): unknown {
  switch (type) {
    case undefined:
    case 'string': return 'example';
    case 'number': return 0;
    case 'boolean': return false;
    case 'date': return now.toISOString().slice(0, 10);
    case 'array': return [];
    case 'object': return {};
  }
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let parent = target;
  for (const segment of segments.slice(0, -1)) {
    const next = parent[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) parent[segment] = {};
    parent = parent[segment] as Record<string, unknown>;
  }
  parent[segments[segments.length - 1]] = value;
}

/**
 * Where to write a new sample recipient, relative to the schema's folder (`/`-separated): in the
 * folder of the first `recipients` glob that selects the name, `missing-data.json`, numbered when
 * taken. Undefined when no glob would select such a file (no globs, or only literal file names).
 */
export function newRecipientPath(schema: Schema, existingFiles: readonly string[], baseName = MISSING_DATA_FILE): string | undefined {
  const taken = new Set(existingFiles);
  for (const glob of schema.recipients) {
    if (glob.startsWith('!')) continue;
    const folder = globFolder(glob);
    for (let n = 1; n < 1000; n++) {
      const candidate = `${folder}${baseName}${n > 1 ? `-${n}` : ''}.json`;
      if (!matchesGlob(glob, candidate)) break;
      if (!taken.has(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The literal folder a glob starts with: `recipients/` for `recipients/*.json`, `` for `**\/*.json`. */
export function globFolder(glob: string): string {
  const segments = glob.replace(/^\.\//, '').split('/');
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}()!+@]/.test(segment)) break;
    literal.push(segment);
  }
  return literal.length ? `${literal.join('/')}/` : '';
}

/** The file's text: the object as indented JSON, ending with a newline. */
export function recipientFileText(recipient: Record<string, unknown>): string {
  return `${JSON.stringify(recipient, null, 2)}\n`;
}
