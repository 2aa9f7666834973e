/**
 * What the pages Mergewise writes (`report --out`, `preview --out`) carry in their head, so that a
 * later `check` or `report` does not read them as templates: they quote the findings' messages and
 * the merge tags they are about.
 */
export const GENERATOR_META = '<meta name="generator" content="mergewise">';
const CHARSET_META = '<meta charset="utf-8">';

/** The page with the marker right after its charset, which HTML wants within the first 1024 bytes. */
export function markAsGenerated(html: string): string {
  return html.replace(CHARSET_META, `${CHARSET_META}\n${GENERATOR_META}`);
}
