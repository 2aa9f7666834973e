import type { PreviewSegment, RecipientPreview } from './preview';

/**
 * No script, no remote anything: a tracking pixel in the template must never fire while authoring.
 * `data:` images still show, so inline logos render.
 */
export const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const MARK_TITLES = {
  value: 'value',
  fallback: 'fallback used',
  blank: 'blank: nothing was shown',
  stale: 'stale value',
  raw: 'raw merge syntax would reach the inbox',
} as const;

export const MARK_STYLES = `
mark.mw { border-radius: 2px; padding: 0 1px; color: inherit; }
mark.mw-value { background: transparent; }
mark.mw-fallback { background: #fff3bf; outline: 1px dashed #f08c00; }
mark.mw-blank { background: #ffe3e3; outline: 1px dashed #e03131; display: inline-block; min-width: 1.5em; min-height: 1em; }
mark.mw-stale { background: #e5dbff; outline: 1px dashed #7048e8; }
mark.mw-raw { background: #ffc9c9; outline: 2px solid #c92a2a; }
`;

export interface EmailHtmlOptions {
  /** Plain-text templates are shown monospaced, escaped. */
  plainText: boolean;
}

/**
 * The email body with marks as `<mark>` elements. A mark that falls inside an HTML tag (an `href`,
 * an `alt`) is left unwrapped, since an element there would break the markup.
 */
export function markedEmailHtml(preview: RecipientPreview, options: EmailHtmlOptions): string {
  let html = '';
  let insideTag = false;
  for (const segment of preview.segments) {
    const text = options.plainText ? escapeHtml(segment.text) : segment.text;
    if (segment.mark && !insideTag) html += markElement(segment, text);
    else html += text;
    if (!options.plainText) insideTag = endsInsideTag(segment.text, insideTag);
  }
  return options.plainText ? `<pre class="mw-plain">${html}</pre>` : html;
}

function markElement(segment: PreviewSegment, text: string): string {
  const mark = segment.mark!;
  const title = `${MARK_TITLES[mark.kind]}${mark.field ? `: ${mark.field}` : ''}${mark.updatedAt ? ` (updated ${mark.updatedAt.toISOString().slice(0, 10)})` : ''}`;
  const source = mark.span ? ` data-start="${mark.span.start}" data-end="${mark.span.end}"` : '';
  const shown = mark.kind === 'raw' ? escapeHtml(segment.text) : text;
  return `<mark class="mw mw-${mark.kind}" title="${escapeHtml(title)}"${source}>${shown}</mark>`;
}

function endsInsideTag(text: string, wasInside: boolean): boolean {
  const open = text.lastIndexOf('<');
  const close = text.lastIndexOf('>');
  if (open === -1 && close === -1) return wasInside;
  return open > close;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A standalone page for one recipient: a summary bar, then the email. */
export function recipientPage(preview: RecipientPreview, templateName: string, options: EmailHtmlOptions): string {
  const { recipient } = preview;
  const status = preview.aborted !== undefined
    ? `<p class="mw-abort">This recipient gets no email: the template stops the send (${escapeHtml(preview.aborted)}).</p>`
    : preview.error ? `<p class="mw-error">${escapeHtml(preview.error)}</p>` : '';
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}">
<title>${escapeHtml(templateName)} for ${escapeHtml(recipient.name)}</title>
<style>${MARK_STYLES}
.mw-bar { font: 13px system-ui, sans-serif; background: #f1f3f5; border-bottom: 1px solid #ced4da; padding: 6px 10px; }
.mw-abort, .mw-error { font: 14px system-ui, sans-serif; color: #c92a2a; padding: 10px; }
.mw-plain { white-space: pre-wrap; font: 13px ui-monospace, monospace; padding: 10px; }
</style></head>
<body>
<div class="mw-bar"><strong>${escapeHtml(recipient.name)}</strong>${recipient.jurisdiction ? ` · ${escapeHtml(recipient.jurisdiction)}` : ''} · ${escapeHtml(preview.summary)}</div>
${status}${preview.aborted === undefined && !preview.error ? markedEmailHtml(preview, options) : ''}
</body></html>
`;
}

/** The index page: every recipient's rendering side by side. */
export function indexPage(templateName: string, pages: { file: string; preview: RecipientPreview }[]): string {
  const columns = pages.map(({ file, preview }) => `<section>
<h2>${escapeHtml(preview.recipient.name)}</h2><p>${escapeHtml(preview.summary)}</p>
<iframe src="${escapeHtml(file)}" sandbox title="${escapeHtml(preview.recipient.name)}"></iframe>
</section>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; frame-src 'self' file:">
<title>${escapeHtml(templateName)}: every recipient</title>
<style>
body { font: 13px system-ui, sans-serif; margin: 0; }
main { display: flex; gap: 12px; padding: 12px; overflow-x: auto; }
section { flex: 0 0 480px; }
h2 { font-size: 15px; margin: 0 0 2px; } p { margin: 0 0 6px; color: #495057; }
iframe { width: 100%; height: 80vh; border: 1px solid #ced4da; }
</style></head>
<body><main>
${columns}
</main></body></html>
`;
}
