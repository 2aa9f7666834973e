/**
 * A finding's fixes, asked of the rule that reported it, and the safe ones applied to a text: by
 * fix-all in the editor and by `mergewise check --fix`. The rules own their edits (each rule's
 * `fixes`); nothing here knows one rule from another.
 */
import type { TemplateAnalysis } from './analyze';
import type { TextEdit } from './dialects/dialect';
import type { Diagnostic } from './model';
import { SCHEMA_RULES, TEMPLATE_RULES } from './rules';
import { NO_FIXES, type Fix, type Fixes } from './rules/rule';

export type { Fix, Fixes };

const RULES_BY_ID = new Map(TEMPLATE_RULES.map((rule) => [rule.meta.id as string, rule]));

/** What resolves one finding of the analysis: built now, from the rule that reported it. */
export function fixesFor(analysis: TemplateAnalysis, diagnostic: Diagnostic): Fixes {
  return RULES_BY_ID.get(diagnostic.rule)?.fixes?.(analysis.context, diagnostic) ?? NO_FIXES;
}

const SCHEMA_RULES_BY_ID = new Map(SCHEMA_RULES.map((rule) => [rule.meta.id as string, rule]));

/** What resolves one finding in `mergewise.json`, given the file's current text: built now, from the rule that reported it. */
export function schemaFixesFor(text: string, diagnostic: Diagnostic): Fixes {
  return SCHEMA_RULES_BY_ID.get(diagnostic.rule)?.fixes?.(text, diagnostic) ?? NO_FIXES;
}

/** The finding of the analysis (a template's, or `mergewise.json`'s findings) with this rule and span, if it still has it. */
export function findingAt(analysis: Pick<TemplateAnalysis, 'diagnostics'>, rule: string, start: number, end?: number): Diagnostic | undefined {
  return analysis.diagnostics.find((d) => d.rule === rule && d.span.start === start && (end === undefined || d.span.end === end));
}

/** Every safe fix of the analysis, in text order. */
export function safeFixes(analysis: TemplateAnalysis): Fix[] {
  const fixes: Fix[] = [];
  for (const diagnostic of analysis.diagnostics) {
    const fix = fixesFor(analysis, diagnostic).fix;
    if (fix) fixes.push(fix);
  }
  return fixes;
}

/**
 * As many of the fixes as apply together: a fix whose edits overlap one already taken waits for a
 * later pass, on the text the first made. Two insertions at the same offset count as overlapping,
 * since their order would be a guess. Each fix's edits are taken whole or not at all.
 */
export function compatibleFixes(fixes: Fix[]): { taken: Fix[]; deferred: Fix[] } {
  const taken: Fix[] = [];
  const deferred: Fix[] = [];
  const claimed: TextEdit[] = [];
  for (const fix of fixes) {
    if (fix.edits.some((edit) => claimed.some((other) => overlaps(edit, other)))) {
      deferred.push(fix);
    } else {
      taken.push(fix);
      claimed.push(...fix.edits);
    }
  }
  return { taken, deferred };
}

/** The text with the edits made; they must not overlap. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let result = '';
  let at = 0;
  for (const edit of sorted) {
    result += text.slice(at, edit.span.start) + edit.newText;
    at = edit.span.end;
  }
  return result + text.slice(at);
}

export interface FixOutcome {
  text: string;
  /** The fixes made, pass by pass. */
  applied: Fix[];
  passes: number;
  /** False when safe fixes were still left after the last pass allowed. */
  settled: boolean;
}

/** Passes allowed before fixing stops: each pass applies every fix that does not overlap another. */
export const MAX_FIX_PASSES = 10;

/**
 * Applies the safe fixes of `text` over repeated passes, each on a fresh analysis of the text the
 * last one made, until none is left or the pass limit is reached.
 */
export function fixText(text: string, analyze: (text: string) => TemplateAnalysis, maxPasses = MAX_FIX_PASSES): FixOutcome {
  const applied: Fix[] = [];
  let current = text;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const { taken } = compatibleFixes(safeFixes(analyze(current)));
    if (taken.length === 0) return { text: current, applied, passes: pass - 1, settled: true };
    current = applyEdits(current, taken.flatMap((fix) => fix.edits));
    applied.push(...taken);
  }
  return { text: current, applied, passes: maxPasses, settled: safeFixes(analyze(current)).length === 0 };
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  const bothInsertions = a.span.start === a.span.end && b.span.start === b.span.end;
  return bothInsertions ? a.span.start === b.span.start : a.span.start < b.span.end && b.span.start < a.span.end;
}
