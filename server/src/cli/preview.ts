import * as fs from 'node:fs';
import * as path from 'node:path';
import { getDialect } from '../core/dialects/registry';
import { indexPage, isPlainTextTemplate, recipientPage, summaryWithSize } from '../core/preview/html';
import { previewTemplate, type PreviewMark, type RecipientPreview } from '../core/preview/preview';
import { loadRecipients, type Recipient } from '../core/preview/recipients';
import { partialLookup, partialSources } from '../core/partials/render';
import { PartialWorkspace } from '../core/partials/workspace';
import { chooseDialect, SchemaIndex, toPosix } from '../core/workspace';
import { nodeFileSystem } from '../node-fs';
import { writeOutputFiles } from './fix';
import { markAsGenerated } from '../core/generated-page';

export interface PreviewOptions {
  template: string;
  cwd: string;
  recipient: string;
  outDir?: string;
  color: boolean;
  now?: Date;
}

export class UsageError extends Error {}

/**
 * What the workspace lacks rather than what the command line got wrong (no mergewise.json, no
 * sample recipients): said alone, without the usage, which would bury it and not help.
 */
export class WorkspaceNotReady extends UsageError {}

/** A path or place the command line names that is not what the command takes: said alone too. */
export class WrongInput extends UsageError {}

export interface PreviewRun {
  previews: RecipientPreview[];
  /** Files written with --out. */
  written: string[];
  /** Problems with recipient files, each saying where. */
  problems: string[];
  text: string;
}

export function runPreview(options: PreviewOptions): PreviewRun {
  const templatePath = path.resolve(options.cwd, options.template);
  if (isFolder(templatePath)) {
    throw new WrongInput(`${options.template} is a folder: preview takes one template file (mergewise preview ${path.join(options.template, 'welcome.liquid')}).`);
  }
  const text = nodeFileSystem.readText(templatePath);
  if (text === undefined) throw new UsageError(`${options.template}: no such template.`);
  const index = new SchemaIndex(nodeFileSystem);
  const loaded = index.schemaFor(templatePath);
  if (!loaded) throw new WorkspaceNotReady(`No mergewise.json found above ${options.template}: previews need its "recipients" to know whom to render for.`);
  if (!loaded.result) throw new WorkspaceNotReady(loaded.readError ?? `${loaded.file} could not be read.`);
  const schema = loaded.result.schema;
  if (schema.recipients.length === 0) {
    throw new WorkspaceNotReady(`${path.relative(options.cwd, loaded.file)} has no "recipients": add globs of sample recipient files, as in "recipients": ["recipients/*.json"].`);
  }
  const relativePath = toPosix(path.relative(schema.dir, templatePath));
  const choice = chooseDialect(schema, relativePath, text);
  const dialect = getDialect(choice.id, schema);

  const { recipients, problems } = loadRecipients(schema, nodeFileSystem, (file) => toPosix(path.relative(options.cwd, file)));
  if (recipients.length === 0) {
    throw new WorkspaceNotReady(`No sample recipients match ${schema.recipients.map((g) => `"${g}"`).join(', ')} in ${path.relative(options.cwd, loaded.file)}.` +
      (problems.length ? `\n${problems.join('\n')}` : ''));
  }
  const chosen = options.recipient === 'all' ? recipients : recipients.filter((r) => matchesRecipient(r, options.recipient));
  if (chosen.length === 0) {
    throw new WorkspaceNotReady(`No sample recipient named "${options.recipient}"; the recipients are: ${recipients.map((r) => r.name).join(', ')}.`);
  }

  const scan = dialect.scan(text);
  const now = options.now ?? new Date();
  const graph = new PartialWorkspace(index, { read: (file) => nodeFileSystem.readText(file), templates: () => [templatePath] });
  const sources = scan.includes?.length ? partialSources(graph, templatePath) : {};
  if (scan.includes?.length) problems.push(...missingPartials(graph, templatePath, options.template));
  const partial = Object.keys(sources).length ? partialLookup(sources, dialect) : undefined;
  const previews = chosen.map((recipient) => previewTemplate({ text, dialect, scan, schema, recipient, now, ...(partial ? { partial } : {}) }));
  // The same pages, marks and plain-text rule as the editor's preview (core/preview/html.ts).
  const plainText = isPlainTextTemplate(templatePath);
  let written: string[] = [];
  if (options.outDir) {
    const templateName = path.basename(templatePath);
    const pages = previews.map((preview) => ({ file: `${slug(preview.recipient.name)}.html`, preview }));
    written = writeOutputFiles(path.resolve(options.cwd, options.outDir), [
      ...pages.map(({ file, preview }): [string, string] => [file, markAsGenerated(recipientPage(preview, templateName, { plainText }))]),
      ['index.html', markAsGenerated(indexPage(templateName, pages))],
    ]);
  }
  return { previews, written, problems, text: previews.map((p) => formatPreviewText(p, options.color)).join('\n') };
}

/** The includes of the template that resolve to no file: the preview shows nothing in their place, which is not what the platform does. */
function missingPartials(graph: PartialWorkspace, templatePath: string, shown: string): string[] {
  const own = graph.read(templatePath);
  if (!own || 'problem' in own) return [];
  return graph.includesOf(own).filter((include) => include.site.name !== null && !include.file).map((include) =>
    `${shown}: the partial "${include.site.name}" was not found (${include.how}): the preview shows nothing in its place; mergewise check reports it (unknown-partial).`);
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function matchesRecipient(recipient: Recipient, wanted: string): boolean {
  const lowered = wanted.toLowerCase();
  return recipient.name.toLowerCase() === lowered || path.basename(recipient.file, '.json').toLowerCase() === lowered;
}

/** The rendering as terminal text, with marks in brackets: `[there ← fallback]`, `[blank: customer.city]`. */
export function formatPreviewText(preview: RecipientPreview, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const header = paint(1, `── ${preview.recipient.name}${preview.recipient.jurisdiction ? ` (${preview.recipient.jurisdiction})` : ''}: ${summaryWithSize(preview)} ──`);
  if (preview.aborted !== undefined) return `${header}\nThis recipient gets no email: the template stops the send (${preview.aborted}).\n`;
  if (preview.error) return `${header}\n${preview.error}\n`;
  let body = '';
  for (const segment of preview.segments) {
    const mark = segment.mark;
    if (!mark || mark.kind === 'value') { body += segment.text; continue; }
    if (mark.kind === 'fallback') body += paint(33, `[${segment.text} ← fallback]`);
    else if (mark.kind === 'blank') body += paint(31, blankText(mark));
    else if (mark.kind === 'stale') body += paint(35, `[${segment.text} ← stale, updated ${mark.updatedAt?.toISOString().slice(0, 10)}]`);
    else body += paint(41, `[raw: ${segment.text}]`);
  }
  return `${header}\n${body.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** A blank field by its name; connected data, which has none in the schema, by what the template reads and why it is empty. */
function blankText(mark: PreviewMark): string {
  const connected = mark.connected;
  if (connected && !connected.mocked) return `[not fetched: ${connected.written}; mock it under "$connected" in the recipient file]`;
  if (connected) return `[blank: ${connected.written} in the mock response]`;
  return `[blank: ${mark.field ?? 'a value'}]`;
}

function slug(name: string): string {
  return name.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'recipient';
}

