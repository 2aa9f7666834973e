import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RenameRequest, type WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { LspTestClient } from '../helpers/lsp-client';
import { workspace } from '../helpers/workspace';

test('rename leaves a platform that reads the field by a name of its own, even one spelled as the old path', async () => {
  const root = workspace({
    'mergewise.json': JSON.stringify({
      templates: { 'klaviyo/**/*.html': 'klaviyo', 'sfmc/**/*.html': 'ampscript' },
      fields: { first_name: { type: 'string', fallback: 'there', aliases: { klaviyo: 'first_name', ampscript: 'FirstName' } } },
    }),
    'emails/welcome.liquid': 'Hi {{ first_name }}',
    'klaviyo/welcome.html': '<p>Hi {{ first_name }}</p>',
    'sfmc/welcome.html': '<p>Hi %%FirstName%%</p>',
  });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const welcome = await client.open(path.join(root, 'emails/welcome.liquid'), fs.readFileSync(path.join(root, 'emails/welcome.liquid'), 'utf8'));
    await client.diagnosticsForVersion(welcome, 1);
    const renamed = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: welcome }, position: { line: 0, character: 8 }, newName: 'given_name' }) as WorkspaceEdit;
    assert.deepEqual(Object.keys(renamed.changes!).map((uri) => path.relative(root, new URL(uri).pathname)).sort(), ['emails/welcome.liquid', 'mergewise.json']);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
