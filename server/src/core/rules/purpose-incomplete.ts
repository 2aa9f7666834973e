import type { RuleMeta, Finding } from './rule';
import type { Schema } from '../schema/types';

export const purposeIncompleteMeta: RuleMeta = {
  id: 'purpose-incomplete',
  defaultSeverity: 'warning',
  summary: 'In mergewise.json: a purpose lacks its segment, tactic or metric, so it justifies nothing.',
  needsSchema: true,
};

const PART_MEANING = {
  segment: 'who it is for',
  tactic: 'what changes in the email',
  metric: 'how success is measured',
} as const;

/** Runs on `mergewise.json` itself rather than on a template. */
export function checkPurposes(schema: Schema): Finding[] {
  const findings: Finding[] = [];
  for (const purpose of schema.purposes.values()) {
    const missing = (['segment', 'tactic', 'metric'] as const).filter((part) => !purpose[part]?.trim());
    if (missing.length === 0) continue;
    findings.push({
      span: purpose.keySpan,
      message:
        `Purpose "${purpose.id}" has no ${missing.join(', ')}, so it is not a testable hypothesis and covers no field: ` +
        `recipients would get its fields with nothing to justify them. ` +
        `Add ${missing.map((part) => `"${part}" (${PART_MEANING[part]})`).join(' and ')}.`,
    });
  }
  return findings;
}
