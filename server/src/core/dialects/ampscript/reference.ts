/**
 * How an AMPscript use reads its field, as text and as a span: what fixes wrap in `IIF(Empty(…))`
 * or `URLEncode(…)`. Used by the dialect's fallback edit and by the output encodings.
 */
import type { Span } from '../../model';
import type { FieldUse } from '../dialect';

/** An AMPscript string: double quotes, a quote inside doubled. */
export function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

const ATTRIBUTE_VALUE_OPEN = /AttributeValue\s*\(\s*["']$/i;

/**
 * How to read the field a use names, for `Empty(…)`: the variable, the bare or bracketed attribute,
 * or `AttributeValue("…")` for a name written in a string.
 */
export function referenceOf(text: string, use: FieldUse): string | undefined {
  if (use.written.startsWith('@')) return use.written;
  const before = text.slice(Math.max(0, use.span.start - 40), use.span.start);
  if (ATTRIBUTE_VALUE_OPEN.test(before)) return `AttributeValue(${quote(use.path)})`;
  if (/["']$/.test(before)) return undefined;
  return text.charCodeAt(use.span.start - 1) === 91 /* [ */ ? `[${use.written}]` : use.written;
}

/**
 * Where an attribute's reference is written, whole: `AttributeValue("City")`, `[First Name]` or
 * `City`; undefined for a variable (its value is set elsewhere) or a name in some other string.
 */
export function attributeReferenceSpan(text: string, use: FieldUse): Span | undefined {
  if (use.written.startsWith('@')) return undefined;
  const before = ATTRIBUTE_VALUE_OPEN.exec(text.slice(Math.max(0, use.span.start - 40), use.span.start));
  if (before) {
    const close = /^["']\s*\)/.exec(text.slice(use.span.end, use.span.end + 40));
    return close ? { start: use.span.start - before[0].length, end: use.span.end + close[0].length } : undefined;
  }
  const previous = text.charAt(use.span.start - 1);
  if (previous === '"' || previous === "'") return undefined;
  if (previous === '[' && text.charAt(use.span.end) === ']') return { start: use.span.start - 1, end: use.span.end + 1 };
  return use.span;
}
