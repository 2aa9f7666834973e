/**
 * `mergewise/report`: the server answers with the send-readiness report of a workspace folder as a
 * page for VS Code's webview: the same report `mergewise report` writes, with the panel's one script
 * under the client's nonce, links relative to the folder, and unsaved edits counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource, HoverRequest, LSPErrorCodes, type ResponseError } from 'vscode-languageserver-protocol/node';
import { REPORT_REQUEST, type ReportResult } from '../../protocol/src/requests';
import { runReport } from '../../server/src/cli/report';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { removeWorkspace, workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const EXAMPLES = path.resolve(__dirname, '../../examples');
const NONCE = 'r4nd0mN0nceOfTheWebview24';

const SCHEMA = JSON.stringify({
  fields: { 'customer.first_name': { type: 'string', source: 'declared' }, 'customer.city': { type: 'string', source: 'declared' } },
  recipients: ['recipients/*.json'],
  // An error fails the template's checklist item; a warning only warns.
  rules: { 'missing-fallback': 'error' },
});
const FILES = {
  'mergewise.json': SCHEMA,
  'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', city: 'Porto' } }),
  'emails/welcome.liquid': '<p>Hi {{ customer.first_name | default: "there" }}</p>\n<p>From {{ customer.city }}</p>\n',
  'emails/ok.liquid': '<p>Hi {{ customer.first_name | default: "there" }}</p>\n',
};

/** The page without what only the webview has: its script, its policy's script-src, and the lines that name the editor. */
function withoutWebview(html: string): string {
  return html
    .replace(/<script nonce="[^"]*">[\s\S]*?<\/script>\n/, '')
    .replace(/; script-src 'nonce-[^']*'/, '')
    .replace(/Generated [^<]*UTC by [^.]*(<\/code>)?\./, 'Generated.')
    .replace(/<footer>[\s\S]*<\/footer>/, '<footer></footer>');
}

test('the report of the workspace: the page mergewise report writes, with the webview\'s script under the nonce and nothing else', async () => {
  // A copy of examples/, so that the command line may write its report.html into the folder itself: links then read the same.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-report-'));
  fs.cpSync(EXAMPLES, root, { recursive: true });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const result = await client.connection.sendRequest<ReportResult>(REPORT_REQUEST, { nonce: NONCE });
    const written = runReport({ paths: [], cwd: root, outDir: root, format: 'html', now: new Date() });
    assert.equal(result.folder, uri(root));
    assert.equal(result.templates, written.report.overall.templates);
    assert.equal(result.ready, written.report.overall.ready);
    assert.ok(result.templates > 20, `every template of examples/: ${result.templates}`);
    assert.equal(withoutWebview(result.html), withoutWebview(fs.readFileSync(written.written, 'utf8')));

    const csp = result.html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1];
    assert.equal(csp, `default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; script-src 'nonce-${NONCE}'`);
    const scripts = [...result.html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${NONCE}">`], 'the page\'s one script; the previews are escaped into srcdoc');
    assert.match(result.html, /href="emails\/drafts\/[a-z-]+\.liquid#L\d+"/, 'findings link to the file and line, relative to the folder');
  } finally {
    await client.stop();
    removeWorkspace(root);
  }
});

test('unsaved edits count: fixing a fallback in the editor makes the template ready', async () => {
  const root = workspace(FILES);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const before = await client.connection.sendRequest<ReportResult>(REPORT_REQUEST, { folder: uri(root), nonce: NONCE });
    assert.deepEqual([before.templates, before.ready], [2, 1]);
    assert.match(before.html, /<a href="emails\/welcome\.liquid#L2">emails\/welcome\.liquid:2<\/a> <span class="muted">missing-fallback<\/span>/);

    await client.open(path.join(root, 'emails/welcome.liquid'), '<p>Hi {{ customer.first_name | default: "there" }}</p>\n<p>From {{ customer.city | default: "your city" }}</p>\n');
    const after = await client.connection.sendRequest<ReportResult>(REPORT_REQUEST, { nonce: NONCE });
    assert.deepEqual([after.templates, after.ready], [2, 2]);
    assert.doesNotMatch(after.html, /missing-fallback<\/span>/);
  } finally {
    await client.stop();
  }
});

test('a nonce that is not a random base64 value is refused with a message, not put in the page', async () => {
  const root = workspace(FILES);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    for (const nonce of ['short', `${NONCE}"><script>alert(1)</script>`, undefined]) {
      await assert.rejects(client.connection.sendRequest(REPORT_REQUEST, { nonce }), /nonce of at least 16 base64 characters/);
    }
  } finally {
    await client.stop();
  }
});

/** A workspace whose report takes many of the server's slices: 300 templates, each rendered for two recipients. */
function largeWorkspace(): Record<string, string> {
  const files: Record<string, string> = {
    'mergewise.json': SCHEMA,
    'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', city: 'Porto' } }),
    'recipients/ben.json': JSON.stringify({ $name: 'Ben', customer: {} }),
  };
  const paragraph = '<p>Hi {{ customer.first_name | default: "there" }}, news from {{ customer.city }}.</p>\n';
  for (let i = 0; i < 300; i++) files[`emails/e${String(i).padStart(3, '0')}.liquid`] = paragraph.repeat(40);
  return files;
}

test('while it writes the report of a large workspace, the server answers hovers; a cancelled report stops', async () => {
  const root = workspace(largeWorkspace());
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const template = await client.open(path.join(root, 'emails/e000.liquid'), largeWorkspace()['emails/e000.liquid']);
    const hover = () => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: template }, position: { line: 0, character: 20 } });
    assert.ok(await hover(), 'the hover answers');
    // The first report waits for the workspace index; the second is only the writing.
    assert.equal((await client.connection.sendRequest<ReportResult>(REPORT_REQUEST, { nonce: NONCE })).templates, 300);

    let done = false;
    const report = client.connection.sendRequest<ReportResult>(REPORT_REQUEST, { nonce: NONCE }).finally(() => { done = true; });
    let answeredMeanwhile = 0;
    while (!done) {
      await hover();
      if (!done) answeredMeanwhile++;
    }
    assert.equal((await report).templates, 300);
    // Written in one go, the report would let one hover in at most: the one sent before it began.
    assert.ok(answeredMeanwhile >= 3, `hovers answered while the report was written: ${answeredMeanwhile}`);

    const cancellation = new CancellationTokenSource();
    const cancelled = client.connection.sendRequest(REPORT_REQUEST, { nonce: NONCE }, cancellation.token);
    await hover();
    cancellation.cancel();
    await assert.rejects(cancelled, (error: ResponseError<unknown>) => error.code === LSPErrorCodes.RequestCancelled);
  } finally {
    await client.stop();
  }
});
