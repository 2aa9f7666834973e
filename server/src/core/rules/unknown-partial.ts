import type { ResolvedInclude } from '../partials/workspace';
import type { IncludeKind } from '../dialects/dialect';
import { code, type Rule } from './rule';

export const unknownPartial: Rule = {
  meta: {
    id: 'unknown-partial',
    defaultSeverity: 'error',
    summary: 'An include, snippet or content block that resolves to no file in the workspace (a computed one is not followed).',
    needsSchema: false,
  },
  check(context, report) {
    for (const include of context.includes) {
      const { site } = include;
      if (site.name === null) {
        report(site.nameSpan,
          `This ${INCLUDE_WORDS[site.kind]} is chosen when the message is sent, so Mergewise does not follow it: ` +
          'the fields it uses are not checked here. Name it with a literal to have them checked.', undefined, undefined, undefined, 'information');
        continue;
      }
      if (include.file && include.problem) {
        report(site.nameSpan, `${code(site.name)} resolves to ${include.shown}, but ${include.problem}: the fields it uses are not checked.`);
        continue;
      }
      if (include.file) continue;
      report(site.nameSpan,
        `${code(site.name)} resolves to no ${INCLUDE_WORDS[site.kind]} in this workspace (${include.how})` +
        (include.suggestions.length ? `. Did you mean ${include.suggestions.map(code).join(', ')}?` : '.') +
        ` The platform fails to send, or sends without it. Add the file, or map the name in mergewise.json's "partials".`,
        undefined, include.suggestions.length ? { suggestions: include.suggestions } : undefined);
    }
  },
};

const INCLUDE_WORDS: Record<IncludeKind, string> = {
  render: 'snippet',
  include: 'partial',
  'content-block': 'content block',
  partial: 'partial',
  snippet: 'snippet',
  import: 'macro file',
  extends: 'layout',
  'content-block-key': 'content block',
  'content-block-name': 'content block',
  'content-block-id': 'content block',
};

/** Whether an include was followed to a partial that could be read. */
export function followed(include: ResolvedInclude): boolean {
  return include.file !== undefined && !include.problem;
}
