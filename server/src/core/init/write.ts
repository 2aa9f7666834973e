/**
 * The schema as text: a new `mergewise.json` as stable JSON (keys in a fixed order, fields sorted by
 * path, 2-space indent), or the edits that add the missing fields to an existing one, made with
 * jsonc-parser so that its comments and formatting stay as they are.
 */
import { applyEdits, modify, parseTree, type FormattingOptions, type JSONPath, type Node } from 'jsonc-parser';
import type { DialectId, LiquidPlatformId } from '../dialects/ids';
import type { Schema } from '../schema/types';
import { comparePaths, type InferredField } from './infer';

export interface WrittenField extends InferredField {
  description?: string;
}

type Json = Record<string, unknown>;

/** A field's entry as written: its keys always in this order. */
function fieldEntry(field: WrittenField, items: WrittenField[] | undefined, byParent: Map<string, WrittenField[]>): Json {
  const entry: Json = field.type ? { type: field.type } : {};
  if (field.description !== undefined) entry.description = field.description;
  if (field.fallback !== undefined) entry.fallback = field.fallback;
  if (Object.keys(field.aliases).length) entry.aliases = field.aliases;
  if (field.required) entry.required = true;
  if (items?.length) entry.items = { fields: fieldsObject(items, `${field.path}[].`, byParent) };
  return entry;
}

function fieldsObject(fields: WrittenField[], prefix: string, byParent: Map<string, WrittenField[]>): Json {
  const object: Json = {};
  for (const field of [...fields].sort((a, b) => comparePaths(a.path, b.path))) {
    object[field.path.slice(prefix.length)] = fieldEntry(field, byParent.get(field.path), byParent);
  }
  return object;
}

/** The list a path's last `[]` is in: `cart.items` for `cart.items[].title`; undefined at the top. */
export function listParent(path: string): string | undefined {
  const at = path.lastIndexOf('[]');
  return at === -1 ? undefined : path.slice(0, at);
}

/** Fields nested as the examples write them: dotted paths at the top, list items under `items.fields`. */
export function nestFields(fields: WrittenField[]): { top: WrittenField[]; byParent: Map<string, WrittenField[]> } {
  const byParent = new Map<string, WrittenField[]>();
  const top: WrittenField[] = [];
  for (const field of fields) {
    const parent = listParent(field.path);
    if (parent === undefined) top.push(field);
    else {
      const siblings = byParent.get(parent);
      if (siblings) siblings.push(field);
      else byParent.set(parent, [field]);
    }
  }
  return { top, byParent };
}

export interface NewSchema {
  templates: { glob: string; dialect: DialectId }[];
  /** The platform the `liquid` templates are sent through, when their names tell it. */
  liquidPlatform?: LiquidPlatformId;
  recipients: string[];
  fields: WrittenField[];
}

/** A new `mergewise.json`, byte for byte the same for the same fields. */
export function schemaText(schema: NewSchema): string {
  const { top, byParent } = nestFields(schema.fields);
  const root: Json = {};
  if (schema.liquidPlatform) root.liquid = { platform: schema.liquidPlatform };
  if (schema.templates.length) root.templates = Object.fromEntries(schema.templates.map((t) => [t.glob, t.dialect]));
  root.recipients = schema.recipients;
  root.fields = fieldsObject(top, '', byParent);
  return `${JSON.stringify(root, null, 2)}\n`;
}

/** Where each declared field's object is in the parsed file, as a JSON path. */
function fieldLocations(root: Node | undefined): Map<string, JSONPath> {
  const locations = new Map<string, JSONPath>();
  const walk = (fieldsNode: Node | undefined, prefix: string, at: JSONPath) => {
    if (fieldsNode?.type !== 'object') return;
    for (const property of fieldsNode.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || value?.type !== 'object') continue;
      const name = String(key.value);
      const path = prefix + name;
      const here = [...at, name];
      locations.set(path, here);
      walk(child(child(value, 'items'), 'fields'), `${path}[].`, [...here, 'items', 'fields']);
      walk(child(value, 'fields'), `${path}.`, [...here, 'fields']);
    }
  };
  if (root?.type === 'object') walk(child(root, 'fields'), '', ['fields']);
  return locations;
}

function child(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  return node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
}

export interface MergeResult {
  text: string;
  /** The paths of the fields added. */
  added: string[];
  /** `FIELD: dialect "NAME"` for each alias added to a field already declared. */
  aliasesAdded: string[];
}

/**
 * Adds to an existing `mergewise.json` the fields it lacks (each list item under its list, new lists
 * with their items) and the confirmed aliases its fields lack; nothing else changes.
 */
export function mergeInto(text: string, existing: Schema, proposed: WrittenField[]): MergeResult {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const formattingOptions: FormattingOptions = indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
  const fresh = proposed.filter((field) => !existing.fields.has(field.path));
  const freshPaths = new Set(fresh.map((f) => f.path));
  const { byParent } = nestFields(fresh);
  let current = text;
  const apply = (path: JSONPath, value: unknown) => {
    current = applyEdits(current, modify(current, path, value, { formattingOptions }));
  };
  const added: string[] = [];
  const aliasesAdded: string[] = [];
  // Where the fields already there are: adding a property never moves another, so once is enough.
  const locations = fieldLocations(parseTree(text));
  // Top-level first so that each list exists before anything is added to it.
  for (const field of fresh) {
    const parent = listParent(field.path);
    if (parent !== undefined && freshPaths.has(parent)) continue; // written inside its new list
    let at: JSONPath = ['fields', field.path];
    if (parent !== undefined && locations.has(parent)) {
      at = [...locations.get(parent)!, 'items', 'fields', field.path.slice(parent.length + 3)];
    } else if (parent === undefined) {
      // A member of an object declared with nested "fields" goes there.
      for (let cut = field.path.lastIndexOf('.'); cut > 0; cut = field.path.lastIndexOf('.', cut - 1)) {
        const owner = existing.fields.get(field.path.slice(0, cut));
        if (!owner) continue;
        const location = locations.get(owner.path);
        if (location && !owner.open && owner.type === 'object') at = [...location, 'fields', field.path.slice(cut + 1)];
        break;
      }
    }
    apply(at, fieldEntry(field, byParent.get(field.path), byParent));
    added.push(field.path, ...descendants(field.path, byParent));
  }
  for (const field of proposed) {
    const declared = existing.fields.get(field.path);
    if (!declared) continue;
    for (const [dialect, name] of Object.entries(field.aliases) as [DialectId, string][]) {
      if (declared.aliases[dialect] !== undefined) continue;
      const location = locations.get(field.path);
      if (!location) continue;
      apply([...location, 'aliases', dialect], name);
      aliasesAdded.push(`${field.path}: ${dialect} "${name}"`);
    }
  }
  return { text: current, added: added.sort(comparePaths), aliasesAdded };
}

function descendants(path: string, byParent: Map<string, WrittenField[]>): string[] {
  return (byParent.get(path) ?? []).flatMap((f) => [f.path, ...descendants(f.path, byParent)]);
}
