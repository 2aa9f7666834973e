/**
 * One-pass parser for Django-style templates (Klaviyo's Django, HubSpot's Jinja-based HubL): text to
 * a tree of nodes, reporting every mistake and going on after it.
 *
 * Hand-written because it runs on every keystroke and must give exact UTF-16 offsets; neither
 * platform's engine runs in Node, and a parser that stops at the first error would hide the rest.
 * Invariants: the work is linear in the text's length; every span lies inside the text; a tag that
 * is never closed is reported once and the text after it is still read. The expressions inside the
 * tags are read by `expression-parser.ts`.
 */
import type { Span } from '../../model';
import type { ParameterDeclaration, PurposeDirective } from '../dialect';
import { findPurposeDirectives } from '../directives';
import { closestNames, editDistance } from '../../closest';
import { LineEnds, StringEnds, TrimmedEnds, findMergewiseParameters, shortText, trimmedEnd, trimmedStart } from '../common/scan-collector';
import { MAX_NESTING, tooDeepMessage } from '../common/limits';
import type { Binding, Expr, ForNode, IfNode, Node, TagInclude, TagNode, TextNode, WithNode } from './ast';
import { ExpressionParser, type ErrorSink } from './expression-parser';
import type { DjangoFlavor } from './flavor';
import { Lexer } from './lexer';
import { ownValue } from '../../own-value';

export interface ParseSink extends ErrorSink {
  readonly purposeDirectives: PurposeDirective[];
  /** Where the `@param` declarations of `{# mergewise … #}` comments go; the renderer gives nowhere. */
  readonly parameters?: ParameterDeclaration[];
}

/** A sink that keeps nothing, for the renderer (the scanner already reported the problems). */
export function silentSink(): ParseSink {
  return { error() { /* reported by the scanner */ }, purposeDirectives: [] };
}

const CORE_TAGS = ['if', 'elif', 'else', 'endif', 'for', 'endfor'];
/** Tags whose typos are worth reporting even where unknown tags are allowed. */
const CONTROL_TAGS = [...CORE_TAGS, 'set', 'unless', 'endunless', 'raw', 'endraw', 'endset', 'macro', 'endmacro'];

interface Frame {
  /** The opening tag's name: `if`, `for`, `with`, `dnd_area`. */
  name: string;
  closeName: string;
  tagSpan: Span;
  node: IfNode | ForNode | WithNode | TagNode;
  /** Where new nodes go: the current branch's body. */
  children: Node[];
  /** For `for`: the `empty`/`else` part has started. */
  inOtherwise?: boolean;
}

interface TagBounds {
  tagSpan: Span;
  contentStart: number;
  contentEnd: number;
  trimBefore: boolean;
  trimAfter: boolean;
}

export function parseTemplate(text: string, flavor: DjangoFlavor, sink: ParseSink): Node[] {
  return new TemplateParser(text, flavor, sink).parse();
}

/** Longer than the search for any ordinary tag's closer. */
const LONG_SEARCH = 256;

class TemplateParser {
  private readonly root: Node[] = [];
  private readonly stack: Frame[] = [];
  private lastText: TextNode | undefined;
  private trimNextText = false;
  private commentLeftOpen = false;
  /** Blocks opened past MAX_NESTING: read as part of their parent, so their end tags close nothing. */
  private flattened = 0;
  /** Django: no `{#` before this offset closes on its line (so a line of them is searched once, not once each). */
  private commentsOpenUntil = -1;
  /** Line ends, found once per line (a line of unclosed tags asked for its end at each one). */
  private readonly lineEnds: LineEnds;
  /** The ends of unclosed tags' spans, which many such tags may share. */
  private readonly trimmedEnds: TrimmedEnds;
  /** Jinja: where the strings inside tags end (a string may hold a closer or an opener). */
  private readonly strings: StringEnds;
  /** Jinja, per closer: where the search of a tag left open stopped, plus one, at each offset it passed outside strings (see `findTag`). */
  private readonly openTagStops = new Map<string, Int32Array>();
  private readonly knownTags: Set<string>;

  constructor(private readonly text: string, private readonly flavor: DjangoFlavor, private readonly sink: ParseSink) {
    this.lineEnds = new LineEnds(text);
    this.trimmedEnds = new TrimmedEnds(text);
    this.strings = new StringEnds(text, false);
    this.knownTags = new Set([
      ...CORE_TAGS, ...Object.keys(flavor.blocks), ...Object.values(flavor.blocks),
      ...Object.keys(flavor.verbatim), ...flavor.standaloneTags,
      ...(flavor.jinja ? ['set', 'endset', 'unless', 'endunless'] : ['with', 'endwith', 'empty']),
    ]);
  }

  parse(): Node[] {
    const text = this.text;
    let pos = 0;
    let textStart = 0;
    while (pos < text.length) {
      const open = text.indexOf('{', pos);
      if (open === -1 || open + 1 >= text.length) break;
      const next = text.charCodeAt(open + 1);
      if (next !== 123 /* { */ && next !== 37 /* % */ && next !== 35 /* # */) {
        pos = open + 1;
        continue;
      }
      const closer = next === 123 ? '}}' : next === 37 ? '%}' : '#}';
      if (closer === '#}' && this.commentLeftOpen) {
        // Jinja swallows everything after an unclosed `{#`; it was reported once.
        pos = open + 2;
        continue;
      }
      const bounds = this.findTag(open, closer);
      if (!bounds) {
        // Django leaves an unclosed `{#` as text (no harm); everything else is reported by findTag.
        pos = open + 2;
        continue;
      }
      this.addText(textStart, open, bounds.trimBefore);
      pos = textStart = this.readTag(next, bounds);
      this.trimNextText = bounds.trimAfter;
    }
    this.addText(textStart, text.length, false);
    for (let i = this.stack.length - 1; i >= 0; i--) this.reportUnclosed(this.stack[i]);
    return this.root;
  }

  // ---- Delimiters -----------------------------------------------------------------------------

  /**
   * Finds the end of the tag that opens at `open`. Django: a tag ends at the first closer and must
   * end on its line, or it is plain text that reaches the inbox as is. Jinja: quotes hide closers
   * and tags may span lines. Either way, another tag opening first means this one was left open.
   */
  private findTag(open: number, closer: string): TagBounds | undefined {
    const text = this.text;
    const jinja = this.flavor.jinja;
    const isComment = closer === '#}';
    if (isComment && open < this.commentsOpenUntil) return undefined;
    const closeChar = closer.charCodeAt(0);
    const openTagStops = this.openTagStops.get(closer);
    for (let i = open + 2; i < text.length; i++) {
      if (openTagStops !== undefined && openTagStops[i] !== 0) {
        this.unclosed(open, closer, openTagStops[i] - 1, false);
        return undefined;
      }
      const c = text.charCodeAt(i);
      if (c === closeChar && text.charCodeAt(i + 1) === 125) {
        return this.bounds(open, i);
      }
      if (isComment) {
        if (!jinja && c === 10) {
          this.commentsOpenUntil = i;
          return undefined;
        }
        continue;
      }
      if (jinja && (c === 39 || c === 34)) {
        i = this.strings.at(i + 1, c);
      } else if (c === 10 && !jinja) {
        this.unclosed(open, closer, i, true);
        return undefined;
      } else if (c === 123 && (text.charCodeAt(i + 1) === 123 || text.charCodeAt(i + 1) === 37)) {
        this.rememberOpenTag(open, closer, i);
        this.unclosed(open, closer, i, false);
        return undefined;
      }
    }
    if (isComment && !jinja) {
      this.commentsOpenUntil = text.length;
      return undefined;
    }
    if (isComment) this.commentLeftOpen = true;
    else this.rememberOpenTag(open, closer, text.length);
    this.unclosed(open, closer, text.length, false);
    return undefined;
  }

  /**
   * Jinja: a tag left open is read again from just after its opener, so the tags its strings hid are
   * read too; the search of each then follows its own strings until it meets this one's path, and
   * stops where this one stopped. Marking that path (once it is long) spares each hidden tag the
   * rest of it: `{{ '\'` repeated hides every later tag, and each searched to the end of the text.
   */
  private rememberOpenTag(open: number, closer: string, stop: number): void {
    if (!this.flavor.jinja || stop - open < LONG_SEARCH) return;
    let stops = this.openTagStops.get(closer);
    if (stops === undefined) {
      stops = new Int32Array(this.text.length);
      this.openTagStops.set(closer, stops);
    }
    for (let i = open + 2; i < stop && stops[i] === 0; i++) {
      stops[i] = stop + 1;
      const c = this.text.charCodeAt(i);
      if (c === 39 || c === 34) i = this.strings.at(i + 1, c);
    }
  }

  private bounds(open: number, close: number): TagBounds {
    const text = this.text;
    let contentStart = open + 2;
    let contentEnd = close;
    let trimBefore = false;
    let trimAfter = false;
    if (this.flavor.jinja) {
      const first = text.charCodeAt(contentStart);
      if (first === 45 /* - */ || first === 43 /* + */) {
        trimBefore = first === 45;
        contentStart++;
      }
      if (contentEnd > contentStart && (text.charCodeAt(contentEnd - 1) === 45 || text.charCodeAt(contentEnd - 1) === 43)) {
        trimAfter = text.charCodeAt(contentEnd - 1) === 45;
        contentEnd--;
      }
    }
    return { tagSpan: { start: open, end: close + 2 }, contentStart, contentEnd, trimBefore, trimAfter };
  }

  private unclosed(open: number, closer: string, stop: number, newline: boolean): void {
    const end = Math.max(open + 2, this.trimmedEnds.at(open, Math.min(stop, this.lineEnds.at(open))));
    const shown = shortText(this.text, { start: open, end }, 40);
    const comment = closer === '#}';
    this.sink.error({ start: open, end },
      newline && !this.flavor.jinja
        ? `\`${shown}\` is not closed with \`${closer}\` on the same line: ${this.flavor.platform} only reads tags that open and close on one line, so the recipient would see this raw merge syntax. Close the tag on this line.`
        : comment
          ? `\`${shown}\` is never closed with \`#}\`: ${this.flavor.rejects}. Close the comment with \`#}\`.`
          : `\`${shown}\` is never closed with \`${closer}\`: the recipient would see this raw merge syntax, or ${this.flavor.platform} refuses the template. Close the tag with \`${closer}\`.`);
  }

  private addText(start: number, end: number, trimEnd: boolean): void {
    if (this.trimNextText) {
      start = trimmedStart(this.text, start, end);
      this.trimNextText = false;
    }
    if (trimEnd) {
      end = trimmedEnd(this.text, start, end);
      if (start >= end && this.lastText && this.lastText.end === start) this.lastText.end = trimmedEnd(this.text, this.lastText.start, this.lastText.end);
    }
    if (start >= end) return;
    const node: TextNode = { kind: 'text', start, end };
    this.lastText = node;
    this.current().push(node);
  }

  private current(): Node[] {
    return this.stack.length ? this.stack[this.stack.length - 1].children : this.root;
  }

  /** Opens a block; past MAX_NESTING it is reported once, and its body counts as its parent's. */
  private open(frame: Frame): void {
    if (this.stack.length < MAX_NESTING) {
      this.stack.push(frame);
      return;
    }
    if (this.flattened++ === 0) this.sink.error(frame.tagSpan, tooDeepMessage('Blocks'));
  }

  // ---- Tags -----------------------------------------------------------------------------------

  /** Reads one tag; returns the offset where text resumes. */
  private readTag(kind: number, bounds: TagBounds): number {
    const { tagSpan, contentStart, contentEnd } = bounds;
    if (kind === 35 /* # */) {
      const comment = this.text.slice(contentStart, contentEnd);
      findPurposeDirectives(comment, contentStart, this.sink.purposeDirectives);
      if (this.sink.parameters) findMergewiseParameters(comment, contentStart, this.sink.parameters);
      return tagSpan.end;
    }
    if (kind === 123 /* { */) {
      const parser = this.expressions(contentStart, contentEnd, tagSpan);
      if (parser.lexer.peek().kind === 'end') {
        parser.report(tagSpan, `An empty \`{{ }}\`: ${this.flavor.rejects}. Put a property inside, or remove it.`);
        this.current().push({ kind: 'output', tagSpan });
        return tagSpan.end;
      }
      const expr = this.flavor.jinja ? parser.parseExpression() : parser.parseFiltered();
      parser.expectEnd('`{{ … }}`');
      this.current().push({ kind: 'output', tagSpan, expr });
      return tagSpan.end;
    }
    let pos = trimmedStart(this.text, contentStart, contentEnd);
    const nameStart = pos;
    while (pos < contentEnd && isNameChar(this.text.charCodeAt(pos))) pos++;
    const name = this.text.slice(nameStart, pos);
    return this.handleTag(name, { start: nameStart, end: pos }, pos, contentEnd, tagSpan);
  }

  private expressions(start: number, end: number, tagSpan: Span): ExpressionParser {
    return new ExpressionParser(this.text, new Lexer(this.text, start, end), this.flavor, this.sink, tagSpan);
  }

  private handleTag(name: string, nameSpan: Span, markupStart: number, markupEnd: number, tagSpan: Span): number {
    const flavor = this.flavor;
    const verbatimEnd = ownValue(flavor.verbatim, name);
    if (verbatimEnd) return this.skipVerbatim(name, verbatimEnd, tagSpan, markupStart, markupEnd);
    const parser = this.expressions(markupStart, markupEnd, tagSpan);
    const tag = `\`{% ${name} %}\``;
    switch (name) {
      case 'if':
      case 'unless': {
        if (name === 'unless' && !flavor.jinja) break;
        let test = parser.parseExpression();
        if (!test) parser.report(tagSpan, `${tag} needs a condition, as in \`{% ${name} ${flavor.jinja ? 'contact.firstname' : 'first_name'} %}\`: ${flavor.rejects}.`);
        parser.expectEnd(tag);
        if (test && name === 'unless') test = { kind: 'unary', op: 'not', operand: test, span: test.span };
        const node: IfNode = { kind: 'if', tagSpan, branches: [{ tagSpan, test, body: [], bodySpan: { start: tagSpan.end, end: tagSpan.end } }] };
        this.current().push(node);
        this.open({ name, closeName: `end${name}`, tagSpan, node, children: node.branches[0].body });
        return tagSpan.end;
      }
      case 'elif':
      case 'else': {
        if (this.flattened) return tagSpan.end;
        const frame = this.stack[this.stack.length - 1];
        let test: Expr | undefined;
        if (name === 'elif') {
          test = parser.parseExpression();
          if (!test) parser.report(tagSpan, `${tag} needs a condition: ${flavor.rejects}.`);
        }
        parser.expectEnd(tag);
        if (frame?.node.kind === 'for' && (name === 'else' && flavor.jinja) && !frame.inOtherwise) {
          frame.node.bodySpan.end = tagSpan.start;
          frame.node.otherwise = [];
          frame.children = frame.node.otherwise;
          frame.inOtherwise = true;
          return tagSpan.end;
        }
        if (frame?.node.kind === 'for' && name === 'else' && !flavor.jinja) {
          parser.report(tagSpan, `${flavor.platform}'s loops take \`{% empty %}\` for an empty list, not ${tag}: ${flavor.rejects}. Write \`{% empty %}\`.`);
          return tagSpan.end;
        }
        if (frame?.node.kind !== 'if') {
          parser.report(tagSpan, `${tag} is outside \`{% if %}\`: ${flavor.rejects}. Move it inside the block, or remove it.`);
          return tagSpan.end;
        }
        const branches = frame.node.branches;
        const last = branches[branches.length - 1];
        if (branches.length > 1 && this.text.slice(last.tagSpan.start, last.tagSpan.end).replace(/[{}%\s+-]/g, '') === 'else') {
          parser.report(tagSpan, `${tag} comes after \`{% else %}\`: ${flavor.rejects}. The \`{% else %}\` branch must be the last one.`);
        }
        last.bodySpan.end = tagSpan.start;
        const branch = { tagSpan, test, body: [] as Node[], bodySpan: { start: tagSpan.end, end: tagSpan.end } };
        branches.push(branch);
        frame.children = branch.body;
        return tagSpan.end;
      }
      case 'empty': {
        if (flavor.jinja) break;
        if (this.flattened) return tagSpan.end;
        parser.expectEnd(tag);
        const frame = this.stack[this.stack.length - 1];
        if (frame?.node.kind !== 'for' || frame.inOtherwise) {
          parser.report(tagSpan, `${tag} is outside \`{% for %}\`: ${flavor.rejects}. Move it inside the loop, or remove it.`);
          return tagSpan.end;
        }
        frame.node.bodySpan.end = tagSpan.start;
        frame.node.otherwise = [];
        frame.children = frame.node.otherwise;
        frame.inOtherwise = true;
        return tagSpan.end;
      }
      case 'for':
        this.readFor(parser, tagSpan);
        return tagSpan.end;
      case 'with': {
        if (flavor.jinja) break;
        const bindings = this.readWith(parser, tagSpan);
        const node: WithNode = { kind: 'with', tagSpan, bindings, body: [] };
        this.current().push(node);
        this.open({ name, closeName: 'endwith', tagSpan, node, children: node.body });
        return tagSpan.end;
      }
      case 'set': {
        if (!flavor.jinja) break;
        this.readSet(parser, tagSpan);
        return tagSpan.end;
      }
      case 'include':
      case 'import':
      case 'from':
      case 'extends':
        // Klaviyo's Django has none of them: unknown tags, refused below.
        if (!flavor.jinja) break;
        this.current().push(this.readInclude(name, parser, tagSpan));
        return tagSpan.end;
    }
    if (flavor.standaloneTags.includes(name)) {
      this.current().push(this.genericTag(name, parser, tagSpan, false));
      return tagSpan.end;
    }
    const blockEnd = ownValue(flavor.blocks, name);
    if (blockEnd) {
      // Jinja's `{% block body %}` names a place a layout fills: a name, not a value.
      const node = flavor.jinja && name === 'block' ? this.namedBlock(parser, tagSpan) : this.genericTag(name, parser, tagSpan, false);
      node.body = [];
      this.current().push(node);
      this.open({ name, closeName: blockEnd, tagSpan, node, children: node.body });
      return tagSpan.end;
    }
    if (this.closeBlock(name, parser, tagSpan)) return tagSpan.end;
    const controlTypo = name && !flavor.otherTags.includes(name) ? closestNames(name, CONTROL_TAGS, 1)[0] : undefined;
    if (!flavor.unknownTagsAreErrors && name && !(controlTypo && editDistance(name, controlTypo) <= 2)) {
      // HubL's module tags (`{% module "hero" path="…" %}`) take arguments we only skim for fields.
      this.current().push(this.genericTag(name, parser, tagSpan, true));
      return tagSpan.end;
    }
    const suggestion = name ? closestNames(name, this.knownTags, 1)[0] : undefined;
    parser.report(name ? nameSpan : tagSpan,
      (name ? `Unknown ${flavor.platform} tag \`${name}\`` : `A tag with no name`) + `: ${flavor.rejects}. ` +
      (suggestion ? `Did you mean \`${suggestion}\`?` : 'Remove it, or write it as `{{ … }}` if it was meant as an output.'));
    return tagSpan.end;
  }

  /** Closes the block named by an end tag; false when `name` is no end tag at all. */
  private closeBlock(name: string, parser: ExpressionParser, tagSpan: Span): boolean {
    const closes = this.stack.some((frame) => frame.closeName === name);
    const isEndTag = closes || this.isKnownEndTag(name);
    if (!isEndTag) return false;
    // Jinja lets an end tag repeat the block's name: `{% endblock body %}`.
    if (this.flavor.jinja && name === 'endblock' && parser.lexer.peek().kind === 'name') parser.lexer.next();
    parser.expectEnd(`\`{% ${name} %}\``);
    if (this.flattened) {
      this.flattened--;
      return true;
    }
    if (!closes) {
      parser.report(tagSpan, `\`{% ${name} %}\` has no matching opening tag: ${this.flavor.rejects}. Remove it, or add the opening tag.`);
      return true;
    }
    // Blocks left open inside the one being closed are reported, then closed with it.
    while (this.stack.length) {
      const frame = this.stack.pop()!;
      this.finishFrame(frame, tagSpan.start);
      if (frame.closeName === name) break;
      this.reportUnclosed(frame, name);
    }
    return true;
  }

  private isKnownEndTag(name: string): boolean {
    if (name === 'endif' || name === 'endfor') return true;
    if (!this.flavor.jinja && name === 'endwith') return true;
    if (this.flavor.jinja && (name === 'endunless' || name === 'endset')) return true;
    return Object.values(this.flavor.blocks).includes(name) || Object.values(this.flavor.verbatim).includes(name);
  }

  private finishFrame(frame: Frame, end: number): void {
    const node = frame.node;
    if (node.kind === 'if') node.branches[node.branches.length - 1].bodySpan.end = end;
    else if (node.kind === 'for' && !frame.inOtherwise) node.bodySpan.end = end;
  }

  private reportUnclosed(frame: Frame, closedBy?: string): void {
    this.sink.error(frame.tagSpan,
      `\`${shortText(this.text, frame.tagSpan)}\` is never closed${closedBy ? ` before \`{% ${closedBy} %}\`` : ''}: ${this.flavor.rejects}. ` +
      `Add \`{% ${frame.closeName} %}\` where the block should end.`);
  }

  private skipVerbatim(name: string, endName: string, tagSpan: Span, markupStart: number, markupEnd: number): number {
    const pattern = new RegExp(`\\{%[-+]?\\s*${endName}\\s*[-+]?%\\}`, 'g');
    pattern.lastIndex = tagSpan.end;
    const match = pattern.exec(this.text);
    const bodyEnd = match ? match.index : this.text.length;
    if (name === 'comment') {
      // Django's `{% comment "note" %}` may carry a note, which is a comment too.
      findPurposeDirectives(this.text.slice(markupStart, markupEnd), markupStart, this.sink.purposeDirectives);
      findPurposeDirectives(this.text.slice(tagSpan.end, bodyEnd), tagSpan.end, this.sink.purposeDirectives);
    } else if (bodyEnd > tagSpan.end) {
      // `raw`/`verbatim` bodies are printed as they are.
      const node: TextNode = { kind: 'text', start: tagSpan.end, end: bodyEnd };
      this.current().push(node);
    }
    if (!match) {
      this.sink.error(tagSpan, `\`{% ${name} %}\` is never closed: everything after it is swallowed, and ${this.flavor.rejects}. Add \`{% ${endName} %}\`.`);
      return this.text.length;
    }
    return match.index + match[0].length;
  }

  private readFor(parser: ExpressionParser, tagSpan: Span): void {
    const lexer = parser.lexer;
    const variables: { name: string; span: Span }[] = [];
    for (;;) {
      const token = lexer.next();
      if (token.kind !== 'name' || token.value === 'in') {
        variables.length = 0;
        break;
      }
      variables.push({ name: token.value, span: { start: token.start, end: token.end } });
      if (!lexer.accept('comma')) break;
    }
    let source: Expr | undefined;
    let condition: Expr | undefined;
    let reversed = false;
    if (variables.length === 0 || !lexer.acceptName('in')) {
      parser.report(tagSpan, `A \`{% for %}\` loop must read \`{% for item in list %}\`: ${this.flavor.rejects}.`);
      while (lexer.peek().kind !== 'end') lexer.next();
    } else {
      source = this.flavor.jinja ? parser.parseOr() : parser.parseFiltered();
      if (!source) parser.report(tagSpan, `\`{% for ${variables.map((v) => v.name).join(', ')} in %}\` needs a list to loop over: ${this.flavor.rejects}.`);
      if (!this.flavor.jinja) reversed = Boolean(lexer.acceptName('reversed'));
      else {
        if (lexer.acceptName('if')) condition = parser.parseExpression();
        lexer.acceptName('recursive');
      }
      parser.expectEnd('`{% for %}`');
    }
    const node: ForNode = { kind: 'for', tagSpan, variables, source, condition, reversed, body: [], bodySpan: { start: tagSpan.end, end: tagSpan.end } };
    this.current().push(node);
    this.open({ name: 'for', closeName: 'endfor', tagSpan, node, children: node.body });
  }

  /** `{% with name=value other=value %}`, or the older `{% with value as name %}`. */
  private readWith(parser: ExpressionParser, tagSpan: Span): Binding[] {
    const lexer = parser.lexer;
    const bindings: Binding[] = [];
    while (lexer.peek().kind !== 'end') {
      const token = lexer.peek();
      if (token.kind === 'name' && lexer.peek(1).kind === 'equals') {
        lexer.next();
        lexer.next();
        const value = parser.parseFiltered();
        if (!value) parser.report(tagSpan, `\`${token.value}=\` needs a value in \`{% with %}\`: ${this.flavor.rejects}.`);
        bindings.push({ name: token.value, nameSpan: { start: token.start, end: token.end }, value });
        continue;
      }
      const value = parser.parseFiltered();
      const as = lexer.acceptName('as');
      const name = lexer.next();
      if (!value || !as || name.kind !== 'name') {
        parser.report(tagSpan, `A \`{% with %}\` must read \`{% with name=value %}\`: ${this.flavor.rejects}.`);
        while (lexer.peek().kind !== 'end') lexer.next();
        break;
      }
      bindings.push({ name: name.value, nameSpan: { start: name.start, end: name.end }, value });
    }
    if (bindings.length === 0) parser.report(tagSpan, `A \`{% with %}\` needs at least one \`name=value\`: ${this.flavor.rejects}.`);
    return bindings;
  }

  /** `{% set name = value %}`, `{% set a, b = 1, 2 %}`, or the block form `{% set name %}…{% endset %}`. */
  private readSet(parser: ExpressionParser, tagSpan: Span): void {
    const lexer = parser.lexer;
    const names: { name: string; span: Span }[] = [];
    for (;;) {
      const token = lexer.next();
      if (token.kind !== 'name') {
        parser.report(tagSpan, `A \`{% set %}\` must read \`{% set name = value %}\`: ${this.flavor.rejects}.`);
        return;
      }
      names.push({ name: token.value, span: { start: token.start, end: token.end } });
      // `{% set dict.key = value %}` is not Jinja, but HubL accepts updates through `.update()` only.
      if (!lexer.accept('comma')) break;
    }
    if (lexer.peek().kind === 'end' && names.length === 1) {
      const node: TagNode = { kind: 'tag', tagSpan, name: 'set', args: [], named: [], body: [], captures: names[0].name };
      this.current().push(node);
      this.open({ name: 'set', closeName: 'endset', tagSpan, node, children: node.body! });
      return;
    }
    if (!lexer.accept('equals')) {
      parser.report(tagSpan, `A \`{% set %}\` must read \`{% set name = value %}\`: ${this.flavor.rejects}.`);
      return;
    }
    const values: Expr[] = [];
    for (;;) {
      const value = parser.parseExpression();
      if (!value) {
        parser.report(tagSpan, `\`{% set ${names.map((n) => n.name).join(', ')} = %}\` needs a value: ${this.flavor.rejects}.`);
        break;
      }
      values.push(value);
      if (!lexer.accept('comma')) break;
    }
    parser.expectEnd('`{% set %}`');
    const bindings = names.map((name, index): Binding => ({
      name: name.name, nameSpan: name.span,
      value: names.length === 1 && values.length > 1 ? { kind: 'list', items: values, span: { start: values[0].span.start, end: values[values.length - 1].span.end } } : values[index],
    }));
    this.current().push({ kind: 'set', tagSpan, bindings });
  }

  /**
   * `{% include "x.html" ignore missing with context %}` (with `key=value` pairs, which the preview
   * passes on), `{% import "m.html" as m %}`, `{% from "m.html" import a, b as c %}` and
   * `{% extends "base.html" %}`. Jinja: "included templates are passed the current context and
   * imported templates are not", unless the tag says `with context` / `without context`.
   */
  private readInclude(name: string, parser: ExpressionParser, tagSpan: Span): TagNode {
    const lexer = parser.lexer;
    const include: TagInclude = { kind: name === 'from' ? 'import' : name as TagInclude['kind'], withContext: name === 'include' || name === 'extends', binds: [] };
    const node: TagNode = { kind: 'tag', tagSpan, name, args: [], named: [], include };
    const template = parser.parseExpression();
    const tag = `\`{% ${name} %}\``;
    if (!template) {
      parser.report(tagSpan, `${tag} needs the template's name, as in \`{% ${name} "${name === 'extends' ? 'base' : 'footer'}.html" %}\`: ${this.flavor.rejects}.`);
      while (lexer.peek().kind !== 'end') lexer.next();
      return node;
    }
    node.args.push(template);
    if (name === 'import' && lexer.acceptName('as')) this.bindName(lexer.next(), include);
    if (name === 'from' && lexer.acceptName('import')) {
      do {
        const imported = lexer.next();
        if (lexer.acceptName('as')) this.bindName(lexer.next(), include);
        else this.bindName(imported, include);
      } while (lexer.accept('comma'));
    }
    for (;;) {
      const token = lexer.peek();
      if (token.kind !== 'name') break;
      if (lexer.peek(1).kind === 'equals') {
        lexer.next();
        lexer.next();
        const value = parser.parseExpression();
        if (!value) break;
        node.named.push({ name: token.value, value });
      } else if ((token.value === 'with' || token.value === 'without') && lexer.peek(1).value === 'context') {
        include.withContext = token.value === 'with';
        lexer.next();
        lexer.next();
      } else if (token.value === 'ignore' || token.value === 'missing') {
        lexer.next();
      } else {
        break;
      }
    }
    parser.expectEnd(tag);
    return node;
  }

  private bindName(token: { kind: string; value: string }, include: TagInclude): void {
    if (token.kind === 'name') include.binds.push(token.value);
  }

  /** A platform tag with loosely read arguments: strings, values and `key=value` pairs. */
  /** `{% block name %}`: its name, which is no value, and nothing else. */
  private namedBlock(parser: ExpressionParser, tagSpan: Span): TagNode {
    const token = parser.lexer.peek();
    if (token.kind === 'name') parser.lexer.next();
    else parser.report(tagSpan, `\`{% block %}\` needs a name, as in \`{% block body %}\`: ${this.flavor.rejects}.`);
    parser.expectEnd('`{% block %}`');
    return { kind: 'tag', tagSpan, name: 'block', args: [], named: [] };
  }

  private genericTag(name: string, parser: ExpressionParser, tagSpan: Span, lenient: boolean): TagNode {
    const lexer = parser.lexer;
    const node: TagNode = { kind: 'tag', tagSpan, name, args: [], named: [] };
    const quiet = lenient ? new ExpressionParser(this.text, lexer, this.flavor, silentSink(), tagSpan) : parser;
    while (lexer.peek().kind !== 'end') {
      const token = lexer.peek();
      if (token.kind === 'comma') { lexer.next(); continue; }
      if (token.kind === 'name' && lexer.peek(1).kind === 'equals') {
        lexer.next();
        lexer.next();
        const value = quiet.parseExpression();
        if (!value) break;
        node.named.push({ name: token.value, value });
        continue;
      }
      const value = this.flavor.jinja ? quiet.parseExpression() : quiet.parseFiltered();
      if (!value) {
        if (!lenient) parser.unexpected(lexer.next());
        break;
      }
      node.args.push(value);
    }
    return node;
  }
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}
