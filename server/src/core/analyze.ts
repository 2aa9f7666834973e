import type { Dialect, FieldUse, TemplateScan } from './dialects/dialect';
import type { DialectId } from './dialects/ids';
import { withSchemaFallbacks } from './dialects/schema-fallbacks';
import { INTERNAL_ERROR, type Diagnostic, type DiagnosticData, type DiagnosticTag, type RuleId, type Severity, type SeveritySetting, type Span } from './model';
import { purposesForTemplate } from './purposes';
import { SCHEMA_RULES, TEMPLATE_RULES } from './rules';
import type { Report, TemplateContext } from './rules/rule';
import { resolveField, type Resolution } from './schema/resolve';
import { readableMessage, type SchemaLoadResult } from './schema/load';
import type { ResolvedInclude } from './partials/workspace';
import type { Purpose, Schema } from './schema/types';
import type { TemplateAudience } from './audience/editor';
import type { InboxLine } from './inbox-lines';

export type SeverityOverrides = Partial<Record<RuleId, SeveritySetting>>;

export interface TemplateInput {
  text: string;
  /** Path relative to the schema's folder, with `/` separators, for purpose `templates` globs. */
  relativePath: string;
  dialect: Dialect;
  schema: Schema | undefined;
  /** Editor settings; `mergewise.json`'s `rules` win over them so the editor agrees with CI. */
  severityOverrides?: SeverityOverrides;
  now?: Date;
  /** The text's scan when the caller has it: a partial's, rewritten into a sending template's terms (see partials/call-context.ts). */
  scan?: TemplateScan;
  /** The purposes that apply, when they are another template's: a partial is judged by the templates that send it. */
  purposes?: Purpose[];
  /** The template's includes, resolved in its workspace. */
  includes?: ResolvedInclude[];
  /** What the audience snapshot beside mergewise.json measured (see audience/editor.ts). */
  audience?: TemplateAudience;
  /** The subject and preheader lines, when the text is one (a subject in mergewise.json); else found in `text`. */
  inboxLines?: InboxLine[];
}

export interface TemplateAnalysis {
  scan: TemplateScan;
  /** Resolution of each use in `scan.uses`. */
  resolutions: Resolution[];
  /** The complete purposes that apply to this template. */
  purposes: Purpose[];
  diagnostics: Diagnostic[];
  /** What the rules saw, kept for building a finding's fixes when they are asked for (see fixes.ts). */
  context: TemplateContext;
}

/** Runs every template rule. Pure: the same input gives the same output, and nothing is read from disk. */
export function analyzeTemplate(input: TemplateInput): TemplateAnalysis {
  const diagnostics: Diagnostic[] = [];
  let scanned: TemplateScan;
  try {
    scanned = input.scan ?? input.dialect.scan(input.text);
  } catch (error) {
    // A scanner that fails on one file must not take the editor's server down with it: say so on the file.
    scanned = { uses: [], syntaxErrors: [], branchGroups: [], purposeDirectives: [] };
    diagnostics.push({
      rule: INTERNAL_ERROR,
      severity: 'error',
      span: { start: 0, end: 0 },
      message: `Mergewise could not read this ${input.dialect.label} template (${error instanceof Error ? error.message : String(error)}), so none of its checks ran. Please report this.`,
    });
  }
  const schema = input.schema;
  const resolutions = schema ? resolveUses(schema, input.dialect.id, scanned.uses) : [];
  const scan = withSchemaFallbacks(input.dialect, scanned, (index) => {
    const resolution = resolutions[index];
    return resolution?.kind === 'field' ? resolution.field.fallback : undefined;
  });
  const context: TemplateContext = {
    text: input.text,
    scan,
    dialect: input.dialect,
    schema,
    resolutions,
    purposes: input.purposes ?? (schema ? purposesForTemplate(schema, input.relativePath, scan.purposeDirectives) : []),
    now: input.now ?? new Date(),
    includes: input.includes ?? [],
  };
  if (input.audience) context.audience = input.audience;
  if (input.inboxLines) context.inboxLines = input.inboxLines;
  for (const rule of TEMPLATE_RULES) {
    if (rule.meta.needsSchema && !schema) continue;
    const severity = severityFor(rule.meta.id, rule.meta.defaultSeverity, schema, input.severityOverrides);
    if (!severity) continue;
    try {
      rule.check(context, reporter(diagnostics, rule.meta.id, severity));
    } catch (error) {
      // One broken rule must not hide the others' findings.
      diagnostics.push({
        rule: INTERNAL_ERROR,
        severity: 'error',
        span: { start: 0, end: 0 },
        message: `Mergewise's ${rule.meta.id} check failed on this file (${error instanceof Error ? error.message : String(error)}); the other checks ran. Please report this.`,
      });
    }
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { scan, resolutions, purposes: context.purposes, diagnostics, context };
}

/** The problems of `mergewise.json` itself: structure, then the rules that run on it (`SCHEMA_RULES`). */
export function analyzeSchema(loaded: SchemaLoadResult, overrides?: SeverityOverrides): Diagnostic[] {
  const diagnostics = [...loaded.diagnostics];
  for (const rule of SCHEMA_RULES) {
    const severity = severityFor(rule.meta.id, rule.meta.defaultSeverity, loaded.schema, overrides);
    if (!severity) continue;
    try {
      for (const finding of rule.check(loaded.schema)) {
        diagnostics.push({ ...finding, message: readableMessage(finding.message), rule: rule.meta.id, severity });
      }
    } catch (error) {
      diagnostics.push({
        rule: INTERNAL_ERROR,
        severity: 'error',
        span: { start: 0, end: 0 },
        message: `Mergewise's ${rule.meta.id} check failed on mergewise.json (${error instanceof Error ? error.message : String(error)}); the other checks ran. Please report this.`,
      });
    }
  }
  return diagnostics.sort((a, b) => a.span.start - b.span.start);
}

/** Each use's field, resolved once per distinct path: a large template names the same fields thousands of times. */
export function resolveUses(schema: Schema, dialect: DialectId, uses: FieldUse[]): Resolution[] {
  const byPath = new Map<string, Resolution>();
  return uses.map((use) => {
    let resolution = byPath.get(use.path);
    if (!resolution) byPath.set(use.path, (resolution = resolveField(schema, dialect, use.path)));
    return resolution;
  });
}

/**
 * Builds each diagnostic once from the parts a rule reports, keys in the order rule, severity,
 * message, span, field, tags, data, and only those that are defined. The common shapes are written
 * as literals, so that each object is made at its final size: findings in a dozen shapes, copied
 * with `{ ...finding }`, were a sixth of the analysis of large templates, and a finding object per
 * diagnostic then copied field by field was garbage made while every result so far is live.
 */
function reporter(diagnostics: Diagnostic[], rule: RuleId, ruleSeverity: Severity): Report {
  return (span: Span, message: string, field?: string, data?: DiagnosticData, tags?: DiagnosticTag[], lowered?: Severity) => {
    const severity = lowered !== undefined && SEVERITY_RANK[lowered] > SEVERITY_RANK[ruleSeverity] ? lowered : ruleSeverity;
    if (tags === undefined) {
      if (field === undefined) {
        if (data === undefined) diagnostics.push({ rule, severity, message, span });
        else diagnostics.push({ rule, severity, message, span, data });
      } else if (data === undefined) {
        diagnostics.push({ rule, severity, message, span, field });
      } else {
        diagnostics.push({ rule, severity, message, span, field, data });
      }
      return;
    }
    const diagnostic: Diagnostic = { rule, severity, message, span };
    if (field !== undefined) diagnostic.field = field;
    diagnostic.tags = tags;
    if (data !== undefined) diagnostic.data = data;
    diagnostics.push(diagnostic);
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function severityFor(id: RuleId, fallback: Severity, schema: Schema | undefined, overrides: SeverityOverrides | undefined): Severity | undefined {
  const setting = schema?.rules[id] ?? overrides?.[id] ?? fallback;
  return setting === 'off' ? undefined : setting;
}
