/**
 * The preview requests: `mergewise/preview` renders the open template, as the editor holds it, for
 * every sample recipient on the render worker; `mergewise/newRecipient` drafts a recipient with
 * every optional field empty. The LSP side only gathers inputs and converts; core does the work.
 */
import { partialSources } from '../../core/partials/render';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_RENDER_LIMITS } from '../../core/dialects/dialect';
import { isPlainTextTemplate } from '../../core/preview/html';
import { missingDataRecipient, newRecipientPath, recipientFileText } from '../../core/preview/missing-data';
import { parseRecipients, type Recipient } from '../../core/preview/recipients';
import { toPosix } from '../../core/workspace';
import { uriToPath } from '../convert';
import type { Project } from '../project';
import {
  NEW_RECIPIENT_REQUEST, PREVIEW_REQUEST,
  type NewRecipientResult, type PreviewParams, type PreviewResult,
} from '../../../../protocol/src/requests';
import type { RenderJob } from './messages';
import { JobCancelled, RenderPool } from './render-pool';

/** Bounds of the time budget a client may ask for, per rendering. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 60_000;
/** A worker may use this much heap; a rendering that needs more is stopped as too big. */
const WORKER_HEAP_MB = 512;

export interface PreviewOptions {
  /** The worker script; dist/render-worker.js beside the bundled server by default. */
  workerFile?: string;
}

/** Registers the preview requests; returns the pool so that the caller can shut it down. */
export function registerPreview(connection: Connection, project: Project, documents: TextDocuments<TextDocument>, options: PreviewOptions = {}): RenderPool {
  const workerFile = options.workerFile ?? path.join(__dirname, 'render-worker.js');
  const pool = new RenderPool({
    spawn: () => {
      // `stdout: true` keeps the worker's output off the server's stdout, which is the LSP channel.
      const worker = new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, stdout: true, stderr: true });
      worker.stdout.resume();
      worker.stderr.setEncoding('utf8').on('data', (chunk: string) => connection.console.error(`Mergewise preview renderer: ${chunk.trimEnd()}`));
      return worker;
    },
  });

  connection.onRequest(PREVIEW_REQUEST, async (params: PreviewParams, token: CancellationToken): Promise<PreviewResult> => {
    for (const file of params.changedFiles ?? []) project.fileChanged(file);
    const document = documents.get(params.uri);
    const template = path.basename(uriToPath(params.uri) ?? params.uri);
    const empty = { uri: params.uri, version: document?.version ?? 0, template, plainText: isPlainTextTemplate(template), recipients: [], problems: [] };
    if (!document) return { ...empty, notice: `Open ${template} in the editor to preview it.` };
    const state = project.stateOf(document);
    if (state.kind !== 'template') return { ...empty, notice: `Mergewise does not check ${template}, so it has no preview. Templates are .liquid, .hbs, .html, .txt and similar files under a mergewise.json.` };
    const { dialect, schema } = state.result;
    const problems: string[] = [];
    const recipients: RenderJob['recipients'] = [];
    if (schema) {
      const loaded = project.recipientsFor(schema);
      recipients.push(...loaded.recipients);
      problems.push(...loaded.problems);
    }
    for (const file of params.extraRecipientFiles ?? []) {
      const picked = readRecipientFile(project, file);
      recipients.push(...picked.recipients.map((r) => ({ ...r, picked: true })));
      problems.push(...picked.problems);
    }
    const wanted = params.recipients === undefined || params.recipients === 'all' ? undefined : new Set(params.recipients);
    const chosen = wanted ? recipients.filter((r) => wanted.has(r.name)) : recipients;
    const result: PreviewResult = {
      ...empty, version: state.version, dialect: { id: dialect.id, label: dialect.label }, problems,
    };
    if (chosen.length === 0) return { ...result, notice: noRecipientsNotice(project, state.filePath, schema?.recipients, wanted !== undefined) };
    const timeMs = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round(params.timeoutMs ?? DEFAULT_RENDER_LIMITS.timeMs)));
    const job: RenderJob = {
      text: state.text, dialect: dialect.id, schema, recipients: chosen, now: project.now(),
      limits: { ...DEFAULT_RENDER_LIMITS, timeMs }, plainText: result.plainText,
      partials: state.result.includes?.length ? partialSources(project.partials, state.filePath) : {},
    };
    try {
      return { ...result, recipients: await pool.render(params.uri, job, token) };
    } catch (error) {
      if (error instanceof JobCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, error.message);
      throw error;
    }
  });

  connection.onRequest<NewRecipientResult, void>(NEW_RECIPIENT_REQUEST, (params: { uri: string }): NewRecipientResult => {
    const filePath = uriToPath(params.uri);
    const loaded = filePath ? project.schemas.schemaFor(filePath) : undefined;
    const schema = loaded?.result?.schema;
    if (!schema) return { error: 'No mergewise.json above this template: create one with "fields" and "recipients" first.' };
    if (schema.recipients.length === 0) {
      return { error: `${path.basename(schema.file)} has no "recipients": add "recipients": ["recipients/*.json"] so that sample recipients are found.` };
    }
    const relative = newRecipientPath(schema, project.fileSystem.listFiles(schema.dir));
    if (!relative) {
      return { error: `None of the "recipients" globs (${schema.recipients.map((g) => `"${g}"`).join(', ')}) would select a new missing-data.json: add a folder glob such as "recipients/*.json".` };
    }
    return { file: path.join(schema.dir, ...relative.split('/')), content: recipientFileText(missingDataRecipient(schema, project.now())) };
  });

  return pool;
}

function readRecipientFile(project: Project, file: string): { recipients: Recipient[]; problems: string[] } {
  try {
    const text = project.fileSystem.readText(file);
    if (text === undefined) return { recipients: [], problems: [`${file}: no such file (picked as a sample recipient).`] };
    return parseRecipients(text, file);
  } catch (error) {
    return { recipients: [], problems: [`${file}: could not be read (${(error as Error).message}).`] };
  }
}

function noRecipientsNotice(project: Project, templatePath: string, globs: string[] | undefined, filtered: boolean): string {
  if (filtered) return 'None of the requested sample recipients exist.';
  if (!globs) return `No mergewise.json above ${path.basename(templatePath)}: add one with "recipients": ["recipients/*.json"], or pick a recipient file.`;
  if (globs.length === 0) return 'mergewise.json has no "recipients": add "recipients": ["recipients/*.json"] and a JSON file per sample recipient, or pick a recipient file.';
  const schemaFile = project.schemas.schemaFileFor(templatePath);
  const where = schemaFile ? ` (relative to ${toPosix(path.dirname(schemaFile))})` : '';
  return `No sample recipients match ${globs.map((g) => `"${g}"`).join(', ')}${where}. Add one with missing data, or pick a recipient file.`;
}
