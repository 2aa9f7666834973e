/**
 * `mergewise report --jobs N`: the templates rendered on worker threads (report-worker.ts, bundled
 * as dist/report-worker.js) when there are enough of them. Rendering every template for every sample
 * recipient is most of a report's time, and each template's share of it depends on nothing but the
 * template (`ReportRun.template`), so workers work out the outcomes of batches of consecutive
 * templates and the main thread adds them in order (`ReportRun.add`): the report is the one a single
 * thread writes, byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ReportRun, type ReportRunInput, type ReportRunResult, type TemplateOutcome } from '../core/report/run';
import { anySizeForTests, MIN_TEMPLATES_PER_WORKER, threadsFor } from './jobs';

/** What a worker is given: enough to build the same run input as the main thread's (`reportRunInput`). */
export interface ReportJob {
  cwd: string;
  outDir: string;
  paths: string[];
  templates: string[];
  /** The run's date, in milliseconds: every thread's report says the same. */
  now: number;
}

export type ReportWorkerRequest = { batch: number; start: number; end: number };
export type ReportWorkerReply = { batch: number; outcomes: TemplateOutcome[] };

/** Templates sent to a worker at a time, and batches a worker has in hand at most. */
const BATCH_TEMPLATES = 4;
const BATCHES_IN_HAND = 2;

/**
 * The run over `input`, on `jobs` threads (default: one per processor) when there are at least
 * MIN_TEMPLATES_PER_WORKER templates for each and sample recipients to render them for (a promise
 * then); else on this one. `debug` hears which.
 */
export function runReportOnThreads(
  input: ReportRunInput, job: ReportJob, jobs: number | undefined, debug?: (line: string) => void,
): ReportRunResult | Promise<ReportRunResult> {
  const threads = threadsFor(input.templates.length, jobs);
  const script = path.join(__dirname, 'report-worker.js');
  const run = new ReportRun(input);
  const why = threads < 2 ? `fewer than ${MIN_TEMPLATES_PER_WORKER} templates per thread, or --jobs 1`
    : !fs.existsSync(script) ? 'no report-worker.js beside the command line'
    // Analysis alone is faster on one thread than the workers' start and their own schema indexes.
    : !anySizeForTests() && !run.rendersAny() ? 'no sample recipients to render for'
    : undefined;
  if (why) {
    debug?.(`mergewise: jobs: ${input.templates.length} templates on the main thread (${why})\n`);
    return run.runHere();
  }
  debug?.(`mergewise: jobs: ${input.templates.length} templates on ${threads} worker threads\n`);
  return runOnWorkers(run, input, job, threads, script);
}

async function runOnWorkers(run: ReportRun, input: ReportRunInput, job: ReportJob, threads: number, script: string): Promise<ReportRunResult> {
  const { Worker: WorkerClass } = require('node:worker_threads') as typeof import('node:worker_threads');
  const batches = Math.ceil(input.templates.length / BATCH_TEMPLATES);
  const arrived = new Map<number, TemplateOutcome[]>();
  const workers: Worker[] = [];
  let sent = 0;
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (worker: Worker) => {
        if (sent >= batches) return;
        const start = sent * BATCH_TEMPLATES;
        worker.postMessage({ batch: sent++, start, end: Math.min(input.templates.length, start + BATCH_TEMPLATES) } satisfies ReportWorkerRequest);
      };
      for (let i = 0; i < threads; i++) {
        const worker = new WorkerClass(script, { workerData: job });
        workers.push(worker);
        worker.on('message', (reply: ReportWorkerReply) => {
          arrived.set(reply.batch, reply.outcomes);
          for (let outcomes = arrived.get(next); outcomes; outcomes = arrived.get(next)) {
            arrived.delete(next++);
            for (const outcome of outcomes) run.add(outcome);
          }
          if (next === batches) resolve();
          else send(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (next < batches) reject(new Error(`a report worker stopped (exit code ${code}) before the report was done`));
        });
        for (let k = 0; k < BATCHES_IN_HAND; k++) send(worker);
      }
    });
  } finally {
    for (const worker of workers) void worker.terminate();
  }
  return run.finish();
}
