/**
 * Iterable's data feeds: with "Handlebars syntax for data feeds" off, a template reads the feed's
 * fields as `[[field]]`, and Iterable puts their values in before Handlebars runs, inside tags too
 * (`{{#if [[onSale]]}}`). They are fetched at send time: connected data, never recipient fields.
 */
import type { TemplateScan, UseContext } from '../dialect';
import type { ConnectedData } from '../common/connected-data';

/** `[[field]]`, `[[ product.price ]]`: no brackets or line breaks inside. */
const FEED_FIELD = /\[\[([^[\]\n]{1,200})\]\]/g;

/** The variable a sample recipient's `$connected` mocks the data feed under. */
export const DATA_FEED_NAME = 'dataFeed';

/**
 * Scans `text` with `scan`, with each `[[field]]` read as a literal of the same length (so every
 * span stays where it was and Handlebars sees no stray brackets), and records the reads of the feed:
 * in the text they are output; inside a tag, a block's condition or a helper's argument.
 */
export function scanWithDataFeeds(text: string, scan: (text: string) => TemplateScan): TemplateScan {
  if (!text.includes('[[')) return scan(text);
  const connected: ConnectedData = { sources: [], uses: [] };
  const contextAt = tagTracker(text);
  const masked = text.replace(FEED_FIELD, (whole: string, inner: string, offset: number) => {
    const start = offset + 2 + (inner.length - inner.trimStart().length);
    const written = inner.trim();
    if (written) {
      if (connected.sources.length === 0) connected.sources.push({ kind: 'data-feed', name: DATA_FEED_NAME, from: null, tagSpan: { start: offset, end: offset + whole.length } });
      const tagSpan = { start: offset, end: offset + whole.length };
      connected.uses.push({ source: 0, written, span: { start, end: start + written.length }, tagSpan, context: contextAt(offset) });
    }
    return `"${whole.slice(1, -1).replace(/"/g, "'")}"`;
  });
  const result = scan(masked);
  if (connected.uses.length > 0) result.connected = connected;
  return result;
}

/**
 * For the preview, after the outputs are instrumented (which copies each tag's text once, so the
 * feed's fields stay in order): each `[[field]]` the scan read becomes the sample recipient's mocked
 * value, through the renderer's `mw_connected` helpers (marked in the text; the bare value in a tag),
 * as Iterable puts the value in before Handlebars runs. `[[ ]]` with nothing inside is left as it is.
 */
export function fillDataFeeds(instrumented: string, scan: TemplateScan): string {
  const uses = scan.connected?.uses;
  if (!uses?.length) return instrumented;
  let index = 0;
  return instrumented.replace(FEED_FIELD, (whole: string, inner: string) => {
    if (!inner.trim() || index >= uses.length) return whole;
    const read = index++;
    return uses[read].context === 'output' ? `{{{mw_connected ${read}}}}` : `(mw_connected_value ${read})`;
  });
}

/**
 * Where an offset sits, for offsets asked in increasing order: in the text (`output`), in a block's
 * opening tag (`condition`: `{{#if [[onSale]]}}`) or in another tag (`argument`). One pass over the text.
 */
function tagTracker(text: string): (offset: number) => UseContext {
  let nextOpen = text.indexOf('{{');
  let nextClose = text.indexOf('}}');
  let openAt = -1;
  return (offset) => {
    for (;;) {
      const open = nextOpen < 0 ? Infinity : nextOpen;
      const close = nextClose < 0 ? Infinity : nextClose;
      if (Math.min(open, close) >= offset) break;
      if (open < close) {
        if (openAt < 0) openAt = open;
        nextOpen = text.indexOf('{{', open + 2);
      } else {
        openAt = -1;
        nextClose = text.indexOf('}}', close + 2);
      }
    }
    if (openAt < 0) return 'output';
    return /^\{*~?\s*#/.test(text.slice(openAt, openAt + 8)) ? 'condition' : 'argument';
  };
}
