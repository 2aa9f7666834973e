import { OUTPUT_ENCODINGS } from '../dialects/common/output-encoding';
import type { HtmlPlace } from '../html-context';
import { htmlPlace } from './html-place';
import { code, findingUse, knownFieldUses, NO_FIXES, type Rule } from './rule';

/** Types whose values never hold a space or `&`: exempt. */
const SAFE_TYPES = new Set(['number', 'date', 'boolean']);

/** A place in a URL where a raw value ends or splits the link: its query, or the path of a web address. */
function needsEncoding(place: HtmlPlace | undefined): place is HtmlPlace {
  if (!place) return false;
  if (place.part === 'query') return true;
  // The path of `mailto:` or `tel:` is an address, not a path to encode.
  return place.part === 'path' && (place.scheme === undefined || place.scheme === 'http' || place.scheme === 'https');
}

export const unencodedUrlField: Rule = {
  meta: {
    id: 'unencoded-url-field',
    defaultSeverity: 'warning',
    summary: 'A field in a URL\'s path or query string without URL encoding: a value with a space or `&` breaks the link.',
    needsSchema: true,
  },
  check(context, report) {
    const encoding = OUTPUT_ENCODINGS[context.dialect.id].urlEncoding;
    // A platform with no way to encode gets no finding: there is nothing to do about it.
    if (!encoding) return;
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (use.context !== 'output' || (field.type !== undefined && SAFE_TYPES.has(field.type))) continue;
      const place = htmlPlace(context, use);
      if (!needsEncoding(place) || encoding.isEncoded(context.text, use, place.value)) continue;
      const where = place.part === 'query' ? 'query string' : 'path';
      report(
        use.span,
        `${code(use.written)} is written into this ${place.attribute === 'src' ? 'address' : 'link'}'s ${where} without URL encoding: ` +
          `for a recipient whose value has a space, \`&\`, \`#\` or \`?\` ("Ana & Jo"), the link breaks or ` +
          (place.part === 'query' ? 'the parameter is cut short and the rest read as another one' : 'points to another page') +
          `. Encode it with ${code(encoding.written)}.`,
        field.path,
      );
    }
  },
  fixes(context, diagnostic) {
    const encoding = OUTPUT_ENCODINGS[context.dialect.id].urlEncoding;
    const found = findingUse(context, diagnostic);
    const edit = encoding && found && encoding.edit(context.text, found.use);
    if (!edit) return NO_FIXES;
    // Offered, never applied by --fix: a field that holds a path or a query string of its own
    // (`/products/shirt`, `utm_source=a&utm_medium=b`) is broken by encoding it.
    return { suggestions: [{ title: `URL-encode with ${encoding.written}`, edits: [edit] }] };
  },
};
