/**
 * The preview panel's HTML, as pure functions of the server's PreviewResult, so that it is tested
 * without VS Code. Safety, in layers:
 * - the panel's CSP defaults to none; the only script is the panel's own, allowed by a nonce that
 *   the template's HTML never carries;
 * - each rendering is in an iframe `srcdoc`, sandboxed without `allow-scripts`, `allow-popups`,
 *   `allow-forms` or any top navigation, so nothing from the template runs or navigates;
 * - the rendering's own document starts with the strict CSP of core/preview/html.ts (the same
 *   renderer as `mergewise preview --out`), and a srcdoc frame also inherits the panel's CSP;
 * - remote images, fonts and CSS load only while "Load remote content" is on (https: only).
 * The frames keep `allow-same-origin` so that the panel's script can read clicks on marks and
 * links in them; with scripts off in the frame, that lends the template nothing.
 */
import { emailDocument, escapeHtml, statusMessage } from '../../../protocol/src/email-document';
import { emailSizeText, emailSizeTitle } from '../../../protocol/src/email-size';
import type { PreviewRecipient, PreviewResult } from '../../../protocol/src/requests';

export type PreviewLayout = 'sideBySide' | 'tabs';
export const PREVIEW_LAYOUTS: readonly PreviewLayout[] = ['sideBySide', 'tabs'];

export interface PanelOptions {
  /** A fresh random value per page: it allows the panel's own script and nothing else. */
  nonce: string;
  /** "Load remote content": https: images, fonts and CSS in the renderings. */
  remoteContent: boolean;
  layout: PreviewLayout;
  /** The recipient shown in the tabs layout (its key). */
  activeTab?: string;
}

/** The sandbox of every rendering: never `allow-scripts`, popups, forms or top navigation. */
export const FRAME_SANDBOX = 'allow-same-origin';

/** The panel's Content-Security-Policy. Renderings in srcdoc frames inherit it on top of their own. */
export function panelCsp(options: Pick<PanelOptions, 'nonce' | 'remoteContent'>): string {
  const https = options.remoteContent ? ' https:' : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src 'unsafe-inline'${https}`,
    `img-src data:${https}`,
    `font-src data:${https}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A stable key per recipient, to keep its frame (and scroll position) across updates. */
export function recipientKey(recipient: Pick<PreviewRecipient, 'file' | 'name'>): string {
  return `${recipient.file}#${recipient.name}`;
}

/** The document inside one recipient's frame. */
export function recipientFrameDocument(recipient: PreviewRecipient, template: string, remoteContent: boolean): string {
  return emailDocument(recipient.html, { title: `${template} for ${recipient.name}`, remote: remoteContent });
}

/** The whole panel: toolbar, legend, and the part that `update` messages replace. */
export function previewPanelHtml(result: PreviewResult | undefined, options: PanelOptions): string {
  const layoutButton = (layout: PreviewLayout, label: string) =>
    `<button type="button" data-action="layout" data-layout="${layout}" aria-pressed="${options.layout === layout}">${label}</button>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${panelCsp(options)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mergewise preview</title>
<style>${PANEL_STYLES}</style>
</head>
<body data-layout="${options.layout}">
<header class="toolbar">
  <div class="group" role="group" aria-label="Layout">${layoutButton('sideBySide', 'Side by side')}${layoutButton('tabs', 'Tabs')}</div>
  <label class="remote" title="Remote images, fonts and CSS are blocked so that tracking pixels never fire while you write. Scripts never run.">
    <input type="checkbox" data-action="remote"${options.remoteContent ? ' checked' : ''}> Load remote content</label>
  <span class="spacer"></span>
  <button type="button" data-action="add" title="Creates a sample recipient whose every optional field is empty">Add sample recipient with missing data</button>
  <button type="button" data-action="pick" title="Adds a recipient JSON file from outside the recipients folder, for this session">Pick recipient file…</button>
</header>
<main>
<div class="legend" role="group" aria-label="Marks">
  <mark class="mw-fallback">fallback</mark> <mark class="mw-blank">blank</mark> <mark class="mw-stale">stale</mark>
  <mark class="mw-raw">raw merge syntax</mark> <span class="hint">Click a mark to see its merge tag.${options.remoteContent ? '' : ' Remote content is blocked.'}</span>
</div>
<div id="content">${previewContentHtml(result, options)}</div>
</main>
<script nonce="${options.nonce}">${PANEL_SCRIPT}</script>
</body></html>
`;
}

/** What changes as the author types: the heading, notices, tabs and one card per recipient. */
export function previewContentHtml(result: PreviewResult | undefined, options: Pick<PanelOptions, 'remoteContent' | 'activeTab'>): string {
  if (!result) return '<p class="notice">Rendering…</p>';
  const heading = `<h1>${escapeHtml(result.template)}${result.dialect ? ` <span class="dim">· ${escapeHtml(result.dialect.label)}</span>` : ''}</h1>`;
  const notice = result.notice ? `<p class="notice">${escapeHtml(result.notice)}</p>` : '';
  const problems = result.problems.length
    ? `<details class="problems"><summary>${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} with recipient files</summary><ul>${result.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></details>`
    : '';
  const keys = result.recipients.map(recipientKey);
  const active = options.activeTab && keys.includes(options.activeTab) ? options.activeTab : keys[0];
  const tabs = result.recipients.length
    ? `<nav class="tabs" role="tablist">${result.recipients.map((recipient, index) => {
      const selected = keys[index] === active;
      return `<button type="button" role="tab" data-action="tab" data-key="${escapeHtml(keys[index])}" aria-selected="${selected}"${selected ? ' class="active"' : ''}>${escapeHtml(recipient.name)}${tabBadge(recipient)}</button>`;
    }).join('')}</nav>`
    : '';
  const cards = result.recipients.map((recipient, index) => recipientCard(result, recipient, keys[index], keys[index] === active, options.remoteContent)).join('\n');
  return `${heading}${notice}${problems}${tabs}<div id="cards">${cards}</div>`;
}

function tabBadge(recipient: PreviewRecipient): string {
  if (recipient.aborted !== undefined) return ' <span class="badge abort" title="gets no email">no email</span>';
  if (recipient.error) return ' <span class="badge error" title="not rendered">!</span>';
  const notable = recipient.counts.fallback + recipient.counts.blank + recipient.counts.stale + recipient.counts.raw;
  const clipped = recipient.clipped && recipient.size !== undefined
    ? ` <span class="badge clipped" title="${escapeHtml(emailSizeText(recipient.size))}">clipped</span>`
    : '';
  return (notable ? ` <span class="badge" title="${escapeHtml(recipient.summary)}">${notable}</span>` : '') + clipped;
}

/** The rendered size, and whether Gmail clips it: `4.1 KB`, `118.2 KB — Gmail clips this`. */
function sizeLine(recipient: PreviewRecipient): string {
  if (recipient.size === undefined) return '';
  return `<p class="size${recipient.clipped ? ' clipped' : ''}" title="${escapeHtml(emailSizeTitle(recipient.size))}">${escapeHtml(emailSizeText(recipient.size))}</p>`;
}

function recipientCard(result: PreviewResult, recipient: PreviewRecipient, key: string, active: boolean, remoteContent: boolean): string {
  const status = statusMessage(recipient);
  const body = status
    ? `<p class="${recipient.aborted !== undefined ? 'abort' : 'error'}">${escapeHtml(recipient.aborted !== undefined ? `This recipient gets no email: ${recipient.aborted}` : status)}</p>`
    : `<iframe class="email" sandbox="${FRAME_SANDBOX}" referrerpolicy="no-referrer" title="${escapeHtml(`${result.template} for ${recipient.name}`)}" srcdoc="${escapeHtml(recipientFrameDocument(recipient, result.template, remoteContent))}"></iframe>`;
  const counts = recipient.counts;
  const level = recipient.aborted !== undefined || recipient.error || counts.blank || counts.raw ? 'bad' : counts.fallback || counts.stale ? 'warn' : 'ok';
  return `<section class="card${active ? ' active' : ''}" data-key="${escapeHtml(key)}">
<div class="card-head">
<h2>${escapeHtml(recipient.name)}${recipient.jurisdiction ? ` <span class="dim">· ${escapeHtml(recipient.jurisdiction)}</span>` : ''}${recipient.picked ? ' <span class="dim">· picked</span>' : ''}</h2>
<p class="summary ${level}">${escapeHtml(recipient.summary)}</p>
${sizeLine(recipient)}<div class="actions"><button type="button" data-action="open" data-file="${escapeHtml(recipient.file)}" title="${escapeHtml(recipient.file)}">Open</button>${recipient.picked ? `<button type="button" data-action="unpick" data-file="${escapeHtml(recipient.file)}">Remove</button>` : ''}</div>
</div>
<div class="card-body">${body}</div>
</section>`;
}

/*
 * Text colours that keep a 4.5:1 contrast on the editor's background: VS Code's own warning and
 * passed colours are meant for icons, and in the light themes fall short of that as text.
 */
const PANEL_STYLES = `
body { --mw-ok: var(--vscode-testing-iconPassed, #388a34); --mw-warn: var(--vscode-editorWarning-foreground, #bf8803); --mw-bad: var(--vscode-editorError-foreground, #e51400); }
body.vscode-light { --mw-ok: #1a7f37; --mw-warn: #8a5a00; --mw-bad: #cf222e; }
body.vscode-dark { --mw-ok: #3fb950; --mw-warn: #d29922; --mw-bad: #ff7b72; }
/* The page's own background: without it, the text's contrast is against whatever is behind the frame. */
html { background: var(--vscode-editor-background); }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); margin: 0; padding: 0 12px 12px; }
.toolbar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 0; background: var(--vscode-editor-background); border-bottom: 1px solid var(--vscode-panel-border); }
.toolbar .spacer { flex: 1; }
button { font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 8px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.group { display: inline-flex; }
.group button[aria-pressed="true"] { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
.legend { margin: 6px 0; }
.legend mark { color: #000; border-radius: 2px; padding: 0 3px; }
.legend .mw-fallback { background: #fff3bf; outline: 1px dashed #f08c00; }
.legend .mw-blank { background: #ffe3e3; outline: 1px dashed #e03131; }
.legend .mw-stale { background: #e5dbff; outline: 1px dashed #7048e8; }
.legend .mw-raw { background: #ffc9c9; outline: 2px solid #c92a2a; }
.hint, .dim { color: var(--vscode-descriptionForeground); font-weight: normal; }
h1 { font-size: 1.1em; margin: 8px 0; }
h2 { font-size: 1em; margin: 0; }
.notice { padding: 8px; border-left: 3px solid var(--vscode-editorInfo-foreground, #3794ff); background: var(--vscode-textBlockQuote-background); }
.problems { margin: 6px 0; color: var(--mw-warn); }
/* Each column is wide enough for a 600 px email; more recipients scroll sideways. */
#cards { display: flex; gap: 12px; overflow-x: auto; align-items: stretch; }
.card { flex: 1 0 624px; max-width: 760px; display: flex; flex-direction: column; border: 1px solid var(--vscode-panel-border); border-radius: 4px; }
.card-head { padding: 6px 8px; display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
.card-head .summary { grid-column: 1; margin: 0; }
.card-head .actions { grid-column: 2; grid-row: 1 / span 3; align-self: center; display: flex; gap: 4px; }
.summary.ok { color: var(--mw-ok); }
.summary.warn { color: var(--mw-warn); }
.summary.bad { color: var(--mw-bad); }
.card-head .size { grid-column: 1; margin: 0; color: var(--vscode-descriptionForeground); }
.card-head .size.clipped { font-weight: 600; color: var(--mw-bad); }
.badge.clipped { background: #cf222e; color: #fff; }
.card-body { flex: 1; }
iframe.email { display: block; width: 100%; height: calc(100vh - 190px); min-height: 320px; border: 0; background: #fff; }
.abort, .error { margin: 12px; font-weight: 600; color: var(--mw-bad); }
.tabs { display: none; gap: 2px; border-bottom: 1px solid var(--vscode-panel-border); margin-bottom: 8px; flex-wrap: wrap; }
.tabs button { border-radius: 2px 2px 0 0; }
.tabs button.active { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
.badge { display: inline-block; min-width: 1.2em; padding: 0 4px; margin-left: 4px; border-radius: 8px; font-size: .85em; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.badge.abort, .badge.error { background: #cf222e; color: #fff; }
body[data-layout="tabs"] .tabs { display: flex; }
body[data-layout="tabs"] #cards { display: block; }
body[data-layout="tabs"] .card { max-width: none; }
body[data-layout="tabs"] .card:not(.active) { display: none; }
`;

/**
 * The panel's own script (allowed by the nonce). It runs in the webview, not in Node: plain
 * browser JavaScript, checked for syntax by the tests. It switches layout and tabs, passes button
 * clicks to the extension, and, on each update, replaces what changed while keeping every frame
 * whose rendering is the same, and the scroll position of the ones it reloads.
 */
export const PANEL_SCRIPT = String.raw`
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const state = vscode.getState() || {};
  const content = document.getElementById('content');
  const wired = new WeakSet();

  function post(message) { vscode.postMessage(message); }
  function save(changes) { Object.assign(state, changes); vscode.setState(state); }

  function setLayout(layout) {
    document.body.dataset.layout = layout;
    document.querySelectorAll('[data-action="layout"]').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.dataset.layout === layout));
    });
  }

  function cards() { return Array.prototype.slice.call(content.querySelectorAll('section.card')); }

  function selectTab(key) {
    const all = cards();
    if (!all.some(function (card) { return card.dataset.key === key; })) key = all.length ? all[0].dataset.key : undefined;
    all.forEach(function (card) { card.classList.toggle('active', card.dataset.key === key); });
    content.querySelectorAll('[data-action="tab"]').forEach(function (tab) {
      const selected = tab.dataset.key === key;
      tab.classList.toggle('active', selected);
      tab.setAttribute('aria-selected', String(selected));
    });
    save({ activeTab: key });
    return key;
  }

  document.addEventListener('click', function (event) {
    const target = event.target && event.target.closest ? event.target.closest('[data-action]') : null;
    if (!target || target.dataset.action === 'remote') return;
    switch (target.dataset.action) {
      case 'layout': setLayout(target.dataset.layout); post({ type: 'layout', layout: target.dataset.layout }); break;
      case 'tab': post({ type: 'tab', key: selectTab(target.dataset.key) }); break;
      case 'open': post({ type: 'open', file: target.dataset.file }); break;
      case 'unpick': post({ type: 'unpick', file: target.dataset.file }); break;
      case 'add': post({ type: 'addRecipient' }); break;
      case 'pick': post({ type: 'pickRecipient' }); break;
    }
  });
  document.addEventListener('change', function (event) {
    const target = event.target;
    if (target && target.dataset && target.dataset.action === 'remote') post({ type: 'remote', on: target.checked });
  });

  // Clicks inside a rendering: a mark reveals its merge tag; a link is shown, never followed.
  function onFrameClick(event) {
    const element = event.target && event.target.closest ? event.target : event.target && event.target.parentElement;
    if (!element || !element.closest) return;
    const link = element.closest('a[href], area[href]');
    if (link) {
      event.preventDefault();
      post({ type: 'link', href: link.getAttribute('href') });
    }
    const mark = element.closest('mark[data-start]');
    if (!mark) return;
    // A mark inside a partial names the partial's file; a mark in the template itself names none.
    const reveal = { type: 'reveal', start: Number(mark.dataset.start), end: Number(mark.dataset.end) };
    if (mark.dataset.file) reveal.file = mark.dataset.file;
    post(reveal);
  }

  function wireDocument(frame) {
    let doc;
    try { doc = frame.contentDocument; } catch (error) { return; }
    if (!doc || wired.has(doc)) return;
    wired.add(doc);
    doc.addEventListener('click', onFrameClick, true);
    doc.addEventListener('auxclick', function (event) { event.preventDefault(); }, true);
    doc.addEventListener('submit', function (event) { event.preventDefault(); }, true);
    const top = Number(frame.dataset.scrollTop || 0);
    if (top && doc.scrollingElement) doc.scrollingElement.scrollTop = top;
  }

  function wireFrame(frame) {
    frame.addEventListener('load', function () { wireDocument(frame); });
    if (frame.contentDocument && frame.contentDocument.readyState === 'complete') wireDocument(frame);
  }

  function rememberScroll(frame) {
    try {
      const scroller = frame.contentDocument && frame.contentDocument.scrollingElement;
      frame.dataset.scrollTop = String(scroller ? scroller.scrollTop : 0);
    } catch (error) { frame.dataset.scrollTop = '0'; }
  }

  // Replaces the content, keeping each recipient's frame when only its rendering changed.
  function update(html) {
    const next = document.createElement('template');
    next.innerHTML = html;
    const old = new Map();
    cards().forEach(function (card) { old.set(card.dataset.key, card); });
    const nextCards = Array.prototype.slice.call(next.content.querySelectorAll('section.card'));
    const oldOrder = cards().map(function (card) { return card.dataset.key; }).join('\n');
    const newOrder = nextCards.map(function (card) { return card.dataset.key; }).join('\n');
    if (oldOrder !== newOrder || !content.querySelector('#cards')) {
      content.innerHTML = html;
    } else {
      Array.prototype.slice.call(content.childNodes).forEach(function (node) {
        if (node.id !== 'cards') content.removeChild(node);
      });
      const cardsHost = content.querySelector('#cards');
      Array.prototype.slice.call(next.content.childNodes).forEach(function (node) {
        if (node.id !== 'cards') content.insertBefore(node, cardsHost);
      });
      nextCards.forEach(function (card) {
        const current = old.get(card.dataset.key);
        current.querySelector('.card-head').replaceWith(card.querySelector('.card-head'));
        const frame = current.querySelector('iframe.email');
        const nextFrame = card.querySelector('iframe.email');
        if (frame && nextFrame) {
          if (frame.getAttribute('srcdoc') !== nextFrame.getAttribute('srcdoc')) {
            rememberScroll(frame);
            frame.setAttribute('srcdoc', nextFrame.getAttribute('srcdoc'));
          }
        } else {
          current.querySelector('.card-body').replaceWith(card.querySelector('.card-body'));
        }
      });
    }
    content.querySelectorAll('iframe.email').forEach(function (frame) {
      if (!frame.dataset.wired) { frame.dataset.wired = '1'; wireFrame(frame); }
    });
    selectTab(state.activeTab);
  }

  window.addEventListener('message', function (event) {
    const message = event.data || {};
    if (message.type === 'update') update(message.html);
    else if (message.type === 'layout') setLayout(message.layout);
  });

  content.querySelectorAll('iframe.email').forEach(function (frame) { frame.dataset.wired = '1'; wireFrame(frame); });
  const initial = content.querySelector('[data-action="tab"].active');
  selectTab(state.activeTab || (initial && initial.dataset.key));
  post({ type: 'ready' });
})();
`;
