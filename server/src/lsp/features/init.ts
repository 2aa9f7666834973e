/**
 * `mergewise/init`: what `mergewise init` would create in a workspace folder, from the same run
 * (core/init/run.ts), as files for the client to create. The server writes nothing: the client
 * creates them, never replacing a file. With a mergewise.json already there, nothing is created and
 * the answer holds the file as `--merge` would leave it, for the client to show as a diff.
 */
import * as path from 'node:path';
import { plannedFiles, runInitIn } from '../../core/init/run';
import { loadSchema, SCHEMA_FILE_NAME } from '../../core/schema/load';
import { isTemplateFile, type WorkspaceFileSystem } from '../../core/workspace';
import type { InitResult } from '../../../../protocol/src/requests';
import { pathToUri } from '../convert';

export function initProposal(fs: WorkspaceFileSystem, folder: string, now: Date): InitResult {
  const empty = (error: string): InitResult => ({
    folder: pathToUri(folder), files: [], kept: [], notices: [], error,
    summary: { templates: 0, fields: 0, proposals: [], typeUnknown: [], findings: {} },
  });
  const schemaFile = path.join(folder, SCHEMA_FILE_NAME);
  let existingText: string | undefined;
  try {
    existingText = fs.readText(schemaFile);
  } catch (error) {
    return empty(`Mergewise cannot read ${schemaFile}: ${(error as Error).message}`);
  }
  const loaded = existingText === undefined ? undefined : loadSchema(existingText, schemaFile, folder);
  if (loaded && !loaded.parsed) return empty(`${SCHEMA_FILE_NAME} is not valid JSON: fix it first (its problems are listed in it).`);
  const templates = fs.listFiles(folder).filter(isTemplateFile).map((file) => path.join(folder, file));
  if (templates.length === 0) return empty(`There are no templates in ${folder} to create ${SCHEMA_FILE_NAME} from.`);

  const exists = (relative: string) => fs.readText(path.join(folder, relative)) !== undefined;
  const { proposal, findings, notices } = runInitIn({
    fs, dir: folder, templates, now, exists,
    existing: loaded && existingText !== undefined ? { text: existingText, loaded } : undefined,
  });
  const planned = plannedFiles(proposal, existingText);
  const s = proposal.summary;
  return {
    folder: pathToUri(folder),
    // Asked again here: a file that appeared since the run is not offered.
    files: planned.filter((f) => f.action === 'create' && !exists(f.path))
      .map((f) => ({ uri: pathToUri(path.join(folder, f.path)), path: f.path, text: f.text! })),
    kept: planned.filter((f) => f.action === 'keep').map((f) => f.path),
    ...(existingText !== undefined ? { existing: { uri: pathToUri(schemaFile), proposedText: proposal.schemaText, changed: proposal.changed } } : {}),
    summary: {
      templates: s.templates,
      fields: s.fields.length,
      proposals: s.proposals.map((p) => p.path),
      typeUnknown: s.typeUnknown.map((f) => f.path),
      findings: findings.counts,
    },
    notices,
  };
}
