import { closestNames } from '../closest';
import { knownNames } from '../schema/resolve';
import type { Schema } from '../schema/types';
import type { DialectId } from '../dialects/ids';
import { code, type Rule } from './rule';

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
      const replacements = suggestions.map((suggestion) => asWritten(use.written, use.path, suggestion));
      report(use.span,
          `${code(use.path)} is not a field in mergewise.json: every recipient would get ${context.dialect.missingValueOutcome}. ` +
          (replacements.length
            ? `Did you mean ${replacements.map(code).join(' or ')}? Otherwise declare it under "fields".`
            : 'Declare it under "fields" in mergewise.json, or fix the name.'),
        use.path,
        { suggestions: replacements });
    });
  },
};

/**
 * Writes a suggested path the way the template wrote the reference: inside
 * `{% for item in cart.items %}`, `cart.items[].title` is written `item.title`; Braze's `${frist_name}`
 * becomes `${first_name}`.
 */
function asWritten(written: string, path: string, suggestion: string): string {
  if (written === path) return suggestion;
  // Braze: `${first_name}` and `custom_attribute.${name}` name attributes; a bare name would not.
  const braze = /^(custom_attribute\.)?\$\{[^}]*\}$/.exec(written);
  if (braze) return `${braze[1] ?? ''}\${${suggestion}}`;
  const rootEnd = written.search(/[.[]/);
  const rest = rootEnd === -1 ? '' : written.slice(rootEnd);
  if (!path.endsWith(rest)) return suggestion;
  const base = path.slice(0, path.length - rest.length);
  return suggestion.startsWith(base) && rootEnd !== -1 ? written.slice(0, rootEnd) + suggestion.slice(base.length) : suggestion;
}
