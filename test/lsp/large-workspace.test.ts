/**
 * The server on a workspace of many templates (issue 19 item 6, measured on 10,000 in `npm run bench`):
 * the opened template first, the index behind it with progress, and an index that keeps no text.
 * Counts and order only, never the clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ReferencesRequest, type Location } from 'vscode-languageserver-protocol/node';
import { DOCUMENT_INFO_REQUEST, type DocumentInfo } from '../../protocol/src/requests';
import { LspTestClient } from '../helpers/lsp-client';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { workspace } from '../helpers/workspace';

const TEMPLATES = 2000;
/** Paragraphs of about 250 bytes: a template of about 6 KB, every third paragraph with three declared fields. */
const PARAGRAPHS = 24;
const USES_PER_TEMPLATE = (PARAGRAPHS / 3) * 3;

function template(i: number): string {
  const paragraphs: string[] = [];
  for (let k = 0; k < PARAGRAPHS; k++) {
    const style = 'color:#2b2b2b;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;margin:0 0 12px';
    paragraphs.push(k % 3 === 0
      ? `<p style="${style}">Hi {{ customer.first_name | default: 'there' }}, see you in {{ customer.city | default: 'town' }} for {{ customer.favorite_service | default: 'a cut' }}: email ${i}, part ${k}.</p>`
      : `<p style="${style}">Email ${i}, part ${k}: the copy of a newsletter, as long as a paragraph of one usually is, with a link or two.</p>`);
  }
  return `${paragraphs.join('\n')}\n`;
}

function generatedWorkspace(count: number): string {
  const files: Record<string, string> = { ...SMALL_WORKSPACE };
  for (let i = 0; i < count; i++) files[`emails/generated/email-${String(i).padStart(4, '0')}.liquid`] = template(i);
  return workspace(files);
}

/** The heap and the memory outside it (the index's typed arrays), after a full garbage collection. */
function memoryAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Starts a server on `root`, opens its welcome template right after `initialized`, and waits for the index to end. */
async function openAndIndex(root: string) {
  const client = new LspTestClient({ inProcess: true });
  await client.initialize(root);
  const welcome = path.join(root, 'emails/welcome.liquid');
  const uri = await client.open(welcome, fs.readFileSync(welcome, 'utf8'));
  await client.diagnostics(uri);
  // What the index had said when the opened template's diagnostics arrived.
  const progressBeforeDiagnostics = [...client.progress];
  while (!client.progress.some((p) => p.kind === 'end')) await new Promise((resolve) => setTimeout(resolve, 20));
  return { client, uri, progressBeforeDiagnostics };
}

test('on 2,000 templates, the opened template is published before the index ends; the index reports rising progress and keeps no template text', async () => {
  // A first server on a few templates, stopped: the code both run is compiled before the baseline is taken.
  const warmUpRoot = generatedWorkspace(50);
  const root = generatedWorkspace(TEMPLATES);
  let client: LspTestClient | undefined;
  try {
    const warmUp = await openAndIndex(warmUpRoot);
    await warmUp.client.stop();
    const baseline = memoryAfterGc();

    const run = await openAndIndex(root);
    client = run.client;
    const { progressBeforeDiagnostics, uri } = run;

    assert.ok(!progressBeforeDiagnostics.some((p) => p.kind === 'end'), 'the diagnostics came before the index ended');
    const indexedBefore = progressBeforeDiagnostics.filter((p) => p.kind === 'report').map((p) => Number(/^(\d+) of/.exec(p.message ?? '')?.[1]));
    assert.ok((indexedBefore.at(-1) ?? 0) < TEMPLATES / 10, `at most a tenth of the files indexed before the opened one was published; ${indexedBefore.at(-1)} were`);

    const { progress } = client;
    assert.equal(progress[0]?.kind, 'begin');
    assert.equal(progress.at(-1)?.kind, 'end');
    assert.equal(progress.filter((p) => p.kind === 'begin' || p.kind === 'end').length, 2, 'one begin and one end');
    const percentages = progress.filter((p) => p.kind === 'report').map((p) => p.percentage);
    assert.ok(percentages.length >= 2 && percentages[0]! < 100, `progress reported as the index goes, not only at its end: ${percentages.join(', ')}`);
    assert.ok(percentages.every((p, i) => typeof p === 'number' && (i === 0 || p > percentages[i - 1]!)), `percentages rise: ${percentages.join(', ')}`);
    assert.equal(percentages.at(-1), 100);

    // Per template, the index keeps its uses (here 24, at 8 numbers each, 768 bytes), its path and a
    // map entry: about 1.2 KB. Its text alone is 6 KB, and the 24 uses as objects with ranges about 5 KB:
    // an index that kept either would pass 2 KB.
    const perTemplate = (memoryAfterGc() - baseline) / TEMPLATES;
    assert.ok(perTemplate < 2048, `the server grew by ${perTemplate.toFixed(0)} bytes per indexed template (${template(0).length} bytes of text, ${USES_PER_TEMPLATE} field uses each)`);

    // And the index is whole: references to a field find it in every template that uses it.
    const references = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri }, position: { line: 0, character: 12 }, context: { includeDeclaration: false },
    }) as Location[];
    assert.equal(new Set(references.map((r) => r.uri)).size, TEMPLATES + 2);
  } finally {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(warmUpRoot, { recursive: true, force: true });
  }
});

test('a partial opened before the index is checked again once the index finds the templates that include it', async () => {
  const files: Record<string, string> = {
    'mergewise.json': JSON.stringify({ dialect: 'liquid', fields: { 'customer.city': { type: 'string', source: 'observed' } } }),
    'snippets/city-line.liquid': '<p>See you in {{ customer.city }}!</p>\n',
  };
  for (let i = 0; i < 300; i++) files[`emails/email-${String(i).padStart(3, '0')}.liquid`] = `<p>Email ${i}</p>\n{% render 'city-line' %}\n`;
  const root = workspace(files);
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const partial = path.join(root, 'snippets/city-line.liquid');
    const uri = await client.open(partial, fs.readFileSync(partial, 'utf8'));
    await client.diagnostics(uri);
    assert.ok(!client.progress.some((p) => p.kind === 'end'), 'published before the index ended, when no template including it was known');
    while (!client.progress.some((p) => p.kind === 'end')) await new Promise((resolve) => setTimeout(resolve, 20));
    await client.diagnostics(uri, () => client.publications(uri) >= 2);
    const info = await client.connection.sendRequest<DocumentInfo>(DOCUMENT_INFO_REQUEST, { uri });
    assert.equal(info.shownThrough, 'emails/email-000.liquid', 'its values are shown through a template that includes it');
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
