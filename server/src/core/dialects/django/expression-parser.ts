/**
 * The expression parser of the Django-style dialects: the markup inside one tag
 * (`first_name|default:'there'`, `a if b else c`) to an `Expr`, one precedence level per method:
 * inline `if`, `or`, `and`, `not`, comparisons and tests, arithmetic, filters, members and calls,
 * atoms. Django (Klaviyo) allows a subset: no parentheses, brackets, calls or arithmetic, and one
 * `:argument` per filter.
 *
 * A tag with a mistake is reported once, at its first mistake, and the rest of it is skipped: what
 * follows a mistake is no longer what its author wrote (a placeholder such as `<INSERT TYPE ID>` is
 * not three fields), and the platform refuses the whole tag anyway. Scanning goes on at the next tag.
 * Its depth and the parts of one tag are bounded (limits.ts), so the work stays linear. The template
 * parser makes one per tag, reads the tag's own words (`for x in`, `as name`, `name=`) from its lexer,
 * and reports its own mistakes about the tag through `report`, so that they count towards the one.
 */
import type { Span } from '../../model';
import { shortText, trimmedEnd } from '../common/scan-collector';
import { MAX_EXPRESSION_PARTS, MAX_NESTING, tooDeepMessage, tooLongMessage } from '../common/limits';
import type { Expr, PathExpr, PathSegment } from './ast';
import type { DjangoFlavor } from './flavor';
import type { Lexer, Token } from './lexer';

/** Where an expression's mistakes go; the template parser's sink also takes purpose directives. */
export interface ErrorSink {
  error(span: Span, message: string): void;
}

const LITERALS: Record<string, string | number | boolean | null> = {
  true: true, false: false, True: true, False: false, none: null, None: null, null: null,
};

export class ExpressionParser {
  /** Recursion depth and parts read so far, both bounded (limits.ts); past them the rest of the tag is skipped. */
  private depth = 0;
  private parts = 0;
  /** A mistake was reported: the rest of the tag is skipped, and nothing more is said about it. */
  private gaveUp = false;

  constructor(
    private readonly text: string,
    readonly lexer: Lexer,
    private readonly flavor: DjangoFlavor,
    private readonly sink: ErrorSink,
    private readonly tagSpan: Span,
  ) {}

  /** A whole expression: Jinja's inline `a if b else c`, or a Django condition. */
  parseExpression(): Expr | undefined {
    return this.nested(() => this.parseInlineIf());
  }

  private parseInlineIf(): Expr | undefined {
    const value = this.parseOr();
    if (value && this.flavor.jinja && this.lexer.peek().kind === 'operator' && this.lexer.peek().value === '?') return this.parseTernary(value);
    if (!value || !this.flavor.jinja || !this.lexer.acceptName('if')) return value;
    const test = this.parseOr();
    if (!test) {
      this.report(this.tagSpan, 'An inline `if` needs a condition, as in `{{ a if b else c }}`.');
      return value;
    }
    let otherwise: Expr | undefined;
    if (this.lexer.acceptName('else')) otherwise = this.parseExpression();
    return { kind: 'conditional', span: { start: value.span.start, end: (otherwise ?? test).span.end }, then: value, test, otherwise };
  }

  /** HubL's `test ? a : b`, the same as `a if test else b`. */
  private parseTernary(test: Expr): Expr | undefined {
    this.lexer.next();
    const then = this.parseOr();
    const colon = then && this.lexer.accept('colon');
    const otherwise = colon && this.parseExpression();
    if (!then || !otherwise) {
      this.report(this.tagSpan, 'A `?` needs both values, as in `{{ contact.is_vip ? "vip" : "regular" }}`.');
      return test;
    }
    return { kind: 'conditional', span: { start: test.span.start, end: otherwise.span.end }, then, test, otherwise };
  }

  parseOr(): Expr | undefined {
    let left = this.parseAnd();
    while (left && this.lexer.peek().kind === 'name' && this.lexer.peek().value === 'or' && this.more()) {
      const operator = this.lexer.next();
      const right = this.parseAnd();
      if (!right) return this.missingOperand(operator, left);
      left = { kind: 'binary', op: 'or', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private parseAnd(): Expr | undefined {
    let left = this.parseNot();
    while (left && this.lexer.peek().kind === 'name' && this.lexer.peek().value === 'and' && this.more()) {
      const operator = this.lexer.next();
      const right = this.parseNot();
      if (!right) return this.missingOperand(operator, left);
      left = { kind: 'binary', op: 'and', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private parseNot(): Expr | undefined {
    const token = this.lexer.peek();
    if (token.kind === 'name' && token.value === 'not') {
      this.lexer.next();
      const operand = this.nested(() => this.parseNot());
      if (!operand) return this.missingOperand(token);
      return { kind: 'unary', op: 'not', operand, span: { start: token.start, end: operand.span.end } };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr | undefined {
    let left = this.parseAdditive();
    while (left && this.more()) {
      const token = this.lexer.peek();
      let op: string | undefined;
      if (token.kind === 'operator' && ['==', '!=', '<', '>', '<=', '>='].includes(token.value)) {
        this.lexer.next();
        op = token.value;
      } else if (token.kind === 'name' && token.value === 'in') {
        this.lexer.next();
        op = 'in';
      } else if (token.kind === 'name' && token.value === 'not' && this.lexer.peek(1).kind === 'name' && this.lexer.peek(1).value === 'in') {
        this.lexer.next();
        this.lexer.next();
        op = 'not in';
      } else if (token.kind === 'name' && token.value === 'is') {
        this.lexer.next();
        const negated = Boolean(this.lexer.acceptName('not'));
        if (this.flavor.jinja) {
          const name = this.lexer.next();
          if (name.kind !== 'name') {
            this.report(this.spanOf(name), 'A test must follow `is`, as in `x is defined`.');
            return left;
          }
          const args: Expr[] = [];
          if (this.lexer.accept('open-paren')) this.parseArguments(args, [], 'close-paren');
          else if (['string', 'number'].includes(this.lexer.peek().kind)) {
            const argument = this.parsePostfix();
            if (argument) args.push(argument);
          }
          left = { kind: 'test', operand: left, name: name.value, negated, args, span: { start: left.span.start, end: Math.max(name.end, args.at(-1)?.span.end ?? 0) } };
          continue;
        }
        op = negated ? 'is not' : 'is';
      } else {
        return left;
      }
      const right = this.parseAdditive();
      if (!right) return this.missingOperand(token, left);
      left = { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private parseAdditive(): Expr | undefined {
    let left = this.parseMultiplicative();
    for (;;) {
      const token = this.lexer.peek();
      if (!left || token.kind !== 'operator' || !['+', '-', '~'].includes(token.value) || !this.more()) return left;
      this.lexer.next();
      this.checkArithmetic(token);
      const right = this.parseMultiplicative();
      if (!right) return this.missingOperand(token, left);
      left = { kind: 'binary', op: token.value, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private parseMultiplicative(): Expr | undefined {
    let left = this.parseUnary();
    for (;;) {
      const token = this.lexer.peek();
      if (!left || token.kind !== 'operator' || !['*', '/', '//', '%'].includes(token.value) || !this.more()) return left;
      this.lexer.next();
      this.checkArithmetic(token);
      const right = this.parseUnary();
      if (!right) return this.missingOperand(token, left);
      left = { kind: 'binary', op: token.value, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private parseUnary(): Expr | undefined {
    const token = this.lexer.peek();
    if (token.kind === 'operator' && (token.value === '-' || token.value === '+')) {
      this.lexer.next();
      const operand = this.nested(() => this.parseUnary());
      if (!operand) return this.missingOperand(token);
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return { kind: 'literal', value: token.value === '-' ? -operand.value : operand.value, span: { start: token.start, end: operand.span.end } };
      }
      this.checkArithmetic(token);
      return { kind: 'unary', op: token.value, operand, span: { start: token.start, end: operand.span.end } };
    }
    const base = this.parseFiltered();
    const power = this.lexer.peek();
    if (base && power.kind === 'operator' && power.value === '**') {
      this.lexer.next();
      this.checkArithmetic(power);
      const exponent = this.nested(() => this.parseUnary());
      if (!exponent) return this.missingOperand(power, base);
      return { kind: 'binary', op: '**', left: base, right: exponent, span: { start: base.span.start, end: exponent.span.end } };
    }
    return base;
  }

  /** A value followed by filters: `first_name|default:'there'|title`. */
  parseFiltered(): Expr | undefined {
    let value = this.parsePostfix();
    while (value && this.lexer.peek().kind === 'pipe' && this.more()) {
      const pipe = this.lexer.next();
      const name = this.lexer.next();
      if (name.kind !== 'name') {
        this.report({ start: pipe.start, end: Math.max(pipe.end, name.end) },
          `A \`|\` with no filter name after it: ${this.flavor.rejects}. Add a filter, as in ${this.flavor.jinja ? '`|default("there")`' : "`|default:'there'`"}, or remove the \`|\`.`);
        return value;
      }
      const args: Expr[] = [];
      let end = name.end;
      if (this.flavor.jinja) {
        if (this.lexer.peek().kind === 'open-paren' && this.lexer.peek().start === name.end) {
          this.lexer.next();
          end = this.parseArguments(args, [], 'close-paren');
        }
      } else if (this.lexer.peek().kind === 'colon') {
        const colon = this.lexer.next();
        const argument = this.parseFilterArgument();
        if (!argument) {
          this.report({ start: name.start, end: colon.end },
            `The filter \`${name.value}\` is followed by \`:\` but no value: ${this.flavor.rejects}. Add the value or remove the \`:\`.`);
        } else {
          args.push(argument);
          end = argument.span.end;
        }
      }
      // Klaviyo: `person|lookup:'Favorite Color'` is the property itself, like `person.Favorite Color`.
      const argument = args[0];
      if (name.value === 'lookup' && value.kind === 'path' && args.length === 1 && argument.kind === 'literal' && typeof argument.value === 'string') {
        value = { ...value, segments: [...value.segments, { name: argument.value, span: argument.span }], span: { start: value.span.start, end } };
        continue;
      }
      value = { kind: 'filter', input: value, name: name.value, nameSpan: { start: name.start, end: name.end }, args, span: { start: value.span.start, end } };
    }
    return value;
  }

  /** Django's one filter argument: a literal or a variable, never an expression. */
  private parseFilterArgument(): Expr | undefined {
    const token = this.lexer.peek();
    if (token.kind === 'operator' && token.value === '-' && this.lexer.peek(1).kind === 'number') {
      this.lexer.next();
      const number = this.lexer.next();
      return { kind: 'literal', value: -Number(number.value.replace(/_/g, '')), span: { start: token.start, end: number.end } };
    }
    if (token.kind === 'end' || token.kind === 'pipe') return undefined;
    return this.parsePostfix();
  }

  /** An atom and its members: `event.items[0].title`, `range(3)`, `contact['first name']`. */
  private parsePostfix(): Expr | undefined {
    let value = this.parseAtom();
    while (value) {
      const token = this.lexer.peek();
      if ((token.kind === 'dot' || token.kind === 'open-bracket' || token.kind === 'open-paren') && !this.more()) return value;
      if (token.kind === 'dot') {
        this.lexer.next();
        const name = this.lexer.peek();
        if (name.kind !== 'name' && name.kind !== 'number') {
          this.report({ start: value.span.start, end: token.end },
            `\`${this.text.slice(value.span.start, token.end)}\` ends with a dot: ${this.flavor.rejects}. Finish the property name or remove the dot.`);
          return value;
        }
        this.lexer.next();
        const segmentSpan = { start: name.start, end: name.end };
        if (value.kind === 'path') {
          const segment: PathSegment = name.kind === 'number'
            ? { index: { kind: 'literal', value: Number(name.value), span: segmentSpan }, span: segmentSpan }
            : { name: name.value, span: segmentSpan };
          // Extended in place (the path was built by this loop): copying it for each dot was quadratic.
          value.segments.push(segment);
          value.span = { start: value.span.start, end: name.end };
        } else {
          value = { kind: 'member', object: value, key: name.value, span: { start: value.span.start, end: name.end } };
        }
      } else if (token.kind === 'open-bracket' && this.flavor.jinja) {
        this.lexer.next();
        const index = this.parseExpression();
        const close = this.lexer.peek();
        if (!index || close.kind !== 'close-bracket') {
          this.report({ start: token.start, end: close.end }, `\`[\` is never closed with \`]\`: ${this.flavor.rejects}.`);
          return value;
        }
        this.lexer.next();
        const span = { start: token.start, end: close.end };
        if (value.kind === 'path') {
          const segment: PathSegment = index.kind === 'literal' && typeof index.value === 'string'
            ? { name: index.value, span: index.span }
            : { index, span };
          value.segments.push(segment);
          value.span = { start: value.span.start, end: close.end };
        } else {
          value = { kind: 'member', object: value, key: index, span: { start: value.span.start, end: close.end } };
        }
      } else if (token.kind === 'open-paren' && this.flavor.jinja && token.start === value.span.end) {
        this.lexer.next();
        const args: Expr[] = [];
        const named: { name: string; value: Expr }[] = [];
        const end = this.parseArguments(args, named, 'close-paren');
        if (value.kind === 'path' && value.segments.length === 0) {
          value = { kind: 'call', name: value.root, nameSpan: value.span, args, named, span: { start: value.span.start, end } };
        } else if (value.kind === 'path') {
          const last = value.segments[value.segments.length - 1];
          const target: PathExpr = { ...value, segments: value.segments.slice(0, -1), span: { start: value.span.start, end: last.span.start - 1 } };
          value = { kind: 'call', name: 'name' in last ? last.name : '', nameSpan: last.span, target, args, named, span: { start: value.span.start, end } };
        } else {
          value = { kind: 'call', name: '', nameSpan: value.span, target: value, args, named, span: { start: value.span.start, end } };
        }
      } else {
        return value;
      }
    }
    return value;
  }

  private parseAtom(): Expr | undefined {
    const token = this.lexer.peek();
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'name': {
        this.lexer.next();
        if (Object.prototype.hasOwnProperty.call(LITERALS, token.value)) return { kind: 'literal', value: LITERALS[token.value], span };
        return { kind: 'path', root: token.value, segments: [], span };
      }
      case 'string': {
        this.lexer.next();
        if (token.terminated === false) {
          this.report(span, `A text value is missing its closing quote: ${this.flavor.rejects}. Add the closing quote.`);
        }
        return { kind: 'literal', value: token.value, span };
      }
      case 'number':
        this.lexer.next();
        return { kind: 'literal', value: Number(token.value.replace(/_/g, '')), span };
      case 'open-paren': {
        this.lexer.next();
        if (!this.flavor.jinja) {
          this.report(span, `${this.flavor.platform}'s tags do not take parentheses: ${this.flavor.rejects}. Write the condition without them (\`and\` binds tighter than \`or\`).`);
        }
        const inner = this.parseExpression();
        const close = this.lexer.peek();
        if (close.kind !== 'close-paren') {
          this.report({ start: token.start, end: close.end }, `\`(\` is never closed with \`)\`: ${this.flavor.rejects}.`);
          return inner;
        }
        this.lexer.next();
        return inner ? { ...inner, span: { start: token.start, end: close.end } } : undefined;
      }
      case 'open-bracket': {
        if (!this.flavor.jinja) break;
        this.lexer.next();
        const items: Expr[] = [];
        const end = this.parseArguments(items, [], 'close-bracket');
        return { kind: 'list', items, span: { start: token.start, end } };
      }
      case 'open-brace': {
        if (!this.flavor.jinja) break;
        this.lexer.next();
        const entries: { key: Expr; value: Expr }[] = [];
        let end = token.end;
        while (this.lexer.peek().kind !== 'close-brace' && this.lexer.peek().kind !== 'end') {
          const key = this.parseExpression();
          if (!key || !this.lexer.accept('colon')) break;
          const value = this.parseExpression();
          if (!value) break;
          entries.push({ key, value });
          if (!this.lexer.accept('comma')) break;
        }
        const close = this.lexer.peek();
        if (close.kind === 'close-brace') {
          this.lexer.next();
          end = close.end;
        } else {
          this.report({ start: token.start, end: close.end }, `\`{\` is never closed with \`}\`: ${this.flavor.rejects}.`);
        }
        return { kind: 'dict', entries, span: { start: token.start, end } };
      }
      case 'end':
        return undefined;
      default:
        break;
    }
    this.unexpected(this.lexer.next());
    return undefined;
  }

  /** `a, b, key=value)`; returns the offset after the closing token. */
  private parseArguments(args: Expr[], named: { name: string; value: Expr }[], close: 'close-paren' | 'close-bracket'): number {
    const closer = close === 'close-paren' ? ')' : ']';
    while (this.lexer.peek().kind !== close) {
      const token = this.lexer.peek();
      if (token.kind === 'end') {
        this.report(this.tagSpan, `A \`${closer === ')' ? '(' : '['}\` is never closed with \`${closer}\`: ${this.flavor.rejects}.`);
        return token.end;
      }
      if (token.kind === 'name' && this.lexer.peek(1).kind === 'equals') {
        this.lexer.next();
        this.lexer.next();
        const value = this.parseExpression();
        if (value) named.push({ name: token.value, value });
      } else {
        const value = this.parseExpression();
        if (!value) {
          this.unexpected(this.lexer.next());
          continue;
        }
        args.push(value);
      }
      if (!this.lexer.accept('comma') && this.lexer.peek().kind !== close && this.lexer.peek().kind !== 'end') {
        this.unexpected(this.lexer.next());
      }
    }
    return this.lexer.next().end;
  }

  /** Reports anything left in the tag. */
  expectEnd(what: string): void {
    const token = this.lexer.peek();
    if (token.kind === 'end') return;
    if (!this.flavor.jinja && token.kind === 'operator' && ['+', '-', '*', '/', '//', '%', '**', '~'].includes(token.value)) {
      this.checkArithmetic(token);
      while (this.lexer.peek().kind !== 'end') this.lexer.next();
      return;
    }
    const end = trimmedEnd(this.text, token.start, this.lexer.end);
    this.report({ start: token.start, end: Math.max(token.end, end) },
      `Unexpected \`${shortText(this.text, { start: token.start, end: Math.max(token.end, end) }, 30)}\` in ${what}: ${this.flavor.rejects}. ` +
      (what.startsWith('`{{')
        ? `Separate filters with \`|\`, as in ${this.flavor.jinja ? '`{{ contact.firstname|default("there") }}`' : "`{{ first_name|default:'there' }}`"}.`
        : 'Check the tag\'s syntax.'));
    while (this.lexer.peek().kind !== 'end') this.lexer.next();
  }

  unexpected(token: Token): void {
    if (token.kind === 'end') {
      this.report(this.tagSpan, `This tag ends too early: ${this.flavor.rejects}. Finish the expression.`);
      return;
    }
    const span = this.spanOf(token);
    this.report(span, `Unexpected \`${this.text.slice(span.start, span.end)}\`: ${this.flavor.rejects}. Check the tag's syntax.`);
  }

  /** Reports an operator with nothing after it; what came before it is kept, so that its fields are still found. */
  private missingOperand(operator: Token, before?: Expr): Expr | undefined {
    this.report(this.spanOf(operator), `\`${operator.value}\` needs a value after it: ${this.flavor.rejects}.`);
    return before;
  }

  private checkArithmetic(token: Token): void {
    if (this.flavor.jinja) return;
    this.report(this.spanOf(token),
      `${this.flavor.platform}'s Django templates have no \`${token.value}\` operator: ${this.flavor.rejects}. Use a filter such as \`|add:1\` instead.`);
  }

  private spanOf(token: Token): Span {
    return token.kind === 'end' ? this.tagSpan : { start: token.start, end: token.end };
  }

  /** Runs one level deeper; past MAX_NESTING, reports the tag once and skips the rest of it. */
  private nested<T>(parse: () => T | undefined): T | undefined {
    if (this.gaveUp) return undefined;
    if (this.depth >= MAX_NESTING) {
      this.report(this.tagSpan, tooDeepMessage('Parentheses, brackets or operators'));
      return undefined;
    }
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Counts one more operator, filter or member access; past MAX_EXPRESSION_PARTS, gives up on the tag. */
  private more(): boolean {
    if (++this.parts > MAX_EXPRESSION_PARTS) this.report(this.tagSpan, tooLongMessage());
    return !this.gaveUp;
  }

  /**
   * The tag's one mistake: reported, then the rest of the tag is skipped. Later ones are not reported
   * (the levels that unwind would each report a missing `)`, each word of a placeholder an unexpected
   * name): the first says it all.
   */
  report(span: Span, message: string): void {
    if (this.gaveUp) return;
    this.sink.error(span, message);
    this.gaveUp = true;
    while (this.lexer.peek().kind !== 'end') this.lexer.next();
  }
}
