/**
 * A string literal for languages with no escapes inside strings (Liquid, Django, HubL, Klaviyo):
 * the quote the text does not contain; a text with both loses its double quotes.
 */
export function quoteWithoutEscapes(text: string): string {
  return text.includes("'") ? `"${text.replace(/"/g, '')}"` : `'${text}'`;
}
