import type { FieldUse, LoopScope, TemplateScan } from './dialects/dialect';
import { TAG_CLOSERS, TAG_OPENERS } from './dialects/registry';
import type { Span } from './model';

/** The use whose reference covers `offset` (its end counts, so a cursor just after a name finds it). */
export function useAt(scan: TemplateScan, offset: number): { use: FieldUse; index: number } | undefined {
  const { uses } = scan;
  // Uses are in text order within each dialect's scan; a linear pass is fast enough for one request.
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    if (use.span.start <= offset && offset <= use.span.end) return { use, index: i };
  }
  return undefined;
}

/** The innermost loop whose body contains `offset`. */
export function loopScopesAt(scan: TemplateScan, offset: number): LoopScope[] {
  return (scan.loopScopes ?? []).filter((scope) => scope.body.start <= offset && offset <= scope.body.end)
    .sort((a, b) => b.body.start - a.body.start);
}

export type CompletionContext =
  /** Typing a field path; `prefix` is what is typed so far (`customer.fi`), `span` what to replace. */
  | { kind: 'field'; prefix: string; span: Span; inOutput: boolean }
  | { kind: 'filter'; prefix: string; span: Span }
  | { kind: 'tag'; prefix: string; span: Span };


/**
 * What the cursor is in the middle of, read backwards from `offset` to the nearest merge-tag
 * opener of any dialect's tags.
 */
export function completionContextAt(text: string, offset: number): CompletionContext | undefined {
  const windowStart = Math.max(0, offset - 2000);
  let openerAt = -1;
  let opener = '';
  for (const candidate of TAG_OPENERS) {
    const at = text.lastIndexOf(candidate, offset - candidate.length);
    if (at >= windowStart && at > openerAt) { openerAt = at; opener = candidate; }
  }
  if (openerAt === -1) return undefined;
  const inside = text.slice(openerAt + opener.length, offset);
  if (TAG_CLOSERS.some((closer) => inside.includes(closer))) return undefined;
  const word = /[\w.$[\]{}-]*$/.exec(inside)?.[0] ?? '';
  const span = { start: offset - word.length, end: offset };
  const before = inside.slice(0, inside.length - word.length).replace(/-$/, '').trimEnd();
  if (before.endsWith('|')) return { kind: 'filter', prefix: word, span };
  if (opener === '{%' && before.trim() === '') return { kind: 'tag', prefix: word, span };
  // A fallback is offered only where the field is the whole output: `{{ cust█ }}`.
  return { kind: 'field', prefix: word, span, inOutput: opener === '{{' && before.trim() === '' };
}
