/**
 * The editor's questions about partials, answered as plain data: the include under the cursor, what
 * hovering its name tells, what may be typed as a partial's name or parameter, the uses of fields
 * inside a partial in its callers' terms, and the workspace's modules. The language server only
 * converts these to LSP.
 */
import * as path from 'node:path';
import { resolveUses } from '../analyze';
import type { FieldUse, IncludeKind, ParameterDeclaration } from '../dialects/dialect';
import type { Span } from '../model';
import type { Schema } from '../schema/types';
import { toPosix, usesOfDeclaredFields, type DeclaredUse } from '../workspace';
import { innerContext, scanInContext, TOP_LEVEL } from './call-context';
import type { GraphFile, PartialWorkspace, ResolvedInclude } from './workspace';
import type { ModuleEntry, ModuleField } from '../../../../protocol/src/requests';

/** The include whose name is at `offset`. */
export function includeAt(includes: ResolvedInclude[] | undefined, offset: number): ResolvedInclude | undefined {
  return includes?.find(({ site }) => site.nameSpan.start <= offset && offset <= site.nameSpan.end);
}

/** What covers a field a partial uses, so that no recipient sees a blank there. */
export type Cover = 'fallback' | 'guard' | 'required';

export interface FieldCoverage {
  field: string;
  /** Every output of it has a fallback or a guard, or the schema requires it (uses in conditions need neither). */
  covered: boolean;
  /** What covers its outputs, for the hover to say. */
  by: Cover[];
}

/**
 * The fields `uses` read, in the order first used, and whether each is covered. With a schema, only
 * declared fields (unknown ones are the analysis's findings); without one, every path.
 */
export function fieldCoverage(uses: FieldUse[], schema: Schema | undefined, file: GraphFile): FieldCoverage[] {
  const resolutions = schema ? resolveUses(schema, file.dialect.id, uses) : undefined;
  const byField = new Map<string, FieldCoverage>();
  uses.forEach((use, i) => {
    const resolution = resolutions?.[i];
    if (resolutions && resolution?.kind !== 'field') return;
    const field = resolution?.kind === 'field' ? resolution.field.path : use.path;
    let entry = byField.get(field);
    if (!entry) {
      entry = { field, covered: true, by: [] };
      if (resolution?.kind === 'field' && resolution.field.required) entry.by.push('required');
      byField.set(field, entry);
    }
    if (use.context !== 'output') return;
    if (use.fallback !== null && !entry.by.includes('fallback')) entry.by.push('fallback');
    if (use.guarded && !entry.by.includes('guard')) entry.by.push('guard');
    if (use.fallback === null && !use.guarded && !entry.by.includes('required')) entry.covered = false;
  });
  return [...byField.values()];
}

/** The fields the partial of `include` uses where this include pulls it in, in the including template's terms. */
export function fieldsThroughInclude(graph: PartialWorkspace, include: ResolvedInclude, schema: Schema | undefined): FieldCoverage[] | undefined {
  const read = include.file ? graph.read(include.file) : undefined;
  if (!read || 'problem' in read) return undefined;
  return fieldCoverage(scanInContext(read.scan, innerContext(TOP_LEVEL, include.site)).uses, schema, read);
}

const COVER_WORDS: Record<Cover, string> = { fallback: 'a fallback', guard: 'a guarding conditional', required: 'required in mergewise.json' };

/** Hovering an include's name: the partial's file, or why there is none; its parameters; the fields it uses. */
export function includeHoverMarkdown(include: ResolvedInclude, fields: FieldCoverage[] | undefined): string {
  const { site } = include;
  const name = site.name === null ? 'This include' : `\`${site.name}\``;
  if (!include.file) {
    const closest = include.suggestions.length ? ` Closest: ${include.suggestions.map((s) => `\`${s}\``).join(', ')}.` : '';
    return `${name} resolves to no partial: ${include.how}.${closest}`;
  }
  const parts = [`**${include.shown ?? include.file}**: ${name}, ${include.how}.`];
  if (include.problem) parts.push(`It cannot be checked: ${include.problem}.`);
  if (include.cycle) parts.push(`It includes itself again: ${include.cycle.join(' → ')}.`);
  if (include.declared?.length) {
    const passed = new Set(site.parameters.map((p) => p.name));
    parts.push('**Parameters**\n\n' + include.declared.map((p) => {
      const what = [p.type, p.required ? 'required' : 'optional', passed.has(p.name) ? 'passed' : site.sharesScope ? undefined : 'not passed'];
      return `- \`${p.name}\` (${what.filter(Boolean).join(', ')})${p.description ? `: ${p.description}` : ''}`;
    }).join('\n'));
  }
  if (fields?.length) {
    parts.push('**Fields it uses here**\n\n' + fields.map((f) => `- \`${f.field}\`: ${f.covered
      ? f.by.length ? `covered by ${f.by.map((c) => COVER_WORDS[c]).join(' and ')}` : 'not shown, only read'
      : 'no fallback or guard'}`).join('\n'));
  }
  return parts.join('\n\n');
}

/** Where completion is inside an include: its name, or a parameter of the named partial. */
export type IncludeCompletionContext =
  | { kind: 'name'; include: IncludeKind; span: Span }
  | { kind: 'parameter'; include: IncludeKind; name: string; passed: string[]; span: Span };

/** How each platform opens an include's name, up to the cursor; the last group is what is typed of it. */
const NAME_OPENERS: { pattern: RegExp; include: IncludeKind }[] = [
  { pattern: /\{%-?\s*render\s+['"]([^'"\n]*)$/, include: 'render' },
  { pattern: /\{%-?\s*include\s+['"]([^'"\n]*)$/, include: 'include' },
  { pattern: /\{\{[#~]?>\s*([\w./-]*)$/, include: 'partial' },
  { pattern: /\{\{\{?\s*snippet\s+"([^"\n]*)$/, include: 'snippet' },
  { pattern: /content_blocks\.\$\{([\w./-]*)$/, include: 'content-block' },
  { pattern: /ContentBlockByKey\(\s*['"]([^'"\n]*)$/i, include: 'content-block-key' },
  { pattern: /ContentBlockByName\(\s*['"]([^'"\n]*)$/i, include: 'content-block-name' },
  { pattern: /ContentBlockById\(\s*['"]([^'"\n]*)$/i, include: 'content-block-id' },
];
/** `{% render 'name', a: x, ` up to the cursor: the partial's name, the arguments given, and what is typed of the next. */
const PARAMETER_OPENER = /\{%-?\s*(render|include)\s+(['"])([^'"\n]+)\2((?:\s*,\s*[\w-]+\s*:\s*[^,%]*?)*)\s*,\s*([\w-]*)$/;

/** Includes span a few lines at most: the text before the cursor that is looked at. */
const LOOK_BACK = 1000;

export function includeCompletionContextAt(text: string, offset: number): IncludeCompletionContext | undefined {
  const before = text.slice(Math.max(0, offset - LOOK_BACK), offset);
  const parameter = PARAMETER_OPENER.exec(before);
  if (parameter) {
    const passed = [...parameter[4].matchAll(/([\w-]+)\s*:/g)].map((m) => m[1]);
    const typed = parameter[5];
    return { kind: 'parameter', include: parameter[1] as IncludeKind, name: parameter[3], passed, span: { start: offset - typed.length, end: offset } };
  }
  for (const { pattern, include } of NAME_OPENERS) {
    const match = pattern.exec(before);
    if (!match) continue;
    // The whole name is replaced, also what follows the cursor up to its closing quote.
    const rest = /^[^'"\s}%)]*/.exec(text.slice(offset))?.[0] ?? '';
    return { kind: 'name', include, span: { start: offset - match[1].length, end: offset + rest.length } };
  }
  return undefined;
}

export interface IncludeCompletionOption {
  label: string;
  kind: 'partial' | 'parameter';
  detail: string;
  insert: string;
}

/** What the partials of the workspace offer: the names that resolve, and a named partial's declared parameters. */
export interface PartialsOnOffer {
  names(kind: IncludeKind): string[];
  parameters(kind: IncludeKind, name: string): ParameterDeclaration[] | undefined;
}

export function includeCompletions(context: IncludeCompletionContext, offer: PartialsOnOffer): IncludeCompletionOption[] {
  if (context.kind === 'name') {
    return offer.names(context.include).map((name) => ({ label: name, kind: 'partial', detail: `partial (${context.include})`, insert: name }));
  }
  return (offer.parameters(context.include, context.name) ?? [])
    .filter((p) => !context.passed.includes(p.name))
    .map((p) => ({
      label: p.name,
      kind: 'parameter',
      detail: [p.type, p.required ? 'required' : 'optional', p.description].filter(Boolean).join(' · '),
      insert: `${p.name}: `,
    }));
}

/**
 * The uses of declared fields in `file`, a partial, as the templates that send it read them: a name
 * the caller passes (`name` rendered with `name: customer.first_name`) is that field. Each use once,
 * though several callers read it; empty for a file nothing includes.
 */
export function fieldUsesThroughCallers(graph: PartialWorkspace, file: string): { text: string; uses: DeclaredUse[] } | undefined {
  // Most files are no partial: asked first, so that they are not read and scanned again.
  if (graph.directIncluders(file).length === 0) return undefined;
  const read = graph.read(file);
  if (!read || 'problem' in read || !read.schema) return undefined;
  const found = new Map<string, DeclaredUse>();
  for (const { context } of graph.reachesOf(file)) {
    const { uses } = scanInContext(read.scan, context);
    for (const use of usesOfDeclaredFields(uses, resolveUses(read.schema, read.dialect.id, uses))) {
      found.set(`${use.span.start}\0${use.span.end}\0${use.field}`, use);
    }
  }
  return { text: read.text, uses: [...found.values()] };
}

/**
 * Every partial among `files` that some template includes: who includes it directly, and each
 * field it uses with whether a fallback or guard covers it in every template that sends it.
 */
export function modulesOf(graph: PartialWorkspace, files: string[]): ModuleEntry[] {
  const modules: ModuleEntry[] = [];
  for (const file of [...new Set(files)].sort()) {
    const includedBy = graph.directIncluders(file);
    if (includedBy.length === 0) continue;
    const read = graph.read(file);
    const shown = read && !('problem' in read) && read.schema ? toPosix(path.relative(read.schema.dir, file)) : path.basename(file);
    const fields = new Map<string, ModuleField>();
    if (read && !('problem' in read)) {
      for (const { sender, context } of graph.reachesOf(file)) {
        for (const coverage of fieldCoverage(scanInContext(read.scan, context).uses, read.schema, read)) {
          let field = fields.get(coverage.field);
          if (!field) fields.set(coverage.field, (field = { field: coverage.field, covered: true, templates: [] }));
          // A template that reads the partial in several contexts covers the field only if it does in each.
          const there = field.templates.find((t) => t.file === sender);
          if (there) there.covered &&= coverage.covered;
          else field.templates.push({ file: sender, covered: coverage.covered });
          field.covered &&= coverage.covered;
        }
      }
    }
    modules.push({ file, shown, includedBy, fields: [...fields.values()] });
  }
  return modules;
}
