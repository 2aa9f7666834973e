/**
 * What every thread of a check spread over threads (jobs.ts) does alike, the main thread and the
 * workers (check-worker.ts): test a share of the templates for includes, then check batches of
 * consecutive templates and write each batch's report as the run's writer would write it after other
 * files. One definition, so that a batch's bytes are the same whichever thread checked it.
 */
import { severityCounts, type CheckReport, type DiagnosticReport, type FileReport, type SeverityCounts, type TemplateChecker } from './check';
import { byteWriter, textWriter, type OutputFormat, type ReportWriter } from './formats';
import { mayInclude } from '../core/partials/workspace';
import { nodeFileSystem } from '../node-fs';

/** How a batch's report is written: the run's format and its options. */
export interface BatchFormat {
  format: OutputFormat;
  showHints: boolean;
  color: boolean;
}

export interface BatchResult {
  type: 'batch';
  batch: number;
  bytes: ArrayBuffer;
  files: number;
  counts: SeverityCounts;
  notices: string[];
  readErrors: string[];
  skipped: number;
  /** Text reports: the batch's lines but the last, which `last` holds for the run's writer to write. */
  text?: string;
  last?: FileReport;
}

/**
 * Which of `files` may include something, as the include graph tests them (`mayInclude`; one it
 * cannot read is counted in: the graph says why), in order; the test stops once `enough` are found,
 * or once `without` have been found to include nothing. `tested`: how many of `files` it read.
 */
export function mayIncludeAmong(files: string[], enough = Infinity, without = Infinity): { found: string[]; tested: number } {
  const found: string[] = [];
  let tested = 0;
  for (const file of files) {
    if (found.length >= enough || tested - found.length >= without) break;
    tested++;
    let text: string | undefined;
    try {
      text = nodeFileSystem.readText(file);
    } catch {
      found.push(file);
      continue;
    }
    if (text !== undefined && mayInclude(text)) found.push(file);
  }
  return { found, tested };
}

/** Checks batches of `templates` with one thread's TemplateChecker and writes their reports. */
export class BatchChecker {
  private readonly serializer: FileSerializer | undefined;
  /** Text reports: the lines of the batch, written as the run's writer writes them. */
  private readonly lines: string[] = [];
  private readonly text: ReportWriter | undefined;

  constructor(private readonly checker: TemplateChecker, private readonly templates: string[], private readonly options: BatchFormat) {
    this.serializer = options.format === 'text' ? undefined : new FileSerializer(options.format, options.showHints);
    this.text = this.serializer ? undefined : textWriter((line) => this.lines.push(line), { color: options.color, showHints: options.showHints });
  }

  /** Checks the templates from `start` to `end` (batch number `batch`). Bytes reports: `bytes` is a buffer of its own, that can be transferred. */
  check(batch: number, start: number, end: number): BatchResult {
    const { serializer, text, lines } = this;
    const report: CheckReport = {
      summary: { files: 0, errors: 0, warnings: 0, information: 0, hints: 0, skipped: 0 },
      notices: [],
      configurationErrors: [],
      readErrors: [],
    };
    let files = 0;
    const counts: SeverityCounts = [0, 0, 0, 0];
    let last: FileReport | undefined;
    let hiddenHint: DiagnosticReport | undefined;
    for (let i = start; i < end; i++) {
      const file = this.checker.check(this.templates[i], report);
      if (!file) continue;
      files++;
      const [errors, warnings, information, hints] = severityCounts(file);
      counts[0] += errors;
      counts[1] += warnings;
      counts[2] += information;
      counts[3] += hints;
      if (serializer) {
        serializer.add(file);
        continue;
      }
      // Text: the last finding printed waits for the run's writer (see jobs.ts); the one before it is written now.
      for (const d of file.diagnostics) {
        if (d.severity === 'hint' && !this.options.showHints) {
          hiddenHint ??= d;
          continue;
        }
        if (last) text!.file(last);
        last = { path: file.path, dialect: file.dialect, diagnostics: [d], fields: [] };
      }
    }
    const bytes = serializer ? serializer.take() : Buffer.alloc(0);
    const result: BatchResult = {
      type: 'batch', batch, bytes: bytes.buffer as ArrayBuffer, files, counts, notices: report.notices, readErrors: report.readErrors, skipped: report.summary.skipped,
    };
    if (text) {
      result.text = lines.join('');
      lines.length = 0;
      if (last || hiddenHint) {
        result.last = last ?? { path: '', dialect: null, diagnostics: [], fields: [] };
        if (hiddenHint) result.last.diagnostics.unshift(hiddenHint);
      }
    }
    return result;
  }
}

/**
 * Writes one file at a time to bytes, as the run's writer would write it after other files; and
 * turns such bytes into those of the first file written (`asFirst`).
 */
export class FileSerializer {
  private readonly chunks: Uint8Array[] = [];
  private readonly writer: ReportWriter;
  /** What the writer puts in front of the first file's output, and in front of any later one. */
  private readonly heads: { first: Buffer; later: Buffer };

  constructor(format: OutputFormat, showHints: boolean) {
    const fresh = byteWriter(format, showHints, (bytes) => this.chunks.push(bytes));
    this.take(fresh);
    fresh.file(PROBE);
    const first = this.take(fresh);
    this.writer = byteWriter(format, showHints, (bytes) => this.chunks.push(bytes));
    this.writer.file(PROBE);
    this.take();
    this.writer.file(PROBE);
    const later = this.take();
    let common = 0;
    while (common < first.length && common < later.length && first[first.length - 1 - common] === later[later.length - 1 - common]) common++;
    this.heads = { first: first.subarray(0, first.length - common), later: later.subarray(0, later.length - common) };
  }

  /** Writes the file's report, after others; `take` hands the bytes over. */
  add(file: FileReport): void {
    this.writer.file(file);
  }

  /** The file's bytes, written after others. */
  file(file: FileReport): Buffer {
    this.writer.file(file);
    return this.take();
  }

  /** Bytes of files written after others, as the first files written. */
  asFirst(bytes: Uint8Array): Uint8Array {
    const { first, later } = this.heads;
    if (first.equals(later)) return bytes;
    if (!Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, later.length)).equals(later)) {
      throw new Error('check workers: a file\'s report does not begin as the writer\'s probe did');
    }
    return Buffer.concat([first, bytes.subarray(later.length)]);
  }

  /**
   * What the writer has assembled since, copied into one buffer of its own (that can be transferred:
   * a chunk may be bytes the writer keeps).
   */
  take(writer = this.writer): Buffer {
    writer.flush!();
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    this.chunks.length = 0;
    return bytes;
  }
}

/** A file whose report every bytes format writes something for. */
const PROBE: FileReport = {
  path: 'probe.liquid',
  dialect: 'liquid',
  diagnostics: [{ rule: 'syntax-error', severity: 'error', message: 'probe', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }],
  fields: [],
  includes: [],
};
