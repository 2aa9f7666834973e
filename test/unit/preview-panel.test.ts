/**
 * The preview panel's HTML, without VS Code: its CSP, the sandbox of each rendering, and that
 * nothing from a hostile template can run, navigate or fetch.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAME_SANDBOX, PANEL_SCRIPT, panelCsp, previewContentHtml, previewPanelHtml, recipientKey, type PanelOptions,
} from '../../client/src/preview/panel-html';
import { liquid } from '../../server/src/core/dialects/liquid';
import { markedEmailHtml } from '../../server/src/core/preview/html';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import type { PreviewRecipient, PreviewResult } from '../../protocol/src/requests';
import { NOW, schemaOf } from '../helpers/schema';

const NONCE = 'n0nce+R4nd0m/value==';
const OPTIONS: PanelOptions = { nonce: NONCE, remoteContent: false, layout: 'sideBySide' };

const SCHEMA = schemaOf({ fields: { 'customer.first_name': { type: 'string' }, 'customer.city': { type: 'string' } } });

const HOSTILE = `<!doctype html><html><head>
<meta http-equiv="refresh" content="0; url=https://evil.example/">
<script>parent.postMessage('pwned', '*')</script>
<script nonce="${NONCE}">alert('guessed the nonce')</script>
<link rel="stylesheet" href="https://fonts.example/track.css">
</head><body onload="alert(1)">
<p>Hi {{ customer.first_name | default: "there" }} from {{ customer.city }}</p>
<img src="https://tracker.example/pixel.gif?u={{ customer.first_name }}" onerror="alert(2)">
<a href="javascript:alert(3)">click</a> <a href="https://example.com/" target="_top">site</a>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/post"><input name="q"></form>
<svg><script>alert(4)</script></svg>
</body></html>`;

function rendered(text: string, data: object, name = 'Ana'): PreviewRecipient {
  const recipient = parseRecipients(JSON.stringify({ $name: name, ...data }), `/ws/recipients/${name.toLowerCase()}.json`).recipients[0];
  const preview = previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient, now: NOW });
  return {
    name, file: recipient.file, summary: preview.summary, counts: preview.counts,
    ...(preview.aborted !== undefined ? { aborted: preview.aborted } : {}),
    ...(preview.error ? { error: preview.error } : {}),
    html: preview.aborted === undefined && !preview.error ? markedEmailHtml(preview, { plainText: false }) : '',
  };
}

function result(recipients: PreviewRecipient[]): PreviewResult {
  return { uri: 'file:///ws/emails/welcome.liquid', version: 3, template: 'welcome.liquid', dialect: { id: 'liquid', label: 'Liquid' }, plainText: false, recipients, problems: [] };
}

function unescapeAttribute(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Every iframe of the page, with its attributes (srcdoc unescaped). */
function frames(html: string): Record<string, string>[] {
  return [...html.matchAll(/<iframe\b([^>]*)>/g)].map((match) =>
    Object.fromEntries([...match[1].matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((a) => [a[1], unescapeAttribute(a[2] ?? '')])));
}

/** The page without the srcdoc attributes: what the webview parses as its own markup. */
function withoutSrcdoc(html: string): string {
  return html.replace(/ srcdoc="[^"]*"/g, ' srcdoc=""');
}

function cspOf(document: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(document);
  assert.ok(match, 'a CSP meta is expected');
  return match[1];
}

const directive = (csp: string, name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));

describe('preview panel: the page\'s own policy', () => {
  const page = previewPanelHtml(result([rendered(HOSTILE, { customer: { first_name: 'Ana' } })]), OPTIONS);

  test('the panel CSP defaults to none and allows scripts only by the nonce', () => {
    const csp = cspOf(page);
    assert.equal(csp, panelCsp(OPTIONS));
    assert.equal(directive(csp, 'default-src'), "default-src 'none'");
    assert.equal(directive(csp, 'script-src'), `script-src 'nonce-${NONCE}'`);
    assert.doesNotMatch(csp, /unsafe-eval|'unsafe-inline'[^;]*script|script-src[^;]*(https:|\*|data:)/);
    assert.equal(directive(csp, 'img-src'), 'img-src data:');
    assert.equal(directive(csp, 'font-src'), 'font-src data:');
    assert.doesNotMatch(directive(csp, 'style-src') ?? '', /https:/);
    assert.equal(directive(csp, 'frame-src'), undefined, 'frames fall back to default-src: none, so a frame cannot navigate anywhere');
  });

  test('the only script tag is the panel\'s own, with the nonce; the nonce appears nowhere else', () => {
    const own = withoutSrcdoc(page);
    const scripts = [...own.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${NONCE}">`]);
    // Once in the CSP, once on the script. A template that guessed it still runs nothing: its
    // frame is sandboxed without allow-scripts.
    assert.equal(own.split(NONCE).length - 1, 2);
    assert.doesNotMatch(frames(page)[0].sandbox, /allow-scripts/);
  });

  test('the panel script is valid JavaScript', () => {
    assert.doesNotThrow(() => new Function('acquireVsCodeApi', PANEL_SCRIPT));
    assert.doesNotMatch(PANEL_SCRIPT, /<\/script/i);
  });

  test('the template\'s markup never reaches the panel\'s own DOM', () => {
    const own = withoutSrcdoc(page);
    for (const hostile of ['pwned', 'alert(', 'evil.example', 'tracker.example', 'javascript:', 'onerror', 'onload', 'http-equiv="refresh"']) {
      assert.equal(own.includes(hostile), false, `${hostile} must only appear inside a srcdoc`);
    }
  });
});

describe('preview panel: each rendering', () => {
  const page = previewPanelHtml(result([
    rendered(HOSTILE, { customer: { first_name: 'Ana' } }),
    rendered('Hi {{ customer.first_name }}', {}, 'Ben'),
  ]), OPTIONS);
  const [ana, ben] = frames(page);

  test('is a sandboxed srcdoc frame: no scripts, popups, forms or top navigation', () => {
    assert.equal(frames(page).length, 2);
    for (const frame of [ana, ben]) {
      assert.equal(frame.sandbox, FRAME_SANDBOX);
      assert.doesNotMatch(frame.sandbox, /allow-scripts|allow-popups|allow-forms|allow-top-navigation|allow-modals/);
      assert.equal(frame.src, undefined);
      assert.equal(frame.referrerpolicy, 'no-referrer');
    }
  });

  test('starts with a strict CSP, before any byte of the template', () => {
    const csp = cspOf(ana.srcdoc);
    assert.equal(directive(csp, 'default-src'), "default-src 'none'");
    assert.equal(directive(csp, 'script-src'), undefined, 'scripts fall back to default-src: none');
    assert.equal(directive(csp, 'img-src'), 'img-src data:');
    assert.ok(ana.srcdoc.indexOf('Content-Security-Policy') < ana.srcdoc.indexOf('<script'));
    assert.ok(ana.srcdoc.indexOf('Content-Security-Policy') < ana.srcdoc.indexOf('<meta data-mw-disabled-http-equiv'));
  });

  test('a meta refresh is disarmed; scripts and handlers stay inert behind the sandbox and CSP', () => {
    assert.doesNotMatch(ana.srcdoc, /<meta http-equiv="refresh"/i);
    assert.match(ana.srcdoc, /<meta data-mw-disabled-http-equiv="refresh" content="0; url=https:\/\/evil.example\/">/);
  });

  test('marks are visible and carry the merge tag\'s offsets', () => {
    assert.match(ana.srcdoc, /<mark class="mw mw-value" title="value: customer.first_name" data-start="\d+" data-end="\d+">Ana<\/mark>/);
    assert.match(ana.srcdoc, /<mark class="mw mw-blank"[^>]*data-start="\d+"/);
    assert.match(ana.srcdoc, /mark\.mw-blank \{/);
    assert.match(ben.srcdoc, /<mark class="mw mw-blank" title="blank: nothing was shown: customer.first_name" data-start="3" data-end="28"><\/mark>/);
  });

  test('each card has a summary line and an Open button for its recipient file', () => {
    assert.match(page, /<p class="summary bad">0 fallbacks, 1 blank, 0 stale<\/p>/);
    assert.match(page, /data-action="open" data-file="\/ws\/recipients\/ben.json"/);
  });
});

describe('preview panel: remote content', () => {
  test('is blocked by default, and the toggle allows https: images, fonts and CSS, never scripts', () => {
    const recipients = [rendered(HOSTILE, { customer: { first_name: 'Ana' } })];
    const off = previewPanelHtml(result(recipients), OPTIONS);
    const on = previewPanelHtml(result(recipients), { ...OPTIONS, remoteContent: true });
    assert.doesNotMatch(off, /data-action="remote" checked/);
    assert.match(on, /data-action="remote" checked/);
    for (const csp of [cspOf(off), cspOf(frames(off)[0].srcdoc)]) assert.doesNotMatch(csp, /https:/);
    const panel = cspOf(on);
    const frame = cspOf(frames(on)[0].srcdoc);
    for (const csp of [panel, frame]) {
      assert.match(directive(csp, 'img-src') ?? '', /https:/);
      assert.match(directive(csp, 'font-src') ?? '', /https:/);
      assert.match(directive(csp, 'style-src') ?? '', /https:/);
      assert.doesNotMatch(directive(csp, 'script-src') ?? '', /https:/);
      assert.equal(directive(csp, 'default-src'), "default-src 'none'");
      assert.doesNotMatch(csp, /http:(?!\/)|\*/);
    }
    assert.equal(directive(frame, 'script-src'), undefined);
  });
});

describe('preview panel: layout, tabs and states', () => {
  const recipients = [
    rendered('Hi {{ customer.first_name | default: "there" }}', {}, 'Ana'),
    rendered('{% abort_message("no consent on file") %}Hi', {}, 'Ben'),
    rendered('{% if %}', {}, 'Cy'),
  ];

  test('the layout toggle is visible, with the remembered layout pressed', () => {
    const tabs = previewPanelHtml(result(recipients), { ...OPTIONS, layout: 'tabs' });
    assert.match(tabs, /<body data-layout="tabs">/);
    assert.match(tabs, /data-layout="tabs" aria-pressed="true">Tabs/);
    assert.match(tabs, /data-layout="sideBySide" aria-pressed="false">Side by side/);
  });

  test('one tab per recipient; the remembered tab is active, else the first', () => {
    const key = recipientKey(recipients[1]);
    const html = previewContentHtml(result(recipients), { remoteContent: false, activeTab: key });
    assert.equal([...html.matchAll(/role="tab"/g)].length, 3);
    assert.match(html, /aria-selected="true" class="active">Ben/);
    assert.match(html, /<section class="card active" data-key="\/ws\/recipients\/ben.json#Ben">/);
    const fallback = previewContentHtml(result(recipients), { remoteContent: false, activeTab: 'gone' });
    assert.match(fallback, /aria-selected="true" class="active">Ana/);
  });

  test('an aborted send says that this recipient gets no email, and why; a failed rendering says what failed', () => {
    const html = previewContentHtml(result(recipients), { remoteContent: false });
    assert.match(html, /<p class="abort">This recipient gets no email: no consent on file<\/p>/);
    assert.match(html, /<p class="error">liquidjs could not render this template: /);
    assert.equal(frames(html).length, 1, 'only the rendered recipient gets a frame');
    assert.match(html, /Ana <span class="badge" title="1 fallback, 0 blanks, 0 stale">1<\/span>/);
  });

  test('a notice and recipient file problems are shown, escaped', () => {
    const html = previewContentHtml({ ...result([]), notice: 'No sample recipients match "recipients/*.json".', problems: ['/ws/recipients/bad.json:1:2: invalid JSON (<value> expected).'] }, { remoteContent: false });
    assert.match(html, /<p class="notice">No sample recipients match &quot;recipients\/\*\.json&quot;\.<\/p>/);
    assert.match(html, /1 problem with recipient files/);
    assert.match(html, /&lt;value&gt; expected/);
  });

  test('names and files from recipients are escaped everywhere', () => {
    const evil = { ...rendered('Hi', {}, 'Ana'), name: '<img src=x onerror=alert(1)>', file: '/ws/"><script>x</script>.json' };
    const html = previewContentHtml(result([evil]), { remoteContent: false });
    assert.equal(withoutSrcdoc(html).includes('<img'), false);
    assert.equal(withoutSrcdoc(html).includes('<script'), false);
  });
});
