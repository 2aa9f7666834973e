/**
 * The frame every email rendering is shown in, by the command line's pages and by the editor's
 * preview alike: the Content-Security-Policy, the styles of the marks, escaping, and what the
 * recipient gets instead of an email. Shared by the server and the VS Code client, so it imports nothing.
 */

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

const MARK_STYLES = `
mark.mw { border-radius: 2px; padding: 0 1px; color: inherit; }
mark.mw-value { background: transparent; }
mark.mw-fallback { background: #fff3bf; outline: 1px dashed #f08c00; }
mark.mw-blank { background: #ffe3e3; outline: 1px dashed #e03131; display: inline-block; min-width: 1.5em; min-height: 1em; }
mark.mw-stale { background: #e5dbff; outline: 1px dashed #7048e8; }
mark.mw-raw { background: #ffc9c9; outline: 2px solid #c92a2a; }
mark.mw[data-start] { cursor: pointer; }
.mw-plain { white-space: pre-wrap; font: 13px ui-monospace, monospace; padding: 10px; }
`;

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
function disarmHtml(html: string): string {
  return html.replace(/<meta\b[^>]*>/gi, (tag) =>
    /http-equiv\s*=\s*["']?\s*refresh/i.test(tag) ? tag.replace(/http-equiv/i, 'data-mw-disabled-http-equiv') : tag);
}

/** What the recipient gets instead of the email, when the template stops the send or does not render. */
export function statusMessage(preview: { aborted?: string; error?: string }): string | undefined {
  if (preview.aborted !== undefined) return `This recipient gets no email: the template stops the send (${preview.aborted}).`;
  return preview.error || undefined;
}
