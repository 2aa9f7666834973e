import { parseTree, type Node } from 'jsonc-parser';
import { ResponseError, type Location, type Position, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../core/positions';
import { useAt } from '../../core/query';
import type { FieldSpec, Schema } from '../../core/schema/types';
import { pathToUri } from '../convert';
import type { Project } from '../project';

interface FieldAtCursor {
  field: FieldSpec;
  schema: Schema;
  range: Range;
}

/** The field under the cursor: a use in a template, or a field's key in `mergewise.json`. */
function fieldAt(project: Project, document: TextDocument, position: Position): FieldAtCursor | undefined {
  const state = project.stateOf(document);
  if (state.kind === 'template') {
    const { analysis, schema } = state.result;
    const found = useAt(analysis.scan, state.lines.offsetAt(position));
    const resolution = found && analysis.resolutions[found.index];
    if (!found || !schema || resolution?.kind !== 'field') return undefined;
    return { field: resolution.field, schema, range: state.lines.range(found.use.span) };
  }
  if (state.kind === 'schema') {
    const schema = project.schemas.load(state.filePath).result?.schema;
    const offset = state.lines.offsetAt(position);
    const field = schema && [...schema.fields.values()].find((f) => f.keySpan.start <= offset && offset <= f.keySpan.end);
    if (!schema || !field) return undefined;
    return { field, schema, range: state.lines.range(field.keySpan) };
  }
  return undefined;
}

export function definition(project: Project, document: TextDocument, position: Position): Location | null {
  const found = fieldAt(project, document, position);
  if (!found) return null;
  return schemaKeyLocation(project, found.schema, found.field) ?? null;
}

export async function references(project: Project, document: TextDocument, position: Position, includeDeclaration: boolean, indexed: Promise<void>): Promise<Location[]> {
  const found = fieldAt(project, document, position);
  if (!found) return [];
  await indexed;
  const locations: Location[] = [];
  if (includeDeclaration) {
    const declaration = schemaKeyLocation(project, found.schema, found.field);
    if (declaration) locations.push(declaration);
  }
  for (const [filePath, uses] of project.usesOf(found.field.path)) {
    for (const use of uses) locations.push({ uri: pathToUri(filePath), range: use.range });
  }
  return locations;
}

export function prepareRename(project: Project, document: TextDocument, position: Position): { range: Range; placeholder: string } | null {
  const found = fieldAt(project, document, position);
  return found ? { range: found.range, placeholder: found.field.path } : null;
}

const FIELD_PATH = /^[\p{L}_$][\p{L}\p{N}_$-]*(\[\])?(\.[\p{L}_$][\p{L}\p{N}_$-]*(\[\])?)*$/u;

/** Renames a field in `mergewise.json` (its key and the purposes that list it) and in every template. */
export async function rename(project: Project, document: TextDocument, position: Position, newPath: string, indexed: Promise<void>): Promise<WorkspaceEdit | null> {
  const found = fieldAt(project, document, position);
  if (!found) return null;
  const oldPath = found.field.path;
  if (newPath === oldPath) return { changes: {} };
  if (!FIELD_PATH.test(newPath)) throw new ResponseError(0, `"${newPath}" is not a field path such as customer.first_name.`);
  if (found.schema.fields.has(newPath)) throw new ResponseError(0, `"${newPath}" is already a field in mergewise.json.`);
  const schemaText = project.fileSystem.readText(found.schema.file) ?? '';
  const keyText = JSON.parse(schemaText.slice(found.field.keySpan.start, found.field.keySpan.end)) as string;
  const parent = oldPath.slice(0, oldPath.length - keyText.length);
  if (!newPath.startsWith(parent)) {
    throw new ResponseError(0, `"${oldPath}" is declared inside "${parent.replace(/\.$|\[\]\.$/, '')}": rename only its last part.`);
  }
  await indexed;
  const changes: Record<string, TextEdit[]> = {};
  const schemaLines = new LineIndex(schemaText);
  changes[pathToUri(found.schema.file)] = [
    { range: schemaLines.range(found.field.keySpan), newText: JSON.stringify(newPath.slice(parent.length)) },
    ...purposeListings(schemaText, oldPath).map((span) => ({ range: schemaLines.range(span), newText: JSON.stringify(newPath) })),
  ];
  const oldLast = lastSegment(oldPath);
  const sameParent = newPath.slice(0, newPath.length - lastSegment(newPath).length) === oldPath.slice(0, oldPath.length - oldLast.length);
  for (const [filePath, uses] of project.usesOf(oldPath)) {
    const edits: TextEdit[] = [];
    for (const use of uses) {
      if (use.written === oldPath) edits.push({ range: use.range, newText: newPath });
      else if (sameParent && use.written.endsWith(`.${oldLast}`)) {
        // A loop variable's field (`item.title`): only the last part changes.
        edits.push({ range: use.range, newText: use.written.slice(0, -oldLast.length) + lastSegment(newPath) });
      }
      // Aliases (`FNAME`) name the field in a platform's own terms and stay as they are.
    }
    if (edits.length) changes[pathToUri(filePath)] = edits;
  }
  return { changes };
}

function schemaKeyLocation(project: Project, schema: Schema, field: FieldSpec): Location | undefined {
  const text = project.fileSystem.readText(schema.file);
  if (text === undefined) return undefined;
  return { uri: pathToUri(schema.file), range: new LineIndex(text).range(field.keySpan) };
}

/** Spans of `"path"` strings in the purposes' `fields` lists. */
function purposeListings(schemaText: string, fieldPath: string): { start: number; end: number }[] {
  const root = parseTree(schemaText);
  const purposes = property(root, 'purposes');
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
