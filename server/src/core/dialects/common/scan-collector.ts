/**
 * The parts of a `TemplateScan` that every hand-written scanner builds the same way: uses with their
 * guard state, syntax problems, branch groups, purpose directives, loop scopes, include sites and
 * parameter declarations.
 *
 * Guards are counted per path, not searched, so checking whether a use is guarded is O(1) and a
 * whole scan stays linear in the text's length.
 */
import type { Span } from '../../model';
import type { BranchGroup, FieldUse, IncludeSite, LoopScope, ParameterDeclaration, PurposeDirective, SyntaxProblem, TemplateScan } from '../dialect';
import { findParameterDeclarations } from '../directives';
import type { SystemTag, SystemUse } from './system-tags';

export class ScanCollector {
  readonly uses: FieldUse[] = [];
  readonly syntaxErrors: SyntaxProblem[] = [];
  readonly branchGroups: BranchGroup[] = [];
  readonly purposeDirectives: PurposeDirective[] = [];
  readonly loopScopes: LoopScope[] = [];
  readonly includes: IncludeSite[] = [];
  readonly parameters: ParameterDeclaration[] = [];
  readonly systemUses: SystemUse[] = [];
  /** Where system uses start, so a name read twice (a guard, then its output) is recorded once. */
  private readonly systemStarts = new Set<number>();
  private readonly guardCounts = new Map<string, number>();
  /** The paths whose count is above 0, so that an include reads them without walking every path ever guarded. */
  private readonly guarded = new Set<string>();

  constructor(readonly text: string) {}

  error(span: Span, message: string): void {
    this.syntaxErrors.push({ span: { start: Math.max(0, span.start), end: Math.min(this.text.length, Math.max(span.start, span.end)) }, message });
  }

  /** Marks paths as known to have a value until `unguard` is called with the same paths. */
  guard(paths: Iterable<string>): void {
    for (const path of paths) {
      const count = this.guardCounts.get(path) ?? 0;
      this.guardCounts.set(path, count + 1);
      if (count === 0) this.guarded.add(path);
    }
  }

  unguard(paths: Iterable<string>): void {
    for (const path of paths) {
      // Counts fall to 0 rather than being deleted: a delete can shrink the table, which the next guard grows again.
      const count = this.guardCounts.get(path);
      if (count !== undefined && count > 0) {
        this.guardCounts.set(path, count - 1);
        if (count === 1) this.guarded.delete(path);
      }
    }
  }

  isGuarded(path: string): boolean {
    return (this.guardCounts.get(path) ?? 0) > 0;
  }

  /** The paths guarded here, for an include's `guards`. */
  activeGuards(): string[] {
    return [...this.guarded];
  }

  /** Records a use; `guarded` defaults to whether a surrounding conditional checks the path. */
  addUse(use: Omit<FieldUse, 'guarded'> & { guarded?: boolean }): FieldUse {
    // Written out rather than spread: every use then has one shape, whatever its caller's, and a
    // spread of the callers' several shapes was the largest cost of scanning a large template.
    const recorded: FieldUse = {
      path: use.path, written: use.written, span: use.span, tagSpan: use.tagSpan, context: use.context,
      fallback: use.fallback, guarded: use.guarded ?? this.isGuarded(use.path), filters: use.filters,
    };
    this.uses.push(recorded);
    return recorded;
  }

  /** Records a tag the platform fills in itself (see system-tags.ts). */
  addSystemUse(tag: SystemTag, written: string, span: Span): void {
    if (this.systemStarts.has(span.start)) return;
    this.systemStarts.add(span.start);
    this.systemUses.push({ name: tag.name, written, span, description: tag.description });
  }

  result(): TemplateScan {
    const scan: TemplateScan = {
      uses: this.uses,
      syntaxErrors: this.syntaxErrors,
      branchGroups: this.branchGroups,
      purposeDirectives: this.purposeDirectives,
      loopScopes: this.loopScopes,
    };
    // Only when there are some: most templates pull nothing in, and their scans keep their shape.
    if (this.includes.length > 0) scan.includes = this.includes;
    if (this.parameters.length > 0) scan.parameters = this.parameters;
    if (this.systemUses.length > 0) scan.systemUses = this.systemUses;
    return scan;
  }
}

const MERGEWISE = /\bmergewise\b/i;

/**
 * The `@param` lines of a comment that starts at `offset`, when it says `mergewise`: how a partial
 * declares its parameters in dialects without LiquidDoc. Other comments may hold `@param` for
 * other tools, and are not read.
 */
export function findMergewiseParameters(comment: string, offset: number, into: ParameterDeclaration[]): void {
  if (MERGEWISE.test(comment)) findParameterDeclarations(comment, offset, into);
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** The end of `text[start, end)` without trailing whitespace. */
export function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * `trimmedEnd` for the spans of tags left open, which often share their end: all the tags of a line
 * may run to its end, or past strings to the same later tag. A long run of white space before an
 * end is read once, not once per span (a line of unclosed tags, then many spaces, was quadratic).
 */
export class TrimmedEnds {
  /** For each end that has a long run of white space before it: where the run starts. */
  private readonly runStarts = new Map<number, number>();

  constructor(private readonly text: string) {}

  /** `trimmedEnd(text, start, end)` for a `start` that is not white space, such as a tag's opening brace. */
  at(start: number, end: number): number {
    let runStart = this.runStarts.get(end);
    if (runStart === undefined) {
      runStart = trimmedEnd(this.text, start, end);
      if (end - runStart > LONG_RUN) this.runStarts.set(end, runStart);
    }
    return Math.max(start, runStart);
  }
}

/** Longer than the white space at the end of an ordinary line. */
const LONG_RUN = 64;

/** The start of `text[start, end)` without leading whitespace. */
export function trimmedStart(text: string, start: number, end: number): number {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  return start;
}

/** What `\s` and `String#trim` count as white space (`isSpace` is the narrower set of template engines). */
export function isWhiteSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}

/** A tag's text for a message, on one line and shortened: `{% if customer.plan == 'trial' %}`. */
export function shortText(text: string, span: Span, max = 60): string {
  const shown = text.slice(span.start, shownEnd(text, span, max)).replace(/\s+/g, ' ').trim();
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/**
 * Where `shortText` may stop reading `span`: just after its `max + 1`th character that is not white
 * space, past which the message is cut anyway. A span can run to the end of a long line, and
 * reading all of it for each of a line of tags left open was quadratic.
 */
function shownEnd(text: string, span: Span, max: number): number {
  let shown = 0;
  for (let i = span.start; i < span.end; i++) {
    if (!isWhiteSpace(text.charCodeAt(i)) && ++shown > max) return i + 1;
  }
  return span.end;
}

/** The end of the line that holds `offset` (the offset of its `\n`, or the text's length). */
export function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

/**
 * The end of the line holding an offset, for offsets that only grow: the last answer is reused
 * until the offset passes it, so a whole scan finds each line end once, even when an email's HTML
 * is minified onto a single line.
 */
export class LineEnds {
  private end = -1;

  constructor(private readonly text: string) {}

  at(offset: number): number {
    if (offset > this.end || this.end === -1) this.end = lineEnd(this.text, offset);
    return this.end;
  }
}

/** The first `needle` in `text[from, end)`, or -1; never looks past `end`. */
export function indexBefore(text: string, needle: string, from: number, end: number): number {
  const first = needle.charCodeAt(0);
  for (let i = from; i + needle.length <= end; i++) {
    if (text.charCodeAt(i) === first && text.startsWith(needle, i)) return i;
  }
  return -1;
}

const NEWLINE = 10, BACKSLASH = 92;

/**
 * Where quoted strings inside tags end, for dialects whose strings hide a tag's closer; a backslash
 * escapes the character after it. Searches are remembered: where one stopped is kept for every
 * offset it passed, and a later search that reaches one of them stops there with the same answer.
 * (Each string of a line of tags left open, `{{ \"` repeated, searched to the end of the line:
 * quadratic.) Nothing is kept until a string runs long, so the strings of ordinary tags cost no memory.
 */
export class StringEnds {
  /** Per quote: for each offset a search passed, where it stopped, plus one (0 for none yet). */
  private readonly stops = new Map<number, Int32Array>();

  constructor(private readonly text: string, private readonly newlineEnds: boolean) {}

  /**
   * The offset of the `quote` that closes a string whose content starts at `from`; or, when none
   * does, of the newline that ends it (if newlines end strings here) or the text's length.
   */
  at(from: number, quote: number): number {
    const text = this.text;
    const length = text.length;
    let stops = this.stops.get(quote);
    let end = from;
    while (end < length) {
      if (stops !== undefined && stops[end] !== 0) {
        end = stops[end] - 1;
        break;
      }
      const c = text.charCodeAt(end);
      if (c === quote || (c === NEWLINE && this.newlineEnds)) break;
      end += c === BACKSLASH ? 2 : 1;
    }
    end = Math.min(end, length);
    if (stops === undefined && end - from > LONG_STRING) {
      stops = new Int32Array(length);
      this.stops.set(quote, stops);
    }
    if (stops !== undefined) {
      for (let pos = from; pos < end && stops[pos] === 0; pos += text.charCodeAt(pos) === BACKSLASH ? 2 : 1) stops[pos] = end + 1;
    }
    return end;
  }
}

/** Longer than any string an ordinary tag holds. */
const LONG_STRING = 256;

/**
 * Finds `needle` at or after offsets that mostly grow: the last answer is reused while it still lies
 * ahead, so a scan that asks at every tag reads the text once. (Asking `indexOf` afresh at each of a
 * line of unclosed openers searched to the end every time: quadratic on hostile input.)
 */
export class ForwardIndex {
  private from = Infinity;
  private found = -1;
  private readonly pattern: RegExp | undefined;

  constructor(private readonly text: string, private readonly needle: string | RegExp) {
    this.pattern = typeof needle === 'string' ? undefined : new RegExp(needle.source, 'g');
  }

  /** The offset of the first match at or after `from`, or -1. */
  at(from: number): number {
    if (from < this.from || (this.found !== -1 && from > this.found)) {
      if (this.pattern) {
        this.pattern.lastIndex = from;
        this.found = this.pattern.exec(this.text)?.index ?? -1;
      } else {
        this.found = this.text.indexOf(this.needle as string, from);
      }
    }
    this.from = from;
    return this.found;
  }
}
