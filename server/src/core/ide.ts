/**
 * The editor's questions about an analysed template, answered as plain data from the analysis and
 * an offset: what a hover says, what each inlay hint shows, which quadrant each use sits in. The
 * language server converts these to LSP, and the command line prints them (`mergewise explain`);
 * neither works anything out again.
 */
import type { CompletionEntry, CompletionSite, Dialect, FieldUse, TemplateScan } from './dialects/dialect';
import { fieldCoverageText } from './audience/editor';
import { systemTagMarkdown } from './dialects/common/system-tags';
import { fieldMarkdown } from './docs';
import { findingAt } from './fixes';
import type { Span } from './model';
import type { Recipient } from './preview/recipients';
import { fieldQuadrant, type Quadrant } from './purposes';
import { completionContextAt, loopScopesAt, useAt } from './query';
import type { FieldSpec, Schema } from './schema/types';
import { describeShown, isBlank, shownValue, type ShownKind, type ShownValue } from './values';
import { connectedMockValue, connectedUseAt, describeConnectedUse, isStoredData, previewMocks, type ConnectedDataSource, type ConnectedDataUse } from './dialects/common/connected-data';
import type { DocumentAnalysis } from './workspace';
import { QUADRANTS } from '../../../protocol/src/quadrants';

export interface HoverAnswer {
  /** The field reference the hover is about. */
  span: Span;
  markdown: string;
}

/** What hovering at `offset` tells: the field's description and what each sample recipient sees, or why the name is unknown. */
export function hoverAt(document: DocumentAnalysis, offset: number, recipients: Recipient[], now: Date): HoverAnswer | undefined {
  const { analysis, schema } = document;
  // A tag the platform fills in itself: what it fills in, with or without a schema.
  const system = analysis.scan.systemUses?.find((candidate) => candidate.span.start <= offset && offset <= candidate.span.end);
  if (system) return { span: system.span, markdown: systemTagMarkdown(system, analysis.context.dialect.systemTags.platform) };
  const found = useAt(analysis.scan, offset);
  if (!found) return connectedHover(analysis.scan, offset, recipients, schema);
  if (!schema) return undefined;
  const { use, index } = found;
  const resolution = analysis.resolutions[index];
  if (resolution?.kind === 'namespace') return { span: use.span, markdown: `**${use.path}**: a group of fields in mergewise.json` };
  if (resolution?.kind !== 'field') {
    // The names unknown-field suggests for this very use (none when that rule is off).
    const suggestions = findingAt(analysis, 'unknown-field', use.span.start, use.span.end)?.data?.suggestions ?? [];
    return {
      span: use.span,
      markdown: `**${use.path}** is not in mergewise.json.` + (suggestions.length ? ` Closest: ${suggestions.map((s) => `\`${s}\``).join(', ')}.` : ''),
    };
  }
  const field = resolution.field;
  const recipientValues = recipients.map((recipient) => ({ name: recipient.name, shown: shownValue(use, field, use.path, recipient, now) }));
  const audience = fieldCoverageText(document.audience, field);
  return { span: use.span, markdown: fieldMarkdown(field, schema, { templatePurposes: analysis.purposes, recipientValues, ...(audience ? { audience } : {}) }) };
}

/** Over a read of connected data: where the data comes from, and each sample recipient's mock response. */
function connectedHover(scan: TemplateScan, offset: number, recipients: Recipient[], schema: Schema | undefined): HoverAnswer | undefined {
  const use = connectedUseAt(scan.connected, offset);
  if (!use) return undefined;
  const source = scan.connected!.sources[use.source];
  const lines = [
    isStoredData(source)
      ? `**${use.written}**: ${describeConnectedUse(source, use, 120)}. Read by the platform at send time, so neither a recipient field nor an unknown one.`
      : `**${use.written}**: ${describeConnectedUse(source, use)}. Fetched at send time, so neither a recipient field nor an unknown one; the preview never fetches it.`,
  ];
  if (recipients.length) {
    lines.push('', '| Recipient | Sees |', '| --- | --- |');
    for (const recipient of recipients) lines.push(`| ${recipient.name} | ${describeConnectedShown(connectedShown(recipient, schema, source, use), source).replace(/\|/g, '\\|')} |`);
  }
  return { span: use.span, markdown: lines.join('\n') };
}

/**
 * What a recipient's mock response (or a data extension's sample rows in mergewise.json, as the
 * preview reads them) gives a read of connected data; blank, without one.
 */
function connectedShown(recipient: Recipient, schema: Schema | undefined, source: ConnectedDataSource, use: ConnectedDataUse): ShownValue & { mocked: boolean } {
  const { mocked, value } = connectedMockValue(previewMocks(recipient.connected, schema?.dataExtensions), source, use);
  if (isBlank(value)) return { kind: 'blank', text: '', mocked };
  const text = Array.isArray(value) ? `${value.length} item${value.length === 1 ? '' : 's'}` : typeof value === 'object' ? '{…}' : String(value);
  return { kind: 'value', text, mocked };
}

function describeConnectedShown(shown: ShownValue & { mocked: boolean }, source: ConnectedDataSource): string {
  if (shown.mocked) return describeShown(shown);
  return source.kind === 'data-extension'
    ? 'blank (no sample: add "$connected" to the recipient file, or "rows" to the data extension in mergewise.json)'
    : 'blank (no mock: add "$connected" to the recipient file)';
}

export interface ShownHint {
  /** Where the hint goes: just after the merge tag. */
  offset: number;
  label: string;
  kind: ShownKind;
}

/** After each output whose tag ends within [start, end]: what the recipient sees there. */
export function shownHints(document: DocumentAnalysis, start: number, end: number, recipient: Recipient, now: Date): ShownHint[] {
  const { analysis } = document;
  const hints: ShownHint[] = [];
  analysis.scan.uses.forEach((use, index) => {
    if (use.context !== 'output' || use.tagSpan.end < start || use.tagSpan.end > end) return;
    const resolution = analysis.resolutions[index];
    const shown = shownValue(use, resolution?.kind === 'field' ? resolution.field : undefined, use.path, recipient, now);
    hints.push({ offset: use.tagSpan.end, label: `→ ${describeShown(shown)}`, kind: shown.kind });
  });
  const connected = analysis.scan.connected;
  for (const use of connected?.uses ?? []) {
    if (use.context !== 'output' || use.tagSpan.end < start || use.tagSpan.end > end) continue;
    const shown = connectedShown(recipient, document.schema, connected!.sources[use.source], use);
    hints.push({ offset: use.tagSpan.end, label: `→ ${shown.mocked ? describeShown(shown) : 'blank (no mock)'}`, kind: shown.kind });
  }
  if (connected?.uses.length) hints.sort((a, b) => a.offset - b.offset);
  return hints;
}

export interface QuadrantUse {
  span: Span;
  field: string;
  /** Undefined for a field in no quadrant: the schema gives it no `source` (nor `expected`). */
  quadrant?: Quadrant;
  /** The quadrant's name: "surveillance". */
  name?: string;
  /** The purposes that cover the field in this template. */
  purposes: string[];
}

/** Every use of a declared field outside an argument, with its quadrant (none without a source), in text order. */
export function quadrantUses(document: DocumentAnalysis): QuadrantUse[] {
  const { analysis } = document;
  const entries: QuadrantUse[] = [];
  analysis.scan.uses.forEach((use, index) => {
    const resolution = analysis.resolutions[index];
    if (resolution?.kind !== 'field' || use.context === 'argument') return;
    const { quadrant, purposes } = fieldQuadrant(resolution.field, analysis.purposes);
    entries.push(quadrant
      ? { span: use.span, field: resolution.field.path, quadrant, name: QUADRANTS[quadrant].name, purposes }
      : { span: use.span, field: resolution.field.path, purposes });
  });
  return entries;
}

export type CompletionKind = 'field' | 'variable' | 'filter' | 'tag';

export interface CompletionOption {
  label: string;
  kind: CompletionKind;
  detail: string;
  /** The text that replaces what was typed. */
  insert: string;
  /** The same in LSP snippet syntax (tab stops), for editors that take snippets. */
  snippet?: string;
  /** The schema field a field option names, for its documentation. */
  field?: string;
  deprecated?: boolean;
}

export interface CompletionAnswer {
  /** What was typed of the name, which an option replaces. */
  span: Span;
  options: CompletionOption[];
}

/**
 * What may be typed at `offset`: the dialect's filters after `|`, its tags after `{%`, and fields
 * elsewhere in a tag (those of the loops around the cursor, then the schema's under the typed
 * namespace). A field written alone in an output comes with the schema's fallback, in the dialect's syntax.
 */
export function completionsAt(document: DocumentAnalysis, text: string, offset: number): CompletionAnswer | undefined {
  const { dialect, schema, analysis } = document;
  const entries = (list: CompletionEntry[], kind: CompletionKind) => list.map((entry) => entryOption(entry, kind));
  if (dialect.completionSite) {
    const site = dialect.completionSite(text, offset);
    return site && { span: site.span, options: siteOptions(site, document, text) };
  }
  // A quote opens a string, where a tag's reading offers nothing (an include's name is completed apart).
  const context = /['"]/.test(text[offset - 1] ?? '') ? undefined : completionContextAt(text, offset);
  if (!context) return undefined;
  if (context.kind === 'filter') return { span: context.span, options: entries(dialect.filters, 'filter') };
  if (context.kind === 'tag') return { span: context.span, options: closedBy(entries(dialect.tags, 'tag'), text, context.span.end, TAG_CLOSE, ' %}') };
  const afterBraces = text.startsWith('{{', context.span.start - 2) || text.startsWith('{{#', context.span.start - 3);
  // Where a helper is called: a block helper first in a tag, an inline one there or first in a
  // subexpression (`{{#if (eq a b)}}`); after `{{#if ` an argument goes, not a helper.
  const before = text.slice(Math.max(0, context.span.start - 8), context.span.start);
  const tagStart = /\{\{\{?~?#?\s*$/.test(before);
  const callStart = tagStart || /\(\s*$/.test(before);
  const helpers = dialect.helpersAfterOpener
    ? [...(tagStart ? blockOpeners(dialect.tags, text, context.span.start) : []), ...(callStart ? entries(dialect.filters, 'filter') : [])]
    : [];
  const options = afterBraces ? closedBy(helpers, text, context.span.end, OUTPUT_CLOSE, '}}') : helpers;
  if (!schema) return options.length ? { span: context.span, options } : undefined;
  const field = (spec: FieldSpec, written: string, detail?: string) => fieldOption(spec, written, context.inOutput, dialect, text, detail);
  for (const scope of loopScopesAt(analysis.scan, offset)) {
    options.push({ label: scope.variable, kind: 'variable', detail: `each item of ${scope.itemPath.slice(0, -2)}`, insert: scope.variable });
    // Handlebars and Mustachio read the item's fields by their names alone inside the loop (`{{title}}`).
    const bare = scope.variable === 'this' || scope.variable === '.';
    for (const spec of fieldsUnder(schema, `${scope.itemPath}.`, '')) {
      const name = spec.path.slice(scope.itemPath.length + 1);
      if (bare) options.push(field(spec, name));
      if (scope.variable !== '.') options.push(field(spec, `${scope.variable}.${name}`));
    }
  }
  const namespace = context.prefix.includes('.') ? context.prefix.slice(0, context.prefix.lastIndexOf('.') + 1) : '';
  for (const spec of fieldsUnder(schema, namespace, '[]')) {
    options.push(field(spec, spec.path));
    const alias = spec.aliases[dialect.id];
    if (alias && alias !== spec.path && alias.startsWith(namespace)) options.push(field(spec, alias, `alias of ${spec.path}`));
  }
  return { span: context.span, options };
}

/**
 * The options where a dialect read the cursor's place itself: the schema's fields by the name the
 * dialect knows them by (the alias, else the path), written as the place needs; in code, the
 * dialect's functions and the variables the template sets, and its statements where one may start.
 */
function siteOptions(site: CompletionSite, { dialect, schema }: DocumentAnalysis, text: string): CompletionOption[] {
  const options: CompletionOption[] = [];
  if (site.kind === 'statement') options.push(...dialect.tags.map((entry) => entryOption(entry, 'tag')));
  if (site.kind !== 'name') {
    options.push(...dialect.filters.map((entry) => entryOption(entry, 'filter')));
    // The template's variables, but for the one being typed at the cursor.
    const variables = new Set<string>();
    for (const match of text.matchAll(/@\w+/g)) if (match.index !== site.span.start) variables.add(match[0]);
    for (const variable of variables) options.push({ label: variable, kind: 'variable', detail: 'variable', insert: variable });
  }
  for (const spec of schema?.fields.values() ?? []) {
    if (spec.path.includes('[]')) continue;
    const name = spec.aliases[dialect.id] ?? spec.path;
    options.push({ ...fieldOption(spec, name, false, dialect, text), insert: site.fieldText(name) + (site.close ?? '') });
  }
  return options;
}

/** What closes the tag the cursor is in, when it is already written after it (an editor may have added it). */
const TAG_CLOSE = /^[ \t]*-?%\}/;
const OUTPUT_CLOSE = /^[ \t]*~?\}\}/;

/**
 * Options that write the tag's closing delimiter themselves when it is not there yet: VS Code closes
 * `{%` and `{{` as they are typed, most editors do not, and `{% if x %}…{% endif` is a syntax error.
 */
function closedBy(options: CompletionOption[], text: string, end: number, closed: RegExp, close: string): CompletionOption[] {
  if (closed.test(text.slice(end, end + 40))) return options;
  return options.map((option) => option.snippet === undefined
    ? { ...option, insert: option.insert + close }
    : { ...option, insert: option.insert + close, snippet: option.snippet + close });
}

/**
 * Block helpers offered right after `{{` (Handlebars): a block opens with `{{#`, so where the `#` was
 * not typed the option writes it (`{{if x}}…{{/if}}` is a syntax error). Other tags are as they are.
 */
function blockOpeners(tags: CompletionEntry[], text: string, at: number): CompletionOption[] {
  const hashTyped = text.charCodeAt(at - 1) === 35;
  return tags.map((entry) => {
    const option = entryOption(entry, 'tag');
    if (hashTyped || !entry.snippet?.includes('{{/')) return option;
    return { ...option, insert: `#${option.insert}`, snippet: `#${option.snippet}` };
  });
}

function entryOption(entry: CompletionEntry, kind: CompletionKind): CompletionOption {
  return entry.snippet === undefined
    ? { label: entry.label, kind, detail: entry.detail, insert: entry.label }
    : { label: entry.label, kind, detail: entry.detail, insert: snippetText(entry.snippet), snippet: entry.snippet };
}

function fieldOption(spec: FieldSpec, written: string, inOutput: boolean, dialect: Dialect, text: string, detail?: string): CompletionOption {
  const option: CompletionOption = {
    label: written,
    kind: 'field',
    detail: detail ?? [spec.type ?? 'type not declared', spec.source, spec.deprecated ? 'deprecated' : undefined].filter(Boolean).join(' · '),
    insert: written,
    field: spec.path,
    ...(spec.deprecated ? { deprecated: true } : {}),
  };
  const fallback = inOutput && spec.fallback !== undefined ? fallbackSuffix(dialect, text, written, spec.fallback) : undefined;
  if (fallback !== undefined) {
    option.insert = `${written}${fallback}`;
    option.snippet = `${escapeSnippet(written)}${escapeSnippet(fallback)}$0`;
    if (detail === undefined) option.detail = `${option.detail} · with fallback "${spec.fallback}"`;
  }
  return option;
}

/**
 * What the dialect writes right after a path, alone in an output, to give it a fallback (Liquid's
 * ` | default: 'there'`); undefined when its fallback is not such a suffix (a Handlebars `{{#if}}`
 * around the tag). Asked of the dialect's own fallback edit, for the output the completion makes.
 */
function fallbackSuffix(dialect: Dialect, text: string, written: string, fallback: string): string | undefined {
  const span = { start: 0, end: written.length };
  const completed: FieldUse = { path: written, written, span, tagSpan: span, context: 'output', fallback: null, guarded: false, filters: [] };
  const edit = dialect.fallbackEdit(text, completed, fallback);
  return edit && edit.span.start === edit.span.end && edit.span.start === written.length ? edit.newText : undefined;
}

/** Fields whose path starts with `prefix`; those containing `exclude` after it (loop items) are left out. */
function* fieldsUnder(schema: Schema, prefix: string, exclude: string): Generator<FieldSpec> {
  for (const field of schema.fields.values()) {
    if (!field.path.startsWith(prefix)) continue;
    if (exclude && field.path.includes(exclude, prefix.length)) continue;
    yield field;
  }
}

/** A snippet as plain text, for an editor without snippets: each placeholder's default stays, tab stops go. */
function snippetText(snippet: string): string {
  return snippet
    .replace(/\$\{\d+:((?:[^}\\]|\\.)*)\}/g, '$1')
    .replace(/\$\{\d+\}|\$\d+/g, '')
    .replace(/\\([\\$}])/g, '$1');
}

function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}
