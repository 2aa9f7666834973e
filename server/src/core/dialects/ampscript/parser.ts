/**
 * AMPscript parser: the lexer's token stream to statements. Text and personalization strings are
 * statements too, so an IF opened in one `%%[ ]%%` block can hold HTML and close in another.
 * Every mistake is reported and parsing resumes at the next statement keyword or block boundary.
 */
import type { Span } from '../../model';
import { closestNames, editDistance } from '../../closest';
import { FUNCTION_NAMES, canonicalFunction } from './functions';
import { MAX_EXPRESSION_PARTS, MAX_NESTING, tooDeepMessage, tooLongMessage } from '../common/limits';
import type { LexSink, Token } from './lexer';

export type Expr =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'boolean'; value: boolean; span: Span }
  | { kind: 'variable'; name: string; span: Span }
  /** `[First Name]` or a bare `FirstName`: an attribute of the subscriber or the sending data extension. */
  | { kind: 'attribute'; name: string; span: Span; nameSpan: Span }
  | { kind: 'call'; name: string; nameSpan: Span; args: Expr[]; span: Span }
  | { kind: 'not'; operand: Expr; span: Span }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; span: Span };

export type Stmt =
  | { kind: 'text'; start: number; end: number }
  /** `%%FirstName%%` or `%%= expr =%%`: what the recipient reads. */
  | { kind: 'output'; expr: Expr; tagSpan: Span }
  | { kind: 'set'; variable: string; variableSpan: Span; value?: Expr; span: Span }
  | { kind: 'if'; span: Span; branches: IfBranch[] }
  | { kind: 'for'; span: Span; variable: string; from?: Expr; to?: Expr; down: boolean; body: Stmt[] }
  /** A function called for its effect: `Output(…)`, `InsertDE(…)`, `RaiseError(…)`. */
  | { kind: 'call'; expr: Expr; span: Span };

export interface IfBranch {
  /** `IF … THEN`, `ELSEIF … THEN`, or `ELSE`. */
  tagSpan: Span;
  test?: Expr;
  body: Stmt[];
  bodySpan: Span;
}

const STATEMENT_KEYWORDS = new Set(['SET', 'VAR', 'IF', 'ELSEIF', 'ELSE', 'ENDIF', 'FOR', 'NEXT']);
const EXPRESSION_KEYWORDS = new Set(['THEN', 'TO', 'DOWNTO', 'DO', 'AND', 'OR', 'NOT']);

export function parseAmpscript(tokens: Token[], text: string, sink: LexSink): Stmt[] {
  return new Parser(tokens, text, sink).parseProgram();
}

class Parser {
  private pos = 0;
  /** IF and FOR blocks open around the statement being read, and those past MAX_NESTING read as their parent's body. */
  private blocks = 0;
  private flattened = 0;
  /** Recursion depth and parts of the expression being read, both bounded (limits.ts). */
  private depth = 0;
  private parts = 0;
  private gaveUp = false;

  constructor(private readonly tokens: Token[], private readonly text: string, private readonly sink: LexSink) {}

  parseProgram(): Stmt[] {
    const statements = this.parseStatements(new Set());
    // Anything left is a stray ELSE/ENDIF/NEXT, reported where it was met.
    return statements;
  }

  private peek(ahead = 0): Token | undefined {
    return this.tokens[this.pos + ahead];
  }

  private keyword(token: Token | undefined): string | undefined {
    return token?.kind === 'name' ? token.value.toUpperCase() : undefined;
  }

  private error(span: Span, message: string): void {
    // After giving up on an expression, the levels that unwind would each report a missing `)`.
    if (!this.gaveUp) this.sink.error(span, message);
  }

  /** Statements until one of `terminators` (left unread) or the end. */
  private parseStatements(terminators: Set<string>): Stmt[] {
    const statements: Stmt[] = [];
    for (;;) {
      const token = this.peek();
      if (!token) return statements;
      const keyword = this.keyword(token);
      if (this.flattened && (keyword === 'ENDIF' || keyword === 'NEXT' || keyword === 'ELSEIF' || keyword === 'ELSE')) {
        this.skipFlattened(keyword);
        continue;
      }
      if (keyword && terminators.has(keyword)) return statements;
      switch (token.kind) {
        case 'text':
          this.pos++;
          statements.push({ kind: 'text', start: token.start, end: token.end });
          continue;
        case 'personalization':
          this.pos++;
          statements.push({
            kind: 'output', tagSpan: { start: token.start, end: token.end },
            expr: { kind: 'attribute', name: token.value, span: token.nameSpan!, nameSpan: token.nameSpan! },
          });
          continue;
        case 'block-open':
        case 'block-close':
          this.pos++;
          continue;
        case 'inline-open':
          this.readInline(token, statements);
          continue;
        default:
          break;
      }
      const statement = this.parseStatement(token, keyword);
      if (statement) statements.push(statement);
    }
  }

  private readInline(open: Token, statements: Stmt[]): void {
    this.pos++;
    const expr = this.parseExpression();
    let close = this.peek();
    if (!expr && close?.kind === 'inline-close') {
      this.error({ start: open.start, end: close.end }, 'An empty `%%= =%%`: the email fails to build. Put an expression inside, as in `%%=v(@firstName)=%%`.');
    }
    if (close && close.kind !== 'inline-close') {
      this.error({ start: close.start, end: close.end },
        `Unexpected \`${this.text.slice(close.start, close.end)}\` in \`%%= … =%%\`: the email fails to build. An inline expression holds one value, as in \`%%=ProperCase(@firstName)=%%\`.`);
      while (close && close.kind !== 'inline-close') close = this.tokens[++this.pos];
    }
    const end = close ? close.end : this.text.length;
    if (close) this.pos++;
    if (expr) statements.push({ kind: 'output', expr, tagSpan: { start: open.start, end } });
  }

  private parseStatement(token: Token, keyword: string | undefined): Stmt | undefined {
    switch (keyword) {
      case 'SET': return this.parseSet(token);
      case 'VAR': {
        this.pos++;
        while (this.peek()?.kind === 'variable') {
          this.pos++;
          if (this.peek()?.kind !== 'comma') break;
          this.pos++;
        }
        return undefined;
      }
      case 'IF':
      case 'FOR':
        if (this.blocks >= MAX_NESTING) return this.flatten(token);
        this.blocks++;
        try {
          return keyword === 'IF' ? this.parseIf(token) : this.parseFor(token);
        } finally {
          this.blocks--;
        }
      case 'ELSEIF':
      case 'ELSE':
      case 'ENDIF':
        this.pos++;
        this.error({ start: token.start, end: token.end }, `\`${token.value}\` has no matching \`IF\`: the email fails to build. Remove it, or add the \`IF … THEN\`.`);
        return undefined;
      case 'NEXT':
        this.pos++;
        if (this.peek()?.kind === 'variable') this.pos++;
        this.error({ start: token.start, end: token.end }, '`NEXT` has no matching `FOR`: the email fails to build. Remove it, or add the `FOR … DO`.');
        return undefined;
    }
    if (token.kind === 'name' && this.peek(1)?.kind === 'open-paren') {
      const expr = this.parseExpression();
      return expr ? { kind: 'call', expr, span: expr.span } : undefined;
    }
    this.pos++;
    this.error({ start: token.start, end: token.end },
      `Unexpected \`${this.text.slice(token.start, token.end)}\` in an AMPscript block: the email fails to build. ` +
      (token.kind === 'variable' ? `Assign with \`SET ${token.value} = …\`, or output with \`%%=v(${token.value})=%%\`.` : 'A block holds statements: SET, IF, FOR, or a function call.'));
    this.skipToStatement();
    return undefined;
  }

  /** Skips to the next statement keyword, block boundary or text. */
  private skipToStatement(): void {
    for (let token = this.peek(); token; token = this.peek()) {
      if (token.kind !== 'name' && token.kind !== 'variable' && token.kind !== 'string' && token.kind !== 'number' &&
        token.kind !== 'operator' && token.kind !== 'equals' && token.kind !== 'open-paren' && token.kind !== 'close-paren' &&
        token.kind !== 'comma' && token.kind !== 'bad' && token.kind !== 'attribute') return;
      if (STATEMENT_KEYWORDS.has(this.keyword(token) ?? '')) return;
      this.pos++;
    }
  }

  /** An IF or FOR nested past MAX_NESTING: reported once; its header is skipped and its body read as its parent's. */
  private flatten(keyword: Token): undefined {
    if (this.flattened++ === 0) this.error({ start: keyword.start, end: keyword.end }, tooDeepMessage('IF and FOR blocks'));
    this.pos++;
    this.skipToStatement();
    return undefined;
  }

  /** The ELSEIF, ELSE, ENDIF or NEXT of a flattened block: read, and matched with nothing. */
  private skipFlattened(keyword: string): void {
    this.pos++;
    if (keyword === 'ENDIF' || keyword === 'NEXT') this.flattened--;
    if (keyword === 'NEXT' && this.peek()?.kind === 'variable') this.pos++;
    if (keyword === 'ELSEIF') this.skipToStatement();
  }

  private parseSet(keyword: Token): Stmt | undefined {
    this.pos++;
    const variable = this.peek();
    if (variable?.kind !== 'variable') {
      this.error({ start: keyword.start, end: variable && variable.kind !== 'text' ? variable.end : keyword.end },
        '`SET` needs a variable, as in `SET @firstName = AttributeValue("FirstName")`: the email fails to build.');
      this.skipToStatement();
      return undefined;
    }
    this.pos++;
    const equals = this.peek();
    if (equals?.kind !== 'equals') {
      this.error({ start: keyword.start, end: variable.end }, `\`SET ${variable.value}\` needs \`= value\`: the email fails to build.`);
      this.skipToStatement();
      return undefined;
    }
    this.pos++;
    const value = this.parseExpression();
    if (!value) this.error({ start: keyword.start, end: equals.end }, `\`SET ${variable.value} =\` needs a value: the email fails to build.`);
    return {
      kind: 'set', variable: variable.value, variableSpan: { start: variable.start, end: variable.end }, value,
      span: { start: keyword.start, end: value?.span.end ?? equals.end },
    };
  }

  /** `IF cond THEN … [ELSEIF cond THEN …] [ELSE …] ENDIF`. */
  private parseIf(keyword: Token): Stmt {
    const branches: IfBranch[] = [];
    let header = keyword;
    let sawElse = false;
    for (;;) {
      this.pos++;
      const kind = header.value.toUpperCase();
      let test: Expr | undefined;
      let headerEnd = header.end;
      if (kind !== 'ELSE') {
        test = this.parseExpression(true);
        if (!test) this.error({ start: header.start, end: header.end }, `\`${header.value}\` needs a condition, as in \`IF NOT Empty(@firstName) THEN\`: the email fails to build.`);
        const then = this.peek();
        if (this.keyword(then) === 'THEN') {
          this.pos++;
          headerEnd = then!.end;
        } else {
          headerEnd = test?.span.end ?? header.end;
          this.error({ start: header.start, end: headerEnd }, `\`${header.value}\` is missing \`THEN\` after its condition: the email fails to build. Add \`THEN\`.`);
          this.skipToStatement();
        }
      } else if (sawElse) {
        this.error({ start: header.start, end: header.end }, 'A second `ELSE` in the same `IF`: the email fails to build. The `ELSE` branch must be the last one.');
      }
      if (kind === 'ELSE') sawElse = true;
      const tagSpan = { start: header.start, end: headerEnd };
      const body = this.parseStatements(new Set(['ELSEIF', 'ELSE', 'ENDIF']));
      const next = this.peek();
      const bodyEnd = next ? next.start : this.text.length;
      branches.push({ tagSpan, test, body, bodySpan: { start: headerEnd, end: bodyEnd } });
      const nextKeyword = this.keyword(next);
      if (nextKeyword === 'ENDIF') {
        this.pos++;
        return { kind: 'if', span: { start: keyword.start, end: next!.end }, branches };
      }
      if (nextKeyword === 'ELSEIF' || nextKeyword === 'ELSE') {
        header = next!;
        continue;
      }
      this.error({ start: keyword.start, end: branches[0].tagSpan.end },
        `\`${shortHeader(this.text, branches[0].tagSpan)}\` is never closed with \`ENDIF\`: the email fails to build. Add \`ENDIF\` in a \`%%[ ]%%\` block where the condition should end.`);
      return { kind: 'if', span: { start: keyword.start, end: bodyEnd }, branches };
    }
  }

  /** `FOR @i = 1 TO n DO … NEXT @i`. */
  private parseFor(keyword: Token): Stmt {
    this.pos++;
    const variable = this.peek();
    let from: Expr | undefined;
    let to: Expr | undefined;
    let down = false;
    let headerEnd = keyword.end;
    if (variable?.kind === 'variable' && this.peek(1)?.kind === 'equals') {
      this.pos += 2;
      from = this.parseExpression();
      const direction = this.keyword(this.peek());
      if (direction === 'TO' || direction === 'DOWNTO') {
        down = direction === 'DOWNTO';
        this.pos++;
        to = this.parseExpression();
      }
      if (this.keyword(this.peek()) === 'DO') {
        headerEnd = this.peek()!.end;
        this.pos++;
      } else to = undefined;
    }
    if (!from || !to) {
      this.error({ start: keyword.start, end: Math.max(headerEnd, variable?.end ?? keyword.end) },
        'A `FOR` loop must read `FOR @i = 1 TO RowCount(@rows) DO … NEXT @i`: the email fails to build.');
      this.skipToStatement();
    }
    const body = this.parseStatements(new Set(['NEXT', 'ELSEIF', 'ELSE', 'ENDIF']));
    const next = this.peek();
    if (this.keyword(next) === 'NEXT') {
      this.pos++;
      if (this.peek()?.kind === 'variable') this.pos++;
    } else {
      this.error({ start: keyword.start, end: headerEnd }, '`FOR` is never closed with `NEXT`: the email fails to build. Add `NEXT @i` where the loop should end.');
    }
    return {
      kind: 'for', span: { start: keyword.start, end: next?.end ?? this.text.length },
      variable: variable?.kind === 'variable' ? variable.value : '@i', from, to, down, body,
    };
  }

  // ---- Expressions ----------------------------------------------------------------------------

  parseExpression(condition = false): Expr | undefined {
    if (this.depth === 0) this.parts = 0;
    return this.nested(() => this.parseOr(condition));
  }

  /** Runs one level deeper; past MAX_NESTING, reports the expression once and skips the rest of it. */
  private nested<T>(parse: () => T | undefined): T | undefined {
    if (this.gaveUp) return undefined;
    if (this.depth >= MAX_NESTING) {
      this.giveUp(tooDeepMessage('Parentheses, calls or NOTs'));
      return undefined;
    }
    this.depth++;
    try {
      return parse();
    } finally {
      // Back at the statement: its own problems are reported again.
      if (--this.depth === 0) this.gaveUp = false;
    }
  }

  /** Counts one more AND or OR; past MAX_EXPRESSION_PARTS, gives up on the expression. */
  private more(): boolean {
    if (++this.parts > MAX_EXPRESSION_PARTS) this.giveUp(tooLongMessage());
    return !this.gaveUp;
  }

  /** Reports once, then skips to where the expression ends: THEN, DO, TO, a statement or the block's end. */
  private giveUp(message: string): void {
    const token = this.peek();
    this.error(token ? { start: token.start, end: token.end } : { start: this.text.length, end: this.text.length }, message);
    this.gaveUp = true;
    for (let next = this.peek(); next; next = this.peek()) {
      const keyword = this.keyword(next) ?? '';
      if (STATEMENT_KEYWORDS.has(keyword) || keyword === 'THEN' || keyword === 'DO' || keyword === 'TO' || keyword === 'DOWNTO') return;
      if (next.kind === 'text' || next.kind === 'personalization' || next.kind.startsWith('block-') || next.kind.startsWith('inline-')) return;
      this.pos++;
    }
  }

  private parseOr(condition: boolean): Expr | undefined {
    let left = this.parseAnd(condition);
    while (left && this.keyword(this.peek()) === 'OR' && this.more()) {
      const op = this.tokens[this.pos++];
      const right = this.parseAnd(condition);
      if (!right) return this.missing(op);
      left = { kind: 'binary', op: 'or', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private parseAnd(condition: boolean): Expr | undefined {
    let left = this.parseNot(condition);
    while (left && this.keyword(this.peek()) === 'AND' && this.more()) {
      const op = this.tokens[this.pos++];
      const right = this.parseNot(condition);
      if (!right) return this.missing(op);
      left = { kind: 'binary', op: 'and', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private parseNot(condition: boolean): Expr | undefined {
    const token = this.peek();
    if (this.keyword(token) === 'NOT') {
      this.pos++;
      const operand = this.nested(() => this.parseNot(condition));
      if (!operand) return this.missing(token!);
      return { kind: 'not', operand, span: { start: token!.start, end: operand.span.end } };
    }
    return this.parseComparison(condition);
  }

  private parseComparison(condition: boolean): Expr | undefined {
    const left = this.parsePrimary();
    const token = this.peek();
    if (!left || !token) return left;
    if (token.kind === 'equals' && condition) {
      this.error({ start: token.start, end: token.end }, 'AMPscript compares with `==`, not `=`: the email fails to build. Write `==`.');
    } else if (token.kind !== 'operator') {
      return left;
    }
    this.pos++;
    const right = this.parsePrimary();
    if (!right) return this.missing(token);
    const op = token.kind === 'equals' ? '==' : token.value === '<>' ? '!=' : token.value;
    return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
  }

  private parsePrimary(): Expr | undefined {
    const token = this.peek();
    if (!token) return undefined;
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'string':
        this.pos++;
        if (token.terminated === false) this.error(span, 'A text value is missing its closing quote: the email fails to build. Add the closing quote.');
        return { kind: 'string', value: token.value, span };
      case 'number':
        this.pos++;
        return { kind: 'number', value: Number(token.value), span };
      case 'variable':
        this.pos++;
        return { kind: 'variable', name: token.value, span };
      case 'attribute':
        this.pos++;
        return { kind: 'attribute', name: token.value, span, nameSpan: { start: token.start + 1, end: token.end - 1 } };
      case 'open-paren': {
        this.pos++;
        const inner = this.parseExpression(true);
        if (this.peek()?.kind === 'close-paren') {
          const close = this.tokens[this.pos++];
          return inner ? { ...inner, span: { start: token.start, end: close.end } } : undefined;
        }
        this.error(span, '`(` is never closed with `)`: the email fails to build.');
        return inner;
      }
      case 'name': {
        const upper = token.value.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') {
          this.pos++;
          return { kind: 'boolean', value: upper === 'TRUE', span };
        }
        if (STATEMENT_KEYWORDS.has(upper) || EXPRESSION_KEYWORDS.has(upper)) return undefined;
        this.pos++;
        if (this.peek()?.kind === 'open-paren') return this.parseCall(token);
        // A bare name is an attribute: `SET @email = emailaddr`.
        return { kind: 'attribute', name: token.value, span, nameSpan: span };
      }
      default:
        return undefined;
    }
  }

  private parseCall(name: Token): Expr {
    const open = this.tokens[this.pos++];
    const args: Expr[] = [];
    let end = open.end;
    for (;;) {
      const token = this.peek();
      if (token?.kind === 'close-paren') {
        this.pos++;
        end = token.end;
        break;
      }
      const arg = this.parseExpression(true);
      if (arg) args.push(arg);
      const after = this.peek();
      if (after?.kind === 'comma') {
        this.pos++;
        continue;
      }
      if (after?.kind === 'close-paren') continue;
      this.error({ start: name.start, end: arg?.span.end ?? open.end },
        `\`${name.value}(\` is never closed with \`)\`: the email fails to build. Close the call.`);
      end = arg?.span.end ?? open.end;
      break;
    }
    const canonical = canonicalFunction(name.value);
    if (!canonical) {
      const suggestion = closestNames(name.value, FUNCTION_NAMES, 1)[0];
      if (suggestion && editDistance(name.value.toLowerCase(), suggestion.toLowerCase()) <= 2) {
        this.error({ start: name.start, end: name.end },
          `\`${name.value}\` is not an AMPscript function: the email fails to build. Did you mean \`${suggestion}\`?`);
      }
    }
    return { kind: 'call', name: canonical ?? name.value, nameSpan: { start: name.start, end: name.end }, args, span: { start: name.start, end } };
  }

  private missing(operator: Token): undefined {
    this.error({ start: operator.start, end: operator.end }, `\`${operator.value}\` needs a value after it: the email fails to build.`);
    return undefined;
  }
}

function shortHeader(text: string, span: Span): string {
  const shown = text.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  return shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
}
