/**
 * The send-readiness report shown in VS Code's webview: the server renders the page (core/report)
 * with this script under the panel's nonce, and the client only shows it. The script is the page's
 * one script: it turns a click on a file link into a message, so the editor opens the file at the
 * line; links within the page scroll to their section; it keeps the scroll position across refreshes.
 * Shared by the server and the client, so it imports nothing.
 */

/** Messages from the report's page to the extension. */
export type ReportPanelMessage = { type: 'open'; href: string };

/** Plain browser JavaScript, run in the webview (its syntax is checked by the tests). */
export const REPORT_PANEL_SCRIPT = String.raw`
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const state = vscode.getState() || {};
  document.addEventListener('click', function (event) {
    const link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (!link) return;
    const href = link.getAttribute('href') || '';
    // The webview's own handling would try to navigate: the page is left alone, and the editor opens files.
    event.preventDefault();
    event.stopPropagation();
    if (href.charAt(0) === '#') {
      const target = document.getElementById(decodeURIComponent(href.slice(1)));
      if (target) {
        target.scrollIntoView();
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus({ preventScroll: true });
      }
      return;
    }
    vscode.postMessage({ type: 'open', href: href });
  }, true);
  let saving = false;
  window.addEventListener('scroll', function () {
    if (saving) return;
    saving = true;
    requestAnimationFrame(function () { saving = false; state.scrollY = window.scrollY; vscode.setState(state); });
  });
  if (state.scrollY) window.scrollTo(0, state.scrollY);
})();
`;
