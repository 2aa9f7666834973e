/**
 * A lexer for the markup inside one Liquid tag (`customer.name | default: "there"`).
 *
 * Hand-written because it is the product: it runs on every keystroke over every tag, must give exact
 * UTF-16 offsets for each reference, and must keep going after a mistake. liquidjs's tokenizer
 * throws on the first error and does not report the offsets of paths inside expressions.
 */
import { intern } from '../common/intern';
import { indexBefore, isSpace } from '../common/scan-collector';

export type TokenKind =
  | 'path' | 'string' | 'number' | 'operator' | 'pipe' | 'colon' | 'comma' | 'equals'
  | 'open-paren' | 'close-paren' | 'range-dots' | 'bad' | 'end'
  /** Braze: `{{` and `}}` of an output written inside a tag's markup (`{% if {{${tier}}} == "gold" %}`). */
  | 'nested-open' | 'nested-close';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /**
   * For paths: the normalized path (`a.b.c`, with `${x}` unwrapped, numeric indices as `[]`).
   * For strings: the unquoted value. For operators: the operator. Otherwise the raw text.
   */
  value: string;
  /** For strings: false when the closing quote is missing. */
  terminated: boolean;
  /** For paths: written with a dangling dot, as in `customer.`. */
  trailingDot: boolean;
}

/** Every token is built here, so all have one shape and the parser's property reads stay monomorphic. */
function makeToken(kind: TokenKind, start: number, end: number, value: string, terminated = true, trailingDot = false): Token {
  return { kind, start, end, value, terminated, trailingDot };
}

const CODE_0 = 48, CODE_9 = 57, CODE_A = 65, CODE_Z = 90, CODE_a = 97, CODE_z = 122;
const UNDERSCORE = 95, DASH = 45, DOT = 46, QUESTION = 63, DOLLAR = 36, LBRACE = 123;
const RBRACE = 125, LBRACKET = 91, SQUOTE = 39, DQUOTE = 34, EQUALS = 61, BANG = 33, LESS = 60, GREATER = 62;

function isIdentStart(c: number): boolean {
  return (c >= CODE_a && c <= CODE_z) || (c >= CODE_A && c <= CODE_Z) || c === UNDERSCORE || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= CODE_0 && c <= CODE_9) || c === DASH;
}

function isDigit(c: number): boolean {
  return c >= CODE_0 && c <= CODE_9;
}


const WORD_OPERATORS = new Set(['and', 'or', 'contains', 'in', 'with', 'as', 'reversed']);

/**
 * One lexer serves a whole template, tag after tag (`reset`), and its token objects are reused from
 * tag to tag: a template has thousands of tags and tens of thousands of tokens, and an object for
 * each was a quarter of what a scan allocated, all of it for the garbage collector to sweep while
 * the large template's results, still in use, were copied again and again.
 * So a token is only valid until the next `reset`: keep its value, never the token.
 */
export class MarkupLexer {
  private pos = 0;
  private end = 0;
  private peeked: Token | undefined;
  /** Token objects handed out since the last `reset` come first; the rest wait to be reused. */
  private readonly pool: Token[] = [];
  private used = 0;
  /** Outputs opened inside the markup and not yet closed: only then does `}}` close one. */
  private nested = 0;
  /** One string per path written (see `intern`). */
  private readonly paths = new Map<string, string>();

  constructor(private readonly text: string) {}

  /** Starts on the markup between `start` and `end`; the tokens read before are reused. */
  reset(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    this.peeked = undefined;
    this.used = 0;
    this.nested = 0;
    return this;
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

  /** Offset just after the last token returned, or of the next token when peeked. */
  get offset(): number {
    return this.peeked ? this.peeked.start : this.pos;
  }

  private read(): Token {
    const text = this.text;
    let pos = this.pos;
    while (pos < this.end && isSpace(text.charCodeAt(pos))) pos++;
    if (pos >= this.end) {
      this.pos = this.end;
      return this.pooledToken('end', this.end, this.end, '');
    }
    const start = pos;
    const c = text.charCodeAt(pos);
    if (c === SQUOTE || c === DQUOTE) {
      // Searched within the tag only: searching the rest of the text for each unclosed quote or
      // bracket was quadratic on a template full of them.
      const close = indexBefore(text, c === SQUOTE ? "'" : '"', pos + 1, this.end);
      if (close === -1) {
        this.pos = this.end;
        return this.pooledToken('string', start, this.end, text.slice(start + 1, this.end), false);
      }
      this.pos = close + 1;
      return this.pooledToken('string', start, close + 1, text.slice(start + 1, close));
    }
    if (isDigit(c) || (c === DASH && isDigit(text.charCodeAt(pos + 1)))) {
      pos++;
      while (pos < this.end && isDigit(text.charCodeAt(pos))) pos++;
      if (text.charCodeAt(pos) === DOT && isDigit(text.charCodeAt(pos + 1))) {
        pos++;
        while (pos < this.end && isDigit(text.charCodeAt(pos))) pos++;
      }
      return this.token('number', start, pos - start);
    }
    if (isIdentStart(c) || (c === DOLLAR && text.charCodeAt(pos + 1) === LBRACE)) return this.readPath(start);
    const second = text.charCodeAt(pos + 1);
    // `==`, `!=`, `<=`, `>=` and `<>`; compared by code, as slicing two characters for every
    // punctuation token showed in profiles.
    if ((second === EQUALS && (c === EQUALS || c === BANG || c === LESS || c === GREATER)) || (c === LESS && second === GREATER)) {
      return this.token('operator', start, 2);
    }
    if (c === DOT && second === DOT) return this.token('range-dots', start, 2);
    // Braze renders an output inside a tag first, and the tag reads what it stands for.
    if (c === LBRACE && second === LBRACE) {
      this.nested++;
      return this.token('nested-open', start, text.charCodeAt(pos + 2) === DASH ? 3 : 2);
    }
    if (this.nested > 0 && c === RBRACE && second === RBRACE) {
      this.nested--;
      return this.token('nested-close', start, 2);
    }
    if (this.nested > 0 && c === DASH && second === RBRACE && text.charCodeAt(pos + 2) === RBRACE) {
      this.nested--;
      return this.token('nested-close', start, 3);
    }
    switch (c) {
      case LESS: case GREATER: return this.token('operator', start, 1);
      case 124: return this.token('pipe', start, 1);
      case 58: return this.token('colon', start, 1);
      case 44: return this.token('comma', start, 1);
      case EQUALS: return this.token('equals', start, 1);
      case 40: return this.token('open-paren', start, 1);
      case 41: return this.token('close-paren', start, 1);
      default: {
        // Keep a lone surrogate pair together so an error span never splits a character.
        const length = c >= 0xd800 && c <= 0xdbff && pos + 1 < this.end ? 2 : 1;
        return this.token('bad', start, length);
      }
    }
  }

  /** A token from the pool, or a new one when the pool is used up. */
  private pooledToken(kind: TokenKind, start: number, end: number, value: string, terminated = true, trailingDot = false): Token {
    const token = this.pool[this.used];
    this.used++;
    if (!token) {
      const made = makeToken(kind, start, end, value, terminated, trailingDot);
      this.pool.push(made);
      return made;
    }
    token.kind = kind;
    token.start = start;
    token.end = end;
    token.value = value;
    token.terminated = terminated;
    token.trailingDot = trailingDot;
    return token;
  }

  private token(kind: TokenKind, start: number, length: number): Token {
    this.pos = start + length;
    return this.pooledToken(kind, start, start + length, this.text.slice(start, start + length));
  }

  /** Reads `a.b[0]["c d"].e`, Braze's `${first_name}` and `custom_attribute.${name}`. */
  private readPath(start: number): Token {
    const text = this.text;
    // Nearly every path is plain (`customer.first_name`): its value is its own text, so segments
    // are only collected, as strings, once a `[…]` or `${…}` makes the value differ from the text.
    let segments: string[] | undefined;
    let plainSegments = 0;
    let plainEnd = start;
    let pos = start;
    let expectSegment = true;
    while (pos < this.end) {
      const c = text.charCodeAt(pos);
      if (expectSegment && c === DOLLAR && text.charCodeAt(pos + 1) === LBRACE) {
        const close = indexBefore(text, '}', pos + 2, this.end);
        if (close === -1) break;
        segments ??= plainSegments ? text.slice(start, plainEnd).split('.') : [];
        segments.push(text.slice(pos + 2, close).trim());
        pos = close + 1;
        expectSegment = false;
      } else if (expectSegment && isIdentStart(c)) {
        const segmentStart = pos;
        while (pos < this.end && isIdentPart(text.charCodeAt(pos))) pos++;
        if (text.charCodeAt(pos) === QUESTION) pos++;
        if (segments) segments.push(text.slice(segmentStart, pos));
        else { plainSegments++; plainEnd = pos; }
        expectSegment = false;
      } else if (!expectSegment && c === DOT && text.charCodeAt(pos + 1) !== DOT) {
        pos++;
        expectSegment = true;
        if (!isPathStart(text.charCodeAt(pos), text.charCodeAt(pos + 1))) break;
      } else if (!expectSegment && c === LBRACKET) {
        const close = indexBefore(text, ']', pos + 1, this.end);
        if (close === -1) break;
        segments ??= text.slice(start, plainEnd).split('.');
        const inner = text.slice(pos + 1, close).trim();
        const quote = inner.charCodeAt(0);
        if ((quote === SQUOTE || quote === DQUOTE) && inner.length >= 2 && inner.charCodeAt(inner.length - 1) === quote) {
          segments.push(inner.slice(1, -1));
        } else {
          // A numeric index or a variable: some item of the array.
          segments.push('[]');
        }
        pos = close + 1;
      } else {
        break;
      }
    }
    // An unclosed `${` reads nothing: one bad character, so that every token moves the lexer on
    // (the parser's loops rely on it; a zero-length token made them spin forever).
    if (pos === start) {
      this.pos = start + 1;
      return this.pooledToken('bad', start, start + 1, '$');
    }
    // A dangling dot (`customer.`) belongs to the path, for the parser to report once.
    const trailingDot = !expectSegment ? false : (segments ? segments.length : plainSegments) > 0;
    this.pos = pos;
    let value = segments ? segments.join('.').replace(/\.\[\]/g, '[]') : text.slice(start, plainEnd);
    // Braze: `custom_attribute.${x}` names the custom attribute `x` itself.
    if (value.startsWith('custom_attribute.')) value = value.slice('custom_attribute.'.length);
    value = intern(this.paths, value);
    const kind: TokenKind = WORD_OPERATORS.has(value) ? 'operator' : 'path';
    return this.pooledToken(kind, start, pos, value, true, trailingDot);
  }
}

function isPathStart(c: number, after: number): boolean {
  return isIdentStart(c) || (c === DOLLAR && after === LBRACE);
}

export function isLiteralKeyword(path: string): boolean {
  return path === 'true' || path === 'false' || path === 'nil' || path === 'null' || path === 'empty' || path === 'blank';
}

