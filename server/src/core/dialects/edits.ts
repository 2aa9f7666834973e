import type { TextEdit } from './dialect';

/** Applies non-overlapping edits; at equal offsets, replacements go before insertions. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || (b.span.end - b.span.start) - (a.span.end - a.span.start));
  let result = '';
  let pos = 0;
  for (const edit of sorted) {
    if (edit.span.start < pos) continue;
    result += text.slice(pos, edit.span.start) + edit.newText;
    pos = edit.span.end;
  }
  return result + text.slice(pos);
}
