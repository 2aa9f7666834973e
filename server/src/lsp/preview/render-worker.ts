/**
 * The render worker (dist/render-worker.js): renders previews off the language server's thread, so a
 * template that loops or balloons never delays diagnostics or completion. The server stops this
 * thread when one rendering runs over its time budget.
 */
import { parentPort } from 'node:worker_threads';
import type { Dialect, TemplateScan } from '../../core/dialects/dialect';
import { getDialect } from '../../core/dialects/registry';
import { markedEmailHtml } from '../../core/preview/html';
import { partialLookup } from '../../core/partials/render';
import { previewTemplate } from '../../core/preview/preview';
import type { PreviewRecipient } from '../../../../protocol/src/requests';
import type { FromWorker, RenderJob, ToWorker } from './messages';

const port = parentPort;
if (!port) throw new Error('render-worker.js runs as a worker thread of the Mergewise language server.');

/** The last scan, reused while the text is the same (each recipient of a job, and unchanged documents). */
let lastScan: { text: string; dialect: Dialect; scan: TemplateScan } | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type !== 'render') return;
  const { id, job } = message;
  for (let index = message.start; index < job.recipients.length; index++) {
    send({ type: 'result', id, index, result: renderOne(job, index) });
  }
  send({ type: 'done', id });
});
send({ type: 'ready' });

function send(message: FromWorker): void {
  port!.postMessage(message);
}

/** One recipient's rendering; any failure is reported on that recipient, never thrown. */
function renderOne(job: RenderJob, index: number): PreviewRecipient {
  const recipient = job.recipients[index];
  const base = {
    name: recipient.name,
    file: recipient.file,
    ...(recipient.jurisdiction ? { jurisdiction: recipient.jurisdiction } : {}),
    ...(recipient.picked ? { picked: true } : {}),
  };
  try {
    const dialect = getDialect(job.dialect, job.schema);
    if (!lastScan || lastScan.text !== job.text || lastScan.dialect !== dialect) {
      lastScan = { text: job.text, dialect, scan: dialect.scan(job.text) };
    }
    const partial = Object.keys(job.partials).length ? partialLookup(job.partials, dialect) : undefined;
    const preview = previewTemplate({
      text: job.text, dialect, scan: lastScan.scan, schema: job.schema, recipient, now: job.now, limits: job.limits, ...(partial ? { partial } : {}),
    });
    const rendered = preview.aborted === undefined && !preview.error;
    return {
      ...base,
      summary: preview.summary,
      counts: preview.counts,
      ...(preview.aborted !== undefined ? { aborted: preview.aborted } : {}),
      ...(preview.error ? { error: preview.error } : {}),
      ...(preview.size !== undefined ? { size: preview.size, clipped: preview.clipped ?? false } : {}),
      html: rendered ? markedEmailHtml(preview, { plainText: job.plainText }) : '',
    };
  } catch (error) {
    return {
      ...base,
      summary: 'not rendered',
      counts: { fallback: 0, blank: 0, stale: 0, raw: 0 },
      error: `Mergewise could not render this template: ${error instanceof Error ? error.message : String(error)}`,
      html: '',
    };
  }
}
