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
import { handlebarsEngine } from '../common/engines';
import { closestNames } from '../../closest';
import type { Span } from '../../model';
import type { Branch, IncludeArgument, IncludeKind, TemplateScan, UseContext } from '../dialect';
import { findPurposeDirectives } from '../directives';
import { MAX_NESTING } from '../common/limits';
import { ForwardIndex, LineEnds, ScanCollector, StringEnds, TrimmedEnds, findMergewiseParameters, isSpace, isWhiteSpace, trimmedEnd } from '../common/scan-collector';
import { blockHelper, inlineHelper, type BlockHelper, type GuardRule, type HandlebarsFlavor } from './flavor';
import { isElse } from './tags';
import { findComparisonOperator } from './comparison';
import {
  ExpressionLexer, add, isIndex, isLiteral, literalValue, parsePartial, parseSubExpression,
  type ExpressionProblem, type HashPair, type Param, type SubExpression, type Token,
} from './lexer';

const OPEN_BRACE = 123, CLOSE_BRACE = 125, TILDE = 126, BACKSLASH = 92, QUOTE = 34, APOSTROPHE = 39, BACKTICK = 96;

/** Templates larger than this are not re-parsed by handlebars.js, whose parser is superlinear (100 KB: ~60 ms). */
const CONFIRM_LIMIT = 64 * 1024;

/** Longest context path followed through nested loops and sections. */
const MAX_PATH_LENGTH = 512;

/** Shared by every use without filters, and by the frames, guards and branches that have none (nothing changes them). */
const NO_FILTERS: string[] = [];
/** The filters of a count written `list.length`; shared, never pushed to. */
const LENGTH = ['length'];
const LENGTH_SUFFIX = '.length';

/** `list.length` (not `length` alone, nor `@index.length`): a count of the list's items. */
function countsItems(token: Token): boolean {
  const value = token.value;
  // The last character first: asked of every path, and nearly none ends in `h`.
  return value.charCodeAt(value.length - 1) === 104 && !token.data && value.length > LENGTH_SUFFIX.length && value.endsWith(LENGTH_SUFFIX);
}
const NO_BLOCK_PARAMS: ReadonlyMap<string, string | null> = new Map();
const NO_PATHS: readonly string[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();
/** `{{#*inline "name"}}` (quoted either way, or not at all), with the name in group 2. */
const INLINE_PARTIAL = /\{\{~?#\*inline\s+(["']?)([^"'\s}~]+)\1/g;

interface Frame {
  /** Data path of the context: `` at the root, `cart.items[]` in a loop; null when it cannot be known. */
  base: string | null;
  /** Block params (`as |item|`) to the path they stand for; null for an index or key. */
  blockParams: ReadonlyMap<string, string | null>;
}

/** What a branch holds, for recognising fallbacks: no tag, a use's index when it is one output tag, or something else. */
const NO_TAGS = -1, OTHER_TAGS = -2;

/** Every field is set when the block is pushed, so that all blocks share one shape. */
interface OpenBlock {
  /** What the closing tag must name: the helper, or the section's path as written. */
  name: string;
  kind: 'helper' | 'section' | 'inverted' | 'unknown' | 'partial' | 'decorator';
  helper: BlockHelper | undefined;
  tagSpan: Span;
  branches: Branch[];
  activeGuards: readonly string[];
  guardsWhenAllFalse: readonly string[];
  /** Frames to keep when the block ends, or when its `{{else}}` leaves the loop's context. */
  framesBefore: number;
  elseSeen: boolean;
  conditional: boolean;
  /** The one field a plain `{{#if x}}` or section tests, for recognising `{{#if x}}{{x}}{{else}}there{{/if}}`. */
  testedPath: string | undefined;
  /** What the first two branches hold (`NO_TAGS`, `OTHER_TAGS` or a use): a fallback pattern has no more. */
  contents: [number, number];
  /** The section `{{#x}}{{.}}{{/x}}` that this `{{^x}}` completes, by the index of its use. */
  pairedUse: number | undefined;
  rule: GuardRule | undefined;
  /** For loops: what the item is called in the body (`this`, or its block param) and its data path. */
  loop: { variable: string; itemPath: string } | undefined;
}

interface Guards {
  whenTrue: readonly string[];
  whenFalse: readonly string[];
}

const NO_GUARDS: Guards = { whenTrue: NO_PATHS, whenFalse: NO_PATHS };

export function scanHandlebars(text: string, flavor: HandlebarsFlavor): TemplateScan {
  return new HandlebarsScanner(text, flavor).scan();
}

class HandlebarsScanner {
  private readonly collector: ScanCollector;
  private readonly stack: OpenBlock[] = [];
  private readonly frames: Frame[] = [{ base: '', blockParams: NO_BLOCK_PARAMS }];
  /** Block params in scope (only), innermost last, so resolving a name never walks every frame. */
  private readonly boundParams = new Map<string, (string | null)[]>();
  /**
   * Joined data paths by base, then by the path as written, for each number of segments skipped
   * (index 0 for a plain path): a large template writes the same paths inside the same loops
   * thousands of times, and each join was a new string kept by its use.
   */
  private readonly joined: Map<string, Map<string, string>>[] = [];
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
  /** Where the strings inside tags end: in handlebars.js a string may hold `}}`. */
  private readonly strings: StringEnds;
  /** The ends of unclosed tags' spans, which the tags of a line may share. */
  private readonly trimmedEnds: TrimmedEnds;
  /** Reads every tag's expression in turn. */
  private readonly lexer: ExpressionLexer;
  /** Problems of the expression just parsed, reported against its tag. */
  private readonly problems: ExpressionProblem[] = [];
  /** Partials the template defines itself (`{{#*inline "sig"}}`): including one follows no file. */
  private readonly inlinePartials: ReadonlySet<string>;

  constructor(private readonly text: string, private readonly flavor: HandlebarsFlavor) {
    this.collector = new ScanCollector(text);
    this.mustachio = flavor.mustachio === true;
    this.rawCloses = new ForwardIndex(text, '}}}}');
    this.lineEnds = new LineEnds(text);
    this.strings = new StringEnds(text, true);
    this.trimmedEnds = new TrimmedEnds(text);
    this.lexer = new ExpressionLexer(text, this.mustachio);
    // Found before the pass: handlebars.js defines a block's inline partials before running it, so
    // one may be included above its definition.
    this.inlinePartials = text.includes('*inline') ? new Set(Array.from(text.matchAll(INLINE_PARTIAL), (match) => match[2])) : NO_NAMES;
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
      this.collector.error(block.tagSpan,
        `\`${this.shortTag(block.tagSpan)}\` is never closed: ${this.flavor.refusal}. ` +
        `Add \`{{/${block.name}}}\` where the block should end.`);
      // A loop being typed is not closed yet: its item's fields are still offered to the end of the text.
      if (block.loop) this.addLoopScope(block.loop, { start: block.branches[0].body.start, end: text.length });
    }
    if (this.collector.syntaxErrors.length === 0 && !this.mustachio && text.length <= CONFIRM_LIMIT && this.deepest <= MAX_NESTING) this.confirmWithParser();
    return this.collector.result();
  }

  // ---- Delimiters -------------------------------------------------------------------------------

  private readTag(open: number): number {
    const text = this.text;
    // No token of the tags before is kept: their objects serve this one.
    this.lexer.startTag();
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
        this.collector.error({ start: open, end: tagEnd },
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
      this.collector.error({ start: start, end: first + 1 },
        `A space between \`{{\` and \`${sigil}\`: ${this.flavor.platform} reads \`${sigil}\` as part of a name, so ${this.flavor.refusal}. Write \`{{${sigil}\` with nothing in between.`);
    }
    switch (sigil) {
      case '#':
        if (!this.mustachio && text[first + 1] === '>') this.openPartialBlock(first + 2, end, tagSpan);
        else if (!this.mustachio && text[first + 1] === '*') this.openDecorator(first + 2, end, tagSpan);
        else this.openBlock(first + 1, end, tagSpan, false);
        break;
      case '^':
        if (!this.mustachio && isBlank(text, first + 1, end)) this.handleElse(end, end, tagSpan);
        else this.openBlock(first + 1, end, tagSpan, true);
        break;
      case '/':
        this.closeBlock(first + 1, end, tagSpan);
        break;
      case '>':
        if (this.mustachio) this.readOutput(start, end, tagSpan);
        else this.readPartial(first + 1, end, tagSpan);
        break;
      case '&':
        this.readOutput(first + 1, end, tagSpan);
        break;
      default:
        if (!this.mustachio && isElse(text, first, end)) this.handleElse(first + 4, end, tagSpan);
        // Mailchimp Transactional's `{{elseif x}}` is `{{else if x}}`: the rest after `else` is `if x`.
        else if (this.flavor.backtickConditions && isElseIf(text, first, end)) this.handleElse(first + 4, end, tagSpan);
        else this.readOutput(start, end, tagSpan);
    }
    return tagEnd;
  }

  /**
   * The index of the closing `}}`, or -1 at the end of the text, or `-(index + 2)` when another tag
   * opens first at `index`. In handlebars.js a quoted string may hold `}}`; a quote that is not
   * closed on its line is taken as a stray character.
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
        const end = this.strings.at(i + 1, c);
        if (end < length && text.charCodeAt(end) === c) i = end;
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
    const end = Math.max(open + 2, this.trimmedEnds.at(open, stop));
    const shown = text.slice(open, Math.min(end, open + 40));
    const delimiter = triple ? '}}}' : '}}';
    if (at !== -1 && !nextTag) {
      this.collector.error({ start: open, end: Math.max(open + 2, Math.min(end, at + 1)) },
        `\`${text.slice(open, Math.min(at + 1, open + 40))}\` is not a Mustachio tag: a Mustachio tag holds no \`{\` or \`}\` before its closing \`${delimiter}\`, so the recipient would see this raw merge syntax. Remove the stray brace.`);
      return at + 1;
    }
    this.collector.error({ start: open, end },
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
      const body = text.slice(bang + 3, bodyEnd);
      findPurposeDirectives(body, bang + 3, this.collector.purposeDirectives);
      findMergewiseParameters(body, bang + 3, this.collector.parameters);
      if (!match) {
        this.collector.error({ start: open, end: Math.min(text.length, bang + 3) },
          `\`{{!--\` is never closed with \`--}}\`: everything after it is swallowed as a comment, and ${this.flavor.refusal}. Add \`--}}\`.`);
        return text.length;
      }
      return match.index + match[0].length;
    }
    const close = text.indexOf('}}', bang + 1);
    if (close === -1) {
      this.collector.error({ start: open, end: Math.min(text.length, bang + 1) },
        `\`{{!\` is never closed with \`}}\`: everything after it is swallowed as a comment, and ${this.flavor.refusal}. Add \`}}\`.`);
      return text.length;
    }
    if (this.mustachio && /[{}]/.test(text.slice(bang + 1, close))) {
      this.collector.error({ start: open, end: close + 2 },
        'A Mustachio comment holds no `{` or `}`: this one is not a comment, and the recipient would see it as raw merge syntax. Remove the braces from the comment.');
      return close + 2;
    }
    let bodyEnd = close;
    if (!this.mustachio && text.charCodeAt(bodyEnd - 1) === TILDE) bodyEnd--;
    const body = text.slice(bang + 1, bodyEnd);
    findPurposeDirectives(body, bang + 1, this.collector.purposeDirectives);
    findMergewiseParameters(body, bang + 1, this.collector.parameters);
    return close + 2;
  }

  /** `{{{{raw}}}} … {{{{/raw}}}}`: the body is written out as it is. */
  private readRawBlock(open: number): number {
    const text = this.text;
    const close = this.rawCloses.at(open + 4);
    if (close === -1) {
      this.collector.error({ start: open, end: open + 4 }, `\`{{{{\` is never closed with \`}}}}\`: ${this.flavor.refusal}. Close the raw block's opening tag.`);
      return open + 4;
    }
    const name = text.slice(open + 4, close).trim().split(/\s+/)[0] ?? '';
    const endTag = `{{{{/${name}}}}}`;
    const endIndex = text.indexOf(endTag, close + 4);
    if (endIndex === -1) {
      this.collector.error({ start: open, end: close + 4 },
        `The raw block \`{{{{${name}}}}}\` is never closed: everything after it is written out as it is, and ${this.flavor.refusal}. Add \`${endTag}\`.`);
      return text.length;
    }
    return endIndex + endTag.length;
  }

  // ---- Outputs ----------------------------------------------------------------------------------

  private readOutput(start: number, end: number, tagSpan: Span): void {
    if (this.mustachio) {
      this.readMustachioOutput(start, end, tagSpan);
      return;
    }
    const sexpr = this.parse(start, end, tagSpan);
    if (!sexpr) {
      this.noteTag(undefined);
      return;
    }
    if (sexpr.blockParams.length) this.collector.error(tagSpan, `\`as |…|\` only fits block tags such as \`{{#each list as |item|}}\`: ${this.flavor.refusal}.`);
    const uses = this.collector.uses;
    const head = sexpr.head;
    if (sexpr.params.length === 0 && sexpr.hash.length === 0) {
      if (head.kind !== 'path' || this.isHelperName(head)) {
        this.noteTag(undefined);
        return;
      }
      const before = uses.length;
      this.usePath(head, tagSpan, 'output', null, NO_FILTERS);
      this.noteTag(uses.length === before + 1 ? before : undefined);
      return;
    }
    if (head.kind === 'path' && inlineHelper(this.flavor, head.value)?.include === 'snippet') this.includeSnippet(sexpr, tagSpan);
    const before = uses.length;
    this.readHelperCall(sexpr, tagSpan, 'output', NO_FILTERS, null);
    // The tag's one output use, if it has exactly one.
    let output: number | undefined;
    let outputs = 0;
    for (let i = before; i < uses.length; i++) {
      if (uses[i].context === 'output') { output = i; outputs++; }
    }
    this.noteTag(outputs === 1 ? output : undefined);
  }

  /** Mustachio outputs are one path: no helpers, no literals. */
  private readMustachioOutput(start: number, end: number, tagSpan: Span): void {
    const lexer = this.lexer.reset(start, end);
    const kind = lexer.peek();
    const tokenStart = lexer.start;
    const token = kind === 'path' ? lexer.take() : undefined;
    if (!token) lexer.advance();
    const alone = lexer.peek() === 'end';
    const written = this.text.slice(start, end).trim();
    if (kind === 'end') {
      this.collector.error(tagSpan, `\`${this.shortTag(tagSpan)}\` names no field: the recipient would see this raw merge syntax. Put a field name between the braces.`);
      this.noteTag(undefined);
      return;
    }
    const system = this.flavor.systemTags.find(written);
    if (system) {
      const at = this.text.indexOf(written, start);
      this.collector.addSystemUse(system, written, { start: at, end: at + written.length });
      this.noteTag(undefined);
      return;
    }
    if (written === 'else') {
      this.collector.error(tagSpan,
        `Postmark's Mustachio has no \`{{else}}\`: it looks up a field named "else" and renders nothing, while both branches show. ` +
        'Close the section, then add an inverted section for the other case: `{{#x}}…{{/x}}{{^x}}…{{/x}}`.');
      this.noteTag(undefined);
      return;
    }
    if (!token || !alone || token.invalid) {
      const words = written.split(/\s+/);
      this.collector.error({ start: tokenStart, end: trimmedEnd(this.text, start, end) },
        words.length > 1
          ? `\`${written}\` is not a Mustachio path: Postmark's Mustachio has no helpers (such as \`${words[0]}\`), so ${this.flavor.refusal}. ` +
            'Output one field, as in `{{ person.first_name }}`, and put fallbacks in an inverted section `{{^x}}…{{/x}}`.'
          : `\`${written}\` is not a Mustachio path${token?.invalid ? ` (${token.invalid})` : ''}: paths are names joined by dots, with \`../\` to reach the outer scope and \`.\` for the current value. ${capitalize(this.flavor.refusal)}.`);
      this.noteTag(undefined);
      return;
    }
    if (token.data) {
      this.collector.error({ start: token.start, end: token.end },
        `Postmark's Mustachio has no \`@\` variables such as \`${token.value}\`: ${this.flavor.refusal}. Remove it; Mustachio loops have no index.`);
      this.noteTag(undefined);
      return;
    }
    if (token.segments[0] === 'this') {
      this.collector.error({ start: token.start, end: token.end },
        `Postmark's Mustachio has no \`this\`: \`{{${token.value}}}\` looks up a field named "this" and renders nothing. Write \`{{.}}\` for the current value${token.segments.length > 1 ? `, or \`{{${token.segments.slice(1).join('.')}}}\`` : ''}.`);
      this.noteTag(undefined);
      return;
    }
    const before = this.collector.uses.length;
    this.usePath(token, tagSpan, 'output', null, NO_FILTERS);
    this.noteTag(this.collector.uses.length === before + 1 ? before : undefined);
  }

  /** `helper a (sub b) key=c`: the first value is what the helper shows; the others are arguments. */
  private readHelperCall(sexpr: SubExpression, tagSpan: Span, context: UseContext, outerFilters: string[], outerFallback: string | null): void {
    const head = sexpr.head;
    const params = sexpr.params;
    const name = head.kind === 'path' ? head.value : '';
    const inline = inlineHelper(this.flavor, name);
    const block = blockHelper(this.flavor, name);
    const known = head.kind === 'path' && !head.data && (inline !== undefined || block !== undefined);
    if (!known) {
      this.unknownHelper(head, false);
      for (const param of params) this.useParam(param, tagSpan, 'argument', NO_FILTERS, null);
      this.useHashValues(sexpr, tagSpan);
      return;
    }
    const isCondition = context === 'condition' || context === 'loop';
    // Comparison helpers test values; transforming helpers (`formatDate`, `length`) change them.
    const transforms = inline?.own === true || !(inline?.guard !== undefined || block !== undefined);
    const filters = transforms ? (outerFilters.length === 0 ? [name] : [name, ...outerFilters]) : outerFilters;
    let fallback = outerFallback;
    if (inline?.fallback) fallback ??= fallbackText(name, params[1]);
    for (let index = 0; index < params.length; index++) {
      const param = params[index];
      if (isCondition) this.useParam(param, tagSpan, context, index === 0 ? filters : NO_FILTERS, null);
      else if (index === 0) this.useParam(param, tagSpan, context, filters, fallback);
      else if (index === 1 && inline?.fallback) this.useParam(param, tagSpan, context, outerFilters, outerFallback);
      else this.useParam(param, tagSpan, 'argument', NO_FILTERS, null);
    }
    this.useHashValues(sexpr, tagSpan);
  }

  private useHashValues(sexpr: SubExpression, tagSpan: Span): void {
    for (const pair of sexpr.hash) if (pair.value) this.useParam(pair.value, tagSpan, 'argument', NO_FILTERS, null);
  }

  private useParam(param: Param, tagSpan: Span, context: UseContext, filters: string[], fallback: string | null): void {
    if (param.kind === 'path') this.usePath(param, tagSpan, context, fallback, filters);
    else if (param.kind === 'sexpr') this.readHelperCall(param, tagSpan, context, filters, fallback);
  }

  private usePath(token: Token, tagSpan: Span, context: UseContext, fallback: string | null, filters: string[]): void {
    const path = this.resolve(token);
    if (path === undefined) return;
    if (countsItems(token)) filters = filters.length === 0 ? LENGTH : ['length', ...filters];
    this.collector.addUse({ path, written: token.value, span: { start: token.start, end: token.end }, tagSpan, context, fallback, filters });
  }

  private isHelperName(token: Token): boolean {
    return token.kind === 'path' && !token.data && token.single &&
      (inlineHelper(this.flavor, token.value) !== undefined);
  }

  // ---- Blocks -----------------------------------------------------------------------------------

  private openBlock(start: number, end: number, tagSpan: Span, inverted: boolean): void {
    if (this.mustachio) {
      this.openMustachioBlock(start, end, tagSpan, inverted);
      return;
    }
    const comparison = this.flavor.backtickConditions ? this.backtickCondition(start, end, tagSpan) : undefined;
    if (comparison) {
      this.openComparisonBlock(comparison, tagSpan, inverted);
      return;
    }
    const sexpr = comparison === null ? undefined : this.parse(start, end, tagSpan);
    if (!sexpr || sexpr.head.kind !== 'path') {
      this.noteTag(undefined);
      if (!sexpr) this.collector.error(tagSpan, `\`${this.shortTag(tagSpan)}\` names no block: ${this.flavor.refusal}. Write \`{{#if field}}\`, or remove the \`${inverted ? '^' : '#'}\`.`);
      this.pushBlock(sexpr?.head.value ?? '', 'unknown', tagSpan);
      return;
    }
    const head = sexpr.head;
    const name = head.value;
    const helper = !head.data && head.single ? blockHelper(this.flavor, name) : undefined;
    this.noteTag(undefined);
    if (helper) {
      this.openHelperBlock(name, helper, sexpr, tagSpan, inverted);
      return;
    }
    if (sexpr.params.length === 0 && sexpr.hash.length === 0 && !head.data && !inlineHelper(this.flavor, name)) {
      if (!this.flavor.sections) {
        this.collector.error({ start: head.start, end: head.end },
          `\`{{${inverted ? '^' : '#'}${name}}}\` is a Mustache section, which ${this.flavor.platform} does not support: ${this.flavor.refusal}. ` +
          `Write \`{{#${inverted ? 'unless' : 'if'} ${name}}}…{{/${inverted ? 'unless' : 'if'}}}\`.`);
        this.pushBlock(name, 'unknown', tagSpan);
        return;
      }
      this.openSection(head, tagSpan, inverted);
      return;
    }
    this.unknownHelper(head, true);
    for (const param of sexpr.params) this.useParam(param, tagSpan, 'condition', NO_FILTERS, null);
    this.pushBlock(name, 'unknown', tagSpan);
  }

  /** ``{{#if `x > 3`}}``: the helper's block, guarded as the comparison says. */
  private openComparisonBlock(comparison: Comparison, tagSpan: Span, inverted: boolean): void {
    const { sexpr } = comparison;
    const name = sexpr.head.value;
    const helper = blockHelper(this.flavor, name);
    this.noteTag(undefined);
    if (!helper || helper.scope || !helper.conditional) {
      if (!helper) this.unknownHelper(sexpr.head, true);
      else this.collector.error(tagSpan, `\`{{#${name}}}\` takes a list or a value, not a comparison in backticks: ${this.flavor.refusal}. Compare in \`{{#if \`…\`}}\`.`);
      for (const param of sexpr.params) this.useParam(param, tagSpan, 'condition', NO_FILTERS, null);
      this.pushBlock(name, 'unknown', tagSpan);
      return;
    }
    this.openHelperBlock(name, { ...helper, guard: comparisonRule(helper, comparison.rule) }, sexpr, tagSpan, inverted);
  }

  /**
   * ``if `a OP b` `` in `text[start, end)`: the helper's name and the two values compared, or one
   * value tested. Undefined when no backtick follows the name (read as usual); null when the
   * comparison is malformed (reported).
   */
  private backtickCondition(start: number, end: number, tagSpan: Span): Comparison | null | undefined {
    const text = this.text;
    let p = start;
    while (p < end && isWhiteSpace(text.charCodeAt(p))) p++;
    const nameStart = p;
    while (p < end && isNameChar(text.charCodeAt(p))) p++;
    const nameEnd = p;
    while (p < end && isWhiteSpace(text.charCodeAt(p))) p++;
    if (nameEnd === nameStart || text.charCodeAt(p) !== BACKTICK) return undefined;
    const open = p;
    const close = text.indexOf('`', open + 1);
    if (close === -1 || close >= end) {
      this.collector.error(tagSpan, `In \`${this.shortTag(tagSpan)}\`, the comparison opened with \`\`\` is never closed with another: ${this.flavor.refusal}.`);
      return null;
    }
    if (!isBlank(text, close + 1, end)) {
      this.collector.error({ start: close + 1, end }, `In \`${this.shortTag(tagSpan)}\`, nothing may follow the comparison in backticks: ${this.flavor.refusal}.`);
      return null;
    }
    const head = this.lexer.reset(nameStart, nameEnd).take();
    const operator = findComparisonOperator(text, open + 1, close);
    const ranges: [number, number][] = operator ? [[open + 1, operator.start], [operator.end, close]] : [[open + 1, close]];
    const params: Token[] = [];
    for (const [from, to] of ranges) {
      const operand = this.comparisonOperand(from, to, tagSpan);
      if (!operand) return null;
      params.push(operand);
    }
    let rule: GuardRule = 'truthy';
    if (operator) {
      const op = operator.operator;
      // `x > 3` tells that x has a value; `==` and `!=` read either order (see `conditionGuards`).
      rule = op === '==' ? 'equals' : op === '!=' ? 'not-equals' : (op === '>' || op === '>=') && isLiteral(params[1]) ? 'greater' : 'none';
    }
    return { sexpr: { kind: 'sexpr', head, params, hash: [], blockParams: [], start: nameStart, end: close + 1 }, rule };
  }

  /** One side of a comparison in backticks: a path or a literal, strings in double quotes. */
  private comparisonOperand(start: number, end: number, tagSpan: Span): Token | undefined {
    const text = this.text;
    const lexer = this.lexer.reset(start, end);
    const kind = lexer.peek();
    const problem = (message: string): undefined => {
      this.collector.error(tagSpan, `In \`${this.shortTag(tagSpan)}\`, ${message}: ${this.flavor.refusal}.`);
      return undefined;
    };
    if (kind === 'end') return problem('the comparison in backticks has no value on one side of its operator (`==`, `!=`, `>`, `>=`, `<`, `<=`)');
    if (kind !== 'path' && kind !== 'string' && kind !== 'number' && kind !== 'boolean' && kind !== 'null' && kind !== 'undefined') {
      return problem(`\`${text.slice(start, end).trim()}\` is not a field or a value to compare`);
    }
    const token = lexer.take();
    if (token.invalid) return problem(`\`${text.slice(token.start, token.end)}\` is not a field or a value (${token.invalid})`);
    if (lexer.peek() !== 'end') return problem(`\`${text.slice(start, end).trim()}\` is not one value: compare one field or value with one operator (\`==\`, \`!=\`, \`>\`, \`>=\`, \`<\`, \`<=\`)`);
    if (token.kind === 'string' && text.charCodeAt(token.start) === APOSTROPHE) {
      return problem(`${this.flavor.platform} compares strings only in double quotes, not \`${text.slice(token.start, token.end)}\``);
    }
    return token;
  }

  private openHelperBlock(name: string, helper: BlockHelper, sexpr: SubExpression, tagSpan: Span, inverted: boolean): void {
    if (sexpr.params.length < helper.minParams) {
      this.collector.error(tagSpan,
        `\`{{#${name}}}\` needs ${helper.minParams === 1 ? 'a value' : `${helper.minParams} values`}, as in \`{{#${name} ${helper.minParams === 1 ? (helper.scope === 'each' ? 'list' : 'field') : 'field "value"'}}}\`: ${this.flavor.refusal}.`);
    }
    if (helper.conditional && this.flavor.maxConditionalDepth !== undefined) {
      const depth = this.conditionalDepth;
      if (depth >= this.flavor.maxConditionalDepth) {
        this.collector.error(tagSpan,
          `\`${this.shortTag(tagSpan)}\` is the conditional number ${depth + 1} in a nest of conditionals, and ${this.flavor.platform} allows at most ${this.flavor.maxConditionalDepth} deep: ${this.flavor.refusal}. ` +
          'Flatten the conditions, for example by moving this one outside its parent.');
      }
    }
    if (this.flavor.plainConditionsOnly && helper.conditional &&
      (sexpr.params.length !== 1 || sexpr.params[0].kind !== 'path' || sexpr.hash.length > 0)) {
      this.collector.error(tagSpan,
        `\`${this.shortTag(tagSpan)}\`: ${this.flavor.platform} conditions only test whether one field has a value, as in \`{{#${name} Recipient.FirstName}}\`; they cannot compare values. ${capitalize(this.flavor.refusal)}.`);
    }
    const params = sexpr.params;
    const context: UseContext = helper.scope === 'each' ? 'loop' : 'condition';
    for (let index = 0; index < params.length; index++) {
      this.useParam(params[index], tagSpan, index === 0 ? context : helper.scope ? 'argument' : 'condition', NO_FILTERS, null);
    }
    this.useHashValues(sexpr, tagSpan);
    const rule = inverted ? invertRule(helper.guard) : helper.guard;
    const guards = this.conditionGuards(rule, params);
    const block = this.pushBlock(name, 'helper', tagSpan);
    block.helper = helper;
    this.setConditional(block, helper.conditional);
    block.rule = rule;
    const first = params[0];
    if ((rule === 'truthy' || rule === 'falsy') && params.length === 1 && first.kind === 'path') {
      block.testedPath = this.resolve(first);
    }
    if (helper.scope) {
      const path = first ? this.loopSourcePath(first) : undefined;
      const base = path === undefined ? null : helper.scope === 'each' ? `${path}[]` : path;
      let blockParams = NO_BLOCK_PARAMS;
      if (sexpr.blockParams.length > 0) {
        const named = new Map<string, string | null>();
        sexpr.blockParams.forEach((param, index) => named.set(param.value, index === 0 ? base : null));
        blockParams = named;
      }
      this.pushFrame({ base, blockParams });
      if (helper.scope === 'each' && base !== null) block.loop = { variable: sexpr.blockParams[0]?.value ?? 'this', itemPath: base };
    } else if (helper.localParams && sexpr.blockParams.length > 0) {
      this.pushFrame({ base: this.frames[this.frames.length - 1].base, blockParams: new Map(sexpr.blockParams.map((param) => [param.value, null])) });
    }
    if (helper.assigns && first?.kind === 'string' && first.value) {
      // Bound for the rest of the template: no frame pops it.
      const bound = this.boundParams.get(first.value);
      if (bound) bound.push(null);
      else this.boundParams.set(first.value, [null]);
    }
    // An `each` body runs for items that exist: the item itself (not its fields) is guarded there.
    const item = helper.scope === 'each' ? block.loop?.itemPath : undefined;
    this.addGuards(block, item === undefined ? guards.whenTrue : [...guards.whenTrue, item]);
    block.guardsWhenAllFalse = guards.whenFalse;
  }

  /** `{{#x}}…{{/x}}` shows its content with `x` as the context when `x` has a value; `{{^x}}` when it has none. */
  private openSection(head: Token, tagSpan: Span, inverted: boolean): void {
    this.usePath(head, tagSpan, 'condition', null, NO_FILTERS);
    const path = this.resolve(head);
    const block = this.pushBlock(head.value, inverted ? 'inverted' : 'section', tagSpan);
    this.setConditional(block, true);
    if (!inverted) block.testedPath = path;
    // Mustachio scopes even the inverted section to the (empty) value; handlebars.js keeps the context.
    if (!inverted || this.mustachio) this.pushFrame({ base: path ?? null, blockParams: NO_BLOCK_PARAMS });
    const last = this.lastSection;
    if (inverted && last && last.name === head.value && isBlank(this.text, last.end, tagSpan.start)) {
      block.pairedUse = last.use;
    }
    this.lastSection = undefined;
    const guards = path === undefined ? NO_PATHS : [path];
    if (inverted) block.guardsWhenAllFalse = guards;
    else this.addGuards(block, guards);
  }

  private openMustachioBlock(start: number, end: number, tagSpan: Span, inverted: boolean): void {
    const text = this.text;
    const content = text.slice(start, end);
    this.noteTag(undefined);
    if (!inverted && /^each(\s|$)/.test(content)) {
      const lexer = this.lexer.reset(start + 4, end);
      const sourceKind = lexer.peek();
      const source = sourceKind === 'path' ? lexer.take() : undefined;
      if (!source) lexer.advance();
      const block = this.pushBlock('each', 'helper', tagSpan);
      if (!source || source.invalid || lexer.peek() !== 'end') {
        this.collector.error(tagSpan,
          sourceKind === 'end'
            ? `\`{{#each}}\` needs a list to loop over, as in \`{{#each items}}\`: ${this.flavor.refusal}.`
            : `\`${this.shortTag(tagSpan)}\` does not name one list${source?.invalid ? ` (${source.invalid})` : ''}: ${this.flavor.refusal}. Write \`{{#each items}}\`.`);
        this.pushFrame({ base: null, blockParams: NO_BLOCK_PARAMS });
        return;
      }
      this.usePath(source, tagSpan, 'loop', null, NO_FILTERS);
      const path = this.resolve(source);
      this.pushFrame({ base: path === undefined ? null : `${path}[]`, blockParams: NO_BLOCK_PARAMS });
      if (path !== undefined) {
        block.loop = { variable: '.', itemPath: `${path}[]` };
        // The body runs for items that exist: the list, and the item itself (not its fields), are guarded there.
        this.addGuards(block, [path, `${path}[]`]);
      }
      return;
    }
    const lexer = this.lexer.reset(start, end);
    const head = lexer.peek() === 'path' ? lexer.take() : undefined;
    if (!head) lexer.advance();
    const written = content.trim();
    if (!head || head.invalid || lexer.peek() !== 'end' || head.data || written !== content) {
      const word = written.split(/\s+/)[0];
      this.collector.error(tagSpan,
        word === 'if' || word === 'unless' || word === 'with'
          ? `Postmark's Mustachio has no \`${word}\` helper: ${this.flavor.refusal}. ` +
            `Write \`{{${word === 'unless' ? '^' : '#'}field}}…{{/field}}\` to show content only when the field ${word === 'unless' ? 'is empty' : 'has a value'}.`
          : `\`${this.shortTag(tagSpan)}\` is not a Mustachio section: a section names one path, as in \`{{#person}}\`, with no spaces${head?.invalid ? ` (${head.invalid})` : ''}. ${capitalize(this.flavor.refusal)}.`);
      this.pushBlock(word, 'unknown', tagSpan);
      return;
    }
    this.openSection(head, tagSpan, inverted);
  }

  private openPartialBlock(start: number, end: number, tagSpan: Span): void {
    this.readPartial(start, end, tagSpan);
    const name = this.text.slice(start, end).trim().split(/\s+/)[0] ?? '';
    this.pushBlock(name, 'partial', tagSpan);
  }

  private openDecorator(start: number, end: number, tagSpan: Span): void {
    this.noteTag(undefined);
    const name = this.text.slice(start, end).trim().split(/\s+/)[0] ?? '';
    if (!this.flavor.partials) this.collector.error(tagSpan, `${this.flavor.platform} templates cannot define inline partials (\`${this.shortTag(tagSpan)}\`): ${this.flavor.refusal}.`);
    this.pushBlock(name, 'decorator', tagSpan);
  }

  /**
   * `{{> name context key=value}}` and `{{#> layout …}}`: an include, even where the platform refuses
   * partials (the site is still where the content was meant to come from). The partial runs with the
   * context given, or the current one: `items[]` inside `{{#each items}}`. It does not see the
   * caller's block params (handlebars.js passes none to partials), so no loop variables are given.
   */
  private readPartial(start: number, end: number, tagSpan: Span): void {
    this.noteTag(undefined);
    if (!this.flavor.partials) {
      this.collector.error(tagSpan, `${this.flavor.platform} templates cannot include partials such as \`${this.shortTag(tagSpan)}\`: ${this.flavor.refusal}. Paste the partial's content instead.`);
    }
    const call = parsePartial(this.lexer.reset(start, end), this.problems);
    this.reportProblems(tagSpan);
    if (!call) return;
    const context = call.params[0];
    const contextPath = context === undefined ? this.frames[this.frames.length - 1].base : context.kind === 'path' ? this.resolve(context) : undefined;
    // A `(…)` computes the name at send time; a path is the partial's name as written, never looked up.
    const name = call.name.kind === 'sexpr' ? null : call.name.value;
    // `{{> @partial-block}}` is the content of the block that included this layout, and an inline
    // partial is this template's own: neither is a file to find.
    if (name !== null && (name.startsWith('@') || this.inlinePartials.has(name))) return;
    this.addInclude('partial', name, call.name, tagSpan, this.namedArguments(call.hash, []), contextPath || undefined);
  }

  /**
   * Iterable's `{{{snippet "name" value…}}}`. Its "Customizing Snippets with Variables" article: a
   * snippet declares variables, and the values after its name fill them in the order declared, or
   * by name as `key=value`; a snippet also reads the profile and event fields itself. So positional
   * values are named `0`, `1`, … (the declared order maps them) and the scope is shared.
   */
  private includeSnippet(sexpr: SubExpression, tagSpan: Span): void {
    const params = sexpr.params;
    const first = params[0];
    if (first === undefined) return;
    const positional: IncludeArgument[] = [];
    for (let i = 1; i < params.length; i++) positional.push(this.includeArgument(String(i - 1), params[i], params[i].start));
    this.addInclude('snippet', isLiteral(first) ? first.value : null, first, tagSpan, this.namedArguments(sexpr.hash, positional), undefined);
  }

  private namedArguments(hash: readonly HashPair[], into: IncludeArgument[]): IncludeArgument[] {
    for (const pair of hash) if (pair.value) into.push(this.includeArgument(pair.key.value, pair.value, pair.key.start));
    return into;
  }

  /** What an include passes as `name`: a data path (through the context), a literal, or a fallback helper's value and fallback. */
  private includeArgument(name: string, value: Param, start: number): IncludeArgument {
    const span = { start, end: value.end };
    if (value.kind === 'path') return { name, path: this.resolve(value) ?? null, fallback: null, span };
    if (value.kind === 'sexpr') {
      const helper = value.head.kind === 'path' ? value.head.value : '';
      const fallback = inlineHelper(this.flavor, helper)?.fallback ? fallbackText(helper, value.params[1]) : null;
      return { name, path: this.loopSourcePath(value) ?? null, fallback, span };
    }
    const argument: IncludeArgument = { name, path: null, fallback: null, span };
    const literal = typeof literalValue(value);
    if (literal === 'string' || literal === 'number' || literal === 'boolean') argument.literal = literal;
    return argument;
  }

  private addInclude(kind: IncludeKind, name: string | null, written: Param, tagSpan: Span, parameters: IncludeArgument[], contextPath: string | undefined): void {
    this.collector.includes.push({
      kind, name, nameSpan: { start: written.start, end: written.end }, tagSpan, parameters,
      ...(contextPath === undefined ? {} : { contextPath }),
      sharesScope: true, guards: this.collector.activeGuards(),
    });
  }

  private handleElse(restStart: number, restEnd: number, tagSpan: Span): void {
    const block = this.stack[this.stack.length - 1];
    if (!block || block.kind === 'partial' || block.kind === 'decorator') {
      this.collector.error(tagSpan, `\`${this.shortTag(tagSpan)}\` is outside any block: ${this.flavor.refusal}. Move it inside \`{{#if …}}…{{/if}}\`, or remove it.`);
      return;
    }
    if (block.elseSeen) {
      this.collector.error(tagSpan, `A second \`{{else}}\` in \`${this.shortTag(block.tagSpan)}\`: ${this.flavor.refusal}. Keep one \`{{else}}\` per block.`);
      return;
    }
    if (!isBlank(this.text, restStart, restEnd)) {
      if (!this.flavor.chainedElse) {
        this.collector.error(tagSpan,
          `${this.flavor.platform} has no \`{{else if}}\`: ${this.flavor.refusal}. Nest a second \`{{#if}}\` inside \`{{else}}\`` +
          (this.flavor.maxConditionalDepth ? ` (at most ${this.flavor.maxConditionalDepth} conditionals deep).` : '.'));
      }
      const comparison = this.flavor.backtickConditions ? this.backtickCondition(restStart, restEnd, tagSpan) : undefined;
      const sexpr = comparison ? comparison.sexpr : comparison === null ? undefined : this.parse(restStart, restEnd, tagSpan);
      const name = sexpr?.head.kind === 'path' ? sexpr.head.value : '';
      const found = blockHelper(this.flavor, name);
      const helper = comparison && found ? { ...found, guard: comparisonRule(found, comparison.rule) } : found;
      if (!sexpr || !helper || helper.scope) {
        if (sexpr && !helper) this.unknownHelper(sexpr.head, true);
        else if (helper?.scope) this.collector.error(tagSpan, `\`{{else ${name}}}\` cannot chain a loop or context block: ${this.flavor.refusal}. Close the block and open \`{{#${name}}}\` after it.`);
        this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
        return;
      }
      // Conditions of an `else if` run only when every earlier condition was false.
      this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
      for (const param of sexpr.params) this.useParam(param, tagSpan, 'condition', NO_FILTERS, null);
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
    const text = this.text;
    // The name is the first word of the trimmed content (Mustachio: all of it); the text is sliced once.
    let first = start;
    while (first < end && isWhiteSpace(text.charCodeAt(first))) first++;
    let last = end;
    while (last > first && isWhiteSpace(text.charCodeAt(last - 1))) last--;
    let wordEnd = first;
    while (wordEnd < last && !isWhiteSpace(text.charCodeAt(wordEnd))) wordEnd++;
    const name = text.slice(first, this.mustachio ? last : wordEnd);
    if (!name || (!this.mustachio && wordEnd !== last)) {
      this.collector.error(tagSpan, `\`${this.shortTag(tagSpan)}\`: a closing tag names only its block, as in \`{{/if}}\`. ${capitalize(this.flavor.refusal)}.`);
      if (!name) return;
    }
    if (this.mustachio && (first !== start || last !== end)) {
      this.collector.error(tagSpan, `\`${this.shortTag(tagSpan)}\` has spaces: Mustachio only recognises \`{{/${name}}}\` written without them, so ${this.flavor.refusal}.`);
    }
    let index = -1;
    if (this.openNames.get(name)) {
      for (let i = this.stack.length - 1; i >= 0; i--) {
        if (this.stack[i].name === name) { index = i; break; }
      }
    }
    if (index === -1) {
      const top = this.stack[this.stack.length - 1];
      this.collector.error(tagSpan,
        top
          ? `\`{{/${name}}}\` does not match the open \`${this.shortTag(top.tagSpan)}\`: ${this.flavor.refusal}. Close it with \`{{/${top.name}}}\`, or remove this tag.`
          : `\`{{/${name}}}\` closes a block that was never opened: ${this.flavor.refusal}. Remove it, or add \`{{#${name} …}}\` before it.`);
      return;
    }
    while (this.stack.length - 1 > index) {
      const inner = this.stack[this.stack.length - 1];
      this.collector.error(inner.tagSpan,
        `\`${this.shortTag(inner.tagSpan)}\` is never closed: \`{{/${name}}}\` closes an outer block first, so ${this.flavor.refusal}. Add \`{{/${inner.name}}}\` before \`{{/${name}}}\`.`);
      this.finishBlock(inner, tagSpan);
    }
    this.finishBlock(this.stack[index], tagSpan);
  }

  /** Opens a block and its first branch, which the opening tag's guards (added by the caller) hold for. */
  private pushBlock(name: string, kind: OpenBlock['kind'], tagSpan: Span): OpenBlock {
    const block: OpenBlock = {
      name, kind, helper: undefined, tagSpan, branches: [{ tagSpan, body: { start: tagSpan.end, end: tagSpan.end } }],
      activeGuards: NO_PATHS, guardsWhenAllFalse: NO_PATHS, framesBefore: this.frames.length, elseSeen: false,
      conditional: false, testedPath: undefined, contents: [NO_TAGS, NO_TAGS], pairedUse: undefined, rule: undefined, loop: undefined,
    };
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
      for (const name of frame.blockParams.keys()) {
        const bound = this.boundParams.get(name);
        bound?.pop();
        if (bound?.length === 0) this.boundParams.delete(name);
      }
    }
  }

  private setConditional(block: OpenBlock, conditional: boolean): void {
    block.conditional = conditional;
    if (conditional) this.conditionalDepth++;
  }

  private addLoopScope(loop: NonNullable<OpenBlock['loop']>, body: Span): void {
    this.collector.loopScopes.push({ variable: loop.variable, itemPath: loop.itemPath, body });
  }

  private finishBlock(block: OpenBlock, closeTag: Span): void {
    this.exitBranch(block, closeTag.start);
    this.stack.pop();
    this.openNames.set(block.name, (this.openNames.get(block.name) ?? 1) - 1);
    if (block.conditional) this.conditionalDepth--;
    this.popFrames(block.framesBefore);
    if (block.loop && block.branches[0]) this.addLoopScope(block.loop, block.branches[0].body);
    if (block.branches.length >= 2 && block.helper?.scope !== 'each') {
      this.collector.branchGroups.push({ tagSpan: block.tagSpan, branches: block.branches });
    }
    this.recogniseFallback(block, closeTag);
  }

  /**
   * `{{#if x}}{{x}}{{else}}there{{/if}}` and `{{#x}}{{.}}{{/x}}{{^x}}there{{/x}}` are how plain
   * Handlebars and Mustachio write a fallback: record "there" as the fallback of that output.
   */
  private recogniseFallback(block: OpenBlock, closeTag: Span): void {
    if (block.kind === 'section' && block.branches.length === 1) {
      const use = this.singleOutput(block, 0);
      this.lastSection = use !== undefined && this.collector.uses[use].path === block.testedPath ? { name: block.name, end: closeTag.end, use } : undefined;
      return;
    }
    if (block.kind === 'inverted' && block.pairedUse !== undefined && block.branches.length === 1) {
      const use = this.collector.uses[block.pairedUse];
      if (use && use.fallback === null) use.fallback = this.plainText(block, 0);
      return;
    }
    if (block.branches.length !== 2 || !block.testedPath) return;
    const shown = block.rule === 'falsy' ? 1 : 0;
    const index = this.singleOutput(block, shown);
    const use = index === undefined ? undefined : this.collector.uses[index];
    if (!use || use.path !== block.testedPath || use.fallback !== null) return;
    use.fallback = this.plainText(block, 1 - shown);
  }

  /** The branch's text with its white space collapsed, when it holds no tag and some text; otherwise null. */
  private plainText(block: OpenBlock, branch: number): string | null {
    if (block.contents[branch] !== NO_TAGS) return null;
    const body = block.branches[branch].body;
    return this.text.slice(body.start, body.end).replace(/\s+/g, ' ').trim() || null;
  }

  /** The index of the use, when the branch is one output tag and nothing else but white space: `{{#if x}}{{x}}{{else}}…`. */
  private singleOutput(block: OpenBlock, branch: number): number | undefined {
    const index = block.contents[branch];
    if (index < 0) return undefined;
    const tag = this.collector.uses[index].tagSpan;
    const body = block.branches[branch].body;
    return isBlank(this.text, body.start, tag.start) && isBlank(this.text, tag.end, body.end) ? index : undefined;
  }

  /** Notes a tag met directly inside the innermost block's current branch, and its one output use if it is an output. */
  private noteTag(outputUse: number | undefined): void {
    const block = this.stack[this.stack.length - 1];
    if (!block) return;
    const branch = block.branches.length - 1;
    // Only the first two branches can make a fallback pattern.
    if (branch < 2) block.contents[branch] = block.contents[branch] === NO_TAGS && outputUse !== undefined ? outputUse : OTHER_TAGS;
  }

  private enterBranch(block: OpenBlock, tagSpan: Span, guards: readonly string[]): void {
    this.exitBranch(block, tagSpan.start);
    block.branches = add(block.branches, { tagSpan, body: { start: tagSpan.end, end: tagSpan.end } });
    this.deepest = Math.max(this.deepest, block.branches.length);
    this.addGuards(block, guards);
  }

  private addGuards(block: OpenBlock, guards: readonly string[]): void {
    if (guards.length === 0) return;
    this.collector.guard(guards);
    // Guard lists are never changed in place, so a branch can share its tag's list.
    block.activeGuards = block.activeGuards.length === 0 ? guards : [...block.activeGuards, ...guards];
  }

  private exitBranch(block: OpenBlock, at: number): void {
    const body = block.branches[block.branches.length - 1].body;
    body.end = Math.max(body.start, at);
    this.collector.unguard(block.activeGuards);
    block.activeGuards = NO_PATHS;
  }

  // ---- Conditions ---------------------------------------------------------------------------------

  private conditionGuards(rule: GuardRule, params: readonly Param[]): Guards {
    switch (rule) {
      case 'truthy':
        return { whenTrue: this.truthyPaths(params), whenFalse: NO_PATHS };
      case 'falsy':
        return { whenTrue: NO_PATHS, whenFalse: this.truthyPaths(params) };
      case 'equals':
      case 'not-equals': {
        if (params.length !== 2) return NO_GUARDS;
        const swapped = isLiteral(params[0]);
        const field = swapped ? params[1] : params[0];
        const other = swapped ? params[0] : params[1];
        const path = this.valuePath(field);
        if (!path || !isLiteral(other)) return NO_GUARDS;
        const blank = isBlankLiteral(other);
        if (rule === 'equals') return blank ? { whenTrue: NO_PATHS, whenFalse: [path] } : { whenTrue: [path], whenFalse: NO_PATHS };
        return blank ? { whenTrue: [path], whenFalse: NO_PATHS } : NO_GUARDS;
      }
      case 'greater': {
        const path = params[0] ? this.valuePath(params[0]) : undefined;
        return path && isLiteral(params[1]) ? { whenTrue: [path], whenFalse: NO_PATHS } : NO_GUARDS;
      }
      case 'contains': {
        const path = params[0] ? this.valuePath(params[0]) : undefined;
        const other = params[1];
        return path && isLiteral(other) && !isBlankLiteral(other) ? { whenTrue: [path], whenFalse: NO_PATHS } : NO_GUARDS;
      }
      default:
        return NO_GUARDS;
    }
  }

  /** Paths that have a value when every one of `params` is truthy: fields, `(length x)`, nested conditions. */
  private truthyPaths(params: readonly Param[]): readonly string[] {
    let paths: string[] | undefined;
    for (const param of params) paths = this.addTruthyPaths(param, paths);
    return paths ?? NO_PATHS;
  }

  private addTruthyPaths(param: Param, paths: string[] | undefined): string[] | undefined {
    if (param.kind === 'path') {
      const path = this.resolve(param);
      return path === undefined ? paths : add(paths, path);
    }
    if (param.kind !== 'sexpr' || param.head.kind !== 'path') return paths;
    const name = param.head.value;
    const inline = inlineHelper(this.flavor, name);
    const rule = inline?.guard ?? blockHelper(this.flavor, name)?.guard;
    if (inline?.size) {
      const inner = param.params[0];
      return inner ? this.addTruthyPaths(inner, paths) : paths;
    }
    if (rule) for (const path of this.conditionGuards(rule, param.params).whenTrue) paths = add(paths, path);
    return paths;
  }

  /** The field a compared value comes from: `x`, or `x` in `(length x)`. */
  private valuePath(param: Param): string | undefined {
    if (param.kind === 'path') return this.resolve(param);
    if (param.kind === 'sexpr' && param.head.kind === 'path' && inlineHelper(this.flavor, param.head.value)?.size) {
      const inner = param.params[0];
      return inner ? this.valuePath(inner) : undefined;
    }
    return undefined;
  }

  private loopSourcePath(param: Param): string | undefined {
    if (param.kind === 'path') return this.resolve(param);
    if (param.kind === 'sexpr') {
      const inner = param.params.find((each) => each.kind === 'path');
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
    const path = this.resolveWritten(token);
    // `list.length` is the list's count, as JavaScript reads it: a use of the list, not a field of its own.
    return path !== undefined && countsItems(token) ? path.slice(0, -LENGTH_SUFFIX.length) : path;
  }

  private resolveWritten(token: Token): string | undefined {
    if (token.data) {
      const segments = token.segments;
      if (segments[0] !== 'root' || segments.length < 2) return undefined;
      return this.joinedPath('', token, 1);
    }
    const system = this.flavor.systemTags.find(token.value);
    if (system) {
      this.collector.addSystemUse(system, token.value, { start: token.start, end: token.end });
      return undefined;
    }
    if (token.plain && this.boundParams.size === 0) {
      // Most paths: names read from the current context, written as the data path they name.
      const base = this.frames[this.frames.length - 1].base;
      return base === null ? undefined : base === '' ? token.value : this.joinedPath(base, token, -1);
    }
    const segments = token.segments;
    let frameIndex = this.frames.length - 1;
    let i = 0;
    while (segments[i] === '..') {
      frameIndex = Math.max(0, frameIndex - 1);
      i++;
    }
    if (segments[i] === '.' || (segments[i] === 'this' && !this.mustachio)) i++;
    // A block param can only be the first segment written.
    const bound = i === 0 && segments.length > 0 ? this.boundParams.get(segments[0]) : undefined;
    if (bound && bound.length > 0) {
      const base = bound[bound.length - 1];
      return base === null ? undefined : this.joinedPath(base, token, 1);
    }
    const base = this.frames[frameIndex].base;
    if (base === null) return undefined;
    if (i === segments.length) return base === '' ? undefined : base;
    return this.joinedPath(base, token, i);
  }

  /**
   * `joinPath(base, token.segments, from)`, or for `from` -1 (a plain path) `base.value`, made once
   * per base, path as written and `from`: the segments are read from the text the token holds.
   */
  private joinedPath(base: string, token: Token, from: number): string {
    if (from > 3) return joinPath(base, token.segments, from);
    let byBase = this.joined[from + 1];
    if (!byBase) byBase = this.joined[from + 1] = new Map();
    let byValue = byBase.get(base);
    if (!byValue) byBase.set(base, (byValue = new Map()));
    let path = byValue.get(token.value);
    if (path === undefined) {
      path = from === -1 ? `${base}.${token.value}` : joinPath(base, token.segments, from);
      byValue.set(token.value, path);
    }
    return path;
  }

  // ---- Problems ---------------------------------------------------------------------------------

  private unknownHelper(head: Token, block: boolean): void {
    const names = block ? Object.keys(this.flavor.blockHelpers) : [...Object.keys(this.flavor.inlineHelpers), ...Object.keys(this.flavor.blockHelpers)];
    const suggestion = head.kind === 'path' ? closestNames(head.value, names, 1)[0] : undefined;
    const span = { start: head.start, end: head.end };
    if (head.kind !== 'path' || head.data) {
      this.collector.error(span, `\`${head.value}\` cannot be called as a helper: ${this.flavor.refusal}.`);
      return;
    }
    const known = names.length
      ? `${this.flavor.platform} knows ${block ? 'the block helpers' : 'the helpers'} ${names.slice(0, 12).map((name) => `\`${name}\``).join(', ')}${names.length > 12 ? ', …' : ''}`
      : `${this.flavor.platform} has no helpers`;
    this.collector.error(span,
      `\`${head.value}\` is not a ${block ? 'block ' : ''}helper ${this.flavor.platform} knows: ${this.flavor.refusal}. ` +
      (suggestion ? `Did you mean \`${suggestion}\`?` : `${known}.`) +
      (block && this.flavor.sections ? ` A \`{{#field}}\` section takes no values after the name.` : '') +
      // Plain Handlebars is also what applications send with, registering helpers of their own.
      (this.flavor.id === 'handlebars' ? ` If your application registers it, declare it in mergewise.json: "handlebars": {"helpers": ["${head.value}"]}.` : ''));
  }

  /** Parses the expression `text[start, end)` of a tag, and reports its problems. */
  private parse(start: number, end: number, tagSpan: Span): SubExpression | undefined {
    const sexpr = parseSubExpression(this.lexer.reset(start, end), this.problems, false);
    this.reportProblems(tagSpan);
    return sexpr;
  }

  private reportProblems(tagSpan: Span): void {
    if (this.problems.length === 0) return;
    for (const problem of this.problems) {
      const span = problem.end > problem.start ? { start: problem.start, end: problem.end } : tagSpan;
      this.collector.error(span, `In \`${this.shortTag(tagSpan)}\`, ${problem.message}: ${this.flavor.refusal}.`);
    }
    this.problems.length = 0;
  }

  /** The scanner found nothing: ask handlebars.js, so a template it refuses is never called clean. */
  private confirmWithParser(): void {
    try {
      handlebarsEngine().parse(this.flavor.toHandlebars ? this.flavor.toHandlebars(this.text) : this.text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const located = error as { lineNumber?: number; column?: number };
      const line = located.lineNumber ?? Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
      const lineStart = offsetOfLine(this.text, line - 1);
      const lineEnd = this.text.indexOf('\n', lineStart);
      const end = trimmedEnd(this.text, lineStart, lineEnd === -1 ? this.text.length : lineEnd);
      const start = located.column !== undefined ? Math.min(lineStart + located.column, end) : lineStart;
      this.collector.error({ start, end: Math.max(end, start) },
        `handlebars.js cannot parse this template (${message.split('\n')[0]}): ${this.flavor.refusal}.`);
    }
  }

  /** The tag's text for a message, shortened: `{{#if customer.first_name}}`. */
  private shortTag(span: Span): string {
    const tag = this.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    return tag.length > 60 ? `${tag.slice(0, 57)}…` : tag;
  }
}

/** A comparison in backticks, as a helper call: the helper's name as head, the values compared as params. */
interface Comparison {
  sexpr: SubExpression;
  /** What the comparison tells about its values when it holds. */
  rule: GuardRule;
}

/** What `if` (the comparison holds) or `unless` (it does not) tells about the values. */
function comparisonRule(helper: BlockHelper, rule: GuardRule): GuardRule {
  return helper.guard === 'falsy' ? invertRule(rule) : rule;
}

/** `elseif` as the first word of a tag. */
function isElseIf(text: string, first: number, end: number): boolean {
  return first + 6 <= end && text.startsWith('elseif', first) && (first + 6 === end || isWhiteSpace(text.charCodeAt(first + 6)));
}

function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

function invertRule(rule: GuardRule): GuardRule {
  return rule === 'truthy' ? 'falsy' : rule === 'falsy' ? 'truthy' : 'none';
}

/** The fallback a fallback helper's second value gives, as the recipient reads it: `insert x "default=there"` gives "there". */
function fallbackText(helper: string, param: Param | undefined): string | null {
  if (!isLiteral(param)) return null;
  const value = literalValue(param);
  if (value === undefined || value === null || value === '') return null;
  return helper === 'insert' ? String(value).replace(/^default=/, '') : String(value);
}

function isBlankLiteral(token: Token): boolean {
  const value = literalValue(token);
  return value === '' || value === null || value === undefined || value === false;
}

/**
 * Joins written segments, from `from` on, to a data path: numeric segments are array items
 * (`items.[0].title` → `items[].title`).
 */
export function joinPath(base: string, segments: readonly string[], from = 0): string {
  let path = base;
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i];
    if (isIndex(segment)) path += '[]';
    else path = path === '' ? segment : `${path}.${segment}`;
  }
  return path;
}

/** `text.slice(start, end).trim() === ''`, without the slice. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isWhiteSpace(text.charCodeAt(i))) return false;
  return true;
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
