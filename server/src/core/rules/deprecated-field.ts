import { code, knownFieldUses, type Rule } from './rule';

export const deprecatedField: Rule = {
  meta: {
    id: 'deprecated-field',
    defaultSeverity: 'warning',
    summary: 'A field that mergewise.json marks as deprecated.',
    needsSchema: true,
  },
  check(context, report) {
    for (const { use, field } of knownFieldUses(context)) {
      if (field.deprecated === undefined) continue;
      const advice = field.deprecated === 'deprecated' ? 'Use its replacement.' : `The schema says: ${field.deprecated}.`;
      report({
        span: use.span,
        field: field.path,
        tags: ['deprecated'],
        message: `${code(use.written)} is deprecated: it may stop being filled, and recipients would then get ${context.dialect.missingValueOutcome}. ${advice}`,
      });
    }
  },
};
