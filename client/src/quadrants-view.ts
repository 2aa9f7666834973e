import type { QuadrantEntry, QuadrantId } from '../../protocol/src/requests';

const CELLS: { id: QuadrantId; title: string; advice: string }[] = [
  { id: 'expected-helpful', title: 'Expected · helpful: par for the course', advice: 'Data the recipient gave you, used for a purpose.' },
  { id: 'expected-unhelpful', title: 'Expected · unhelpful: self-centered flex', advice: 'Shows you know them without helping them. Add a purpose or drop it.' },
  { id: 'unexpected-helpful', title: 'Unexpected · helpful: genuine delight', advice: 'Surprising data with a purpose: measure that it helps.' },
  { id: 'unexpected-unhelpful', title: 'Unexpected · unhelpful: surveillance', advice: 'The worst quadrant: the recipient will feel watched. Remove it or justify it.' },
];

/** The four quadrants as a 2×2 grid, each listing the fields used there. No scripts. */
export function quadrantsHtml(fileName: string, entries: QuadrantEntry[]): string {
  const cells = CELLS.map((cell) => {
    const fields = new Map<string, { lines: number[]; purposes: string[] }>();
    for (const entry of entries.filter((e) => e.quadrant === cell.id)) {
      const field = fields.get(entry.field) ?? { lines: [], purposes: entry.purposes };
      field.lines.push(entry.range.start.line + 1);
      fields.set(entry.field, field);
    }
    const items = [...fields].map(([name, info]) =>
      `<li><code>${escape(name)}</code> <span class="lines">line ${info.lines.join(', ')}</span>` +
      (info.purposes.length ? ` <span class="purpose">for ${info.purposes.map(escape).join(', ')}</span>` : '') + '</li>').join('');
    return `<section class="${cell.id}"><h2>${escape(cell.title)}</h2><p>${escape(cell.advice)}</p>` +
      (items ? `<ul>${items}</ul>` : '<p class="empty">No fields here.</p>') + '</section>';
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
section { border: 1px solid var(--vscode-panel-border); border-left-width: 4px; padding: 6px 12px; }
.expected-helpful { border-left-color: #2f9e44; } .expected-unhelpful { border-left-color: #868e96; }
.unexpected-helpful { border-left-color: #1c7ed6; } .unexpected-unhelpful { border-left-color: #e03131; }
h2 { font-size: 1.05em; } .lines, .purpose, .empty { opacity: .75; }
</style></head><body>
<h1>Personalization quadrants: ${escape(fileName)}</h1>
<main>${cells}</main>
</body></html>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
