/**
 * A check worker (dist/check-worker.js; see jobs.ts). First it tests its share of the templates for
 * includes and says which may hold one; given the templates its include graph is to read, it checks
 * the batches of templates the main thread sends, with a TemplateChecker of its own, and sends back
 * each batch's report (check-batch.ts), as the main thread does with the batches it checks itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunSchemaIndex, TemplateChecker } from './check';
import { BatchChecker, mayIncludeAmong } from './check-batch';
import type { MainMessage, WorkerInit, WorkerMessage } from './jobs';
import { nodeFileSystem } from '../node-fs';

const init = workerData as WorkerInit;
/** Only for tests of the command line: the worker stops at its first batch, as one that ran out of memory would. */
const STOP_AT_FIRST_BATCH = Boolean(process.env.MERGEWISE_TEST_WORKER_STOPS);
const port = parentPort!;
let batches: BatchChecker | undefined;

port.postMessage({ type: 'prescan', mayInclude: mayIncludeAmong(init.prescan).found } satisfies WorkerMessage);

port.on('message', (message: MainMessage) => {
  if (message.type === 'universe') {
    const { files } = message;
    const checker = new TemplateChecker({
      paths: [],
      cwd: init.cwd,
      maxFileSize: init.maxFileSize,
      severityOverrides: init.severityOverrides,
      now: init.now === undefined ? undefined : new Date(init.now),
    }, init.templates, new RunSchemaIndex(nodeFileSystem, init.severityOverrides), () => files);
    batches = new BatchChecker(checker, init.templates, init);
    return;
  }
  if (STOP_AT_FIRST_BATCH) process.exit(70);
  const result = batches!.check(message.batch, message.start, message.end);
  port.postMessage(result, result.text === undefined ? [result.bytes] : []);
});
