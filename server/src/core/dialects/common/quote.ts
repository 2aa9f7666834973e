/**
 * A string literal for languages with no escapes inside strings (Liquid, Django, HubL, Klaviyo): the
 * quote the text does not contain, and not the quote of the text the tag sits in (`around`: an HTML
 * attribute's value, a quoted front matter line), which it would end early. Undefined when no quote
 * fits: a text with both kinds, or with the kind the tag sits in. The text is never changed.
 */
export function quoteWithoutEscapes(text: string, around?: Quote): string | undefined {
  const quote = around === "'" ? '"' : around === '"' ? "'" : text.includes("'") ? '"' : "'";
  if (text.includes(quote) || (around !== undefined && text.includes(around))) return undefined;
  return `${quote}${text}${quote}`;
}

export type Quote = "'" | '"';

/** How far back a tag's surroundings are read: a minified template is one line of megabytes. */
const LOOK_BACK = 200;

/**
 * The quote of the text a tag at `at` sits in, when the nearest quote before it on its line opens
 * one: after `=` (an attribute, `alt='{{ x }}'`) or `:` (a front matter value, `subject: 'Hi {{ x }}'`),
 * spaces aside. Undefined when the nearest quote is anything else, or there is none.
 */
export function enclosingQuote(text: string, at: number): Quote | undefined {
  return quotedValueAround(text, at)?.quote;
}

/** The quote `enclosingQuote` finds, and whether it opens an HTML attribute's value (`=`) rather than a front matter value (`:`). */
export function quotedValueAround(text: string, at: number): { quote: Quote; attribute: boolean } | undefined {
  // Not lastIndexOf('\n'): on a minified template's one line it would read back to the start, per tag.
  let from = Math.max(0, at - LOOK_BACK);
  for (let i = at - 1; i >= from; i--) {
    if (text[i] === '\n') { from = i + 1; break; }
  }
  for (let i = at - 1; i >= from; i--) {
    const c = text[i];
    if (c !== '"' && c !== "'") continue;
    let before = i - 1;
    while (before >= from && (text[before] === ' ' || text[before] === '\t')) before--;
    return before >= from && (text[before] === '=' || text[before] === ':') ? { quote: c, attribute: text[before] === '=' } : undefined;
  }
  return undefined;
}

/**
 * Text a fallback can be written as between tags, for the tag at `at`: no braces, so it can never
 * open a tag. In a quoted HTML attribute, `&` and that quote as entities, as an escaped value has
 * them, so that it cannot end the attribute. Undefined where it cannot be written as it is: a quoted
 * front matter value with that quote (YAML has no entities), or a last `\` (it would escape the
 * closing tag).
 */
export function fallbackAsText(fallback: string, text: string, at: number): string | undefined {
  let literal = fallback.replace(/[{}]/g, '').trim();
  if (literal.endsWith('\\')) return undefined;
  const around = literal.includes('"') || literal.includes("'") ? quotedValueAround(text, at) : undefined;
  if (around && literal.includes(around.quote)) {
    if (!around.attribute) return undefined;
    literal = literal.replace(/&/g, '&amp;').replaceAll(around.quote, around.quote === '"' ? '&quot;' : '&#39;');
  }
  return literal;
}
