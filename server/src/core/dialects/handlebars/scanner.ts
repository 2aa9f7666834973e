/**
 * One-pass scanner shared by the Handlebars family (plain Handlebars for Amazon SES and Mailgun,
 * SendGrid, Iterable, Postmark's Mustachio, Account Engagement's HML): template text to field uses,
 * syntax problems, branches and purpose directives. A `HandlebarsFlavor` says what each platform
 * accepts.
 *
 * Hand-written, not built on `Handlebars.parse`, because it runs on every keystroke and must:
 * give the exact UTF-16 range of every path (the AST gives only line/column of whole nodes, and
 * none for `../` or `this` inside expressions); keep going after the first mistake (the parser
 * throws on it, so one unclosed `{{#if}}` would hide every other finding); resolve paths through
 * `#each` loops, `#with`, sections, block params and `../` as each platform does; and stay linear in
 * the text's length (tags are found with `indexOf`, guards are counted, not searched). When it finds
 * nothing wrong, `Handlebars.parse` confirms the template (see `confirmWithParser`), so the two
 * never disagree silently about what handlebars.js would refuse.
 *
 * Invariants: every span lies inside the text; a mistake is reported and scanning goes on after it;
 * uses are recorded in text order.
 */
import Handlebars from 'handlebars';
import { closestNames } from '../../closest';
import type { Span } from '../../model';
import type { Branch, BranchGroup, FieldUse, LoopScope, PurposeDirective, SyntaxProblem, TemplateScan, UseContext } from '../dialect';
import { findPurposeDirectives } from '../directives';
import { MAX_NESTING } from '../common/limits';
import { ForwardIndex, LineEnds, isSpace } from '../common/scan-collector';
import type { BlockHelper, GuardRule, HandlebarsFlavor } from './flavor';
import { ExpressionLexer, literalValue, parseSubExpression, type ExpressionProblem, type Param, type SubExpression, type Token } from './lexer';

const OPEN_BRACE = 123, CLOSE_BRACE = 125, TILDE = 126, BACKSLASH = 92, QUOTE = 34, APOSTROPHE = 39, NEWLINE = 10;

/** Templates larger than this are not re-parsed by handlebars.js, whose parser is superlinear (100 KB: ~60 ms). */
const CONFIRM_LIMIT = 64 * 1024;

/** Longest context path followed through nested loops and sections. */
const MAX_PATH_LENGTH = 512;

interface Frame {
  /** Data path of the context: `` at the root, `cart.items[]` in a loop; null when it cannot be known. */
  base: string | null;
  /** Block params (`as |item|`) to the path they stand for; null for an index or key. */
  blockParams: Map<string, string | null>;
}

interface OpenBlock {
  /** What the closing tag must name: the helper, or the section's path as written. */
  name: string;
  kind: 'helper' | 'section' | 'inverted' | 'unknown' | 'partial' | 'decorator';
  helper?: BlockHelper;
  tagSpan: Span;
  branches: Branch[];
  activeGuards: string[];
  guardsWhenAllFalse: string[];
  /** Frames to keep when the block ends, or when its `{{else}}` leaves the loop's context. */
  framesBefore: number;
  elseSeen: boolean;
  conditional: boolean;
  /** The one field a plain `{{#if x}}` or section tests, for recognising `{{#if x}}{{x}}{{else}}there{{/if}}`. */
  testedPath?: string;
  /** Per branch: tags seen directly in it, and the output use when it holds exactly one. */
  branchTags: number[];
  branchOutput: (number | undefined)[];
  /** The section `{{#x}}{{.}}{{/x}}` that this `{{^x}}` completes, by the index of its use. */
  pairedUse?: number;
  rule?: GuardRule;
  /** For loops: what the item is called in the body (`this`, or its block param) and its data path. */
  loop?: { variable: string; itemPath: string };
}

interface Guards {
  whenTrue: string[];
  whenFalse: string[];
}

export function scanHandlebars(text: string, flavor: HandlebarsFlavor): TemplateScan {
  return new HandlebarsScanner(text, flavor).scan();
}

class HandlebarsScanner {
  private readonly uses: FieldUse[] = [];
  private readonly syntaxErrors: SyntaxProblem[] = [];
  private readonly branchGroups: BranchGroup[] = [];
  private readonly purposeDirectives: PurposeDirective[] = [];
  private readonly loopScopes: LoopScope[] = [];
  private readonly stack: OpenBlock[] = [];
  private readonly frames: Frame[] = [{ base: '', blockParams: new Map() }];
  /** Block params in scope, innermost last, so resolving a name never walks every frame. */
  private readonly boundParams = new Map<string, (string | null)[]>();
  private readonly guardCounts = new Map<string, number>();
  /** Open blocks by name, and open conditionals: kept as counts so nesting stays linear. */
  private readonly openNames = new Map<string, number>();
  private conditionalDepth = 0;
  /** The deepest nesting of blocks, or longest `{{else if}}` chain, seen: handlebars.js parses deep ones in quadratic time. */
  private deepest = 0;
  private readonly mustachio: boolean;
  /** The last closed section, to pair `{{#x}}{{.}}{{/x}}{{^x}}there{{/x}}`. */
  private lastSection: { name: string; end: number; use: number } | undefined;
  /** Finds `}}}}` once for a run of raw blocks left open (each searched to the end of the text before). */
  private readonly rawCloses: ForwardIndex;
  /** See `walkTag`: made when a tag first turns out never to close. */
  private dead: Uint8Array | undefined;
  /** Line ends, found once per line (a line of unclosed tags asked for its end at each one). */
  private readonly lineEnds: LineEnds;

  constructor(private readonly text: string, private readonly flavor: HandlebarsFlavor) {
    this.mustachio = flavor.mustachio === true;
    this.rawCloses = new ForwardIndex(text, '}}}}');
    this.lineEnds = new LineEnds(text);
  }

  scan(): TemplateScan {
    const text = this.text;
    let pos = 0;
    while (pos < text.length) {
      const open = text.indexOf('{{', pos);
      if (open === -1) break;
      if (!this.mustachio && open > 0 && text.charCodeAt(open - 1) === BACKSLASH && text.charCodeAt(open - 2) !== BACKSLASH) {
        // `\{{x}}` is handlebars.js's escape: the tag is written out as text, on purpose.
        pos = open + 2;
        continue;
      }
      pos = this.readTag(open);
    }
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const block = this.stack[i];
      this.error(block.tagSpan,
        `\`${this.shortTag(block.tagSpan)}\` is never closed: ${this.flavor.refusal}. ` +
        `Add \`{{/${block.name}}}\` where the block should end.`);
    }
    if (this.syntaxErrors.length === 0 && !this.mustachio && text.length <= CONFIRM_LIMIT && this.deepest <= MAX_NESTING) this.confirmWithParser();
    return {
      uses: this.uses,
      syntaxErrors: this.syntaxErrors,
      branchGroups: this.branchGroups,
      purposeDirectives: this.purposeDirectives,
      loopScopes: this.loopScopes,
    };
  }

  // ---- Delimiters -------------------------------------------------------------------------------

  private readTag(open: number): number {
    const text = this.text;
    if (!this.mustachio && text.startsWith('{{{{', open)) return this.readRawBlock(open);
    const triple = text.charCodeAt(open + 2) === OPEN_BRACE;
    const contentStart = open + (triple ? 3 : 2);
    if (!triple) {
      let p = contentStart;
      if (!this.mustachio && text.charCodeAt(p) === TILDE) p++;
      if (text.charCodeAt(p) === 33 /* ! */) return this.readComment(open, p);
    }
    const close = this.findClose(contentStart);
    if (close < 0) return this.unclosed(open, close, triple);
    let tagEnd = close + 2;
    if (triple) {
      if (text.charCodeAt(close + 2) === CLOSE_BRACE) {
        tagEnd = close + 3;
      } else {
        this.error({ start: open, end: tagEnd },
          `\`${this.shortTag({ start: open, end: tagEnd })}\` opens with three braces but closes with two: ${this.flavor.refusal}. ` +
          'Close it with `}}}`, or open it with `{{`.');
      }
    }
    const tagSpan = { start: open, end: tagEnd };
    let start = contentStart;
    let end = close;
    if (!this.mustachio) {
      if (text.charCodeAt(start) === TILDE) start++;
      if (end > start && text.charCodeAt(end - 1) === TILDE) end--;
    }
    if (triple) {
      this.readOutput(start, end, tagSpan);
      return tagEnd;
    }
    let first = start;
    while (first < end && isSpace(text.charCodeAt(first))) first++;
    const sigil = text[first];
    if (first > start && (sigil === '#' || sigil === '/' || sigil === '^' || (sigil === '>' && !this.mustachio) || sigil === '&')) {
      this.error({ start: start, end: first + 1 },
        `A space between \`{{\` and \`${sigil}\`: ${this.flavor.platform} reads \`${sigil}\` as part of a name, so ${this.flavor.refusal}. Write \`{{${sigil}\` with nothing in between.`);
    }
    switch (sigil) {
      case '#':
        if (!this.mustachio && text[first + 1] === '>') this.openPartialBlock(first + 2, end, tagSpan);
        else if (!this.mustachio && text[first + 1] === '*') this.openDecorator(first + 2, end, tagSpan);
        else this.openBlock(first + 1, end, tagSpan, false);
        break;
      case '^':
        if (!this.mustachio && text.slice(first + 1, end).trim() === '') this.handleElse(end, end, tagSpan);
        else this.openBlock(first + 1, end, tagSpan, true);
        break;
      case '/':
        this.closeBlock(first + 1, end, tagSpan);
        break;
      case '>':
        if (this.mustachio) this.readOutput(start, end, tagSpan);
        else this.readPartial(tagSpan);
        break;
      case '&':
        this.readOutput(first + 1, end, tagSpan);
        break;
      default: {
        const elseMatch = /^else(?=\s|$)/.exec(text.slice(first, Math.min(end, first + 5)));
        if (elseMatch && !this.mustachio) this.handleElse(first + 4, end, tagSpan);
        else this.readOutput(start, end, tagSpan);
      }
    }
    return tagEnd;
  }

  /**
   * The index of the closing `}}`, or -1 at the end of the text, or `-(index + 2)` when another tag
   * opens first at `index`. In handlebars.js a quoted string may hold `}}`; a quote that is not
   * closed on its line is taken as a stray character (which keeps the search linear).
   * Mustachio's tags can hold no brace at all (its tokenizer matches `{{[^{}]+?}}`).
   */
  private findClose(from: number): number {
    const close = this.walkTag(from, false);
    // Nothing closes it: remember where this search went, so that the tags after it, left open the
    // same way, stop where they meet its path (each searched to the end of the text: quadratic).
    if (close === -1) this.walkTag(from, true);
    return close;
  }

  /**
   * The search of `findClose`. Positions it visits outside quotes are marked `dead` once a search
   * ran to the end of the text from them; a search that reaches a dead one would only retrace it.
   */
  private walkTag(from: number, mark: boolean): number {
    const text = this.text;
    const length = text.length;
    const dead = mark ? (this.dead ??= new Uint8Array(length)) : this.dead;
    for (let i = from; i < length; i++) {
      if (dead !== undefined) {
        if (dead[i] === 1) return -1;
        if (mark) dead[i] = 1;
      }
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) {
        if (text.charCodeAt(i + 1) === CLOSE_BRACE) return i;
        if (this.mustachio) return -(i + 2);
      } else if (c === OPEN_BRACE) {
        if (text.charCodeAt(i + 1) === OPEN_BRACE || this.mustachio) return -(i + 2);
      } else if ((c === QUOTE || c === APOSTROPHE) && !this.mustachio) {
        let j = i + 1;
        while (j < length) {
          const d = text.charCodeAt(j);
          if (d === c || d === NEWLINE) break;
          if (d === BACKSLASH) j++;
          j++;
        }
        if (j < length && text.charCodeAt(j) === c) i = j;
      }
    }
    return -1;
  }

  private unclosed(open: number, close: number, triple: boolean): number {
    const text = this.text;
    // Where the search stopped: the next `{{`, or (Mustachio) a stray brace inside the tag.
    const at = close < -1 ? -close - 2 : -1;
    const nextTag = at !== -1 && text.charCodeAt(at) === OPEN_BRACE && text.charCodeAt(at + 1) === OPEN_BRACE;
    const stop = nextTag ? at : this.lineEnds.at(open);
    const end = Math.max(open + 2, trimmedEnd(text, open, stop));
    const shown = text.slice(open, Math.min(end, open + 40));
    const delimiter = triple ? '}}}' : '}}';
    if (at !== -1 && !nextTag) {
      this.error({ start: open, end: Math.max(open + 2, Math.min(end, at + 1)) },
        `\`${text.slice(open, Math.min(at + 1, open + 40))}\` is not a Mustachio tag: a Mustachio tag holds no \`{\` or \`}\` before its closing \`${delimiter}\`, so the recipient would see this raw merge syntax. Remove the stray brace.`);
      return at + 1;
    }
    this.error({ start: open, end },
      `\`${shown}\` is never closed with \`${delimiter}\`: ${this.mustachio ? 'the recipient would see this raw merge syntax' : this.flavor.refusal}. Close the tag with \`${delimiter}\`.`);
    return nextTag ? at : open + 2;
  }

  private readComment(open: number, bang: number): number {
    const text = this.text;
    const long = !this.mustachio && text.startsWith('--', bang + 1);
    if (long) {
      const pattern = /--~?\}\}/g;
      pattern.lastIndex = bang + 3;
      const match = pattern.exec(text);
      const bodyEnd = match ? match.index : text.length;
      findPurposeDirectives(text.slice(bang + 3, bodyEnd), bang + 3, this.purposeDirectives);
      if (!match) {
        this.error({ start: open, end: Math.min(text.length, bang + 3) },
          `\`{{!--\` is never closed with \`--}}\`: everything after it is swallowed as a comment, and ${this.flavor.refusal}. Add \`--}}\`.`);
        return text.length;
      }
      return match.index + match[0].length;
    }
    const close = text.indexOf('}}', bang + 1);
    if (close === -1) {
      this.error({ start: open, end: Math.min(text.length, bang + 1) },
        `\`{{!\` is never closed with \`}}\`: everything after it is swallowed as a comment, and ${this.flavor.refusal}. Add \`}}\`.`);
      return text.length;
    }
    if (this.mustachio && /[{}]/.test(text.slice(bang + 1, close))) {
      this.error({ start: open, end: close + 2 },
        'A Mustachio comment holds no `{` or `}`: this one is not a comment, and the recipient would see it as raw merge syntax. Remove the braces from the comment.');
      return close + 2;
    }
    let bodyEnd = close;
    if (!this.mustachio && text.charCodeAt(bodyEnd - 1) === TILDE) bodyEnd--;
    findPurposeDirectives(text.slice(bang + 1, bodyEnd), bang + 1, this.purposeDirectives);
    return close + 2;
  }

  /** `{{{{raw}}}} … {{{{/raw}}}}`: the body is written out as it is. */
  private readRawBlock(open: number): number {
    const text = this.text;
    const close = this.rawCloses.at(open + 4);
    if (close === -1) {
      this.error({ start: open, end: open + 4 }, `\`{{{{\` is never closed with \`}}}}\`: ${this.flavor.refusal}. Close the raw block's opening tag.`);
      return open + 4;
    }
    const name = text.slice(open + 4, close).trim().split(/\s+/)[0] ?? '';
    const endTag = `{{{{/${name}}}}}`;
    const endIndex = text.indexOf(endTag, close + 4);
    if (endIndex === -1) {
      this.error({ start: open, end: close + 4 },
        `The raw block \`{{{{${name}}}}}\` is never closed: everything after it is written out as it is, and ${this.flavor.refusal}. Add \`${endTag}\`.`);
      return text.length;
    }
    return endIndex + endTag.length;
  }

  // ---- Outputs ----------------------------------------------------------------------------------

  private readOutput(start: number, end: number, tagSpan: Span): void {
    const text = this.text;
    if (this.mustachio) {
      this.readMustachioOutput(start, end, tagSpan);
      return;
    }
    const problems: ExpressionProblem[] = [];
    const sexpr = parseSubExpression(new ExpressionLexer(text, start, end), problems, false);
    this.reportProblems(problems, tagSpan);
    if (!sexpr) {
      this.noteTag(undefined);
      return;
    }
    if (sexpr.blockParams.length) this.error(tagSpan, `\`as |…|\` only fits block tags such as \`{{#each list as |item|}}\`: ${this.flavor.refusal}.`);
    const head = sexpr.head;
    if (sexpr.params.length === 0 && sexpr.hash.length === 0) {
      if (head.kind !== 'path' || this.isHelperName(head)) {
        this.noteTag(undefined);
        return;
      }
      const before = this.uses.length;
      this.usePath(head, tagSpan, 'output', null, []);
      this.noteTag(this.uses.length === before + 1 ? before : undefined);
      return;
    }
    const before = this.uses.length;
    this.readHelperCall(sexpr, tagSpan, 'output', [], null);
    const outputs = this.uses.slice(before).filter((use) => use.context === 'output');
    this.noteTag(outputs.length === 1 ? this.uses.indexOf(outputs[0], before) : undefined);
  }

  /** Mustachio outputs are one path: no helpers, no literals. */
  private readMustachioOutput(start: number, end: number, tagSpan: Span): void {
    const lexer = new ExpressionLexer(this.text, start, end, true);
    const token = lexer.next();
    const rest = lexer.peek();
    const written = this.text.slice(start, end).trim();
    if (token.kind === 'end') {
      this.error(tagSpan, `\`${this.shortTag(tagSpan)}\` names no field: the recipient would see this raw merge syntax. Put a field name between the braces.`);
      this.noteTag(undefined);
      return;
    }
    if (this.flavor.platformTag(written)) {
      this.noteTag(undefined);
      return;
    }
    if (written === 'else') {
      this.error(tagSpan,
        `Postmark's Mustachio has no \`{{else}}\`: it looks up a field named "else" and renders nothing, while both branches show. ` +
        'Close the section, then add an inverted section for the other case: `{{#x}}…{{/x}}{{^x}}…{{/x}}`.');
      this.noteTag(undefined);
      return;
    }
    if (token.kind !== 'path' || rest.kind !== 'end' || token.invalid) {
      const words = written.split(/\s+/);
      this.error({ start: token.start, end: trimmedEnd(this.text, start, end) },
        words.length > 1
          ? `\`${written}\` is not a Mustachio path: Postmark's Mustachio has no helpers (such as \`${words[0]}\`), so ${this.flavor.refusal}. ` +
            'Output one field, as in `{{ person.first_name }}`, and put fallbacks in an inverted section `{{^x}}…{{/x}}`.'
          : `\`${written}\` is not a Mustachio path${token.invalid ? ` (${token.invalid})` : ''}: paths are names joined by dots, with \`../\` to reach the outer scope and \`.\` for the current value. ${capitalize(this.flavor.refusal)}.`);
      this.noteTag(undefined);
      return;
    }
    if (token.data) {
      this.error({ start: token.start, end: token.end },
        `Postmark's Mustachio has no \`@\` variables such as \`${token.value}\`: ${this.flavor.refusal}. Remove it; Mustachio loops have no index.`);
      this.noteTag(undefined);
      return;
    }
    if (token.segments?.[0] === 'this') {
      this.error({ start: token.start, end: token.end },
        `Postmark's Mustachio has no \`this\`: \`{{${token.value}}}\` looks up a field named "this" and renders nothing. Write \`{{.}}\` for the current value${token.segments.length > 1 ? `, or \`{{${token.segments.slice(1).join('.')}}}\`` : ''}.`);
      this.noteTag(undefined);
      return;
    }
    const before = this.uses.length;
    this.usePath(token, tagSpan, 'output', null, []);
    this.noteTag(this.uses.length === before + 1 ? before : undefined);
  }

  /** `helper a (sub b) key=c`: the first value is what the helper shows; the others are arguments. */
  private readHelperCall(sexpr: SubExpression, tagSpan: Span, context: UseContext, outerFilters: string[], outerFallback: string | null): void {
    const head = sexpr.head;
    const name = head.kind === 'path' ? head.value : '';
    const inline = this.flavor.inlineHelpers[name];
    const block = this.flavor.blockHelpers[name];
    const known = head.kind === 'path' && !head.data && (inline !== undefined || block !== undefined);
    if (!known) {
      this.unknownHelper(head, false);
      for (const param of sexpr.params) this.useParam(param, tagSpan, 'argument', [], null);
      for (const pair of sexpr.hash) if (pair.value) this.useParam(pair.value, tagSpan, 'argument', [], null);
      return;
    }
    const isCondition = context === 'condition' || context === 'loop';
    // Comparison helpers test values; transforming helpers (`formatDate`, `length`) change them.
    const transforms = !(inline?.guard !== undefined || block !== undefined);
    const filters = transforms ? [name, ...outerFilters] : outerFilters;
    let fallback = outerFallback;
    if (inline?.fallback && sexpr.params[1]?.kind === 'literal') {
      const value = literalValue(sexpr.params[1].token);
      if (value !== undefined && value !== null && value !== '') fallback ??= name === 'insert' ? String(value).replace(/^default=/, '') : String(value);
    }
    sexpr.params.forEach((param, index) => {
      if (isCondition) this.useParam(param, tagSpan, context, index === 0 ? filters : [], null);
      else if (index === 0) this.useParam(param, tagSpan, context, filters, fallback);
      else if (index === 1 && inline?.fallback) this.useParam(param, tagSpan, context, outerFilters, outerFallback);
      else this.useParam(param, tagSpan, 'argument', [], null);
    });
    for (const pair of sexpr.hash) if (pair.value) this.useParam(pair.value, tagSpan, 'argument', [], null);
  }

  private useParam(param: Param, tagSpan: Span, context: UseContext, filters: string[], fallback: string | null): void {
    if (param.kind === 'path') this.usePath(param.token, tagSpan, context, fallback, filters);
    else if (param.kind === 'sexpr') this.readHelperCall(param.sexpr, tagSpan, context, filters, fallback);
  }

  private usePath(token: Token, tagSpan: Span, context: UseContext, fallback: string | null, filters: string[]): void {
    const path = this.resolve(token);
    if (path === undefined) return;
    this.uses.push({
      path,
      written: token.value,
      span: { start: token.start, end: token.end },
      tagSpan,
      context,
      fallback,
      guarded: (this.guardCounts.get(path) ?? 0) > 0,
      filters,
    });
  }

  private isHelperName(token: Token): boolean {
    return token.kind === 'path' && !token.data && token.segments?.length === 1 &&
      (this.flavor.inlineHelpers[token.value] !== undefined);
  }

  // ---- Blocks -----------------------------------------------------------------------------------

  private openBlock(start: number, end: number, tagSpan: Span, inverted: boolean): void {
    if (this.mustachio) {
      this.openMustachioBlock(start, end, tagSpan, inverted);
      return;
    }
    const problems: ExpressionProblem[] = [];
    const sexpr = parseSubExpression(new ExpressionLexer(this.text, start, end), problems, false);
    this.reportProblems(problems, tagSpan);
    if (!sexpr || sexpr.head.kind !== 'path') {
      this.noteTag(undefined);
      if (!sexpr) this.error(tagSpan, `\`${this.shortTag(tagSpan)}\` names no block: ${this.flavor.refusal}. Write \`{{#if field}}\`, or remove the \`${inverted ? '^' : '#'}\`.`);
      this.pushBlock(sexpr?.head.value ?? '', 'unknown', tagSpan);
      return;
    }
    const head = sexpr.head;
    const name = head.value;
    const helper = !head.data && head.segments?.length === 1 ? this.flavor.blockHelpers[name] : undefined;
    this.noteTag(undefined);
    if (helper) {
      this.openHelperBlock(name, helper, sexpr, tagSpan, inverted);
      return;
    }
    if (sexpr.params.length === 0 && sexpr.hash.length === 0 && !head.data && !this.flavor.inlineHelpers[name]) {
      if (!this.flavor.sections) {
        this.error({ start: head.start, end: head.end },
          `\`{{${inverted ? '^' : '#'}${name}}}\` is a Mustache section, which ${this.flavor.platform} does not support: ${this.flavor.refusal}. ` +
          `Write \`{{#${inverted ? 'unless' : 'if'} ${name}}}…{{/${inverted ? 'unless' : 'if'}}}\`.`);
        this.pushBlock(name, 'unknown', tagSpan);
        return;
      }
      this.openSection(head, tagSpan, inverted);
      return;
    }
    this.unknownHelper(head, true);
    for (const param of sexpr.params) this.useParam(param, tagSpan, 'condition', [], null);
    this.pushBlock(name, 'unknown', tagSpan);
  }

  private openHelperBlock(name: string, helper: BlockHelper, sexpr: SubExpression, tagSpan: Span, inverted: boolean): void {
    if (sexpr.params.length < helper.minParams) {
      this.error(tagSpan,
        `\`{{#${name}}}\` needs ${helper.minParams === 1 ? 'a value' : `${helper.minParams} values`}, as in \`{{#${name} ${helper.minParams === 1 ? (helper.scope === 'each' ? 'list' : 'field') : 'field "value"'}}}\`: ${this.flavor.refusal}.`);
    }
    if (helper.conditional && this.flavor.maxConditionalDepth !== undefined) {
      const depth = this.conditionalDepth;
      if (depth >= this.flavor.maxConditionalDepth) {
        this.error(tagSpan,
          `\`${this.shortTag(tagSpan)}\` is the conditional number ${depth + 1} in a nest of conditionals, and ${this.flavor.platform} allows at most ${this.flavor.maxConditionalDepth} deep: ${this.flavor.refusal}. ` +
          'Flatten the conditions, for example by moving this one outside its parent.');
      }
    }
    if (this.flavor.plainConditionsOnly && helper.conditional &&
      (sexpr.params.length !== 1 || sexpr.params[0].kind !== 'path' || sexpr.hash.length > 0)) {
      this.error(tagSpan,
        `\`${this.shortTag(tagSpan)}\`: ${this.flavor.platform} conditions only test whether one field has a value, as in \`{{#${name} Recipient.FirstName}}\`; they cannot compare values. ${capitalize(this.flavor.refusal)}.`);
    }
    const context: UseContext = helper.scope === 'each' ? 'loop' : 'condition';
    sexpr.params.forEach((param, index) => this.useParam(param, tagSpan, index === 0 ? context : helper.scope ? 'argument' : 'condition', [], null));
    for (const pair of sexpr.hash) if (pair.value) this.useParam(pair.value, tagSpan, 'argument', [], null);
    const rule = inverted ? invertRule(helper.guard) : helper.guard;
    const guards = this.conditionGuards(rule, sexpr.params);
    const block = this.pushBlock(name, 'helper', tagSpan);
    block.helper = helper;
    this.setConditional(block, helper.conditional);
    block.rule = rule;
    if ((rule === 'truthy' || rule === 'falsy') && sexpr.params.length === 1 && sexpr.params[0].kind === 'path') {
      block.testedPath = this.resolve(sexpr.params[0].token);
    }
    if (helper.scope) {
      const first = sexpr.params[0];
      const path = first ? this.loopSourcePath(first) : undefined;
      const base = path === undefined ? null : helper.scope === 'each' ? `${path}[]` : path;
      const blockParams = new Map<string, string | null>();
      sexpr.blockParams.forEach((param, index) => blockParams.set(param.value, index === 0 ? base : null));
      this.pushFrame({ base, blockParams });
      if (helper.scope === 'each' && base !== null) block.loop = { variable: sexpr.blockParams[0]?.value ?? 'this', itemPath: base };
    }
    this.enterBranch(block, tagSpan, guards.whenTrue);
    block.guardsWhenAllFalse = guards.whenFalse;
  }

  /** `{{#x}}…{{/x}}` shows its content with `x` as the context when `x` has a value; `{{^x}}` when it has none. */
  private openSection(head: Token, tagSpan: Span, inverted: boolean): void {
    this.usePath(head, tagSpan, 'condition', null, []);
    const path = this.resolve(head);
    const block = this.pushBlock(head.value, inverted ? 'inverted' : 'section', tagSpan);
    this.setConditional(block, true);
    if (!inverted) block.testedPath = path;
    // Mustachio scopes even the inverted section to the (empty) value; handlebars.js keeps the context.
    if (!inverted || this.mustachio) this.pushFrame({ base: path ?? null, blockParams: new Map() });
    const last = this.lastSection;
    if (inverted && last && last.name === head.value && this.text.slice(last.end, tagSpan.start).trim() === '') {
      block.pairedUse = last.use;
    }
    this.lastSection = undefined;
    const guards = path === undefined ? [] : [path];
    this.enterBranch(block, tagSpan, inverted ? [] : guards);
    block.guardsWhenAllFalse = inverted ? guards : [];
  }

  private openMustachioBlock(start: number, end: number, tagSpan: Span, inverted: boolean): void {
    const text = this.text;
    const content = text.slice(start, end);
    this.noteTag(undefined);
    if (!inverted && /^each(\s|$)/.test(content)) {
      const lexer = new ExpressionLexer(text, start + 4, end, true);
      const source = lexer.next();
      const extra = lexer.peek();
      const block = this.pushBlock('each', 'helper', tagSpan);
      if (source.kind !== 'path' || source.invalid || extra.kind !== 'end') {
        this.error(tagSpan,
          source.kind === 'end'
            ? `\`{{#each}}\` needs a list to loop over, as in \`{{#each items}}\`: ${this.flavor.refusal}.`
            : `\`${this.shortTag(tagSpan)}\` does not name one list${source.invalid ? ` (${source.invalid})` : ''}: ${this.flavor.refusal}. Write \`{{#each items}}\`.`);
        this.pushFrame({ base: null, blockParams: new Map() });
        this.enterBranch(block, tagSpan, []);
        return;
      }
      this.usePath(source, tagSpan, 'loop', null, []);
      const path = this.resolve(source);
      this.pushFrame({ base: path === undefined ? null : `${path}[]`, blockParams: new Map() });
      if (path !== undefined) block.loop = { variable: '.', itemPath: `${path}[]` };
      this.enterBranch(block, tagSpan, path === undefined ? [] : [path]);
      return;
    }
    const lexer = new ExpressionLexer(text, start, end, true);
    const head = lexer.next();
    const extra = lexer.peek();
    const written = content.trim();
    if (head.kind !== 'path' || head.invalid || extra.kind !== 'end' || head.data || written !== content) {
      const word = written.split(/\s+/)[0];
      this.error(tagSpan,
        word === 'if' || word === 'unless' || word === 'with'
          ? `Postmark's Mustachio has no \`${word}\` helper: ${this.flavor.refusal}. ` +
            `Write \`{{${word === 'unless' ? '^' : '#'}field}}…{{/field}}\` to show content only when the field ${word === 'unless' ? 'is empty' : 'has a value'}.`
          : `\`${this.shortTag(tagSpan)}\` is not a Mustachio section: a section names one path, as in \`{{#person}}\`, with no spaces${head.invalid ? ` (${head.invalid})` : ''}. ${capitalize(this.flavor.refusal)}.`);
      this.pushBlock(word, 'unknown', tagSpan);
      return;
    }
    this.openSection(head, tagSpan, inverted);
  }

  private openPartialBlock(start: number, end: number, tagSpan: Span): void {
    this.noteTag(undefined);
    const name = this.text.slice(start, end).trim().split(/\s+/)[0] ?? '';
    if (!this.flavor.partials) this.error(tagSpan, `${this.flavor.platform} templates cannot include partials such as \`${this.shortTag(tagSpan)}\`: ${this.flavor.refusal}. Paste the partial's content instead.`);
    this.pushBlock(name, 'partial', tagSpan);
  }

  private openDecorator(start: number, end: number, tagSpan: Span): void {
    this.noteTag(undefined);
    const name = this.text.slice(start, end).trim().split(/\s+/)[0] ?? '';
    if (!this.flavor.partials) this.error(tagSpan, `${this.flavor.platform} templates cannot define inline partials (\`${this.shortTag(tagSpan)}\`): ${this.flavor.refusal}.`);
    this.pushBlock(name, 'decorator', tagSpan);
  }

  private readPartial(tagSpan: Span): void {
    this.noteTag(undefined);
    if (!this.flavor.partials) {
      this.error(tagSpan, `${this.flavor.platform} templates cannot include partials such as \`${this.shortTag(tagSpan)}\`: ${this.flavor.refusal}. Paste the partial's content instead.`);
    }
  }

  private handleElse(restStart: number, restEnd: number, tagSpan: Span): void {
    const block = this.stack[this.stack.length - 1];
    const rest = this.text.slice(restStart, restEnd).trim();
    if (!block || block.kind === 'partial' || block.kind === 'decorator') {
      this.error(tagSpan, `\`${this.shortTag(tagSpan)}\` is outside any block: ${this.flavor.refusal}. Move it inside \`{{#if …}}…{{/if}}\`, or remove it.`);
      return;
    }
    if (block.elseSeen) {
      this.error(tagSpan, `A second \`{{else}}\` in \`${this.shortTag(block.tagSpan)}\`: ${this.flavor.refusal}. Keep one \`{{else}}\` per block.`);
      return;
    }
    if (rest) {
      if (!this.flavor.chainedElse) {
        this.error(tagSpan,
          `${this.flavor.platform} has no \`{{else if}}\`: ${this.flavor.refusal}. Nest a second \`{{#if}}\` inside \`{{else}}\`` +
          (this.flavor.maxConditionalDepth ? ` (at most ${this.flavor.maxConditionalDepth} conditionals deep).` : '.'));
      }
      const problems: ExpressionProblem[] = [];
      const sexpr = parseSubExpression(new ExpressionLexer(this.text, restStart, restEnd), problems, false);
      this.reportProblems(problems, tagSpan);
      const name = sexpr?.head.kind === 'path' ? sexpr.head.value : '';
      const helper = this.flavor.blockHelpers[name];
      if (!sexpr || !helper || helper.scope) {
        if (sexpr && !helper) this.unknownHelper(sexpr.head, true);
        else if (helper?.scope) this.error(tagSpan, `\`{{else ${name}}}\` cannot chain a loop or context block: ${this.flavor.refusal}. Close the block and open \`{{#${name}}}\` after it.`);
        this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
        return;
      }
      // Conditions of an `else if` run only when every earlier condition was false.
      this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
      sexpr.params.forEach((param) => this.useParam(param, tagSpan, 'condition', [], null));
      const guards = this.conditionGuards(helper.guard, sexpr.params);
      this.addGuards(block, guards.whenTrue);
      // Past MAX_NESTING paths, later branches are not counted as guarded by the earlier conditions:
      // re-guarding all of them at each branch was quadratic in long chains.
      if (block.guardsWhenAllFalse.length < MAX_NESTING) block.guardsWhenAllFalse = [...block.guardsWhenAllFalse, ...guards.whenFalse];
      block.testedPath = undefined;
      return;
    }
    block.elseSeen = true;
    // A loop's or section's `{{else}}` runs in the outer context.
    this.popFrames(block.framesBefore);
    this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
  }

  private closeBlock(start: number, end: number, tagSpan: Span): void {
    const written = this.text.slice(start, end).trim();
    const name = this.mustachio ? written : written.split(/\s+/)[0];
    if (!name || (!this.mustachio && written !== name)) {
      this.error(tagSpan, `\`${this.shortTag(tagSpan)}\`: a closing tag names only its block, as in \`{{/if}}\`. ${capitalize(this.flavor.refusal)}.`);
      if (!name) return;
    }
    if (this.mustachio && this.text.slice(start, end) !== written) {
      this.error(tagSpan, `\`${this.shortTag(tagSpan)}\` has spaces: Mustachio only recognises \`{{/${written}}}\` written without them, so ${this.flavor.refusal}.`);
    }
    let index = -1;
    if (this.openNames.get(name)) {
      for (let i = this.stack.length - 1; i >= 0; i--) {
        if (this.stack[i].name === name) { index = i; break; }
      }
    }
    if (index === -1) {
      const top = this.stack[this.stack.length - 1];
      this.error(tagSpan,
        top
          ? `\`{{/${name}}}\` does not match the open \`${this.shortTag(top.tagSpan)}\`: ${this.flavor.refusal}. Close it with \`{{/${top.name}}}\`, or remove this tag.`
          : `\`{{/${name}}}\` closes a block that was never opened: ${this.flavor.refusal}. Remove it, or add \`{{#${name} …}}\` before it.`);
      return;
    }
    while (this.stack.length - 1 > index) {
      const inner = this.stack[this.stack.length - 1];
      this.error(inner.tagSpan,
        `\`${this.shortTag(inner.tagSpan)}\` is never closed: \`{{/${name}}}\` closes an outer block first, so ${this.flavor.refusal}. Add \`{{/${inner.name}}}\` before \`{{/${name}}}\`.`);
      this.finishBlock(inner, tagSpan);
    }
    this.finishBlock(this.stack[index], tagSpan);
  }

  private pushBlock(name: string, kind: OpenBlock['kind'], tagSpan: Span): OpenBlock {
    const block: OpenBlock = {
      name, kind, tagSpan, branches: [], activeGuards: [], guardsWhenAllFalse: [],
      framesBefore: this.frames.length, elseSeen: false, conditional: false, branchTags: [], branchOutput: [],
    };
    if (kind !== 'helper' && kind !== 'section' && kind !== 'inverted') {
      block.branches.push({ tagSpan, body: { start: tagSpan.end, end: tagSpan.end } });
      block.branchTags.push(0);
      block.branchOutput.push(undefined);
    }
    this.stack.push(block);
    this.deepest = Math.max(this.deepest, this.stack.length);
    this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1);
    return block;
  }

  private pushFrame(frame: Frame): void {
    // Paths grow with each nested loop; past any real template's depth, stop tracking them (keeps scans linear).
    if (frame.base !== null && frame.base.length > MAX_PATH_LENGTH) frame.base = null;
    this.frames.push(frame);
    for (const [name, base] of frame.blockParams) {
      let bound = this.boundParams.get(name);
      if (!bound) this.boundParams.set(name, (bound = []));
      bound.push(base);
    }
  }

  private popFrames(keep: number): void {
    while (this.frames.length > Math.max(1, keep)) {
      const frame = this.frames.pop() as Frame;
      for (const name of frame.blockParams.keys()) this.boundParams.get(name)?.pop();
    }
  }

  private setConditional(block: OpenBlock, conditional: boolean): void {
    block.conditional = conditional;
    if (conditional) this.conditionalDepth++;
  }

  private finishBlock(block: OpenBlock, closeTag: Span): void {
    this.exitBranch(block, closeTag.start);
    this.stack.pop();
    this.openNames.set(block.name, (this.openNames.get(block.name) ?? 1) - 1);
    if (block.conditional) this.conditionalDepth--;
    this.popFrames(block.framesBefore);
    if (block.loop && block.branches[0]) {
      this.loopScopes.push({ variable: block.loop.variable, itemPath: block.loop.itemPath, body: block.branches[0].body });
    }
    if (block.branches.length >= 2 && block.helper?.scope !== 'each') {
      this.branchGroups.push({ tagSpan: block.tagSpan, branches: block.branches });
    }
    this.recogniseFallback(block, closeTag);
  }

  /**
   * `{{#if x}}{{x}}{{else}}there{{/if}}` and `{{#x}}{{.}}{{/x}}{{^x}}there{{/x}}` are how plain
   * Handlebars and Mustachio write a fallback: record "there" as the fallback of that output.
   */
  private recogniseFallback(block: OpenBlock, closeTag: Span): void {
    const plainText = (index: number): string | undefined => {
      const body = block.branches[index].body;
      const value = this.text.slice(body.start, body.end).replace(/\s+/g, ' ').trim();
      return block.branchTags[index] === 0 && value ? value : undefined;
    };
    /** The branch is one output tag and nothing else but whitespace: `{{#if x}}{{x}}{{else}}…`. */
    const singleOutput = (index: number): FieldUse | undefined => {
      const useIndex = block.branchOutput[index];
      const use = block.branchTags[index] === 1 && useIndex !== undefined ? this.uses[useIndex] : undefined;
      const body = block.branches[index].body;
      if (!use || this.text.slice(body.start, use.tagSpan.start).trim() || this.text.slice(use.tagSpan.end, body.end).trim()) return undefined;
      return use;
    };
    if (block.kind === 'section' && block.branches.length === 1) {
      const use = singleOutput(0);
      this.lastSection = use && use.path === block.testedPath ? { name: block.name, end: closeTag.end, use: this.uses.lastIndexOf(use) } : undefined;
      return;
    }
    if (block.kind === 'inverted' && block.pairedUse !== undefined && block.branches.length === 1) {
      const fallback = plainText(0);
      const use = this.uses[block.pairedUse];
      if (fallback && use && use.fallback === null) use.fallback = fallback;
      return;
    }
    if (block.branches.length !== 2 || !block.testedPath) return;
    const [shown, fallbackIndex] = block.rule === 'falsy' ? [1, 0] : [0, 1];
    const use = singleOutput(shown);
    const fallback = plainText(fallbackIndex);
    if (use && fallback && use.path === block.testedPath && use.fallback === null) use.fallback = fallback;
  }

  /** Notes a tag met directly inside the innermost block's current branch. */
  private noteTag(outputUse: number | undefined): void {
    const block = this.stack[this.stack.length - 1];
    if (!block || block.branches.length === 0) return;
    const branch = block.branches.length - 1;
    block.branchTags[branch]++;
    block.branchOutput[branch] = outputUse;
  }

  private enterBranch(block: OpenBlock, tagSpan: Span, guards: string[]): void {
    this.exitBranch(block, tagSpan.start);
    block.branches.push({ tagSpan, body: { start: tagSpan.end, end: tagSpan.end } });
    this.deepest = Math.max(this.deepest, block.branches.length);
    block.branchTags.push(0);
    block.branchOutput.push(undefined);
    this.addGuards(block, guards);
  }

  private addGuards(block: OpenBlock, guards: string[]): void {
    for (const path of guards) this.guardCounts.set(path, (this.guardCounts.get(path) ?? 0) + 1);
    block.activeGuards = [...block.activeGuards, ...guards];
  }

  private exitBranch(block: OpenBlock, at: number): void {
    const last = block.branches[block.branches.length - 1];
    if (last) last.body = { start: last.body.start, end: Math.max(last.body.start, at) };
    for (const path of block.activeGuards) {
      const count = (this.guardCounts.get(path) ?? 1) - 1;
      if (count > 0) this.guardCounts.set(path, count);
      else this.guardCounts.delete(path);
    }
    block.activeGuards = [];
  }

  // ---- Conditions ---------------------------------------------------------------------------------

  private conditionGuards(rule: GuardRule, params: Param[]): Guards {
    switch (rule) {
      case 'truthy':
        return { whenTrue: params.flatMap((param) => this.truthyPaths(param)), whenFalse: [] };
      case 'falsy':
        return { whenTrue: [], whenFalse: params.flatMap((param) => this.truthyPaths(param)) };
      case 'equals':
      case 'not-equals': {
        if (params.length !== 2) return { whenTrue: [], whenFalse: [] };
        const [field, other] = params[0].kind === 'literal' ? [params[1], params[0]] : [params[0], params[1]];
        const path = this.valuePath(field);
        if (!path || other.kind !== 'literal') return { whenTrue: [], whenFalse: [] };
        const blank = isBlankLiteral(other.token);
        if (rule === 'equals') return blank ? { whenTrue: [], whenFalse: [path] } : { whenTrue: [path], whenFalse: [] };
        return blank ? { whenTrue: [path], whenFalse: [] } : { whenTrue: [], whenFalse: [] };
      }
      case 'greater': {
        const path = params[0] ? this.valuePath(params[0]) : undefined;
        return path && params[1]?.kind === 'literal' ? { whenTrue: [path], whenFalse: [] } : { whenTrue: [], whenFalse: [] };
      }
      case 'contains': {
        const path = params[0] ? this.valuePath(params[0]) : undefined;
        return path && params[1]?.kind === 'literal' && !isBlankLiteral(params[1].token) ? { whenTrue: [path], whenFalse: [] } : { whenTrue: [], whenFalse: [] };
      }
      default:
        return { whenTrue: [], whenFalse: [] };
    }
  }

  /** Paths that have a value when `param` is truthy: a field, `(length x)`, or a nested condition. */
  private truthyPaths(param: Param): string[] {
    if (param.kind === 'path') {
      const path = this.resolve(param.token);
      return path === undefined ? [] : [path];
    }
    if (param.kind !== 'sexpr' || param.sexpr.head.kind !== 'path') return [];
    const name = param.sexpr.head.value;
    const inline = this.flavor.inlineHelpers[name];
    const rule = inline?.guard ?? this.flavor.blockHelpers[name]?.guard;
    if (inline?.size) {
      const inner = param.sexpr.params[0];
      return inner ? this.truthyPaths(inner) : [];
    }
    return rule ? this.conditionGuards(rule, param.sexpr.params).whenTrue : [];
  }

  /** The field a compared value comes from: `x`, or `x` in `(length x)`. */
  private valuePath(param: Param): string | undefined {
    if (param.kind === 'path') return this.resolve(param.token);
    if (param.kind === 'sexpr' && param.sexpr.head.kind === 'path' && this.flavor.inlineHelpers[param.sexpr.head.value]?.size) {
      const inner = param.sexpr.params[0];
      return inner ? this.valuePath(inner) : undefined;
    }
    return undefined;
  }

  private loopSourcePath(param: Param): string | undefined {
    if (param.kind === 'path') return this.resolve(param.token);
    if (param.kind === 'sexpr') {
      const inner = param.sexpr.params.find((each) => each.kind === 'path');
      return inner ? this.loopSourcePath(inner) : undefined;
    }
    return undefined;
  }

  // ---- References -------------------------------------------------------------------------------

  /**
   * The data path a written path reads, through loops, `#with`, sections, block params, `../` and
   * `@root`; undefined for data variables (`@index`), platform tags, and contexts that cannot be known.
   * Neither handlebars.js (without `compat`) nor Mustachio looks a name up in outer contexts.
   */
  private resolve(token: Token): string | undefined {
    const segments = token.segments ?? [];
    if (token.data) {
      if (segments[0] !== 'root' || segments.length < 2) return undefined;
      return joinPath('', segments.slice(1));
    }
    if (this.flavor.platformTag(token.value)) return undefined;
    let frameIndex = this.frames.length - 1;
    let i = 0;
    while (segments[i] === '..') {
      frameIndex = Math.max(0, frameIndex - 1);
      i++;
    }
    let explicitContext = false;
    if (segments[i] === '.' || (segments[i] === 'this' && !this.mustachio)) {
      explicitContext = true;
      i++;
    }
    const rest = segments.slice(i);
    const bound = i === 0 && !explicitContext && rest.length > 0 ? this.boundParams.get(rest[0]) : undefined;
    if (bound && bound.length > 0) {
      const base = bound[bound.length - 1];
      return base === null ? undefined : joinPath(base, rest.slice(1));
    }
    const base = this.frames[frameIndex].base;
    if (base === null) return undefined;
    if (rest.length === 0) return base === '' ? undefined : base;
    return joinPath(base, rest);
  }

  // ---- Problems ---------------------------------------------------------------------------------

  private unknownHelper(head: Token, block: boolean): void {
    const names = block ? Object.keys(this.flavor.blockHelpers) : [...Object.keys(this.flavor.inlineHelpers), ...Object.keys(this.flavor.blockHelpers)];
    const suggestion = head.kind === 'path' ? closestNames(head.value, names, 1)[0] : undefined;
    const span = { start: head.start, end: head.end };
    if (head.kind !== 'path' || head.data) {
      this.error(span, `\`${head.value}\` cannot be called as a helper: ${this.flavor.refusal}.`);
      return;
    }
    const known = names.length
      ? `${this.flavor.platform} knows ${block ? 'the block helpers' : 'the helpers'} ${names.slice(0, 12).map((name) => `\`${name}\``).join(', ')}${names.length > 12 ? ', …' : ''}`
      : `${this.flavor.platform} has no helpers`;
    this.error(span,
      `\`${head.value}\` is not a ${block ? 'block ' : ''}helper ${this.flavor.platform} knows: ${this.flavor.refusal}. ` +
      (suggestion ? `Did you mean \`${suggestion}\`?` : `${known}.`) +
      (block && this.flavor.sections ? ` A \`{{#field}}\` section takes no values after the name.` : ''));
  }

  private reportProblems(problems: ExpressionProblem[], tagSpan: Span): void {
    for (const problem of problems) {
      const span = problem.end > problem.start ? { start: problem.start, end: problem.end } : tagSpan;
      this.error(span, `In \`${this.shortTag(tagSpan)}\`, ${problem.message}: ${this.flavor.refusal}.`);
    }
  }

  /** The scanner found nothing: ask handlebars.js, so a template it refuses is never called clean. */
  private confirmWithParser(): void {
    try {
      Handlebars.parse(this.text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const located = error as { lineNumber?: number; column?: number };
      const line = located.lineNumber ?? Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
      const lineStart = offsetOfLine(this.text, line - 1);
      const lineEnd = this.text.indexOf('\n', lineStart);
      const end = trimmedEnd(this.text, lineStart, lineEnd === -1 ? this.text.length : lineEnd);
      const start = located.column !== undefined ? Math.min(lineStart + located.column, end) : lineStart;
      this.error({ start, end: Math.max(end, start) },
        `handlebars.js cannot parse this template (${message.split('\n')[0]}): ${this.flavor.refusal}.`);
    }
  }

  /** The tag's text for a message, shortened: `{{#if customer.first_name}}`. */
  private shortTag(span: Span): string {
    const tag = this.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    return tag.length > 60 ? `${tag.slice(0, 57)}…` : tag;
  }

  private error(span: Span, message: string): void {
    this.syntaxErrors.push({ span, message });
  }
}

function invertRule(rule: GuardRule): GuardRule {
  return rule === 'truthy' ? 'falsy' : rule === 'falsy' ? 'truthy' : 'none';
}

function isBlankLiteral(token: Token): boolean {
  const value = literalValue(token);
  return value === '' || value === null || value === undefined || value === false;
}

/** Joins written segments to a data path: numeric segments are array items (`items.[0].title` → `items[].title`). */
export function joinPath(base: string, segments: string[]): string {
  let path = base;
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += '[]';
    else path = path === '' ? segment : `${path}.${segment}`;
  }
  return path;
}


function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return offset;
    offset = next + 1;
  }
  return offset;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
