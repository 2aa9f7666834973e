import { LineIndex } from '../positions';
import type { Rule } from './rule';

export const duplicateBranches: Rule = {
  meta: {
    id: 'duplicate-branches',
    defaultSeverity: 'information',
    summary: 'Conditional branches with identical content: segments that get no different content.',
    needsSchema: false,
  },
  check(context, report) {
    const { text } = context;
    // Made on the first finding: counting lines from the start of the text for each finding was
    // quadratic in a large template with many of them.
    let lines: LineIndex | undefined;
    for (const group of context.scan.branchGroups) {
      const bodies = group.branches.map((branch) => branch.body);
      for (let later = 1; later < bodies.length; later++) {
        for (let earlier = 0; earlier < later; earlier++) {
          if (!sameContent(text, bodies[earlier], bodies[later])) continue;
          const tag = text.slice(group.branches[later].tagSpan.start, group.branches[later].tagSpan.end);
          const line = (lines ??= new LineIndex(text)).positionAt(group.branches[earlier].tagSpan.start).line + 1;
          report(group.branches[later].tagSpan,
              `The branch ${'`'}${tag.length > 60 ? `${tag.slice(0, 57)}…` : tag}${'`'} renders the same content as the branch on line ${line}: ` +
              'recipients in both segments read the same email, so the condition personalizes nothing. Give each segment its own content, or merge the branches.');
          break;
        }
      }
    }
  },
};

/**
 * Same text once runs of whitespace are collapsed (and the ends trimmed), compared in place: branch
 * bodies can be large, and normalizing copies of them was a tenth of the analysis in profiles.
 * Cheap length check first.
 */
function sameContent(text: string, a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const lengthA = a.end - a.start;
  const lengthB = b.end - b.start;
  if (Math.max(lengthA, lengthB) > 4 * Math.min(lengthA, lengthB) + 16) return false;
  let i = skipWhitespace(text, a.start, a.end);
  let j = skipWhitespace(text, b.start, b.end);
  while (i < a.end && j < b.end) {
    const x = text.charCodeAt(i);
    const y = text.charCodeAt(j);
    const spaceX = isWhitespace(x);
    // One word ends where the other goes on.
    if (spaceX !== isWhitespace(y)) return false;
    if (spaceX) {
      i = skipWhitespace(text, i, a.end);
      j = skipWhitespace(text, j, b.end);
    } else {
      if (x !== y) return false;
      i++;
      j++;
    }
  }
  // One side is used up: the other may only have whitespace left.
  return skipWhitespace(text, i, a.end) === a.end && skipWhitespace(text, j, b.end) === b.end;
}

function skipWhitespace(text: string, from: number, end: number): number {
  while (from < end && isWhitespace(text.charCodeAt(from))) from++;
  return from;
}

/** Exactly the characters of the regular expression `\s` (and of `String#trim`). */
function isWhitespace(c: number): boolean {
  if (c > 32 && c < 0xa0) return false;
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
