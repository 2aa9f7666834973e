import picomatch from 'picomatch';
import type { QuadrantId } from '../../../protocol/src/quadrants';
import type { PurposeDirective } from './dialects/dialect';
import { isCompletePurpose, isExpected, type FieldSpec, type Purpose, type Schema } from './schema/types';

export type Quadrant = QuadrantId;

const matchers = new Map<string, (path: string) => boolean>();
/** Matchers kept; each edit of a glob in mergewise.json makes a new one. */
const MAX_MATCHERS = 1000;

/*
 * Globs match through regular expressions, whose backtracking grows with a power of the number of
 * stars: `*a*a*a*a*a*b` took seconds against one long file name, four `**` twenty seconds against a
 * deep path, and picomatch throws on patterns over 64 KB. Globs past these bounds match nothing (the
 * schema loader says why), and neither do paths deeper or longer than any template's.
 */
const MAX_GLOB_LENGTH = 1000;
const MAX_GLOBSTARS = 2;
const MAX_STARS_PER_SEGMENT = 2;
const MAX_PATH_SEGMENTS = 64;
const MAX_PATH_LENGTH = 1024;

/** Why a glob is too complex to match safely; undefined when it is fine. */
export function globProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `it is longer than ${MAX_GLOB_LENGTH} characters`;
  const segments = glob.split('/');
  if (segments.filter((segment) => segment === '**').length > MAX_GLOBSTARS) return `it has more than ${MAX_GLOBSTARS} \`**\``;
  if (segments.some((segment) => segment !== '**' && (segment.match(/\*+/g)?.length ?? 0) > MAX_STARS_PER_SEGMENT)) {
    return `a part of it between slashes has more than ${MAX_STARS_PER_SEGMENT} \`*\``;
  }
  return undefined;
}

/** Matches a path relative to the schema's folder (with `/` separators) against a glob. */
export function matchesGlob(glob: string, relativePath: string): boolean {
  let matcher = matchers.get(glob);
  if (!matcher) {
    if (matchers.size >= MAX_MATCHERS) matchers.clear();
    matcher = globProblem(glob) ? () => false : compileGlob(glob);
    matchers.set(glob, matcher);
  }
  if (relativePath.length > MAX_PATH_LENGTH || relativePath.split('/').length > MAX_PATH_SEGMENTS) return false;
  return matcher(relativePath);
}

function compileGlob(glob: string): (path: string) => boolean {
  try {
    // No extglobs and no regular-expression quantifiers: `+(a|aa)` backtracks exponentially.
    return picomatch(glob, { dot: true, noextglob: true, regex: false });
  } catch {
    return () => false;
  }
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

/** The field's quadrant in a template with these purposes, and the ids of those that cover it: the one place this is worked out. */
export function fieldQuadrant(field: FieldSpec, templatePurposes: Purpose[]): { quadrant: Quadrant | undefined; purposes: string[] } {
  const covering = templatePurposes.filter((purpose) => purposeCoversField(purpose, field.path));
  return { quadrant: quadrantOf(field, covering), purposes: covering.map((purpose) => purpose.id) };
}

/** The quadrant of a field's use, or undefined when the schema does not say where the field came from. */
export function quadrantOf(field: FieldSpec, coveringPurposes: Purpose[]): Quadrant | undefined {
  const expected = isExpected(field);
  if (expected === undefined) return undefined;
  const helpful = coveringPurposes.length > 0;
  if (expected) return helpful ? 'expected-helpful' : 'expected-unhelpful';
  return helpful ? 'unexpected-helpful' : 'unexpected-unhelpful';
}
