import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType, ReferencesRequest, RenameRequest, type WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { workspace } from '../helpers/workspace';

test('without mergewise.json, syntax checks still run and the user is told once why nothing else is', async () => {
  const root = workspace({
    'a.liquid': 'Hi {{ customer.first_name }}, {% if x %}',
    'b.liquid': 'Hello {{ customer.first_name',
  });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const a = await client.open(path.join(root, 'a.liquid'), fs.readFileSync(path.join(root, 'a.liquid'), 'utf8'));
    const published = await client.diagnosticsForVersion(a, 1);
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['syntax-error'], 'only syntax checks: no unknown-field without a schema');
    const b = await client.open(path.join(root, 'b.liquid'), fs.readFileSync(path.join(root, 'b.liquid'), 'utf8'));
    assert.deepEqual((await client.diagnosticsForVersion(b, 1)).diagnostics.map((d) => d.code), ['syntax-error']);
    const notices = client.messages.filter((m) => m.includes('no mergewise.json'));
    assert.equal(notices.length, 1, `one notice, got ${JSON.stringify(client.messages)}`);
    assert.match(notices[0], /only syntax checks run/);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a mergewise.json that check would stop on is said once in the editor, with where, though it is not open', async () => {
  const root = workspace({
    'mergewise.json': '{"fields": {"customer.first_name": {"type": "strin"}}}',
    'a.liquid': 'Hi {{ customer.first_name }}',
    'b.liquid': 'Hello {{ customer.first_name }}',
  });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const a = await client.open(path.join(root, 'a.liquid'), fs.readFileSync(path.join(root, 'a.liquid'), 'utf8'));
    await client.diagnosticsForVersion(a, 1);
    const b = await client.open(path.join(root, 'b.liquid'), fs.readFileSync(path.join(root, 'b.liquid'), 'utf8'));
    await client.diagnosticsForVersion(b, 1);
    const notices = client.messages.filter((m) => m.includes('mergewise.json:1:'));
    assert.equal(notices.length, 1, `one notice, got ${JSON.stringify(client.messages)}`);
    assert.match(notices[0], /^Mergewise: mergewise\.json:1:\d+: .*"strin".*mergewise check stops on it/);
    // Being typed in, it says what is wrong in its own diagnostics: no notice for each half-typed state.
    const schemaUri = await client.open(path.join(root, 'mergewise.json'), '{"fields": {"customer.first_name": {"type": "strin"}}}', 'json');
    for (const [version, text] of ['{"fields": {"customer.first_name": {"type": "stri', '{"fields": {"customer.first_name": {"type": "s"}}}'].entries()) {
      await client.change(schemaUri, [{ text }]);
      await client.diagnosticsForVersion(schemaUri, version + 2);
      await client.diagnostics(a, () => true);
    }
    const c = await client.open(path.join(root, 'c.liquid'), 'Bye {{ customer.first_name }}');
    await client.diagnosticsForVersion(c, 1);
    assert.deepEqual(client.messages.filter((m) => m.includes('mergewise.json:1:')), notices, `no more notices, got ${JSON.stringify(client.messages)}`);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a mergewise.json created after the workspace was indexed: rename reaches every template, .html ones included', async () => {
  const root = workspace({
    'emails/a.html': '<p>Hi {{ customer.first_name }}</p>',
    'emails/b.html': '<p>Bye {{ customer.first_name }}</p>',
    'emails/c.liquid': 'Yo {{ customer.first_name }}',
  });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const a = await client.open(path.join(root, 'emails/a.html'), fs.readFileSync(path.join(root, 'emails/a.html'), 'utf8'));
    await client.diagnosticsForVersion(a, 1);
    // References answer once the workspace is indexed: then the schema appears, as `init` or the editor's command writes it.
    await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: a }, position: { line: 0, character: 12 }, context: { includeDeclaration: false } });
    const schemaPath = path.join(root, 'mergewise.json');
    fs.writeFileSync(schemaPath, JSON.stringify({ fields: { 'customer.first_name': { type: 'string' } } }));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(schemaPath), type: FileChangeType.Created }] });
    const renamed = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: a }, position: { line: 0, character: 12 }, newName: 'customer.given_name' }) as WorkspaceEdit;
    assert.deepEqual(Object.keys(renamed.changes!).map((u) => path.basename(u)).sort(), ['a.html', 'b.html', 'c.liquid', 'mergewise.json']);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
