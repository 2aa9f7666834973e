/**
 * The send-readiness report as a file opened in Chromium, as a reviewer opens a CI artifact: it
 * makes no network request at all (every request the browser makes is recorded), and axe-core finds
 * no serious or critical accessibility violation in it, in the light and in the dark scheme.
 * Part of `npm run test:e2e`; needs Debian's chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO } from '../../scripts/code-server.mjs';
import { runReport } from '../../server/src/cli/report';
import { NOW } from '../helpers/schema';
import { axeViolations, describeViolations, seriousOrCritical } from './axe';
import { UI_TIMEOUT, waitUntil } from './workbench';

describe('the report file in Chromium', () => {
  let browser: Browser | undefined;
  let tmp: string;
  let reportUrl: string;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-report-page-'));
    // Every example, with its previews, findings, purposes and audience snapshot.
    const run = runReport({ paths: [path.join(REPO, 'examples')], cwd: REPO, outDir: tmp, format: 'html', now: NOW });
    reportUrl = pathToFileURL(run.written).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });

  after(async () => {
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('loading it makes no network request: the page itself is the only file read', async () => {
    const context = await browser!.newContext();
    // Whatever gets past the pages' policies reaches this handler instead of the network, and is recorded.
    const reached: string[] = [];
    await context.route((url) => url.protocol !== 'file:', (route) => {
      reached.push(route.request().url());
      void route.abort();
    });
    const read: string[] = [];
    context.on('requestfinished', (request) => read.push(request.url()));
    const page = await context.newPage();
    try {
      await page.goto(reportUrl, { waitUntil: 'load' });
      // The previews are lazy frames: scroll through the page so that every one of them loads.
      await page.evaluate(`(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 600) { window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 20)); }
      })()`);
      const frames = await page.evaluate<number>('document.querySelectorAll("iframe").length');
      assert.ok(frames >= 20, `the previews are frames: ${frames}`);
      const loaded = () => page.frames().filter((frame) => frame.url() === 'about:srcdoc').length;
      await waitUntil(() => loaded() === frames, UI_TIMEOUT, () => `every preview frame to load (${loaded()} of ${frames})`);
      // The examples' previews hold remote images (a logo, a city photo): the previews' policy stops them in the browser.
      assert.ok(await page.evaluate<boolean>('[...document.querySelectorAll("iframe")].some((f) => f.srcdoc.includes("https://shearly.example/img/logo.png"))'));
      assert.deepEqual(reached, [], 'no request got past the policies');
      assert.deepEqual(read, [reportUrl]);
    } finally {
      await context.close();
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe-core finds no serious or critical violation (${colorScheme} scheme)`, async (t) => {
      const page = await browser!.newPage({ colorScheme });
      try {
        await page.goto(reportUrl, { waitUntil: 'load' });
        assert.equal(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), colorScheme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(13, 17, 23)');
        const violations = await axeViolations(page);
        if (violations.length) t.diagnostic(`other findings:\n${describeViolations(violations)}`);
        assert.deepEqual(seriousOrCritical(violations), [], describeViolations(seriousOrCritical(violations)));
      } finally {
        await page.close();
      }
    });
  }
});
