import { code, fallbackHint, knownFieldUses, type Rule } from './rule';

export const staleData: Rule = {
  meta: {
    id: 'stale-data',
    defaultSeverity: 'warning',
    summary: 'A field with maxAgeDays used without a fallback or guard: an outdated value would be shown as fact.',
    needsSchema: true,
  },
  check(context, report) {
    for (const { use, field } of knownFieldUses(context)) {
      if (field.maxAgeDays === undefined || use.context !== 'output' || use.fallback !== null || use.guarded) continue;
      report({
        span: use.span,
        field: field.path,
        message:
          `${code(use.written)} goes out of date after ${field.maxAgeDays} days: a recipient whose data is older would read a stale value as if it were current. ` +
          `Add ${fallbackHint(context, use, field)}, or show it only inside a conditional, so the copy still reads well when the value is dropped.`,
        data: { fallback: field.fallback ?? null },
      });
    }
  },
};
