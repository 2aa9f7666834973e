/**
 * `mergewise explain FILE:LINE:COL`: what the editor's hover says at that place, as plain text:
 * the field, its type, source, quadrant and fallback, and what each sample recipient sees there;
 * or why a name is unknown, with the closest known ones.
 */
import * as path from 'node:path';
import { plainText } from '../core/docs';
import { hoverAt } from '../core/ide';
import { LineIndex } from '../core/positions';
import { loadRecipients } from '../core/preview/recipients';
import { analyzeDocument, SchemaIndex, toPosix } from '../core/workspace';
import { PartialWorkspace } from '../core/partials/workspace';
import { nodeFileSystem } from '../node-fs';
import { includerUniverse } from './check';
import { UsageError, WorkspaceNotReady, WrongInput } from './preview';

export interface ExplainRun {
  /** The explanation, or undefined when no merge field is at that place. */
  text?: string;
  problems: string[];
}

/** `location` is FILE:LINE:COL, with the line and column counted from 1, as editors and `check` show them. */
export function runExplain(location: string, cwd: string, now = new Date()): ExplainRun {
  const match = /^(.+):(\d+):(\d+)$/.exec(location);
  if (!match) throw new UsageError(`explain takes FILE:LINE:COL (lines and columns from 1), not "${location}".`);
  const [, file, line, column] = match;
  if (Number(line) < 1 || Number(column) < 1) throw new WrongInput(`${location}: lines and columns start at 1, as check prints them.`);
  const filePath = path.resolve(cwd, file);
  const text = nodeFileSystem.readText(filePath);
  if (text === undefined) throw new UsageError(`${file}: no such file.`);
  const index = new SchemaIndex(nodeFileSystem);
  const loaded = index.schemaFor(filePath);
  if (!loaded?.result) throw new WorkspaceNotReady(loaded?.readError ?? `No mergewise.json found above ${file}: there is nothing to explain a field by.`);
  // As check reads it: a partial through the templates that include it, its parameters as the fields they pass.
  const partials = new PartialWorkspace(index, {
    read: (file) => nodeFileSystem.readText(file), version: () => 'this run', templates: () => includerUniverse([filePath], index),
  });
  const analysed = analyzeDocument(index, filePath, text, undefined, now, partials);
  const lines = new LineIndex(text);
  const offset = lines.offsetAt({ line: Number(line) - 1, character: Number(column) - 1 });
  const { recipients, problems } = loadRecipients(loaded.result.schema, nodeFileSystem, (f) => toPosix(path.relative(cwd, f)));
  const answer = hoverAt(analysed, offset, recipients, now);
  return { text: answer && plainText(answer.markdown), problems };
}
