import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, ReferencesRequest, type Location } from 'vscode-languageserver-protocol/node';
import { LspTestClient } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { workspace } from '../helpers/workspace';

const GENERATED = 800;

test('the server answers before the workspace scan ends, reports its progress, then finds references everywhere', async () => {
  const files: Record<string, string> = { ...SMALL_WORKSPACE };
  for (let i = 0; i < GENERATED; i++) {
    files[`emails/generated/email-${i}.liquid`] = `<p>Hi {{ customer.first_name | default: 'there' }}, email ${i}</p>\n`.repeat(20);
  }
  const root = workspace(files);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const welcome = path.join(root, 'emails/welcome.liquid');
    const uri = await client.open(welcome, fs.readFileSync(welcome, 'utf8'));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 12 } });
    assert.ok(hover, 'hover answered');
    assert.ok(!client.progress.some((p) => p.kind === 'end'), 'the first request was answered before the scan finished');

    const references = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri }, position: { line: 0, character: 12 }, context: { includeDeclaration: false },
    }) as Location[];
    assert.equal(new Set(references.map((r) => r.uri)).size, GENERATED + 2, 'every template that uses the field');
    assert.equal(client.progress[0]?.kind, 'begin');
    assert.ok(client.progress.some((p) => p.kind === 'report' && typeof p.percentage === 'number'));
    assert.equal(client.progress.at(-1)?.kind, 'end');
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
