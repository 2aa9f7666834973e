import picomatch from 'picomatch';
import type { PurposeDirective } from './dialects/dialect';
import { isCompletePurpose, isExpected, type FieldSpec, type Purpose, type Schema } from './schema/types';

export type Quadrant = 'expected-helpful' | 'expected-unhelpful' | 'unexpected-helpful' | 'unexpected-unhelpful';

/** Names from DESIGN.md section 2, as users read them in hovers and messages. */
export const QUADRANT_NAMES: Record<Quadrant, string> = {
  'expected-helpful': 'par for the course',
  'expected-unhelpful': 'self-centered flex',
  'unexpected-helpful': 'genuine delight',
  'unexpected-unhelpful': 'surveillance',
};

const matchers = new Map<string, (path: string) => boolean>();

/** Matches a path relative to the schema's folder (with `/` separators) against a glob. */
export function matchesGlob(glob: string, relativePath: string): boolean {
  let matcher = matchers.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, { dot: true });
    matchers.set(glob, matcher);
  }
  return matcher(relativePath);
}

/**
 * The purposes that apply to one template: complete hypotheses that match it by a `templates` glob
 * or by a directive in the template. Incomplete purposes justify nothing.
 */
export function purposesForTemplate(schema: Schema, relativePath: string, directives: PurposeDirective[]): Purpose[] {
  const named = new Set(directives.map((directive) => directive.purpose));
  return [...schema.purposes.values()].filter((purpose) =>
    isCompletePurpose(purpose) &&
    (named.has(purpose.id) || purpose.templates.some((glob) => matchesGlob(glob, relativePath))));
}

/** Whether a purpose lists the field, or a parent of it (`cart.items` covers `cart.items[].title`). */
export function purposeCoversField(purpose: Purpose, fieldPath: string): boolean {
  return purpose.fields.some((listed) =>
    fieldPath === listed || fieldPath.startsWith(`${listed}.`) || fieldPath.startsWith(`${listed}[]`));
}

/** The quadrant of a field's use, or undefined when the schema does not say where the field came from. */
export function quadrantOf(field: FieldSpec, coveringPurposes: Purpose[]): Quadrant | undefined {
  const expected = isExpected(field);
  if (expected === undefined) return undefined;
  const helpful = coveringPurposes.length > 0;
  if (expected) return helpful ? 'expected-helpful' : 'expected-unhelpful';
  return helpful ? 'unexpected-helpful' : 'unexpected-unhelpful';
}
