import type { Dialect, FieldUse, TemplateScan, TextEdit } from '../dialects/dialect';
import type { Diagnostic, DiagnosticData, DiagnosticTag, RuleId, Severity, Span } from '../model';
import type { ResolvedInclude } from '../partials/workspace';
import type { Resolution } from '../schema/resolve';
import type { FieldSpec, Purpose, Schema } from '../schema/types';
import type { TemplateAudience } from '../audience/editor';
import type { InboxLine } from '../inbox-lines';

export interface RuleMeta {
  id: RuleId;
  defaultSeverity: Severity;
  /** One line for the README and settings. */
  summary: string;
  /** Rules that need `mergewise.json`; the others run on any template. */
  needsSchema: boolean;
}

/** What a rule sees of one template. Built once per analysis and shared by every rule. */
export interface TemplateContext {
  text: string;
  scan: TemplateScan;
  dialect: Dialect;
  schema: Schema | undefined;
  /** Resolution of each use, by index into `scan.uses`. */
  resolutions: Resolution[];
  /** The complete purposes that apply to this template. */
  purposes: Purpose[];
  now: Date;
  /** The template's includes, resolved in its workspace; empty when partials are not followed. */
  includes: ResolvedInclude[];
  /** What the audience snapshot beside mergewise.json measured, when there is one. */
  audience?: TemplateAudience;
  /** The subject and preheader lines when the caller knows them (a subject in mergewise.json); else found in `text`. */
  inboxLines?: InboxLine[];
}

export type Finding = Omit<Diagnostic, 'rule' | 'severity'>;

/**
 * Reports one diagnostic, given its parts: the diagnostic is built once from them, with no finding
 * object in between (a large template has thousands of findings, and each one was garbage).
 * A part left undefined is left out of the diagnostic. `severity` lowers one finding below the
 * rule's (a dynamic include is information, whatever `unknown-partial` is set to).
 */
export type Report = (span: Span, message: string, field?: string, data?: DiagnosticData, tags?: DiagnosticTag[], severity?: Severity) => void;

/** Edits that resolve a finding, with what they do in words. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** What resolves one finding. */
export interface Fixes {
  /** Safe to apply without asking: by fix-all in the editor and `mergewise check --fix`. */
  fix?: Fix;
  /** Offered to the author, never applied automatically. */
  suggestions: Fix[];
}

export interface Rule {
  meta: RuleMeta;
  check(context: TemplateContext, report: Report): void;
  /**
   * The edits that resolve one of this rule's findings, built only when asked for: a large template
   * has thousands of findings, and most are never fixed.
   */
  fixes?(context: TemplateContext, diagnostic: Diagnostic): Fixes;
}

export const NO_FIXES: Fixes = { suggestions: [] };

/**
 * The uses whose field the schema declares, with that field: `fields[i]` is the field of `uses[i]`.
 * Two parallel arrays rather than a pair object per use, since the list lives through every rule.
 */
export interface KnownFieldUses {
  uses: FieldUse[];
  fields: FieldSpec[];
}

const knownFieldUsesCache = new WeakMap<TemplateContext, KnownFieldUses>();

/**
 * Every use whose field the schema declares, with that field. Most rules walk this list, so it is
 * built once per analysis (a generator per rule was a tenth of the analysis of large templates).
 */
export function knownFieldUses(context: TemplateContext): KnownFieldUses {
  let known = knownFieldUsesCache.get(context);
  if (!known) {
    const { uses } = context.scan;
    const resolutions = context.resolutions;
    // Counted first and made at their final size: growing them by `push` left copies behind.
    let count = 0;
    for (let i = 0; i < uses.length; i++) if (resolutions[i]?.kind === 'field') count++;
    const knownUses = new Array<FieldUse>(count);
    const fields = new Array<FieldSpec>(count);
    for (let i = 0, k = 0; i < uses.length; i++) {
      const resolution = resolutions[i];
      if (resolution?.kind === 'field') {
        knownUses[k] = uses[i];
        fields[k++] = resolution.field;
      }
    }
    knownFieldUsesCache.set(context, (known = { uses: knownUses, fields }));
  }
  return known;
}

/** Hints by the dialect's edit text, per analysis: a large template repeats the same few tags thousands of times. */
const hintCache = new WeakMap<TemplateContext, Map<string, string>>();

/** How the dialect writes the fallback, for messages: `| default: 'there'`. */
export function fallbackHint(context: TemplateContext, use: FieldUse, field: FieldSpec): string {
  const edit = context.dialect.fallbackEdit(context.text, use, field.fallback ?? '…');
  if (!edit) return GENERIC_HINT;
  let hints = hintCache.get(context);
  if (!hints) hintCache.set(context, (hints = new Map()));
  let hint = hints.get(edit.newText);
  if (hint === undefined) hints.set(edit.newText, (hint = `\`${edit.newText.trim()}\``));
  return hint;
}

/**
 * What a finding about a missing value tells to add: the fallback in the dialect's syntax, the
 * schema's (`(the schema's fallback)`) or one to choose (`withoutSchema`: " with a sensible default");
 * in words, when no edit can write it there (a quote it would clash with).
 */
export function fallbackAdvice(context: TemplateContext, use: FieldUse, field: FieldSpec, withoutSchema: string): string {
  const hint = fallbackHint(context, use, field);
  if (field.fallback === undefined) return `${hint}${withoutSchema}`;
  return hint === GENERIC_HINT ? `the schema's fallback (${JSON.stringify(field.fallback)})` : `${hint} (the schema's fallback)`;
}

const GENERIC_HINT = 'a fallback';

/** Written as the fallback when the schema has none: plainly a placeholder for the author to replace. */
export const FALLBACK_PLACEHOLDER = 'FALLBACK';

/** The use a finding was reported on, with its field when the schema declares it. */
export function findingUse(context: TemplateContext, diagnostic: Diagnostic): { use: FieldUse; field?: FieldSpec } | undefined {
  const index = useIndexBySpan(context).get(spanKey(diagnostic.span.start, diagnostic.span.end));
  if (index === undefined) return undefined;
  const resolution = context.resolutions[index];
  return { use: context.scan.uses[index], field: resolution?.kind === 'field' ? resolution.field : undefined };
}

/**
 * The use a finding is on and the field it is about. A partial that templates include with
 * different values is analysed through one of them: a finding from another caller is about the
 * field that caller passes (`otherCaller`), not the one the use resolves to here; its fixes are
 * that field's, and only offered (the partial's text is every caller's).
 */
export function findingField(context: TemplateContext, diagnostic: Diagnostic): { use: FieldUse; field: FieldSpec; otherCaller: boolean } | undefined {
  const found = findingUse(context, diagnostic);
  if (!found?.field) return undefined;
  const otherCaller = diagnostic.field !== undefined && diagnostic.field !== found.field.path;
  const field = otherCaller ? context.schema?.fields.get(diagnostic.field!) : found.field;
  return field && { use: found.use, field, otherCaller };
}

const useIndexCache = new WeakMap<TemplateContext, Map<string, number>>();

/**
 * Each use's index by its span, built once per analysis when fixes are first asked for: fix-all
 * asks for the fixes of thousands of findings, and searching the uses for each was quadratic.
 */
function useIndexBySpan(context: TemplateContext): Map<string, number> {
  let bySpan = useIndexCache.get(context);
  if (!bySpan) {
    bySpan = new Map();
    const { uses } = context.scan;
    for (let i = uses.length - 1; i >= 0; i--) bySpan.set(spanKey(uses[i].span.start, uses[i].span.end), i);
    useIndexCache.set(context, bySpan);
  }
  return bySpan;
}

function spanKey(start: number, end: number): string {
  return `${start}:${end}`;
}

/**
 * A fallback added to the use a finding is on, in the dialect's own syntax: the schema's fallback,
 * or a placeholder to fill in. `safe`: fit to apply unasked, which a placeholder never is (it would
 * reach recipients as "FALLBACK"), nor an edit inside a tag with a syntax error (where the value
 * ends there is a guess).
 */
export function fallbackFix(context: TemplateContext, diagnostic: Diagnostic): { fix: Fix; safe: boolean } | undefined {
  const found = findingField(context, diagnostic);
  if (!found) return undefined;
  const { field, otherCaller } = found;
  const fallback = field.fallback;
  const edit = context.dialect.fallbackEdit(context.text, found.use, fallback ?? FALLBACK_PLACEHOLDER);
  if (!edit) return undefined;
  const tag = found.use.tagSpan;
  return {
    fix: { title: fallback !== undefined ? `Add fallback "${fallback}"` : 'Add a fallback placeholder to fill in', edits: [edit] },
    safe: fallback !== undefined && !otherCaller && !context.scan.syntaxErrors.some((problem) => problem.span.start < tag.end && tag.start < problem.span.end),
  };
}

/**
 * The fallback fix of a finding about a missing value: applied by fix-all when safe (the schema's own
 * fallback, what the team chose for everyone without the value), else only offered.
 */
export function fallbackFixes(context: TemplateContext, diagnostic: Diagnostic): Fixes {
  const added = fallbackFix(context, diagnostic);
  if (!added) return NO_FIXES;
  return added.safe ? { fix: added.fix, suggestions: [] } : { suggestions: [added.fix] };
}

/**
 * Writes a schema path the way the template wrote the reference it replaces: inside
 * `{% for item in cart.items %}`, `cart.items[].title` is written `item.title`; Braze's `${frist_name}`
 * becomes `${first_name}`.
 */
export function writtenLike(written: string, path: string, replacement: string): string {
  if (written === path) return replacement;
  // Braze: `${first_name}` and `custom_attribute.${name}` name attributes; a bare name would not.
  const braze = /^(custom_attribute\.)?\$\{[^}]*\}$/.exec(written);
  if (braze) return `${braze[1] ?? ''}\${${replacement}}`;
  const rootEnd = written.search(/[.[]/);
  const rest = rootEnd === -1 ? '' : written.slice(rootEnd);
  if (!path.endsWith(rest)) return replacement;
  const base = path.slice(0, path.length - rest.length);
  return replacement.startsWith(base) && rootEnd !== -1 ? written.slice(0, rootEnd) + replacement.slice(base.length) : replacement;
}

/** Where each rule is documented: its section of the README. */
export const RULES_DOCS_URL = 'https://github.com/mergewise/mergewise/blob/main/README.md';

export function ruleDocsUrl(id: string): string {
  return `${RULES_DOCS_URL}#${id}`;
}

export function code(text: string): string {
  return `\`${text}\``;
}

/**
 * A use as a message names it: as written, and, when that is a variable standing for the field
 * (`@x` set from `AttributeValue("City")`, a local assigned from a field), with the field too.
 */
export function usedAs(use: FieldUse, field: FieldSpec): string {
  return lastSegment(use.written) === lastSegment(field.path) ? code(use.written) : `${code(use.written)} (which holds ${code(field.path)})`;
}

function lastSegment(path: string): string {
  const at = Math.max(path.lastIndexOf('.'), path.lastIndexOf(']'));
  return path.slice(at + 1).toLowerCase();
}
