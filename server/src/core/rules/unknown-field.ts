import { closestNames } from '../closest';
import { knownNames } from '../schema/resolve';
import type { Schema } from '../schema/types';
import type { DialectId } from '../dialects/ids';
import { code, findingUse, NO_FIXES, writtenLike, type Rule } from './rule';

/**
 * Suggestions per schema, dialect and path, kept across analyses: the editor re-checks a template
 * on every keystroke, and comparing each unknown name with every field was most of the time spent
 * re-analysing a large template full of typos. Bounded, since each new typo adds an entry.
 */
const suggestionCache = new WeakMap<Schema, Map<string, string[]>>();
const MAX_CACHED_SUGGESTIONS = 10_000;

function suggestionsFor(schema: Schema, dialect: DialectId, path: string, names: () => string[]): string[] {
  let cache = suggestionCache.get(schema);
  if (!cache) suggestionCache.set(schema, (cache = new Map()));
  const key = `${dialect}\n${path}`;
  let suggestions = cache.get(key);
  if (!suggestions) {
    if (cache.size >= MAX_CACHED_SUGGESTIONS) cache.clear();
    cache.set(key, (suggestions = closestNames(path, names())));
  }
  return suggestions;
}

export const unknownField: Rule = {
  meta: {
    id: 'unknown-field',
    defaultSeverity: 'error',
    summary: 'A field that is not in mergewise.json; the closest names are suggested.',
    needsSchema: true,
  },
  check(context, report) {
    const schema = context.schema;
    if (!schema) return;
    let names: string[] | undefined;
    const allNames = () => (names ??= knownNames(schema, context.dialect.id));
    context.scan.uses.forEach((use, index) => {
      if (context.resolutions[index]?.kind !== 'unknown') return;
      const suggestions = suggestionsFor(schema, context.dialect.id, use.path, allNames);
      const replacements = suggestions.map((suggestion) => writtenLike(use.written, use.path, suggestion));
      report(use.span,
          `${code(use.path)} is not a field in mergewise.json: every recipient would get ${context.dialect.missingValueOutcome}. ` +
          (replacements.length
            ? `Did you mean ${replacements.map(code).join(' or ')}? Otherwise declare it under "fields".`
            : 'Declare it under "fields" in mergewise.json, or fix the name.'),
        use.path,
        { suggestions: replacements });
    });
  },
  fixes(context, diagnostic) {
    const found = findingUse(context, diagnostic);
    if (!found) return NO_FIXES;
    // A close name is a guess: offered, never applied unasked.
    return {
      suggestions: (diagnostic.data?.suggestions ?? []).map((replacement) => ({
        title: `Change to ${replacement}`, edits: [{ span: found.use.span, newText: replacement }],
      })),
    };
  },
};
