/**
 * Renaming a field: the edits to `mergewise.json` (the field's key and the purposes that list it)
 * and to every template that uses it, as plain data. The language server converts them to a
 * workspace edit.
 */
import { parseTree, type Node } from 'jsonc-parser';
import type { TextEdit } from './dialects/dialect';
import { fieldMention } from './schema/mention';
import type { FieldSpec, Schema } from './schema/types';
import type { DeclaredUse } from './workspace';

const FIELD_PATH = /^[\p{L}_$][\p{L}\p{N}_$-]*(\[\])?(\.[\p{L}_$][\p{L}\p{N}_$-]*(\[\])?)*$/u;

/** The edits to `mergewise.json`'s text, or why the rename cannot be made. */
export function renameInSchema(schema: Schema, schemaText: string, field: FieldSpec, newPath: string): { edits: TextEdit[] } | { error: string } {
  const oldPath = field.path;
  if (!FIELD_PATH.test(newPath)) return { error: `"${newPath}" is not a field path such as customer.first_name.` };
  if (schema.fields.has(newPath)) return { error: `"${newPath}" is already a field in mergewise.json.` };
  const keyText = JSON.parse(schemaText.slice(field.keySpan.start, field.keySpan.end)) as string;
  const parent = oldPath.slice(0, oldPath.length - keyText.length);
  if (!newPath.startsWith(parent)) return { error: `"${oldPath}" is declared inside "${parent.replace(/\.$|\[\]\.$/, '')}": rename only its last part.` };
  const tree = parseTree(schemaText);
  const audience = property(tree, 'audience');
  return {
    edits: [
      { span: field.keySpan, newText: JSON.stringify(newPath.slice(parent.length)) },
      ...purposeListings(tree, oldPath).map((span) => ({ span, newText: JSON.stringify(newPath) })),
      // The columns an audience export holds the field in, and when it was updated, are keyed by its path.
      ...['columns', 'updatedAtColumns'].flatMap((key) => keysNamed(property(audience, key), oldPath, newPath)),
      ...deprecationsNaming(property(tree, 'fields'), oldPath, newPath),
    ],
  };
}

/**
 * The edits to a sample recipients file: the keys that hold the field's value, nested
 * (`{"customer": {"first_name": …}}`), dotted (`{"customer.first_name": …}`) or both, in every
 * recipient and every item of a list (`items[].title`), and the field's `$updatedAt` date.
 */
export function renameInRecipients(text: string, oldPath: string, newPath: string): TextEdit[] {
  const tree = parseTree(text);
  if (!tree) return [];
  const segments = oldPath.split('.').map((segment) => ({ name: segment.replace(/\[\]$/, ''), list: segment.endsWith('[]') }));
  const newLast = lastSegment(newPath).replace(/\[\]$/, '');
  const edits: TextEdit[] = [];
  for (const recipient of tree.type === 'array' ? tree.children ?? [] : [tree]) {
    if (recipient.type !== 'object') continue;
    keysHolding(recipient, segments, newLast, edits);
    edits.push(...keysNamed(property(recipient, '$updatedAt'), oldPath, newPath));
  }
  return edits;
}

/** Finds, under `object`, the keys whose value is the field at `segments`, and renames their last part. */
function keysHolding(object: Node, segments: { name: string; list: boolean }[], newLast: string, edits: TextEdit[]): void {
  for (const member of object.children ?? []) {
    const [key, value] = member.children ?? [];
    if (key?.type !== 'string' || key.value.startsWith('$')) continue;
    const parts = (key.value as string).split('.');
    if (parts.length > segments.length || parts.some((part, i) => part !== segments[i].name || (segments[i].list && i < parts.length - 1))) continue;
    if (parts.length === segments.length) {
      edits.push({ span: { start: key.offset, end: key.offset + key.length }, newText: JSON.stringify([...parts.slice(0, -1), newLast].join('.')) });
      continue;
    }
    const rest = segments.slice(parts.length);
    const children = segments[parts.length - 1].list ? value?.type === 'array' ? value.children ?? [] : [] : value ? [value] : [];
    for (const child of children) if (child.type === 'object') keysHolding(child, rest, newLast, edits);
  }
}

/** Edits renaming the keys of `object` that are exactly `oldPath`. */
function keysNamed(object: Node | undefined, oldPath: string, newPath: string): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const member of object?.type === 'object' ? object.children ?? [] : []) {
    const key = member.children?.[0];
    if (key?.type === 'string' && key.value === oldPath) edits.push({ span: { start: key.offset, end: key.offset + key.length }, newText: JSON.stringify(newPath) });
  }
  return edits;
}

/** Edits to the `deprecated` messages that send readers to the field by its path (`"use customer.city"`), at any depth of `fields`. */
function deprecationsNaming(fields: Node | undefined, oldPath: string, newPath: string): TextEdit[] {
  const named = fieldMention(oldPath);
  const everyMention = fieldMention(oldPath, 'g');
  const edits: TextEdit[] = [];
  const visit = (node: Node | undefined): void => {
    for (const member of node?.type === 'object' ? node.children ?? [] : []) {
      const [key, value] = member.children ?? [];
      if (key?.value === 'deprecated' && value?.type === 'string' && named.test(value.value)) {
        edits.push({ span: { start: value.offset, end: value.offset + value.length }, newText: JSON.stringify((value.value as string).replace(everyMention, newPath)) });
      } else {
        visit(value);
      }
    }
  };
  visit(fields);
  return edits;
}

/**
 * The new text of each use of the field being renamed: the path where it is written whole, the last
 * part where a loop variable reads it (`item.title`). Aliases (`FNAME`) name the field in a
 * platform's own terms and stay as they are.
 */
export function renameInTemplate<U extends DeclaredUse>(uses: U[], oldPath: string, newPath: string): { use: U; newText: string }[] {
  const oldLast = lastSegment(oldPath);
  const sameParent = newPath.slice(0, newPath.length - lastSegment(newPath).length) === oldPath.slice(0, oldPath.length - oldLast.length);
  const edits: { use: U; newText: string }[] = [];
  for (const use of uses) {
    if (use.written === oldPath) edits.push({ use, newText: newPath });
    else if (sameParent && use.written.endsWith(`.${oldLast}`)) edits.push({ use, newText: use.written.slice(0, -oldLast.length) + lastSegment(newPath) });
  }
  return edits;
}

/** Spans of `"path"` strings in the purposes' `fields` lists. */
function purposeListings(tree: Node | undefined, fieldPath: string): { start: number; end: number }[] {
  const purposes = property(tree, 'purposes');
  const spans: { start: number; end: number }[] = [];
  for (const purpose of purposes?.children ?? []) {
    const fields = property(purpose.children?.[1], 'fields');
    for (const item of fields?.children ?? []) {
      if (item.type === 'string' && item.value === fieldPath) spans.push({ start: item.offset, end: item.offset + item.length });
    }
  }
  return spans;
}

function property(node: Node | undefined, key: string): Node | undefined {
  return node?.type === 'object' ? node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1] : undefined;
}

function lastSegment(fieldPath: string): string {
  return fieldPath.slice(Math.max(fieldPath.lastIndexOf('.'), -1) + 1);
}
