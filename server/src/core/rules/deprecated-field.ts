import { fieldMention } from '../schema/mention';
import { code, findingUse, knownFieldUses, NO_FIXES, writtenLike, type Rule } from './rule';

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
  fixes(context, diagnostic) {
    const found = findingUse(context, diagnostic);
    const schema = context.schema;
    if (!found?.field?.deprecated || !schema) return NO_FIXES;
    // The fields the deprecation note names ("use customer.first_name instead") that are not deprecated themselves.
    const note = found.field.deprecated;
    const replacements = [...schema.fields.values()].filter((field) =>
      field !== found.field && field.deprecated === undefined && fieldMention(field.path).test(note));
    return {
      suggestions: replacements.map((field) => {
        const written = writtenLike(found.use.written, found.use.path, field.aliases[context.dialect.id] ?? field.path);
        return { title: `Change to ${written}, as the schema advises`, edits: [{ span: found.use.span, newText: written }] };
      }),
    };
  },
};
