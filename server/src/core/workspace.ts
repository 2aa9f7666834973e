import * as path from 'node:path';
import { analyzeSchema, analyzeTemplate, type SeverityOverrides, type TemplateAnalysis } from './analyze';
import type { Dialect } from './dialects/dialect';
import type { DialectId } from './dialects/ids';
import { getDialect } from './dialects/registry';
import type { Diagnostic } from './model';
import { matchesGlob } from './purposes';
import { loadSchema, SCHEMA_FILE_NAME, type SchemaLoadResult } from './schema/load';
import type { Schema } from './schema/types';

/** The file access the core needs; the CLI passes the disk, the language server its open documents first. */
export interface WorkspaceFileSystem {
  /** The file's text, or undefined when it does not exist. Throws when it exists but cannot be read. */
  readText(filePath: string): string | undefined;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface LoadedSchema {
  file: string;
  /** Set when the file could be read; a broken file still yields what could be parsed. */
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

  constructor(private readonly fs: WorkspaceFileSystem) {}

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
        else loaded.result = loadSchema(text, schemaFile, path.dirname(schemaFile));
      } catch (error) {
        loaded.readError = `${schemaFile} could not be read: ${error instanceof Error ? error.message : String(error)}.`;
      }
      this.loaded.set(schemaFile, loaded);
    }
    return loaded;
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
  }

  /** Every schema loaded so far. */
  loadedSchemas(): LoadedSchema[] {
    return [...this.loaded.values()];
  }

  private exists(filePath: string): boolean {
    try {
      return this.fs.readText(filePath) !== undefined;
    } catch {
      return true; // It exists, but is unreadable: `load` reports why.
    }
  }
}

export type DialectReason = 'templates glob' | 'schema default' | 'file extension' | 'content' | 'default';

export interface DialectChoice {
  id: DialectId;
  reason: DialectReason;
}

const EXTENSION_DIALECTS: Record<string, DialectId> = {
  '.liquid': 'liquid',
  '.hbs': 'handlebars',
  '.handlebars': 'handlebars',
  '.mustache': 'postmark',
  '.ampscript': 'ampscript',
  '.amp': 'ampscript',
  '.hubl': 'hubl',
};

/** By the schema's `templates` globs, then its `dialect`, then the file extension, then the content. */
export function chooseDialect(schema: Schema | undefined, relativePath: string, text: string): DialectChoice {
  for (const override of schema?.templates ?? []) {
    if (matchesGlob(override.glob, relativePath)) return { id: override.dialect, reason: 'templates glob' };
  }
  if (schema?.dialect) return { id: schema.dialect, reason: 'schema default' };
  const byExtension = EXTENSION_DIALECTS[path.extname(relativePath).toLowerCase()];
  if (byExtension) return { id: byExtension, reason: 'file extension' };
  const detected = detectDialect(text);
  return detected ? { id: detected, reason: 'content' } : { id: 'liquid', reason: 'default' };
}

/** Recognizes a platform by syntax only it uses; undefined when nothing stands out. */
export function detectDialect(text: string): DialectId | undefined {
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  if (/%%\[|%%=/.test(sample)) return 'ampscript';
  if (/\*\|[A-Z0-9_:]+\|\*/.test(sample)) return 'mailchimp';
  if (/\{\{\s*(lead|company|my)\.[^}]*\}\}/.test(sample)) return 'marketo';
  if (/\{\{\s*[#/^]|\{\{\s*insert\s/.test(sample)) return 'handlebars';
  if (/\{%|\{\{/.test(sample)) return 'liquid';
  return undefined;
}

export interface DocumentAnalysis {
  dialect: Dialect;
  dialectChoice: DialectChoice;
  schema: Schema | undefined;
  analysis: TemplateAnalysis;
}

export type DocumentOutcome =
  | { kind: 'analyzed'; result: DocumentAnalysis }
  /** The chosen dialect is not implemented: say so rather than guess. */
  | { kind: 'unsupported-dialect'; dialect: DialectId; reason: DialectReason };

/** Analyzes one template with the schema that governs it. */
export function analyzeDocument(index: SchemaIndex, filePath: string, text: string, overrides?: SeverityOverrides, now?: Date): DocumentOutcome {
  const loaded = index.schemaFor(filePath);
  const schema = loaded?.result?.schema;
  const baseDir = schema?.dir ?? path.dirname(path.resolve(filePath));
  const relativePath = toPosix(path.relative(baseDir, path.resolve(filePath)));
  const choice = chooseDialect(schema, relativePath, text);
  const dialect = getDialect(choice.id);
  if (!dialect) return { kind: 'unsupported-dialect', dialect: choice.id, reason: choice.reason };
  const analysis = analyzeTemplate({ text, relativePath, dialect, schema, severityOverrides: overrides, now });
  return { kind: 'analyzed', result: { dialect, dialectChoice: choice, schema, analysis } };
}

export function schemaDiagnostics(loaded: LoadedSchema, overrides?: SeverityOverrides): Diagnostic[] {
  return loaded.result ? analyzeSchema(loaded.result, overrides) : [];
}

export function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}

/** Binary files are skipped: a NUL byte in the first 8 KB is the usual sign. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

