/**
 * The preview over the real, bundled server (dist/server.js with dist/render-worker.js): what each
 * sample recipient gets, updated from unsaved text, with runaway templates stopped off the server's
 * thread.
 *
 * Nothing here depends on how fast the machine is. A runaway rendering shows as stopped by what
 * comes back (its timeout message, a cancelled request, the next preview answered) and, where /proc
 * shows threads, by its render worker's thread ending; that the server answered meanwhile, by the
 * order of the answers. No number of milliseconds is asserted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, LSPErrorCodes, ResponseError, type Hover } from 'vscode-languageserver-protocol/node';
import {
  NEW_RECIPIENT_REQUEST, PREVIEW_REQUEST,
  type NewRecipientResult, type PreviewParams, type PreviewResult,
} from '../../protocol/src/requests';
import { LspTestClient } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { unlessHung } from '../helpers/timing';
import { workspace } from '../helpers/workspace';

/** Nested loops that liquidjs's own limits let run for long: 10⁸ iterations. */
const RUNAWAY = '{% for i in (1..10000) %}{% for j in (1..10000) %}{{ customer.first_name }}{% endfor %}{% endfor %}';

/** The server's threads can be watched where /proc lists them (Linux, where CI runs). */
const PROC = fs.existsSync('/proc/self/task');

/** CPU time (in clock ticks) used so far by each of a process's threads, by thread id. */
function threadTimes(pid: number): Map<number, number> {
  const times = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), Number(fields[11]) + Number(fields[12])); // utime and stime: the 14th and 15th fields
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/**
 * The thread of `pid` that is rendering: waits until a thread other than the main one has used a
 * tenth of a second of CPU more than it had (work done, however long that takes here), and gives the
 * id of the one that has used the most.
 */
async function busyThread(pid: number): Promise<number> {
  const before = threadTimes(pid);
  const tenthOfASecond = 10; // clock ticks, at Linux's usual 100 per second
  for (;;) {
    let busiest: [tid: number, used: number] = [0, 0];
    for (const [tid, ticks] of threadTimes(pid)) {
      const used = ticks - (before.get(tid) ?? 0);
      if (tid !== pid && used > busiest[1]) busiest = [tid, used];
    }
    if (busiest[1] >= tenthOfASecond) return busiest[0];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once the thread `tid` of `pid` has ended. */
async function threadEnded(pid: number, tid: number): Promise<void> {
  while (fs.existsSync(`/proc/${pid}/task/${tid}`)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('preview over the language server', () => {
  let root: string;
  let client: LspTestClient;
  let welcomeUri: string;
  let welcomeText: string;

  const preview = (params: PreviewParams) => client.connection.sendRequest(PREVIEW_REQUEST, params) as Promise<PreviewResult>;

  before(async () => {
    root = workspace({
      ...SMALL_WORKSPACE,
      'emails/plain.txt': 'Hi {{ customer.first_name }} <3 & {{ customer.city | default: "<your city>" }}\n',
      'emails/runaway.liquid': RUNAWAY,
      'elsewhere/zoe.json': JSON.stringify({ $name: 'Zoe', $jurisdiction: 'EU', customer: { first_name: 'Zoë', city: 'Porto' } }),
    });
    client = new LspTestClient();
    await client.initialize(root);
    welcomeText = fs.readFileSync(path.join(root, 'emails/welcome.liquid'), 'utf8');
    welcomeUri = await client.open(path.join(root, 'emails/welcome.liquid'), welcomeText);
  });

  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('renders the template for every sample recipient, with marks that point back at the merge tags', async () => {
    const result = await preview({ uri: welcomeUri });
    assert.equal(result.notice, undefined);
    assert.equal(result.template, 'welcome.liquid');
    assert.equal(result.dialect?.id, 'liquid');
    assert.equal(result.plainText, false);
    assert.equal(result.version, 1);
    assert.deepEqual(result.recipients.map((r) => r.name), ['Ana', 'Ben']);
    const [ana, ben] = result.recipients;
    assert.equal(ana.summary, '0 fallbacks, 0 blanks, 0 stale');
    assert.equal(ana.file, path.join(root, 'recipients/ana.json'));
    assert.match(ana.html, /^Hi <mark class="mw mw-value" title="value: customer.first_name" data-start="3" data-end="28">Ana<\/mark>,/);
    assert.match(ana.html, /<mark class="mw mw-value"[^>]*>Cut<\/mark>/);
    assert.equal(ben.summary, '1 fallback, 1 blank, 0 stale');
    assert.deepEqual(ben.counts, { fallback: 1, blank: 1, stale: 0, raw: 0 });
    const blank = /<mark class="mw mw-blank"[^>]*data-start="(\d+)" data-end="(\d+)"/.exec(ben.html);
    assert.ok(blank, ben.html);
    assert.equal(welcomeText.slice(Number(blank[1]), Number(blank[2])), '{{ customer.first_name }}');
    assert.match(ben.html, /<mark class="mw mw-fallback"[^>]*>your city<\/mark>/);
  });

  test('a change to the document, unsaved, gives a new rendering', async () => {
    const version = await client.change(welcomeUri, [{
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } }, text: 'Welcome back',
    }]);
    const result = await preview({ uri: welcomeUri });
    assert.equal(result.version, version);
    assert.match(result.recipients[0].html, /^Welcome back <mark class="mw mw-value"[^>]*data-start="13" data-end="38">Ana<\/mark>,/);
    const again = await client.change(welcomeUri, [{
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 'You live in'.length } }, text: 'Your city:',
    }]);
    const updated = await preview({ uri: welcomeUri });
    assert.equal(updated.version, again);
    assert.match(updated.recipients[1].html, /Your city: <mark class="mw mw-fallback"[^>]*>your city<\/mark>/);
    // The disk still has the old text: the preview came from the editor's.
    assert.equal(fs.readFileSync(path.join(root, 'emails/welcome.liquid'), 'utf8'), welcomeText);
  });

  test('a template that runs away stops with a clear message, and the server answers a hover meanwhile', async () => {
    const hoverWelcome = () => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: welcomeUri }, position: { line: 0, character: 20 } }) as Promise<Hover>;
    // The runaway's time budget is many hovers long on this machine, as it is now, so that however slow
    // or busy it is, the hover sent meanwhile has time to come back first: 800 ms, or 50 quiet hovers.
    let hoverMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await unlessHung(hoverWelcome(), 'a hover');
      hoverMs = Math.min(hoverMs, performance.now() - start);
    }
    const budget = Math.max(800, Math.ceil(50 * hoverMs));
    const runawayUri = await client.open(path.join(root, 'emails/runaway.liquid'), RUNAWAY);
    const answered: string[] = [];
    const pending = preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: budget }).finally(() => answered.push('preview'));
    // Sent after the preview, so the server reads it once the rendering has been handed to the worker.
    const hover = await unlessHung(hoverWelcome().finally(() => answered.push('hover')), 'the hover during the rendering');
    assert.match((hover.contents as { value: string }).value, /customer\.first_name/);
    const result = await unlessHung(pending, 'the runaway rendering to be stopped');
    assert.deepEqual(answered, ['hover', 'preview'], 'the hover was answered before the rendering ended');
    assert.equal(result.recipients.length, 1);
    assert.match(result.recipients[0].error ?? '', /(took too long|did not finish within .*) and was stopped: check for a loop/);
    assert.equal(result.recipients[0].summary, 'not rendered');
    assert.equal(result.recipients[0].html, '');
    // The server, and its renderer, still work afterwards (with all the time they need: the server allows a minute).
    const next = await unlessHung(preview({ uri: welcomeUri, recipients: ['Ben'], timeoutMs: 60_000 }), 'the next preview');
    assert.deepEqual(next.recipients.map((r) => r.name), ['Ben']);
    assert.equal(next.recipients[0].error, undefined);
    await client.close(runawayUri);
  });

  test('a rendering stuck inside one filter is stopped by terminating the render worker; the next one gets a fresh worker', async () => {
    // One node of the template that liquidjs's own time check cannot interrupt.
    const hog = '{{ (1..40000000) | join: "," | size }}';
    const hogUri = await client.open(path.join(root, 'emails/hog.liquid'), hog);
    const pending = preview({ uri: hogUri, recipients: ['Ana'], timeoutMs: 100 });
    const hover = await unlessHung(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: welcomeUri }, position: { line: 0, character: 20 } }) as Promise<Hover>, 'the hover');
    assert.ok(hover, 'the server answers while the worker is stuck');
    const result = await unlessHung(pending, 'the stuck rendering to be stopped');
    // Only the render pool's hard limit says this, as it terminates the worker (test/unit/render-pool.test.ts counts it).
    assert.equal(result.recipients[0].error, 'Rendering did not finish within 600 ms and was stopped: check for a loop that never ends or output that never stops growing.');
    // On a fresh worker, with all the time it needs (the server allows a minute).
    const next = await unlessHung(preview({ uri: welcomeUri, recipients: ['Ana'], timeoutMs: 60_000 }), 'the next preview');
    assert.match(next.recipients[0].html, />Ana<\/mark>/);
    await client.close(hogUri);
  });

  test('a newer preview of the same document replaces one still rendering', async () => {
    const runawayUri = await client.open(path.join(root, 'emails/runaway.liquid'), RUNAWAY);
    // The longest budget the server allows (a minute): only being stopped ends this rendering soon.
    const first = preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: 60_000 }).then(() => undefined, (error: unknown) => error);
    // Where threads can be watched, wait until the rendering is under way (work done, not time passed).
    const rendering = PROC ? await unlessHung(busyThread(client.pid!), 'the rendering thread to work') : undefined;
    await client.change(runawayUri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: RUNAWAY.length } }, text: 'Fixed {{ customer.first_name }}' }]);
    const second = await unlessHung(preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: 60_000 }), 'the newer preview');
    const error = await unlessHung(first, 'the first preview to be cancelled');
    assert.ok(error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled, `expected the first request to be cancelled, got ${error}`);
    assert.match(second.recipients[0].html, /^Fixed <mark class="mw mw-value"[^>]*>Ana<\/mark>$/);
    // The runaway rendering was stopped, not waited for: its worker was terminated, and its thread ended.
    if (rendering) await unlessHung(threadEnded(client.pid!, rendering), 'the runaway render worker\'s thread to end');
    await client.close(runawayUri);
  });

  test('a plain-text template comes back as escaped, monospaced text', async () => {
    const text = fs.readFileSync(path.join(root, 'emails/plain.txt'), 'utf8');
    const plainUri = await client.open(path.join(root, 'emails/plain.txt'), text, 'plaintext');
    const result = await preview({ uri: plainUri });
    assert.equal(result.plainText, true);
    assert.match(result.recipients[0].html, /^<pre class="mw-plain">Hi <mark[^>]*>Ana<\/mark> &lt;3 &amp; /);
    assert.match(result.recipients[1].html, /<mark class="mw mw-fallback"[^>]*>&lt;your city&gt;<\/mark>/);
    await client.close(plainUri);
  });

  test('a recipient file picked from outside the globs is rendered too, and marked as picked', async () => {
    const zoe = path.join(root, 'elsewhere/zoe.json');
    const result = await preview({ uri: welcomeUri, extraRecipientFiles: [zoe, path.join(root, 'elsewhere/none.json')] });
    assert.deepEqual(result.recipients.map((r) => [r.name, r.picked ?? false]), [['Ana', false], ['Ben', false], ['Zoe', true]]);
    assert.equal(result.recipients[2].jurisdiction, 'EU');
    assert.match(result.recipients[2].html, />Zoë<\/mark>/);
    assert.deepEqual(result.problems, [`${path.join(root, 'elsewhere/none.json')}: no such file (picked as a sample recipient).`]);
  });

  test('a new recipient file with missing data is drafted in the recipients folder, and shows once written', async () => {
    const draft = await client.connection.sendRequest(NEW_RECIPIENT_REQUEST, { uri: welcomeUri }) as NewRecipientResult;
    assert.ok('file' in draft, JSON.stringify(draft));
    assert.equal(draft.file, path.join(root, 'recipients/missing-data.json'));
    assert.deepEqual(JSON.parse(draft.content), {
      $name: 'Missing data',
      customer: { first_name: '', city: '', favorite_service: '' },
      cart: { items: [] },
    });
    fs.writeFileSync(draft.file, draft.content);
    const result = await preview({ uri: welcomeUri, changedFiles: [draft.file] });
    const missing = result.recipients.find((r) => r.name === 'Missing data');
    assert.ok(missing, result.recipients.map((r) => r.name).join(', '));
    assert.equal(missing.summary, '1 fallback, 1 blank, 0 stale');
    const next = await client.connection.sendRequest(NEW_RECIPIENT_REQUEST, { uri: welcomeUri }) as NewRecipientResult;
    assert.ok('file' in next && next.file.endsWith(`recipients${path.sep}missing-data-2.json`));
  });

  test('without sample recipients, the preview says what to do', async () => {
    const bare = workspace({ 'mergewise.json': '{"fields": {}}', 'a.liquid': 'Hi' });
    try {
      const uri = await client.open(path.join(bare, 'a.liquid'), 'Hi');
      const result = await preview({ uri });
      assert.deepEqual(result.recipients, []);
      assert.match(result.notice ?? '', /no "recipients": add "recipients": \["recipients\/\*\.json"\]/);
      const draft = await client.connection.sendRequest(NEW_RECIPIENT_REQUEST, { uri }) as NewRecipientResult;
      assert.ok('error' in draft && /has no "recipients"/.test(draft.error));
      await client.close(uri);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
