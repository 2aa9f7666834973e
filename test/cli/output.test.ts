import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckReport, FileReport } from '../../server/src/cli/check';
import { jsonWriter } from '../../server/src/cli/formats';

describe('jsonWriter', () => {
  const range = (n: number) => ({ start: { line: n, character: 10 * n }, end: { line: n + 9, character: 12345 * n } });
  const files: FileReport[] = [];
  for (let i = 0; i < 400; i++) {
    files.push({
      path: `emails/${i}-"ü".liquid`,
      dialect: i % 7 ? 'liquid' : null,
      diagnostics: [
        { rule: 'missing-fallback', severity: 'warning', message: `\`a.b\` has no fallback… "quoted" \\ \t\n\u0001 👋 \ud800 ${i % 3}`, field: 'a.b', range: range(i) },
        { rule: 'syntax-error', severity: 'error', message: 'x'.repeat(i === 200 ? 300_000 : 500), range: range(i + 1) },
      ],
      fields: [
        { path: 'a.b', fallback: null, guarded: false, context: 'output', range: range(0) },
        { path: 'c.d', fallback: 'Grüße "there"', guarded: true, context: 'condition', range: range(i + 2) },
      ],
    });
  }
  const report: CheckReport = {
    summary: { files: 400, errors: 400, warnings: 400, information: 0, hints: 0, skipped: 1 },
    notices: ['a.liquid: skipped, "why".'],
    configurationErrors: [],
    readErrors: [],
  };

  test('writes the report JSON.stringify would, in chunks that each hold whole characters', () => {
    const chunks: Uint8Array[] = [];
    const writer = jsonWriter((bytes) => chunks.push(bytes));
    for (const file of files) writer.file(file);
    writer.end(report);

    const expected = `{"files":[\n${files.map((file) => JSON.stringify(file)).join(',\n')}\n],\n` +
      `"summary":${JSON.stringify(report.summary)},\n"notices":${JSON.stringify(report.notices)}}\n`;
    assert.equal(Buffer.concat(chunks).toString('utf8'), expected);
    assert.ok(chunks.length > 2, 'the report spans several chunks');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const chunk of chunks) decoder.decode(chunk);
  });
});
