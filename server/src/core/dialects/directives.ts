import type { PurposeDirective } from './dialect';

const DIRECTIVE = /mergewise\s+purposes?\s*:\s*([\w.-]+(?:\s*,\s*[\w.-]+)*)/gi;

/** Finds `mergewise purpose: a, b` in the text of a comment that starts at `offset`. */
export function findPurposeDirectives(comment: string, offset: number, into: PurposeDirective[]): void {
  DIRECTIVE.lastIndex = 0;
  for (let match = DIRECTIVE.exec(comment); match; match = DIRECTIVE.exec(comment)) {
    const listStart = match.index + match[0].length - match[1].length;
    const idPattern = /[\w.-]+/g;
    for (let id = idPattern.exec(match[1]); id; id = idPattern.exec(match[1])) {
      const start = offset + listStart + id.index;
      into.push({ purpose: id[0], span: { start, end: start + id[0].length } });
    }
  }
}
