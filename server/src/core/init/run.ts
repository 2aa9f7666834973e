/**
 * One run of `mergewise init` over a folder, shared by the command line and the language server:
 * which of the given templates the new `mergewise.json` governs, reading them (size and binary
 * checks as `check` makes them), mining them, and the findings `check` would report right after.
 * Reads only through `WorkspaceFileSystem`; the callers list the templates and write the files.
 */
import * as path from 'node:path';
import type { SchemaLoadResult } from '../schema/load';
import { SCHEMA_FILE_NAME } from '../schema/load';
import { SchemaIndex, chooseDialect, describeSkip, maxFileSizeFor, skipReason, toPosix, type WorkspaceFileSystem } from '../workspace';
import { escapeGlob } from './globs';
import { proposeSchema, type AliasConfirmation, type InitProposal } from './index';
import { InitWorkspace, type Findings, type TemplateText } from './workspace';
import { addDataToProposal, type DataSummary, type FromData } from './from-data';

export interface InitRunInput {
  fs: WorkspaceFileSystem;
  /** The folder `mergewise.json` goes in (absolute). */
  dir: string;
  /** The template files found (absolute). Those outside `dir`, or governed by a `mergewise.json` below it, are skipped. */
  templates: string[];
  /** The `mergewise.json` already in `dir`, when there is one: it must have parsed. */
  existing?: { text: string; loaded: SchemaLoadResult };
  aliases?: AliasConfirmation[];
  /** Whether a file (relative to `dir`) already exists. */
  exists: (relative: string) => boolean;
  /** A file's size in bytes, asked before reading it; without it, the size of the text read. */
  size?: (file: string) => number;
  now?: Date;
  /** `--from-data`: the columns and profile of an audience export, added to what the templates tell. */
  fromData?: FromData;
}

export interface InitRun {
  proposal: InitProposal;
  /** What `check` reports with the proposed `mergewise.json`. */
  findings: Findings;
  /** Templates skipped, and why, relative to `dir`. */
  notices: string[];
  /** What `fromData` added. */
  fromData?: DataSummary & { source: string };
}

/** The files a run would write, relative to `dir`: never one that exists (a `merge` carries the text before). */
export interface InitFile {
  path: string;
  action: 'create' | 'merge' | 'keep';
  text?: string;
  before?: string;
}

export function runInitIn(input: InitRunInput, shown: (file: string) => string = (file) => toPosix(path.relative(input.dir, file))): InitRun {
  const { dir, fs } = input;
  const schemaFile = path.join(dir, SCHEMA_FILE_NAME);
  const notices: string[] = [];
  const index = new SchemaIndex(fs);
  const limit = maxFileSizeFor(input.existing?.loaded.schema);
  const texts: TemplateText[] = [];
  for (const file of input.templates) {
    const relative = path.relative(dir, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      notices.push(`${shown(file)}: skipped, it is outside ${dir}, where mergewise.json goes.`);
      continue;
    }
    const governing = index.schemaFileFor(file);
    if (governing && governing !== schemaFile && path.dirname(governing).startsWith(dir + path.sep)) {
      notices.push(`${toPosix(relative)}: skipped, ${toPosix(path.relative(dir, governing))} governs it.`);
      continue;
    }
    let text: string | undefined;
    try {
      const size = input.size?.(file);
      const tooLarge = size === undefined ? undefined : skipReason({ bytes: size }, limit);
      if (tooLarge) { notices.push(`${toPosix(relative)}: skipped, ${describeSkip(tooLarge)}.`); continue; }
      text = fs.readText(file);
    } catch (error) {
      notices.push(`${toPosix(relative)}: skipped, it could not be read (${(error as Error).message}).`);
      continue;
    }
    if (text === undefined) { notices.push(`${toPosix(relative)}: skipped, it disappeared.`); continue; }
    const bytes = input.size ? 0 : Buffer.byteLength(text, 'utf8');
    const skipped = skipReason({ bytes, text }, limit);
    if (skipped) { notices.push(`${toPosix(relative)}: skipped, ${describeSkip(skipped)}.`); continue; }
    texts.push({ file, text });
  }

  const workspace = new InitWorkspace(fs, schemaFile, input.existing?.text ?? untoldDialect(texts, dir), texts);
  const read = workspace.read();
  notices.push(...read.problems);
  const proposal = proposeSchema({
    templates: read.templates,
    existing: input.existing ? { text: input.existing.text, schema: input.existing.loaded.schema } : undefined,
    aliases: input.aliases ?? [],
    exists: input.exists,
  });
  const fromData = input.fromData && addDataToProposal(proposal, input.existing?.text, input.fromData, input.exists);
  const mined = new Map(read.templates.map((t) => [t.path, t.dialect]));
  const findings = workspace.findings(proposal.schemaText, mined, input.now);
  return { proposal, findings, notices, ...(fromData ? { fromData } : {}) };
}

/** The files a proposal writes: `mergewise.json` (new, or merged into the one there), then the sample recipients. */
export function plannedFiles(proposal: InitProposal, existingText: string | undefined): InitFile[] {
  const planned: InitFile[] = [];
  if (existingText !== undefined) {
    if (proposal.changed) planned.push({ path: SCHEMA_FILE_NAME, action: 'merge', text: proposal.schemaText, before: existingText });
  } else {
    planned.push({ path: SCHEMA_FILE_NAME, action: 'create', text: proposal.schemaText });
  }
  for (const recipient of proposal.recipients) planned.push({ path: recipient.path, action: 'create', text: recipient.text });
  for (const kept of proposal.recipientsKept) planned.push({ path: kept, action: 'keep' });
  return planned;
}

/**
 * The schema templates are first read with when there is none: `{}`, unless the templates whose
 * syntax tells a platform all tell the same one (Postmark's, plain Handlebars…) while others tell
 * none (only `{{ x }}` outputs, Liquid by default): those are read in that platform's dialect too,
 * so that one team's templates are not split between two dialects, the guessed one with the
 * wrong fixes. Listed by path, as `templates` globs; the proposal folds them into folder globs.
 */
function untoldDialect(texts: TemplateText[], dir: string): string {
  const choices = texts.map(({ file, text }) => ({ path: toPosix(path.relative(dir, file)), choice: chooseDialect(undefined, toPosix(path.relative(dir, file)), text) }));
  const told = new Set(choices.filter(({ choice }) => choice.reason === 'content').map(({ choice }) => choice.id));
  const untold = choices.filter(({ choice }) => choice.reason === 'default');
  if (told.size !== 1 || untold.length === 0) return '{}';
  const [dialect] = told;
  return JSON.stringify({ templates: Object.fromEntries(untold.map(({ path: relative }) => [escapeGlob(relative), dialect])) });
}
