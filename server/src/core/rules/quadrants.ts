import { purposeCoversField, quadrantOf, QUADRANT_NAMES, type Quadrant } from '../purposes';
import type { RuleId, Severity } from '../model';
import { isExpected, type Purpose } from '../schema/types';
import { code, knownFieldUses, type Rule, type TemplateContext, type Finding } from './rule';

function quadrantRule(quadrant: Quadrant, id: RuleId, defaultSeverity: Severity, summary: string,
  explain: (written: string, purposes: string[]) => string): Rule {
  const expected = quadrant === 'expected-helpful' || quadrant === 'expected-unhelpful';
  return {
    meta: { id, defaultSeverity, summary, needsSchema: true },
    check(context: TemplateContext, report: (finding: Finding) => void) {
      for (const [use, field] of knownFieldUses(context)) {
        if (use.context === 'argument') continue;
        // Cheap first: a field of the other kind of data (or of unknown source) is not in this quadrant.
        if (isExpected(field) !== expected) continue;
        const covering = coveringPurposes(context.purposes, field.path);
        if (quadrantOf(field, covering) !== quadrant) continue;
        report({ span: use.span, field: field.path, message: explain(code(use.written), covering.map((p) => p.id)) });
      }
    },
  };
}

const NO_PURPOSES: Purpose[] = [];

/** The purposes that cover a field; most uses have none, and then no list is allocated. */
function coveringPurposes(purposes: Purpose[], fieldPath: string): Purpose[] {
  let covering: Purpose[] | undefined;
  for (const purpose of purposes) {
    if (purposeCoversField(purpose, fieldPath)) (covering ??= []).push(purpose);
  }
  return covering ?? NO_PURPOSES;
}

export const quadrantUnexpectedUnhelpful = quadrantRule('unexpected-unhelpful', 'quadrant-unexpected-unhelpful', 'warning',
  'Unexpected (inferred or third-party) data with no purpose covering it: the surveillance quadrant.',
  (written) =>
    `${written} is data the recipient did not knowingly give you, and no purpose justifies it here (${QUADRANT_NAMES['unexpected-unhelpful']}): ` +
    'the recipient would wonder how you know and feel watched. Remove it, or add a purpose with a segment, tactic and metric that lists it and covers this template.');

export const quadrantUnexpectedHelpful = quadrantRule('unexpected-helpful', 'quadrant-unexpected-helpful', 'information',
  'Unexpected data, covered by a purpose: it can delight, if the hypothesis holds.',
  (written, purposes) =>
    `${written} is data the recipient did not knowingly give you, used for ${purposes.map((p) => `"${p}"`).join(', ')} (${QUADRANT_NAMES['unexpected-helpful']}): ` +
    'it can feel like a welcome surprise if it helps them. Check that the purpose\'s metric is being measured.');

export const quadrantExpectedUnhelpful = quadrantRule('expected-unhelpful', 'quadrant-expected-unhelpful', 'hint',
  'Expected data with no purpose: personalization for its own sake.',
  (written) =>
    `${written} is data the recipient expects you to have, but no purpose covers its use here (${QUADRANT_NAMES['expected-unhelpful']}): ` +
    'it shows you know them without helping them. Add a purpose that lists it, or drop it if it adds nothing.');
