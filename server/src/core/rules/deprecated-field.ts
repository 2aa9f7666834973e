import { code, knownFieldUses, type Rule } from './rule';

export const deprecatedField: Rule = {
  meta: {
    id: 'deprecated-field',
    defaultSeverity: 'warning',
    summary: 'A field that mergewise.json marks as deprecated.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (field.deprecated === undefined) continue;
      const advice = field.deprecated === 'deprecated' ? 'Use its replacement.' : `The schema says: ${field.deprecated}.`;
      report(use.span,
        `${code(use.written)} is deprecated: it may stop being filled, and recipients would then get ${context.dialect.missingValueOutcome}. ${advice}`,
        field.path,
        undefined,
        ['deprecated']);
    }
  },
};
