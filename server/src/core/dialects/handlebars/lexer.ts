/**
 * A lexer and a small parser for the expression inside one Handlebars mustache
 * (`insert customer.first_name "default=there"`, `formatDate (lookup a b) "MM/DD" tz=zone`).
 *
 * Hand-written for the same reasons as the scanner: exact UTF-16 offsets of every path, and no
 * exception on the first mistake. The grammar follows handlebars.js's lexer (`handlebars.l`):
 * an ID is any run of characters except whitespace and `!"#%&'()*+,./;<=>@[\]^`{|}~`, segments are
 * joined by `.` or `/`, `[...]` is a literal segment, `@` starts a data variable.
 *
 * It runs on every tag at every keystroke, so it allocates little: the token ahead is a kind and a
 * span held by the lexer, and only paths and literals, which the parse keeps, become objects.
 */
import { MAX_NESTING } from '../common/limits';
import { intern } from '../common/intern';
import { indexBefore, isSpace } from '../common/scan-collector';

export type TokenKind = ValueKind | 'open-paren' | 'close-paren' | 'equals' | 'pipe' | 'bad' | 'end';

/** The tokens that carry a value: paths and literals. */
export type ValueKind = 'path' | 'string' | 'number' | 'boolean' | 'null' | 'undefined';

const NO_SEGMENTS: string[] = [];

/**
 * A path or a literal. One class, so that every token has the same shape. Tokens are reused from
 * tag to tag (see `ExpressionLexer.startTag`): keep a token's value, never the token, past its tag.
 */
export class Token {
  /** For paths: starts with `@` (a data variable such as `@index` or `@root`). */
  data = false;
  /** A problem with what is written: a path's shape (`a/../b`, a dangling separator), a string's missing closing quote. */
  invalid: string | undefined = undefined;
  /**
   * For paths: names joined by `.` (`customer.first_name`; no `@`, `..`, `this`, `[x]` or index), as
   * most paths are. The text is then also the data path it names from its context, and the segments
   * are split from it only when asked.
   */
  plain = false;
  private parts: string[] | undefined = undefined;

  constructor(
    public kind: ValueKind,
    public start: number,
    public end: number,
    /** For strings: the unquoted value; otherwise the text as written. */
    public value: string,
  ) {}

  /** Makes this token another one, as new. */
  reuse(kind: ValueKind, start: number, end: number, value: string): this {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.value = value;
    this.data = false;
    this.invalid = undefined;
    this.plain = false;
    this.parts = undefined;
    return this;
  }

  /** For paths: the segments, with `..`, `.` and `this` kept as written; `[x]` unwrapped. */
  get segments(): string[] {
    return (this.parts ??= this.plain ? this.value.split('.') : NO_SEGMENTS);
  }

  set segments(segments: string[]) {
    this.parts = segments;
  }

  /** For paths: one segment (`first_name`, `if`). */
  get single(): boolean {
    return this.plain ? !this.value.includes('.') : this.segments.length === 1;
  }
}

/** The ASCII characters for which `allowed` holds, as a table by code (looked up for every character of every path). */
function asciiTable(allowed: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = allowed(c) ? 1 : 0;
  return table;
}

/** ASCII characters an ID may hold: handlebars.js ends one at whitespace, a control character or one of these. */
const ID_CHARS = asciiTable((c) => c > 32 && !'!"#%&\'()*+,./;<=>@[\\]^`{|}~'.includes(String.fromCharCode(c)));

/** Mustachio (Postmark) paths allow only word characters, `.`, `/` and `_`. */
const MUSTACHIO_CHARS = asciiTable((c) => /\w/.test(String.fromCharCode(c)));

/** Whether `c` may be in a path segment; every character above ASCII may. */
function isPathChar(c: number, ascii: Uint8Array): boolean {
  return c > 127 || ascii[c] === 1;
}

function isIdChar(c: number): boolean {
  return isPathChar(c, ID_CHARS);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `/^\d+$/`: a segment that is an array index (`items.0`, `items.[0]`). */
export function isIndex(segment: string): boolean {
  return isIndexAt(segment, 0, segment.length);
}

function isIndexAt(text: string, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * `list` (or none yet) with `item` added. Lists of one and two are made at their exact size: pushing
 * to `[]` reserves 16 slots, and most paths have one or two segments, most expressions one or two
 * params, most blocks one or two branches.
 */
export function add<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  if (list.length === 1) return [list[0], item];
  list.push(item);
  return list;
}

export class ExpressionLexer {
  /** The span of the token ahead, once `peek` has read it. */
  start = 0;
  end = 0;
  private kind: TokenKind = 'end';
  /** The token ahead when it is a path or a literal. */
  private token: Token | undefined;
  private ahead = false;
  private pos = 0;
  private limit = 0;
  /** Tokens of the current tag first (`pooled` of them), then tokens waiting to be reused. */
  private readonly pool: Token[] = [];
  private pooled = 0;
  /** One string per plain path written (see `intern`). */
  private readonly plainPaths = new Map<string, string>();

  /** The ASCII characters a path segment may hold. */
  private readonly pathChars: Uint8Array;

  constructor(private readonly text: string, private readonly mustachio = false) {
    this.pathChars = mustachio ? MUSTACHIO_CHARS : ID_CHARS;
  }

  /**
   * Starts a tag: the token objects handed out for the tags before are reused. A template has
   * thousands of tags, and a new object for each of their paths was garbage made while the results
   * built so far, still in use, were copied by every collection.
   */
  startTag(): void {
    this.pooled = 0;
  }

  private newToken(kind: ValueKind, start: number, end: number, value: string): Token {
    const token = this.pool[this.pooled];
    this.pooled++;
    if (token) return token.reuse(kind, start, end, value);
    const made = new Token(kind, start, end, value);
    this.pool.push(made);
    return made;
  }

  /** Starts on the expression `text[start, end)`: one lexer serves every tag of a template. */
  reset(start: number, end: number): this {
    this.pos = start;
    this.limit = end;
    this.ahead = false;
    this.token = undefined;
    return this;
  }

  /** The start of the token ahead once peeked, otherwise the end of the last one. */
  get offset(): number {
    return this.ahead ? this.start : this.pos;
  }

  /** The kind of the token ahead, read on first asking. */
  peek(): TokenKind {
    if (!this.ahead) {
      this.read();
      this.ahead = true;
    }
    return this.kind;
  }

  /** Moves past the token ahead. */
  advance(): void {
    this.peek();
    this.ahead = false;
  }

  /** Takes the token ahead, which `peek` said is a path or a literal. */
  take(): Token {
    this.advance();
    return this.token as Token;
  }

  /** The token ahead, which `peek` said is a path or a literal, left ahead. */
  peekToken(): Token {
    this.peek();
    return this.token as Token;
  }

  /** The token ahead as written, for messages. */
  written(): string {
    this.peek();
    return this.text.slice(this.start, this.end);
  }

  private read(): void {
    const text = this.text;
    while (this.pos < this.limit && isSpace(text.charCodeAt(this.pos))) this.pos++;
    this.start = this.pos;
    this.token = undefined;
    this.kind = this.scan();
    this.end = this.pos;
  }

  /** Reads one token from `pos`, moving `pos` past it. */
  private scan(): TokenKind {
    const text = this.text;
    const start = this.pos;
    if (start >= this.limit) return 'end';
    const c = text.charCodeAt(start);
    if (!this.mustachio) {
      switch (c) {
        case 40: this.pos++; return 'open-paren';
        case 41: this.pos++; return 'close-paren';
        case 61: this.pos++; return 'equals';
        case 124: this.pos++; return 'pipe';
        case 34: case 39: return this.readString(c);
      }
      if ((c === 45 || isDigit(c)) && this.readNumber()) return 'number';
    }
    if (c === 64 || c === 46 || c === 91 || isPathChar(c, this.pathChars)) {
      const kind = this.readPath();
      if (kind) return kind;
    }
    // Anything else is one bad character (or, for Mustachio, a run up to the next space).
    this.pos++;
    if (this.mustachio) while (this.pos < this.limit && !isSpace(text.charCodeAt(this.pos))) this.pos++;
    return 'bad';
  }

  /** `-?\d+(\.\d+)?` within 40 characters, and not followed by an ID character (`12px` is a path). */
  private readNumber(): boolean {
    const text = this.text;
    const start = this.pos;
    const limit = Math.min(this.limit, start + 40);
    let i = text.charCodeAt(start) === 45 ? start + 1 : start;
    const digits = i;
    while (i < limit && isDigit(text.charCodeAt(i))) i++;
    if (i === digits) return false;
    if (i + 1 < limit && text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < limit && isDigit(text.charCodeAt(i))) i++;
    }
    if (isIdChar(text.charCodeAt(i) || 32)) return false;
    this.pos = i;
    this.token = this.newToken('number', start, i, text.slice(start, i));
    return true;
  }

  private readString(quote: number): 'string' {
    const text = this.text;
    const start = this.pos;
    // The value is sliced between escapes, not built a character at a time.
    let value = '';
    let from = start + 1;
    let i = from;
    for (; i < this.limit; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \ */ && text.charCodeAt(i + 1) === quote) {
        value += text.slice(from, i);
        from = ++i; // the escaped quote opens the next slice
      } else if (c === quote) {
        this.pos = i + 1;
        this.token = this.newToken('string', start, this.pos, value + text.slice(from, i));
        return 'string';
      }
    }
    this.pos = this.limit;
    this.token = this.newToken('string', start, this.limit, value + text.slice(from, i));
    this.token.invalid = 'a text value is missing its closing quote';
    return 'string';
  }

  /** Reads a path: a plain one without splitting it, any other segment by segment. */
  private readPath(): ValueKind | undefined {
    const start = this.pos;
    const end = this.plainPathEnd(start);
    if (end === -1) return this.readSegments();
    const value = intern(this.plainPaths, this.text.slice(start, end));
    this.pos = end;
    if (!this.mustachio && !value.includes('.')) {
      const keyword = this.keywordLiteral(start, end, value);
      if (keyword) return keyword;
    }
    const token = this.newToken('path', start, end, value);
    token.plain = true;
    this.token = token;
    return 'path';
  }

  /**
   * The end of the plain path at `start`, or -1 when the path there is not plain: names joined by
   * `.`, none of them `this` (in Handlebars) or an index, and no dangling separator.
   */
  private plainPathEnd(start: number): number {
    const text = this.text;
    const end = this.limit;
    const pathChars = this.pathChars;
    let i = start;
    for (;;) {
      const segmentStart = i;
      while (i < end && isPathChar(text.charCodeAt(i), pathChars)) i++;
      if (i === segmentStart || isIndexAt(text, segmentStart, i)) return -1;
      if (!this.mustachio && i - segmentStart === 4 && text.startsWith('this', segmentStart)) return -1;
      if (i >= end) return i;
      const separator = text.charCodeAt(i);
      if (separator === 47 /* / */) return -1;
      if (separator !== 46 /* . */) return i;
      // What follows the dot must be a name: a dangling `.`, a `..` or a `[x]` is read segment by segment.
      if (i + 1 >= end || !isPathChar(text.charCodeAt(i + 1), pathChars)) return -1;
      i++;
    }
  }

  /** Reads a path that is not plain (`../x`, `@root.x`, `items.[0]`, `this`, or a mistake) segment by segment. */
  private readSegments(): ValueKind | undefined {
    const text = this.text;
    const end = this.limit;
    const start = this.pos;
    const mustachio = this.mustachio;
    const pathChars = this.pathChars;
    let segments: string[] | undefined;
    let i = start;
    const data = text.charCodeAt(i) === 64;
    if (data) i++;
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
        segments = add(segments, text.slice(i + 1, close));
        i = close + 1;
      } else if (c === 46 /* . */) {
        if (text.charCodeAt(i + 1) === 46) { segments = add(segments, '..'); i += 2; }
        else { segments = add(segments, '.'); i += 1; }
      } else if (isPathChar(c, pathChars)) {
        const segmentStart = i;
        while (i < end && isPathChar(text.charCodeAt(i), pathChars)) i++;
        segments = add(segments, text.slice(segmentStart, i));
      } else {
        break;
      }
      const separator = text.charCodeAt(i);
      if (i >= end || (separator !== 46 && separator !== 47)) break;
      const after = text.charCodeAt(i + 1);
      if (mustachio && separator === 47 && segments?.[segments.length - 1] !== '..') {
        invalid = '`/` may only follow `..` in a Mustachio path';
      }
      if (i + 1 < end && ((after === 91 && !mustachio) || after === 46 || isPathChar(after, pathChars))) {
        i++;
        continue;
      }
      invalid ??= 'the path ends with a separator';
      i++;
      break;
    }
    if (i === start || (data && !segments)) return undefined;
    this.pos = i;
    segments ??= NO_SEGMENTS;
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
      const keyword = this.keywordLiteral(start, i, value);
      if (keyword) return keyword;
    }
    const token = this.newToken('path', start, i, value);
    token.segments = segments;
    token.data = data;
    token.invalid = invalid;
    this.token = token;
    return 'path';
  }

  private literal(kind: ValueKind, start: number, end: number, value: string): ValueKind {
    this.token = this.newToken(kind, start, end, value);
    return kind;
  }

  /** `true`, `false`, `null` and `undefined` are values, not paths. */
  private keywordLiteral(start: number, end: number, value: string): ValueKind | undefined {
    if (value === 'true' || value === 'false') return this.literal('boolean', start, end, value);
    if (value === 'null' || value === 'undefined') return this.literal(value, start, end, value);
    return undefined;
  }
}

// ---- Parsed expressions ----------------------------------------------------------------------

/** A value in an expression: a path, a literal or a sub-expression. */
export type Param = Token | SubExpression;

export interface HashPair {
  key: Token;
  value: Param | undefined;
}

interface Arguments {
  params: readonly Param[];
  hash: readonly HashPair[];
  /** `as |item index|` names, for blocks. */
  blockParams: readonly Token[];
}

/** `head param… key=value…`, the shape of a mustache's content and of a `( … )`. */
export interface SubExpression extends Arguments {
  kind: 'sexpr';
  head: Token;
  start: number;
  end: number;
}

/** `{{> name context key=value}}`: the name is a path or literal, or a `( … )` that computes it. */
export interface PartialCall extends Arguments {
  name: Param;
}

export interface ExpressionProblem {
  start: number;
  end: number;
  message: string;
}

/** Shared by every expression without params, hash or block params. */
const NONE: readonly never[] = [];

/** The problem for sub-expressions nested past MAX_NESTING: reported once, and the rest of the tag is skipped. */
const TOO_DEEP = `sub-expressions are nested more than ${MAX_NESTING} levels deep, and Mergewise does not check deeper`;

/**
 * Parses `head params… hash…` up to the end of the lexer's range (or a `)` when nested).
 * Problems are collected, never thrown; what could be read is returned.
 */
export function parseSubExpression(lexer: ExpressionLexer, problems: ExpressionProblem[], nested: boolean, depth = 0): SubExpression | undefined {
  const headKind = lexer.peek();
  const start = lexer.start;
  if (headKind === 'end' || headKind === 'close-paren') {
    problems.push({ start, end: lexer.end, message: nested ? 'empty `( )`' : 'nothing inside the braces' });
    lexer.advance();
    return undefined;
  }
  if (!isValueKind(headKind)) {
    problems.push({ start, end: lexer.end, message: `unexpected \`${lexer.written()}\`` });
    lexer.advance();
    return undefined;
  }
  const head = lexer.take();
  checkToken(head, problems);
  const sexpr: SubExpression = { kind: 'sexpr', head, params: NONE, hash: NONE, start, end: 0, blockParams: NONE };
  readArguments(lexer, problems, nested, depth, sexpr);
  sexpr.end = Math.max(head.end, lexer.offset);
  return sexpr;
}

/**
 * The content of `{{> name context key=value}}`: a mustache's, except that the name may also be a
 * `( … )` that computes it (handlebars.js's dynamic partials). Undefined when it names nothing.
 */
export function parsePartial(lexer: ExpressionLexer, problems: ExpressionProblem[]): PartialCall | undefined {
  const name = readParam(lexer, problems, 0);
  if (!name) return undefined;
  const call: PartialCall = { name, params: NONE, hash: NONE, blockParams: NONE };
  readArguments(lexer, problems, false, 0, call);
  return call;
}

/** The values, `key=value` pairs and block params after a head, up to the end (or the `)` of a nested one). */
function readArguments(lexer: ExpressionLexer, problems: ExpressionProblem[], nested: boolean, depth: number, into: Arguments): void {
  let params: Param[] | undefined;
  let hash: HashPair[] | undefined;
  let blockParams: Token[] | undefined;
  for (;;) {
    const kind = lexer.peek();
    if (kind === 'end') break;
    if (kind === 'close-paren') {
      if (nested) break;
      problems.push({ start: lexer.start, end: lexer.end, message: 'a `)` with no `(` before it' });
      lexer.advance();
      continue;
    }
    if (kind === 'path' && !nested && lexer.peekToken().value === 'as') {
      // Block params: `as |item index|`.
      const as = lexer.take();
      if (lexer.peek() !== 'pipe') {
        params = add(params, as);
        continue;
      }
      lexer.advance();
      while (lexer.peek() === 'path') blockParams = add(blockParams, lexer.take());
      const closed = lexer.peek() === 'pipe';
      const closeEnd = lexer.end;
      lexer.advance();
      if (!closed) problems.push({ start: as.start, end: closeEnd, message: 'block parameters must read `as |item|`' });
      continue;
    }
    const param = readParam(lexer, problems, depth);
    if (!param) break;
    if (lexer.peek() === 'equals') {
      const equalsStart = lexer.start;
      const equalsEnd = lexer.end;
      lexer.advance();
      if (param.kind !== 'path' || !param.single) {
        problems.push({ start: equalsStart, end: equalsEnd, message: 'a `=` that does not follow a name' });
        continue;
      }
      const value = readParam(lexer, problems, depth);
      if (!value) problems.push({ start: param.start, end: equalsEnd, message: `\`${param.value}=\` has no value` });
      hash = add(hash, { key: param, value });
      continue;
    }
    if (hash) problems.push({ start: param.start, end: param.end, message: 'a value after `key=value` pairs; values go before them' });
    params = add(params, param);
  }
  into.params = params ?? NONE;
  into.hash = hash ?? NONE;
  into.blockParams = blockParams ?? NONE;
}

function readParam(lexer: ExpressionLexer, problems: ExpressionProblem[], depth: number): Param | undefined {
  const kind = lexer.peek();
  switch (kind) {
    case 'path': case 'string': {
      const token = lexer.take();
      checkToken(token, problems);
      return token;
    }
    case 'number': case 'boolean': case 'null': case 'undefined':
      return lexer.take();
    case 'open-paren': {
      const openStart = lexer.start;
      const openEnd = lexer.end;
      lexer.advance();
      if (depth >= MAX_NESTING) {
        // Following them all overflowed the stack: say so once, and skip the rest of the tag.
        problems.push({ start: openStart, end: openEnd, message: TOO_DEEP });
        while (lexer.peek() !== 'end') lexer.advance();
        return undefined;
      }
      const inner = parseSubExpression(lexer, problems, true, depth + 1);
      const closed = lexer.peek() === 'close-paren';
      const closeStart = lexer.start;
      const closeEnd = lexer.end;
      lexer.advance();
      if (!closed && problems[problems.length - 1]?.message !== TOO_DEEP) {
        problems.push({ start: openStart, end: Math.max(openEnd, closeStart), message: 'a `(` is never closed with `)`' });
      }
      if (!inner) return undefined;
      inner.start = openStart;
      if (closed) inner.end = closeEnd;
      return inner;
    }
    case 'end':
      lexer.advance();
      return undefined;
    default:
      problems.push({ start: lexer.start, end: lexer.end, message: `unexpected \`${lexer.written()}\`` });
      lexer.advance();
      return undefined;
  }
}

function isValueKind(kind: TokenKind): kind is ValueKind {
  return kind === 'path' || kind === 'string' || kind === 'number' || kind === 'boolean' || kind === 'null' || kind === 'undefined';
}

function checkToken(token: Token, problems: ExpressionProblem[]): void {
  if (token.invalid) problems.push({ start: token.start, end: token.end, message: token.invalid });
}

/** A string, number, boolean, `null` or `undefined`. */
export function isLiteral(param: Param | undefined): param is Token {
  return param !== undefined && param.kind !== 'path' && param.kind !== 'sexpr';
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
