/**
 * `mergewise check --jobs N` (issue 19 item 2): the templates spread over N threads, the main thread
 * and N - 1 workers (check-worker.ts, bundled as dist/check-worker.js), when there are enough of them
 * to pay for starting the workers. The report is byte for byte the one a single thread writes, in the
 * same order.
 *
 * The templates go out in batches of consecutive files, a few at a time to each worker as it finishes
 * the last; the main thread checks one batch at a time itself, reading the workers' messages in
 * between. Each thread checks with its own TemplateChecker (its own include graph: what one thread
 * reads it reads once) and writes, per batch, the report's bytes as the writer writes them
 * (check-batch.ts; a worker sends them as one transferred buffer) with the batch's counts and
 * notices. The main thread writes the batches in order, keeping the few that arrive early. A writer's
 * output for a file depends on what it wrote before only by the separator in front of it (JSON: `,\n`
 * between files; SARIF: between results): every batch is written as if something came before, and the
 * main thread puts the first separator right (`heads`, found by writing a probe file both ways). Text
 * reports: each batch's lines but the last printed finding, which the run's writer writes with one
 * hidden hint if any was hidden (its summary line says whether anything was printed, and hints left out).
 *
 * Single-threaded: `--fix` and `--fix-dry-run` (a fix changes what the includes of later templates
 * read), fewer than MIN_TEMPLATES_PER_WORKER templates per thread, less than MIN_BYTES of them, a
 * writer that cannot hand over its bytes per batch, and, found as the threads test the templates for
 * includes (the main thread its first ones before any worker starts), more than one in
 * MAX_INCLUDING_SHARE that may include partials.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { commonFolder } from '../core/partials/workspace';
import { CheckRun, includerUniverse, runCheck, TemplateChecker, type CheckOptions, type CheckReport, type FileReport } from './check';
import { BatchChecker, FileSerializer, mayIncludeAmong, type BatchFormat, type BatchResult } from './check-batch';
import type { OutputFormat, ReportWriter } from './formats';
import { UsageError } from './preview';

/** Below this many templates for each thread, one thread is faster: a worker takes about 0.1 s to start. */
export const MIN_TEMPLATES_PER_WORKER = 25;
/**
 * And below this many bytes of templates in all. A worker loads and warms up the analysis for itself
 * (about half a second of CPU) and two threads on a busy 2-core machine do not run twice as fast:
 * there, the main thread and one worker took 1.1x the wall time and 1.44x the CPU of one thread on
 * 400 templates of 40 KB (16 MB), 30 MB broke even, and 44 MB and 86 MB gained 1.13x and 1.37x
 * (paired whole runs, bench/generated/).
 */
export const MIN_BYTES = 24 * 1024 * 1024;
/**
 * Templates that may include partials, at most one in this many of those the include graph reads,
 * for several threads: each thread's graph scans every one of them (and keeps the scans of those
 * another thread checks), so with many of them one thread is faster and smaller.
 */
export const MAX_INCLUDING_SHARE = 10;
/** Templates in a batch (what a thread checks at a time), and batches a worker has in hand at most. */
const BATCH_TEMPLATES = 4;
const BATCHES_IN_HAND = 2;

/** `--jobs N`: a whole number from 1; absent, the processors Node may use. */
export function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--jobs takes a whole number of threads, 1 or more, not "${value}".`);
  return Number(value);
}

export interface JobsOutput {
  format: OutputFormat;
  showHints: boolean;
  /** Text reports: colored (as the run's writer is), and where they go. */
  color: boolean;
  writeText: (text: string) => void;
  /** The run's writer: it writes the report's beginning and end, and the text report's files. */
  writer: ReportWriter;
  /** Where the writer writes bytes (JSON, SARIF): the workers' bytes go there too. */
  writeBytes: (bytes: Uint8Array) => void;
  /** With MERGEWISE_DEBUG_JOBS set, one line says how many threads checked the templates. */
  stderr: (text: string) => void;
}

/** Options a worker can be given: `fixed` is a function and `fix` stays on the main thread. */
export interface WorkerInit extends BatchFormat {
  cwd: string;
  maxFileSize?: number;
  severityOverrides?: CheckOptions['severityOverrides'];
  now?: number;
  templates: string[];
  /** The worker's share of the templates to test for includes first. */
  prescan: string[];
}

export type MainMessage =
  /** The templates the worker's include graph reads (see `runOnThreads`). */
  | { type: 'universe'; files: string[] }
  | { type: 'batch'; batch: number; start: number; end: number };

export type WorkerMessage =
  /** Which of the templates given to `prescan` may include something, as the include graph tests them. */
  | { type: 'prescan'; mayInclude: string[] }
  | BatchResult;

/**
 * Checks as `runCheck` does, on `jobs` threads (default: `os.availableParallelism()`) when that pays;
 * a promise then. The files go to `output.writer` (through the workers' bytes), not to a sink.
 */
export function runCheckJobs(options: CheckOptions, jobs: number | undefined, output: JobsOutput): CheckReport | Promise<CheckReport> {
  const debug = debugLine(output);
  const single = (why: string) => {
    debug?.(`mergewise: jobs: on the main thread (${why})\n`);
    return runCheck(options, (file) => output.writer.file(file));
  };
  if (options.fix) return single('--fix');
  if (jobs === 1) return single('--jobs 1');
  const run = new CheckRun(options, (file) => output.writer.file(file));
  const { templates } = run;
  const anySize = anySizeForTests();
  // Only for tests: MERGEWISE_JOBS_MIN_BYTES=N lowers the size that pays for workers, so that a small
  // workspace goes through every other decision as a large one does.
  const minBytes = Number(process.env.MERGEWISE_JOBS_MIN_BYTES) || MIN_BYTES;
  const threads = threadsFor(templates.length, jobs);
  const script = path.join(__dirname, 'check-worker.js');
  const bytesFormat = output.format !== 'text';
  const why = threads < 2 ? `fewer than ${MIN_TEMPLATES_PER_WORKER} per thread`
    : !fs.existsSync(script) ? 'no check-worker.js beside the command line'
    : bytesFormat && !output.writer.flush ? 'the writer cannot hand over bytes'
    : !anySize && totalBytes(templates, minBytes) < minBytes ? `less than ${+(minBytes / (1024 * 1024)).toFixed(1)} MB of templates`
    : undefined;
  if (why !== undefined) {
    debug?.(`mergewise: jobs: ${templates.length} templates on the main thread (${why})\n`);
    return run.checkHere();
  }
  return runOnThreads(run, options, threads, script, output);
}

/** Only for tests: MERGEWISE_JOBS_ANY_SIZE=1 spreads even a few small templates over the threads. */
export function anySizeForTests(): boolean {
  return Boolean(process.env.MERGEWISE_JOBS_ANY_SIZE);
}

/** Threads for `count` templates: `jobs` (default: one per processor), at most one for every MIN_TEMPLATES_PER_WORKER. */
export function threadsFor(count: number, jobs: number | undefined): number {
  return Math.min(jobs ?? defaultJobs(), Math.floor(count / (anySizeForTests() ? 1 : MIN_TEMPLATES_PER_WORKER)));
}

function defaultJobs(): number {
  // Loaded here: a check of a few files never needs node:os (see test/cli/startup.test.ts).
  const os = require('node:os') as typeof import('node:os');
  return os.availableParallelism();
}

/** The templates' size on disk, counted up to `enough`. */
function totalBytes(files: string[], enough: number): number {
  let total = 0;
  for (const file of files) {
    try {
      total += fs.statSync(file).size;
    } catch {
      // Reported when it is checked.
    }
    if (total >= enough) break;
  }
  return total;
}

function debugLine(output: JobsOutput): ((line: string) => void) | undefined {
  return process.env.MERGEWISE_DEBUG_JOBS ? output.stderr : undefined;
}

async function runOnThreads(run: CheckRun, options: CheckOptions, threads: number, script: string, output: JobsOutput): Promise<CheckReport> {
  const debug = debugLine(output);
  const anySize = anySizeForTests();
  const { Worker: WorkerClass } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { templates } = run;
  // Each thread's include graph would read every template to find those that may include one
  // (twice the reading on two threads): instead each tests a share of them, and every thread's graph
  // reads the templates found, with those that make its templates' common folder the same.
  const universe = includerUniverse(templates, run.index);
  const spanning = spanningFiles(universe);
  const share = (i: number) => universe.slice(Math.floor(i * universe.length / threads), Math.floor((i + 1) * universe.length / threads));
  const format: BatchFormat = { format: output.format, showHints: output.showHints, color: output.color };
  const init = (i: number): WorkerInit => ({
    cwd: options.cwd,
    maxFileSize: options.maxFileSize,
    severityOverrides: options.severityOverrides,
    now: options.now?.getTime(),
    templates,
    prescan: share(i),
    ...format,
  });

  // Bytes formats: the run's writer has written the report's beginning (to its buffer); the files
  // follow it. The mergewise.json reports at the end are written by `serializer`, as the threads write.
  const serializer = output.format === 'text' ? undefined : new FileSerializer(output.format, output.showHints);
  let wroteAny = false;
  const writeFiles = (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    if (!wroteAny) {
      wroteAny = true;
      bytes = serializer!.asFirst(bytes);
    }
    output.writeBytes(bytes);
  };
  output.writer.flush?.();

  const batches = Math.ceil(templates.length / BATCH_TEMPLATES);
  let sent = 0;
  let next = 0;
  const arrived = new Map<number, BatchResult>();
  /** Batches each thread checked, the main thread's first (for MERGEWISE_DEBUG_JOBS). */
  const checkedBy: number[] = new Array<number>(threads).fill(0);
  /** Resolved once the main thread checks no more batches: the run settles only after that. */
  let mainThreadDone: Promise<void> | undefined;
  const workers: Worker[] = [];
  try {
    const onThreads = await new Promise<boolean>((resolve, rejectRun) => {
      // Once the run has failed (a worker stopped), the main thread checks and writes nothing more.
      let failed = false;
      const reject = (error: unknown) => {
        failed = true;
        rejectRun(error);
      };
      /** The next batch's number and templates, or undefined when every batch has been handed out (or the run failed). */
      const take = (): MainMessage & { type: 'batch' } | undefined => {
        if (failed || sent >= batches) return undefined;
        const start = sent * BATCH_TEMPLATES;
        return { type: 'batch', batch: sent++, start, end: Math.min(templates.length, start + BATCH_TEMPLATES) };
      };
      const send = (worker: Worker) => {
        const batch = take();
        if (batch) worker.postMessage(batch);
      };
      const drain = () => {
        if (failed) return;
        for (let batch = arrived.get(next); batch; batch = arrived.get(next)) {
          arrived.delete(next++);
          for (const notice of batch.notices) run.report.notices.push(notice);
          for (const error of batch.readErrors) run.report.readErrors.push(error);
          run.report.summary.skipped += batch.skipped;
          run.count(batch.files, batch.counts);
          if (serializer) {
            writeFiles(new Uint8Array(batch.bytes));
          } else {
            if (batch.text) output.writeText(batch.text);
            // Through the run's writer, so that it knows what it has printed and left out, for its summary line.
            if (batch.last) output.writer.file(batch.last);
          }
        }
        if (next === batches) resolve(true);
      };
      // The main thread checks batches too, one at a time, reading the workers' messages in between
      // (each worker has BATCHES_IN_HAND batches, so it is not kept waiting meanwhile).
      let here: BatchChecker | undefined;
      let stopped: () => void;
      const checkHereNext = () => {
        const batch = take();
        if (!batch) {
          stopped();
          return;
        }
        try {
          arrived.set(batch.batch, here!.check(batch.batch, batch.start, batch.end));
          checkedBy[0]++;
          drain();
        } catch (error) {
          reject(error);
        }
        setImmediate(checkHereNext);
      };
      const mayInclude = new Set<string>();
      let prescans = 0;
      let decided = false;
      const prescanned = (found: string[]) => {
        if (decided) return;
        for (const file of found) mayInclude.add(file);
        prescans++;
        // Once more than one in MAX_INCLUDING_SHARE may include, whatever the other threads find
        // cannot change the answer: the check goes to one thread without waiting for them.
        if (!anySize && mayInclude.size * MAX_INCLUDING_SHARE > universe.length) {
          decided = true;
          debug?.(`mergewise: jobs: ${templates.length} templates on the main thread after all: at least ${mayInclude.size} of ${universe.length} may include partials${workers.length ? '' : ' (no worker started)'}\n`);
          resolve(false);
          return;
        }
        if (prescans < threads) return;
        decided = true;
        debug?.(`mergewise: jobs: ${templates.length} templates on ${threads} threads (the main thread and ${threads - 1} worker${threads === 2 ? '' : 's'})\n`);
        const files = universe.filter((file) => mayInclude.has(file) || spanning.has(file));
        for (const worker of workers) {
          worker.postMessage({ type: 'universe', files } satisfies MainMessage);
          for (let k = 0; k < BATCHES_IN_HAND; k++) send(worker);
        }
        here = new BatchChecker(new TemplateChecker(options, templates, run.index, () => files), templates, format);
        mainThreadDone = new Promise((resolveDone) => (stopped = resolveDone));
        checkHereNext();
      };
      // The main thread tests its share for includes first, in order, until it has found enough to
      // settle the question (the check then stays on this thread, and no worker starts) or as many
      // that include nothing; then the workers start, and it tests the rest of its share meanwhile.
      const own = share(0);
      const enough = anySize ? Infinity : Math.floor(universe.length / MAX_INCLUDING_SHARE) + 1;
      const first = mayIncludeAmong(own, enough, enough);
      if (first.found.length >= enough) {
        prescanned(first.found);
        return;
      }
      for (let i = 1; i < threads; i++) {
        const worker = new WorkerClass(script, { workerData: init(i) });
        workers.push(worker);
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'prescan') {
            prescanned(message.mayInclude);
            return;
          }
          arrived.set(message.batch, message);
          checkedBy[i]++;
          drain();
          send(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (next < batches) reject(new Error(`a check worker stopped (exit code ${code}) before the check was done`));
        });
      }
      const rest = mayIncludeAmong(own.slice(first.tested), enough - first.found.length);
      prescanned([...first.found, ...rest.found]);
      if (batches === 0) resolve(true);
    });
    if (!onThreads) {
      // Every thread's include graph would scan nearly every template: one thread does it once,
      // once the workers' memory is given back.
      await Promise.all(workers.map((worker) => worker.terminate()));
      return run.checkHere();
    }
  } finally {
    for (const worker of workers) void worker.terminate();
    await mainThreadDone;
    if (mainThreadDone) debug?.(`mergewise: jobs: batches checked by each thread, the main thread's first: ${checkedBy.join(', ')} (of ${batches})\n`);
  }

  for (const file of templates) run.noteTemplate(file);

  if (serializer) {
    // The mergewise.json reports, after the templates as on one thread.
    run.sink = (file: FileReport) => writeFiles(serializer.file(file));
  }
  return run.finish();
}

/**
 * Templates whose common folder is that of them all, as PartialWorkspace works it out: the first, and
 * each that takes it a folder up. With others of the same list, in its order, it stays the same.
 */
export function spanningFiles(files: string[]): Set<string> {
  const spanning = new Set<string>();
  let common: string | undefined;
  for (const file of files) {
    const next = commonFolder(common ?? path.dirname(file), file);
    if (next !== common) spanning.add(file);
    common = next;
  }
  return spanning;
}
