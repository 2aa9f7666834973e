import type { Diagnostic } from '../model';
import type { Schema } from '../schema/types';
import type { Finding, Fixes, Rule, RuleMeta } from './rule';
import { syntaxError } from './syntax-error';
import { unknownField } from './unknown-field';
import { missingFallback } from './missing-fallback';
import { subjectFallback } from './subject-fallback';
import { brokenLinkField } from './broken-link-field';
import { unencodedUrlField } from './unencoded-url-field';
import { unescapedField } from './unescaped-field';
import { quadrantExpectedUnhelpful, quadrantUnexpectedHelpful, quadrantUnexpectedUnhelpful } from './quadrants';
import { sensitiveData } from './sensitive-data';
import { staleData } from './stale-data';
import { deprecatedField } from './deprecated-field';
import { typeMismatch } from './type-mismatch';
import { duplicateBranches } from './duplicate-branches';
import { rareBranch } from './rare-branch';
import { checkPurposes, purposeIncompleteMeta } from './purpose-incomplete';
import { checkSchemaProposals, schemaProposalFixes, schemaProposalMeta } from './schema-proposal';
import { unknownPartial } from './unknown-partial';
import { partialCycle } from './partial-cycle';
import { partialParameter } from './partial-parameter';
import { RULE_IDS } from '../model';

/** Rules that run on each template, in the order of the README's rule table. */
export const TEMPLATE_RULES: Rule[] = [
  syntaxError,
  unknownField,
  missingFallback,
  subjectFallback,
  brokenLinkField,
  unencodedUrlField,
  unescapedField,
  quadrantUnexpectedUnhelpful,
  quadrantUnexpectedHelpful,
  quadrantExpectedUnhelpful,
  sensitiveData,
  staleData,
  deprecatedField,
  typeMismatch,
  duplicateBranches,
  rareBranch,
  unknownPartial,
  partialCycle,
  partialParameter,
];

/** A rule that runs on `mergewise.json` itself rather than on a template. */
export interface SchemaRule {
  meta: RuleMeta;
  check(schema: Schema): Finding[];
  /** The edits that resolve one of its findings, in the current text of `mergewise.json`. */
  fixes?(text: string, diagnostic: Diagnostic): Fixes;
}

/** Rules that run on `mergewise.json`, after its own structural checks. */
export const SCHEMA_RULES: SchemaRule[] = [
  { meta: purposeIncompleteMeta, check: checkPurposes },
  { meta: schemaProposalMeta, check: checkSchemaProposals, fixes: schemaProposalFixes },
];

/** Every rule, for documentation and settings. */
export const ALL_RULES: RuleMeta[] = [...TEMPLATE_RULES, ...SCHEMA_RULES].map((rule) => rule.meta).sort(
  (a, b) => order(a.id) - order(b.id));

function order(id: (typeof RULE_IDS)[number]): number {
  return RULE_IDS.indexOf(id);
}
