/**
 * A burst of incremental edits as an editor sends them, typing, pasting and deleting all over a
 * template, merge syntax included: deterministic for a seed, so that a failure replays. Shared by
 * the load test and the benchmark.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

const PIECES = ['a', ' ', 'e', '\n', '{{', '}}', '{%', '%}', ' customer.first_name ', " | default: 'there'", '{% if customer.city %}', '{% endif %}', '{{ customer.frist_name }}', '|', "'"];

/** `count` edits of `text`, and the text after them; deletions stop once the text is under 90% of its size. */
export function editBurst(text: string, count: number, seed: number): { changes: TextDocumentContentChangeEvent[]; finalText: string } {
  const next = random(seed);
  const floor = text.length * 0.9;
  const changes: TextDocumentContentChangeEvent[] = [];
  let document = TextDocument.create('', 'liquid', 1, text);
  for (let i = 0; i < count; i++) {
    const current = document.getText();
    const at = Math.floor(next() * current.length);
    const deleting = next() < 0.45 && current.length > floor;
    const end = deleting ? Math.min(current.length, at + 1 + Math.floor(next() * 6)) : at;
    const insert = deleting && next() < 0.7 ? '' : PIECES[Math.floor(next() * PIECES.length)];
    const change = { range: { start: document.positionAt(at), end: document.positionAt(end) }, text: insert };
    document = TextDocument.update(document, [change], document.version + 1);
    changes.push(change);
  }
  return { changes, finalText: document.getText() };
}

/** Milliseconds an editor takes to apply the edits to its own copy of the text: the baseline a server is held to (best of two). */
export function applyMs(text: string, changes: TextDocumentContentChangeEvent[]): number {
  return Math.min(...[1, 2].map(() => {
    const started = performance.now();
    applyEdits(text, changes);
    return performance.now() - started;
  }));
}

/** The text after applying `changes` as an editor does, with vscode-languageserver-textdocument. */
export function applyEdits(text: string, changes: TextDocumentContentChangeEvent[]): string {
  let document = TextDocument.create('', 'liquid', 1, text);
  for (const change of changes) document = TextDocument.update(document, [change], document.version + 1);
  return document.getText();
}

/** A small deterministic random number generator (mulberry32). */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
