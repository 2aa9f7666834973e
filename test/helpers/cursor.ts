/**
 * Cursor markers, as in Shopify theme-tools' tests: a `█` in the source text marks an offset that a
 * test cares about (where a diagnostic or a reference must start). The markers are removed from the
 * text the code under test sees.
 */
export const CURSOR = '█';

export interface Marked {
  /** The source without its markers. */
  text: string;
  /** The offset of each marker in `text`, in order. */
  offsets: number[];
}

export function marked(source: string): Marked {
  const offsets: number[] = [];
  let text = '';
  let from = 0;
  for (let at = source.indexOf(CURSOR); at !== -1; at = source.indexOf(CURSOR, from)) {
    text += source.slice(from, at);
    offsets.push(text.length);
    from = at + CURSOR.length;
  }
  text += source.slice(from);
  return { text, offsets };
}

/** The text's one marker offset; throws when there is not exactly one, so a broken test says so. */
export function cursor(source: string): { text: string; offset: number } {
  const { text, offsets } = marked(source);
  if (offsets.length !== 1) throw new Error(`expected exactly one ${CURSOR} in the test source, found ${offsets.length}`);
  return { text, offset: offsets[0] };
}
