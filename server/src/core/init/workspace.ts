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
import { analyzeAcrossFiles } from '../partials/analyze';
import { SchemaIndex, schemaDiagnostics, toPosix, type WorkspaceFileSystem } from '../workspace';
import type { DialectId } from '../dialects/ids';
import type { InitTemplate, UseSource } from './mine';

export interface TemplateText {
  /** Absolute path. */
  file: string;
  text: string;
}

/**
 * The workspace with `mergewise.json` as given (the one there, `{}` when there is none, then the
 * proposed one), and the templates' texts as read once. One include graph serves both readings:
 * the proposed schema keeps every template's dialect (that is checked), so each file's scan and
 * includes are the same under it, and only the analysis is run again.
 */
export class InitWorkspace {
  private schemaText: string;
  private readonly texts: Map<string, string>;
  private readonly index: SchemaIndex;
  private readonly graph: PartialWorkspace;
  private readonly dir: string;

  constructor(fs: WorkspaceFileSystem, private readonly schemaFile: string, schemaText: string, private readonly templates: TemplateText[]) {
    this.schemaText = schemaText;
    this.texts = new Map(templates.map((t) => [t.file, t.text]));
    this.dir = path.dirname(schemaFile);
    const overlay: WorkspaceFileSystem = {
      readText: (file) => (file === schemaFile ? this.schemaText : this.texts.get(file) ?? fs.readText(file)),
      listFiles: (dir) => fs.listFiles(dir),
      readDir: fs.readDir ? (dir) => fs.readDir!(dir) : undefined,
    };
    this.index = new SchemaIndex(overlay);
    this.graph = new PartialWorkspace(this.index, {
      read: (file) => overlay.readText(file),
      version: () => 'this run',
      templates: () => templates.map((t) => t.file),
    });
  }

  /**
   * Each template's uses as `check` reads them: its own (a partial that templates include is read
   * through them instead, in their terms), and those of the partials it includes.
   */
  read(): { templates: InitTemplate[]; problems: string[] } {
    const { graph } = this;
    const read: InitTemplate[] = [];
    const problems: string[] = [];
    for (const { file } of this.templates) {
      const relative = toPosix(path.relative(this.dir, file));
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

  /** What `check` would report with `schemaText` as `mergewise.json`, without writing it. */
  findings(schemaText: string, mined: Map<string, DialectId>, now?: Date, firstCount = 10): Findings {
    this.schemaText = schemaText;
    this.index.invalidate(this.schemaFile);
    const loaded = this.index.load(this.schemaFile);
    const schema = loaded.result?.schema;
    const findings: Findings = { counts: {}, first: [], dialectChanged: [] };
    const add = (relative: string, text: string, diagnostics: { rule: string; severity: Severity; message: string; span: { start: number; end: number } }[]) => {
      let lines: LineIndex | undefined;
      for (const diagnostic of diagnostics) {
        if (diagnostic.severity === 'hint') continue;
        findings.counts[diagnostic.rule] = (findings.counts[diagnostic.rule] ?? 0) + 1;
        if (findings.first.length >= firstCount) continue;
        lines ??= new LineIndex(text);
        const at = lines.positionAt(diagnostic.span.start);
        findings.first.push({ path: relative, line: at.line + 1, column: at.character + 1, rule: diagnostic.rule, severity: diagnostic.severity, message: diagnostic.message });
      }
    };
    for (const { file, text } of this.templates) {
      const relative = toPosix(path.relative(this.dir, file));
      const expected = mined.get(relative);
      if (expected === undefined) continue;
      const read = this.graph.read(file);
      const before = read && !('problem' in read) ? read : undefined;
      const same = before ? this.graph.scanned(file, text, schema, before.scan) : undefined;
      // A template the new schema reads in another dialect (never expected) is scanned again, and
      // reported; so is one in the same dialect for another platform (Shopify's Liquid), whose scan
      // sees the platform's own names.
      const own = before && same && same.dialect.id === expected && same.dialect === before.dialect ? same : this.graph.scanned(file, text, schema);
      if (own.dialect.id !== expected) findings.dialectChanged.push(`${relative}: ${expected} → ${own.dialect.id}`);
      const analysed = analyzeAcrossFiles(this.graph, { file: own, relativePath: relative, now });
      add(relative, text, analysed.analysis.diagnostics);
    }
    add(path.basename(this.schemaFile), schemaText, schemaDiagnostics(loaded));
    return findings;
  }
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
  /** Findings per rule (hints aside, as `check` prints them), over every template and the schema itself. */
  counts: Record<string, number>;
  /** The first findings, in the order of the templates. */
  first: Finding[];
  /** Templates the proposed schema would read in another dialect than they were mined in. */
  dialectChanged: string[];
}
