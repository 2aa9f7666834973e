import { blankCountText } from '../audience/editor';
import type { DiagnosticData } from '../model';
import type { FieldSpec } from '../schema/types';
import { breaksLink } from './broken-link-field';
import { FALLBACK_PLACEHOLDER, fallbackAdvice, fallbackFixes, knownFieldUses, usedAs, type Rule } from './rule';
import { inInboxLine } from './subject-fallback';

/** The placeholder as each dialect's fix writes it: quoted, between tags, or after `default=`. */
const PLACEHOLDER_LEFT = new RegExp(`(?<=['"}=*])${FALLBACK_PLACEHOLDER}(?=['"{}*])`, 'g');

export const missingFallback: Rule = {
  meta: {
    id: 'missing-fallback',
    defaultSeverity: 'warning',
    summary: 'No fallback and no guarding conditional: blank or broken copy for recipients without the value.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    // One message per field, hint and spelling, and one `data` per field, shared by every use that
    // reads the same: a large template repeats the same tags thousands of times.
    const messages = new Map<FieldSpec, Map<string, Map<string, string>>>();
    const data = new Map<FieldSpec, DiagnosticData>();
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (use.context !== 'output' || use.fallback !== null || use.guarded || field.required) continue;
      // In the subject line or preheader: `subject-fallback` reports it, as an error.
      if (inInboxLine(context, use.tagSpan)) continue;
      // The address of a link or image: `broken-link-field` reports it, saying what breaks.
      if (breaksLink(context, use, field)) continue;
      const hint = fallbackAdvice(context, use, field, ' with a sensible default');
      let byHint = messages.get(field);
      if (!byHint) messages.set(field, (byHint = new Map()));
      let byWritten = byHint.get(hint);
      if (!byWritten) byHint.set(hint, (byWritten = new Map()));
      let message = byWritten.get(use.written);
      if (message === undefined) {
        message =
          `${usedAs(use, field)} has no fallback: a recipient without it would see ${context.dialect.missingValueOutcome}. ` +
          // From the field's fill rate in the audience snapshot: how many that is.
          withPeriod(blankCountText(context.audience, field.path)) +
          `Add ${hint}, or show it only inside a conditional that checks it has a value.`;
        byWritten.set(use.written, message);
      }
      let fieldData = data.get(field);
      if (!fieldData) data.set(field, (fieldData = { fallback: field.fallback ?? null }));
      report(use.span, message, field.path, fieldData);
    }
    // The placeholder the fix writes where the schema has no fallback, not replaced yet: it would reach recipients.
    if (!context.text.includes(FALLBACK_PLACEHOLDER)) return;
    for (const left of context.text.matchAll(PLACEHOLDER_LEFT)) {
      report({ start: left.index!, end: left.index! + FALLBACK_PLACEHOLDER.length },
        `The fallback placeholder ${FALLBACK_PLACEHOLDER} is still here: a recipient without the value would read "${FALLBACK_PLACEHOLDER}". Replace it with the text they should see.`);
    }
  },
  fixes: fallbackFixes,
};

function withPeriod(text: string | undefined): string {
  return text === undefined ? '' : `${text[0].toUpperCase()}${text.slice(1)}. `;
}
