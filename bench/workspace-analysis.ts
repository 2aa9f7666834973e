/**
 * The command line's analysis without its report: run by bench/run.ts in a child pinned to one core,
 * to tell the core's share of `mergewise check` on the 2,000-template workspace from the cost of
 * building, serializing and writing the JSON report.
 *
 * For every template, as `runCheck` does: read it, analyze it with the schema, and convert every
 * diagnostic and field use to a line/character range with the core's LineIndex. The results are
 * counted, then dropped.
 * Prints one JSON object on stdout.
 *
 * Usage: node --import tsx bench/workspace-analysis.ts CORE_BUNDLE WORKSPACE_DIR
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as CoreEntry from './core-entry';

const [bundle, workspace] = process.argv.slice(2);
const core = createRequire(import.meta.url)(path.resolve(bundle)) as typeof CoreEntry;
const NOW = new Date('2026-11-26T12:00:00Z');

function templates(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) templates(full, into);
    else if (/\.(liquid|html)$/.test(entry.name)) into.push(full);
  }
  return into;
}

const started = performance.now();
const schemaFile = path.join(workspace, 'mergewise.json');
const schema = core.loadSchema(readFileSync(schemaFile, 'utf8'), schemaFile, workspace).schema;
const dialect = core.getDialect('liquid');
if (!dialect) throw new Error('The Liquid dialect is not registered.');
let bytes = 0;
let diagnostics = 0;
let uses = 0;
const files = templates(workspace);
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += Buffer.byteLength(text);
  const analysis = core.analyzeTemplate({ text, relativePath: path.relative(workspace, file).split(path.sep).join('/'), dialect, schema, now: NOW });
  const lines = new core.LineIndex(text);
  for (const diagnostic of analysis.diagnostics) lines.range(diagnostic.span);
  for (const use of analysis.scan.uses) lines.range(use.span);
  diagnostics += analysis.diagnostics.length;
  uses += analysis.scan.uses.length;
}
const wallMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ files: files.length, bytes, diagnostics, uses, wallMs, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
