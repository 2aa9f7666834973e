import * as fs from 'node:fs';
import { decodeText, encodingOf, type TextEncoding } from '../text-encoding';
import * as path from 'node:path';
import type { SeverityOverrides, TemplateAnalysis } from '../core/analyze';
import type { DialectId } from '../core/dialects/ids';
import { fixText } from '../core/fixes';
import { INTERNAL_ERROR, type Diagnostic, type Range, type Severity } from '../core/model';
import {
  analyzeDocument, configurationError, describeSkip, isTemplateIn, maxFileSizeFor, SchemaIndex, schemaDiagnostics, skipReason, toPosix,
  type DocumentAnalysis, type LoadedSchema, type SkipReason, type WorkspaceFileSystem,
} from '../core/workspace';
import { usesThroughPartials } from '../core/partials/analyze';
import { PartialWorkspace } from '../core/partials/workspace';
import { collectTemplates, isGeneratedPage } from './collect';
import { summarize, systemReason, writeFileAtomically, type FixMode, type FixSummary } from './fix';
import { LineIndex } from '../core/positions';
import { nodeFileSystem } from '../node-fs';

export interface DiagnosticReport {
  rule: string;
  severity: Severity;
  message: string;
  field?: string;
  /** In a partial: the sending templates the finding affects. */
  includedBy?: string[];
  range: Range;
}

export interface FieldReport {
  path: string;
  /** For a use inside a partial the template includes: the partial's file; `range` is in it. */
  file?: string;
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
  /** Templates only: the partials, snippets and content blocks it pulls in; `path` is null for one that resolves to no file. */
  includes?: IncludeReport[];
  /**
   * With `--fix`, on every template: what was fixed. The diagnostics and fields are then those of
   * the file as it is left.
   */
  fixes?: FixSummary;
}

export interface IncludeReport {
  /** Null when the name is computed at send time. */
  name: string | null;
  path: string | null;
  range: Range;
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
  /** Templates that could not be read, each with why (exit code 2): a check that skipped them would pass unseen. */
  readErrors: string[];
  /** Files `--fix` could not write, each with why (exit code 3); each is left as it was. */
  fixErrors?: string[];
}

/** A template that fixing changed, as it was and as it is (or, in a dry run, would be). */
export interface FixedFile {
  path: string;
  before: string;
  after: string;
  summary: FixSummary;
}

export interface CheckOptions {
  paths: string[];
  cwd: string;
  maxFileSize?: number;
  severityOverrides?: SeverityOverrides;
  now?: Date;
  /** Applies the safe fixes first (`write`), or works out what they would change (`dry-run`). */
  fix?: FixMode;
  /** Each template that fixing changes, before its report goes to the sink. */
  fixed?: (file: FixedFile) => void;
}

/**
 * Checks every template, handing each file's report to `sink` as soon as it is done, so that a
 * workspace of thousands of templates never has to fit in memory at once. Templates come in the
 * order of the paths and folders walked (sorted by name), then the `mergewise.json` files.
 * `mergewise check --jobs N` spreads the templates over worker threads instead (jobs.ts), with the
 * same pieces: CheckRun around the run, TemplateChecker for each template.
 */
export function runCheck(options: CheckOptions, sink: (file: FileReport) => void): CheckReport {
  return new CheckRun(options, sink).checkHere();
}

/**
 * The schemas of one command-line run, with `--rule RULE=SEVERITY` over their own `rules`: the core
 * lets a `mergewise.json` entry win over editor settings, but a flag given for one run must win
 * over the file. Each schema is adjusted once, so it stays the same object for the whole run.
 */
export class RunSchemaIndex extends SchemaIndex {
  private readonly adjusted = new Map<LoadedSchema, LoadedSchema>();

  constructor(fileSystem: WorkspaceFileSystem, private readonly ruleFlags: SeverityOverrides | undefined) {
    super(fileSystem);
  }

  override load(schemaFile: string): LoadedSchema {
    const loaded = super.load(schemaFile);
    const { ruleFlags } = this;
    if (!loaded.result || !ruleFlags || Object.keys(ruleFlags).length === 0) return loaded;
    let adjusted = this.adjusted.get(loaded);
    if (!adjusted) {
      const { schema } = loaded.result;
      adjusted = { ...loaded, result: { ...loaded.result, schema: { ...schema, rules: { ...schema.rules, ...ruleFlags } } } };
      this.adjusted.set(loaded, adjusted);
    }
    return adjusted;
  }
}

/** Memoized: a partial's findings name every template that includes it, thousands of times over. */
export function displayPaths(cwd: string): (file: string) => string {
  const displayed = new Map<string, string>();
  return (file: string) => {
    let shown = displayed.get(file);
    if (shown === undefined) displayed.set(file, (shown = toPosix(path.relative(cwd, file)) || path.basename(file)));
    return shown;
  };
}

/**
 * One check run around its templates: the files collected, the report's counts and notices, and at
 * the end the notice about templates without a schema and each `mergewise.json`'s own report.
 */
export class CheckRun {
  readonly report: CheckReport;
  readonly templates: string[];
  readonly index: SchemaIndex;
  readonly display: (file: string) => string;
  private readonly schemaFiles: Set<string>;
  private readonly withoutSchema: string[] = [];

  /** `sink` gets each file's report; check workers (jobs.ts) swap it for the mergewise.json reports. */
  constructor(private readonly options: CheckOptions, public sink: (file: FileReport) => void) {
    this.display = displayPaths(options.cwd);
    this.index = new RunSchemaIndex(nodeFileSystem, options.severityOverrides);
    // A file a `templates` glob names is checked whatever its extension, or skipped with a notice.
    const collected = collectTemplates(options.paths.length ? options.paths : ['.'], options.cwd, this.index);
    this.templates = collected.templates;
    this.schemaFiles = new Set(collected.schemas);
    this.report = {
      summary: { files: 0, errors: 0, warnings: 0, information: 0, hints: 0, skipped: 0 },
      notices: [...collected.notices],
      configurationErrors: [...collected.problems],
      readErrors: [],
      fixErrors: [],
    };
  }

  /** Checks the templates one after another on this thread, and finishes the run. */
  checkHere(): CheckReport {
    const checker = new TemplateChecker(this.options, this.templates, this.index);
    for (const file of this.templates) {
      this.noteTemplate(file);
      const fileReport = checker.check(file, this.report);
      if (fileReport) this.emit(fileReport);
    }
    return this.finish();
  }

  /** Notes which `mergewise.json` governs the template (or that none does), in the order checked. */
  noteTemplate(file: string): void {
    const schemaFile = this.index.schemaFileFor(file);
    if (schemaFile) this.schemaFiles.add(schemaFile);
    else this.withoutSchema.push(this.display(file));
  }

  /** Counts a file's findings and hands it to the sink. */
  emit(file: FileReport): void {
    this.count(1, severityCounts(file));
    this.sink(file);
  }

  /** Counts files reported elsewhere (a worker's, written as bytes): how many, and their findings by severity. */
  count(files: number, counts: SeverityCounts): void {
    const { summary } = this.report;
    summary.files += files;
    summary.errors += counts[0];
    summary.warnings += counts[1];
    summary.information += counts[2];
    summary.hints += counts[3];
  }

  /** The notice about templates without a schema, then each `mergewise.json`'s report. */
  finish(): CheckReport {
    const { report, options, withoutSchema, display, index } = this;
    if (withoutSchema.length) {
      report.notices.push(
        `No ${'mergewise.json'} found above ${withoutSchema.length === 1 ? withoutSchema[0] : `${withoutSchema.length} templates (first: ${withoutSchema[0]})`}: ` +
        'only syntax checks ran there. Create a mergewise.json in the templates\' folder or above it to check fields, fallbacks and quadrants.');
    }

    for (const schemaFile of [...this.schemaFiles].sort()) {
      const shown = display(schemaFile);
      const loaded = index.load(schemaFile);
      if (loaded.readError) {
        report.configurationErrors.push(`${shown}: ${loaded.readError}`);
        continue;
      }
      const text = nodeFileSystem.readText(schemaFile) ?? '';
      const lines = new LineIndex(text);
      const diagnostics = schemaDiagnostics(loaded, options.severityOverrides, { loaded: index.audienceFor(schemaFile), now: options.now ?? new Date(), text });
      const broken = configurationError(diagnostics, () => lines);
      if (broken) report.configurationErrors.push(`${shown}:${broken}`);
      this.emit({ path: shown, dialect: null, diagnostics: diagnostics.map((d) => toReport(d, lines, display)), fields: [] });
    }
    return report;
  }
}

/** What stops the run (exit code 2), as stderr says them; the JSON and SARIF reports carry them too. */
export function runFailures(report: CheckReport): string[] {
  return [
    ...report.configurationErrors.map((error) => `configuration error: ${error}`),
    ...report.readErrors.map((error) => `cannot read ${error}`),
  ];
}

/** Findings by severity: error, warning, information, hint. */
export type SeverityCounts = [number, number, number, number];

export function severityCounts(file: FileReport): SeverityCounts {
  const counts: SeverityCounts = [0, 0, 0, 0];
  for (const { severity } of file.diagnostics) {
    counts[severity === 'error' ? 0 : severity === 'warning' ? 1 : severity === 'information' ? 2 : 3]++;
  }
  return counts;
}

/**
 * Only for tests of the command line: a template whose path contains this text fails unexpectedly
 * while it is checked, as a bug in Mergewise would, on the main thread or in a worker alike.
 */
const FAIL_ON = process.env.MERGEWISE_TEST_FAIL_ON || undefined;

/**
 * Checks one template at a time: its schema, dialect, includes (through one PartialWorkspace over
 * every template that can include it) and with `--fix` its fixes. Each check worker has its own.
 */
export class TemplateChecker {
  readonly display: (file: string) => string;
  private readonly partials: PartialWorkspace;

  /**
   * `universe`: the templates whose includes the include graph reads, by default `includerUniverse`'s.
   * A check worker passes fewer (jobs.ts): only those that may include anything, and enough to span the same folders.
   */
  constructor(private readonly options: CheckOptions, templates: string[], private readonly index: SchemaIndex,
    universe: () => string[] = () => includerUniverse(templates, index)) {
    this.display = displayPaths(options.cwd);
    this.partials = new PartialWorkspace(index, {
      read: (file) => nodeFileSystem.readText(file),
      // Files are read once per run, except those --fix writes, which are invalidated.
      version: () => 'this run',
      templates: universe,
    }, { handOverScans: true });
  }

  /**
   * The template's report, or undefined when it is skipped (the notice goes to `report`). A failure
   * of Mergewise itself on the template is reported on it as an `internal-error`, and the run goes on.
   */
  check(file: string, report: CheckReport): FileReport | undefined {
    const shown = this.display(file);
    try {
      return this.checkTemplate(file, shown, report);
    } catch (error) {
      return {
        path: shown,
        dialect: null,
        diagnostics: [{
          rule: INTERNAL_ERROR,
          severity: 'error',
          message: `Mergewise failed on this file (${error instanceof Error ? error.message : String(error)}), so none of its checks ran. Please report this.`,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        }],
        fields: [],
        includes: [],
      };
    }
  }

  private checkTemplate(file: string, shown: string, report: CheckReport): FileReport | undefined {
    const { index, partials, options, display } = this;
    if (FAIL_ON !== undefined && shown.includes(FAIL_ON)) throw new Error(`injected failure on ${shown}`);
    const schemaFile = index.schemaFileFor(file);
    const limit = maxFileSizeFor(schemaFile ? index.load(schemaFile).result?.schema : undefined, options.maxFileSize);
    const read = readTemplate(file, shown, limit, report);
    if (read === undefined) return undefined;
    const analysed = analyzeDocument(index, file, read.text, options.severityOverrides, options.now, partials);
    let text = read.text;
    let { analysis } = analysed;
    let fixes: FixSummary | undefined;
    if (options.fix) {
      const fixed = fixTemplate(options.fix, file, shown, read, analysed,
        (current) => analyzeDocument(index, file, current, options.severityOverrides, options.now, partials), report);
      ({ text, analysis, summary: fixes } = fixed);
      if (fixed.text !== read.text) partials.invalidate(file);
      if (fixed.text !== read.text) options.fixed?.({ path: shown, before: read.text, after: fixed.text, summary: fixed.summary });
    }
    const lines = new LineIndex(text);
    const fileReport: FileReport = {
      path: shown,
      dialect: analysed.dialect.id,
      diagnostics: analysis.diagnostics.map((diagnostic) => toReport(diagnostic, lines, display)),
      fields: analysis.scan.uses.map((use) => ({
        path: use.path,
        fallback: use.fallback,
        guarded: use.guarded,
        context: use.context,
        range: lines.range(use.span),
      })),
      includes: (analysed.includes ?? []).map((include) => ({
        name: include.site.name,
        path: include.file ? display(include.file) : null,
        range: lines.range(include.site.nameSpan),
      })),
    };
    // A loop, not a spread: a template's partials can hold more uses than a call takes arguments.
    if (analysed.includes?.length) for (const field of partialFields(partials, file, display)) fileReport.fields.push(field);
    if (fixes) fileReport.fixes = fixes;
    return fileReport;
  }
}

/**
 * Applies the template's safe fixes over passes, each on a fresh analysis made exactly as `check`
 * makes it (schema, dialect choice, severities: a rule turned off reports nothing, so fixes
 * nothing), then writes the result atomically unless this is a dry run. Returns the text as the
 * file is left (or would be) and its analysis: the report is of what is left. A file whose fixed
 * text could not be written is reported with its findings as they are on disk.
 */
function fixTemplate(
  mode: FixMode, file: string, shown: string, read: TemplateRead, first: DocumentAnalysis,
  analyzeDocumentText: (text: string) => ReturnType<typeof analyzeDocument>, report: CheckReport,
): { text: string; analysis: TemplateAnalysis; summary: FixSummary } {
  const unchanged = { text: read.text, analysis: first.analysis };
  // fixText analyses each text once, in order, and last the text it returns: one remembered analysis is enough.
  let last = { text: read.text, analysis: first.analysis };
  const analyze = (text: string): TemplateAnalysis => {
    if (text === last.text) return last.analysis;
    const analysed = analyzeDocumentText(text);
    // The dialect can be chosen by content: a fix that changed it would be read in another syntax.
    if (analysed.dialect.id !== first.dialect.id) throw new DialectChanged(analysed.dialect.id);
    last = { text, analysis: analysed.analysis };
    return last.analysis;
  };
  let fixed: ReturnType<typeof fixText>;
  try {
    fixed = fixText(read.text, analyze);
  } catch (error) {
    if (!(error instanceof DialectChanged)) throw error;
    report.notices.push(`${shown}: not fixed: the fixes would make it read as ${error.dialect}, not ${first.dialect.id}.`);
    return { ...unchanged, summary: summarize([], 0, false) };
  }
  const summary = summarize(fixed.applied, fixed.passes, fixed.settled);
  if (!fixed.settled) {
    report.notices.push(`${shown}: safe fixes were still left after ${fixed.passes} passes; the rest is reported as found.`);
  }
  if (fixed.text === read.text) return { ...unchanged, summary };
  if (read.encoding !== 'utf-8') {
    // Fixes are written as UTF-8: the file would change encoding, and every byte with it.
    report.notices.push(`${shown}: not fixed: it is ${read.encoding.toUpperCase()}, and --fix writes UTF-8 only; convert it to UTF-8 to have it fixed.`);
    return { ...unchanged, summary: summarize([], 0, false) };
  }
  if (!Buffer.from(read.text, 'utf8').equals(read.bytes)) {
    // Decoding replaced bytes that are not UTF-8: writing the text back would change them too.
    report.notices.push(`${shown}: not fixed: it is not valid UTF-8, and writing it would change bytes no fix touches.`);
    return { ...unchanged, summary: summarize([], 0, false) };
  }
  const result = { text: fixed.text, analysis: analyze(fixed.text), summary };
  if (mode === 'dry-run') return result;
  try {
    writeFileAtomically(file, Buffer.from(fixed.text, 'utf8'), read.bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    (report.fixErrors ??= []).push(`${shown}: could not write the fixed file (${why}); it is left as it was.`);
    return { ...unchanged, summary: { ...summary, error: why } };
  }
  summary.written = true;
  return result;
}

class DialectChanged extends Error {
  constructor(readonly dialect: string) {
    super(`the fixes change the dialect to ${dialect}`);
  }
}

interface TemplateRead {
  text: string;
  /** The bytes on disk the text was decoded from. */
  bytes: Buffer;
  /** UTF-16 when the file begins with its byte order mark; else read as UTF-8. */
  encoding: TextEncoding;
}

/** Reads a template, or records why it was not: too large or binary (skipped), or unreadable (an error). */
function readTemplate(file: string, shown: string, limit: number, report: CheckReport): TemplateRead | undefined {
  const skip = (why: string) => {
    report.summary.skipped++;
    report.notices.push(`${shown}: skipped, ${why}.`);
    return undefined;
  };
  const skipFor = (reason: SkipReason) =>
    skip(reason.kind === 'too-large' ? `${describeSkip(reason)} (raise it with --max-file-size or "maxFileSize" in mergewise.json)` : describeSkip(reason));
  let buffer: Buffer;
  try {
    const tooLarge = skipReason({ bytes: fs.statSync(file).size }, limit);
    if (tooLarge) return skipFor(tooLarge);
    buffer = fs.readFileSync(file);
  } catch (error) {
    report.readErrors.push(`${shown}: ${systemReason(error)}`);
    return undefined;
  }
  const encoding = encodingOf(buffer);
  const text = decodeText(buffer, encoding);
  const skipped = skipReason({ bytes: buffer.length, text }, limit);
  if (skipped) return skipFor(skipped);
  return { text, bytes: buffer, encoding };
}

function toReport(diagnostic: Diagnostic, lines: LineIndex, display: (file: string) => string): DiagnosticReport {
  const { rule, severity, message, field } = diagnostic;
  const range = lines.range(diagnostic.span);
  if (diagnostic.includedBy) {
    const includedBy = diagnostic.includedBy.map(display);
    return field ? { rule, severity, message, field, includedBy, range } : { rule, severity, message, includedBy, range };
  }
  // Two literals rather than a spread: this runs for every diagnostic, and spreading is slow.
  return field ? { rule, severity, message, field, range } : { rule, severity, message, range };
}

/** The data uses inside the partials a template pulls in, in its terms, each with the partial's file and range there. */
function partialFields(partials: PartialWorkspace, file: string, display: (file: string) => string): FieldReport[] {
  const lineIndexes = new Map<string, LineIndex>();
  return usesThroughPartials(partials, file).map(({ file: partial, use }) => {
    let lines = lineIndexes.get(partial);
    if (!lines) {
      const read = partials.read(partial);
      lines = new LineIndex(read && 'text' in read ? read.text : '');
      lineIndexes.set(partial, lines);
    }
    return { path: use.path, file: display(partial), fallback: use.fallback, guarded: use.guarded, context: use.context, range: lines.range(use.span) };
  });
}

/**
 * The templates whose includes say who includes what: those checked, and every template under the
 * `mergewise.json` that governs them, so that a partial checked alone still knows the templates that send it.
 */
export function includerUniverse(templates: string[], index: SchemaIndex): string[] {
  const all = new Set(templates);
  const dirs = new Set<string>();
  for (const template of templates) {
    const schemaFile = index.schemaFileFor(template);
    if (schemaFile) dirs.add(path.dirname(schemaFile));
  }
  for (const dir of dirs) {
    for (const file of nodeFileSystem.listFiles(dir)) {
      const full = path.join(dir, file);
      // A report page quotes merge tags: read for includes, it would count as a template that sends partials.
      if (isTemplateIn(index, full) && !isGeneratedPage(full)) all.add(full);
    }
  }
  return [...all];
}
