/**
 * A report worker (dist/report-worker.js; see report-jobs.ts): builds the same run input as the
 * main thread, with a schema index and include graph of its own, and answers each batch of template
 * positions with their outcomes (`ReportRun.template`), which the main thread adds in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReportRun } from '../core/report/run';
import { reportRunInput } from './report';
import type { ReportJob, ReportWorkerReply, ReportWorkerRequest } from './report-jobs';

const job = workerData as ReportJob;
const port = parentPort!;
const run = new ReportRun(reportRunInput(job));

port.on('message', ({ batch, start, end }: ReportWorkerRequest) => {
  const outcomes = [];
  for (let i = start; i < end; i++) outcomes.push(run.template(job.templates[i], i));
  port.postMessage({ batch, outcomes } satisfies ReportWorkerReply);
});
