import type { Rule } from './rule';

export const syntaxError: Rule = {
  meta: {
    id: 'syntax-error',
    defaultSeverity: 'error',
    summary: 'Malformed or unbalanced tag: raw merge syntax would reach the inbox.',
    needsSchema: false,
  },
  check(context, report) {
    for (const problem of context.scan.syntaxErrors) report(problem.span, problem.message);
  },
};
