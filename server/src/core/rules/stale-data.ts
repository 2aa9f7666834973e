import { code, fallbackFix, fallbackHint, knownFieldUses, NO_FIXES, type Rule } from './rule';

export const staleData: Rule = {
  meta: {
    id: 'stale-data',
    defaultSeverity: 'warning',
    summary: 'A field with maxAgeDays used without a fallback or guard: an outdated value would be shown as fact.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (field.maxAgeDays === undefined || use.context !== 'output' || use.fallback !== null || use.guarded) continue;
      report(use.span,
        `${code(use.written)} goes out of date after ${field.maxAgeDays} days: a recipient whose data is older would read a stale value as if it were current. ` +
        `Add ${fallbackHint(context, use, field)}, or show it only inside a conditional, so the copy still reads well when the value is dropped.`,
        field.path,
        { fallback: field.fallback ?? null });
    }
  },
  fixes(context, diagnostic) {
    // A fallback covers a missing value, not an old one: offered, not applied unasked.
    const added = fallbackFix(context, diagnostic);
    return added ? { suggestions: [added.fix] } : NO_FIXES;
  },
};
