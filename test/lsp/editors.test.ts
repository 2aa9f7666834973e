/**
 * The server (in-process: see lsp-client.ts) driven as editors other than VS Code drive it: with
 * the capabilities Neovim 0.7.2, Helix and a minimal client send, and with messages that arrive
 * faster than the server handles them (cancelled requests, requests behind newer edits).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest, CompletionRequest, ConfigurationRequest, DidChangeConfigurationNotification, HoverRequest, ResponseError,
  type ClientCapabilities, type CodeAction, type CompletionList, type Diagnostic, type Hover, type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LspTestClient } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { removeWorkspace, workspace } from '../helpers/workspace';

/** What Neovim 0.7.2's built-in client sends (`vim.lsp.protocol.make_client_capabilities()`, the parts the server reads). */
const NEOVIM_0_7: ClientCapabilities = {
  window: { workDoneProgress: true, showDocument: { support: false } },
  workspace: { workspaceFolders: true, applyEdit: true, workspaceEdit: { resourceOperations: ['rename', 'create', 'delete'] } },
  textDocument: {
    hover: { dynamicRegistration: false, contentFormat: ['markdown', 'plaintext'] },
    completion: { dynamicRegistration: false, contextSupport: false, completionItem: { snippetSupport: false, documentationFormat: ['markdown', 'plaintext'] } },
    codeAction: { dynamicRegistration: false, dataSupport: true, resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } } },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
    synchronization: { dynamicRegistration: false, didSave: true, willSave: false, willSaveWaitUntil: false },
  },
};

/** What Helix 24 sends, as far as the server reads: it pulls configuration and watches files, without snippets in documentation. */
const HELIX: ClientCapabilities = {
  window: { workDoneProgress: true },
  workspace: {
    configuration: true, workspaceFolders: true, applyEdit: true,
    didChangeConfiguration: { dynamicRegistration: false },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: false },
    inlayHint: { refreshSupport: false },
  },
  textDocument: {
    hover: { contentFormat: ['markdown'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'source'] } } },
  },
};

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code);
const WELCOME = SMALL_WORKSPACE['emails/welcome.liquid'];
/** `customer.first_name` on the first line of the welcome email. */
const ON_FIRST_NAME = { line: 0, character: 12 };

function setUp(capabilities: ClientCapabilities, initializationOptions?: unknown) {
  const context = { root: '', client: undefined as unknown as LspTestClient, welcomeUri: '' };
  before(async () => {
    context.root = workspace(SMALL_WORKSPACE);
    context.client = new LspTestClient({ inProcess: true });
    await context.client.initialize(context.root, capabilities, initializationOptions);
    context.welcomeUri = await context.client.open(path.join(context.root, 'emails/welcome.liquid'), WELCOME);
    await context.client.diagnosticsForVersion(context.welcomeUri, 1);
  });
  after(async () => {
    await context.client.stop();
    removeWorkspace(context.root);
  });
  return context;
}

/** Rewrites the schema on disk, as `git pull` or another tool would, with no editor involved. */
function editSchemaOnDisk(root: string, edit: (schema: { fields: Record<string, unknown> }) => void): void {
  const file = path.join(root, 'mergewise.json');
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(schema);
  fs.writeFileSync(file, JSON.stringify(schema, null, 2));
  // A new modification time even on a file system with coarse timestamps.
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
}

describe('Neovim 0.7.2 (no snippets, no configuration pull, no dynamic registration, drops nothing)', () => {
  const ws = setUp(NEOVIM_0_7);

  test('completion replaces the typed prefix, as plain text, with no filterText to make Neovim repeat it', async () => {
    const list = await ws.client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: ws.welcomeUri }, position: { line: 0, character: 'Hi {{ customer.'.length },
    }) as CompletionList;
    const firstName = list.items.find((item) => item.label === 'customer.first_name')!;
    assert.equal(firstName.filterText, undefined);
    assert.equal(firstName.insertTextFormat, 1, 'plain text');
    const edit = firstName.textEdit as TextEdit;
    assert.deepEqual(edit.range, { start: { line: 0, character: 6 }, end: { line: 0, character: 15 } }, 'what was typed: customer.');
    assert.equal(edit.newText, "customer.first_name | default: 'there'");
    assert.ok(list.items.every((item) => !/\$\d|\$\{/.test((item.textEdit as TextEdit).newText)), 'no snippet syntax in any item');
  });

  test('completion without snippets writes a block on one line: Vim\'s completion menu cannot insert a line break', async () => {
    // Marketing Cloud's folder, with a mergewise.json of its own (the workspace's says Liquid).
    fs.mkdirSync(path.join(ws.root, 'sfmc'));
    fs.writeFileSync(path.join(ws.root, 'sfmc/mergewise.json'), '{"fields": {}}');
    const file = path.join(ws.root, 'sfmc/block.amp');
    fs.writeFileSync(file, '%%[\n\n]%%');
    const uri = await ws.client.open(file, '%%[\n\n]%%');
    const list = await ws.client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 1, character: 0 } }) as CompletionList;
    const ifStatement = list.items.find((item) => item.label === 'IF')!;
    assert.ok(ifStatement, list.items.map((item) => item.label).join(', '));
    assert.equal((ifStatement.textEdit as TextEdit).newText, 'IF NOT Empty(@firstName) THEN ENDIF');
    assert.deepEqual(list.items.filter((item) => (item.textEdit as TextEdit).newText.includes('\n')).map((item) => item.label), []);
  });

  test('nothing is registered dynamically: the client offered no dynamic registration', async () => {
    await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME });
    assert.deepEqual(ws.client.registrations, []);
  });

  test('a quick fix names the schema\'s fallback when the client does not send the diagnostic\'s data back', async () => {
    const published = await ws.client.diagnosticsForVersion(ws.welcomeUri, 1);
    const missing = published.diagnostics.find((d) => d.code === 'missing-fallback')!;
    const actions = await ws.client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: ws.welcomeUri }, range: missing.range, context: { diagnostics: [{ ...missing, data: undefined }] },
    }) as CodeAction[];
    assert.ok(actions.some((action) => action.title === 'Add fallback "there"'), actions.map((a) => a.title).join(', '));
  });

  test('settings pushed with workspace/didChangeConfiguration take effect', async () => {
    await ws.client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { mergewise: { rules: { 'missing-fallback': 'off' } } } });
    const published = await ws.client.diagnostics(ws.welcomeUri, (p) => !codes(p.diagnostics).includes('missing-fallback'));
    assert.ok(codes(published.diagnostics).includes('quadrant-expected-unhelpful'), 'the other rules still run');
    await ws.client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { mergewise: { rules: {} } } });
    await ws.client.diagnostics(ws.welcomeUri, (p) => codes(p.diagnostics).includes('missing-fallback'));
  });

  test('a schema changed on disk is read again when next needed, though the client watches no files', async () => {
    editSchemaOnDisk(ws.root, (schema) => { delete schema.fields['customer.city']; });
    const hover = await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: { line: 1, character: 'You live in {{ cus'.length } }) as Hover;
    assert.match((hover.contents as { value: string }).value, /customer\.city\*\* is not in mergewise\.json/);
    const published = await ws.client.diagnostics(ws.welcomeUri, (p) => codes(p.diagnostics).includes('unknown-field'));
    assert.ok(published.diagnostics.some((d) => d.code === 'unknown-field' && JSON.stringify(d.message).includes('customer.city')));
  });
});

describe('Helix (pulls configuration, watches files, markdown only)', () => {
  let pulled = 0;
  const ws = setUp(HELIX);
  before(() => {
    ws.client.connection.onRequest(ConfigurationRequest.type, (params) => {
      pulled++;
      return params.items.map((item) => (item.section === 'mergewise' ? { rules: { 'quadrant-expected-unhelpful': 'off' } } : null));
    });
  });

  test('registers a file watcher for schemas, recipients and templates, and nothing it was not offered', async () => {
    await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME });
    assert.deepEqual(ws.client.registrations.map((r) => r.method), ['workspace/didChangeWatchedFiles']);
    const globs = (ws.client.registrations[0].registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => String(w.globPattern));
    assert.ok(globs.includes('**/*.json'), globs.join(', '));
    assert.ok(globs.some((glob) => glob.includes('liquid') && glob.includes('hbs')), globs.join(', '));
  });

  test('settings are pulled when the client says they changed', async () => {
    await ws.client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const published = await ws.client.diagnostics(ws.welcomeUri, (p) => !codes(p.diagnostics).includes('quadrant-expected-unhelpful'));
    assert.ok(pulled > 0);
    assert.ok(codes(published.diagnostics).includes('missing-fallback'));
  });

  test('hover is markdown, as the client takes it', async () => {
    const hover = await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME }) as Hover;
    assert.equal((hover.contents as { kind: string }).kind, 'markdown');
  });
});

describe('a minimal client (no capabilities at all, settings in initializationOptions)', () => {
  const ws = setUp({}, { rules: { 'quadrant-expected-unhelpful': 'off' } });

  test('settings from initializationOptions apply from the first diagnostics on', async () => {
    const published = await ws.client.diagnosticsForVersion(ws.welcomeUri, 1);
    assert.ok(!codes(published.diagnostics).includes('quadrant-expected-unhelpful'), codes(published.diagnostics).join(', '));
    assert.ok(codes(published.diagnostics).includes('missing-fallback'));
  });

  test('hover and completion documentation are plain text; completion inserts no snippet', async () => {
    const hover = await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME }) as Hover;
    const contents = hover.contents as { kind: string; value: string };
    assert.equal(contents.kind, 'plaintext');
    assert.doesNotMatch(contents.value, /\*\*|`/);
    assert.match(contents.value, /^Ben: \(blank\)$/m);
    const list = await ws.client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: ws.welcomeUri }, position: { line: 0, character: 'Hi {{ customer.'.length },
    }) as CompletionList;
    const firstName = list.items.find((item) => item.label === 'customer.first_name')!;
    assert.equal((firstName.textEdit as TextEdit).newText, "customer.first_name | default: 'there'");
    assert.equal((firstName.documentation as { kind: string }).kind, 'plaintext');
  });

  test('the server asks nothing the client did not offer: no registration, no progress, no refresh', async () => {
    await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME });
    assert.deepEqual(ws.client.registrations, []);
    assert.deepEqual(ws.client.progress, []);
  });

  test('bad settings are named in the log and change nothing else', async () => {
    await ws.client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { mergewise: { rules: { 'missing-fallback': 'loud', 'no-such-rule': 'off' } } } });
    const published = await ws.client.diagnostics(ws.welcomeUri, (p) => codes(p.diagnostics).includes('quadrant-expected-unhelpful'));
    assert.ok(codes(published.diagnostics).includes('missing-fallback'));
    const logged = ws.client.logs.join('\n');
    assert.match(logged, /mergewise\.rules\.missing-fallback must be error, warning, information, hint or off, not "loud"/);
    assert.match(logged, /unknown rule "no-such-rule"/);
  });
});

describe('messages that arrive faster than the server handles them', () => {
  const ws = setUp({});

  test('a request cancelled before the server reached it is answered RequestCancelled', async () => {
    ws.client.sendTogether([
      { id: 'raw-cancelled', method: 'textDocument/hover', params: { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME } },
      { method: '$/cancelRequest', params: { id: 'raw-cancelled' } },
    ]);
    const response = await ws.client.rawResponse('raw-cancelled');
    assert.equal(response.error?.code, -32800, JSON.stringify(response));
  });

  test('a request behind newer edits of its document is answered ContentModified, and the next from the newest text', async () => {
    const edited = "Hello {{ customer.city }}\n";
    ws.client.sendTogether([
      { id: 'raw-stale', method: 'textDocument/hover', params: { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME } },
      { method: 'textDocument/didChange', params: { textDocument: { uri: ws.welcomeUri, version: 2 }, contentChanges: [{ text: edited }] } },
      { id: 'raw-fresh', method: 'textDocument/hover', params: { textDocument: { uri: ws.welcomeUri }, position: { line: 0, character: 12 } } },
    ]);
    const stale = await ws.client.rawResponse('raw-stale');
    assert.equal(stale.error?.code, -32801, JSON.stringify(stale));
    const fresh = await ws.client.rawResponse('raw-fresh');
    assert.match(JSON.stringify(fresh.result), /customer\.city/);
    const published = await ws.client.diagnostics(ws.welcomeUri, (p) => p.version === 2);
    assert.ok(published.diagnostics.every((d) => d.range.start.line === 0));
  });
});

describe('a client that refuses the settings pull', () => {
  const ws = setUp(HELIX);
  before(() => {
    ws.client.connection.onRequest(ConfigurationRequest.type, () => new ResponseError(-32603, 'no settings here'));
  });

  test('keeps the settings it has, says why in the log, and goes on checking', async () => {
    await ws.client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const hover = await ws.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: ws.welcomeUri }, position: ON_FIRST_NAME }) as Hover;
    assert.ok(hover, 'the server still answers');
    // The refusal comes back after the hover's answer: wait for the server to log it (the limit only stops a hang).
    for (let waited = 0; !ws.client.logs.some((log) => log.includes('could not read')) && waited < 60_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(ws.client.logs.join('\n'), /could not read the editor's settings: no settings here/);
    assert.ok(codes((await ws.client.diagnosticsForVersion(ws.welcomeUri, 1)).diagnostics).includes('missing-fallback'));
  });
});
