/**
 * A check worker (dist/check-worker.js; see jobs.ts). First it tests its share of the templates for
 * includes and says which may hold one; given the templates its include graph is to read, it checks
 * the batches of templates the main thread sends, with a TemplateChecker of its own, and sends back
 * each batch's report bytes as the run's writer would write them after other files (text: its
 * lines, but the last), with the batch's counts and notices.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TemplateChecker, severityCounts, type CheckReport, type DiagnosticReport, type FileReport, type SeverityCounts } from './check';
import { textWriter } from './formats';
import { FileSerializer, type MainMessage, type WorkerInit, type WorkerMessage } from './jobs';
import { MAY_INCLUDE } from '../core/partials/workspace';
import { SchemaIndex } from '../core/workspace';
import { nodeFileSystem } from '../node-fs';

const init = workerData as WorkerInit;
const port = parentPort!;
const serializer = init.format === 'text' ? undefined : new FileSerializer(init.format, init.showHints);
/** Text reports: the lines of the batch, written as the run's writer writes them. */
const lines: string[] = [];
const text = serializer ? undefined : textWriter((line) => lines.push(line), { color: init.color, showHints: init.showHints });
let checker: TemplateChecker | undefined;

const mayInclude: string[] = [];
for (const file of init.prescan) {
  let text: string | undefined;
  try {
    text = nodeFileSystem.readText(file);
  } catch {
    // The include graph reads it again, and says why it could not.
    mayInclude.push(file);
    continue;
  }
  if (text !== undefined && MAY_INCLUDE.test(text)) mayInclude.push(file);
}
port.postMessage({ type: 'prescan', mayInclude } satisfies WorkerMessage);

port.on('message', (message: MainMessage) => {
  if (message.type === 'universe') {
    const { files } = message;
    checker = new TemplateChecker({
      paths: [],
      cwd: init.cwd,
      maxFileSize: init.maxFileSize,
      severityOverrides: init.severityOverrides,
      now: init.now === undefined ? undefined : new Date(init.now),
    }, init.templates, new SchemaIndex(nodeFileSystem), () => files);
    return;
  }
  const { batch, start, end } = message;
  const report: CheckReport = {
    summary: { files: 0, errors: 0, warnings: 0, information: 0, hints: 0, skipped: 0 },
    notices: [],
    configurationErrors: [],
  };
  let files = 0;
  const counts: SeverityCounts = [0, 0, 0, 0];
  let last: FileReport | undefined;
  let hiddenHint: DiagnosticReport | undefined;
  for (let i = start; i < end; i++) {
    const file = checker!.check(init.templates[i], report);
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
      if (d.severity === 'hint' && !init.showHints) {
        hiddenHint ??= d;
        continue;
      }
      if (last) text!.file(last);
      last = { path: file.path, dialect: file.dialect, diagnostics: [d], fields: [] };
    }
  }
  const bytes = serializer ? serializer.take() : Buffer.alloc(0);
  const result: WorkerMessage = {
    type: 'batch', batch, bytes: bytes.buffer as ArrayBuffer, files, counts, notices: report.notices, skipped: report.summary.skipped,
  };
  if (text) {
    result.text = lines.join('');
    lines.length = 0;
    if (last || hiddenHint) {
      result.last = last ?? { path: '', dialect: null, diagnostics: [], fields: [] };
      if (hiddenHint) result.last.diagnostics.unshift(hiddenHint);
    }
  }
  port.postMessage(result, serializer ? [bytes.buffer as ArrayBuffer] : []);
});
