/**
 * The language server reads mergewise.audience.json beside mergewise.json: hover, rare-branch and
 * the status bar's coverage, and reads it again when it changes (reported by a watching client, or
 * found on disk for a client that does not watch).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType, HoverRequest, type ClientCapabilities, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { DOCUMENT_INFO_REQUEST, type DocumentInfo } from '../../protocol/src/requests';
import { LspTestClient, uri, VS_CODE_CAPABILITIES } from '../helpers/lsp-client';
import { workspace } from '../helpers/workspace';

const TEMPLATE = '{% if customer.plan == "salon" %}Salon perks\n{% else %}Hi {{ customer.first_name }}{% endif %}\n';
const ROWS = 1_204_332;

/** A snapshot with the `if` branch taken by `share` of the recipients (ranges as `mergewise audience` writes them). */
function snapshot(share: number): string {
  return JSON.stringify({
    source: { description: 'customers.csv', rows: ROWS, takenAt: new Date().toISOString() },
    fields: {
      'customer.first_name': { column: 'first_name', filled: 922_498, fillRate: 922_498 / ROWS, stale: 0, staleShare: 0 },
      'customer.plan': { column: 'plan', filled: ROWS, fillRate: 1, stale: 0, staleShare: 0 },
    },
    templates: [{
      path: 'emails/t.liquid', recipients: ROWS, seeFallback: 0, seeBlank: 0.2, seeStale: 0, aborted: 0,
      branches: [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 33 } }, condition: 'customer.plan == "salon"', share },
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 10 } }, condition: 'else', share: 1 - share },
      ],
      untranslated: [],
    }],
  }, null, 2);
}

const FILES = {
  'mergewise.json': JSON.stringify({ fields: { 'customer.first_name': { type: 'string' }, 'customer.plan': { type: 'string' } } }),
  'emails/t.liquid': TEMPLATE,
  'mergewise.audience.json': snapshot(0.0002),
};

const NO_WATCHING: ClientCapabilities = { ...VS_CODE_CAPABILITIES, workspace: { ...VS_CODE_CAPABILITIES.workspace, didChangeWatchedFiles: undefined } };

describe('language server: the audience snapshot', () => {
  const roots: string[] = [];
  after(() => { for (const root of roots) fs.rmSync(root, { recursive: true, force: true }); });

  for (const [name, capabilities] of [['a client that watches files', VS_CODE_CAPABILITIES], ['a client that does not', NO_WATCHING]] as const) {
    test(`hover, rare-branch and status bar coverage, updated when the snapshot changes (${name})`, async () => {
      const root = workspace(FILES);
      roots.push(root);
      const client = new LspTestClient({ inProcess: true });
      try {
        await client.initialize(root, capabilities);
        const templateUri = await client.open(path.join(root, 'emails/t.liquid'), TEMPLATE);
        const first = await client.diagnostics(templateUri, (p) => p.diagnostics.some((d) => d.code === 'rare-branch'));
        const rare = first.diagnostics.find((d) => d.code === 'rare-branch')!;
        assert.deepEqual(rare.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 33 } });
        assert.match(rare.message as string, /^Taken by 0\.02% of recipients \(241 of 1,204,332, audience of \d{4}-\d\d-\d\d\)/);
        assert.match(first.diagnostics.find((d) => d.code === 'missing-fallback')!.message as string, /281,834 recipients \(23\.4%\) would see a blank/);

        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: templateUri }, position: { line: 1, character: 20 } }) as Hover;
        assert.match((hover.contents as MarkupContent).value, /Audience:\*\* empty for 23\.4% of 1,204,332 recipients/);

        const info = await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: templateUri }) as DocumentInfo;
        assert.equal(info.audience?.template?.seeBlank, 0.2);
        assert.equal(info.audience?.old, false);

        // Measured again: the branch is common now.
        const snapshotFile = path.join(root, 'mergewise.audience.json');
        fs.writeFileSync(snapshotFile, snapshot(0.4));
        if (capabilities === VS_CODE_CAPABILITIES) {
          await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(snapshotFile), type: FileChangeType.Changed }] });
        } else {
          // Found on disk before the next answer: the stamp (time and size) changed.
          await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: templateUri });
        }
        await client.diagnostics(templateUri, (p) => !p.diagnostics.some((d) => d.code === 'rare-branch'));

        // A broken snapshot: coverage goes, the checks stay, and the status bar says why.
        fs.writeFileSync(snapshotFile, '{ "source": ');
        if (capabilities === VS_CODE_CAPABILITIES) {
          await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(snapshotFile), type: FileChangeType.Changed }] });
        }
        const broken = await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: templateUri }) as DocumentInfo;
        assert.match(broken.audience?.problem ?? '', /mergewise\.audience\.json is not valid JSON/);
        const after = await client.diagnostics(templateUri, (p) => p.diagnostics.some((d) => d.code === 'missing-fallback' && !/would see a blank \(audience/.test(d.message as string)));
        assert.ok(!after.diagnostics.some((d) => d.code === 'internal-error'));
      } finally {
        await client.stop();
      }
    });
  }
});
