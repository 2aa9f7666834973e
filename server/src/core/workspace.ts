import * as path from 'node:path';
import { analyzeSchema, analyzeTemplate, resolveUses, type SeverityOverrides, type TemplateAnalysis } from './analyze';
import type { Dialect, FieldUse, TemplateScan } from './dialects/dialect';
import type { DialectId } from './dialects/ids';
import { DEDICATED_TEMPLATE_EXTENSIONS, detectDialect, dialectForExtension, getDialect } from './dialects/registry';
import { SCHEMA_ERROR, type Diagnostic, type Span } from './model';
import type { LineIndex } from './positions';
import type { Resolution } from './schema/resolve';
import { matchesGlob } from './purposes';
import { loadSchema, SCHEMA_FILE_NAME, type SchemaLoadResult } from './schema/load';
import type { Schema } from './schema/types';
import { analyzeAcrossFiles } from './partials/analyze';
import type { PartialWorkspace, ResolvedInclude } from './partials/workspace';
import { readAudience, snapshotNotes, templateAudience, type LoadedAudience, type TemplateAudience } from './audience/editor';
import { AUDIENCE_SNAPSHOT_FILE_NAME } from './audience/snapshot';
import { subjectDiagnostics } from './schema-subjects';
import { explainRepeatsOnce } from './repeats';

/** The file access the core needs; the CLI passes the disk, the language server its open documents first. */
export interface WorkspaceFileSystem {
  /** The file's text, or undefined when it does not exist. Throws when it exists but cannot be read. */
  readText(filePath: string): string | undefined;
  /** Every file under `dir`, relative with `/` separators, skipping `node_modules` and dot-folders. */
  listFiles(dir: string): string[];
  /** Changes whenever the file does (its modification time and size); undefined when it does not exist. */
  stamp?(filePath: string): string | undefined;
  /** The names in one folder (not below it); undefined when it cannot be listed. Spares a stat per file looked for. */
  readDir?(dir: string): string[] | undefined;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface LoadedSchema {
  file: string;
  /**
   * Set when the file could be read. While the text is not valid JSON (mid-edit), the schema is the
   * last one that parsed, so templates keep their checks; the diagnostics are always the current ones.
   */
  result?: SchemaLoadResult;
  /** Why the file could not be read at all. */
  readError?: string;
}

/**
 * Finds and caches the `mergewise.json` that governs each template: the nearest one in the
 * template's folder or above. Call `invalidate` when a file changes.
 */
export class SchemaIndex {
  private readonly schemaFileByDir = new Map<string, string | null>();
  private readonly loaded = new Map<string, LoadedSchema>();
  private readonly lastParsed = new Map<string, SchemaLoadResult>();
  /** The audience snapshot beside each schema file, by the schema file; null when there is none. */
  private readonly audiences = new Map<string, LoadedAudience | null>();

  constructor(private readonly fs: WorkspaceFileSystem) {}

  get fileSystem(): WorkspaceFileSystem {
    return this.fs;
  }

  schemaFileFor(templatePath: string): string | undefined {
    const visited: string[] = [];
    let dir = path.dirname(path.resolve(templatePath));
    let found: string | null | undefined;
    for (;;) {
      found = this.schemaFileByDir.get(dir);
      if (found !== undefined) break;
      visited.push(dir);
      const candidate = path.join(dir, SCHEMA_FILE_NAME);
      if (this.exists(candidate)) { found = candidate; break; }
      const parent = path.dirname(dir);
      if (parent === dir) { found = null; break; }
      dir = parent;
    }
    for (const each of visited) this.schemaFileByDir.set(each, found);
    return found ?? undefined;
  }

  load(schemaFile: string): LoadedSchema {
    let loaded = this.loaded.get(schemaFile);
    if (!loaded) {
      loaded = { file: schemaFile };
      try {
        const text = this.fs.readText(schemaFile);
        if (text === undefined) loaded.readError = `${schemaFile} does not exist.`;
        else loaded.result = this.keepLastParsed(schemaFile, loadSchema(text, schemaFile, path.dirname(schemaFile)));
      } catch (error) {
        loaded.readError = `${schemaFile} could not be read: ${error instanceof Error ? error.message : String(error)}.`;
      }
      this.loaded.set(schemaFile, loaded);
    }
    return loaded;
  }

  private keepLastParsed(schemaFile: string, result: SchemaLoadResult): SchemaLoadResult {
    if (result.parsed) {
      this.lastParsed.set(schemaFile, result);
      return result;
    }
    const previous = this.lastParsed.get(schemaFile);
    return previous ? { ...result, schema: previous.schema } : result;
  }

  /** `mergewise.audience.json` beside `schemaFile`: read once until it changes, undefined when there is none. */
  audienceFor(schemaFile: string): LoadedAudience | undefined {
    let loaded = this.audiences.get(schemaFile);
    if (loaded === undefined) {
      const file = path.join(path.dirname(schemaFile), AUDIENCE_SNAPSHOT_FILE_NAME);
      try {
        loaded = readAudience(file, this.fs.readText(file)) ?? null;
      } catch (error) {
        loaded = readAudience(file, undefined, error instanceof Error ? error.message : String(error)) ?? null;
      }
      this.audiences.set(schemaFile, loaded);
    }
    return loaded ?? undefined;
  }

  schemaFor(templatePath: string): LoadedSchema | undefined {
    const file = this.schemaFileFor(templatePath);
    return file ? this.load(file) : undefined;
  }

  /** Forgets what depends on a file that changed, appeared or disappeared. */
  invalidate(changedPath: string): void {
    const resolved = path.resolve(changedPath);
    this.loaded.delete(resolved);
    if (path.basename(resolved) === SCHEMA_FILE_NAME) this.schemaFileByDir.clear();
    if (path.basename(resolved) === AUDIENCE_SNAPSHOT_FILE_NAME) this.audiences.delete(path.join(path.dirname(resolved), SCHEMA_FILE_NAME));
  }

  private exists(filePath: string): boolean {
    try {
      return this.fs.readText(filePath) !== undefined;
    } catch {
      return true; // It exists, but is unreadable: `load` reports why.
    }
  }
}

/** Extensions that are templates when a `mergewise.json` governs them (HTML and text email parts). */
export const GENERIC_TEMPLATE_EXTENSIONS = new Set(['.html', '.htm', '.txt', '.j2', '.jinja']);

export function isTemplateFile(fileName: string): boolean {
  const extension = path.extname(fileName).toLowerCase();
  return DEDICATED_TEMPLATE_EXTENSIONS.has(extension) || GENERIC_TEMPLATE_EXTENSIONS.has(extension);
}

/**
 * Whether a file is a template here: its extension is a template's, or a `templates` glob of the
 * `mergewise.json` that governs it matches it (`.mjml`, `.pug`, no extension at all). `check`, the
 * workspace index and the editor all ask this, so no file a glob names is left out silently.
 */
export function isTemplateIn(index: SchemaIndex, filePath: string): boolean {
  return isTemplateFile(filePath) || matchedByTemplatesGlob(index, filePath);
}

/**
 * Whether a `templates` glob of the governing `mergewise.json` matches the file, relative to its folder
 * as `chooseDialect` matches them; never the schema, its audience snapshot or its sample recipients.
 */
export function matchedByTemplatesGlob(index: SchemaIndex, filePath: string): boolean {
  const name = path.basename(filePath);
  if (name === SCHEMA_FILE_NAME || name === AUDIENCE_SNAPSHOT_FILE_NAME) return false;
  const schema = index.schemaFor(filePath)?.result?.schema;
  if (!schema?.templates.length) return false;
  const relativePath = toPosix(path.relative(schema.dir, path.resolve(filePath)));
  return schema.templates.some((override) => matchesGlob(override.glob, relativePath))
    && !schema.recipients.some((glob) => matchesGlob(glob, relativePath));
}

export type DialectReason = 'templates glob' | 'schema default' | 'file extension' | 'content' | 'including templates' | 'default';

export interface DialectChoice {
  id: DialectId;
  reason: DialectReason;
}

/** By the schema's `templates` globs, then its `dialect`, then the file extension, then the content. */
export function chooseDialect(schema: Schema | undefined, relativePath: string, text: string): DialectChoice {
  for (const override of schema?.templates ?? []) {
    if (matchesGlob(override.glob, relativePath)) return { id: override.dialect, reason: 'templates glob' };
  }
  if (schema?.dialect) return { id: schema.dialect, reason: 'schema default' };
  const byExtension = dialectForExtension(path.extname(relativePath));
  if (byExtension) return { id: byExtension, reason: 'file extension' };
  const detected = detectDialect(text);
  return detected ? { id: detected, reason: 'content' } : { id: 'liquid', reason: 'default' };
}

export interface DocumentAnalysis {
  dialect: Dialect;
  dialectChoice: DialectChoice;
  schema: Schema | undefined;
  analysis: TemplateAnalysis;
  /**
   * With partials followed: the template's own scan, as its dialect reads the text (the analysis's
   * may have the schema's fallbacks in, or a partial's call context): what a preview renders.
   */
  scan?: TemplateScan;
  /** With partials followed: the template's includes, resolved. */
  includes?: ResolvedInclude[];
  /** With partials followed: the sending templates that include this file (absolute paths). */
  includedBy?: string[];
  /** For a partial: the sending template its uses are shown through (see partials/analyze.ts). */
  shownThrough?: string;
  /** What the audience snapshot beside mergewise.json measured, when there is one. */
  audience?: TemplateAudience;
}

/**
 * Analyzes one template with the schema that governs it; with `partials`, across files: its
 * includes resolved, and, for a partial, in the contexts of the templates that send it.
 */
export function analyzeDocument(
  index: SchemaIndex, filePath: string, text: string, overrides?: SeverityOverrides, now?: Date, partials?: PartialWorkspace, shownThrough?: string,
): DocumentAnalysis {
  const loaded = index.schemaFor(filePath);
  const schema = loaded?.result?.schema;
  const baseDir = schema?.dir ?? path.dirname(path.resolve(filePath));
  const relativePath = toPosix(path.relative(baseDir, path.resolve(filePath)));
  const audience = loaded && schema ? templateAudience(index.audienceFor(loaded.file), schema, relativePath) : undefined;
  const withAudience = audience ? { audience } : {};
  if (partials) {
    const choice = partials.dialectChoice(path.resolve(filePath), text, schema);
    const file = partials.scanned(path.resolve(filePath), text, schema, undefined, choice);
    const crossFile = analyzeAcrossFiles(partials, { file, relativePath, severityOverrides: overrides, now, shownThrough, audience });
    return { dialect: file.dialect, dialectChoice: choice, schema, ...crossFile, scan: file.scan, analysis: withRepeatsExplainedOnce(crossFile.analysis, text), ...withAudience };
  }
  const choice = chooseDialect(schema, relativePath, text);
  const dialect = getDialect(choice.id, schema);
  const analysis = analyzeTemplate({ text, relativePath, dialect, schema, severityOverrides: overrides, now, audience });
  return { dialect, dialectChoice: choice, schema, analysis: withRepeatsExplainedOnce(analysis, text), ...withAudience };
}

function withRepeatsExplainedOnce(analysis: TemplateAnalysis, text: string): TemplateAnalysis {
  const diagnostics = explainRepeatsOnce(analysis.diagnostics, text);
  return diagnostics === analysis.diagnostics ? analysis : { ...analysis, diagnostics };
}

/**
 * A template's uses of declared fields, found by the same dialect choice and resolution as an
 * analysis, without running the rules: what references and rename look for across a workspace.
 * Undefined without a schema, which declares no field.
 */
export function declaredFieldUses(index: SchemaIndex, filePath: string, text: string): DeclaredUse[] | undefined {
  const schema = index.schemaFor(filePath)?.result?.schema;
  if (!schema) return undefined;
  const dialect = getDialect(chooseDialect(schema, toPosix(path.relative(schema.dir, path.resolve(filePath))), text).id, schema);
  const { uses } = dialect.scan(text);
  return usesOfDeclaredFields(uses, resolveUses(schema, dialect.id, uses));
}

/** A use of a declared field: the field's path, and how and where the template wrote it. */
export interface DeclaredUse {
  field: string;
  written: string;
  span: Span;
}

/** The uses whose resolution is a declared field, with that field's path. */
export function usesOfDeclaredFields(uses: FieldUse[], resolutions: Resolution[]): DeclaredUse[] {
  const declared: DeclaredUse[] = [];
  uses.forEach((use, i) => {
    const resolution = resolutions[i];
    if (resolution?.kind === 'field') declared.push({ field: resolution.field.path, written: use.written, span: use.span });
  });
  return declared;
}

/**
 * The problems of `mergewise.json`; given the audience snapshot beside it, with its notes (unreadable,
 * or old), put on the `"audience"` key when there is one, else at the top.
 */
export function schemaDiagnostics(loaded: LoadedSchema, overrides?: SeverityOverrides, audience?: { loaded: LoadedAudience | undefined; now: Date; text: string }): Diagnostic[] {
  if (!loaded.result) return [];
  const diagnostics = analyzeSchema(loaded.result, overrides);
  // A subject in "subjects" is a template of its own: checked in its template's dialect. Not while the
  // text does not parse: the schema is then the last one that did, and its positions are stale.
  const schema = loaded.result.schema;
  if (loaded.result.parsed && schema.subjects?.size) {
    diagnostics.push(...subjectDiagnostics(schema, (relativePath, text) => getDialect(chooseDialect(schema, relativePath, text).id, schema), overrides));
    diagnostics.sort((a, b) => a.span.start - b.span.start);
  }
  if (!audience?.loaded) return diagnostics;
  const key = /"audience"\s*:/.exec(audience.text);
  const span = key ? { start: key.index, end: key.index + '"audience"'.length } : { start: 0, end: Math.min(1, audience.text.length) };
  const notes = snapshotNotes(audience.loaded, loaded.result.schema, audience.now, span);
  return notes.length ? [...diagnostics, ...notes].sort((a, b) => a.span.start - b.span.start) : diagnostics;
}

/**
 * What stops `mergewise check` in a mergewise.json (invalid JSON, a schema error), as `LINE:COL:
 * message`, 1-based, with how many more there are; undefined when nothing does. The command line
 * and the editor say it alike. `lines` is asked for only then (the editor asks on every analysis).
 */
export function configurationError(diagnostics: Diagnostic[], lines: () => LineIndex): string | undefined {
  const broken = diagnostics.filter((d) => d.rule === SCHEMA_ERROR && d.severity === 'error');
  if (broken.length === 0) return undefined;
  const first = lines().positionAt(broken[0].span.start);
  return `${first.line + 1}:${first.character + 1}: ${broken[0].message}` +
    (broken.length > 1 ? ` (and ${broken.length - 1} more problem${broken.length > 2 ? 's' : ''} in this file)` : '');
}

export function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}

/** Binary files are skipped: a NUL byte in the first 8 KB is the usual sign. */
/** Why a template is not checked, by the editor and the command line alike. */
export type SkipReason =
  | { kind: 'too-large'; bytes: number; limit: number }
  | { kind: 'binary' };

/**
 * The size limit for templates governed by `schema`: the one given for this run (`--max-file-size`),
 * else `mergewise.json`'s `maxFileSize` (which wins over the editor's setting, so the editor agrees
 * with CI), else the editor's `mergewise.maxFileSize` setting, else 5 MB.
 */
export function maxFileSizeFor(schema: Schema | undefined, given?: number, setting?: number): number {
  return given ?? schema?.maxFileSize ?? setting ?? DEFAULT_MAX_FILE_SIZE;
}

/**
 * Whether a template is skipped, and why: more bytes (UTF-8, as on disk) than the limit, or binary
 * content. The command line asks first with the size it read from the disk, before reading the file.
 */
export function skipReason(file: { bytes: number; text?: string }, limit: number): SkipReason | undefined {
  if (file.bytes > limit) return { kind: 'too-large', bytes: file.bytes, limit };
  if (file.text !== undefined && looksBinary(file.text)) return { kind: 'binary' };
  return undefined;
}

/** Why a template was skipped, in words, after its name. */
export function describeSkip(reason: SkipReason): string {
  return reason.kind === 'too-large'
    ? `${formatBytes(reason.bytes)} is over the ${formatBytes(reason.limit)} limit`
    : 'it looks like a binary file, not a template';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}

export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

