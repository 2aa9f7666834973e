/**
 * `mergewise/init`: the server answers with the files `mergewise init` would create, and writes
 * nothing; a client that offers init itself is told where, once, instead of the plain notice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType, type FileEvent } from 'vscode-languageserver-protocol';
import {
  INIT_AVAILABLE_NOTIFICATION, INIT_REQUEST, type InitAvailableParams, type InitResult,
} from '../../protocol/src/requests';
import { LspTestClient, VS_CODE_CAPABILITIES } from '../helpers/lsp-client';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();
const TEMPLATES = {
  'emails/welcome.liquid': "Hi {{ customer.first_name | default: 'there' }}{% if customer.vip %}, VIP{% endif %}",
  'emails/score.liquid': '{{ customer.predicted_churn_score | plus: 1 }}',
};
const uri = (file: string) => `file://${file}`;

/** Every file under a folder with its text, to show the server wrote nothing. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name))] = fs.readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8');
  }
  return files;
}

test('without mergewise.json: mergewise.json and the sample recipients to create, and nothing written', async () => {
  const root = workspace(TEMPLATES);
  const before = snapshot(root);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const result = await client.connection.sendRequest<InitResult>(INIT_REQUEST, {});
    assert.equal(result.error, undefined);
    assert.equal(result.folder, uri(root));
    assert.deepEqual(result.files.map((f) => f.path), ['mergewise.json', 'recipients/sample-complete.json', 'recipients/sample-empty.json']);
    assert.deepEqual(result.files.map((f) => f.uri), result.files.map((f) => uri(path.join(root, f.path))));
    const schema = JSON.parse(result.files[0].text);
    assert.deepEqual(Object.keys(schema.fields), ['customer.first_name', 'customer.predicted_churn_score', 'customer.vip']);
    assert.equal(schema.fields['customer.first_name'].fallback, 'there');
    assert.equal('type' in schema.fields['customer.vip'], false, 'the uses do not tell: left untyped');
    assert.equal(JSON.parse(result.files[1].text).customer.first_name, 'Ana');
    assert.equal(result.existing, undefined);
    assert.deepEqual(result.summary, {
      templates: 2, fields: 3, proposals: ['customer.predicted_churn_score'], typeUnknown: ['customer.first_name', 'customer.vip'], findings: { 'missing-fallback': 1 },
    });
    assert.deepEqual(snapshot(root), before);
  } finally {
    await client.stop();
  }
});

test('created as answered, mergewise.json governs the templates at once and marks its proposals', async () => {
  const root = workspace(TEMPLATES);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    // The open text, unsaved, is what the templates are read as.
    const template = await client.open(path.join(root, 'emails/score.liquid'), '{{ customer.predicted_churn_score | plus: 1 }} {{ customer.zip }}');
    assert.deepEqual((await client.diagnosticsForVersion(template, 1)).diagnostics, [], 'no schema: only syntax checks');
    const result = await client.connection.sendRequest<InitResult>(INIT_REQUEST, { folder: uri(root) });
    for (const file of result.files) {
      fs.mkdirSync(path.dirname(path.join(root, file.path)), { recursive: true });
      fs.writeFileSync(path.join(root, file.path), file.text, { flag: 'wx' });
    }
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: result.files.map((f): FileEvent => ({ uri: f.uri, type: FileChangeType.Created })),
    });
    assert.match(result.files[0].text, /"customer\.zip"/);
    const after = await client.diagnostics(template, (p) => p.diagnostics.length > 0);
    assert.deepEqual(after.diagnostics.map((d) => [d.code, String(d.message).match(/`([^`]+)`/)?.[1]]), [
      ['missing-fallback', 'customer.predicted_churn_score'], ['missing-fallback', 'customer.zip'],
    ]);
    const edited = await client.change(template, [{ text: '{{ customer.last_name }}' }]);
    assert.deepEqual((await client.diagnosticsForVersion(template, edited)).diagnostics.map((d) => d.code), ['unknown-field']);
    const schemaUri = await client.open(path.join(root, 'mergewise.json'), result.files[0].text, 'json');
    const hints = await client.diagnostics(schemaUri, (p) => p.diagnostics.some((d) => d.code === 'schema-proposal'));
    assert.equal(hints.diagnostics.filter((d) => d.code === 'schema-proposal').length, 1);
  } finally {
    await client.stop();
  }
});

test('with mergewise.json already there: nothing to create, the merged text as a dry run, and nothing written', async () => {
  const existing = '{\n  // ours\n  "fields": { "customer.first_name": { "type": "string" } }\n}\n';
  const root = workspace({ ...TEMPLATES, 'mergewise.json': existing });
  const before = snapshot(root);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const result = await client.connection.sendRequest<InitResult>(INIT_REQUEST, {});
    assert.deepEqual(result.files, []);
    assert.equal(result.existing?.uri, uri(path.join(root, 'mergewise.json')));
    assert.equal(result.existing?.changed, true);
    assert.ok(result.existing?.proposedText.startsWith('{\n  // ours\n'), 'its comments and formatting are kept');
    assert.match(result.existing!.proposedText, /"customer\.vip"/);
    assert.equal(result.summary.fields, 2);
    assert.deepEqual(snapshot(root), before);

    fs.writeFileSync(path.join(root, 'mergewise.json'), result.existing!.proposedText);
    const again = await client.connection.sendRequest<InitResult>(INIT_REQUEST, {});
    assert.equal(again.existing?.changed, false);
    assert.equal(again.summary.fields, 0);
  } finally {
    await client.stop();
  }
});

test('never offers a file that is there: a sample recipient already written is kept', async () => {
  const mine = '{ "$name": "mine" }\n';
  const root = workspace({ ...TEMPLATES, 'recipients/sample-empty.json': mine });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const result = await client.connection.sendRequest<InitResult>(INIT_REQUEST, {});
    assert.deepEqual(result.files.map((f) => f.path), ['mergewise.json', 'recipients/sample-complete.json']);
    assert.deepEqual(result.kept, ['recipients/sample-empty.json']);
    assert.equal(fs.readFileSync(path.join(root, 'recipients/sample-empty.json'), 'utf8'), mine);
  } finally {
    await client.stop();
  }
});

test('a folder with no templates, or a mergewise.json that is not JSON, says why and offers nothing', async () => {
  for (const [files, reason] of [[{ 'notes.txt.bak': 'x' }, /no templates/], [{ ...TEMPLATES, 'mergewise.json': '{ "fields": ' }, /not valid JSON/]] as const) {
    const root = workspace(files);
    const client = new LspTestClient({ inProcess: true });
    try {
      await client.initialize(root);
      const result = await client.connection.sendRequest<InitResult>(INIT_REQUEST, {});
      assert.match(result.error ?? '', reason);
      assert.deepEqual(result.files, []);
    } finally {
      await client.stop();
    }
  }
});

test('a client that offers init itself is told once where, instead of the "only syntax checks" message', async () => {
  const root = workspace(TEMPLATES);
  const client = new LspTestClient({ inProcess: true });
  const offers: InitAvailableParams[] = [];
  client.connection.onNotification(INIT_AVAILABLE_NOTIFICATION, (params: InitAvailableParams) => { offers.push(params); });
  try {
    await client.initialize(root, { ...VS_CODE_CAPABILITIES, experimental: { mergewise: { initOffer: true } } });
    for (const [file, text] of Object.entries(TEMPLATES)) {
      const opened = await client.open(path.join(root, file), text);
      await client.diagnosticsForVersion(opened, 1);
    }
    assert.equal(offers.length, 1);
    assert.equal(offers[0].folder, uri(root));
    assert.match(offers[0].message, /only syntax checks run/);
    assert.deepEqual(client.messages.filter((m) => m.includes('no mergewise.json')), []);
  } finally {
    await client.stop();
  }
});
