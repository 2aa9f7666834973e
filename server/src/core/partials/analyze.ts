/**
 * Analysis across files. A template is checked with its includes resolved; a partial that sending
 * templates include is checked once per distinct context they read it in (their parameters, loops,
 * guards and purposes), and each finding is reported once, in the partial, naming the templates it
 * affects. A partial nothing includes is checked on its own, its declared parameters set aside.
 */
import * as path from 'node:path';
import { analyzeTemplate, type SeverityOverrides, type TemplateAnalysis } from '../analyze';
import type { TemplateAudience } from '../audience/editor';
import type { FieldUse } from '../dialects/dialect';
import type { Diagnostic } from '../model';
import { toPosix } from '../workspace';
import { contextOfDeclarations, scanInContext } from './call-context';
import type { GraphFile, PartialWorkspace, ResolvedInclude } from './workspace';

export interface CrossFileAnalysis {
  analysis: TemplateAnalysis;
  includes: ResolvedInclude[];
  /** The sending templates that include this file, directly or not (absolute paths); empty for a template nothing includes. */
  includedBy: string[];
  /**
   * For a partial: the sending template whose context the analysis's scan and resolutions are in
   * (what hover and inlay hints show); its findings are those of every context.
   */
  shownThrough?: string;
}

export interface CrossFileInput {
  file: GraphFile;
  relativePath: string;
  severityOverrides?: SeverityOverrides;
  now?: Date;
  /** For a partial: the sending template to show it through when it is one of them (the one last focused); else the first. */
  shownThrough?: string;
  /** What the audience snapshot measured (see audience/editor.ts). */
  audience?: TemplateAudience;
}

/** Names of the templates a finding in a partial affects, shown at most. */
const NAMES_SHOWN = 3;

export function analyzeAcrossFiles(graph: PartialWorkspace, input: CrossFileInput): CrossFileAnalysis {
  const { file: own } = input;
  const includes = graph.includesOf(own);
  const base = {
    text: own.text, relativePath: input.relativePath, dialect: own.dialect, schema: own.schema,
    severityOverrides: input.severityOverrides, now: input.now, includes, audience: input.audience,
  };
  const reaches = graph.reachesOf(own.file);
  if (reaches.length === 0) {
    const alone = own.scan.parameters?.length ? scanInContext(own.scan, contextOfDeclarations(own.scan.parameters)) : own.scan;
    return { analysis: analyzeTemplate({ ...base, scan: alone }), includes, includedBy: [] };
  }
  const senders = graph.sendersOf(own.file);
  // One analysis per distinct context, with the senders that read the partial in it.
  const analyses = new Map<string, { analysis: TemplateAnalysis; senders: string[] }>();
  let through: { analysis: TemplateAnalysis; sender: string } | undefined;
  for (const reach of reaches) {
    const purposes = own.schema ? graph.purposesOf(reach.sender, own.schema) : [];
    const key = `${reach.contextKey}#${purposes.map((p) => p.id).join(',')}`;
    let group = analyses.get(key);
    if (!group) {
      group = { analysis: analyzeTemplate({ ...base, scan: scanInContext(own.scan, reach.context), purposes }), senders: [] };
      analyses.set(key, group);
    }
    group.senders.push(reach.sender);
    if (!through || (reach.sender === input.shownThrough && through.sender !== input.shownThrough)) through = { analysis: group.analysis, sender: reach.sender };
  }
  const found = new Map<string, { diagnostic: Diagnostic; senders: Set<string> }>();
  for (const { analysis, senders: readers } of analyses.values()) {
    for (const diagnostic of analysis.diagnostics) {
      const id = `${diagnostic.rule}\0${diagnostic.span.start}\0${diagnostic.span.end}\0${diagnostic.field ?? ''}\0${diagnostic.message}`;
      let entry = found.get(id);
      if (!entry) found.set(id, (entry = { diagnostic, senders: new Set() }));
      for (const sender of readers) entry.senders.add(sender);
    }
  }
  const shown = (file: string) => toPosix(path.relative(own.schema?.dir ?? path.dirname(own.file), file));
  const diagnostics = [...found.values()].map(({ diagnostic, senders: affected }) => {
    const includedBy = senders.filter((sender) => affected.has(sender));
    const listed = includedBy.slice(0, NAMES_SHOWN).map(shown).join(', ') +
      (includedBy.length > NAMES_SHOWN ? `, and ${includedBy.length - NAMES_SHOWN} more` : '');
    const every = senders.length === 1 ? 'the template that includes' : senders.length === 2 ? 'both templates that include' : `all ${senders.length} templates that include`;
    const where = includedBy.length === senders.length
      ? `in ${every} it: ${listed}`
      : `in ${includedBy.length} of the ${senders.length} templates that include it: ${listed}`;
    // Findings about data depend on the caller; say where they hold. Syntax holds everywhere alike.
    const message = diagnostic.field !== undefined ? `${diagnostic.message} (${where})` : diagnostic.message;
    return { ...diagnostic, message, includedBy };
  }).sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { analysis: { ...through!.analysis, diagnostics }, includes, includedBy: senders, shownThrough: through!.sender };
}

/** A use inside a partial that a template sends, in the template's terms. */
export interface PartialUse {
  /** The partial's file (absolute). */
  file: string;
  use: FieldUse;
}

/** Every data use in the partials a template pulls in, directly or not, rewritten into its terms. */
export function usesThroughPartials(graph: PartialWorkspace, file: string): PartialUse[] {
  const uses: PartialUse[] = [];
  for (const { file: partial, context } of graph.partialsOf(file)) {
    const read = graph.read(partial);
    if (!read || 'problem' in read) continue;
    for (const use of scanInContext(read.scan, context).uses) uses.push({ file: partial, use });
  }
  return uses;
}
