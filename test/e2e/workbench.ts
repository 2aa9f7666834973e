/**
 * A thin driver for the VS Code workbench in a browser page: what a user does (click a file in the
 * explorer, press a key, hover a word, pick from a list) and what a user reads. Every wait is for a
 * condition on the page (a selector, a text), never a fixed sleep.
 */
import type { Frame, Locator, Page } from 'playwright-core';

/** How long a step may wait for the editor to show something. Generous: CI machines have 2 cores. */
export const UI_TIMEOUT = 45_000;
/** How long one frame is given to answer whether it holds an element, before the next is asked. */
const FRAME_ANSWER_MS = 3_000;

export class Workbench {
  constructor(readonly page: Page) {}

  async waitReady(timeout = 120_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
  }

  /** Opens a file by clicking through the explorer tree: `openFile('emails', 'drafts', 'x.liquid')`. */
  async openFile(...segments: string[]): Promise<void> {
    await this.showSideBar();
    // From a collapsed tree, whose top rows are all in view: the explorer renders only the rows it shows.
    await this.runCommand('Collapse Folders in Explorer');
    for (const [index, name] of segments.entries()) {
      const row = this.page.locator('.explorer-folders-view').getByRole('treeitem', { name, exact: true });
      await row.waitFor({ timeout: UI_TIMEOUT });
      const isFolder = index < segments.length - 1;
      if (isFolder && (await row.getAttribute('aria-expanded')) === 'true') continue;
      await row.click();
      if (isFolder) await this.page.locator(`.explorer-folders-view [role="treeitem"][aria-expanded="true"]`, { hasText: name }).first().waitFor({ timeout: UI_TIMEOUT });
    }
    const file = segments[segments.length - 1];
    await this.page.locator(`.editor-group-container.active .tab.active[data-resource-name="${file}"]`).waitFor({ timeout: UI_TIMEOUT });
    await this.activeEditor().locator('.view-lines').waitFor({ timeout: UI_TIMEOUT });
  }

  /** An editor tab by its file name. */
  tab(name: string): Locator {
    return this.page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first();
  }

  /** The editor of the active editor group. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The rendered line of the active editor that contains `text` (inlay hints are part of it). */
  line(text: string): Locator {
    return this.activeEditor().locator('.view-line', { hasText: text }).first();
  }

  async lineText(text: string): Promise<string> {
    return normalize(await this.line(text).textContent() ?? '');
  }

  /** Waits until the line containing `anchor` reads `expected` somewhere (a string or a pattern). */
  async waitForLine(anchor: string, expected: string | RegExp, timeout = UI_TIMEOUT): Promise<string> {
    let last = '';
    await waitUntil(async () => {
      last = await this.lineText(anchor).catch(() => '');
      return typeof expected === 'string' ? last.includes(expected) : expected.test(last);
    }, timeout, () => `the line with ${JSON.stringify(anchor)} to read ${String(expected)}; it reads ${JSON.stringify(last)}`);
    return last;
  }

  /** The screen box of `needle` inside the line that contains `anchor`. */
  async boxOf(anchor: string, needle: string): Promise<{ x: number; y: number; width: number; height: number }> {
    const line = this.line(anchor);
    await line.waitFor({ timeout: UI_TIMEOUT });
    const box = await line.evaluate(MEASURE_TEXT, needle) as { x: number; y: number; width: number; height: number } | null;
    if (!box) throw new Error(`${JSON.stringify(needle)} is not on the line with ${JSON.stringify(anchor)}`);
    return box;
  }

  /**
   * Moves the mouse onto `needle` and returns the hover widget's text once it contains `expect`.
   * A hover asked for before the language server is ready comes back empty and stays so: then the
   * mouse leaves and comes back, until `timeout`.
   */
  async hover(anchor: string, needle: string, expect: string, timeout = UI_TIMEOUT): Promise<{ text: string; widget: Locator }> {
    const widget = this.page.locator('.monaco-editor .monaco-hover:visible', { hasText: expect }).first();
    const deadline = Date.now() + timeout;
    for (;;) {
      const box = await this.boxOf(anchor, needle);
      // Enter the word from the left, as a hand would; the hover appears after the editor's delay.
      await this.page.mouse.move(box.x - 30, box.y + box.height / 2);
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      try {
        await widget.waitFor({ timeout: Math.max(1000, Math.min(5000, deadline - Date.now())) });
        return { text: normalize(await widget.innerText()), widget };
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await this.page.keyboard.press('Escape');
        await this.page.mouse.move(0, 0);
      }
    }
  }

  /** Puts the cursor inside `needle` on the line with `anchor` by clicking there. */
  async clickIn(anchor: string, needle: string): Promise<void> {
    const box = await this.boxOf(anchor, needle);
    await this.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  /** Opens the Problems panel (Ctrl+Shift+M). */
  async showProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ timeout: UI_TIMEOUT });
    }
  }

  /** Hides the panel (Problems, Output...) to give the editor the whole height. */
  async hidePanel(): Promise<void> {
    const panel = this.page.locator('.part.panel');
    if (await panel.isVisible()) {
      await this.page.keyboard.press('Control+J');
      await panel.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    }
  }

  async hideSideBar(): Promise<void> {
    const bar = this.page.locator('.part.sidebar');
    if (await bar.isVisible()) {
      await this.page.keyboard.press('Control+B');
      await bar.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    }
  }

  async showSideBar(): Promise<void> {
    const bar = this.page.locator('.part.sidebar');
    if (!(await bar.isVisible())) {
      await this.page.keyboard.press('Control+B');
      await bar.waitFor({ timeout: UI_TIMEOUT });
    }
  }

  /** Moves the cursor of the active editor to the start of a line (Ctrl+G). */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: UI_TIMEOUT });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    await this.page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line},` }).waitFor({ timeout: UI_TIMEOUT });
  }

  /**
   * Drags the open hover's lower edge down until its whole content shows (for a screenshot). The
   * hover keeps a fixed height and scrolls otherwise. Leaves it as it is if there is no edge to drag.
   */
  async growHover(): Promise<void> {
    const hover = this.page.locator('.monaco-resizable-hover:visible').first();
    const sash = hover.locator('.monaco-sash.horizontal:not(.disabled)').last();
    const scroller = hover.locator('.monaco-hover-content').first();
    const overflow = () => scroller.evaluate((e: any) => e.scrollHeight - e.clientHeight).catch(() => 0);
    if ((await overflow()) <= 0 || (await sash.count()) === 0) return;
    const box = (await sash.boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x, y + (await overflow()) + 24, { steps: 8 });
    await this.page.mouse.up();
    await waitUntil(async () => (await overflow()) <= 2, 5000, () => 'the hover to show all its content');
  }

  /** Drags the left edge of an editor group (the sash between groups) to `x`. */
  async dragGroupEdge(group: Locator, x: number): Promise<void> {
    const sashes = this.page.locator('.part.editor .monaco-sash.vertical:not(.disabled)');
    let best: { x: number; y: number; width: number; height: number } | undefined;
    // After a resize the workbench lays itself out again: wait until a sash sits at the group's edge.
    await waitUntil(async () => {
      const groupBox = await group.boundingBox();
      if (!groupBox) return false;
      best = undefined;
      for (const sash of await sashes.all()) {
        const box = await sash.boundingBox();
        if (box && (!best || Math.abs(box.x - groupBox.x) < Math.abs(best.x - groupBox.x))) best = box;
      }
      return best !== undefined && Math.abs(best.x - groupBox.x) <= 10;
    }, UI_TIMEOUT, () => 'a sash at the editor group\'s left edge');
    if (!best) throw new Error('no sash at the editor group\'s left edge');
    const y = best.y + best.height / 2;
    await this.page.mouse.move(best.x + best.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x, y, { steps: 10 });
    await this.page.mouse.up();
    // Off the sash, to the title bar, so that the sash is not drawn highlighted in a screenshot.
    await this.page.mouse.move((this.page.viewportSize()?.width ?? 800) / 2, 8);
    await waitUntil(async () => (await this.page.locator('.monaco-sash.hover, .monaco-sash.active').count()) === 0, UI_TIMEOUT,
      () => 'the sash to lose its highlight');
  }

  /** Opens the Problems panel and waits for a marker whose text contains `text`. */
  async problems(text: string, timeout = UI_TIMEOUT): Promise<string> {
    const panel = this.page.locator('.markers-panel');
    await this.showProblems();
    let last = '';
    await waitUntil(async () => {
      last = normalize(await panel.innerText().catch(() => ''));
      return last.includes(text);
    }, timeout, () => `the Problems panel to show ${JSON.stringify(text)}; it shows ${JSON.stringify(last)}`);
    return last;
  }

  /** The rows of the Problems panel, one string per marker. */
  async problemRows(): Promise<string[]> {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    return (await rows.allInnerTexts()).map((row) => normalize(row).replace(/\s*\n\s*/g, ' '));
  }

  /** Runs a command by its title from the command palette (F1). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: UI_TIMEOUT });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: UI_TIMEOUT });
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  }

  /**
   * Opens the code actions at the cursor (Ctrl+.) and applies the one titled `title`, with the
   * keyboard as the widget expects. Returns every action that was offered.
   */
  async applyCodeAction(title: string): Promise<string[]> {
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const wanted = rows.filter({ hasText: title }).first();
    await wanted.waitFor({ timeout: UI_TIMEOUT });
    const offered = (await rows.allInnerTexts()).map(normalize).filter(Boolean);
    for (let i = 0; i <= offered.length; i++) {
      if (((await wanted.getAttribute('class')) ?? '').split(/\s+/).includes('focused')) {
        await this.page.keyboard.press('Enter');
        await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
        return offered;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not select the code action ${JSON.stringify(title)} among ${JSON.stringify(offered)}`);
  }

  /** The Mergewise item in the status bar. */
  recipientStatus(): Locator {
    return this.page.locator('.statusbar-item[id$="mergewise.recipient"]');
  }

  /**
   * The frame of a webview whose document has `selector`, once it shows (a webview is an iframe in an
   * iframe, and a hidden one has none).
   */
  async webviewFrame(selector: string, timeout = UI_TIMEOUT): Promise<Frame> {
    let found: Frame | undefined;
    let silent = 0;
    await waitUntil(async () => {
      // Every frame is asked at once, and one that does not answer within a few seconds is passed
      // over: the report's previews are sandboxed frames without scripts, where an evaluation waits
      // for a context that never comes (138 frames, a dozen of them silent, once outlasted the wait).
      const frames = this.page.frames();
      const answers = await Promise.all(frames.map((frame) =>
        settledWithin(frame.evaluate<boolean>(`document.querySelector(${JSON.stringify(selector)}) !== null`), FRAME_ANSWER_MS, undefined)));
      silent = answers.filter((answer) => answer === undefined).length;
      found = frames.find((_, i) => answers[i] === true);
      return found !== undefined;
    }, timeout, () => `a webview with ${selector} (${this.page.frames().length} frames, ${silent} not answering)`);
    return found!;
  }

  /** Every frame of the page whose body text contains `text` (webviews are nested iframes). */
  async framesWithText(text: string): Promise<{ frame: Frame; text: string }[]> {
    const found: { frame: Frame; text: string }[] = [];
    for (const frame of this.page.frames()) {
      const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (normalize(body).includes(text)) found.push({ frame, text: normalize(body) });
    }
    return found;
  }
}

/**
 * Runs in the page: finds `search` across the token spans of an editor line and measures it with a
 * DOM Range. Written as text because the test runner's compiler would add helpers the page lacks.
 */
const MEASURE_TEXT = new Function('element', 'search', `
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  while (walker.nextNode()) {
    nodes.push({ node: walker.currentNode, start: text.length });
    text += walker.currentNode.textContent;
  }
  const start = text.replace(/\u00a0/g, ' ').indexOf(search);
  if (start < 0) return null;
  const at = (offset) => {
    const hit = nodes.filter((n) => n.start <= offset).pop();
    return { node: hit.node, offset: offset - hit.start };
  };
  const from = at(start);
  const to = at(start + search.length - 1);
  const range = document.createRange();
  range.setStart(from.node, from.offset);
  range.setEnd(to.node, to.offset + 1);
  const rect = range.getBoundingClientRect();
  return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
`) as (element: unknown, search: string) => unknown;

/** Non-breaking spaces (the editor renders them) to plain spaces, and runs of blank lines squeezed. */
export function normalize(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Polls `condition` until it holds, or throws with `describe()` after `timeout` ms. One attempt that
 * never settles (an evaluation in a frame that is being replaced can wait for a context that never
 * comes) counts as false once the deadline passes, so the wait ends when it says it will.
 */
export async function waitUntil(condition: () => Promise<boolean> | boolean, timeout: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await settledWithin(Promise.resolve(condition()), Math.max(1000, deadline - Date.now()), false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `promise`'s value, or `otherwise` if it has not settled within `ms` (or rejects). */
export async function settledWithin<T>(promise: Promise<T>, ms: number, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(otherwise), ms); });
  try {
    return await Promise.race([promise.catch(() => otherwise), late]);
  } finally {
    clearTimeout(timer);
  }
}
