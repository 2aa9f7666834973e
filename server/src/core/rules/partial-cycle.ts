import { MAX_INCLUDE_DEPTH } from '../partials/limits';
import { code, type Rule } from './rule';

export const partialCycle: Rule = {
  meta: {
    id: 'partial-cycle',
    defaultSeverity: 'error',
    summary: `Partials that include each other in a loop, or a chain of includes deeper than ${MAX_INCLUDE_DEPTH}.`,
    needsSchema: false,
  },
  check(context, report) {
    for (const { site, cycle, tooDeep } of context.includes) {
      if (cycle) {
        const loop = cycle.length === 1 ? 'the file includes itself' : `${cycle.map(code).join(' → ')} leads back here`;
        report(site.tagSpan,
          `Including ${code(site.name ?? '')} never ends: ${loop}. The platform refuses to render it, or stops at its own depth limit. ` +
          'Remove the include that closes the loop.');
      } else if (tooDeep) {
        report(site.tagSpan,
          `The partials ${code(site.name ?? '')} pulls in nest more than ${MAX_INCLUDE_DEPTH} deep: Mergewise stops following them there, ` +
          'and most platforms refuse to render so deep a chain.');
      }
    }
  },
};
