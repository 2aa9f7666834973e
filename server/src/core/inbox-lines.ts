/**
 * Where a template keeps the two lines the inbox shows before the email is opened: the subject and
 * the preheader (the preview text after the subject). A blank there is the worst place to have one.
 *
 * Found where templates keep them:
 * - front matter at the very start (`---\nsubject: …\npreheader: …\n---`, as Maizzle, Eleventy and
 *   many build tools read it);
 * - `<title>`, which many platforms and build tools send as the subject;
 * - the hidden preheader block: an element whose `class` or `id` names a "preheader" or "preview"
 *   (`<span class="preheader">`, `<div id="preview-text">`), or a `<div>`/`<span>` hidden with
 *   `display:none`, `max-height:0`, `opacity:0` or `mso-hide:all` before any visible text of the
 *   body (a hidden block further down is a mobile-only or Outlook-only part, not the preheader);
 * - a `subjects` entry in `mergewise.json` (see schema/types.ts), which the caller passes as a whole
 *   text whose one line is the subject or the preheader.
 *
 * Hand-written rather than an HTML parser from a library, on purpose: a template is not HTML yet.
 * Merge tags sit in text, inside attribute values and between attributes, with their own quotes and
 * angle brackets (`<div {% if a > b %}class="x"{% endif %}>`), which a parser reads as the end of a
 * tag; and only four places are wanted, which one forward pass finds. The pass never goes back: each
 * character is read a bounded number of times, so it is linear on any input, and an unclosed tag,
 * quote, comment or merge tag ends it rather than making it search again.
 */
import { withoutMergeTags } from './html-context';
import type { Span } from './model';

export type InboxLineKind = 'subject' | 'preheader';

/** Where the line was found. */
export type InboxLineSource = 'front matter' | 'title' | 'preheader block' | 'mergewise.json';

export interface InboxLine {
  kind: InboxLineKind;
  /** The line's text in the template: the value, inside any quotes; the element's content. */
  span: Span;
  source: InboxLineSource;
}

/** The front matter keys of each line. */
const FRONT_MATTER_KEYS: Record<string, InboxLineKind> = {
  subject: 'subject',
  preheader: 'preheader',
  preview: 'preheader',
  previewtext: 'preheader',
  preview_text: 'preheader',
};

/** A `class` or `id` with one of these words marks the preheader block. */
const PREHEADER_NAME = /preheader|preview/i;

/** Styles that hide a block from the reader (inbox clients still read its text as the preview). */
const HIDDEN_STYLE = /display:none|max-height:0(?![.\d])|opacity:0(?![.\d])|mso-hide:all/;

/** Elements whose content is not text to the reader, skipped whole. */
const RAW_TEXT = new Set(['script', 'style', 'textarea']);

/** Elements with no content: never a preheader block, never nested. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The subject and preheader lines of a template, in the order they appear. Pure and linear. */
export function findInboxLines(text: string): InboxLine[] {
  const lines: InboxLine[] = [];
  let pos = frontMatter(text, lines);
  // Text before `<body>` (the head) is never visible; without a `<body>` the text is all body.
  let inBody = !/<body[\s>/]/i.test(text);
  let visibleSeen = false;
  let title = false;
  /** The preheader block being read: its element name, where its content starts, its nesting. */
  let open: { name: string; start: number; depth: number } | undefined;
  let preheader = false;
  // Template comments (`{% comment %}`, `{{!-- --}}`, `{# #}`) may mention `<title>` or hold old markup:
  // skipped whole. The next one is searched for again only once the pass is past it.
  let comment: RegExpExecArray | null | undefined;
  // The next `<`, likewise searched for again only once passed: many comments and no `<` would
  // otherwise search to the end once per comment.
  let lt = -2;
  while (pos < text.length) {
    if (lt !== -1 && lt < pos) lt = text.indexOf('<', pos);
    if (comment !== null && (comment === undefined || comment.index < pos)) {
      TEMPLATE_COMMENT.lastIndex = pos;
      comment = TEMPLATE_COMMENT.exec(text);
    }
    if (comment && (lt === -1 || comment.index < lt)) {
      if (inBody && !visibleSeen && !preheader && !open && hasVisibleText(text, pos, comment.index)) visibleSeen = true;
      const end = commentEnd(text, comment);
      if (end === -1) break;
      pos = end;
      continue;
    }
    const segmentEnd = lt === -1 ? text.length : lt;
    if (inBody && !visibleSeen && !preheader && !open && hasVisibleText(text, pos, segmentEnd)) visibleSeen = true;
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end === -1) break;
      pos = end + 3;
      continue;
    }
    if (text[lt + 1] === '!' || text[lt + 1] === '?') {
      // `<!doctype html>`, `<![endif]>`, `<?xml …?>`.
      const end = text.indexOf('>', lt + 2);
      if (end === -1) break;
      pos = end + 1;
      continue;
    }
    const closing = text[lt + 1] === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd), nameEnd === nameStart)) nameEnd++;
    if (nameEnd === nameStart) {
      // "1 < 2": a `<` that opens no tag is text.
      if (inBody && !visibleSeen && !open) visibleSeen = true;
      pos = lt + 1;
      continue;
    }
    const end = tagEnd(text, nameEnd);
    if (end === -1) break;
    const name = text.slice(nameStart, nameEnd).toLowerCase();
    pos = end + 1;
    if (open) {
      if (name === open.name && !closing && text[end - 1] !== '/') open.depth++;
      else if (name === open.name && closing && --open.depth === 0) {
        lines.push({ kind: 'preheader', span: { start: open.start, end: lt }, source: 'preheader block' });
        open = undefined;
        preheader = true;
        // Nothing later can be an inbox line: the first title and the first preheader count.
        if (title) break;
      }
      continue;
    }
    if (closing) continue;
    if (name === 'body') {
      inBody = true;
      visibleSeen = false;
      continue;
    }
    if (name === 'title' || RAW_TEXT.has(name)) {
      const close = closingTag(text, name, pos);
      if (close === -1) break;
      if (name === 'title' && !title) {
        lines.push({ kind: 'subject', span: { start: pos, end: close }, source: 'title' });
        title = true;
        if (preheader) break;
      }
      pos = text.indexOf('>', close) + 1 || text.length;
      continue;
    }
    if (preheader || !inBody || VOID.has(name) || name === 'html' || name === 'head' || text[end - 1] === '/') continue;
    const attributes = text.slice(nameEnd, end);
    const named = PREHEADER_NAME.test(attributeValue(attributes, 'class') + ' ' + attributeValue(attributes, 'id'));
    const hidden = !visibleSeen && (name === 'div' || name === 'span') &&
      HIDDEN_STYLE.test(attributeValue(attributes, 'style').replace(/\s+/g, '').toLowerCase());
    if (named || hidden) open = { name, start: pos, depth: 1 };
  }
  return lines.sort((a, b) => a.span.start - b.span.start);
}

/** The start of a template comment: Liquid's block, Handlebars' `{{! }}` and `{{!-- --}}`, Django's `{# #}`. */
const TEMPLATE_COMMENT = /\{%-?\s*comment\s*-?%\}|\{\{~?!(?:--)?|\{#/g;

/** Where the comment that `start` opens ends (past its closing delimiter); -1 when it never does. */
function commentEnd(text: string, start: RegExpExecArray): number {
  const opened = start[0];
  const from = start.index + opened.length;
  if (opened.startsWith('{%')) {
    ENDCOMMENT.lastIndex = from;
    const end = ENDCOMMENT.exec(text);
    return end ? end.index + end[0].length : -1;
  }
  const close = opened.endsWith('--') ? '--' : opened.startsWith('{#') ? '#}' : '}}';
  const at = text.indexOf(close, from);
  if (at === -1) return -1;
  if (close !== '--') return at + close.length;
  const brace = text.indexOf('}}', at);
  return brace === -1 ? -1 : brace + 2;
}

const ENDCOMMENT = /\{%-?\s*endcomment\s*-?%\}/g;

/** The inbox line that holds `span`, if any. */
export function inboxLineAt(lines: readonly InboxLine[], span: Span): InboxLine | undefined {
  for (const line of lines) if (span.start >= line.span.start && span.end <= line.span.end) return line;
  return undefined;
}

/** How a message names the line: "the subject line", "the preheader". */
export function describeInboxLine(line: InboxLine): string {
  return line.kind === 'subject' ? 'the subject line' : 'the preheader';
}

/**
 * The line as the inbox would show it with `removed` (a merge tag) blank: markup, spacer entities
 * (`&nbsp;&zwnj;` padding) and repeated spaces dropped, shortened to 80 characters.
 */
export function lineWithout(text: string, line: InboxLine, removed: Span): string {
  const shown = withoutMergeTags(text.slice(line.span.start, removed.start) + text.slice(removed.end, line.span.end), valueShownAs)
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:nbsp|zwnj|zwj|shy|#8203|#847|#160|#xa0|#x200c|#x34f);/gi, ' ')
    .replace(/[\s\u00a0\u200b-\u200d\u034f\u00ad]+/g, ' ')
    .replace(/^ /, '');
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}

/** Front matter at the start: its subject and preheader lines; returns where the template after it starts. */
function frontMatter(text: string, lines: InboxLine[]): number {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const open = /^---[ \t]*\r?\n/.exec(text.slice(start, start + 8));
  if (!open) return 0;
  let pos = start + open[0].length;
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(pos, lineEnd).replace(/\r$/, '');
    if (/^(?:---|\.\.\.)[ \t]*$/.test(line)) return lineEnd + 1;
    const entry = /^([A-Za-z_]+)[ \t]*:[ \t]*/.exec(line);
    const kind = entry ? FRONT_MATTER_KEYS[entry[1].toLowerCase()] : undefined;
    if (entry && kind) {
      let valueStart = pos + entry[0].length;
      let valueEnd = pos + line.replace(/[ \t]+$/, '').length;
      const quote = text[valueStart];
      if ((quote === '"' || quote === '\'') && valueEnd - valueStart >= 2 && text[valueEnd - 1] === quote) {
        valueStart++;
        valueEnd--;
      }
      // A block scalar (`subject: |`) or an empty value holds no line here.
      if (valueEnd > valueStart && !/^[|>][-+]?$/.test(text.slice(valueStart, valueEnd))) {
        lines.push({ kind, span: { start: valueStart, end: valueEnd }, source: 'front matter' });
      }
    }
    pos = lineEnd + 1;
  }
  // Never closed: not front matter.
  lines.length = 0;
  return 0;
}

function isNameChar(code: number, first: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return first ? letter : letter || (code >= 48 && code <= 57) || code === 45 || code === 58;
}

/**
 * The `>` that ends the tag whose attributes start at `from`, past quoted values and merge tags
 * (`{{ … }}`, `{% … %}`, `%%= … =%%`, `%%[ … ]%%`), which may hold a `>`; -1 when it never ends.
 */
function tagEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '>') return i;
    if (c === '"' || c === '\'') {
      const close = text.indexOf(c, i + 1);
      if (close === -1) return -1;
      i = close + 1;
    } else if (c === '{' && (text[i + 1] === '{' || text[i + 1] === '%')) {
      const close = text.indexOf(text[i + 1] === '{' ? '}}' : '%}', i + 2);
      if (close === -1) return -1;
      i = close + 2;
    } else if (c === '%' && text[i + 1] === '%' && (text[i + 2] === '=' || text[i + 2] === '[')) {
      const close = text.indexOf(text[i + 2] === '=' ? '=%%' : ']%%', i + 3);
      if (close === -1) return -1;
      i = close + 3;
    } else {
      i++;
    }
  }
  return -1;
}

/** Where `</name` starts at or after `from`, in any case; -1 when there is none. */
function closingTag(text: string, name: string, from: number): number {
  const pattern = new RegExp(`</${name}[\\s>]`, 'ig');
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? -1;
}

const ATTRIBUTES = {
  class: attributePattern('class'),
  id: attributePattern('id'),
  style: attributePattern('style'),
};

function attributePattern(name: string): RegExp {
  return new RegExp(`(?:^|[\\s"'])${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');
}

/** An attribute's value in a tag's attribute text, or '' without it. */
function attributeValue(attributes: string, name: keyof typeof ATTRIBUTES): string {
  const match = ATTRIBUTES[name].exec(attributes);
  return match ? match[1] ?? match[2] ?? match[3] ?? '' : '';
}

/**
 * Whether `text[start, end)` holds text the reader sees: anything but white space, spacer entities
 * and template statements (`{% if %}`, `{{#if}}`, `{{! … }}`, `%%[ … ]%%`), which print nothing.
 * Stops at the first visible character.
 */
function hasVisibleText(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\u00a0' || c === '\u200c' || c === '\u034f') {
      i++;
      continue;
    }
    let close = -1;
    if (c === '{' && text[i + 1] === '%') close = skipTo(text, '%}', i + 2, end);
    else if (c === '{' && text[i + 1] === '{' && '#/!^>~'.includes(text[i + 2] ?? '')) close = skipTo(text, '}}', i + 3, end);
    else if (c === '%' && text[i + 1] === '%' && text[i + 2] === '[') close = skipTo(text, ']%%', i + 3, end);
    else if (c === '&') {
      const entity = /^&(?:nbsp|zwnj|#847|#160|#8204);/i.exec(text.slice(i, Math.min(end, i + 8)));
      if (entity) {
        i += entity[0].length;
        continue;
      }
    }
    if (close === -1) return true;
    i = close;
  }
  return false;
}

/** Past the next `token` before `end`; -1 when there is none there. */
function skipTo(text: string, token: string, from: number, end: number): number {
  const at = text.indexOf(token, from);
  return at === -1 || at + token.length > end ? -1 : at + token.length;
}

/**
 * What stands for another merge tag in a quoted line: `…` for a value (each recipient's own), nothing
 * for a tag that shows none (`{% if %}`, `{{#if}}`, `{{/if}}`, `*|IF:X|*`, a comment).
 */
function valueShownAs(tag: string): string {
  if (/^(?:\{%|\{#|%%\[)/.test(tag)) return '';
  if (/^\{\{\{?~?\s*(?:[#/!^>]|else\b)/.test(tag)) return '';
  if (/^\*\|(?:IF|ELSEIF|ELSE|END|IFNOT|INTERESTED):/.test(tag)) return '';
  return '…';
}
