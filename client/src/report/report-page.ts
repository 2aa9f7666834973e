/**
 * The report panel's pure parts, tested without VS Code: the page shown while the server writes the
 * report (or why it could not), and what a click in the report may open: a file inside the
 * reported folder, at a line. Links in the page are relative to the folder
 * (`emails/drafts/a.liquid#L12`, each segment URI-encoded); anything else (a URL with a scheme, an
 * absolute path, a path that climbs out of the folder) opens nothing.
 */
import * as path from 'node:path';
import { escapeHtml } from '../../../protocol/src/email-document';

/** The page shown until the report comes, or instead of it: no script at all, nothing loaded. */
export function reportNoticeHtml(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Send-readiness report</title>
<style>body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 12px 20px; }</style>
</head><body><main><h1>Send-readiness report</h1><p role="status">${escapeHtml(message)}</p></main></body></html>
`;
}

export interface ReportLinkTarget {
  /** Absolute path of the file. */
  file: string;
  /** 0-based line, when the link names one. */
  line?: number;
}

export function reportLinkTarget(folder: string, href: string): ReportLinkTarget | undefined {
  if (typeof href !== 'string' || href === '' || href.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('\\')) return undefined;
  const [pathPart, fragment = ''] = href.split('#', 2);
  let relative: string;
  try {
    relative = pathPart.split('/').map(decodeURIComponent).join(path.sep);
  } catch {
    return undefined; // A malformed escape: not a link the report wrote.
  }
  const file = path.resolve(folder, relative);
  const inside = path.relative(folder, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
  const line = /^L(\d+)$/.exec(fragment);
  return line && Number(line[1]) >= 1 ? { file, line: Number(line[1]) - 1 } : { file };
}
