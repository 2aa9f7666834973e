/**
 * Renaming a field: the edits to `mergewise.json` (the field's key and the purposes that list it)
 * and to every template that uses it, as plain data. The language server converts them to a
 * workspace edit.
 */
import { parseTree, type Node } from 'jsonc-parser';
import type { TextEdit } from './dialects/dialect';
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
  return {
    edits: [
      { span: field.keySpan, newText: JSON.stringify(newPath.slice(parent.length)) },
      ...purposeListings(schemaText, oldPath).map((span) => ({ span, newText: JSON.stringify(newPath) })),
    ],
  };
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
function purposeListings(schemaText: string, fieldPath: string): { start: number; end: number }[] {
  const purposes = property(parseTree(schemaText), 'purposes');
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
