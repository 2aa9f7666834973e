/**
 * The preview over the real, bundled server (dist/server.js with dist/render-worker.js): what each
 * sample recipient gets, updated from unsaved text, with runaway templates stopped off the server's
 * thread.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, LSPErrorCodes, ResponseError, type Hover } from 'vscode-languageserver-protocol/node';
import {
  NEW_RECIPIENT_REQUEST, PREVIEW_REQUEST,
  type NewRecipientResult, type PreviewParams, type PreviewResult,
} from '../../server/src/lsp/protocol';
import { LspTestClient } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { workspace } from '../helpers/workspace';

/** Nested loops that liquidjs's own limits let run for long: 10⁸ iterations. */
const RUNAWAY = '{% for i in (1..10000) %}{% for j in (1..10000) %}{{ customer.first_name }}{% endfor %}{% endfor %}';

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
    const runawayUri = await client.open(path.join(root, 'emails/runaway.liquid'), RUNAWAY);
    const started = Date.now();
    const pending = preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: 800 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const hoverStarted = Date.now();
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: welcomeUri }, position: { line: 0, character: 20 } }) as Hover;
    const hoverTook = Date.now() - hoverStarted;
    assert.match((hover.contents as { value: string }).value, /customer\.first_name/);
    const result = await pending;
    const took = Date.now() - started;
    assert.ok(hoverTook < 500, `the hover took ${hoverTook} ms while the preview rendered`);
    assert.ok(took >= hoverTook, 'the hover was answered before the rendering ended');
    assert.ok(took < 5000, `the rendering was stopped after ${took} ms`);
    assert.equal(result.recipients.length, 1);
    assert.match(result.recipients[0].error ?? '', /(took too long|did not finish within .*) and was stopped: check for a loop/);
    assert.equal(result.recipients[0].summary, 'not rendered');
    assert.equal(result.recipients[0].html, '');
    // The server, and its renderer, still work afterwards.
    const next = await preview({ uri: welcomeUri, recipients: ['Ben'] });
    assert.deepEqual(next.recipients.map((r) => r.name), ['Ben']);
    assert.equal(next.recipients[0].error, undefined);
    await client.close(runawayUri);
  });

  test('a rendering stuck inside one filter is stopped by terminating the render worker; the next one gets a fresh worker', async () => {
    // One node of the template that liquidjs's own time check cannot interrupt.
    const hog = '{{ (1..40000000) | join: "," | size }}';
    const hogUri = await client.open(path.join(root, 'emails/hog.liquid'), hog);
    const started = Date.now();
    const pending = preview({ uri: hogUri, recipients: ['Ana'], timeoutMs: 100 });
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: welcomeUri }, position: { line: 0, character: 20 } }) as Hover;
    assert.ok(hover, 'the server answers while the worker is stuck');
    const result = await pending;
    assert.equal(result.recipients[0].error, 'Rendering did not finish within 600 ms and was stopped: check for a loop that never ends or output that never stops growing.');
    assert.ok(Date.now() - started < 3000);
    const next = await preview({ uri: welcomeUri, recipients: ['Ana'] });
    assert.match(next.recipients[0].html, />Ana<\/mark>/);
    await client.close(hogUri);
  });

  test('a newer preview of the same document replaces one still rendering', async () => {
    const runawayUri = await client.open(path.join(root, 'emails/runaway.liquid'), RUNAWAY);
    const first = preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: 3000 }).then(() => undefined, (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.change(runawayUri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: RUNAWAY.length } }, text: 'Fixed {{ customer.first_name }}' }]);
    const started = Date.now();
    const second = await preview({ uri: runawayUri, recipients: ['Ana'], timeoutMs: 3000 });
    const error = await first;
    assert.ok(error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled, `expected the first request to be cancelled, got ${error}`);
    assert.ok(Date.now() - started < 2500, 'the runaway rendering was stopped, not waited for');
    assert.match(second.recipients[0].html, /^Fixed <mark class="mw mw-value"[^>]*>Ana<\/mark>$/);
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
