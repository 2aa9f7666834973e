import type { Span } from '../../model';
import type { FieldUse, TextEdit } from '../dialect';
import { fallbackAsText } from '../common/quote';
import { isWhiteSpace } from '../common/scan-collector';

export interface TagShape {
  kind: 'output' | 'block' | 'comment';
  /** `{{{x}}}` (or `{{&x}}`): the value is not HTML-escaped. */
  raw: boolean;
  /** The expression between the delimiters, whitespace control and `&`. */
  contentStart: number;
  contentEnd: number;
}

/** How one `{{…}}` tag is built, read back from its text. */
export function tagShape(text: string, span: Span): TagShape | undefined {
  if (!text.startsWith('{{', span.start)) return undefined;
  const triple = text.charCodeAt(span.start + 2) === 123;
  let start = span.start + (triple ? 3 : 2);
  let end = span.end - (triple && text.startsWith('}}}', span.end - 3) ? 3 : 2);
  if (end < start) return undefined;
  if (text[start] === '~') start++;
  if (end > start && text[end - 1] === '~') end--;
  let first = start;
  while (first < end && isWhiteSpace(text.charCodeAt(first))) first++;
  const sigil = text[first];
  if (sigil === '!') return { kind: 'comment', raw: false, contentStart: start, contentEnd: end };
  if (!triple && (sigil === '#' || sigil === '/' || sigil === '^' || sigil === '>' || isElse(text, first, end))) {
    return { kind: 'block', raw: false, contentStart: start, contentEnd: end };
  }
  if (!triple && sigil === '&') return { kind: 'output', raw: true, contentStart: first + 1, contentEnd: end };
  return { kind: 'output', raw: triple, contentStart: start, contentEnd: end };
}

/** The content from `first` to `end` is `else`, alone or followed by white space (`{{else}}`, `{{else if x}}`). */
export function isElse(text: string, first: number, end: number): boolean {
  return first + 4 <= end && text.startsWith('else', first) && (first + 4 === end || isWhiteSpace(text.charCodeAt(first + 4)));
}

/** A Handlebars string literal: double quotes, with `\"` for quotes inside. */
export function quoted(fallback: string): string {
  return `"${fallback.replace(/\\/g, '').replace(/"/g, '\\"')}"`;
}

/** Wraps the tag of an output in `{{#if x}}…{{else}}fallback{{/if}}`, the plain Handlebars fallback. */
export function wrapInIf(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
  if (use.context !== 'output' || use.fallback !== null) return undefined;
  const shape = tagShape(text, use.tagSpan);
  if (!shape || shape.kind !== 'output') return undefined;
  const literal = fallbackAsText(fallback, text, use.tagSpan.start);
  if (literal === undefined) return undefined;
  const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
  return { span: use.tagSpan, newText: wrappedText(tag, use.written, literal) };
}

/**
 * The text of the edit, by tag, spelling and fallback, kept across analyses: every use without a
 * fallback gets a message that quotes it, and a large template repeats the same tags thousands of
 * times. Bounded, since each new tag adds an entry.
 */
const wrappedTexts = new Map<string, Map<string, Map<string, string>>>();
const MAX_WRAPPED_TAGS = 10_000;

function wrappedText(tag: string, written: string, literal: string): string {
  let byWritten = wrappedTexts.get(tag);
  if (!byWritten) {
    if (wrappedTexts.size >= MAX_WRAPPED_TAGS) wrappedTexts.clear();
    wrappedTexts.set(tag, (byWritten = new Map()));
  }
  let byLiteral = byWritten.get(written);
  if (!byLiteral) byWritten.set(written, (byLiteral = new Map()));
  let newText = byLiteral.get(literal);
  if (newText === undefined) {
    // Whitespace control strips the text around the tag: it goes on the `{{#if}}` and `{{/if}}`
    // that now stand there, or the spaces it stripped come back for every recipient.
    const before = tag.startsWith('{{{~') || tag.startsWith('{{~') ? '~' : '';
    const after = tag.endsWith('~}}}') || tag.endsWith('~}}') ? '~' : '';
    newText = `{{${before}#if ${written}}}${tag}{{else}}${literal}{{/if${after}}}`;
    byLiteral.set(literal, newText);
  }
  return newText;
}

/** Replaces the expression of an output tag, keeping its braces and whitespace control: the edit shows the whole tag. */
export function replaceExpression(text: string, use: FieldUse, shape: TagShape, expression: string): TextEdit {
  const { start, end } = use.tagSpan;
  return {
    span: use.tagSpan,
    newText: text.slice(start, shape.contentStart) + expression + text.slice(shape.contentEnd, end),
  };
}
