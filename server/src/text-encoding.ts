/** How a file's bytes become text: UTF-16 by its byte order mark (Windows tools save "Unicode" so), else UTF-8. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export function encodingOf(bytes: Uint8Array): TextEncoding {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** The text, its byte order mark kept as U+FEFF, so that positions count as in a UTF-8 file that has one. */
export function decodeText(bytes: Buffer, encoding: TextEncoding = encodingOf(bytes)): string {
  return encoding === 'utf-8' ? bytes.toString('utf8') : new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
}
