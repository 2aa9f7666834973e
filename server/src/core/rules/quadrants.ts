import { purposeCoversField, quadrantOf, QUADRANT_NAMES, type Quadrant } from '../purposes';
import type { RuleId, Severity } from '../model';
import type { FieldSpec, Purpose } from '../schema/types';
import { code, knownFieldUses, type Rule, type TemplateContext, type Finding } from './rule';

interface FieldQuadrant {
  quadrant: Quadrant | undefined;
  covering: string[];
}

const quadrantsCache = new WeakMap<TemplateContext, Map<FieldSpec, FieldQuadrant>>();

/**
 * The quadrant of each field used in the template, worked out once per field and shared by the three
 * quadrant rules: a large template uses the same few dozen fields thousands of times.
 */
function fieldQuadrants(context: TemplateContext): Map<FieldSpec, FieldQuadrant> {
  let byField = quadrantsCache.get(context);
  if (!byField) {
    byField = new Map();
    for (const { field } of knownFieldUses(context)) {
      if (byField.has(field)) continue;
      const covering = coveringPurposes(context.purposes, field.path);
      byField.set(field, { quadrant: quadrantOf(field, covering), covering: covering.map((purpose) => purpose.id) });
    }
    quadrantsCache.set(context, byField);
  }
  return byField;
}

function quadrantRule(quadrant: Quadrant, id: RuleId, defaultSeverity: Severity, summary: string,
  explain: (written: string, purposes: string[]) => string): Rule {
  return {
    meta: { id, defaultSeverity, summary, needsSchema: true },
    check(context: TemplateContext, report: (finding: Finding) => void) {
      const quadrants = fieldQuadrants(context);
      // One message per field and spelling, shared by every use written the same way: building a
      // fresh 250-character message for each of thousands of uses was most of this rule's cost.
      const messages = new Map<FieldSpec, Map<string, string>>();
      for (const { use, field } of knownFieldUses(context)) {
        if (use.context === 'argument') continue;
        const classified = quadrants.get(field) as FieldQuadrant;
        if (classified.quadrant !== quadrant) continue;
        let byWritten = messages.get(field);
        if (!byWritten) messages.set(field, (byWritten = new Map()));
        let message = byWritten.get(use.written);
        if (message === undefined) byWritten.set(use.written, (message = explain(code(use.written), classified.covering)));
        report({ span: use.span, field: field.path, message });
      }
    },
  };
}

/** The purposes that cover a field. */
function coveringPurposes(purposes: Purpose[], fieldPath: string): Purpose[] {
  return purposes.filter((purpose) => purposeCoversField(purpose, fieldPath));
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
