/**
 * Mailchimp merge tags, read one tag at a time: `*|FNAME|*`, `*|TITLE:FNAME|*`, `*|IF:FNAME=Ana|*`,
 * `*|ELSE:|*`, `*|END:IF|*`, and Mailchimp's own tags (`*|UNSUB|*`, `*|LIST:COMPANY|*`).
 * Shared by the scanner and the preview renderer.
 */
import type { Span } from '../../model';
import { indexBefore, type ForwardIndex, type LineEnds } from '../common/scan-collector';
import { MAILCHIMP_SYSTEM_TAGS } from './system-tags';

/** Tags Mailchimp fills in itself: links, audience and campaign details (the list: system-tags.ts). */
export const SYSTEM_TAGS = new Set(MAILCHIMP_SYSTEM_TAGS.names().map((name) => name.toUpperCase()));

/** Prefixes of Mailchimp's own tags: `*|LIST:COMPANY|*`, `*|DATE:Y|*`, `*|MC:SUBJECT|*`. */
export const SYSTEM_PREFIXES = new Set(MAILCHIMP_SYSTEM_TAGS.entries.filter((entry) => entry.prefix).map((entry) => entry.name.slice(0, -1).toUpperCase()));

/** Modifiers applied to a field: `*|TITLE:FNAME|*`. */
export const MODIFIERS = new Set(['TITLE', 'UPPER', 'LOWER', 'HTML', 'URL']);

/** Block tags closed by `*|END:NAME|*`, besides IF. */
export const BLOCKS = new Set(['INTERESTED', 'RSSITEMS', 'RSSBLOCK', 'FEEDITEMS', 'FEEDBLOCK', 'RANDOM']);

export type MergeTag =
  | { kind: 'field'; name: string; nameSpan: Span; modifier?: string }
  | { kind: 'system'; content: string }
  | { kind: 'if' | 'elseif' | 'ifnot'; condition?: Condition }
  | { kind: 'else'; extra: string }
  | { kind: 'end'; block: string }
  | { kind: 'open-block'; block: string }
  | { kind: 'invalid'; message: string };

export interface Condition {
  name: string;
  nameSpan: Span;
  operator?: '=' | '!=' | '>' | '<' | '>=' | '<=';
  value?: string;
}

export interface TagMatch {
  tagSpan: Span;
  /** Start of the text between `*|` and `|*`. */
  contentStart: number;
  content: string;
}

/**
 * The next merge tag at or after `from`, or an unclosed one (`close: false`). Tags end on their
 * line, and another `*|` before the `|*` means the first was left open. `closes` finds `|*` (kept
 * across calls, so a line of unclosed tags is searched once).
 */
export function nextTag(text: string, from: number, lines: LineEnds, closes: ForwardIndex): (TagMatch & { closed: boolean }) | undefined {
  const open = text.indexOf('*|', from);
  if (open === -1) return undefined;
  const lineEnd = lines.at(open);
  const nextClose = closes.at(open + 2);
  const close = nextClose !== -1 && nextClose < lineEnd ? nextClose : -1;
  const reopen = indexBefore(text, '*|', open + 2, close === -1 ? lineEnd : close);
  if (close === -1 || reopen !== -1) {
    let end = open + 2;
    while (end < lineEnd && /[A-Za-z0-9_:]/.test(text[end])) end++;
    return { tagSpan: { start: open, end }, contentStart: open + 2, content: text.slice(open + 2, end), closed: false };
  }
  return { tagSpan: { start: open, end: close + 2 }, contentStart: open + 2, content: text.slice(open + 2, close), closed: true };
}

const NAME = /^[A-Za-z0-9_]+$/;

export function readTag(match: TagMatch): MergeTag {
  const { content, contentStart } = match;
  const colon = content.indexOf(':');
  if (colon === -1) {
    if (!NAME.test(content)) {
      return { kind: 'invalid', message: `\`*|${content}|*\` is not a merge tag name (letters, digits and _ only)` };
    }
    if (SYSTEM_TAGS.has(content.toUpperCase())) return { kind: 'system', content };
    return { kind: 'field', name: content, nameSpan: { start: contentStart, end: contentStart + content.length } };
  }
  const prefix = content.slice(0, colon).toUpperCase();
  const rest = content.slice(colon + 1);
  const restStart = contentStart + colon + 1;
  switch (prefix) {
    case 'IF':
    case 'ELSEIF':
    case 'IFNOT':
      return { kind: prefix === 'IF' ? 'if' : prefix === 'ELSEIF' ? 'elseif' : 'ifnot', condition: readCondition(rest, restStart) };
    case 'ELSE':
      return { kind: 'else', extra: rest };
    case 'END':
      return { kind: 'end', block: rest.trim().toUpperCase() };
  }
  if (BLOCKS.has(prefix)) return { kind: 'open-block', block: prefix };
  if (MODIFIERS.has(prefix)) {
    if (!NAME.test(rest)) return { kind: 'invalid', message: `\`*|${prefix}:|*\` needs a merge tag name after the colon, as in \`*|${prefix}:FNAME|*\`` };
    if (SYSTEM_TAGS.has(rest.toUpperCase())) return { kind: 'system', content };
    return { kind: 'field', name: rest, nameSpan: { start: restStart, end: restStart + rest.length }, modifier: prefix };
  }
  if (SYSTEM_PREFIXES.has(prefix)) return { kind: 'system', content };
  return { kind: 'invalid', message: `Mailchimp has no \`*|${content.slice(0, colon)}:…|*\` merge tag` };
}

function readCondition(rest: string, start: number): Condition | undefined {
  const match = /^\s*([A-Za-z0-9_]+)\s*(?:(!=|>=|<=|=|>|<)\s*(.*?))?\s*$/.exec(rest);
  if (!match) return undefined;
  const nameStart = start + rest.indexOf(match[1]);
  return {
    name: match[1],
    nameSpan: { start: nameStart, end: nameStart + match[1].length },
    operator: match[2] as Condition['operator'],
    value: match[3],
  };
}
