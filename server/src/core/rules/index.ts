import type { Rule, RuleMeta } from './rule';
import { syntaxError } from './syntax-error';
import { unknownField } from './unknown-field';
import { missingFallback } from './missing-fallback';
import { quadrantExpectedUnhelpful, quadrantUnexpectedHelpful, quadrantUnexpectedUnhelpful } from './quadrants';
import { sensitiveData } from './sensitive-data';
import { staleData } from './stale-data';
import { deprecatedField } from './deprecated-field';
import { typeMismatch } from './type-mismatch';
import { duplicateBranches } from './duplicate-branches';
import { purposeIncompleteMeta } from './purpose-incomplete';
import { unknownPartial } from './unknown-partial';
import { partialCycle } from './partial-cycle';
import { partialParameter } from './partial-parameter';
import { RULE_IDS } from '../model';

/** Rules that run on each template, in the order of the README's rule table. */
export const TEMPLATE_RULES: Rule[] = [
  syntaxError,
  unknownField,
  missingFallback,
  quadrantUnexpectedUnhelpful,
  quadrantUnexpectedHelpful,
  quadrantExpectedUnhelpful,
  sensitiveData,
  staleData,
  deprecatedField,
  typeMismatch,
  duplicateBranches,
  unknownPartial,
  partialCycle,
  partialParameter,
];

/** Every rule, for documentation and settings. */
export const ALL_RULES: RuleMeta[] = [...TEMPLATE_RULES.map((rule) => rule.meta), purposeIncompleteMeta].sort(
  (a, b) => order(a.id) - order(b.id));

function order(id: (typeof RULE_IDS)[number]): number {
  return RULE_IDS.indexOf(id);
}
