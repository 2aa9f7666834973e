import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeverityOverrides } from '../core/analyze';
import type { DialectId } from '../core/dialects/ids';
import { SCHEMA_ERROR, type Diagnostic, type Range, type Severity } from '../core/model';
import { analyzeDocument, DEFAULT_MAX_FILE_SIZE, looksBinary, SchemaIndex, schemaDiagnostics, toPosix } from '../core/workspace';
import { collectFiles } from './collect';
import { LineIndex } from '../core/positions';
import { nodeFileSystem } from '../node-fs';

export interface DiagnosticReport {
  rule: string;
  severity: Severity;
  message: string;
  field?: string;
  range: Range;
}

export interface FieldReport {
  path: string;
  fallback: string | null;
  guarded: boolean;
  context: string;
  range: Range;
}

export interface FileReport {
  path: string;
  /** Null for `mergewise.json` files. */
  dialect: DialectId | null;
  diagnostics: DiagnosticReport[];
  fields: FieldReport[];
}

export interface CheckSummary {
  files: number;
  errors: number;
  warnings: number;
  information: number;
  hints: number;
  skipped: number;
}

/** What a check run tells besides the files, which go to the sink one at a time as they are done. */
export interface CheckReport {
  summary: CheckSummary;
  /** Files skipped and other things the user should know, each with the path it concerns. */
  notices: string[];
  /** Configuration errors (exit code 2): unreadable or invalid `mergewise.json`, missing paths. */
  configurationErrors: string[];
}

export interface CheckOptions {
  paths: string[];
  cwd: string;
  maxFileSize?: number;
  severityOverrides?: SeverityOverrides;
  now?: Date;
}

/**
 * Checks every template, handing each file's report to `sink` as soon as it is done, so that a
 * workspace of thousands of templates never has to fit in memory at once. Templates come in the
 * order of the paths and folders walked (sorted by name), then the `mergewise.json` files.
 */
export function runCheck(options: CheckOptions, sink: (file: FileReport) => void): CheckReport {
  const { cwd } = options;
  const display = (file: string) => toPosix(path.relative(cwd, file)) || path.basename(file);
  const collected = collectFiles(options.paths.length ? options.paths : ['.'], cwd);
  const index = new SchemaIndex(nodeFileSystem);
  const report: CheckReport = {
    summary: { files: 0, errors: 0, warnings: 0, information: 0, hints: 0, skipped: 0 },
    notices: [],
    configurationErrors: [...collected.problems],
  };
  const schemaFiles = new Set(collected.schemas);
  const emit = (file: FileReport) => {
    report.summary.files++;
    for (const diagnostic of file.diagnostics) {
      const key = diagnostic.severity === 'error' ? 'errors' : diagnostic.severity === 'warning' ? 'warnings'
        : diagnostic.severity === 'information' ? 'information' : 'hints';
      report.summary[key]++;
    }
    sink(file);
  };
  const withoutSchema: string[] = [];

  for (const file of collected.templates) {
    const shown = display(file);
    const schemaFile = index.schemaFileFor(file);
    if (schemaFile) schemaFiles.add(schemaFile);
    else withoutSchema.push(shown);
    const limit = options.maxFileSize ?? (schemaFile ? index.load(schemaFile).result?.schema.maxFileSize : undefined) ?? DEFAULT_MAX_FILE_SIZE;
    const text = readTemplate(file, shown, limit, report);
    if (text === undefined) continue;
    const outcome = analyzeDocument(index, file, text, options.severityOverrides, options.now);
    if (outcome.kind === 'unsupported-dialect') {
      report.summary.skipped++;
      report.notices.push(`${shown}: skipped, its dialect "${outcome.dialect}" (by ${outcome.reason}) is not supported yet.`);
      continue;
    }
    const lines = new LineIndex(text);
    const { analysis } = outcome.result;
    emit({
      path: shown,
      dialect: outcome.result.dialect.id,
      diagnostics: analysis.diagnostics.map((diagnostic) => toReport(diagnostic, lines)),
      fields: analysis.scan.uses.map((use) => ({
        path: use.path,
        fallback: use.fallback,
        guarded: use.guarded,
        context: use.context,
        range: lines.range(use.span),
      })),
    });
  }

  if (withoutSchema.length) {
    report.notices.push(
      `No ${'mergewise.json'} found above ${withoutSchema.length === 1 ? withoutSchema[0] : `${withoutSchema.length} templates (first: ${withoutSchema[0]})`}: ` +
      'only syntax checks ran there. Create a mergewise.json in the templates\' folder or above it to check fields, fallbacks and quadrants.');
  }

  for (const schemaFile of [...schemaFiles].sort()) {
    const shown = display(schemaFile);
    const loaded = index.load(schemaFile);
    if (loaded.readError) {
      report.configurationErrors.push(`${shown}: ${loaded.readError}`);
      continue;
    }
    const text = nodeFileSystem.readText(schemaFile) ?? '';
    const lines = new LineIndex(text);
    const diagnostics = schemaDiagnostics(loaded, options.severityOverrides);
    const broken = diagnostics.filter((d) => d.rule === SCHEMA_ERROR && d.severity === 'error');
    if (broken.length) {
      const first = lines.range(broken[0].span).start;
      report.configurationErrors.push(
        `${shown}:${first.line + 1}:${first.character + 1}: ${broken[0].message}` +
        (broken.length > 1 ? ` (and ${broken.length - 1} more problem${broken.length > 2 ? 's' : ''} in this file)` : ''));
    }
    emit({ path: shown, dialect: null, diagnostics: diagnostics.map((d) => toReport(d, lines)), fields: [] });
  }

  return report;
}

/** Reads a template, or records why it was skipped: too large, binary, or unreadable. */
function readTemplate(file: string, shown: string, limit: number, report: CheckReport): string | undefined {
  const skip = (why: string) => {
    report.summary.skipped++;
    report.notices.push(`${shown}: skipped, ${why}.`);
    return undefined;
  };
  let buffer: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > limit) {
      return skip(`${formatBytes(size)} is over the ${formatBytes(limit)} limit (raise it with --max-file-size or "maxFileSize" in mergewise.json)`);
    }
    buffer = fs.readFileSync(file);
  } catch (error) {
    return skip(`it could not be read (${(error as Error).message})`);
  }
  const text = buffer.toString('utf8');
  if (looksBinary(text)) return skip('it looks like a binary file, not a template');
  return text;
}

function toReport(diagnostic: Diagnostic, lines: LineIndex): DiagnosticReport {
  const { rule, severity, message, field } = diagnostic;
  const range = lines.range(diagnostic.span);
  // Two literals rather than a spread: this runs for every diagnostic, and spreading is slow.
  return field ? { rule, severity, message, field, range } : { rule, severity, message, range };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}
