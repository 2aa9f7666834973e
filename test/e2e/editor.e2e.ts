/**
 * End to end, as a user: the packaged extension (mergewise.vsix) installed in a real VS Code (VS Code
 * for the Web, served by code-server) and driven in Chromium. Works on a copy of examples/ in a
 * temporary folder, because it applies a quick fix and saves.
 *
 * Run with `npm run test:e2e` (it packages first). Needs code-server (node scripts/code-server.mjs
 * install) and Debian's chromium. Each step that fails leaves a screenshot, code-server's output and
 * VS Code's logs (with the Mergewise language server's trace) in test-results/e2e/. Screenshots for
 * the README are written to test-results/e2e/screenshots/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CHROMIUM, CHROMIUM_ARGS, REPO, installCodeServer, startCodeServer, type RunningCodeServer,
} from '../../scripts/code-server.mjs';
import { axeViolations, describeViolations, seriousOrCritical } from './axe';
import { UI_TIMEOUT, Workbench, normalize, waitUntil } from './workbench';

const RESULTS = path.join(REPO, 'test-results', 'e2e');
const SCREENSHOTS = path.join(RESULTS, 'screenshots');
const VSIX = path.join(REPO, 'mergewise.vsix');
const TEMPLATE = ['emails', 'drafts', 'loyalty-update.liquid'];
/** The line of the template that the steps work on, as it reads before the quick fix. */
const HI_LINE = 'Hi {{ customer.first_name';

const packageJson = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const contributedCommands: { command: string; title: string; category?: string }[] = packageJson.contributes?.commands ?? [];
const previewCommand = contributedCommands.find((c) => c.command === 'mergewise.preview');
if (!previewCommand) throw new Error('package.json contributes no mergewise.preview command');
const reportCommand = contributedCommands.find((c) => c.command === 'mergewise.openReport');
if (!reportCommand) throw new Error('package.json contributes no mergewise.openReport command');
/** A command as the palette lists it: "Mergewise: Preview". */
const paletteTitle = (command: { title: string; category?: string }) => `${command.category ? `${command.category}: ` : ''}${command.title}`;
/** Something only the preview panel's page has, and only the report's. */
const PREVIEW_PAGE = 'body > .toolbar [data-action="layout"]';
const REPORT_PAGE = 'main#main #templates';
/** The theme the editor starts in (the screenshots' theme), and the other one. */
const THEMES = [{ name: 'Default Light Modern', kind: 'vscode-light' }, { name: 'Default Dark Modern', kind: 'vscode-dark' }] as const;

let tmp: string;
let workspace: string;
let server: RunningCodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
let wb: Workbench;
let failed = false;

/**
 * One user-visible step. After an earlier step failed the rest fail at once (they build on each
 * other); a failing step leaves a screenshot and the logs in test-results/e2e/.
 */
function step(name: string, body: (t: TestContext) => Promise<void>): void {
  it(name, async (t) => {
    if (failed) throw new Error('not run: an earlier step failed');
    try {
      await body(t);
    } catch (error) {
      failed = true;
      await saveEvidence(name).catch((e) => t.diagnostic(`could not save evidence: ${e}`));
      throw error;
    }
  });
}

async function saveEvidence(name: string): Promise<void> {
  const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  fs.mkdirSync(RESULTS, { recursive: true });
  if (page) await page.screenshot({ path: path.join(RESULTS, `failed-${slug}.png`) }).catch(() => undefined);
  copyLogs();
  process.stderr.write(`e2e: step "${name}" failed; screenshot, code-server output and logs are in ${path.relative(REPO, RESULTS)}/\n`);
}

/** VS Code's logs dir, and the Mergewise output channel (the language server's log) on its own. */
function copyLogs(): void {
  if (!server) return;
  const logs = path.join(RESULTS, 'vscode-logs');
  fs.rmSync(logs, { recursive: true, force: true });
  if (fs.existsSync(server.logsDir)) fs.cpSync(server.logsDir, logs, { recursive: true });
  for (const file of walk(logs)) {
    if (path.basename(file) === 'Mergewise.log') fs.copyFileSync(file, path.join(RESULTS, 'mergewise-language-server.log'));
  }
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

async function screenshot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, ...(clip ? { clip: clampClip(clip) } : {}) });
  return file;
}

function clampClip(clip: { x: number; y: number; width: number; height: number }) {
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const x = Math.max(0, Math.floor(clip.x));
  const y = Math.max(0, Math.floor(clip.y));
  return { x, y, width: Math.min(viewport.width - x, Math.ceil(clip.width)), height: Math.min(viewport.height - y, Math.ceil(clip.height)) };
}

/** The text of the template on disk, in the workspace copy. */
function templateOnDisk(): string {
  return fs.readFileSync(path.join(workspace, ...TEMPLATE), 'utf8');
}

/** Switches VS Code's colour theme as a user does: Preferences: Color Theme, then its name in the list. */
async function setColorTheme(theme: (typeof THEMES)[number]): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Default Dark Modern' }).first().waitFor();
  await input.fill(theme.name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme.name }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  const workbenchClass = theme.kind === 'vscode-light' ? /(^|\s)vs(\s|$)/ : /(^|\s)vs-dark(\s|$)/;
  await waitUntil(async () => workbenchClass.test((await page.locator('.monaco-workbench').getAttribute('class')) ?? ''), UI_TIMEOUT,
    () => `the workbench in ${theme.name}`);
}

/** Shows the webview whose tab reads `tab`, in `theme`, and returns axe-core's serious and critical violations in it. */
async function webviewViolations(tab: string, selector: string, theme: (typeof THEMES)[number]): Promise<string> {
  await page.locator('.tabs-container .tab', { hasText: tab }).first().click();
  const frame = await wb.webviewFrame(selector);
  await waitUntil(async () => (await frame.evaluate<string>('document.body.className')).split(/\s+/).includes(theme.kind), UI_TIMEOUT,
    () => `the ${tab} webview in ${theme.name}`);
  const found = seriousOrCritical(await axeViolations(frame));
  return found.length ? `${tab} in ${theme.name}:\n${describeViolations(found)}` : '';
}

describe('Mergewise in VS Code for the Web (code-server + Chromium)', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package (npm run test:e2e does)`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    installCodeServer(); // cached after the first run
    fs.rmSync(RESULTS, { recursive: true, force: true });
    fs.mkdirSync(RESULTS, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-e2e-'));
    workspace = path.join(tmp, 'examples');
    fs.cpSync(path.join(REPO, 'examples'), workspace, { recursive: true });
    // `--log trace` makes the Mergewise output channel keep the language server's verbose trace.
    server = await startCodeServer({
      vsix: VSIX, workspace, dataDir: path.join(tmp, 'code-server'), args: ['--log', 'trace'],
      // Braces are typed in full: whether VS Code closes a `{` it depends on how far it has tokenized
      // the line, and a `{{` left unclosed once made the completion step fail.
      settings: { 'editor.hover.above': false, 'editor.autoClosingBrackets': 'never' },
      logFile: path.join(RESULTS, 'code-server.log'),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    wb = new Workbench(page);
    try {
      await page.goto(server.workspaceUrl);
      await wb.waitReady();
    } catch (error) {
      failed = true;
      await saveEvidence('load the workbench');
      throw error;
    }
  });

  after(async () => {
    if (server) copyLogs();
    await browser?.close().catch(() => undefined);
    await server?.stop();
    // Logs and screenshots are in test-results/e2e/ by now; the workspace copy and profile go.
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  step('installs the .vsix, opens the example workspace and a template from the explorer', async (t) => {
    const installed = fs.readdirSync(server!.extensionsDir).filter((name) => name.startsWith('mergewise.'));
    assert.equal(installed.length, 1, `the extension is installed: ${installed}`);
    await wb.openFile(...TEMPLATE);
    // The extension is active once its status bar item names the sample recipient.
    await wb.recipientStatus().filter({ hasText: 'Ana' }).waitFor();
    t.diagnostic(`installed ${installed[0]}; status bar: ${normalize(await wb.recipientStatus().innerText())}`);
  });

  step('reads the missing fallback in the Problems panel', async (t) => {
    await wb.problems('missing-fallback');
    const rows = await wb.problemRows();
    const row = rows.find((r) => r.includes('missing-fallback'));
    assert.ok(row, `a missing-fallback row in ${JSON.stringify(rows)}`);
    assert.match(row, /customer\.first_name/);
    assert.match(row, /Ln 17/);
    t.diagnostic(`Problems: ${rows.join(' | ')}`);
  });

  step('hovers a merge field and reads its type, source, quadrant and recipient values', async (t) => {
    // Room for the whole hover below the line (editor.hover.above is off).
    await wb.hidePanel();
    await wb.hideSideBar();
    const { text, widget } = await wb.hover(HI_LINE, 'customer.first_name', 'Sample recipient');
    for (const expected of ['customer.first_name', 'string', 'Source:', 'declared', 'Quadrant here:', 'Fallback:', 'Ana']) {
      assert.ok(text.includes(expected), `the hover mentions ${JSON.stringify(expected)}: ${text}`);
    }
    t.diagnostic(`hover: ${text.replace(/\s*\n\s*/g, ' / ')}`);
    await wb.growHover();
    const box = (await widget.boundingBox())!;
    const line = await wb.boxOf(HI_LINE, 'Hi {{');
    const top = Math.min(box.y, line.y) - 12;
    const bottom = Math.max(box.y + box.height, line.y + line.height) + 12;
    const left = Math.min(box.x, line.x) - 40;
    await screenshot('hover', { x: left, y: top, width: box.x + box.width + 40 - left, height: bottom - top });
    await wb.showSideBar();
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 5);
  });

  step('switches the sample recipient in the status bar and sees the inlay hint change', async (t) => {
    const before = await wb.waitForLine(HI_LINE, '→ Ana');
    await wb.recipientStatus().click();
    const picker = page.locator('.quick-input-widget');
    await picker.waitFor();
    const options = (await picker.locator('.monaco-list-row').allInnerTexts()).map(normalize);
    assert.ok(options.some((o) => o.startsWith('Ben')), `Ben is offered: ${JSON.stringify(options)}`);
    await picker.locator('.monaco-list-row', { hasText: /^Ben/ }).first().click();
    await wb.recipientStatus().filter({ hasText: 'Ben' }).waitFor();
    const afterText = await wb.waitForLine(HI_LINE, '→ blank');
    t.diagnostic(`recipients offered: ${options.join(' | ')}`);
    t.diagnostic(`inlay hint as Ana: ${JSON.stringify(before.trim())}; as Ben: ${JSON.stringify(afterText.trim())}`);
  });

  step('applies the "Add fallback" quick fix and sees the file change', async (t) => {
    await wb.clickIn(HI_LINE, 'first_name');
    const offered = await wb.applyCodeAction('Add fallback "there"');
    await wb.waitForLine('Hi {{', "{{ customer.first_name | default: 'there' }}");
    // Ben has no first name: the inline preview now shows the fallback.
    const edited = await wb.waitForLine('Hi {{', '→ "there" (fallback)');
    await page.keyboard.press('Control+S');
    await wb.showProblems();
    await waitUntil(() => templateOnDisk().includes("Hi {{ customer.first_name | default: 'there' }},"), UI_TIMEOUT,
      () => 'the saved file to contain the fallback');
    await waitUntil(async () => !(await wb.problemRows()).some((r) => r.includes('missing-fallback')), UI_TIMEOUT,
      () => 'the missing-fallback problem to go away');
    t.diagnostic(`quick fixes offered: ${offered.join(' | ')}`);
    t.diagnostic(`line after the fix: ${JSON.stringify(edited.trim())}`);
  });

  step('shows what each recipient sees inline (screenshot of the fallback previews)', async (t) => {
    // A finished email with several fallbacks: as Ben (missing data), they show inline.
    await wb.openFile('emails', 'win-back.liquid');
    await wb.hidePanel();
    await wb.hideSideBar();
    await wb.recipientStatus().filter({ hasText: 'Ben' }).waitFor();
    await waitUntil(async () => (await wb.activeEditor().locator('.view-line', { hasText: '(fallback)' }).count()) > 0, UI_TIMEOUT,
      () => 'an inline fallback preview in welcome.liquid');
    const first = wb.activeEditor().locator('.view-line', { hasText: '(fallback)' }).first();
    const hints = (await wb.activeEditor().locator('.view-line', { hasText: '→' }).allTextContents()).map((l) => normalize(l).trim());
    t.diagnostic(`win-back.liquid as Ben: ${hints.join(' | ')}`);
    const editorBox = (await wb.activeEditor().boundingBox())!;
    const lineBox = (await first.boundingBox())!;
    await screenshot('inline-previews', { x: editorBox.x, y: lineBox.y - 4 * lineBox.height, width: editorBox.width - 20, height: 14 * lineBox.height });
    await wb.showSideBar();
  });

  step('shows the quadrant warnings of a draft that uses inferred data', async (t) => {
    await wb.openFile('emails', 'drafts', 'black-friday.liquid');
    const text = await wb.problems('quadrant-unexpected-unhelpful');
    assert.match(text, /customer\.income_bracket/);
    t.diagnostic(`Problems: ${(await wb.problemRows()).join(' | ')}`);
    // The editor with the surveillance underlines above the Problems panel that explains them.
    await wb.hideSideBar();
    const anchor = (await wb.line('customer.income_bracket').boundingBox())!;
    const panel = (await page.locator('.part.panel').boundingBox())!;
    const rows = (await page.locator('.markers-panel .monaco-list-row').last().boundingBox())!;
    await screenshot('quadrant-warnings', { x: panel.x, y: anchor.y - 5 * anchor.height, width: panel.width, height: rows.y + rows.height + 8 - (anchor.y - 5 * anchor.height) });
    await wb.showSideBar();
  });

  step('goes to a partial\'s definition and reads a finding that names the template including it', async (t) => {
    await wb.openFile('emails', 'drafts', 'instant-payouts.liquid');
    await wb.clickIn("{% render 'greeting'", 'greeting');
    await page.keyboard.press('F12');
    await page.locator('.editor-group-container.active .tab.active[data-resource-name="greeting.liquid"]').waitFor();
    await wb.problems('templates that include it');
    const row = (await wb.problemRows()).find((r) => r.includes('templates that include it'));
    assert.ok(row, 'a finding in the snippet names the templates that include it');
    assert.match(row, /missing-fallback/);
    assert.match(row, /emails\/drafts\/instant-payouts\.liquid/);
    t.diagnostic(`Problems in the snippet: ${row}`);
  });

  step('opens the preview and reads a recipient\'s rendering', async (t) => {
    await wb.tab(TEMPLATE[TEMPLATE.length - 1]).click();
    await wb.line('Hi {{').waitFor();
    await wb.hidePanel();
    await wb.hideSideBar();
    await wb.runCommand(paletteTitle(previewCommand));
    // The webview is an iframe in an iframe; each rendering may be a frame of its own.
    let found: Awaited<ReturnType<Workbench['framesWithText']>> = [];
    await waitUntil(async () => {
      found = await wb.framesWithText('Hi there,');
      return found.length > 0;
    }, UI_TIMEOUT, () => 'a rendering that reads "Hi there," (Ben, with the fallback)');
    const ana = await wb.framesWithText('Hi Ana,');
    assert.ok(ana.length > 0, 'Ana\'s rendering reads "Hi Ana,"');
    t.diagnostic(`renderings found in ${page.frames().length} frames; Ben's: ${JSON.stringify(found[0].text.slice(0, 200))}`);
    // Give the preview the width of four recipients for the picture, then put the window back.
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: 1960, height: 940 });
    const group = page.locator('.editor-group-container').last();
    await wb.dragGroupEdge(group, 600);
    await waitUntil(async () => ((await group.boundingBox())?.width ?? 0) > 1300, UI_TIMEOUT, () => 'the preview group to widen');
    await screenshot('preview');
    await page.setViewportSize(viewport);
  });

  step('opens the send-readiness report from the command palette, and a finding\'s link opens the file at its line', async (t) => {
    await wb.runCommand(paletteTitle(reportCommand));
    const report = await wb.webviewFrame(REPORT_PAGE);
    const heading = normalize(await report.locator('header').innerText());
    assert.match(heading, /Send-readiness report\s+\d+ of \d+ templates ready to send/);
    t.diagnostic(`report: ${heading.split('\n').filter(Boolean).slice(0, 2).join(' / ')}`);
    // The picture for the README: the report alone in the editor area, at its quadrant map.
    await wb.hideSideBar();
    await wb.runCommand('View: Toggle Maximize Editor Group');
    await report.evaluate('document.getElementById("quadrants").scrollIntoView()');
    await screenshot('report', (await page.locator('.editor-group-container.active').boundingBox())!);
    await wb.runCommand('View: Toggle Maximize Editor Group');
    await wb.showSideBar();
    // A finding of the draft that uses inferred data: its list opens, and its link opens the template at the line.
    const article = report.locator('article.template', { has: report.locator('h3', { hasText: 'emails/drafts/black-friday.liquid' }) });
    const item = article.locator('ul.checklist > li', { hasText: 'surveillance' });
    await item.locator('summary').click();
    const link = item.locator('ul.findings a').first();
    const href = (await link.getAttribute('href'))!;
    const line = Number(/#L(\d+)$/.exec(href)?.[1]);
    assert.ok(href.startsWith('emails/drafts/black-friday.liquid#L') && line > 0, href);
    await link.click();
    await page.locator('.tab.active[data-resource-name="black-friday.liquid"]').waitFor();
    await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line},` }).waitFor();
    t.diagnostic(`clicked ${href}: black-friday.liquid opened at line ${line}`);

    // A template added on disk, then removed: the report is written again each time, by itself.
    const readyLine = async () => /(\d+) of (\d+) templates ready to send/.exec(
      await (await wb.webviewFrame(REPORT_PAGE)).locator('header').innerText().catch(() => ''))?.slice(1).map(Number);
    const [ready, total] = (await readyLine())!;
    const added = path.join(workspace, 'emails', 'report-refresh.liquid');
    fs.writeFileSync(added, '<p>Hi {{ customer.first_name | default: "there" }}</p>\n');
    await waitUntil(async () => (await readyLine())?.[1] === total + 1, UI_TIMEOUT, () => `the report to count ${total + 1} templates`);
    fs.rmSync(added);
    await waitUntil(async () => (await readyLine())?.join() === [ready, total].join(), UI_TIMEOUT, () => `the report to count ${total} templates again`);
    t.diagnostic(`report refreshed: ${ready} of ${total} ready, then ${total + 1} templates, then ${total} again`);
  });

  step('the preview and the report pass axe-core in the light and the dark theme', async (t) => {
    const problems: string[] = [];
    for (const theme of [...THEMES.slice(1), THEMES[0]]) {
      await setColorTheme(theme);
      problems.push(await webviewViolations('Preview:', PREVIEW_PAGE, theme));
      problems.push(await webviewViolations('Send-readiness report', REPORT_PAGE, theme));
      t.diagnostic(`checked both webviews in ${theme.name}`);
    }
    assert.equal(problems.filter(Boolean).join('\n'), '', 'no serious or critical violation');
  });

  step('completes a schema field after {{ customer.', async (t) => {
    await wb.tab(TEMPLATE[TEMPLATE.length - 1]).click();
    await wb.goToLine(17);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<p>Your plan: {{ customer.');
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    await suggest.waitFor();
    const labels = async () => (await suggest.locator('.monaco-list-row').allInnerTexts()).map(normalize);
    const offered = await labels();
    assert.ok(offered.some((l) => l.includes('first_name')), `first_name is offered: ${JSON.stringify(offered)}`);
    await page.keyboard.type('plan');
    await suggest.locator('.monaco-list-row.focused', { hasText: 'plan' }).waitFor();
    await page.keyboard.press('Enter');
    await wb.waitForLine('Your plan:', /\{\{ customer\.plan\b/);
    await page.keyboard.type(' }}</p>');
    // Ben's plan shows inline as soon as the field is there.
    const line = await wb.waitForLine('Your plan:', '→ solo');
    t.diagnostic(`offered after "{{ customer.": ${offered.slice(0, 8).map((o) => o.replace(/\s*\n\s*/g, ' — ')).join(' | ')}`);
    t.diagnostic(`line after completion: ${JSON.stringify(line.trim())}`);
  });
});
