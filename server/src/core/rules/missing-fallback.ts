import { code, fallbackHint, knownFieldUses, type Rule } from './rule';

export const missingFallback: Rule = {
  meta: {
    id: 'missing-fallback',
    defaultSeverity: 'warning',
    summary: 'No fallback and no guarding conditional: blank or broken copy for recipients without the value.',
    needsSchema: true,
  },
  check(context, report) {
    for (const { use, field } of knownFieldUses(context)) {
      if (use.context !== 'output' || use.fallback !== null || use.guarded || field.required) continue;
      report({
        span: use.span,
        field: field.path,
        message:
          `${code(use.written)} has no fallback: a recipient without it would see ${context.dialect.missingValueOutcome}. ` +
          `Add ${fallbackHint(context, use, field)}` +
          (field.fallback === undefined ? ' with a sensible default' : ' (the schema\'s fallback)') +
          ', or show it only inside a conditional that checks it has a value.',
        data: { fallback: field.fallback ?? null },
      });
    }
  },
};
