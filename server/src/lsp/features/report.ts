/**
 * `mergewise/report`: the send-readiness report of a workspace folder, from the same run as
 * `mergewise report` (core/report/run.ts), over the project's view of the files (open documents
 * first, so unsaved edits count) and its include graph, as a page for the client's webview. Links
 * are relative to the folder; the page's one script runs under the client's nonce.
 *
 * A report of a large workspace takes seconds: it runs a template at a time, in slices of
 * SLICE_MS, and lets the server answer other requests (a hover, a preview, diagnostics) between
 * them. A request the client cancels (a newer one replaces it) stops at the next slice.
 */
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { reportHtml } from '../../core/report/html';
import { relativeLink, ReportRun } from '../../core/report/run';
import { toPosix } from '../../core/workspace';
import type { ReportResult } from '../../../../protocol/src/requests';
import { pathToUri } from '../convert';
import type { Project } from '../project';

/** A nonce goes into the page's policy and an attribute: base64 from a random source, nothing else. */
const NONCE = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/** How long the report works before it lets other requests in. */
const SLICE_MS = 30;

export async function workspaceReport(
  project: Project, folder: string, nonce: string, now: Date, token?: CancellationToken,
): Promise<ReportResult | ResponseError> {
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) {
    return new ResponseError(LSPErrorCodes.RequestFailed, 'Mergewise: the report needs a nonce of at least 16 base64 characters for its page\'s script.');
  }
  const templates = project.fileSystem.listFiles(folder)
    .sort(bySegments)
    .map((file) => path.join(folder, file))
    .filter((file) => project.isTemplate(file));
  const steps = new ReportRun({
    fs: project.fileSystem,
    index: project.schemas,
    partials: project.partials,
    templates,
    paths: ['.'],
    display: (file) => toPosix(path.relative(folder, file)) || path.basename(file),
    linkTo: (file) => relativeLink(folder, file),
    now,
  }).steps();
  let sliceStart = Date.now();
  let step = steps.next();
  while (!step.done) {
    if (Date.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'The report was cancelled.');
      sliceStart = Date.now();
    }
    step = steps.next();
  }
  const { report, frames } = step.value;
  return {
    folder: pathToUri(folder),
    html: reportHtml(report, { frames, webview: { nonce } }),
    templates: report.overall.templates,
    ready: report.overall.ready,
  };
}

/** Folder by folder, as `mergewise report` walks them: the order the report lists templates in. */
function bySegments(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return left.length - right.length;
}
