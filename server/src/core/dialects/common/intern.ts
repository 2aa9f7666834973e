/**
 * The one string kept in `table` for `text`'s characters, which `text` becomes if it is the first.
 *
 * Scanners intern each path as they read it, while its characters are still in the processor's
 * cache. A large template writes the same few dozen paths thousands of times; with one string per
 * path, the maps of the analysis that follows find a use's path by identity, with its hash already
 * computed, instead of hashing a fresh slice and comparing it character by character: that read a
 * large template's text back from memory, long after it had left the cache.
 */
export function intern(table: Map<string, string>, text: string): string {
  const known = table.get(text);
  if (known !== undefined) return known;
  table.set(text, text);
  return text;
}
