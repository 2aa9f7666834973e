import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type Location, type Position, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { includeAt } from '../../core/partials/ide';
import { LineIndex } from '../../core/positions';
import { useAt } from '../../core/query';
import { renameInRecipients, renameInSchema, renameInTemplate } from '../../core/rename';
import { selectRecipientFiles } from '../../core/preview/recipients';
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
  const state = project.stateOf(document);
  const include = state.kind === 'template' ? includeAt(state.result.includes, state.lines.offsetAt(position)) : undefined;
  if (include?.file) {
    const start = { line: 0, character: 0 };
    return { uri: pathToUri(include.file), range: { start, end: start } };
  }
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

/** Renames a field in `mergewise.json` (its key and the purposes that list it) and in every template. */
export async function rename(project: Project, document: TextDocument, position: Position, newPath: string, indexed: Promise<void>): Promise<WorkspaceEdit | null> {
  const found = fieldAt(project, document, position);
  if (!found) return null;
  const oldPath = found.field.path;
  if (newPath === oldPath) return { changes: {} };
  const schemaText = project.fileSystem.readText(found.schema.file) ?? '';
  const inSchema = renameInSchema(found.schema, schemaText, found.field, newPath);
  if ('error' in inSchema) throw new ResponseError(LSPErrorCodes.RequestFailed, inSchema.error);
  await indexed;
  const schemaLines = new LineIndex(schemaText);
  const changes: Record<string, TextEdit[]> = {
    [pathToUri(found.schema.file)]: inSchema.edits.map((edit) => ({ range: schemaLines.range(edit.span), newText: edit.newText })),
  };
  for (const [filePath, uses] of project.usesOf(oldPath)) {
    // A platform with a name of its own for the field (an alias, even one spelled as the old path)
    // reads it by that name, which the rename leaves as it is.
    const dialect = project.dialectOf(filePath);
    if (dialect && found.field.aliases[dialect] !== undefined) continue;
    const edits = renameInTemplate(uses, oldPath, newPath).map(({ use, newText }) => ({ range: use.range, newText }));
    if (edits.length) changes[pathToUri(filePath)] = edits;
  }
  // The sample recipients keep their values under the new name, or every preview would show it blank.
  for (const file of selectRecipientFiles(found.schema, project.fileSystem.listFiles(found.schema.dir))) {
    const filePath = path.join(found.schema.dir, file);
    const text = project.fileSystem.readText(filePath);
    const edits = text === undefined ? [] : renameInRecipients(text, oldPath, newPath);
    if (text === undefined || !edits.length) continue;
    const lines = new LineIndex(text);
    changes[pathToUri(filePath)] = edits.map((edit) => ({ range: lines.range(edit.span), newText: edit.newText }));
  }
  return { changes };
}

function schemaKeyLocation(project: Project, schema: Schema, field: FieldSpec): Location | undefined {
  const text = project.fileSystem.readText(schema.file);
  if (text === undefined) return undefined;
  return { uri: pathToUri(schema.file), range: new LineIndex(text).range(field.keySpan) };
}
