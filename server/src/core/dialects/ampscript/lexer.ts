/**
 * AMPscript lexer: template text to one token stream of text, `%%Attribute%%` personalization
 * strings, and the code of `%%[ … ]%%` blocks and `%%= … =%%` inline expressions.
 *
 * Hand-written because it runs on every keystroke and must give exact UTF-16 offsets; there is no
 * AMPscript engine outside Salesforce. One pass, linear in the text's length. An IF may open in one
 * block and close in another with HTML in between, so the parser reads the whole stream at once.
 */
import type { Span } from '../../model';
import type { ParameterDeclaration, PurposeDirective } from '../dialect';
import { findPurposeDirectives } from '../directives';
import { findMergewiseParameters, ForwardIndex, indexBefore, LineEnds, shortText } from '../common/scan-collector';

export type TokenKind =
  | 'text' | 'personalization' | 'block-open' | 'block-close' | 'inline-open' | 'inline-close'
  | 'name' | 'variable' | 'attribute' | 'string' | 'number' | 'operator' | 'equals'
  | 'open-paren' | 'close-paren' | 'comma' | 'bad';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Names and variables: as written. Strings: unquoted. Attributes: the name inside `[ ]` or `%% %%`. */
  value: string;
  /** Strings: false when the closing quote is missing. */
  terminated?: boolean;
  /** Personalization strings: the span of the name between the `%%`. */
  nameSpan?: Span;
}

export interface LexSink {
  error(span: Span, message: string): void;
  readonly purposeDirectives: PurposeDirective[];
  /** Where the `@param` declarations of comments that say `mergewise` go; the renderer, which needs none, gives nowhere. */
  readonly parameters?: ParameterDeclaration[];
}

const PERSONALIZATION_NAME = /^[A-Za-z_][\w\-. ]*$/;

export function lexAmpscript(text: string, sink: LexSink): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  const lines = new LineEnds(text);
  const searches = newSearches(text, lines);
  let pos = 0;
  let textStart = 0;
  const flushText = (end: number) => {
    if (end > textStart) tokens.push({ kind: 'text', start: textStart, end, value: '' });
  };
  while (pos < length) {
    const open = text.indexOf('%%', pos);
    if (open === -1) break;
    const next = text.charCodeAt(open + 2);
    const before = text.charCodeAt(open - 1);
    if (before === 93 /* ] */ && open - 1 >= textStart) {
      flushText(open - 1);
      sink.error({ start: open - 1, end: open + 2 }, '`]%%` closes no `%%[` block: the recipient would see it as raw text. Remove it, or open the block with `%%[`.');
      pos = textStart = open + 2;
      continue;
    }
    if (next === 91 /* [ */ || next === 61 /* = */) {
      const inline = next === 61;
      const closer = inline ? '=%%' : ']%%';
      const close = findClose(text, open + 3, closer, searches);
      flushText(open);
      tokens.push({ kind: inline ? 'inline-open' : 'block-open', start: open, end: open + 3, value: '' });
      const codeEnd = close.index === -1 ? close.stop : close.index;
      if (close.index === -1) {
        const shown = shortText(text, { start: open, end: Math.min(lines.at(open), codeEnd) }, 40);
        sink.error({ start: open, end: Math.max(open + 3, Math.min(lines.at(open), codeEnd)) },
          `\`${shown}\` is never closed with \`${closer}\`: the email fails to build, or the recipient sees raw AMPscript. Close it with \`${closer}\`.`);
      }
      lexCode(text, open + 3, codeEnd, tokens, sink, searches);
      if (close.index === -1) {
        tokens.push({ kind: inline ? 'inline-close' : 'block-close', start: codeEnd, end: codeEnd, value: '' });
        pos = textStart = codeEnd;
      } else {
        tokens.push({ kind: inline ? 'inline-close' : 'block-close', start: close.index, end: close.index + 3, value: '' });
        pos = textStart = close.index + 3;
      }
      continue;
    }
    // `%%FirstName%%`: a personalization string ends on the same line.
    const end = indexBefore(text, '%%', open + 2, lines.at(open));
    const sameLine = end !== -1;
    const name = sameLine ? text.slice(open + 2, end) : '';
    if (sameLine && PERSONALIZATION_NAME.test(name) && name.trim() === name) {
      flushText(open);
      tokens.push({
        kind: 'personalization', start: open, end: end + 2, value: name,
        nameSpan: { start: open + 2, end },
      });
      pos = textStart = end + 2;
      continue;
    }
    if (isNameStart(next)) {
      let stop = open + 2;
      while (stop < length && /[\w\-.]/.test(text[stop])) stop++;
      const shown = text.slice(open, stop);
      sink.error({ start: open, end: stop },
        `\`${shown}\` is never closed with \`%%\`: the recipient would see this raw personalization string. Write it as \`${shown}%%\`.`);
      pos = stop;
      continue;
    }
    if (before === 61 /* = */ && open - 1 >= textStart) {
      sink.error({ start: open - 1, end: open + 2 }, '`=%%` closes no `%%=` expression: the recipient would see it as raw text. Remove it, or open the expression with `%%=`.');
    }
    pos = open + 2;
  }
  flushText(length);
  return tokens;
}

/** The searches one lexing repeats at growing offsets, each remembered (see ForwardIndex). */
interface Searches {
  commentEnd: ForwardIndex;
  codeCommentEnd: ForwardIndex;
  attributeEnd: ForwardIndex;
  closers: Record<string, ForwardIndex>;
  reopen: ForwardIndex;
  lines: LineEnds;
}

function newSearches(text: string, lines: LineEnds): Searches {
  return {
    commentEnd: new ForwardIndex(text, '*/'),
    codeCommentEnd: new ForwardIndex(text, '*/'),
    attributeEnd: new ForwardIndex(text, ']'),
    closers: { ']%%': new ForwardIndex(text, ']%%'), '=%%': new ForwardIndex(text, '=%%') },
    reopen: new ForwardIndex(text, /%%[[=]/),
    lines,
  };
}

/**
 * Finds `closer` after `from`, skipping strings and comments. When a string runs past every closer
 * (a missing quote), the first closer found without regard to strings is used. `stop` is where the
 * code ends when the closer is missing: at the next `%%[`/`%%=`, or the end of the text.
 */
function findClose(text: string, from: number, closer: string, searches: Searches): { index: number; stop: number } {
  const closerStart = closer.charCodeAt(0);
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) {
        if (text.charCodeAt(i + 1) === quote) i++;
        else quote = 0;
      }
      continue;
    }
    if (c === 39 || c === 34) quote = c;
    else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = searches.commentEnd.at(i + 2);
      if (close === -1) break;
      i = close + 1;
    } else if (c === closerStart && text.startsWith(closer, i)) return { index: i, stop: i };
    else if (c === 37 && text.charCodeAt(i + 1) === 37 && (text.charCodeAt(i + 2) === 91 || text.charCodeAt(i + 2) === 61)) {
      return { index: -1, stop: i };
    }
  }
  const plain = searches.closers[closer].at(from);
  const reopen = searches.reopen.at(from);
  if (plain !== -1) {
    // A `%%[`/`%%=` that ends after the closer starts is no reopening (`%%=%%`).
    if (reopen === -1 || reopen + 3 > plain) return { index: plain, stop: plain };
    return { index: -1, stop: reopen };
  }
  return { index: -1, stop: reopen === -1 ? text.length : reopen };
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Tokens of AMPscript code in `[start, end)`. Comments are skipped, and searched for directives and declarations. */
function lexCode(text: string, start: number, end: number, tokens: Token[], sink: LexSink, searches: Searches): void {
  let pos = start;
  while (pos < end) {
    const c = text.charCodeAt(pos);
    if (c <= 32) { pos++; continue; }
    if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const close = searches.codeCommentEnd.at(pos + 2);
      const closed = close !== -1 && close + 2 <= end;
      const commentStop = closed ? close + 2 : end;
      const comment = text.slice(pos + 2, closed ? close : end);
      findPurposeDirectives(comment, pos + 2, sink.purposeDirectives);
      if (sink.parameters) findMergewiseParameters(comment, pos + 2, sink.parameters);
      if (!closed) {
        sink.error({ start: pos, end: Math.min(pos + 2, end) }, 'A `/*` comment is never closed with `*/`: the block fails to build. Close the comment.');
      }
      pos = commentStop;
      continue;
    }
    if (c === 39 || c === 34) {
      // Sliced between doubled quotes (`'It''s'`), not built a character at a time.
      let value = '';
      let from = pos + 1;
      let i = from;
      for (; i < end; i++) {
        if (text.charCodeAt(i) !== c) continue;
        if (i + 1 < end && text.charCodeAt(i + 1) === c) {
          value += text.slice(from, i + 1);
          from = ++i + 1;
          continue;
        }
        break;
      }
      value += text.slice(from, i);
      const terminated = i < end;
      tokens.push({ kind: 'string', start: pos, end: terminated ? i + 1 : end, value, terminated });
      pos = terminated ? i + 1 : end;
      continue;
    }
    if (isDigit(c) || (c === 45 /* - */ && isDigit(text.charCodeAt(pos + 1)))) {
      let i = pos + 1;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
        i++;
        while (i < end && isDigit(text.charCodeAt(i))) i++;
      }
      pos = pushToken(tokens, text, 'number', pos, i);
      continue;
    }
    if (c === 64 /* @ */) {
      let i = pos + 1;
      while (i < end && isNamePart(text.charCodeAt(i))) i++;
      pos = pushToken(tokens, text, i > pos + 1 ? 'variable' : 'bad', pos, i);
      continue;
    }
    if (isNameStart(c)) {
      let i = pos + 1;
      while (i < end && isNamePart(text.charCodeAt(i))) i++;
      pos = pushToken(tokens, text, 'name', pos, i);
      continue;
    }
    if (c === 91 /* [ */) {
      // On its line and in the code only, found once for a run of unclosed `[` (each searched to the end: quadratic).
      const close = searches.attributeEnd.at(pos + 1);
      if (close !== -1 && close < end && close < searches.lines.at(pos)) {
        tokens.push({ kind: 'attribute', start: pos, end: close + 1, value: text.slice(pos + 1, close) });
        pos = close + 1;
        continue;
      }
      pos = pushToken(tokens, text, 'bad', pos, pos + 1);
      continue;
    }
    const next = text.charCodeAt(pos + 1);
    // `==`, `!=`, `<=`, `>=` and `<>`.
    if ((next === 61 && (c === 61 || c === 33 || c === 60 || c === 62)) || (c === 60 && next === 62)) {
      pos = pushToken(tokens, text, 'operator', pos, pos + 2);
      continue;
    }
    switch (c) {
      case 60: case 62: pos = pushToken(tokens, text, 'operator', pos, pos + 1); continue;
      case 61: pos = pushToken(tokens, text, 'equals', pos, pos + 1); continue;
      case 40: pos = pushToken(tokens, text, 'open-paren', pos, pos + 1); continue;
      case 41: pos = pushToken(tokens, text, 'close-paren', pos, pos + 1); continue;
      case 44: pos = pushToken(tokens, text, 'comma', pos, pos + 1); continue;
      default: pos = pushToken(tokens, text, 'bad', pos, c >= 0xd800 && c <= 0xdbff && pos + 1 < end ? pos + 2 : pos + 1);
    }
  }
}

/** Adds the token `text[start, end)`, its value as written, and returns where it ends. */
function pushToken(tokens: Token[], text: string, kind: TokenKind, start: number, end: number): number {
  tokens.push({ kind, start, end, value: text.slice(start, end) });
  return end;
}
