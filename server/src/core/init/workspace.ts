/**
 * The templates of a workspace read as `check` reads them, through `WorkspaceFileSystem` (no disk
 * here): once with the schema that is there (or none) to mine their uses, and once with the proposed
 * schema in its place, to report the findings it already shows.
 */
import * as path from 'node:path';
import type { Severity } from '../model';
import { LineIndex } from '../positions';
import { contextOfDeclarations, scanInContext } from '../partials/call-context';
import { PartialWorkspace } from '../partials/workspace';
import { analyzeDocument, SchemaIndex, schemaDiagnostics, toPosix, type WorkspaceFileSystem } from '../workspace';
import type { DialectId } from '../dialects/ids';
import type { InitTemplate, UseSource } from './mine';

export interface TemplateText {
  /** Absolute path. */
  file: string;
  text: string;
}

/** The workspace with `mergewise.json` as given, and the templates' texts as read once. */
function overlay(fs: WorkspaceFileSystem, schemaFile: string, schemaText: string, templates: TemplateText[]): WorkspaceFileSystem {
  const texts = new Map(templates.map((t) => [t.file, t.text]));
  return {
    readText: (file) => (file === schemaFile ? schemaText : texts.get(file) ?? fs.readText(file)),
    listFiles: (dir) => fs.listFiles(dir),
    readDir: fs.readDir ? (dir) => fs.readDir!(dir) : undefined,
    stamp: (file) => (file === schemaFile ? `given:${schemaText.length}` : texts.has(file) ? 'read once' : fs.stamp?.(file)),
  };
}

function graphOver(fs: WorkspaceFileSystem, templates: TemplateText[]): { index: SchemaIndex; graph: PartialWorkspace } {
  const index = new SchemaIndex(fs);
  const graph = new PartialWorkspace(index, {
    read: (file) => fs.readText(file),
    version: () => 'this run',
    templates: () => templates.map((t) => t.file),
  });
  return { index, graph };
}

/**
 * Each template's uses as `check` reads them: its own (a partial that templates include is read
 * through them instead, in their terms), and those of the partials it includes.
 * `schemaText` is the existing `mergewise.json`, or `{}` when there is none.
 */
export function readTemplates(fs: WorkspaceFileSystem, schemaFile: string, schemaText: string, templates: TemplateText[]): { templates: InitTemplate[]; problems: string[] } {
  const { graph } = graphOver(overlay(fs, schemaFile, schemaText, templates), templates);
  const dir = path.dirname(schemaFile);
  const read: InitTemplate[] = [];
  const problems: string[] = [];
  for (const { file } of templates) {
    const relative = toPosix(path.relative(dir, file));
    const own = graph.read(file);
    if (!own || 'problem' in own) {
      problems.push(`${relative}: skipped, ${own ? own.problem : 'it disappeared'}.`);
      continue;
    }
    const sources: UseSource[] = [];
    if (graph.reachesOf(file).length === 0) {
      const scan = own.scan.parameters?.length ? scanInContext(own.scan, contextOfDeclarations(own.scan.parameters)) : own.scan;
      sources.push({ dialect: own.dialect.id, text: own.text, uses: scan.uses });
      for (const { file: partial, context } of graph.partialsOf(file)) {
        const included = graph.read(partial);
        if (!included || 'problem' in included) continue;
        sources.push({ dialect: included.dialect.id, text: included.text, uses: scanInContext(included.scan, context).uses });
      }
    }
    read.push({ path: relative, dialect: own.dialect.id, sources, syntaxErrors: own.scan.syntaxErrors });
  }
  return { templates: read, problems };
}

export interface Finding {
  path: string;
  /** 1-based, as `check` prints them. */
  line: number;
  column: number;
  rule: string;
  severity: Severity;
  message: string;
}

export interface Findings {
  /** Findings per rule, over every template and the schema itself. */
  counts: Record<string, number>;
  /** The first findings, in the order of the templates. */
  first: Finding[];
  /** Templates the proposed schema would read in another dialect than they were mined in. */
  dialectChanged: string[];
}

/** What `check` would report with `schemaText` as `mergewise.json`, without writing it. */
export function findingsWithSchema(
  fs: WorkspaceFileSystem, schemaFile: string, schemaText: string, templates: TemplateText[], mined: Map<string, DialectId>, now?: Date, firstCount = 10,
): Findings {
  const { index, graph } = graphOver(overlay(fs, schemaFile, schemaText, templates), templates);
  const dir = path.dirname(schemaFile);
  const findings: Findings = { counts: {}, first: [], dialectChanged: [] };
  const add = (relative: string, text: string, diagnostics: { rule: string; severity: Severity; message: string; span: { start: number; end: number } }[]) => {
    let lines: LineIndex | undefined;
    for (const diagnostic of diagnostics) {
      findings.counts[diagnostic.rule] = (findings.counts[diagnostic.rule] ?? 0) + 1;
      if (findings.first.length >= firstCount) continue;
      lines ??= new LineIndex(text);
      const at = lines.positionAt(diagnostic.span.start);
      findings.first.push({ path: relative, line: at.line + 1, column: at.character + 1, rule: diagnostic.rule, severity: diagnostic.severity, message: diagnostic.message });
    }
  };
  for (const { file, text } of templates) {
    const relative = toPosix(path.relative(dir, file));
    const expected = mined.get(relative);
    if (expected === undefined) continue;
    const analysed = analyzeDocument(index, file, text, undefined, now, graph);
    if (analysed.dialect.id !== expected) findings.dialectChanged.push(`${relative}: ${expected} → ${analysed.dialect.id}`);
    add(relative, text, analysed.analysis.diagnostics.filter((d) => d.severity !== 'hint'));
  }
  add(path.basename(schemaFile), schemaText, schemaDiagnostics(index.load(schemaFile)).filter((d) => d.severity !== 'hint'));
  return findings;
}
