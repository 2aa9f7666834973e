/**
 * What `mergewise check --fix` adds to a check: the safe fixes made to a template (by the core's
 * `fixText`), said in words, and written to disk whole or not at all. Also the pages `report --out`
 * and `preview --out` write, whole or not at all too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Fix } from '../core/fixes';

/** `--fix` writes the files; `--fix-dry-run` only shows what it would write. */
export type FixMode = 'write' | 'dry-run';

/** What fixing did to one template: the `fixes` of its JSON report. */
export interface FixSummary {
  /** Fixes made (or, in a dry run, that would be made). */
  count: number;
  /** The same, by title, in the order first made: `Add fallback "there"` ×3. */
  titles: { title: string; count: number }[];
  /** Passes over the text: each applies every fix that does not overlap another. */
  passes: number;
  /** False when the pass limit stopped fixing with safe fixes still left. */
  settled: boolean;
  /** True once the fixed text is on disk. */
  written: boolean;
  /** Why the fixed text could not be written; the file is then left as it was. */
  error?: string;
}

export function summarize(applied: Fix[], passes: number, settled: boolean): FixSummary {
  const counts = new Map<string, number>();
  for (const fix of applied) counts.set(fix.title, (counts.get(fix.title) ?? 0) + 1);
  return {
    count: applied.length,
    titles: [...counts].map(([title, count]) => ({ title, count })),
    passes,
    settled,
    written: false,
  };
}

/** `3 fixes (Add fallback "there" ×2, Add fallback "your area")` */
export function describeFixes(summary: FixSummary): string {
  const titles = summary.titles.map(({ title, count }) => (count === 1 ? title : `${title} ×${count}`));
  return `${summary.count} fix${summary.count === 1 ? '' : 'es'} (${titles.join(', ')})`;
}

/** The file operations `writeFileAtomically` uses: Node's, or a test's that fail on purpose. */
export type AtomicWriteFs = Pick<typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'fchmodSync' | 'fchownSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'statSync' | 'realpathSync' | 'readFileSync'>;

/** The temporary file a fix is written to, beside the file it replaces. */
export function temporaryPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.mergewise-fix-${process.pid}.tmp`);
}

/**
 * Replaces `file` with `bytes` so that the file is, at every moment, either the old one or the new
 * one: the bytes go to a temporary file in the same folder (created afresh, never through an
 * existing file or link), are flushed to disk, get the file's permissions, then the temporary
 * file is renamed over the original. A link is followed: the file it points to is the one
 * replaced. When the file no longer holds `expected` (it was changed since it was read), nothing
 * is written. On any failure the temporary file is removed and the error thrown, with a message
 * that says what failed.
 */
export function writeFileAtomically(file: string, bytes: Uint8Array, expected: Uint8Array, io: AtomicWriteFs = fs): void {
  const target = io.realpathSync(file);
  const stat = io.statSync(target);
  // Renaming over a file needs only its folder to be writable: a read-only file (a Perforce
  // checkout, a file locked on purpose) is left alone, as an editor would.
  if ((stat.mode & 0o222) === 0) throw new Error('it is read-only: its permissions let nobody write it');
  const temporary = temporaryPath(target);
  let fd: number | undefined;
  let created = false;
  try {
    try {
      fd = io.openSync(temporary, 'wx', stat.mode & 0o7777);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Error(`${temporary} is in the way (left by an interrupted run? remove it)`);
      }
      throw error;
    }
    created = true;
    for (let at = 0; at < bytes.length;) at += io.writeSync(fd, bytes, at, bytes.length - at);
    // The umask may have narrowed the mode `open` was given; the owner is kept where allowed (as root).
    io.fchmodSync(fd, stat.mode & 0o7777);
    try {
      io.fchownSync(fd, stat.uid, stat.gid);
    } catch {
      // Not allowed to give the file away: it stays the fixer's, as an editor's save would leave it.
    }
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = undefined;
    if (!(io.readFileSync(target) as Buffer).equals(expected)) {
      throw new Error('it changed on disk while it was being fixed');
    }
    io.renameSync(temporary, target);
    created = false;
  } catch (error) {
    if (fd !== undefined) {
      try { io.closeSync(fd); } catch { /* already failing */ }
    }
    if (created) {
      try { io.unlinkSync(temporary); } catch { /* already failing; the message names the file */ }
    }
    throw error;
  }
  syncFolder(path.dirname(target));
}

/** Makes the rename itself durable; not every platform can open a folder for that, so it is best effort. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot; the rename has happened all the same.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** An output file or folder that cannot be written: `mergewise: cannot write PATH: reason`, exit code 2. */
export class CannotWrite extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`cannot write ${file}: ${reason}`);
  }
}

/** A system error in words: `permission denied (EACCES)` rather than `EACCES: permission denied, open '/x'`. */
export function systemReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as NodeJS.ErrnoException;
  const worded = code ? /^[A-Z]+: (.+?)(?:, \w+(?: '.*')?)?$/.exec(error.message)?.[1] : undefined;
  return worded ? `${worded} (${code})` : error.message;
}

/**
 * Writes `files` (name and content) into `dir`, made if missing, replacing files of those names:
 * each goes to a temporary file beside it first, and only when all are written are they renamed
 * into place, so a full disk or a missing permission leaves the old files, never half a page.
 * Throws CannotWrite, naming the folder or file.
 */
export function writeOutputFiles(dir: string, files: [name: string, content: string][]): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new CannotWrite(dir, (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it is a file, not a folder' : systemReason(error));
  }
  const ready: { temporary: string; target: string }[] = [];
  const cleanUp = () => { for (const { temporary } of ready) try { fs.unlinkSync(temporary); } catch { /* already gone */ } };
  let target = dir;
  try {
    for (const [name, content] of files) {
      target = path.join(dir, name);
      const temporary = path.join(dir, `.${name}.mergewise-${process.pid}.tmp`);
      const fd = fs.openSync(temporary, 'wx', 0o666);
      ready.push({ temporary, target });
      try {
        const bytes = Buffer.from(content, 'utf8');
        for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const { temporary, target: into } of ready) {
      target = into;
      fs.renameSync(temporary, into);
    }
  } catch (error) {
    cleanUp();
    throw new CannotWrite(target, (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'a folder of that name is in the way' : systemReason(error));
  }
  return ready.map(({ target: written }) => written);
}
