import { describeInboxLine, findInboxLines, inboxLineAt, lineWithout, type InboxLine } from '../inbox-lines';
import type { DiagnosticData, Span } from '../model';
import type { FieldSpec } from '../schema/types';
import { fallbackAdvice, fallbackFixes, knownFieldUses, usedAs, type Rule, type TemplateContext } from './rule';

/**
 * `missing-fallback` where it hurts most: in the subject line or the preheader, which the inbox
 * shows before the email is opened. An error by default. A use there is reported by this rule
 * instead of `missing-fallback` (one finding per use, never both).
 */
export const subjectFallback: Rule = {
  meta: {
    id: 'subject-fallback',
    defaultSeverity: 'error',
    summary: 'A field in the subject line or preheader with no fallback and no guard: the inbox shows the gap.',
    needsSchema: true,
  },
  check(context, report) {
    const lines = inboxLinesOf(context);
    if (lines.length === 0) return;
    const { uses, fields } = knownFieldUses(context);
    const data = new Map<FieldSpec, DiagnosticData>();
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (use.context !== 'output' || use.fallback !== null || use.guarded || field.required) continue;
      const line = inboxLineAt(lines, use.tagSpan);
      if (!line) continue;
      const hint = fallbackAdvice(context, use, field, ' with a sensible default');
      const message =
        `${usedAs(use, field)} has no fallback in ${describeInboxLine(line)}: ` +
        `the inbox would show '${lineWithout(context.text, line, use.tagSpan)}' to a recipient without it. ` +
        `Add ${hint}, ` +
        'or write the line inside a conditional that checks it has a value.';
      let fieldData = data.get(field);
      if (!fieldData) data.set(field, (fieldData = { fallback: field.fallback ?? null }));
      report(use.span, message, field.path, fieldData);
    }
  },
  // The same fallback `missing-fallback` offers, in the dialect's own syntax.
  fixes: fallbackFixes,
};

const linesCache = new WeakMap<TemplateContext, InboxLine[]>();

/** The template's subject and preheader lines, found once per analysis (or given, for a subject in mergewise.json). */
export function inboxLinesOf(context: TemplateContext): InboxLine[] {
  if (context.inboxLines) return context.inboxLines;
  let lines = linesCache.get(context);
  if (!lines) linesCache.set(context, (lines = findInboxLines(context.text)));
  return lines;
}

/** Whether a tag is in the subject line or preheader: `subject-fallback`'s, not `missing-fallback`'s. */
export function inInboxLine(context: TemplateContext, tagSpan: Span): boolean {
  const lines = inboxLinesOf(context);
  return lines.length > 0 && inboxLineAt(lines, tagSpan) !== undefined;
}
