/**
 * Unified diffs for `mergewise check --fix-dry-run`, written here rather than taken from a package:
 * the only diff library in node_modules (`diff`) comes in through mocha, not as a dependency of
 * ours, and a line diff is small. Myers' algorithm on whole lines (each line with its own ending,
 * so CRLF files and a missing final newline come out as `diff -u` writes them), with a bound on
 * its work: past it, the changed middle is shown as changed line by line, which is still a correct
 * diff (it applies), just not always the shortest.
 */

/** Lines of context around each change, as `diff -u` and `git diff` show. */
export const CONTEXT_LINES = 3;

/**
 * Edits Myers' search may spend before giving up on the shortest diff. Its memory grows with the
 * square of it (a few megabytes here); fixes change few lines, so real diffs stay far below.
 */
const MAX_EDITS = 2000;

type Op = 0 | 1 | 2; // EQUAL, DELETE, INSERT
const EQUAL = 0;
const DELETE = 1;
const INSERT = 2;

/**
 * `--- a/PATH`, `+++ b/PATH` and hunks with CONTEXT_LINES of context, or '' when the texts are the
 * same. Applies with `git apply` or `patch -p1` from the folder PATH is relative to.
 */
export function unifiedDiff(filePath: string, before: string, after: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  // As git writes them: a name with a space ends in a tab, or `patch` reads the name up to the space.
  const end = filePath.includes(' ') ? '\t' : '';
  let out = `--- a/${filePath}${end}\n+++ b/${filePath}${end}\n`;
  for (const hunk of hunks(ops)) {
    out += `@@ -${range(hunk.aStart, hunk.aCount)} +${range(hunk.bStart, hunk.bCount)} @@\n`;
    let i = hunk.aStart;
    let j = hunk.bStart;
    for (let k = hunk.from; k < hunk.to; k++) {
      const op = ops[k];
      if (op === EQUAL) {
        out += line(' ', a[i++]);
        j++;
      } else if (op === DELETE) out += line('-', a[i++]);
      else out += line('+', b[j++]);
    }
  }
  return out;
}

/** The text's lines, each with its ending (`\n` or `\r\n`); the last may have none. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function line(prefix: string, text: string): string {
  return text.endsWith('\n') ? `${prefix}${text}` : `${prefix}${text}\n\\ No newline at end of file\n`;
}

/** `start,count`, 1-based; an empty range names the line before it, as `diff -u` does. */
function range(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}

/** The edit script turning `a` into `b`: one op per line kept, deleted or inserted, in order. */
export function diffLines(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const middle = myers(middleA, middleB) ?? lineByLine(middleA.length, middleB.length);
  return [...new Array<Op>(prefix).fill(EQUAL), ...middle, ...new Array<Op>(suffix).fill(EQUAL)];
}

/** The shortest edit script (Myers 1986, greedy forward search), or undefined past MAX_EDITS. */
function myers(a: string[], b: string[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, MAX_EDITS);
  // v[k + offset]: the furthest x reached on diagonal k = x - y. trace[d]: v after step d, for k in -d..d.
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= limit; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return backtrack(trace, n, m);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1]; // holds k in -(d-1)..(d-1), at index k + d - 1
    const at = (k: number) => previous[k + d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) { ops.push(EQUAL); x--; y--; }
    ops.push(down ? INSERT : DELETE);
    x = previousX;
    y = previousY;
  }
  while (x > 0 && y > 0) { ops.push(EQUAL); x--; y--; }
  return ops.reverse();
}

/** A diff that needs no search: the lines paired in order as changed, then the rest deleted or inserted. */
function lineByLine(n: number, m: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < Math.min(n, m); i++) ops.push(DELETE);
  for (let i = 0; i < n - m; i++) ops.push(DELETE);
  for (let i = 0; i < Math.min(n, m); i++) ops.push(INSERT);
  for (let i = 0; i < m - n; i++) ops.push(INSERT);
  return ops;
}

interface Hunk {
  /** The ops it shows, `ops[from..to)`. */
  from: number;
  to: number;
  /** 0-based first line and count, in each text. */
  aStart: number;
  aCount: number;
  bStart: number;
  bCount: number;
}

/** The changes with their context, joined where their contexts would touch or overlap. */
function hunks(ops: Op[]): Hunk[] {
  // Where each op starts in either text.
  const aAt = new Int32Array(ops.length + 1);
  const bAt = new Int32Array(ops.length + 1);
  for (let k = 0; k < ops.length; k++) {
    aAt[k + 1] = aAt[k] + (ops[k] === INSERT ? 0 : 1);
    bAt[k + 1] = bAt[k] + (ops[k] === DELETE ? 0 : 1);
  }
  const result: Hunk[] = [];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k] === EQUAL) k++;
    if (k === ops.length) break;
    const from = Math.max(0, k - CONTEXT_LINES);
    let to = k;
    // Extend over changes and over runs of equal lines short enough to keep in one hunk.
    for (;;) {
      while (to < ops.length && ops[to] !== EQUAL) to++;
      let equal = to;
      while (equal < ops.length && ops[equal] === EQUAL) equal++;
      if (equal < ops.length && equal - to <= 2 * CONTEXT_LINES) {
        to = equal;
        continue;
      }
      to = Math.min(ops.length, to + CONTEXT_LINES);
      break;
    }
    result.push({
      from, to,
      aStart: aAt[from], aCount: aAt[to] - aAt[from],
      bStart: bAt[from], bCount: bAt[to] - bAt[from],
    });
    k = to;
  }
  return result;
}
