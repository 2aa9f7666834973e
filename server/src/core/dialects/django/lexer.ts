/**
 * A lexer for the markup inside one Django or Jinja tag (`first_name|default:'there'`).
 *
 * Hand-written because it runs on every keystroke over every tag, must give exact UTF-16 offsets for
 * each reference, and must keep going after a mistake; neither platform's engine runs in Node.
 */

export type TokenKind =
  | 'name' | 'string' | 'number' | 'operator' | 'dot' | 'pipe' | 'colon' | 'comma' | 'equals'
  | 'open-paren' | 'close-paren' | 'open-bracket' | 'close-bracket' | 'open-brace' | 'close-brace'
  | 'bad' | 'end';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Strings: the unquoted, unescaped value. Otherwise the raw text. */
  value: string;
  /** Strings: false when the closing quote is missing. */
  terminated?: boolean;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const TWO_CHAR_OPERATORS = new Set(['==', '!=', '<=', '>=', '//', '**']);
const ONE_CHAR_OPERATORS = new Set(['<', '>', '+', '-', '*', '/', '%', '~', '?']);
const SINGLE: Record<string, TokenKind> = {
  '.': 'dot', '|': 'pipe', ':': 'colon', ',': 'comma', '=': 'equals',
  '(': 'open-paren', ')': 'close-paren', '[': 'open-bracket', ']': 'close-bracket', '{': 'open-brace', '}': 'close-brace',
};

export class Lexer {
  private pos: number;
  private readonly buffer: Token[] = [];

  constructor(private readonly text: string, start: number, readonly end: number) {
    this.pos = start;
  }

  peek(ahead = 0): Token {
    while (this.buffer.length <= ahead) this.buffer.push(this.read());
    return this.buffer[ahead];
  }

  next(): Token {
    const token = this.peek();
    this.buffer.shift();
    return token;
  }

  /** Consumes the next token when it is the name `word`. */
  acceptName(word: string): Token | undefined {
    const token = this.peek();
    if (token.kind === 'name' && token.value === word) return this.next();
    return undefined;
  }

  accept(kind: TokenKind): Token | undefined {
    return this.peek().kind === kind ? this.next() : undefined;
  }

  private read(): Token {
    const text = this.text;
    let pos = this.pos;
    while (pos < this.end && (text.charCodeAt(pos) <= 32)) pos++;
    if (pos >= this.end) {
      this.pos = this.end;
      return { kind: 'end', start: this.end, end: this.end, value: '' };
    }
    const start = pos;
    const c = text.charCodeAt(pos);
    const token = (kind: TokenKind, length: number): Token => {
      this.pos = start + length;
      return { kind, start, end: start + length, value: text.slice(start, start + length) };
    };
    if (c === 39 || c === 34) {
      let value = '';
      for (pos = start + 1; pos < this.end; pos++) {
        const d = text.charCodeAt(pos);
        if (d === c) {
          this.pos = pos + 1;
          return { kind: 'string', start, end: pos + 1, value, terminated: true };
        }
        if (d === 92 /* \ */ && pos + 1 < this.end) {
          const escaped = text[++pos];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        } else {
          value += text[pos];
        }
      }
      this.pos = this.end;
      return { kind: 'string', start, end: this.end, value, terminated: false };
    }
    if (isDigit(c)) {
      pos++;
      while (pos < this.end && (isDigit(text.charCodeAt(pos)) || text.charCodeAt(pos) === 95)) pos++;
      if (text.charCodeAt(pos) === 46 && isDigit(text.charCodeAt(pos + 1))) {
        pos++;
        while (pos < this.end && isDigit(text.charCodeAt(pos))) pos++;
      }
      return token('number', pos - start);
    }
    if (isNameStart(c)) {
      pos++;
      while (pos < this.end && isNamePart(text.charCodeAt(pos))) pos++;
      return token('name', pos - start);
    }
    const two = text.slice(pos, pos + 2);
    if (pos + 1 < this.end && TWO_CHAR_OPERATORS.has(two)) return token('operator', 2);
    const one = text[pos];
    if (ONE_CHAR_OPERATORS.has(one)) return token('operator', 1);
    const single = SINGLE[one];
    if (single) return token(single, 1);
    // Keep a surrogate pair together so an error span never splits a character.
    return token('bad', c >= 0xd800 && c <= 0xdbff && pos + 1 < this.end ? 2 : 1);
  }
}
