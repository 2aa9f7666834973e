import { fieldQuadrant, purposeCoversField, type Quadrant } from '../purposes';
import type { Diagnostic, RuleId, Severity } from '../model';
import { isCompletePurpose, type FieldSpec } from '../schema/types';
import { code, findingField, knownFieldUses, type Fixes, type Report, type Rule, type TemplateContext } from './rule';
import { QUADRANTS } from '../../../../protocol/src/quadrants';

interface QuadrantUses {
  /** Indexes into `knownFieldUses`, in order, of the uses in each quadrant. */
  byQuadrant: Map<Quadrant, number[]>;
  /** Ids of the purposes that cover each field here. */
  coveringIds: Map<FieldSpec, string[]>;
}

const NO_INDEXES: number[] = [];

const quadrantUsesCache = new WeakMap<TemplateContext, QuadrantUses>();

/**
 * The template's uses sorted into quadrants, shared by the three quadrant rules. Each field's
 * quadrant is worked out once: a large template uses the same few dozen fields thousands of times.
 */
function quadrantUses(context: TemplateContext): QuadrantUses {
  let sorted = quadrantUsesCache.get(context);
  if (!sorted) {
    sorted = { byQuadrant: new Map(), coveringIds: new Map() };
    const quadrants = new Map<FieldSpec, Quadrant | undefined>();
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      if (uses[i].context === 'argument') continue;
      const field = fields[i];
      if (!quadrants.has(field)) {
        const { quadrant, purposes } = fieldQuadrant(field, context.purposes);
        quadrants.set(field, quadrant);
        sorted.coveringIds.set(field, purposes);
      }
      const quadrant = quadrants.get(field);
      if (!quadrant) continue;
      let list = sorted.byQuadrant.get(quadrant);
      if (!list) sorted.byQuadrant.set(quadrant, (list = []));
      list.push(i);
    }
    quadrantUsesCache.set(context, sorted);
  }
  return sorted;
}

function quadrantRule(quadrant: Quadrant, id: RuleId, defaultSeverity: Severity, summary: string,
  explain: (written: string, purposes: string[]) => string): Rule {
  return {
    meta: { id, defaultSeverity, summary, needsSchema: true },
    check(context: TemplateContext, report: Report) {
      const { byQuadrant, coveringIds } = quadrantUses(context);
      // One message per field and spelling, shared by every use written the same way: building a
      // fresh 250-character message for each of thousands of uses was most of this rule's cost.
      const messages = new Map<FieldSpec, Map<string, string>>();
      const { uses, fields } = knownFieldUses(context);
      for (const index of byQuadrant.get(quadrant) ?? NO_INDEXES) {
        const use = uses[index];
        const field = fields[index];
        let byWritten = messages.get(field);
        if (!byWritten) messages.set(field, (byWritten = new Map()));
        let message = byWritten.get(use.written);
        if (message === undefined) {
          message = explain(code(use.written), coveringIds.get(field) as string[]);
          byWritten.set(use.written, message);
        }
        report(use.span, message, field.path);
      }
    },
    fixes: quadrant === 'unexpected-helpful' ? undefined : coverWithPurpose,
  };
}

/** Purposes that list the field but do not cover this template yet: a directive comment makes them cover it. */
function coverWithPurpose(context: TemplateContext, diagnostic: Diagnostic): Fixes {
  const field = findingField(context, diagnostic)?.field;
  if (!context.schema || !field) return { suggestions: [] };
  return {
    suggestions: [...context.schema.purposes.values()]
      .filter((purpose) => isCompletePurpose(purpose) && purposeCoversField(purpose, field.path))
      .map((purpose) => ({
        title: `Cover with purpose "${purpose.id}" (adds a directive comment)`,
        edits: [{ span: { start: 0, end: 0 }, newText: `${context.dialect.purposeDirective([purpose.id])}\n` }],
      })),
  };
}

export const quadrantUnexpectedUnhelpful = quadrantRule('unexpected-unhelpful', 'quadrant-unexpected-unhelpful', 'warning',
  'Unexpected (inferred or third-party) data with no purpose covering it: the surveillance quadrant.',
  (written) =>
    `${written} is data the recipient did not knowingly give you, and no purpose justifies it here (${QUADRANTS['unexpected-unhelpful'].name}): ` +
    'the recipient would wonder how you know and feel watched. Remove it, or add a purpose with a segment, tactic and metric that lists it and covers this template.');

export const quadrantUnexpectedHelpful = quadrantRule('unexpected-helpful', 'quadrant-unexpected-helpful', 'information',
  'Unexpected data, covered by a purpose: it can delight, if the hypothesis holds.',
  (written, purposes) =>
    `${written} is data the recipient did not knowingly give you, used for ${purposes.map((p) => `"${p}"`).join(', ')} (${QUADRANTS['unexpected-helpful'].name}): ` +
    'it can feel like a welcome surprise if it helps them. Check that the purpose\'s metric is being measured.');

export const quadrantExpectedUnhelpful = quadrantRule('expected-unhelpful', 'quadrant-expected-unhelpful', 'hint',
  'Expected data with no purpose: personalization for its own sake.',
  (written) =>
    `${written} is data the recipient expects you to have, but no purpose covers its use here (${QUADRANTS['expected-unhelpful'].name}): ` +
    'it shows you know them without helping them. Add a purpose that lists it, or drop it if it adds nothing.');
