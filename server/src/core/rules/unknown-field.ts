import { closestNames } from '../closest';
import { knownNames } from '../schema/resolve';
import type { Schema } from '../schema/types';
import type { DialectId } from '../dialects/ids';
import type { Span } from '../model';
import { code, findingUse, NO_FIXES, writtenLike, type Report, type Rule, type TemplateContext } from './rule';

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
    // One message per name as written, shared by its every use: a template repeats its unknown names.
    const said = new Map<string, { written: string; message: string; replacements: string[] }>();
    context.scan.uses.forEach((use, index) => {
      if (context.resolutions[index]?.kind !== 'unknown') return;
      let finding = said.get(use.path);
      if (finding?.written !== use.written) {
        const suggestions = suggestionsFor(schema, context.dialect.id, use.path, allNames);
        const replacements = suggestions.map((suggestion) => writtenLike(use.written, use.path, suggestion));
        const message = `${code(use.path)} is not a field in mergewise.json: every recipient would get ${context.dialect.missingValueOutcome}. ` +
          (replacements.length
            ? `Did you mean ${replacements.map(code).join(' or ')}? Otherwise declare it under "fields".`
            : 'Declare it under "fields" in mergewise.json, or fix the name.');
        said.set(use.path, (finding = { written: use.written, message, replacements }));
      }
      report(use.span, finding.message, use.path, { suggestions: finding.replacements });
    });
    checkDataExtensions(context, report);
  },
  fixes(context, diagnostic) {
    // A data extension's name or column is not a use: its finding is at the name as written.
    const span = findingUse(context, diagnostic)?.use.span ?? (connectedLiteralAt(context, diagnostic.span) ? diagnostic.span : undefined);
    if (!span) return NO_FIXES;
    // A close name is a guess: offered, never applied unasked.
    return {
      suggestions: (diagnostic.data?.suggestions ?? []).map((replacement) => ({
        title: `Change to ${replacement}`, edits: [{ span, newText: replacement }],
      })),
    };
  },
};

function connectedLiteralAt(context: TemplateContext, span: Span): boolean {
  return context.scan.connected?.uses.some((use) => use.literal && use.span.start === span.start && use.span.end === span.end) ?? false;
}

/**
 * Data extensions are not fields: with `dataExtensions` in mergewise.json, the names a template reads
 * (`Lookup("Loyalty_Members", "Points", …)`) are checked against it; without it, they are not checked.
 */
function checkDataExtensions(context: TemplateContext, report: Report): void {
  const declared = context.schema?.dataExtensions;
  const connected = context.scan.connected;
  if (!declared || !connected) return;
  for (const use of connected.uses) {
    if (!use.literal) continue;
    const source = connected.sources[use.source];
    if (source.kind !== 'data-extension' || source.object === undefined) continue;
    const extension = declared.get(source.object.toLowerCase());
    if (use.property === undefined) {
      if (extension) continue;
      const suggestions = closestNames(source.object, [...declared.values()].map((each) => each.name));
      report(use.span,
        `${code(source.object)} is not a data extension in mergewise.json: Marketing Cloud raises an error at send time when a lookup names a data extension the account does not have. ` +
          (suggestions.length ? `Did you mean ${suggestions.map(code).join(' or ')}? Otherwise declare it under "dataExtensions".` : 'Declare it under "dataExtensions", or fix the name.'),
        source.object,
        { suggestions });
    } else if (extension && extension.columns.size > 0 && !extension.columns.has(use.property.toLowerCase())) {
      const suggestions = closestNames(use.property, [...extension.columns.values()].map((column) => column.name));
      report(use.span,
        `${code(use.property)} is not a column of the data extension ${code(extension.name)} in mergewise.json: Marketing Cloud raises an error at send time for a column the data extension does not have. ` +
          (suggestions.length ? `Did you mean ${suggestions.map(code).join(' or ')}? Otherwise declare it under its "columns".` : 'Declare it under its "columns", or fix the name.'),
        `${extension.name}.${use.property}`,
        { suggestions });
    }
  }
}
