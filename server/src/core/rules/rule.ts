import type { Dialect, FieldUse, TemplateScan } from '../dialects/dialect';
import type { Diagnostic, RuleId, Severity } from '../model';
import type { Resolution } from '../schema/resolve';
import type { FieldSpec, Purpose, Schema } from '../schema/types';

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
}

export type Finding = Omit<Diagnostic, 'rule' | 'severity'>;

export interface Rule {
  meta: RuleMeta;
  check(context: TemplateContext, report: (finding: Finding) => void): void;
}

/** A use of a field the schema declares. */
export interface KnownFieldUse {
  use: FieldUse;
  field: FieldSpec;
}

const knownFieldUsesCache = new WeakMap<TemplateContext, readonly KnownFieldUse[]>();

/**
 * Every use whose field the schema declares, with that field. Most rules walk this list, so it is
 * built once per analysis (a generator per rule was a tenth of the analysis of large templates).
 */
export function knownFieldUses(context: TemplateContext): readonly KnownFieldUse[] {
  let known = knownFieldUsesCache.get(context);
  if (!known) {
    const { uses } = context.scan;
    const list: KnownFieldUse[] = [];
    for (let i = 0; i < uses.length; i++) {
      const resolution = context.resolutions[i];
      if (resolution?.kind === 'field') list.push({ use: uses[i], field: resolution.field });
    }
    knownFieldUsesCache.set(context, (known = list));
  }
  return known;
}

/** How the dialect writes the fallback, for messages: `| default: 'there'`. */
export function fallbackHint(context: TemplateContext, use: FieldUse, field: FieldSpec): string {
  const edit = context.dialect.fallbackEdit(context.text, use, field.fallback ?? '…');
  return edit ? `\`${edit.newText.trim()}\`` : 'a fallback';
}

/** Where each rule is documented: its section of the README. */
export const RULES_DOCS_URL = 'https://github.com/mergewise/mergewise/blob/main/README.md';

export function ruleDocsUrl(id: string): string {
  return `${RULES_DOCS_URL}#${id}`;
}

export function code(text: string): string {
  return `\`${text}\``;
}
