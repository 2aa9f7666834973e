/**
 * One-pass Liquid scanner: template text to field uses, syntax problems, branches and directives.
 *
 * Hand-written because it is the product (see lexer.ts). Like Shopify's Ruby Liquid, which Braze
 * runs, a tag ends at the first `}}` or `%}`: quotes inside a tag do not hide a delimiter.
 * Invariants: every span lies inside the text; a mistake is reported and scanning goes on after it;
 * the work is linear in the text's length (guards are counted, not searched).
 */
import type { Span } from '../../model';
import type { Branch, IncludeArgument, IncludeSite, LoopScope, TemplateScan, UseContext } from '../dialect';
import { findParameterDeclarations, findPurposeDirectives } from '../directives';
import { closestNames } from '../../closest';
import { ForwardIndex, LineEnds, ScanCollector, TrimmedEnds, indexBefore, isSpace, trimmedEnd } from '../common/scan-collector';
import { MAX_NESTING } from '../common/limits';
import { MarkupLexer, isLiteralKeyword, type Token } from './lexer';
import { LiquidScope, rootName, type ResolvedReference } from './scope';
import type { ConnectedData, ConnectedDataKind } from '../common/connected-data';

const OPEN_BRACE = 123, CLOSE_BRACE = 125, PERCENT = 37, DASH = 45, DOLLAR = 36;

const BLOCK_TAGS = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'capture']);
/** Tags that take arguments but open no block: Liquid's own, and those Braze and Shopify add. */
const ARGUMENT_TAGS = new Set([
  'section', 'sections', 'layout', 'cycle',
  'abort_message', 'content_blocks', 'catalog_items', 'promotion',
]);
export const LIQUID_TAG_NAMES = [
  ...BLOCK_TAGS, 'elsif', 'else', 'when', 'assign', 'increment', 'decrement', 'echo', 'liquid', 'comment', 'raw',
  'break', 'continue', 'connected_content', 'catalog_selection_items', 'render', 'include', 'doc', ...ARGUMENT_TAGS,
];
const KNOWN_TAGS = new Set(LIQUID_TAG_NAMES);
/**
 * The end tag of each block whose body is not Liquid. Made once, not per block: a `new RegExp` for
 * each of a template's comments showed in the profile of a whole `check`, which runs them cold.
 */
const VERBATIM_ENDS = {
  raw: /\{%-?\s*endraw\s*-?%\}/g,
  comment: /\{%-?\s*endcomment\s*-?%\}/g,
  doc: /\{%-?\s*enddoc\s*-?%\}/g,
};
/** Filters that leave an empty value empty: a local assigned through them is as empty as its field. */
const BLANK_PRESERVING_FILTERS = new Set([
  'upcase', 'downcase', 'capitalize', 'strip', 'lstrip', 'rstrip', 'escape', 'escape_once', 'strip_html', 'truncate', 'truncatewords',
]);

/**
 * Shared by every use with no filters and every condition that guards nothing. Never pushed to:
 * lists are replaced, not grown, so one empty list serves them all and thousands are not allocated.
 */
const NONE: string[] = [];

interface OpenBlock {
  name: string;
  tagSpan: Span;
  /** Branches of if/unless/case, each with the body it covers so far. */
  branches: Branch[];
  /** Paths known to have a value in the current branch. */
  activeGuards: string[];
  /** Paths known to have a value once every condition so far was false (for elsif/else). */
  guardsWhenAllFalse: string[];
  caseSubject?: string;
  loopVariable?: string;
  shadowedBinding?: string;
  loopScope?: LoopScope;
}


interface Operand {
  token: Token;
  reference?: ResolvedReference;
  /** For literals: blank (nil, '', empty, 0 after .size) or a real value. */
  blankLiteral: boolean;
  literal: boolean;
}

/** Braze's output inside a tag (`{{${first_name} | default: "x"}}`): the value it stands for, with its own filters. */
interface NestedOperand extends Operand {
  nested: { fallback: string | null; filters: string[] };
}

/** A value and the filters after it: `customer.first_name | default: "there"`. */
interface FilteredValue {
  value: Operand | undefined;
  fallback: string | null;
  /** When the fallback is another field's value (`| default: billing_address.first_name`): its path. */
  fallbackField?: string;
  filters: string[];
}

interface ConditionGuards {
  whenTrue: string[];
  whenFalse: string[];
  empty: boolean;
}

export function scanLiquid(text: string): TemplateScan {
  return new LiquidScanner(text).scan();
}

class LiquidScanner {
  private readonly collector: ScanCollector;
  private readonly stack: OpenBlock[] = [];
  /** Open blocks by name: an end tag that closes nothing is known without walking the stack (quadratic when deep). */
  private readonly openNames = new Map<string, number>();
  private readonly scope = new LiquidScope();
  /** Searches repeated at growing offsets, remembered so that a line of unclosed tags is read once. */
  private readonly lineEnds: LineEnds;
  private readonly trimmedEnds: TrimmedEnds;
  private readonly outputCloses: ForwardIndex;
  private readonly tagCloses: ForwardIndex;
  private readonly tagOpens: ForwardIndex;
  /** Every `{`, in turn: where the next tag may open, and whether a tag holds one before its close. */
  private readonly braces: ForwardIndex;
  private readonly lexer: MarkupLexer;
  /** Connected data (`connected_content`, `catalog_items`) and the reads of its variables. */
  private readonly connected: ConnectedData = { sources: [], uses: [] };
  /** Braze outputs written inside tags, by their `{{…}}` span. */
  private readonly embeddedOutputs: Span[] = [];
  private readonly conditionBrackets: number[] = [];
  /** Inside such an output: another one there is a mistake, not a reason to recurse. */
  private inNested = false;
  /** Braze content blocks included so far, by name: they share the message's variables, both ways. */
  private readonly includedBlocks = new Set<string>();
  /** Their names for a message, joined, up to MAX_BLOCK_NAMES_SHOWN characters: a source made per variable copies it. */
  private blockNamesShown = '';
  /** The tag of the last of them. */
  private lastBlockTag: Span | undefined;
  /** Each name a content block may have set, read after it: to its connected-data source. */
  private readonly blockVariables = new Map<string, number>();

  constructor(private readonly text: string) {
    this.collector = new ScanCollector(text);
    this.lexer = new MarkupLexer(text);
    this.lineEnds = new LineEnds(text);
    this.trimmedEnds = new TrimmedEnds(text);
    this.outputCloses = new ForwardIndex(text, '}}');
    this.tagCloses = new ForwardIndex(text, '%}');
    this.tagOpens = new ForwardIndex(text, '{%');
    this.braces = new ForwardIndex(text, '{');
  }

  scan(): TemplateScan {
    const text = this.text;
    const length = text.length;
    let pos = 0;
    while (pos < length) {
      const open = this.braces.at(pos);
      if (open === -1 || open + 1 >= length) break;
      const next = text.charCodeAt(open + 1);
      if (next === OPEN_BRACE) pos = this.readOutput(open);
      else if (next === PERCENT) pos = this.readTag(open);
      else pos = open + 1;
    }
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const block = this.stack[i];
      this.collector.error(block.tagSpan,
        `\`${this.shortTag(block.tagSpan)}\` is never closed: Liquid fails to render and the recipient would get raw merge syntax, or no email. ` +
        `Add \`{% end${block.name} %}\` where the block should end.`);
    }
    const result = this.collector.result();
    // Only when there are some, as with includes: most templates fetch nothing.
    if (this.connected.sources.length > 0) result.connected = this.connected;
    if (this.embeddedOutputs.length > 0) result.embeddedOutputs = this.embeddedOutputs;
    if (this.conditionBrackets.length > 0) result.conditionBrackets = this.conditionBrackets;
    return result;
  }

  // ---- Delimiters -------------------------------------------------------------------------------

  /**
   * Index of the closing delimiter's first character, or -1 at end of text, or `-(index + 2)` when
   * another tag opens first at `index` (the tag was left unclosed).
   */
  private findClose(from: number, output: boolean): number {
    const text = this.text;
    // Nearly every tag holds no `{` before its close, which is then simply the first delimiter:
    // found natively, this spares reading the tag a character at a time here as well as in the lexer.
    // Remembered, not searched afresh: each of a run of unclosed `{%` searched to the end of the text.
    const delimiter = (output ? this.outputCloses : this.tagCloses).at(from);
    if (delimiter !== -1) {
      const brace = this.braces.at(from);
      if (brace === -1 || brace > delimiter) return delimiter;
    }
    const length = text.length;
    let inBrazeAttribute = false;
    for (let i = from; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) {
        if (inBrazeAttribute) inBrazeAttribute = false;
        else if (output && text.charCodeAt(i + 1) === CLOSE_BRACE) return i;
      } else if (c === PERCENT) {
        if (!output && text.charCodeAt(i + 1) === CLOSE_BRACE) return i;
      } else if (c === DOLLAR) {
        // Braze's `${name}`; in `${{` the braces open a tag (taking them as `${` hid every later tag).
        if (text.charCodeAt(i + 1) === OPEN_BRACE && text.charCodeAt(i + 2) !== OPEN_BRACE) { inBrazeAttribute = true; i++; }
      } else if (c === OPEN_BRACE) {
        const next = text.charCodeAt(i + 1);
        if (next === PERCENT) return -(i + 2);
        if (next === OPEN_BRACE) {
          if (output) return -(i + 2);
          // Braze allows outputs inside tag markup (`connected_content` URLs): step over them.
          const inner = this.outputCloses.at(i + 2);
          if (inner === -1) return -1;
          // A `{%` before that output closes means it is no output, and this tag was left open: stepping
          // over it hid every later tag, and each unclosed tag then searched to the end of the text.
          const tagOpen = this.tagOpens.at(i + 2);
          if (tagOpen !== -1 && tagOpen < inner) return -(i + 2);
          i = inner + 1;
        }
      }
    }
    return -1;
  }

  private unclosed(open: number, close: number, delimiter: string): number {
    const lineEnd = this.lineEnds.at(open);
    const end = close < -1 ? -close - 2 : lineEnd;
    // The message quotes one line: it is printed on one line in terminals and problem lists.
    const shown = this.text.slice(open, Math.min(end, lineEnd, open + 40)).trimEnd();
    this.collector.error({ start: open, end: Math.max(open + 2, this.trimmedEnds.at(open, end)) },
      `\`${shown}\` is never closed with \`${delimiter}\`: the recipient would see this raw merge syntax. Close the tag with \`${delimiter}\`.`);
    return close < -1 ? -close - 2 : open + 2;
  }

  private readOutput(open: number): number {
    const close = this.findClose(open + 2, true);
    if (close < 0) return this.unclosed(open, close, '}}');
    const tagSpan = { start: open, end: close + 2 };
    const contentStart = this.text.charCodeAt(open + 2) === DASH ? open + 3 : open + 2;
    const contentEnd = close > contentStart && this.text.charCodeAt(close - 1) === DASH ? close - 1 : close;
    if (!this.readContentBlock(contentStart, contentEnd, tagSpan)) this.readValueWithFilters(contentStart, contentEnd, tagSpan, 'output');
    return close + 2;
  }

  /** Braze's `{{content_blocks.${name}}}` pulls in a content block: an include, not a field. */
  private readContentBlock(start: number, end: number, tagSpan: Span): boolean {
    // Read in place, rejected at its first letter: every output tag asks, and most are not blocks.
    let at = start;
    while (at < end && isSpace(this.text.charCodeAt(at))) at++;
    if (this.text.charCodeAt(at) !== LOWER_C) return false;
    CONTENT_BLOCK.lastIndex = at;
    const match = CONTENT_BLOCK.exec(this.text);
    if (!match || CONTENT_BLOCK.lastIndex !== end) return false;
    const nameStart = match.index + match[0].indexOf('${');
    this.addInclude('content-block', match[1], { start: nameStart, end: nameStart + match[1].length + 3 }, tagSpan, true, []);
    if (!this.includedBlocks.has(match[1])) {
      this.includedBlocks.add(match[1]);
      if (this.blockNamesShown.length < MAX_BLOCK_NAMES_SHOWN) this.blockNamesShown += (this.blockNamesShown ? ', ' : '') + match[1];
      else if (!this.blockNamesShown.endsWith('…')) this.blockNamesShown += ', …';
    }
    this.lastBlockTag = tagSpan;
    return true;
  }

  private addInclude(kind: IncludeSite['kind'], name: string | null, nameSpan: Span, tagSpan: Span, sharesScope: boolean, parameters: IncludeArgument[]): void {
    const site: IncludeSite = { kind, name, nameSpan, tagSpan, parameters, sharesScope, guards: this.collector.activeGuards() };
    if (sharesScope) {
      const loopVariables = this.scope.loopVariables();
      if (Object.keys(loopVariables).length) site.loopVariables = loopVariables;
      const locals = this.scope.visibleLocals();
      if (Object.keys(locals).length) site.locals = locals;
    }
    this.collector.includes.push(site);
  }

  /**
   * `{% render 'name', key: value %}`, `{% render 'name' with value as alias %}`, `{% render 'name'
   * for list as item %}`, and `{% include %}` alike (Jekyll's `{% include file.html key="value" %}`
   * too). `render` isolates the snippet: it sees only what is passed, and the recipient's data.
   */
  private readInclude(tag: 'render' | 'include', start: number, end: number, tagSpan: Span): void {
    const lexer = this.lexer.reset(start, end);
    const first = lexer.peek();
    let name: string | null = null;
    const nameSpan = first.kind === 'end' ? tagSpan : { start: first.start, end: first.end };
    if (first.kind === 'string') {
      name = first.value;
      lexer.next();
    } else if (first.kind === 'path' && JEKYLL_FILE.test(first.value)) {
      name = this.text.slice(first.start, first.end);
      lexer.next();
    } else if (first.kind === 'end') {
      this.collector.error(tagSpan, `\`{% ${tag} %}\` needs the name of a snippet, as in \`{% ${tag} 'footer' %}\`: Liquid fails to render it.`);
      return;
    } else {
      this.readOperand(lexer, tagSpan, 'argument');
    }
    const parameters: IncludeArgument[] = [];
    const baseName = name === null ? '' : name.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
    while (lexer.peek().kind !== 'end') {
      const token = lexer.next();
      if (token.kind === 'comma') continue;
      if ((token.kind === 'operator' && token.value === 'with') || (token.kind === 'path' && token.value === 'for')) {
        const loop = token.value === 'for';
        const valueToken = lexer.peek();
        const value = this.readOperand(lexer, tagSpan, 'argument');
        if (!value) break;
        let alias = baseName;
        if (lexer.peek().kind === 'operator' && lexer.peek().value === 'as') {
          lexer.next();
          const aliasToken = lexer.next();
          if (aliasToken.kind === 'path') alias = aliasToken.value;
        }
        const argument = this.includeArgument(alias, value.reference?.path, valueToken, value.literal);
        if (loop) {
          argument.loop = true;
          if (argument.path !== null) argument.path += '[]';
        }
        parameters.push(argument);
        continue;
      }
      const separator = lexer.peek();
      if (token.kind === 'path' && (separator.kind === 'colon' || separator.kind === 'equals')) {
        lexer.next();
        const valueToken = lexer.peek();
        const value = this.readOperand(lexer, tagSpan, 'argument');
        if (!value) break;
        const argument = this.includeArgument(token.value, value.reference?.path, valueToken, value.literal);
        argument.span = { start: token.start, end: token.end };
        parameters.push(argument);
        continue;
      }
      this.unexpected(token, tagSpan);
      break;
    }
    this.addInclude(tag, name, nameSpan, tagSpan, tag === 'include', parameters);
  }

  private includeArgument(name: string, path: string | undefined, valueToken: Token, literal: boolean): IncludeArgument {
    const span = { start: valueToken.start, end: valueToken.end };
    if (literal) {
      const kind = valueToken.kind === 'string' ? 'string' : valueToken.kind === 'number' ? 'number'
        : valueToken.value === 'true' || valueToken.value === 'false' ? 'boolean' : undefined;
      return kind ? { name, path: null, fallback: null, literal: kind, span } : { name, path: null, fallback: null, span };
    }
    if (path !== undefined) return { name, path, fallback: null, span };
    // A local assigned from a field with a fallback carries both into the snippet.
    const carried = valueToken.kind === 'path' ? this.scope.fallbackCarried(valueToken.value) : undefined;
    return carried ? { name, path: carried.path, fallback: carried.fallback, span } : { name, path: null, fallback: null, span };
  }

  private readTag(open: number): number {
    const text = this.text;
    const close = this.findClose(open + 2, false);
    if (close < 0) return this.unclosed(open, close, '%}');
    const tagSpan = { start: open, end: close + 2 };
    let pos = text.charCodeAt(open + 2) === DASH ? open + 3 : open + 2;
    const contentEnd = close > pos && text.charCodeAt(close - 1) === DASH ? close - 1 : close;
    while (pos < contentEnd && isSpace(text.charCodeAt(pos))) pos++;
    if (text.charCodeAt(pos) === 35 /* # */) {
      findPurposeDirectives(text.slice(pos + 1, contentEnd), pos + 1, this.collector.purposeDirectives);
      return close + 2;
    }
    const nameStart = pos;
    while (pos < contentEnd && isNameChar(text.charCodeAt(pos))) pos++;
    const name = text.slice(nameStart, pos);
    if (name === 'raw' || name === 'comment' || name === 'doc') return this.skipVerbatim(name, tagSpan);
    if (name === 'liquid') {
      this.readLiquidTag(pos, contentEnd);
      return close + 2;
    }
    this.handleTag(name, { start: nameStart, end: pos }, pos, contentEnd, tagSpan);
    return close + 2;
  }

  /** `raw`, `comment` and `doc` bodies are not Liquid; a comment may hold purpose directives, a LiquidDoc `doc` the parameters a snippet takes. */
  private skipVerbatim(name: 'raw' | 'comment' | 'doc', tagSpan: Span): number {
    const endTag = VERBATIM_ENDS[name];
    endTag.lastIndex = tagSpan.end;
    const match = endTag.exec(this.text);
    const bodyEnd = match ? match.index : this.text.length;
    if (name === 'comment') {
      findPurposeDirectives(this.text.slice(tagSpan.end, bodyEnd), tagSpan.end, this.collector.purposeDirectives);
    } else if (name === 'doc') {
      findParameterDeclarations(this.text.slice(tagSpan.end, bodyEnd), tagSpan.end, this.collector.parameters);
    }
    if (!match) {
      this.collector.error(tagSpan,
        `\`{% ${name} %}\` is never closed: everything after it is swallowed, and Liquid fails to render. Add \`{% end${name} %}\`.`);
      return this.text.length;
    }
    return match.index + match[0].length;
  }

  /** `{% liquid %}` holds one tag per line, without delimiters. */
  private readLiquidTag(start: number, end: number): void {
    const text = this.text;
    let lineStart = start;
    let inComment = false;
    while (lineStart < end) {
      const lineEnd = Math.min(this.lineEnds.at(lineStart), end);
      let pos = lineStart;
      while (pos < lineEnd && isSpace(text.charCodeAt(pos))) pos++;
      const nameStart = pos;
      while (pos < lineEnd && isNameChar(text.charCodeAt(pos))) pos++;
      const name = text.slice(nameStart, pos);
      const lineSpan = { start: nameStart, end: trimmedEnd(text, nameStart, lineEnd) };
      if (inComment) {
        if (name === 'endcomment') inComment = false;
        else findPurposeDirectives(text.slice(nameStart, lineEnd), nameStart, this.collector.purposeDirectives);
      } else if (name === 'comment') {
        inComment = true;
      } else if (text.charCodeAt(nameStart) === 35 /* # */) {
        findPurposeDirectives(text.slice(nameStart + 1, lineEnd), nameStart + 1, this.collector.purposeDirectives);
      } else if (name) {
        this.handleTag(name, { start: nameStart, end: pos }, pos, lineEnd, lineSpan);
      }
      lineStart = lineEnd + 1;
    }
  }

  // ---- Tags -------------------------------------------------------------------------------------

  private handleTag(name: string, nameSpan: Span, markupStart: number, markupEnd: number, tagSpan: Span): void {
    switch (name) {
      case 'if':
      case 'unless': {
        const condition = this.readCondition(name, markupStart, markupEnd, tagSpan);
        const block = this.openBlock(name, tagSpan);
        const [taken, notTaken] = name === 'if'
          ? [condition.whenTrue, condition.whenFalse]
          : [condition.whenFalse, condition.whenTrue];
        this.enterBranch(block, tagSpan, taken);
        block.guardsWhenAllFalse = notTaken;
        return;
      }
      case 'elsif': {
        const block = this.expectParent(tagSpan, name, ['if', 'unless']);
        const condition = this.readCondition(name, markupStart, markupEnd, tagSpan);
        if (!block) return;
        this.enterBranch(block, tagSpan, [...block.guardsWhenAllFalse, ...condition.whenTrue]);
        // Past MAX_NESTING paths, later branches are not counted as guarded by the earlier conditions:
        // re-guarding all of them at each branch was quadratic in long chains.
        if (block.guardsWhenAllFalse.length < MAX_NESTING) block.guardsWhenAllFalse = [...block.guardsWhenAllFalse, ...condition.whenFalse];
        return;
      }
      case 'else': {
        const block = this.expectParent(tagSpan, name, ['if', 'unless', 'case', 'for', 'tablerow']);
        if (!block) return;
        if (block.name === 'for' || block.name === 'tablerow') {
          // The loop's `else` runs when the array is empty: the loop variable is no longer bound.
          this.leaveBranch(block, tagSpan.start);
          this.unbindLoopVariable(block, tagSpan.start);
          return;
        }
        this.enterBranch(block, tagSpan, block.guardsWhenAllFalse);
        return;
      }
      case 'case': {
        const lexer = this.lexer.reset(markupStart, markupEnd);
        const subject = this.readOperand(lexer, tagSpan, 'condition');
        if (!subject) this.collector.error(tagSpan, 'A `{% case %}` needs a value to compare, as in `{% case customer.plan %}`.');
        this.expectEnd(lexer, 'case');
        const block = this.openBlock(name, tagSpan);
        block.caseSubject = subject?.reference?.path;
        return;
      }
      case 'when': {
        const block = this.expectParent(tagSpan, name, ['case']);
        const guards = this.readWhen(markupStart, markupEnd, tagSpan, block?.caseSubject);
        if (block) this.enterBranch(block, tagSpan, guards);
        return;
      }
      case 'for':
      case 'tablerow':
        this.readLoop(name, markupStart, markupEnd, tagSpan);
        return;
      case 'capture': {
        const lexer = this.lexer.reset(markupStart, markupEnd);
        const variable = lexer.next();
        if (variable.kind === 'path' || variable.kind === 'string') this.scope.capture(variable.value);
        else this.collector.error(tagSpan, 'A `{% capture %}` needs a variable name, as in `{% capture greeting %}`.');
        this.openBlock(name, tagSpan);
        return;
      }
      case 'assign':
        this.readAssign(markupStart, markupEnd, tagSpan);
        return;
      case 'increment':
      case 'decrement': {
        const variable = this.lexer.reset(markupStart, markupEnd).next();
        if (variable.kind === 'path') this.scope.declareLocal(variable.value);
        return;
      }
      case 'echo':
        this.readValueWithFilters(markupStart, markupEnd, tagSpan, 'output');
        return;
      case 'connected_content':
        this.readFetchTag(name, 'connected-content', markupStart, markupEnd, tagSpan);
        return;
      case 'catalog_items':
      case 'catalog_selection_items':
        this.readFetchTag(name, 'catalog-items', markupStart, markupEnd, tagSpan);
        return;
      case 'break':
      case 'continue':
        return;
      case 'render':
      case 'include':
        this.readInclude(name, markupStart, markupEnd, tagSpan);
        return;
    }
    if (ARGUMENT_TAGS.has(name)) {
      this.readArguments(markupStart, markupEnd, tagSpan);
      return;
    }
    if (name.startsWith('end') && BLOCK_TAGS.has(name.slice(3))) {
      this.closeBlock(name.slice(3), tagSpan);
      return;
    }
    if (name === 'endraw' || name === 'endcomment') {
      this.collector.error(tagSpan, `\`{% ${name} %}\` has no matching \`{% ${name.slice(3)} %}\`: remove it, or add the opening tag.`);
      return;
    }
    const suggestion = name ? closestNames(name, KNOWN_TAGS, 1)[0] : undefined;
    this.collector.error(name ? nameSpan : tagSpan,
      (name ? `Unknown Liquid tag \`${name}\`` : 'A Liquid tag with no name') +
      ': the platform refuses to render the template, or sends it with raw merge syntax. ' +
      (suggestion ? `Did you mean \`${suggestion}\`?` : 'Remove it, or write it as `{{ … }}` if it was meant as an output.'));
  }

  private openBlock(name: string, tagSpan: Span): OpenBlock {
    const block: OpenBlock = { name, tagSpan, branches: [], activeGuards: NONE, guardsWhenAllFalse: NONE };
    this.stack.push(block);
    this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1);
    return block;
  }

  private expectParent(tagSpan: Span, name: string, parents: string[]): OpenBlock | undefined {
    const top = this.stack[this.stack.length - 1];
    if (top && parents.includes(top.name)) return top;
    this.collector.error(tagSpan,
      `\`{% ${name} %}\` is outside ${parents.map((p) => `\`{% ${p} %}\``).join(' or ')}: Liquid fails to render it. ` +
      `Move it inside the block, or remove it.`);
    return undefined;
  }

  private closeBlock(name: string, tagSpan: Span): void {
    let index = this.openNames.get(name) ? this.stack.length - 1 : -1;
    while (index >= 0 && this.stack[index].name !== name) index--;
    if (index === -1) {
      this.collector.error(tagSpan, `\`{% end${name} %}\` has no matching \`{% ${name} %}\`: Liquid fails to render the template. Remove it, or add the opening tag.`);
      return;
    }
    while (this.stack.length > index + 1) {
      const inner = this.stack.pop() as OpenBlock;
      this.collector.error(inner.tagSpan, `\`${this.shortTag(inner.tagSpan)}\` is closed by \`{% end${name} %}\` before its own \`{% end${inner.name} %}\`: Liquid fails to render the template. Add \`{% end${inner.name} %}\`.`);
      this.finishBlock(inner, tagSpan.start);
    }
    this.finishBlock(this.stack.pop() as OpenBlock, tagSpan.start);
  }

  private finishBlock(block: OpenBlock, end: number): void {
    this.openNames.set(block.name, (this.openNames.get(block.name) ?? 1) - 1);
    this.leaveBranch(block, end);
    this.unbindLoopVariable(block, end);
    if (block.branches.length >= 2) this.collector.branchGroups.push({ tagSpan: block.tagSpan, branches: block.branches });
  }

  private enterBranch(block: OpenBlock, tagSpan: Span, guards: string[]): void {
    this.leaveBranch(block, tagSpan.start);
    block.branches.push({ tagSpan, body: { start: tagSpan.end, end: tagSpan.end } });
    this.enterGuards(block, guards);
  }

  private enterGuards(block: OpenBlock, guards: string[]): void {
    block.activeGuards = guards;
    this.collector.guard(guards);
  }

  private leaveBranch(block: OpenBlock, end: number): void {
    const current = block.branches[block.branches.length - 1];
    if (current) current.body.end = end;
    this.collector.unguard(block.activeGuards);
    block.activeGuards = NONE;
  }

  private unbindLoopVariable(block: OpenBlock, end: number): void {
    if (block.loopVariable === undefined) return;
    if (block.loopScope) block.loopScope.body.end = end;
    this.scope.bindLoopVariable(block.loopVariable, block.shadowedBinding);
    block.loopVariable = undefined;
  }

  // ---- Markup -----------------------------------------------------------------------------------

  /** `value | filter: arg, key: arg | …` in outputs, `echo` and `assign`. */
  private readValueWithFilters(start: number, end: number, tagSpan: Span, context: UseContext): Operand | undefined {
    const lexer = this.lexer.reset(start, end);
    if (lexer.peek().kind === 'end') {
      if (context === 'assign') this.collector.error(tagSpan, '`{% assign %}` needs a value after `=`.');
      return undefined;
    }
    const { value, fallback, fallbackField, filters } = this.readFiltered(lexer, tagSpan);
    this.expectEnd(lexer, context);
    if (value?.reference) this.addUse(value.token, value.reference, tagSpan, context, fallback, filters, fallbackField);
    else if (value && !value.literal) this.addConnectedUse(value.token, tagSpan, context);
    return value;
  }

  /** A value and its filters, read from where the lexer is; its use is for the caller to record. */
  private readFiltered(lexer: MarkupLexer, tagSpan: Span): FilteredValue {
    const value = this.readOperand(lexer, tagSpan, undefined);
    // An output nested in the tag brings its own filters and fallback, which apply first.
    let filters = value && 'nested' in value ? (value as NestedOperand).nested.filters : NONE;
    let fallback: string | null = value && 'nested' in value ? (value as NestedOperand).nested.fallback : null;
    let fallbackField: string | undefined;
    while (lexer.peek().kind === 'pipe') {
      const pipe = lexer.next();
      const filterName = lexer.next();
      if (filterName.kind !== 'path') {
        this.collector.error({ start: pipe.start, end: Math.max(pipe.end, filterName.end) },
          'A `|` with no filter name after it: Liquid fails to render this tag. Add a filter, as in `| default: "there"`, or remove the `|`.');
        break;
      }
      if (filters === NONE) filters = [];
      filters.push(filterName.value);
      if (lexer.peek().kind !== 'colon') continue;
      lexer.next();
      let positional = 0;
      for (;;) {
        let argument = lexer.peek();
        let fallbackPath: string | undefined;
        if (argument.kind === 'path' && this.peekIsNamedArgument(lexer)) {
          lexer.next();
          lexer.next();
          argument = lexer.peek();
        } else if (filterName.value === 'default' && positional === 0 && fallback === null) {
          fallback = argument.kind === 'string' || argument.kind === 'number'
            ? argument.value
            : this.text.slice(argument.start, argument.end);
          positional++;
          if (argument.kind === 'path') fallbackPath = argument.value;
        }
        const operand = this.readOperand(lexer, tagSpan, 'argument');
        // A variable, not text: the field it reads, or the local's name.
        if (fallbackPath !== undefined && operand && !operand.literal) fallbackField = operand.reference?.path ?? fallbackPath;
        if (!operand) {
          this.collector.error(tagSpan, `The filter \`${filterName.value}\` is followed by \`:\` but no value: Liquid fails to render this tag. Add the value or remove the \`:\`.`);
          break;
        }
        if (lexer.peek().kind !== 'comma') break;
        lexer.next();
      }
    }
    return fallbackField === undefined ? { value, fallback, filters } : { value, fallback, fallbackField, filters };
  }

  /**
   * Braze renders an output written inside a tag first (`{% if {{${first_name}}} != blank %}`), and
   * the tag reads what it stands for: a use of its field, in the tag's context, with the output's
   * own filters and fallback.
   */
  private readNested(lexer: MarkupLexer, open: Token, tagSpan: Span, context: UseContext | undefined): Operand | undefined {
    const openStart = open.start;
    if (this.inNested) {
      this.unexpected(open, tagSpan);
      return undefined;
    }
    this.inNested = true;
    const inner = this.readFiltered(lexer, tagSpan);
    this.inNested = false;
    const close = lexer.peek();
    if (close.kind !== 'nested-close') {
      this.collector.error({ start: openStart, end: close.kind === 'end' ? tagSpan.end : close.start },
        'An output inside this tag is never closed with `}}`: the platform fails to render the tag. Close it with `}}`.');
    } else {
      lexer.next();
      this.embeddedOutputs.push({ start: openStart, end: close.end });
    }
    const value = inner.value;
    if (!value) {
      this.collector.error({ start: openStart, end: close.end }, 'An empty `{{ }}` inside this tag: the platform fails to render it. Write the field inside, or remove the braces.');
      return undefined;
    }
    if (context && value.reference) this.addUse(value.token, value.reference, tagSpan, context, inner.fallback, inner.filters);
    else if (context && !value.literal) this.addConnectedUse(value.token, tagSpan, context);
    // With a fallback the value is never blank, so a condition on it checks nothing about the field.
    const reference = context === 'condition' && inner.fallback !== null ? undefined : value.reference;
    const nested: NestedOperand = {
      token: value.token, reference, literal: value.literal, blankLiteral: value.blankLiteral,
      nested: { fallback: inner.fallback, filters: inner.filters },
    };
    return nested;
  }

  /** Named filter arguments look like `key: value`: the peeked path is followed by a colon. */
  private peekIsNamedArgument(lexer: MarkupLexer): boolean {
    const text = this.text;
    let pos = lexer.peek().end;
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
    return text.charCodeAt(pos) === 58 /* : */;
  }

  /**
   * Reads one value: a literal, a path, or a range `(a..b)`. Paths in conditions and arguments are
   * recorded as uses right away; for outputs the caller records them once filters are known.
   */
  private readOperand(lexer: MarkupLexer, tagSpan: Span, context: UseContext | undefined, inRange = false): Operand | undefined {
    const token = lexer.next();
    switch (token.kind) {
      case 'string':
        if (token.terminated === false) {
          this.collector.error({ start: token.start, end: token.end },
            'A text value is missing its closing quote: Liquid fails to render this tag. Add the closing quote.');
        }
        return { token, reference: undefined, literal: true, blankLiteral: token.value === '' };
      case 'number':
        return { token, reference: undefined, literal: true, blankLiteral: false };
      case 'open-paren': {
        // A range's ends are plain values: a `(` inside one is a mistake, not a reason to recurse
        // (10,000 of them overflowed the stack).
        if (inRange) {
          this.unexpected(token, tagSpan);
          return undefined;
        }
        this.readOperand(lexer, tagSpan, 'argument', true);
        if (lexer.next().kind !== 'range-dots' || !this.readOperand(lexer, tagSpan, 'argument', true) || lexer.next().kind !== 'close-paren') {
          this.collector.error(tagSpan, 'A range must look like `(1..5)`: Liquid fails to render this tag.');
        }
        return { token, reference: undefined, literal: true, blankLiteral: false };
      }
      case 'path': {
        if (token.trailingDot) {
          this.collector.error({ start: token.start, end: token.end },
            `\`${this.text.slice(token.start, token.end)}\` ends with a dot: Liquid fails to render this tag. Finish the field name or remove the dot.`);
        }
        if (isLiteralKeyword(token.value)) {
          return { token, reference: undefined, literal: true, blankLiteral: token.value !== 'true' && token.value !== 'false' };
        }
        const reference = this.blockVariableSource(token) === undefined ? this.scope.resolve(token.value) : undefined;
        if (reference && context) this.addUse(token, reference, tagSpan, context, null, NONE);
        else if (!reference && context) this.addConnectedUse(token, tagSpan, context);
        return { token, reference, literal: false, blankLiteral: false };
      }
      case 'nested-open':
        return this.readNested(lexer, token, tagSpan, context);
      case 'end':
        return undefined;
      default:
        this.unexpected(token, tagSpan);
        return undefined;
    }
  }

  private readCondition(name: string, start: number, end: number, tagSpan: Span): ConditionGuards {
    const lexer = this.lexer.reset(start, end);
    const clauses: { whenTrue: string[]; whenFalse: string[] }[] = [];
    let sawAnd = false;
    let sawOr = false;
    while (lexer.peek().kind !== 'end') {
      this.skipGroupingParens(lexer, end);
      const left = this.readOperand(lexer, tagSpan, 'condition');
      if (!left) break;
      this.skipGroupingParens(lexer, end);
      const operator = lexer.peek();
      if (operator.kind === 'operator' && operator.value !== 'and' && operator.value !== 'or') {
        lexer.next();
        this.skipGroupingParens(lexer, end);
        const right = this.readOperand(lexer, tagSpan, 'condition');
        this.skipGroupingParens(lexer, end);
        if (!right) {
          this.collector.error(tagSpan, `\`${operator.value}\` needs a value on its right in \`{% ${name} %}\`: Liquid fails to render this tag.`);
          break;
        }
        clauses.push(comparisonGuards(left, operator.value, right));
      } else {
        clauses.push({ whenTrue: left.reference ? [left.reference.path] : NONE, whenFalse: NONE });
      }
      const connector = lexer.peek();
      if (connector.kind === 'operator' && (connector.value === 'and' || connector.value === 'or')) {
        lexer.next();
        if (connector.value === 'and') sawAnd = true;
        else sawOr = true;
      } else if (connector.kind !== 'end') {
        this.unexpected(lexer.next(), tagSpan);
        break;
      }
    }
    if (clauses.length === 0) {
      this.collector.error(tagSpan, `\`{% ${name} %}\` needs a condition, as in \`{% ${name} customer.first_name %}\`: Liquid fails to render it.`);
      return { whenTrue: NONE, whenFalse: NONE, empty: true };
    }
    if (clauses.length === 1) return { whenTrue: clauses[0].whenTrue, whenFalse: clauses[0].whenFalse, empty: false };
    if (sawAnd && !sawOr) {
      return { whenTrue: clauses.flatMap((c) => c.whenTrue), whenFalse: NONE, empty: false };
    }
    if (sawOr && !sawAnd) {
      return { whenTrue: NONE, whenFalse: clauses.flatMap((c) => c.whenFalse), empty: false };
    }
    return { whenTrue: NONE, whenFalse: NONE, empty: false };
  }

  /**
   * Passes over `(` and `)` that group a condition rather than open a range, as Ruby Liquid's lax
   * parser does: it reads `(transaction.status` as `transaction.status` and renders the tag. Shopify's
   * own notification templates write `{% if (transaction.status == "success") and (… or …) %}`, and
   * Shopify sends them; the brackets change nothing (Liquid still reads `and` and `or` right to left),
   * but the names inside are read, and no error is reported. The renderer drops them (liquidjs
   * would refuse them as a range).
   */
  private skipGroupingParens(lexer: MarkupLexer, end: number): void {
    for (;;) {
      const token = lexer.peek();
      if (token.kind !== 'close-paren' && (token.kind !== 'open-paren' || this.opensRange(token.end, end))) return;
      this.conditionBrackets.push(token.start);
      lexer.next();
    }
  }

  /** A `(` whose content has `..` before its `)`: a range such as `(1..5)`. */
  private opensRange(from: number, end: number): boolean {
    const text = this.text;
    for (let pos = from; pos < end; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 41 /* ) */ || c === 40 /* ( */) return false;
      if (c === 46 /* . */ && text.charCodeAt(pos + 1) === 46) return true;
    }
    return false;
  }

  private readWhen(start: number, end: number, tagSpan: Span, subject: string | undefined): string[] {
    const lexer = this.lexer.reset(start, end);
    let allValuesPresent = true;
    let count = 0;
    while (lexer.peek().kind !== 'end') {
      const value = this.readOperand(lexer, tagSpan, 'condition');
      if (!value) break;
      count++;
      if (!value.literal || value.blankLiteral) allValuesPresent = false;
      const separator = lexer.peek();
      if (separator.kind === 'comma' || (separator.kind === 'operator' && separator.value === 'or')) lexer.next();
      else if (separator.kind !== 'end') { this.unexpected(lexer.next(), tagSpan); break; }
    }
    if (count === 0) this.collector.error(tagSpan, '`{% when %}` needs a value to match, as in `{% when "gold" %}`: Liquid fails to render it.');
    return subject && count > 0 && allValuesPresent ? [subject] : [];
  }

  private readLoop(name: string, start: number, end: number, tagSpan: Span): void {
    const lexer = this.lexer.reset(start, end);
    const variable = lexer.next();
    const inKeyword = lexer.next();
    if (variable.kind !== 'path' || inKeyword.kind !== 'operator' || inKeyword.value !== 'in') {
      this.collector.error(tagSpan, `A \`{% ${name} %}\` loop must read \`{% ${name} item in list %}\`: Liquid fails to render it.`);
      this.openBlock(name, tagSpan);
      return;
    }
    const source = this.readOperand(lexer, tagSpan, 'loop');
    if (!source) this.collector.error(tagSpan, `\`{% ${name} ${variable.value} in %}\` needs a list to loop over.`);
    // Loop options: `reversed`, `limit: 3`, `offset: 1`, `cols: 2`.
    while (lexer.peek().kind !== 'end') {
      const option = lexer.next();
      if (option.kind === 'colon' || option.kind === 'comma' || option.kind === 'operator') continue;
      if (option.kind === 'path' && lexer.peek().kind === 'colon') continue;
      if (option.kind === 'number' || option.kind === 'path') {
        if (option.kind === 'path') {
          const reference = this.blockVariableSource(option) === undefined ? this.scope.resolve(option.value) : undefined;
          if (reference) this.addUse(option, reference, tagSpan, 'argument', null, NONE);
        }
        continue;
      }
      this.unexpected(option, tagSpan);
      break;
    }
    const block = this.openBlock(name, tagSpan);
    block.loopVariable = variable.value;
    block.shadowedBinding = this.scope.loopBinding(variable.value);
    if (source?.reference) {
      const itemPath = `${source.reference.path}[]`;
      this.scope.bindLoopVariable(variable.value, itemPath);
      block.loopScope = { variable: variable.value, itemPath, body: { start: tagSpan.end, end: this.text.length } };
      this.collector.loopScopes.push(block.loopScope);
    } else {
      this.scope.bindLoopVariable(variable.value, undefined);
      this.scope.declareLocal(variable.value);
      // Each item of a fetched list is fetched data too.
      const fetched = source && !source.literal ? this.connectedSourceOf(source.token) : undefined;
      if (fetched !== undefined) this.scope.declareConnected(variable.value, fetched);
    }
    // The body only runs for items that exist, so the item itself (not its fields) is guarded there.
    if (source?.reference) this.enterGuards(block, [`${source.reference.path}[]`]);
  }

  private readAssign(start: number, end: number, tagSpan: Span): void {
    const lexer = this.lexer.reset(start, end);
    const variable = lexer.next();
    const equals = lexer.next();
    if (variable.kind !== 'path' || equals.kind !== 'equals') {
      this.collector.error(tagSpan, 'An `{% assign %}` must read `{% assign name = value %}`: Liquid fails to render it.');
      return;
    }
    const name = variable.value;
    const uses = this.collector.uses;
    const usesBefore = uses.length;
    // Reading the value starts the lexer again, which reuses `variable`'s token: its name was kept.
    const value = this.readValueWithFilters(lexer.offset, end, tagSpan, 'assign');
    // `{% assign shows = shows | append: show %}` in a loop builds a local up, item by item: its
    // first read (nil, before any assign) is not recipient data.
    if (uses.length > usesBefore && this.stack.some((block) => block.name === 'for' || block.name === 'tablerow')) {
      for (let i = uses.length - 1; i >= usesBefore; i--) if (rootName(uses[i].written) === name) uses.splice(i, 1);
    }
    const fetched = value && !value.reference && !value.literal ? this.connectedSourceOf(value.token) : undefined;
    // Assigned after its value is read: `{% assign n = n | plus: 1 %}` reads the old `n`.
    // `{% assign name = customer.first_name %}`: the local is as empty as the field, so outputs of it
    // are uses of the field, and need the same fallback.
    const assigned = uses[uses.length - 1];
    const carriesField = uses.length > usesBefore && assigned.context === 'assign' && assigned.fallback === null &&
      !assigned.guarded && assigned.filters.every((filter) => BLANK_PRESERVING_FILTERS.has(filter));
    const carriesFallback = uses.length === usesBefore + 1 && assigned.context === 'assign' && assigned.fallback !== null;
    this.scope.assign(name, carriesField ? assigned.path : undefined, carriesFallback ? { path: assigned.path, fallback: assigned.fallback! } : undefined);
    // `{% assign code = offer.code %}`: the local holds fetched data as well.
    if (fetched !== undefined) this.scope.declareConnected(name, fetched);
  }

  /**
   * Braze's `{% connected_content URL :method post :body a={{x}}&b=1 :headers {…} :save name %}`,
   * `{% catalog_items games {{${id}}} %}` and `{% catalog_selection_items games picks %}`: the merge
   * tags in the URL, body and ids are read as values, and the variable the response is kept in
   * (`:save`'s, or `items`) is connected data. Without `:save`, Braze writes the response into the
   * message and keeps nothing.
   */
  private readFetchTag(tag: string, kind: ConnectedDataKind, start: number, end: number, tagSpan: Span): void {
    const text = this.text;
    const words: Span[] = [];
    let pos = start;
    while (pos < end) {
      while (pos < end && isSpace(text.charCodeAt(pos))) pos++;
      if (pos >= end) break;
      const wordStart = pos;
      // Braces of a `:headers {…}` JSON object hold spaces; an output inside `{{ … }}` may too.
      let depth = 0;
      while (pos < end) {
        const c = text.charCodeAt(pos);
        if (c === OPEN_BRACE && text.charCodeAt(pos + 1) === OPEN_BRACE) {
          const close = this.embeddedClose(pos + 2, end);
          if (close === -1) {
            this.collector.error({ start: pos, end }, `An output inside \`{% ${tag} %}\` is never closed with \`}}\`: Braze fails to render the tag. Close it with \`}}\`.`);
            pos = end;
            break;
          }
          this.readEmbedded(pos, close + 2, tagSpan, tag);
          pos = close + 2;
          continue;
        }
        if (c === OPEN_BRACE) depth++;
        else if (c === CLOSE_BRACE && depth > 0) depth--;
        else if (depth === 0 && isSpace(c)) break;
        pos++;
      }
      words.push({ start: wordStart, end: pos });
    }
    let from: string | null = null;
    let saved: string | undefined = kind === 'catalog-items' ? 'items' : undefined;
    for (let i = 0; i < words.length; i++) {
      const word = text.slice(words[i].start, words[i].end);
      if (kind === 'connected-content' && word === ':save') {
        const name = words[i + 1] ? text.slice(words[i + 1].start, words[i + 1].end) : '';
        if (/^[A-Za-z_][\w-]*$/.test(name)) saved = name;
        else this.collector.error(words[i], '`:save` needs the name of a variable to keep the response in, as in `:save offer`: Braze fails to render the tag.');
        i++;
      } else if (i === 0) {
        from = word;
      }
    }
    if (from === null || from.startsWith(':')) {
      this.collector.error(tagSpan, kind === 'connected-content'
        ? '`{% connected_content %}` needs a URL, as in `{% connected_content https://api.example.com/offers :save offer %}`: Braze fails to render it.'
        : `\`{% ${tag} %}\` needs a catalog's name, as in \`{% ${tag} games 1234 %}\`: Braze fails to render it.`);
    }
    if (saved === undefined) return;
    this.connected.sources.push({ kind, name: saved, from, tagSpan });
    this.scope.declareConnected(saved, this.connected.sources.length - 1);
  }

  /** Where an output inside a tag's markup closes (`}}`), stepping over Braze's `${name}`; -1 when it does not. */
  private embeddedClose(from: number, end: number): number {
    const text = this.text;
    for (let i = from; i + 1 < end; i++) {
      const c = text.charCodeAt(i);
      if (c === DOLLAR && text.charCodeAt(i + 1) === OPEN_BRACE) {
        const close = indexBefore(text, '}', i + 2, end);
        if (close === -1) return -1;
        i = close;
      } else if (c === CLOSE_BRACE && text.charCodeAt(i + 1) === CLOSE_BRACE) {
        return i;
      }
    }
    return -1;
  }

  /** One output inside a tag's text that is not Liquid markup (a URL, a request body): its value is an argument. */
  private readEmbedded(start: number, end: number, tagSpan: Span, tag: string): void {
    const lexer = this.lexer.reset(start, end);
    this.readOperand(lexer, tagSpan, 'argument');
    this.expectEnd(lexer, tag);
  }

  /** Arguments of `render`, `include`, `cycle` and Braze's tags: any path is a use, `key:` names are not. */
  private readArguments(start: number, end: number, tagSpan: Span): void {
    const lexer = this.lexer.reset(start, end);
    while (lexer.peek().kind !== 'end') {
      const token = lexer.peek();
      if (token.kind === 'path' && this.peekIsNamedArgument(lexer)) {
        lexer.next();
        lexer.next();
        continue;
      }
      if (token.kind === 'comma' || token.kind === 'colon' || token.kind === 'operator' || token.kind === 'close-paren') {
        lexer.next();
        continue;
      }
      if (token.kind === 'open-paren') {
        // `abort_message("reason")` wraps its argument in parentheses.
        lexer.next();
        continue;
      }
      if (!this.readOperand(lexer, tagSpan, 'argument')) break;
    }
  }

  private expectEnd(lexer: MarkupLexer, what: string): void {
    const token = lexer.peek();
    if (token.kind === 'end') return;
    this.collector.error({ start: token.start, end: token.end },
      `Unexpected \`${this.text.slice(token.start, token.end)}\` in this ${what === 'output' ? '`{{ … }}`' : `\`{% ${what} %}\``}: ` +
      'Liquid fails to render the tag and the recipient may see raw merge syntax. ' +
      (what === 'output' ? 'Separate filters with `|`, as in `{{ customer.first_name | default: "there" }}`.' : 'Check the tag\'s syntax.'));
  }

  private unexpected(token: Token, tagSpan: Span): void {
    const span = token.kind === 'end' ? tagSpan : { start: token.start, end: token.end };
    this.collector.error(span,
      `Unexpected \`${this.text.slice(span.start, span.end)}\`: Liquid fails to render this tag and the recipient may see raw merge syntax. Check the tag's syntax.`);
  }

  // ---- References -------------------------------------------------------------------------------

  private addUse(token: Token, reference: ResolvedReference, tagSpan: Span, context: UseContext, fallback: string | null, filters: string[], fallbackField?: string): void {
    const use = this.collector.addUse({
      path: reference.path,
      written: this.writtenText(token),
      span: { start: token.start, end: token.end },
      tagSpan,
      context,
      fallback,
      filters: reference.size ? ['size', ...filters] : filters,
    });
    if (fallbackField !== undefined) use.fallbackField = fallbackField;
  }

  /** A read of connected data (`offer.code` after `:save offer`); nothing when the name holds none. */
  private addConnectedUse(token: Token, tagSpan: Span, context: UseContext): void {
    if (token.kind !== 'path') return;
    const source = this.connectedSourceOf(token);
    if (source === undefined) return;
    this.connected.uses.push({ source, written: this.text.slice(token.start, token.end), span: { start: token.start, end: token.end }, tagSpan, context });
  }

  /** The connected data a path reads: a fetched variable's, or a name a content block included above may have set. */
  private connectedSourceOf(token: Token): number | undefined {
    return this.scope.connectedSource(token.value) ?? this.blockVariableSource(token);
  }

  /**
   * Braze reads the recipient's profile only as `${first_name}`, `custom_attribute.${tier}` and the like:
   * a plain name is a Liquid variable. One the template never set, read after a content block (which
   * runs in the message's scope and may set it, as `{% assign region = … %}`), is that block's data,
   * not a recipient field, nor an unknown one. The source is made at the name's first such read.
   */
  private blockVariableSource(token: Token): number | undefined {
    if (this.lastBlockTag === undefined || token.kind !== 'path') return undefined;
    const root = rootName(token.value);
    if (!this.scope.isUnbound(root) || indexBefore(this.text, '${', token.start, token.end) !== -1) return undefined;
    let source = this.blockVariables.get(root);
    if (source === undefined) {
      this.connected.sources.push({ kind: 'content-block', name: root, from: this.blockNamesShown, tagSpan: this.lastBlockTag });
      source = this.connected.sources.length - 1;
      this.blockVariables.set(root, source);
    }
    return source;
  }

  /** The reference as written; a plain path's value is that text already, and is shared rather than copied. */
  private writtenText(token: Token): string {
    const { start, end, value } = token;
    return value.length === end - start && this.text.startsWith(value, start) ? value : this.text.slice(start, end);
  }

  /** The tag's text for a message, shortened: `{% if customer.plan == 'trial' %}`. */
  private shortTag(span: Span): string {
    const tag = this.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    return tag.length > 60 ? `${tag.slice(0, 57)}…` : tag;
  }
}

function comparisonGuards(left: Operand, operator: string, right: Operand): { whenTrue: string[]; whenFalse: string[] } {
  const field = left.reference ? left : right;
  const other = left.reference ? right : left;
  if (!field.reference) return { whenTrue: NONE, whenFalse: NONE };
  const path = field.reference.path;
  const otherIsBlank = other.blankLiteral || (field.reference.size && other.token.value === '0');
  // A list with items has a first and a last (`list.first` reads as `list[]`): a count above zero,
  // `!= empty` or `!= blank` says so, where `{% if list %}` does not (an empty list is truthy in Liquid).
  const hasItems = field.reference.size || (!other.reference && (other.token.value === 'empty' || other.token.value === 'blank'));
  const present = hasItems ? [path, `${path}[]`] : [path];
  switch (operator) {
    case '!=':
    case '<>':
      return otherIsBlank ? { whenTrue: present, whenFalse: NONE } : { whenTrue: NONE, whenFalse: NONE };
    case '==':
      if (otherIsBlank) return { whenTrue: NONE, whenFalse: present };
      return other.literal ? { whenTrue: [path], whenFalse: NONE } : { whenTrue: NONE, whenFalse: NONE };
    case '>':
    case '>=':
      return { whenTrue: field === left ? present : [path], whenFalse: NONE };
    case 'contains':
      return { whenTrue: [path], whenFalse: NONE };
    default:
      return { whenTrue: NONE, whenFalse: NONE };
  }
}



/** Characters of content block names a block variable's origin lists; the rest is `…`. */
const MAX_BLOCK_NAMES_SHOWN = 200;
/** `content_blocks.${name}`, as Braze writes a content block's output. */
/** Sticky: matched where the output's content starts, and must end where it ends. */
const CONTENT_BLOCK = /content_blocks\.\$\{\s*([^}\s]+)\s*\}\s*/y;
const LOWER_C = 99;
/** Jekyll names included files without quotes: `{% include footer.html %}`. */
const JEKYLL_FILE = /\.(html?|liquid|md|txt)$/;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}
