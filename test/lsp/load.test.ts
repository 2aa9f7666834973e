/**
 * Issue 8, part 3: the real, bundled server under load, over stdio.
 *
 * - 10,000 rapid incremental edits on a 100 KB template, then a hover: the hover answers within a
 *   few times what applying the edits costs (measured here, in the same run), the server publishes
 *   diagnostics a handful of times at most, not once per edit, and the last ones are exactly those
 *   of a fresh analysis of the final text, computed here.
 * - 1,000 documents opened and closed: the server's resident memory (VmRSS, read from /proc) stays
 *   bounded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, type Hover } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeFileSystem } from '../../server/src/node-fs';
import { LineIndex } from '../../server/src/core/positions';
import { analyzeDocument, SchemaIndex } from '../../server/src/core/workspace';
import { PartialWorkspace } from '../../server/src/core/partials/workspace';
import { toLspDiagnostic } from '../../server/src/lsp/convert';
import { applyEdits, editBurst } from '../helpers/edits';
import { bestOf } from '../helpers/timing';
import { LspTestClient } from '../helpers/lsp-client';
import { removeWorkspace, workspace } from '../helpers/workspace';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const EDITS = 10_000;
const CYCLES = 1_000;

/** The server's resident memory in MB, from /proc (Linux); undefined elsewhere. */
function residentMb(pid: number | undefined): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time the server process has used so far, in milliseconds, from /proc (Linux): user and system
 * time of all its threads, in clock ticks of 10 ms. Work done, which other processes do not lengthen.
 */
function serverCpuMs(pid: number | undefined): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start with the state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The example Liquid emails, joined and repeated to about `size` code units. */
function liquidTemplate(size: number): string {
  const dir = path.join(EXAMPLES, 'emails');
  const source = fs.readdirSync(dir).filter((f) => f.endsWith('.liquid')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  return source.repeat(Math.ceil(size / source.length)).slice(0, size);
}

describe('the language server under load', () => {
  let root: string;
  let client: LspTestClient;

  before(async () => {
    root = workspace({
      'mergewise.json': fs.readFileSync(path.join(EXAMPLES, 'mergewise.json'), 'utf8'),
      ...Object.fromEntries(fs.readdirSync(path.join(EXAMPLES, 'recipients')).map((f) => [`recipients/${f}`, fs.readFileSync(path.join(EXAMPLES, 'recipients', f), 'utf8')])),
    });
    client = new LspTestClient();
    await client.initialize(root);
  });

  after(async () => {
    await client.stop();
    removeWorkspace(root);
  });

  test(`after ${EDITS.toLocaleString('en')} rapid edits on a 100 KB template, a hover answers within a few times the cost of applying them, and the diagnostics match a fresh analysis`, async () => {
    const file = path.join(root, 'emails/newsletter.liquid');
    const initial = TextDocument.create('', 'liquid', 1, liquidTemplate(100 * 1024));
    const uri = await client.open(file, initial.getText());
    await client.diagnosticsForVersion(uri, 1);
    const publishedBefore = client.publications(uri);

    // The burst, made up front so that it is sent as fast as the client can write it.
    const { changes, finalText } = editBurst(initial.getText(), EDITS, 8);
    const document = TextDocument.create(uri, 'liquid', EDITS + 1, finalText);

    // A fresh analysis of the final text, here in the test's own process, following includes as the server does.
    const index = new SchemaIndex(nodeFileSystem);
    const partials = new PartialWorkspace(index, { read: (f) => (f === file ? finalText : nodeFileSystem.readText(f)), templates: () => [file] });
    const { analysis } = analyzeDocument(index, file, finalText, undefined, undefined, partials);
    const { scan: { uses }, resolutions } = analysis;
    const use = uses.find((_, i) => resolutions[i]?.kind === 'field');
    assert.ok(use, 'the final text still uses a declared field');

    // The burst, then at once a hover on a declared field of the final text.
    const started = performance.now();
    const serverCpuBefore = serverCpuMs(client.pid);
    for (const change of changes) void client.change(uri, [change]);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: document.positionAt(use.span.start + 1) }) as Hover | null;
    const burstMs = performance.now() - started;
    const burstCpuMs = serverCpuMs(client.pid) - serverCpuBefore;
    assert.ok(hover && JSON.stringify(hover.contents).includes(use.path), `the hover on \`${use.written}\` answered ${JSON.stringify(hover)?.slice(0, 200)}`);

    // The baseline, in this run: the CPU time applying the same edits costs an editor, here.
    const baseline = bestOf(2, () => applyEdits(initial.getText(), changes));
    assert.equal(baseline.value, finalText, 'the baseline applies the same edits');
    const baselineMs = baseline.ms;

    // The diagnostics published for the final version are those of the fresh analysis.
    const finalVersion = client.versions.get(uri)!;
    const published = await client.diagnostics(uri, (p) => p.version === finalVersion, 60_000);
    const lines = new LineIndex(finalText);
    const expected = JSON.parse(JSON.stringify(analysis.diagnostics.map((d) => toLspDiagnostic(d, lines))));
    assert.ok(expected.length > 10, `the final text should have findings, got ${expected.length}`);
    assert.deepEqual(published.diagnostics, expected);
    assert.equal(client.stderr.trim(), '', 'the server wrote nothing to stderr');

    // Work done: the server analysed only when it had caught up with the client, never once per edit.
    const publications = client.publications(uri) - publishedBefore;
    console.log(`# ${EDITS} edits and a hover answered in ${burstMs.toFixed(0)} ms on the clock, ${burstCpuMs.toFixed(0)} ms of the server's CPU time; ` +
      `applying the edits here took ${baselineMs.toFixed(0)} ms of CPU time (${(burstCpuMs / baselineMs).toFixed(1)}x); ` +
      `${publications} publications during the burst; ${expected.length} diagnostics`);
    assert.ok(publications <= EDITS / 100, `${publications} diagnostics publications for ${EDITS} edits: the server analysed versions that were already stale`);
    // Reading and applying each edit in the server costs a few times applying it alone; analysing a
    // fair share of the versions would cost hundreds of times. CPU time, not the clock: a busy
    // machine lengthens both sides' clock time, but unevenly, as they are different processes.
    assert.ok(burstCpuMs <= 8 * baselineMs, `the server spent ${burstCpuMs.toFixed(0)} ms of CPU time on the burst and hover, ` +
      `${(burstCpuMs / baselineMs).toFixed(1)}x what applying the edits costs here (${baselineMs.toFixed(0)} ms)`);
  });

  test(`memory stays bounded across ${CYCLES.toLocaleString('en')} documents opened and closed`, async () => {
    assert.notEqual(residentMb(client.pid), undefined, 'the server\'s memory is read from /proc, as on every Linux machine');
    // Each document is a real email and 100 KB of its own copy: keeping the documents closed, or their analyses, would show.
    const email = fs.readFileSync(path.join(EXAMPLES, 'emails/welcome.liquid'), 'utf8');
    const samples: { cycle: number; mb: number }[] = [];
    for (let i = 1; i <= CYCLES; i++) {
      const copy = `<p>Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(3800)}</p>\n`;
      const uri = await client.open(path.join(root, `emails/cycle/email-${i}.liquid`), email + copy);
      const published = await client.diagnosticsForVersion(uri, 1);
      assert.ok(published.diagnostics.length > 0);
      if (!process.env.LOAD_TEST_KEEP_OPEN) await client.close(uri);
      if (i === 100 || i % 250 === 0) {
        // Let the server finish the closes, then sample.
        await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
        samples.push({ cycle: i, mb: residentMb(client.pid)! });
      }
    }
    const warm = samples[0].mb;
    const last = samples[samples.length - 1].mb;
    const peak = Math.max(...samples.map((s) => s.mb));
    console.log(`# resident memory (MB) by cycle: ${samples.map((s) => `${s.cycle}: ${s.mb.toFixed(0)}`).join(', ')}`);
    // 900 documents of 100 KB kept would add well over 200 MB (their text, lines and analyses).
    assert.ok(last < warm + 80, `resident memory grew from ${warm.toFixed(0)} MB after 100 cycles to ${last.toFixed(0)} MB after ${CYCLES}`);
    assert.ok(peak < warm + 120, `resident memory peaked at ${peak.toFixed(0)} MB (${warm.toFixed(0)} MB after 100 cycles)`);
    // And it levels off: the second 500 cycles add little (kept documents added 55 MB there).
    const half = samples.find((s) => s.cycle === 500)!.mb;
    assert.ok(last < half + 40, `resident memory still grew from ${half.toFixed(0)} MB at cycle 500 to ${last.toFixed(0)} MB at ${CYCLES}`);
  });
});
