/**
 * Where the cursor is in AMPscript, for completion: AMPscript's code is not a run of tags, so the
 * shared reading (`{{ name…`) does not fit. Read backwards to the last delimiter, then forwards over
 * the code's strings, brackets and comments to the cursor.
 */
import type { CompletionSite } from '../dialect';

/** How far back the delimiters are looked for: a `%%[ … ]%%` block is rarely longer. */
const LOOK_BACK = 8000;

const attributeName = (name: string) => name;
const attributeValue = (name: string) => `AttributeValue("${name.replace(/"/g, '""')}")`;

export function ampscriptCompletionSite(text: string, offset: number): CompletionSite | undefined {
  const from = Math.max(0, offset - LOOK_BACK);
  const block = text.lastIndexOf('%%[', offset - 3);
  const inline = text.lastIndexOf('%%=', offset - 3);
  const opener = Math.max(block, inline);
  const closer = Math.max(text.lastIndexOf(']%%', offset - 3), text.lastIndexOf('=%%', offset - 3));
  if (opener >= from && opener > closer) return inCode(text, opener + 3, offset, opener === block);
  // A personalization string being typed: `%%First…`, where the `%%` is not the end of another one.
  const name = /%%([A-Za-z_][\w]*)?$/.exec(text.slice(Math.max(from, offset - 200), offset));
  if (!name || /\w/.test(text[offset - name[0].length - 1] ?? '')) return undefined;
  const span = { start: offset - (name[1]?.length ?? 0), end: offset };
  return { kind: 'name', span, fieldText: attributeName, ...(/^\w*%%/.test(text.slice(offset, offset + 200)) ? {} : { close: '%%' }) };
}

/** The cursor in code that starts at `start` (after `%%[` when `block`, else `%%=`). */
function inCode(text: string, start: number, offset: number, block: boolean): CompletionSite | undefined {
  let quote = '';
  let stringStart = -1;
  let bracketStart = -1;
  for (let i = start; i < offset; i++) {
    const c = text[i];
    if (quote) {
      if (c !== quote) continue;
      // A quote written twice is one quote inside the string.
      if (text[i + 1] === quote && i + 1 < offset) i++;
      else quote = '';
    } else if (bracketStart !== -1) {
      if (c === ']') bracketStart = -1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1 || end + 2 > offset) return undefined;
      i = end + 1;
    } else if (c === '"' || c === "'") {
      quote = c;
      stringStart = i;
    } else if (c === '[') {
      bracketStart = i;
    }
  }
  if (quote) {
    // Only the attribute a string names is completed: `AttributeValue("Fi`.
    if (!/AttributeValue\s*\(\s*$/i.test(text.slice(Math.max(start, stringStart - 40), stringStart))) return undefined;
    return { kind: 'name', span: { start: stringStart + 1, end: offset }, fieldText: attributeName };
  }
  if (bracketStart !== -1) return { kind: 'name', span: { start: bracketStart + 1, end: offset }, fieldText: attributeName };
  const word = /@?\w*$/.exec(text.slice(start, offset))![0];
  const span = { start: offset - word.length, end: offset };
  // A statement starts a block, a line, or follows THEN, ELSE or DO: `%%[ IF @x THEN SET…`.
  const before = text.slice(start, span.start);
  const statement = block && /(^|\n)[ \t]*$|\b(THEN|ELSE|DO)\s+$/i.test(before);
  return { kind: statement ? 'statement' : 'expression', span, fieldText: attributeValue };
}
