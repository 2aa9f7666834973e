/**
 * Where a merge tag sits in a template's HTML: inside which URL attribute's value, and in which part
 * of the URL (scheme and host, path, query, fragment, or the whole value).
 *
 * Hand-written rather than an HTML parser from a library, on purpose: a template is not HTML yet. Its
 * merge tags sit inside attribute values and carry their own quotes and angle brackets
 * (`href="%%=Concat("https://x/?n=", @n)=%%"`, `<a {% if a > b %}class="x"{% endif %} href=…>`,
 * `href={{url}}`), which an HTML parser reads as the end of the value or of the tag and so mangles.
 * Here every merge tag is skipped as one opaque unit wherever it is, in text, between attributes or
 * inside a value.
 *
 * One pass over the text, linear on any input (a malformed tag or an unclosed comment never makes it
 * go back): it records the value range of each URL attribute and where that URL's host, query and
 * fragment begin, in parallel number arrays. A use is then looked up by offset, by binary search.
 * Nothing is allocated per character. Plain text (no HTML tag at all) has no ranges, so no context.
 */
import type { Span } from './model';

/** The attributes whose value is a URL (`style` only for its `url(…)`s). */
export const URL_ATTRIBUTES = ['href', 'src', 'srcset', 'background', 'action', 'style'] as const;
export type UrlAttribute = (typeof URL_ATTRIBUTES)[number];

/**
 * Where in a URL: `whole` when the merge tag is the entire value (`href="{{ url }}"`); `scheme-host`
 * for the scheme and host, or a tag that starts the value and so supplies them (`{{ base }}/x`);
 * then `path`, `query` (after `?`) and `fragment` (after `#`).
 */
export type UrlPart = 'whole' | 'scheme-host' | 'path' | 'query' | 'fragment';

export interface HtmlPlace {
  attribute: UrlAttribute;
  /** The attribute's value, without its quotes (for `style`, the inside of one `url(…)`). */
  value: Span;
  part: UrlPart;
  /** The URL's scheme in lower case (`https`, `mailto`), when it is written out literally. */
  scheme?: string;
}

/** The merge-tag delimiters skipped as opaque units, whichever the dialect: a pair each. */
export const MERGE_DELIMITERS: ReadonlyArray<readonly [string, string]> = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
  ['%%[', ']%%'],
  ['%%=', '=%%'],
  ['*|', '|*'],
  ['[[', ']]'],
];

export interface HtmlContext {
  /** Value ranges of URL attributes, in text order and never overlapping. */
  readonly starts: number[];
  readonly ends: number[];
  /** Per range: an index into `URL_ATTRIBUTES`. */
  readonly attributes: number[];
  /** Per range: where the host ends (the path begins); the value's start when there is no literal host. */
  readonly hostEnds: number[];
  /** Per range: the offset of `?`, or -1. */
  readonly queries: number[];
  /** Per range: the offset of `#`, or -1. */
  readonly fragments: number[];
  /** Work done, in characters visited or jumped over: for the tests' linearity check. */
  readonly steps: number;
}

const LT = 60, GT = 62, SLASH = 47, EQ = 61, DQ = 34, SQ = 39, BANG = 33, QM = 63, HASH = 35, COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Lower-cases an ASCII letter's code. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** The first characters every merge-tag opener starts with: `{`, `%`, `*`, `[` (see `mergeTagEnd`). */
const OPENER_CHARS = [123, 37, 42, 91];

/** Whether `c` is one of `OPENER_CHARS`: only then can a merge tag open at it. */
function mayOpen(c: number): boolean {
  return c === 123 || c === 37 || c === 42 || c === 91;
}

const OPENER_PATTERNS = new Map<string, RegExp>();

/** A pattern finding the next of `codes` (one per key, reused: its `lastIndex` is set before each search); undefined for none. */
function openerPattern(codes: number[]): RegExp | undefined {
  if (codes.length === 0) return undefined;
  const key = String.fromCharCode(...codes);
  let pattern = OPENER_PATTERNS.get(key);
  if (!pattern) OPENER_PATTERNS.set(key, (pattern = new RegExp(`[${codes.map((c) => `\\${String.fromCharCode(c)}`).join('')}]`, 'g')));
  return pattern;
}

/** Cache slots of `Scanner.next`, one per character searched for. */
const LT_SLOT = 0, GT_SLOT = 1, RPAREN_SLOT = 2;

class Scanner {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly attributes: number[] = [];
  readonly hostEnds: number[] = [];
  readonly queries: number[] = [];
  readonly fragments: number[] = [];
  steps = 0;
  /** Per delimiter pair: the next offset of its closer at or after where it was last looked for (-1: none left). */
  private readonly nextCloser: number[];
  private readonly closerFrom: number[];
  /** Per opener's first character (by its code): the indices of the delimiter pairs whose opener starts with it. */
  private readonly byFirst: number[][] = [];
  /** Finds the next character that may open a merge tag (one of `OPENER_CHARS` some opener starts with). */
  private readonly openerPattern: RegExp | undefined;
  /**
   * The next such character at or after where it was last looked for (-1: none left), cached twice:
   * for the pass (always moving forward) and for `styleUrls`, which reads a `style` value again.
   */
  private readonly openerAt = [-2, -2];
  private readonly openerFrom = [0, 0];
  /** The same for single characters (`<`, `>`, `)`), by slot. */
  private readonly charAt = [-2, -2, -2];
  private readonly charFrom = [0, 0, 0];
  /** The same for `url(` in any case. */
  private urlAt = -2;
  private urlFrom = 0;

  constructor(private readonly text: string, private readonly delimiters: ReadonlyArray<readonly [string, string]>) {
    this.nextCloser = delimiters.map(() => -2);
    this.closerFrom = delimiters.map(() => 0);
    for (const c of OPENER_CHARS) this.byFirst[c] = [];
    delimiters.forEach(([opener], k) => this.byFirst[opener.charCodeAt(0)]?.push(k));
    this.openerPattern = openerPattern(OPENER_CHARS.filter((c) => this.byFirst[c].length > 0));
  }

  /** Where a text search lands, counting the characters it passed. */
  private find(needle: string, from: number): number {
    const at = this.text.indexOf(needle, from);
    this.steps += (at === -1 ? this.text.length : at) - from + 1;
    return at;
  }

  /** The next `needle` (one character) at or after `from`, or -1; searched again only once passed (or when asked about an earlier offset). */
  private next(slot: number, needle: string, from: number): number {
    let at = this.charAt[slot];
    if (at === -2 || this.charFrom[slot] > from || (at !== -1 && at < from)) {
      at = this.find(needle, from);
      this.charAt[slot] = at;
      this.charFrom[slot] = from;
    }
    return at;
  }

  /** The next character at or after `from` that may open a merge tag, or -1 (`cache` 0 for the pass, 1 for `styleUrls`). */
  private nextOpener(from: number, cache: number): number {
    let at = this.openerAt[cache];
    if (at === -2 || this.openerFrom[cache] > from || (at !== -1 && at < from)) {
      const pattern = this.openerPattern;
      if (pattern === undefined) {
        at = -1;
      } else {
        pattern.lastIndex = from;
        at = pattern.test(this.text) ? pattern.lastIndex - 1 : -1;
      }
      this.steps += (at === -1 ? this.text.length : at) - from + 1;
      this.openerAt[cache] = at;
      this.openerFrom[cache] = from;
    }
    return at;
  }

  /**
   * The next `needle` (`<`, `>` or `)`, by its slot) at or after `i` and before `limit` outside merge
   * tags, or -1: jumps from one merge-tag opener to the next (`cache` as for `nextOpener`), reading
   * nothing in between character by character.
   */
  private nextOutside(slot: number, needle: string, i: number, limit: number, cache: number): number {
    while (i < limit) {
      const at = this.next(slot, needle, i);
      if (at === -1) return -1;
      const opener = this.nextOpener(i, cache);
      if (opener === -1 || at < opener || opener >= limit) return at < limit ? at : -1;
      const skipped = this.mergeTagEnd(opener);
      i = skipped === -1 ? opener + 1 : skipped;
    }
    return -1;
  }

  /**
   * If a merge tag opens at `i`, the offset just past it (the end of the text when it is never
   * closed); otherwise -1. Each closer is searched for at most once per occurrence: a later opener
   * reuses the last answer while it is still ahead, so unclosed openers cost nothing more.
   */
  mergeTagEnd(i: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (!mayOpen(c)) return -1;
    const candidates = this.byFirst[c];
    for (let m = 0; m < candidates.length; m++) {
      const k = candidates[m];
      const pair = this.delimiters[k];
      const opener = pair[0];
      const closer = pair[1];
      if (!text.startsWith(opener, i)) continue;
      const from = i + opener.length;
      let at = this.nextCloser[k];
      // The last answer holds when it was looked for from here or before, and lies at or after here.
      if (at === -2 || this.closerFrom[k] > from || (at !== -1 && at < from)) {
        at = this.find(closer, from);
        this.nextCloser[k] = at;
        this.closerFrom[k] = from;
      }
      return at === -1 ? text.length : at + closer.length;
    }
    return -1;
  }

  run(): void {
    const text = this.text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      // Text up to the next `<` outside merge tags is jumped over, from opener to opener.
      const lt = this.nextOutside(LT_SLOT, '<', i, n, 0);
      if (lt === -1) return;
      i = lt;
      this.steps++;
      const next = text.charCodeAt(i + 1);
      if (next === BANG) {
        if (text.startsWith('<!--', i)) {
          const end = this.find('-->', i + 4);
          i = end === -1 ? n : end + 3;
        } else {
          i = this.skipPast(i + 2);
        }
      } else if (next === SLASH || next === QM) {
        i = this.skipPast(i + 2);
      } else if (isLetter(next)) {
        i = this.startTag(i + 1);
      } else {
        i++;
      }
    }
  }

  /** Past the next `>` outside merge tags (the end of the text without one). */
  private skipPast(i: number): number {
    const at = this.nextOutside(GT_SLOT, '>', i, this.text.length, 0);
    return at === -1 ? this.text.length : at + 1;
  }

  /** Reads a start tag from its name at `i`; returns the offset after it (after a `<script>`'s or `<style>`'s content). */
  private startTag(i: number): number {
    const text = this.text;
    const n = text.length;
    const nameStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isSpace(c) || c === GT || c === SLASH || (mayOpen(c) && this.mergeTagEnd(i) !== -1)) break;
      this.steps++;
      i++;
    }
    const rawText = this.nameIs(nameStart, i, 'script') || this.nameIs(nameStart, i, 'style');
    let selfClosing = false;
    while (i < n) {
      this.steps++;
      const c = text.charCodeAt(i);
      const skipped = mayOpen(c) ? this.mergeTagEnd(i) : -1;
      if (skipped !== -1) {
        i = skipped;
      } else if (c === GT) {
        i++;
        break;
      } else if (isSpace(c)) {
        i++;
      } else if (c === SLASH) {
        selfClosing = text.charCodeAt(i + 1) === GT;
        i++;
      } else if (c === LT) {
        // `<a href="x" <b>`: a tag that never closed; the new one starts here.
        return i;
      } else {
        i = this.attribute(i);
      }
    }
    if (rawText && !selfClosing) return this.skipRawText(i, nameStart);
    return i;
  }

  /** Whether the tag or attribute name in [start, end) is `name`, in any case. */
  private nameIs(start: number, end: number, name: string): boolean {
    if (end - start !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (lower(this.text.charCodeAt(start + k)) !== name.charCodeAt(k)) return false;
    return true;
  }

  /** Past `</script` or `</style` (whichever opened at `nameStart`): their content is not HTML. */
  private skipRawText(i: number, nameStart: number): number {
    const text = this.text;
    const name = lower(text.charCodeAt(nameStart)) === 115 && lower(text.charCodeAt(nameStart + 1)) === 99 ? 'script' : 'style';
    for (;;) {
      const at = this.find('</', i);
      if (at === -1) return text.length;
      if (this.nameIs(at + 2, at + 2 + name.length, name)) return this.skipPast(at + 2 + name.length);
      i = at + 2;
    }
  }

  /** Reads one attribute from its name at `i`, recording a URL attribute's value; returns the offset after it. */
  private attribute(i: number): number {
    const text = this.text;
    const n = text.length;
    const nameStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isSpace(c) || c === EQ || c === GT || c === SLASH || c === LT || (i > nameStart && mayOpen(c) && this.mergeTagEnd(i) !== -1)) break;
      this.steps++;
      i++;
    }
    if (i === nameStart) return i + 1; // a stray `=`: step over it
    const nameEnd = i;
    let j = i;
    while (j < n && isSpace(text.charCodeAt(j))) {
      this.steps++;
      j++;
    }
    if (text.charCodeAt(j) !== EQ) return i;
    j++;
    while (j < n && isSpace(text.charCodeAt(j))) {
      this.steps++;
      j++;
    }
    let valueStart: number;
    let valueEnd: number;
    let after: number;
    const quote = text.charCodeAt(j);
    if (quote === DQ || quote === SQ) {
      valueStart = j + 1;
      valueEnd = this.quotedValueEnd(valueStart, quote === DQ ? '"' : '\'');
      after = valueEnd < n ? valueEnd + 1 : n;
    } else {
      valueStart = j;
      valueEnd = this.valueEnd(valueStart);
      after = valueEnd;
    }
    const attribute = this.urlAttribute(nameStart, nameEnd);
    if (attribute === 5) this.styleUrls(valueStart, valueEnd);
    else if (attribute !== -1) this.record(attribute, valueStart, valueEnd);
    return after;
  }

  /**
   * The end of a quoted value: its closing quote outside merge tags (the end of the text without
   * one). The quote is found with one search, searched again only when a merge tag before it hid it.
   */
  private quotedValueEnd(i: number, quote: string): number {
    const n = this.text.length;
    let at = -2;
    while (i < n) {
      if (at !== -1 && at < i) at = this.find(quote, i);
      if (at === -1) return n;
      const opener = this.nextOpener(i, 0);
      if (opener === -1 || at < opener) return at;
      const skipped = this.mergeTagEnd(opener);
      i = skipped === -1 ? opener + 1 : skipped;
    }
    return n;
  }

  /** The end of an unquoted value: the next space or `>`, outside merge tags. */
  private valueEnd(i: number): number {
    const text = this.text;
    const n = text.length;
    while (i < n) {
      this.steps++;
      const skipped = this.mergeTagEnd(i);
      if (skipped !== -1) {
        i = skipped;
        continue;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c) || c === GT) return i;
      i++;
    }
    return n;
  }

  private urlAttribute(start: number, end: number): number {
    for (let k = 0; k < URL_ATTRIBUTES.length; k++) if (this.nameIs(start, end, URL_ATTRIBUTES[k])) return k;
    return -1;
  }

  /** The next `url(` (in any case) at or after `from`, or -1: found from its `(`, searched again only once passed. */
  private nextUrl(from: number): number {
    let at = this.urlAt;
    if (at === -2 || this.urlFrom > from || (at !== -1 && at < from)) {
      const text = this.text;
      this.urlFrom = from;
      let paren = from + 3;
      for (;;) {
        paren = this.find('(', paren);
        if (paren === -1) {
          at = -1;
          break;
        }
        if (lower(text.charCodeAt(paren - 3)) === 117 && lower(text.charCodeAt(paren - 2)) === 114 && lower(text.charCodeAt(paren - 1)) === 108) {
          at = paren - 3;
          break;
        }
        paren++;
      }
      this.urlAt = at;
    }
    return at;
  }

  /**
   * Each `url(…)` in a `style` value, as a URL of its own (its quotes left out). Jumps from one
   * merge-tag opener or `url(` to the next; a `url(` inside a merge tag is skipped with it.
   */
  private styleUrls(start: number, end: number): void {
    const text = this.text;
    let i = start;
    while (i < end) {
      const url = this.nextUrl(i);
      if (url === -1 || url >= end) {
        // No `url(` left in the value: its merge tags no longer matter.
        return;
      }
      const opener = this.nextOpener(i, 1);
      if (opener !== -1 && opener < url) {
        const skipped = this.mergeTagEnd(opener);
        i = skipped === -1 ? opener + 1 : skipped;
        continue;
      }
      this.steps++;
      let from = url + 4;
      while (from < end && isSpace(text.charCodeAt(from))) from++;
      const paren = this.nextOutside(RPAREN_SLOT, ')', from, end, 1);
      const close = paren === -1 ? end : paren;
      let valueStart = from;
      let valueEnd = close;
      while (valueEnd > valueStart && isSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
      const q = text.charCodeAt(valueStart);
      if ((q === DQ || q === SQ) && valueEnd > valueStart + 1 && text.charCodeAt(valueEnd - 1) === q) {
        valueStart++;
        valueEnd--;
      }
      this.record(5, valueStart, valueEnd);
      i = close + 1;
    }
  }

  /** Records one URL value, with where its host ends and its query and fragment begin (merge tags skipped). */
  private record(attribute: number, start: number, end: number): void {
    const text = this.text;
    let i = start;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    // A literal scheme (`https:`), then `//host`, or a protocol-relative `//host`.
    let hostEnd = i;
    const s = schemeEnd(text, i, end);
    const afterScheme = s > i && text.charCodeAt(s) === COLON ? s + 1 : i;
    if (text.charCodeAt(afterScheme) === SLASH && text.charCodeAt(afterScheme + 1) === SLASH) {
      let h = afterScheme + 2;
      while (h < end) {
        this.steps++;
        const tagEnd = this.mergeTagEnd(h);
        if (tagEnd !== -1) {
          h = Math.min(tagEnd, end);
          continue;
        }
        const c = text.charCodeAt(h);
        if (c === SLASH || c === QM || c === HASH) break;
        h++;
      }
      hostEnd = h;
    } else {
      hostEnd = afterScheme;
    }
    let query = -1;
    let fragment = -1;
    let p = hostEnd;
    while (p < end) {
      this.steps++;
      const tagEnd = this.mergeTagEnd(p);
      if (tagEnd !== -1) {
        p = tagEnd;
        continue;
      }
      const c = text.charCodeAt(p);
      if (c === HASH) {
        fragment = p;
        break;
      }
      if (c === QM && query === -1) query = p;
      p++;
    }
    // Ranges stay in text order and apart: a value can only end before the next one starts.
    const last = this.ends.length - 1;
    if (last >= 0 && start < this.ends[last]) return;
    this.starts.push(start);
    this.ends.push(end);
    this.attributes.push(attribute);
    this.hostEnds.push(hostEnd);
    this.queries.push(query);
    this.fragments.push(fragment);
  }
}

/**
 * The URL attribute values of a template, in one linear pass. `delimiters` are the merge tags to skip
 * as opaque units (every dialect's, by default).
 */
export function htmlContext(text: string, delimiters: ReadonlyArray<readonly [string, string]> = MERGE_DELIMITERS): HtmlContext {
  const scanner = new Scanner(text, delimiters);
  scanner.run();
  return scanner;
}

/**
 * Where `span` sits: the URL attribute whose value holds its start, and the part of the URL there.
 * `span` is best the whole merge tag (a use's `tagSpan`): a tag that is the entire value is `whole`.
 * Undefined outside every URL attribute, and always for plain text.
 */
export function placeOf(context: HtmlContext, text: string, span: Span): HtmlPlace | undefined {
  const { starts, ends } = context;
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= span.start) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found === -1 || span.start >= ends[found]) return undefined;
  const start = starts[found];
  const end = ends[found];
  const value = { start, end };
  const attribute = URL_ATTRIBUTES[context.attributes[found]];
  let first = start;
  while (first < end && isSpace(text.charCodeAt(first))) first++;
  let last = end;
  while (last > first && isSpace(text.charCodeAt(last - 1))) last--;
  const scheme = schemeOf(text, first, last);
  let part: UrlPart;
  if (span.start <= first && span.end >= last) part = 'whole';
  else if (span.start <= first) part = 'scheme-host';
  else if (span.start < context.hostEnds[found]) part = 'scheme-host';
  else if (context.fragments[found] !== -1 && span.start > context.fragments[found]) part = 'fragment';
  else if (context.queries[found] !== -1 && span.start > context.queries[found]) part = 'query';
  else part = 'path';
  return scheme === undefined ? { attribute, value, part } : { attribute, value, part, scheme };
}

/**
 * `text` with every merge tag left out (any dialect's, and AMPscript's `%%Name%%`): the literal
 * text around them, for a message quoting what a link is left with. An unclosed tag runs to the end.
 * `shownAs` gives what stands for a tag instead (nothing, by default).
 */
export function withoutMergeTags(text: string, shownAs: (tag: string) => string = () => ''): string {
  let kept = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const pair = MERGE_DELIMITERS.find(([opener]) => text.startsWith(opener, i));
    if (!pair) continue;
    const close = text.indexOf(pair[1], i + pair[0].length);
    kept += text.slice(from, i);
    from = close === -1 ? text.length : close + pair[1].length;
    kept += shownAs(text.slice(i, from));
    i = from - 1;
  }
  return (kept + text.slice(from)).replace(/%%[A-Za-z_]\w*%%/g, (tag) => shownAs(tag));
}

/** The parts of a URL in the order they come. */
const PART_ORDER: readonly UrlPart[] = ['whole', 'scheme-host', 'path', 'query', 'fragment'];

/**
 * Where a value lands when the tag writes `before` in front of it (see `FieldUse.writtenBefore`):
 * `https://x.example/?e=` puts it in the query. A tag that is the whole attribute value, or starts
 * it, is placed by that text alone (and takes its scheme); elsewhere the text can only move it
 * further along the URL.
 */
export function placeAfterWritten(place: HtmlPlace, before: string): HtmlPlace {
  const text = before.trimStart();
  const scheme = schemeOf(text, 0, text.length);
  const written = partAfter(text, scheme);
  if (place.part === 'whole' || place.part === 'scheme-host') {
    const placed: HtmlPlace = { attribute: place.attribute, value: place.value, part: written };
    if (scheme !== undefined) placed.scheme = scheme;
    return placed;
  }
  return PART_ORDER.indexOf(written) > PART_ORDER.indexOf(place.part) ? { ...place, part: written } : place;
}

/** The part of a URL that `text` (with its `scheme`, if any) leaves the next character in. */
function partAfter(text: string, scheme: string | undefined): UrlPart {
  if (text.includes('#')) return 'fragment';
  if (text.includes('?')) return 'query';
  if (scheme !== undefined && text.startsWith('//', scheme.length + 1)) {
    // The host runs to the first `/` after `//`: written up to there, the value is still the host's.
    return text.indexOf('/', scheme.length + 3) === -1 ? 'scheme-host' : 'path';
  }
  return 'path';
}

/** The end of a URL scheme's letters from `start` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`). */
function schemeEnd(text: string, start: number, end: number): number {
  let s = start;
  while (s < end) {
    const c = text.charCodeAt(s);
    if (!(isLetter(c) || (s > start && ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)))) break;
    s++;
  }
  return s;
}

function schemeOf(text: string, start: number, end: number): string | undefined {
  const s = schemeEnd(text, start, end);
  return s > start && text.charCodeAt(s) === COLON ? text.slice(start, s).toLowerCase() : undefined;
}
