import { QUADRANTS, type QuadrantId } from '../../protocol/src/quadrants';
import type { QuadrantEntry } from '../../protocol/src/requests';

/** The four quadrants as a 2×2 grid, each listing the fields used there. No scripts. */
export function quadrantsHtml(fileName: string, entries: QuadrantEntry[]): string {
  const cells = (Object.keys(QUADRANTS) as QuadrantId[]).map((id) => {
    const cell = { id, title: `${QUADRANTS[id].axes}: ${QUADRANTS[id].name}`, advice: QUADRANTS[id].advice };
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
  const unplaced = [...new Set(entries.filter((e) => e.quadrant === undefined).map((e) => e.field))];
  const note = unplaced.length
    ? `<p class="empty">In no quadrant, since mergewise.json gives them no <code>source</code> (<code>declared</code>, <code>transactional</code>, <code>observed</code>, <code>inferred</code>, <code>third-party</code>) to tell whether recipients expect them: ${unplaced.map((f) => `<code>${escape(f)}</code>`).join(', ')}.</p>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
section { border: 1px solid var(--vscode-panel-border); border-left-width: 4px; padding: 6px 12px; }
${(Object.keys(QUADRANTS) as QuadrantId[]).map((id) => `.${id} { border-left-color: ${QUADRANTS[id].color}; }`).join(' ')}
h2 { font-size: 1.05em; } .lines, .purpose, .empty { opacity: .75; }
</style></head><body>
<h1>Personalization quadrants: ${escape(fileName)}</h1>
<main>${cells}</main>
${note}
</body></html>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
