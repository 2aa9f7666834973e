/**
 * A lexer and a small parser for the expression inside one Handlebars mustache
 * (`insert customer.first_name "default=there"`, `formatDate (lookup a b) "MM/DD" tz=zone`).
 *
 * Hand-written for the same reasons as the scanner: exact UTF-16 offsets of every path, and no
 * exception on the first mistake. The grammar follows handlebars.js's lexer (`handlebars.l`):
 * an ID is any run of characters except whitespace and `!"#%&'()*+,./;<=>@[\]^`{|}~`, segments are
 * joined by `.` or `/`, `[...]` is a literal segment, `@` starts a data variable.
 */
import { MAX_NESTING } from '../common/limits';
import { indexBefore, isSpace } from '../common/scan-collector';

export type TokenKind =
  | 'path' | 'string' | 'number' | 'boolean' | 'null' | 'undefined'
  | 'open-paren' | 'close-paren' | 'equals' | 'pipe' | 'bad' | 'end';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** For strings: the unquoted value; for paths: the text as written; otherwise the raw text. */
  value: string;
  /** For strings: false when the closing quote is missing. */
  terminated?: boolean;
  /** For paths: the segments, with `..`, `.` and `this` kept as written; `[x]` unwrapped. */
  segments?: string[];
  /** For paths: starts with `@` (a data variable such as `@index` or `@root`). */
  data?: boolean;
  /** For paths: a problem with its shape (`a/../b`, a dangling separator). */
  invalid?: string;
}

/** Characters that end an ID in handlebars.js. */
function isIdChar(c: number): boolean {
  if (c <= 32) return false;
  switch (c) {
    case 33: case 34: case 35: case 37: case 38: case 39: case 40: case 41: case 42: case 43: case 44:
    case 46: case 47: case 59: case 60: case 61: case 62: case 64: case 91: case 92: case 93: case 94:
    case 96: case 123: case 124: case 125: case 126:
      return false;
    default:
      return true;
  }
}

/** Mustachio (Postmark) paths allow only word characters, `.`, `/` and `_`. */
function isMustachioChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}


export class ExpressionLexer {
  private pos: number;
  private peeked: Token | undefined;

  constructor(private readonly text: string, start: number, private readonly end: number, private readonly mustachio = false) {
    this.pos = start;
  }

  get offset(): number {
    return this.peeked ? this.peeked.start : this.pos;
  }

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  private read(): Token {
    const text = this.text;
    while (this.pos < this.end && isSpace(text.charCodeAt(this.pos))) this.pos++;
    const start = this.pos;
    if (start >= this.end) return { kind: 'end', start, end: start, value: '' };
    const c = text.charCodeAt(start);
    if (!this.mustachio) {
      switch (c) {
        case 40: this.pos++; return { kind: 'open-paren', start, end: this.pos, value: '(' };
        case 41: this.pos++; return { kind: 'close-paren', start, end: this.pos, value: ')' };
        case 61: this.pos++; return { kind: 'equals', start, end: this.pos, value: '=' };
        case 124: this.pos++; return { kind: 'pipe', start, end: this.pos, value: '|' };
        case 34: case 39: return this.readString(c);
      }
      if (c === 45 || (c >= 48 && c <= 57)) {
        const number = /^-?\d+(?:\.\d+)?/.exec(text.slice(start, Math.min(this.end, start + 40)));
        if (number && !isIdChar(text.charCodeAt(start + number[0].length) || 32)) {
          this.pos = start + number[0].length;
          return { kind: 'number', start, end: this.pos, value: number[0] };
        }
      }
    }
    if (c === 64 || c === 46 || c === 91 || (this.mustachio ? isMustachioChar(c) : isIdChar(c))) {
      const path = this.readPath();
      if (path) return path;
    }
    // Anything else is one bad character (or, for Mustachio, a run up to the next space).
    this.pos++;
    if (this.mustachio) while (this.pos < this.end && !isSpace(text.charCodeAt(this.pos))) this.pos++;
    return { kind: 'bad', start, end: this.pos, value: text.slice(start, this.pos) };
  }

  private readString(quote: number): Token {
    const text = this.text;
    const start = this.pos;
    let value = '';
    let i = start + 1;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \ */ && text.charCodeAt(i + 1) === quote) { value += text[i + 1]; i += 2; continue; }
      if (c === quote) {
        this.pos = i + 1;
        return { kind: 'string', start, end: this.pos, value, terminated: true };
      }
      value += text[i];
      i++;
    }
    this.pos = this.end;
    return { kind: 'string', start, end: this.end, value, terminated: false };
  }

  private readPath(): Token | undefined {
    const text = this.text;
    const end = this.end;
    const start = this.pos;
    const mustachio = this.mustachio;
    const isPathChar = mustachio ? isMustachioChar : isIdChar;
    let i = start;
    const data = text.charCodeAt(i) === 64;
    if (data) i++;
    const segments: string[] = [];
    let invalid: string | undefined;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 91 /* [ */ && !mustachio) {
        // Within the tag only: searching the rest of the text for each unclosed `[` was quadratic.
        const close = indexBefore(text, ']', i + 1, end);
        if (close === -1) {
          invalid = 'a `[` segment is never closed with `]`';
          i = end;
          break;
        }
        segments.push(text.slice(i + 1, close));
        i = close + 1;
      } else if (c === 46 /* . */) {
        if (text.charCodeAt(i + 1) === 46) { segments.push('..'); i += 2; }
        else { segments.push('.'); i += 1; }
      } else if (isPathChar(c)) {
        const segmentStart = i;
        while (i < end && isPathChar(text.charCodeAt(i))) i++;
        segments.push(text.slice(segmentStart, i));
      } else {
        break;
      }
      const separator = text.charCodeAt(i);
      if (i >= end || (separator !== 46 && separator !== 47)) break;
      const after = text.charCodeAt(i + 1);
      if (mustachio && separator === 47 && segments[segments.length - 1] !== '..') {
        invalid = '`/` may only follow `..` in a Mustachio path';
      }
      if (i + 1 < end && ((after === 91 && !mustachio) || after === 46 || isPathChar(after))) {
        i++;
        continue;
      }
      invalid ??= 'the path ends with a separator';
      i++;
      break;
    }
    if (i === start || (data && segments.length === 0)) return undefined;
    this.pos = i;
    const value = text.slice(start, i);
    if (!invalid) {
      // As handlebars.js's `preparePath`: `..`, `.` and `this` may only open a path.
      let named = false;
      for (const segment of segments) {
        const special = segment === '..' || segment === '.' || (segment === 'this' && !mustachio);
        if (special && named) { invalid = `\`${value}\` goes back to \`${segment}\` after naming a field`; break; }
        if (!special) named = true;
      }
    }
    if (!mustachio && segments.length === 1 && !data) {
      const only = segments[0];
      if (value === 'true' || value === 'false') return { kind: 'boolean', start, end: i, value };
      if (value === 'null') return { kind: 'null', start, end: i, value };
      if (value === 'undefined') return { kind: 'undefined', start, end: i, value: only };
    }
    return { kind: 'path', start, end: i, value, segments, data, ...(invalid ? { invalid } : {}) };
  }
}

// ---- Parsed expressions ----------------------------------------------------------------------

export type Param =
  | { kind: 'path'; token: Token }
  | { kind: 'literal'; token: Token }
  | { kind: 'sexpr'; sexpr: SubExpression };

export interface HashPair {
  key: Token;
  value: Param | undefined;
}

/** `head param… key=value…`, the shape of a mustache's content and of a `( … )`. */
export interface SubExpression {
  head: Token;
  params: Param[];
  hash: HashPair[];
  start: number;
  end: number;
  /** `as |item index|` names, for blocks. */
  blockParams: Token[];
}

export interface ExpressionProblem {
  start: number;
  end: number;
  message: string;
}

/** The problem for sub-expressions nested past MAX_NESTING: reported once, and the rest of the tag is skipped. */
const TOO_DEEP = `sub-expressions are nested more than ${MAX_NESTING} levels deep, and Mergewise does not check deeper`;

/**
 * Parses `head params… hash…` up to the end of the lexer's range (or a `)` when nested).
 * Problems are collected, never thrown; what could be read is returned.
 */
export function parseSubExpression(lexer: ExpressionLexer, problems: ExpressionProblem[], nested: boolean, depth = 0): SubExpression | undefined {
  const head = lexer.next();
  const start = head.start;
  if (head.kind === 'end' || head.kind === 'close-paren') {
    problems.push({ start: head.start, end: head.end, message: nested ? 'empty `( )`' : 'nothing inside the braces' });
    return undefined;
  }
  if (head.kind !== 'path' && head.kind !== 'string' && head.kind !== 'number' && head.kind !== 'boolean' &&
    head.kind !== 'null' && head.kind !== 'undefined') {
    problems.push({ start: head.start, end: head.end, message: `unexpected \`${head.value}\`` });
    return undefined;
  }
  checkToken(head, problems);
  const sexpr: SubExpression = { head, params: [], hash: [], start, end: head.end, blockParams: [] };
  for (;;) {
    const token = lexer.peek();
    if (token.kind === 'end') break;
    if (token.kind === 'close-paren') {
      if (nested) break;
      lexer.next();
      problems.push({ start: token.start, end: token.end, message: 'a `)` with no `(` before it' });
      continue;
    }
    if (token.kind === 'path' && !token.data && token.segments?.length === 1 && token.value === 'as' && !nested) {
      // Block params: `as |item index|`.
      lexer.next();
      if (lexer.peek().kind !== 'pipe') {
        sexpr.params.push({ kind: 'path', token });
        continue;
      }
      lexer.next();
      while (lexer.peek().kind === 'path') sexpr.blockParams.push(lexer.next());
      const close = lexer.next();
      if (close.kind !== 'pipe') problems.push({ start: token.start, end: close.end, message: 'block parameters must read `as |item|`' });
      continue;
    }
    const param = readParam(lexer, problems, depth);
    if (!param) break;
    if (lexer.peek().kind === 'equals') {
      const equals = lexer.next();
      if (param.kind !== 'path' || param.token.segments?.length !== 1) {
        problems.push({ start: equals.start, end: equals.end, message: 'a `=` that does not follow a name' });
        continue;
      }
      const value = readParam(lexer, problems, depth);
      if (!value) problems.push({ start: param.token.start, end: equals.end, message: `\`${param.token.value}=\` has no value` });
      sexpr.hash.push({ key: param.token, value });
      continue;
    }
    if (sexpr.hash.length > 0) {
      const span = paramSpan(param);
      problems.push({ start: span.start, end: span.end, message: 'a value after `key=value` pairs; values go before them' });
    }
    sexpr.params.push(param);
  }
  sexpr.end = Math.max(sexpr.end, lexer.offset);
  return sexpr;
}

function readParam(lexer: ExpressionLexer, problems: ExpressionProblem[], depth: number): Param | undefined {
  const token = lexer.next();
  switch (token.kind) {
    case 'path':
      checkToken(token, problems);
      return { kind: 'path', token };
    case 'string':
      checkToken(token, problems);
      return { kind: 'literal', token };
    case 'number': case 'boolean': case 'null': case 'undefined':
      return { kind: 'literal', token };
    case 'open-paren': {
      if (depth >= MAX_NESTING) {
        // Following them all overflowed the stack: say so once, and skip the rest of the tag.
        problems.push({ start: token.start, end: token.end, message: TOO_DEEP });
        while (lexer.peek().kind !== 'end') lexer.next();
        return undefined;
      }
      const inner = parseSubExpression(lexer, problems, true, depth + 1);
      const close = lexer.next();
      if (close.kind !== 'close-paren' && problems[problems.length - 1]?.message !== TOO_DEEP) {
        problems.push({ start: token.start, end: Math.max(token.end, close.start), message: 'a `(` is never closed with `)`' });
      }
      if (!inner) return undefined;
      inner.start = token.start;
      inner.end = close.kind === 'close-paren' ? close.end : inner.end;
      return { kind: 'sexpr', sexpr: inner };
    }
    case 'end':
      return undefined;
    default:
      problems.push({ start: token.start, end: token.end, message: `unexpected \`${token.value}\`` });
      return undefined;
  }
}

function checkToken(token: Token, problems: ExpressionProblem[]): void {
  if (token.kind === 'string' && token.terminated === false) {
    problems.push({ start: token.start, end: token.end, message: 'a text value is missing its closing quote' });
  }
  if (token.kind === 'path' && token.invalid) {
    problems.push({ start: token.start, end: token.end, message: token.invalid });
  }
}

export function paramSpan(param: Param): { start: number; end: number } {
  return param.kind === 'sexpr' ? { start: param.sexpr.start, end: param.sexpr.end } : { start: param.token.start, end: param.token.end };
}

/** The literal value of a token, as the platform reads it. */
export function literalValue(token: Token): string | number | boolean | null | undefined {
  switch (token.kind) {
    case 'string': return token.value;
    case 'number': return Number(token.value);
    case 'boolean': return token.value === 'true';
    case 'null': return null;
    default: return undefined;
  }
}
