/**
 * A rendered email's size, as Gmail counts it: Gmail clips a message whose HTML is over 102 KB and
 * shows "[Message clipped] View entire message" instead of the rest (and of the tracking pixel and
 * unsubscribe link usually at the end). Shared by the server, which measures, and the preview
 * panel and command line, which say it. Imports nothing.
 */

/** Gmail's documented threshold, 102 KB, as bytes: 102 × 1024 = 104,448. A rendering over this is clipped. */
export const GMAIL_CLIP_BYTES = 102 * 1024;

/** The UTF-8 length of `text`, in bytes, without encoding it (a rendering can be megabytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // A surrogate pair: one code point over U+FFFF.
      i++;
    } else bytes += 3; // Including a lone surrogate, which encodes as U+FFFD.
  }
  return bytes;
}

/** Whether Gmail clips an email of this many bytes. */
export function isClipped(bytes: number): boolean {
  return bytes > GMAIL_CLIP_BYTES;
}

/**
 * The size in words: `612 bytes`, `4.1 KB`, `118.2 KB`. Kilobytes are rounded up to a tenth, so a
 * clipped email never reads as 102.0 KB.
 */
export function formatEmailSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return `${(Math.ceil((bytes * 10) / 1024) / 10).toFixed(1)} KB`;
}

/** What the preview says of a rendering's size: `4.1 KB`, or `118.2 KB — Gmail clips this`. */
export function emailSizeText(bytes: number): string {
  return isClipped(bytes) ? `${formatEmailSize(bytes)} — Gmail clips this` : formatEmailSize(bytes);
}

/** The size's tooltip: the exact bytes and the threshold. */
export function emailSizeTitle(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes of HTML (UTF-8, as sent)`;
  return isClipped(bytes)
    ? `${exact}: over Gmail's 102 KB (${GMAIL_CLIP_BYTES.toLocaleString('en-US')} bytes), so Gmail shows "[Message clipped]" and hides the rest`
    : `${exact}; Gmail clips over 102 KB (${GMAIL_CLIP_BYTES.toLocaleString('en-US')} bytes)`;
}
