import type { FieldUse } from '../dialects/dialect';
import { withoutMergeTags, type HtmlPlace } from '../html-context';
import type { FieldSpec } from '../schema/types';
import { htmlPlace } from './html-place';
import { code, fallbackAdvice, fallbackFixes, knownFieldUses, usedAs, type Rule, type TemplateContext } from './rule';

/** Longest stretch of a URL quoted in a message. */
const MAX_QUOTED = 80;

/**
 * Where a missing value breaks a link or an image rather than leaving a gap: a use with no fallback
 * and no guard that makes up the address of an `href` or `src` (the whole value, its host or its
 * path). A use in the query or fragment leaves a link that still opens, so it stays with
 * `missing-fallback`, which leaves these uses to this rule (one finding per use, never two).
 */
export function breaksLink(context: TemplateContext, use: FieldUse, field: FieldSpec): HtmlPlace | undefined {
  if (use.context !== 'output' || use.fallback !== null || use.guarded || field.required) return undefined;
  const place = htmlPlace(context, use);
  if (!place || (place.attribute !== 'href' && place.attribute !== 'src')) return undefined;
  return place.part === 'query' || place.part === 'fragment' ? undefined : place;
}

export const brokenLinkField: Rule = {
  meta: {
    id: 'broken-link-field',
    defaultSeverity: 'error',
    summary: 'A field with no fallback or guard making up a link or image address: a broken link or image for recipients without it.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      const place = breaksLink(context, use, field);
      if (!place) continue;
      const { text } = context;
      // What the address is left with: the literal text around the tag (and what the tag joins in
      // front of the value), without the other merge tags, which the message cannot know the values of.
      const before = text.slice(place.value.start, use.tagSpan.start) + (use.writtenBefore ?? '');
      const left = withoutMergeTags(before + text.slice(use.tagSpan.end, place.value.end)).trim();
      const quoted = left.length > MAX_QUOTED ? `${left.slice(0, MAX_QUOTED)}…` : left;
      const outcome = place.attribute === 'href'
        ? left === ''
          ? 'a link with no address (`href=""`), which goes nowhere'
          : `a link to ${code(quoted)}, which leads nowhere they meant to go`
        : left === ''
          ? 'a broken image (`src=""`)'
          : `a broken image (\`src="${quoted}"\`)`;
      report(
        use.span,
        `${usedAs(use, field)} makes up this ${place.attribute === 'href' ? 'link' : 'image'}'s address and has no fallback: ` +
          `a recipient without it would get ${outcome}. Add ${fallbackAdvice(context, use, field, ' with a working default')}` +
          `, or show the ${place.attribute === 'href' ? 'link' : 'image'} only inside a conditional that checks it has a value.`,
        field.path,
        { fallback: field.fallback ?? null },
      );
    }
  },
  // The same fallback `missing-fallback` offers, in the dialect's own syntax.
  fixes: fallbackFixes,
};
