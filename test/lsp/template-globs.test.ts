import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType, ReferencesRequest, type Location } from 'vscode-languageserver-protocol/node';
import { DOCUMENT_INFO_REQUEST, type DocumentInfo } from '../../protocol/src/requests';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { workspace } from '../helpers/workspace';

/** A file a `templates` glob names is checked in the editor too, whatever its extension (issue 18 item 7). */
test('the server checks, indexes and watches the files templates globs name; a file none names is left alone', async () => {
  const root = workspace({
    'mergewise.json': JSON.stringify({
      fields: { 'customer.first_name': { type: 'string', source: 'declared' } },
      templates: { 'emails/**/*.mjml': 'liquid', 'legacy/*': 'ampscript' },
    }),
    'emails/welcome.mjml': '<mjml><mj-text>Hi {{ customer.first_name }}</mj-text></mjml>\n',
    'legacy/promo': 'Hi %%=AttributeValue("customer.first_name")=%%\n',
    'legacy/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]).toString('latin1'),
    'other/unmatched.mjml': '<mjml>{{ customer.first_name }}</mjml>\n',
  });
  const client = new LspTestClient({ inProcess: true });
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  try {
    await client.initialize(root);
    // VS Code opens a .mjml file, or one without an extension, as plain text.
    const mjml = await client.open(path.join(root, 'emails/welcome.mjml'), read('emails/welcome.mjml'), 'plaintext');
    const published = await client.diagnosticsForVersion(mjml, 1);
    assert.ok(published.diagnostics.some((d) => d.code === 'missing-fallback'), JSON.stringify(published.diagnostics));
    const info = await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: mjml }) as DocumentInfo;
    assert.deepEqual(info.dialect && { id: info.dialect.id, reason: info.dialect.reason }, { id: 'liquid', reason: 'templates glob' });

    const unmatched = await client.open(path.join(root, 'other/unmatched.mjml'), read('other/unmatched.mjml'), 'plaintext');
    assert.deepEqual((await client.diagnosticsForVersion(unmatched, 1)).diagnostics, [], 'no glob names it: not checked, as before');
    assert.equal((await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: unmatched }) as DocumentInfo).dialect, undefined);

    const logo = await client.open(path.join(root, 'legacy/logo.png'), read('legacy/logo.png'), 'plaintext');
    assert.deepEqual((await client.diagnosticsForVersion(logo, 1)).diagnostics, []);
    assert.ok(client.messages.some((m) => m === 'Mergewise skipped logo.png: it looks like a binary file, not a template.'), JSON.stringify(client.messages));

    // References wait for the workspace index: the extensionless template is in it.
    const referenced = async () => new Set((await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: mjml }, position: { line: 0, character: 25 }, context: { includeDeclaration: false },
    }) as Location[]).map((location) => location.uri));
    assert.deepEqual(await referenced(), new Set([mjml, uri(path.join(root, 'legacy/promo'))]));

    // The globs are watched, so a template created under one is indexed.
    const watched = client.registrations.flatMap((r) => (r.registerOptions as { watchers?: { globPattern: string }[] } | undefined)?.watchers ?? []).map((w) => w.globPattern);
    assert.ok(watched.includes('**/emails/**/*.mjml') && watched.includes('**/legacy/*'), JSON.stringify(watched));
    fs.writeFileSync(path.join(root, 'legacy/later'), 'Bye %%=AttributeValue("customer.first_name")=%%\n');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(path.join(root, 'legacy/later')), type: FileChangeType.Created }] });
    assert.ok((await referenced()).has(uri(path.join(root, 'legacy/later'))));
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
