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
    for (const group of context.scan.branchGroups) {
      const bodies = group.branches.map((branch) => branch.body);
      for (let later = 1; later < bodies.length; later++) {
        for (let earlier = 0; earlier < later; earlier++) {
          if (!sameContent(text, bodies[earlier], bodies[later])) continue;
          const tag = text.slice(group.branches[later].tagSpan.start, group.branches[later].tagSpan.end);
          const line = lineOf(text, group.branches[earlier].tagSpan.start) + 1;
          report({
            span: group.branches[later].tagSpan,
            message:
              `The branch ${'`'}${tag.length > 60 ? `${tag.slice(0, 57)}…` : tag}${'`'} renders the same content as the branch on line ${line}: ` +
              'recipients in both segments read the same email, so the condition personalizes nothing. Give each segment its own content, or merge the branches.',
          });
          break;
        }
      }
    }
  },
};

/** Same text once runs of whitespace are collapsed. Cheap length check first: branches can be large. */
function sameContent(text: string, a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const lengthA = a.end - a.start;
  const lengthB = b.end - b.start;
  if (Math.max(lengthA, lengthB) > 4 * Math.min(lengthA, lengthB) + 16) return false;
  return normalize(text.slice(a.start, a.end)) === normalize(text.slice(b.start, b.end));
}

function normalize(body: string): string {
  return body.replace(/\s+/g, ' ').trim();
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
