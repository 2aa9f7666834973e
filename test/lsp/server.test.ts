import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest, CompletionRequest, DidChangeWatchedFilesNotification, FileChangeType, DefinitionRequest, HoverRequest, InlayHintRequest, LSPErrorCodes, ReferencesRequest, RenameRequest,
  type CompletionItem, type CompletionList, type Diagnostic, type Hover, type InlayHint, type Location, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { workspace } from '../helpers/workspace';

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code);

describe('language server (in-process, over memory streams, as over stdio)', () => {
  let root: string;
  let client: LspTestClient;
  let welcomeUri: string;
  let welcome: TextDocument;

  before(async () => {
    root = workspace(SMALL_WORKSPACE);
    client = new LspTestClient({ inProcess: true });
    const init = await client.initialize(root) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.hoverProvider);
    const text = fs.readFileSync(path.join(root, 'emails/welcome.liquid'), 'utf8');
    welcomeUri = await client.open(path.join(root, 'emails/welcome.liquid'), text);
    welcome = TextDocument.create(welcomeUri, 'liquid', 1, text);
  });

  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('publishes diagnostics with the rule as code, a docs link and the version', async () => {
    const published = await client.diagnosticsForVersion(welcomeUri, 1);
    const missing = published.diagnostics.find((d) => d.code === 'missing-fallback');
    assert.ok(missing, `missing-fallback expected, got ${codes(published.diagnostics)}`);
    assert.equal(missing.source, 'mergewise');
    assert.match(missing.codeDescription?.href ?? '', /README\.md#missing-fallback$/);
    assert.deepEqual(missing.range, { start: { line: 0, character: 6 }, end: { line: 0, character: 25 } });
    assert.ok(codes(published.diagnostics).includes('quadrant-expected-unhelpful'));
  });

  test('hover shows type, source, quadrant, fallback, purposes and each recipient\'s value', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: welcomeUri }, position: { line: 0, character: 12 } }) as Hover;
    const markdown = (hover.contents as { value: string }).value;
    for (const expected of ['customer.first_name', 'string', 'declared', 'self-centered flex', '"there"', 'First name as typed', '| Ana | Ana |', '| Ben | *(blank)* |']) {
      assert.ok(markdown.includes(expected), `hover should include ${expected}:\n${markdown}`);
    }
  });

  test('completion offers nested fields with their fallback as a snippet, and loop item fields', async () => {
    const list = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 0, character: 'Hi {{ customer.'.length },
    }) as CompletionList;
    const firstName = list.items.find((item: CompletionItem) => item.label === 'customer.first_name');
    assert.ok(firstName, `customer.first_name expected in ${list.items.map((i) => i.label)}`);
    assert.equal((firstName.textEdit as TextEdit).newText, "customer.first_name | default: 'there'$0");
    const inLoop = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 2, character: '{% for item in cart.items %}{{ '.length },
    }) as CompletionList;
    assert.ok(inLoop.items.some((item) => item.label === 'item.title'), `item.title expected in ${inLoop.items.map((i) => i.label)}`);
    const filters = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 1, character: "You live in {{ customer.city | ".length },
    }) as CompletionList;
    assert.ok(filters.items.some((item) => item.label === 'default'));
  });

  test('the fallback quick fix edits the template, and the re-check no longer reports it', async () => {
    const published = await client.diagnostics(welcomeUri, (p) => p.version === client.versions.get(welcomeUri));
    const missing = published.diagnostics.find((d) => d.code === 'missing-fallback')!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: welcomeUri }, range: missing.range, context: { diagnostics: [missing] },
    }) as { title: string; edit?: WorkspaceEdit }[];
    const fix = actions.find((a) => a.title === 'Add fallback "there"');
    assert.ok(fix, `fallback fix expected in ${actions.map((a) => a.title)}`);
    const edits = fix.edit!.changes![welcomeUri];
    const text = TextDocument.applyEdits(welcome, edits);
    assert.match(text, /^Hi \{\{ customer\.first_name \| default: 'there' \}\},/);
    const version = await client.change(welcomeUri, [{ text }]);
    welcome = TextDocument.create(welcomeUri, 'liquid', version, text);
    const rechecked = await client.diagnosticsForVersion(welcomeUri, version);
    assert.ok(!codes(rechecked.diagnostics).includes('missing-fallback'), `still: ${codes(rechecked.diagnostics)}`);
  });

  test('inlay hints show what the active recipient sees, and switch with the recipient', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: welcomeUri }, range }) as InlayHint[];
    assert.deepEqual(hints.map((h) => h.label), ['→ Ana', '→ Lisbon', '→ Cut']);
    assert.equal(await client.connection.sendRequest('mergewise/setActiveRecipient', { uri: welcomeUri, name: 'Ben' }), true);
    const switched = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: welcomeUri }, range }) as InlayHint[];
    assert.deepEqual(switched.map((h) => h.label), ['→ "there" (fallback)', '→ "your city" (fallback)', '→ blank']);
  });

  test('go to definition opens the field in mergewise.json; references find every template', async () => {
    const position = { line: 0, character: 12 };
    const definition = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: welcomeUri }, position }) as Location;
    assert.equal(definition.uri, uri(path.join(root, 'mergewise.json')));
    const schemaLines = fs.readFileSync(path.join(root, 'mergewise.json'), 'utf8').split('\n');
    assert.match(schemaLines[definition.range.start.line].slice(definition.range.start.character), /^"customer\.first_name"/);
    const references = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: welcomeUri }, position, context: { includeDeclaration: false },
    }) as Location[];
    assert.deepEqual(references.map((r) => path.basename(r.uri)).sort(), ['other.liquid', 'welcome.liquid']);
  });

  test('a template created on disk is found by references once the editor reports it', async () => {
    const created = path.join(root, 'emails/new.liquid');
    fs.writeFileSync(created, "New {{ customer.first_name | default: 'there' }}\n");
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(created), type: FileChangeType.Created }] });
    const references = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 0, character: 12 }, context: { includeDeclaration: false },
    }) as Location[];
    assert.ok(references.some((r) => r.uri === uri(created)), references.map((r) => r.uri).join(', '));
  });

  test('rename changes the field in the schema, its purposes and every template', async () => {
    const renamed = await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 1, character: 'You live in {{ cust'.length }, newName: 'customer.home_city',
    }) as WorkspaceEdit;
    const changes = renamed.changes!;
    const schemaEdits = changes[uri(path.join(root, 'mergewise.json'))];
    assert.deepEqual(schemaEdits.map((e) => e.newText), ['"customer.home_city"', '"customer.home_city"']);
    assert.deepEqual(changes[welcomeUri].map((e) => e.newText), ['customer.home_city']);
    // Ana's sample value moves with it (Ben has none): her preview still shows Lisbon.
    const ana = path.join(root, 'recipients/ana.json');
    const anaText = TextDocument.create(uri(ana), 'json', 1, fs.readFileSync(ana, 'utf8'));
    assert.deepEqual(JSON.parse(TextDocument.applyEdits(anaText, changes[uri(ana)])).customer, { first_name: 'Ana', home_city: 'Lisbon' });
    assert.equal(changes[uri(path.join(root, 'recipients/ben.json'))], undefined);
    // A name already taken is refused with the protocol's code for a request that failed, and says why.
    await assert.rejects(client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: welcomeUri }, position: { line: 1, character: 'You live in {{ cust'.length }, newName: 'customer.first_name',
    }), (error: { code: number; message: string }) => error.code === LSPErrorCodes.RequestFailed && /customer\.first_name/.test(error.message));
  });

  test('mergewise.json gets its own diagnostics, and editing it re-checks open templates', async () => {
    const schemaPath = path.join(root, 'mergewise.json');
    const schemaText = fs.readFileSync(schemaPath, 'utf8');
    const schemaUri = await client.open(schemaPath, schemaText, 'json');
    const schemaDiagnostics = await client.diagnostics(schemaUri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(codes(schemaDiagnostics.diagnostics), ['purpose-incomplete']);
    // Make the city purpose complete: the template's city use becomes helpful (no more hint).
    const fixed = schemaText.replace('"segment": "clients near an event"', '"segment": "clients near an event", "tactic": "invite them", "metric": "RSVPs", "templates": ["emails/**"]');
    await client.change(schemaUri, [{ text: fixed }]);
    const rechecked = await client.diagnostics(welcomeUri, (p) => !p.diagnostics.some((d) => d.code === 'quadrant-expected-unhelpful' && d.range.start.line === 1));
    assert.ok(rechecked);
    // Closed without saving: the file on disk applies again, and the open template is checked against it.
    await client.close(schemaUri);
    const reverted = await client.diagnostics(welcomeUri, (p) => p.diagnostics.some((d) => d.code === 'quadrant-expected-unhelpful' && d.range.start.line === 1));
    assert.ok(reverted);
  });

  /** A template written to the workspace and opened as is, its first finding of `rule`, and the code actions offered on it. */
  async function actionsOnFirst(name: string, text: string, rule: string) {
    const filePath = path.join(root, 'emails', name);
    fs.writeFileSync(filePath, text);
    const documentUri = await client.open(filePath, text);
    const diagnostic = (await client.diagnosticsForVersion(documentUri, 1)).diagnostics.find((d) => d.code === rule)!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: documentUri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
    }) as { title: string; isPreferred?: boolean; edit?: WorkspaceEdit }[];
    return { documentUri, diagnostic, actions };
  }

  test('a document the client sends with a byte-order mark: ranges and the fix count the mark as the client does', async () => {
    const text = '\uFEFF<p>Hi {{ customer.first_name }}</p>\n';
    const { documentUri, diagnostic, actions } = await actionsOnFirst('bom.liquid', text, 'missing-fallback');
    const document = TextDocument.create(documentUri, 'liquid', 1, text);
    assert.equal(document.getText(diagnostic.range), 'customer.first_name');
    const fix = actions.find((a) => a.title === 'Add fallback "there"')!;
    assert.equal(TextDocument.applyEdits(document, fix.edit!.changes![documentUri]), "\uFEFF<p>Hi {{ customer.first_name | default: 'there' }}</p>\n");
  });

  test('only a safe fix is preferred: a guess or a placeholder is offered, never preferred (editors apply a preferred fix unasked)', async () => {
    const { actions } = await actionsOnFirst('typo-preferred.liquid', 'Hi {{ customer.frist_name }}\n', 'unknown-field');
    assert.ok(actions.some((a) => a.title === 'Change to customer.first_name'), actions.map((a) => a.title).join(', '));
    assert.deepEqual(actions.filter((a) => a.isPreferred).map((a) => a.title), []);
  });
});
