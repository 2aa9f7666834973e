import { rareBranches } from '../audience/editor';
import type { Rule } from './rule';

export const rareBranch: Rule = {
  meta: {
    id: 'rare-branch',
    defaultSeverity: 'information',
    summary: 'A conditional branch almost no recipient takes, by the audience snapshot (mergewise.audience.json).',
    needsSchema: true,
  },
  check(context, report) {
    for (const found of rareBranches(context.audience, context.dialect, context.text, context.scan)) report(found.span, found.message);
  },
};
