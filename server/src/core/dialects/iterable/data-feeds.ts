/**
 * Iterable's data feeds: with "Handlebars syntax for data feeds" off, a template reads the feed's
 * fields as `[[field]]`, and Iterable puts their values in before Handlebars runs, inside tags too
 * (`{{#if [[onSale]]}}`). They are fetched at send time: connected data, never recipient fields.
 */
import type { TemplateScan } from '../dialect';
import type { ConnectedData } from '../common/connected-data';

/** `[[field]]`, `[[ product.price ]]`: no brackets or line breaks inside. */
const FEED_FIELD = /\[\[([^[\]\n]{1,200})\]\]/g;

/** The variable a sample recipient's `$connected` mocks the data feed under. */
export const DATA_FEED_NAME = 'dataFeed';

/**
 * Scans `text` with `scan`, with each `[[field]]` read as a literal of the same length (so every
 * span stays where it was and Handlebars sees no stray brackets), and records the reads of the feed.
 */
export function scanWithDataFeeds(text: string, scan: (text: string) => TemplateScan): TemplateScan {
  if (!text.includes('[[')) return scan(text);
  const connected: ConnectedData = { sources: [], uses: [] };
  const masked = text.replace(FEED_FIELD, (whole: string, inner: string, offset: number) => {
    const start = offset + 2 + (inner.length - inner.trimStart().length);
    const written = inner.trim();
    if (written) {
      if (connected.sources.length === 0) connected.sources.push({ kind: 'data-feed', name: DATA_FEED_NAME, from: null, tagSpan: { start: offset, end: offset + whole.length } });
      const tagSpan = { start: offset, end: offset + whole.length };
      connected.uses.push({ source: 0, written, span: { start, end: start + written.length }, tagSpan, context: 'output' });
    }
    return `"${whole.slice(1, -1).replace(/"/g, "'")}"`;
  });
  const result = scan(masked);
  if (connected.uses.length > 0) result.connected = connected;
  return result;
}
