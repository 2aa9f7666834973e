import { emailDocument, escapeHtml, statusMessage } from '../../../../protocol/src/email-document';
import { emailSizeText } from '../../../../protocol/src/email-size';
import type { PreviewSegment, RecipientPreview } from './preview';
import { endsInsideRawText } from './raw-text';

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

function markElement(segment: PreviewSegment, text: string): string {
  const mark = segment.mark!;
  const title = `${MARK_TITLES[mark.kind]}${mark.field ? `: ${mark.field}` : ''}${mark.updatedAt ? ` (updated ${mark.updatedAt.toISOString().slice(0, 10)})` : ''}` +
    (mark.connected ? `: ${mark.connected.written}, ${mark.connected.description.replace(/`/g, '')}` +
      (mark.connected.mocked ? ' (mock response)' : '; not fetched in a preview: add a mock response under "$connected" in the recipient file') : '');
  // Inside included content, the merge tag is in the partial's file.
  const source = mark.span
    ? ` data-start="${mark.span.start}" data-end="${mark.span.end}"${mark.file ? ` data-file="${escapeHtml(mark.file)}"` : ''}`
    : '';
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

/** A standalone page for one recipient: a summary bar, then the email. */
export function recipientPage(preview: RecipientPreview, templateName: string, options: EmailHtmlOptions): string {
  const { recipient } = preview;
  const message = statusMessage(preview);
  const status = message ? `<p class="${preview.aborted !== undefined ? 'mw-abort' : 'mw-error'}">${escapeHtml(message)}</p>\n` : '';
  const bar = `<div class="mw-bar"><strong>${escapeHtml(recipient.name)}</strong>${recipient.jurisdiction ? ` · ${escapeHtml(recipient.jurisdiction)}` : ''} · ${escapeHtml(summaryWithSize(preview))}</div>\n`;
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

/** The summary and the rendered size, with Gmail's clipping when it applies: `0 fallbacks, 1 blank, 0 stale · 118.2 KB — Gmail clips this`. */
export function summaryWithSize(preview: RecipientPreview): string {
  return preview.size === undefined ? preview.summary : `${preview.summary} · ${emailSizeText(preview.size)}`;
}

/** The index page: every recipient's rendering side by side. */
export function indexPage(templateName: string, pages: { file: string; preview: RecipientPreview }[]): string {
  const columns = pages.map(({ file, preview }) => `<section>
<h2>${escapeHtml(preview.recipient.name)}</h2><p>${escapeHtml(summaryWithSize(preview))}</p>
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
