/**
 * What a field's name suggests about where its value comes from and how sensitive it is. A name is
 * evidence, not a decision: `init` never writes these as a field's `source` or `sensitivity`, only in
 * its `description`, marked with `PROPOSAL_MARKER`, for a person to confirm (the `schema-proposal`
 * rule finds the marker). Until then the quadrant rules treat the field as having no source.
 */
import type { Sensitivity, Source } from '../schema/types';

/** The text that marks a proposal in a field's `description`. Other modules import it from here. */
export const PROPOSAL_MARKER = 'proposed: review';

export interface Proposal {
  source?: { value: Source; why: string };
  sensitivity?: { value: Sensitivity; why: string };
}

/** The lower-case words of a path: `customer.predictedChurnScore` → customer, predicted, churn, score. */
export function words(path: string): string[] {
  return path
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const INFERRED: [RegExp, string][] = [
  [/^(?:\w+_)?score$|^scores?$/, 'name looks like a model score'],
  [/^predicted$|^prediction$/, 'name says it is predicted'],
  [/^propensity$/, 'name says it is a propensity'],
  [/^segments?$/, 'name says it is a segment'],
  [/^personas?$/, 'name says it is a persona'],
];
const OBSERVED: [RegExp, string][] = [
  [/^browse|^browsing$/, 'name looks like browsing behaviour'],
  [/^clicked|^clicks?$/, 'name looks like a recorded click'],
  [/^abandoned$/, 'name looks like an abandoned cart or browse'],
];
const TRANSACTIONAL: [RegExp, string][] = [
  [/^orders?$|^order/, 'name looks like an order'],
  [/^invoices?$|^invoice/, 'name looks like an invoice'],
  [/^receipts?$|^receipt/, 'name looks like a receipt'],
];
const SPECIAL: [RegExp, string][] = [
  [/^income/, 'income'],
  [/^health|^medical$|^diagnos/, 'health'],
  [/^religio/, 'religion'],
  [/^ethnic/, 'ethnicity'],
  [/^political$|^politics$/, 'political opinion'],
  [/^biometric/, 'biometric data'],
];

/** Proposals for one field path, from its words; empty when the name suggests nothing. */
export function proposeFor(path: string): Proposal {
  const list = words(path);
  const proposal: Proposal = {};
  const find = (rules: [RegExp, string][]) => {
    for (const word of list) for (const [pattern, why] of rules) if (pattern.test(word)) return why;
    return undefined;
  };
  const joined = list.join(' ');
  // Order matters: what a model produced is unexpected whatever else the name says.
  const inferred = find(INFERRED);
  const observed = /\blast viewed\b/.test(joined) ? 'name looks like a recorded view' : find(OBSERVED);
  const transactional = find(TRANSACTIONAL);
  if (inferred) proposal.source = { value: 'inferred', why: inferred };
  else if (observed) proposal.source = { value: 'observed', why: observed };
  else if (transactional) proposal.source = { value: 'transactional', why: transactional };
  let special = find(SPECIAL);
  if (!special && /\bsexual orientation\b|\bsexuality\b|\borientation\b/.test(joined) && /sexual|orientation/.test(joined)) special = 'sexual orientation';
  if (!special && /\bunion (?:member|membership)\b|\btrade union\b/.test(joined)) special = 'union membership';
  if (special) proposal.sensitivity = { value: 'special-category', why: `name mentions ${special}` };
  return proposal;
}

/** The `description` a proposal is written as, with the marker first; undefined when there is none. */
export function proposalDescription(proposal: Proposal): string | undefined {
  const parts: string[] = [];
  if (proposal.source) parts.push(`source ${proposal.source.value} (${proposal.source.why})`);
  if (proposal.sensitivity) parts.push(`sensitivity ${proposal.sensitivity.value} (${proposal.sensitivity.why})`);
  return parts.length ? `${PROPOSAL_MARKER} — ${parts.join('; ')}` : undefined;
}
