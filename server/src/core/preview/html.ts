import type { PreviewSegment, RecipientPreview } from './preview';

/**
 * The Content-Security-Policy of an email rendering. Never any script. Remote images, fonts and CSS
 * only when asked for (`remote`), so that a tracking pixel never fires while authoring; `data:`
 * images always show, so inline logos render.
 */
export function previewCsp(remote: boolean): string {
  const https = remote ? ' https:' : '';
  return `default-src 'none'; style-src 'unsafe-inline'${https}; img-src data:${https}; font-src data:${https}; base-uri 'none'; form-action 'none'`;
}

/** No script, no remote anything: the policy of every rendering unless remote content is asked for. */
export const PREVIEW_CSP = previewCsp(false);

const PLAIN_TEXT_EXTENSIONS = ['.txt', '.text'];

/** Plain-text templates (the text part of an email) are shown monospaced, escaped. */
export function isPlainTextTemplate(fileName: string): boolean {
  const lowered = fileName.toLowerCase();
  return PLAIN_TEXT_EXTENSIONS.some((extension) => lowered.endsWith(extension));
}

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
mark.mw[data-start] { cursor: pointer; }
.mw-plain { white-space: pre-wrap; font: 13px ui-monospace, monospace; padding: 10px; }
`;

export interface EmailHtmlOptions {
  /** Plain-text templates are shown monospaced, escaped. */
  plainText: boolean;
}

/**
 * The email body with marks as `<mark>` elements. A mark that falls inside an HTML tag (an `href`,
 * an `alt`), or inside an element whose content is text to the browser (`<style>`, `<title>`,
 * `<script>`, `<textarea>`), is left unwrapped, since an element there would break the markup.
 */
export function markedEmailHtml(preview: RecipientPreview, options: EmailHtmlOptions): string {
  let html = '';
  let insideTag = false;
  let rawText: string | undefined;
  for (const segment of preview.segments) {
    const text = options.plainText ? escapeHtml(segment.text) : segment.text;
    if (segment.mark && !insideTag && !rawText) html += markElement(segment, text);
    else html += text;
    if (!options.plainText) {
      insideTag = endsInsideTag(segment.text, insideTag);
      rawText = endsInsideRawText(segment.text, rawText);
    }
  }
  return options.plainText ? `<pre class="mw-plain">${html}</pre>` : html;
}

const RAW_TEXT_TAG = /<(\/?)(style|script|title|textarea)\b/gi;

/** The raw-text element (`style`…) open at the end of `text`, given the one open before it. */
export function endsInsideRawText(text: string, wasInside: string | undefined): string | undefined {
  let inside = wasInside;
  RAW_TEXT_TAG.lastIndex = 0;
  for (let match = RAW_TEXT_TAG.exec(text); match; match = RAW_TEXT_TAG.exec(text)) {
    const name = match[2].toLowerCase();
    if (match[1]) {
      if (inside === name) inside = undefined;
    } else if (!inside) {
      inside = name;
    }
  }
  return inside;
}

function markElement(segment: PreviewSegment, text: string): string {
  const mark = segment.mark!;
  const title = `${MARK_TITLES[mark.kind]}${mark.field ? `: ${mark.field}` : ''}${mark.updatedAt ? ` (updated ${mark.updatedAt.toISOString().slice(0, 10)})` : ''}`;
  const source = mark.span ? ` data-start="${mark.span.start}" data-end="${mark.span.end}"` : '';
  const shown = mark.kind === 'raw' ? escapeHtml(segment.text) : text;
  return `<mark class="mw mw-${mark.kind}" title="${escapeHtml(title)}"${source}>${shown}</mark>`;
}

function endsInsideTag(text: string, wasInside: boolean): boolean {
  // A `<` starts a tag only before a letter, `/` or `!`: "1 < 2" is text.
  const open = lastIndexOfPattern(text, /<[a-zA-Z/!]/g);
  const close = text.lastIndexOf('>');
  if (open === -1 && close === -1) return wasInside;
  return open > close;
}

function lastIndexOfPattern(text: string, pattern: RegExp): number {
  let last = -1;
  for (const match of text.matchAll(pattern)) last = match.index ?? last;
  return last;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface EmailDocumentOptions {
  /** The document's title. */
  title: string;
  /** Allow https: images, fonts and CSS (never scripts). */
  remote: boolean;
  /** Extra styles for what `before` adds; the template's own styles come after and win. */
  styles?: string;
  /** Markup shown above the email (a summary bar). */
  before?: string;
}

/**
 * One rendering as a standalone document: the CSP comes first, before any byte of the template, so
 * it covers all of it; marks are styled; a `<meta http-equiv="refresh">` in the template is disarmed.
 * The template's own `<html>`/`<head>` tags that follow are merged into this document by the parser.
 * The CLI's pages and the editor's preview frames are both made here.
 */
export function emailDocument(bodyHtml: string, options: EmailDocumentOptions): string {
  return `<!doctype html>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${previewCsp(options.remote)}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style>html { background: #fff; color: #212529; }
${MARK_STYLES}${options.styles ?? ''}</style>
${options.before ?? ''}${disarmHtml(bodyHtml)}`;
}

/** Disables what a template could do without script: `<meta http-equiv="refresh">` navigation. */
export function disarmHtml(html: string): string {
  return html.replace(/<meta\b[^>]*>/gi, (tag) =>
    /http-equiv\s*=\s*["']?\s*refresh/i.test(tag) ? tag.replace(/http-equiv/i, 'data-mw-disabled-http-equiv') : tag);
}

/** What the recipient gets instead of the email, when the template stops the send or does not render. */
export function statusMessage(preview: Pick<RecipientPreview, 'aborted' | 'error'>): string | undefined {
  if (preview.aborted !== undefined) return `This recipient gets no email: the template stops the send (${preview.aborted}).`;
  return preview.error || undefined;
}

/** A standalone page for one recipient: a summary bar, then the email. */
export function recipientPage(preview: RecipientPreview, templateName: string, options: EmailHtmlOptions): string {
  const { recipient } = preview;
  const message = statusMessage(preview);
  const status = message ? `<p class="${preview.aborted !== undefined ? 'mw-abort' : 'mw-error'}">${escapeHtml(message)}</p>\n` : '';
  const bar = `<div class="mw-bar"><strong>${escapeHtml(recipient.name)}</strong>${recipient.jurisdiction ? ` · ${escapeHtml(recipient.jurisdiction)}` : ''} · ${escapeHtml(preview.summary)}</div>\n`;
  return emailDocument(message ? '' : markedEmailHtml(preview, options), {
    title: `${templateName} for ${recipient.name}`,
    remote: false,
    styles: `
.mw-bar { font: 13px system-ui, sans-serif; background: #f1f3f5; border-bottom: 1px solid #ced4da; padding: 6px 10px; }
.mw-abort, .mw-error { font: 14px system-ui, sans-serif; color: #c92a2a; padding: 10px; }
`,
    before: bar + status,
  }) + '\n';
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
