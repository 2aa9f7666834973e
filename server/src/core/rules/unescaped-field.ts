import { OUTPUT_ENCODINGS } from '../dialects/common/output-encoding';
import { code, findingUse, knownFieldUses, NO_FIXES, type Rule } from './rule';

export const unescapedField: Rule = {
  meta: {
    id: 'unescaped-field',
    defaultSeverity: 'warning',
    summary: 'Data the recipient supplied written without HTML escaping: HTML injection into the email and its web view.',
    needsSchema: true,
  },
  check(context, report) {
    const encoding = OUTPUT_ENCODINGS[context.dialect.id];
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      // Only what a person typed in or did: declared and observed data. Transactional and inferred
      // values come from the business's own systems.
      if (use.context !== 'output' || (field.source !== 'declared' && field.source !== 'observed')) continue;
      const unescaped = encoding.unescaped(context.text, use);
      if (!unescaped) continue;
      report(
        use.span,
        `${code(use.written)} is written with ${code(unescaped.written)}, without HTML escaping, and its value comes from outside ` +
          `(${field.source === 'declared' ? 'typed in by the recipient' : 'observed from what the recipient did or sent'}): a value such as \`<a href="https://evil.example">Verify your account</a>\` becomes live HTML ` +
          `in the email and its web view. Write ${code(unescaped.escapedForm)}.`,
        field.path,
      );
    }
  },
  fixes(context, diagnostic) {
    const found = findingUse(context, diagnostic);
    const unescaped = found && OUTPUT_ENCODINGS[context.dialect.id].unescaped(context.text, found.use);
    if (!unescaped?.edit) return NO_FIXES;
    // Offered, never applied unasked: escaping changes what a value that holds HTML shows, and a
    // person should decide that the value is text (`check --fix` leaves it).
    return { suggestions: [{ title: `Escape it: ${unescaped.escapedForm}`, edits: [unescaped.edit] }] };
  },
};
