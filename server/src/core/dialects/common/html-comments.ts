import type { PurposeDirective } from '../dialect';
import { findPurposeDirectives } from '../directives';

/**
 * Finds `mergewise purpose:` directives in HTML comments, for platforms whose merge language has no
 * comment of its own (Mailchimp, Marketo). Unlike a template comment, an HTML comment does reach the
 * recipient's HTML source (not the rendered email): keep directives free of anything private.
 */
export function findHtmlCommentDirectives(text: string, into: PurposeDirective[]): void {
  for (let open = text.indexOf('<!--'); open !== -1; open = text.indexOf('<!--', open + 4)) {
    const close = text.indexOf('-->', open + 4);
    const end = close === -1 ? text.length : close;
    findPurposeDirectives(text.slice(open + 4, end), open + 4, into);
    if (close === -1) return;
    open = close - 1;
  }
}

/** The directive comment for those platforms. */
export function htmlPurposeDirective(purposeIds: string[]): string {
  return `<!-- mergewise purpose: ${purposeIds.join(', ')} -->`;
}
