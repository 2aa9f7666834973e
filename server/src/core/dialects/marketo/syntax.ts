/**
 * Marketo tokens: `{{lead.First Name}}`, `{{lead.First Name:default=there}}`, `{{company.Company Name}}`,
 * `{{my.Webinar Date}}` (program tokens), `{{system.unsubscribeLink}}`. Shared by scanner and renderer.
 */
import type { Span } from '../../model';
import { indexBefore, type ForwardIndex, type LineEnds } from '../common/scan-collector';
import { MARKETO_SYSTEM_TAGS } from './system-tags';

/** Token types that carry recipient or program data: the schema declares them (`lead.First Name`, `my.webinar_date`). */
export const DATA_TYPES = ['lead', 'company', 'my', 'member', 'sfdc', 'opportunity', 'account'];
/** Token types Marketo fills in itself. */
export const SYSTEM_TYPES = MARKETO_SYSTEM_TAGS.roots().map((root) => root.toLowerCase());

export type Token =
  | { kind: 'data'; type: string; path: string; pathSpan: Span; fallback: string | null }
  | { kind: 'system'; type: string; name: string }
  | { kind: 'invalid'; message: string; span: Span };

export interface TokenMatch {
  tagSpan: Span;
  contentStart: number;
  content: string;
  closed: boolean;
}

/**
 * The next `{{…}}` at or after `from`. Tokens end on their line; another `{{` first leaves one open.
 * `closes` finds `}}` (kept across calls, so a line of unclosed tokens is searched once).
 */
export function nextToken(text: string, from: number, lines: LineEnds, closes: ForwardIndex): TokenMatch | undefined {
  const open = text.indexOf('{{', from);
  if (open === -1) return undefined;
  const lineEnd = lines.at(open);
  const nextClose = closes.at(open + 2);
  const close = nextClose !== -1 && nextClose < lineEnd ? nextClose : -1;
  const reopen = indexBefore(text, '{{', open + 2, close === -1 ? lineEnd : close);
  if (close === -1 || reopen !== -1) {
    const end = reopen === -1 ? lineEnd : reopen;
    let trimmed = end;
    while (trimmed > open + 2 && /\s/.test(text[trimmed - 1])) trimmed--;
    return { tagSpan: { start: open, end: Math.min(trimmed, open + 60) }, contentStart: open + 2, content: text.slice(open + 2, trimmed), closed: false };
  }
  return { tagSpan: { start: open, end: close + 2 }, contentStart: open + 2, content: text.slice(open + 2, close), closed: true };
}

const DEFAULT_MARKER = /:\s*default\s*=/i;

export function readToken(match: TokenMatch): Token {
  const { content, contentStart, tagSpan } = match;
  if (content.trim() === '') return { kind: 'invalid', message: 'An empty `{{}}`', span: tagSpan };
  if (content !== content.trimStart() || (content !== content.trimEnd() && !DEFAULT_MARKER.test(content))) {
    return { kind: 'invalid', message: `\`{{${content}}}\` has spaces inside the braces, so Marketo does not read it as a token`, span: tagSpan };
  }
  const dot = content.indexOf('.');
  if (dot <= 0) {
    return { kind: 'invalid', message: `\`{{${content}}}\` has no token type: Marketo tokens read \`{{lead.${content}}}\`, \`{{company.…}}\` or \`{{my.…}}\``, span: tagSpan };
  }
  const type = content.slice(0, dot);
  const lowerType = type.toLowerCase();
  // `{{lead.First Name:default=there}}`: the default runs to the closing braces.
  const marker = /:/.exec(content.slice(dot));
  const nameEnd = marker ? dot + marker.index : content.length;
  const name = content.slice(dot + 1, nameEnd);
  if (SYSTEM_TYPES.includes(lowerType)) return { kind: 'system', type: lowerType, name };
  if (!DATA_TYPES.includes(lowerType)) {
    return { kind: 'invalid', message: `Marketo has no \`${type}.\` tokens`, span: { start: contentStart, end: contentStart + dot } };
  }
  if (!name.trim()) return { kind: 'invalid', message: `\`{{${type}.}}\` names no field`, span: tagSpan };
  let fallback: string | null = null;
  if (marker) {
    const suffix = content.slice(nameEnd);
    const exact = /^:default=/.exec(suffix);
    if (!exact) {
      return {
        kind: 'invalid', span: { start: contentStart + nameEnd, end: tagSpan.end - 2 },
        message: `\`${suffix}\` is not how Marketo writes a default: it takes exactly \`:default=value\``,
      };
    }
    fallback = suffix.slice(exact[0].length);
  }
  return {
    kind: 'data', type: lowerType, path: `${lowerType}.${name}`,
    pathSpan: { start: contentStart, end: contentStart + nameEnd }, fallback,
  };
}
