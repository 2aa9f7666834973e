/**
 * The report's charts as inline SVG, drawn here (no library). Colours come from CSS classes the
 * page defines for light and dark themes; every chart has a `<title>` and `<desc>` (and the page
 * puts the same numbers in a table beside it). Pure.
 */
import { escapeHtml } from '../../../../protocol/src/email-document';

export interface Bar {
  label: string;
  value: number;
  /** A CSS class for its fill (`c-surveillance`), defined by the page. */
  className: string;
  /** What is written after the bar; the value when absent. */
  shown?: string;
}

export interface ChartText {
  /** Unique in the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  desc: string;
}

/** Horizontal bars, one per row, scaled to the largest value (or to `max`). */
export function barChart(text: ChartText, bars: Bar[], options: { max?: number; width?: number } = {}): string {
  const width = options.width ?? 560;
  const labelWidth = Math.min(220, Math.max(80, ...bars.map((bar) => bar.label.length * 7 + 12)));
  const valueWidth = 70;
  const rowHeight = 26;
  const height = bars.length * rowHeight + 8;
  const max = options.max ?? Math.max(1, ...bars.map((bar) => bar.value));
  const room = width - labelWidth - valueWidth;
  const rows = bars.map((bar, index) => {
    const y = 4 + index * rowHeight;
    const barWidth = max > 0 ? Math.max(bar.value > 0 ? 2 : 0, Math.round((bar.value / max) * room)) : 0;
    return `<text class="chart-label" x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect class="chart-track" x="${labelWidth}" y="${y + 4}" width="${room}" height="18" rx="3"/>` +
      `<rect class="${escapeHtml(bar.className)}" x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="18" rx="3"/>` +
      `<text class="chart-value" x="${labelWidth + room + 6}" y="${y + 17}">${escapeHtml(bar.shown ?? String(bar.value))}</text>`;
  });
  return svg(text, width, height, rows.join(''));
}

export interface QuadrantCell {
  label: string;
  name: string;
  value: number;
  className: string;
}

/**
 * The quadrant map: expected and unexpected as rows, helpful and unhelpful as columns, each cell a
 * circle whose area is its share of the uses, with the count written in it.
 */
export function quadrantMap(text: ChartText, cells: { expectedHelpful: QuadrantCell; expectedUnhelpful: QuadrantCell; unexpectedHelpful: QuadrantCell; unexpectedUnhelpful: QuadrantCell }): string {
  const width = 460;
  const left = 110;
  const top = 36;
  const cell = 170;
  // Two rows of cells below the column labels, with room for the bottom row's names.
  const height = top + 2 * cell + 4;
  const total = Math.max(1, cells.expectedHelpful.value + cells.expectedUnhelpful.value + cells.unexpectedHelpful.value + cells.unexpectedUnhelpful.value);
  const grid = [
    [cells.expectedHelpful, cells.expectedUnhelpful],
    [cells.unexpectedHelpful, cells.unexpectedUnhelpful],
  ];
  let body = `<text class="chart-label" x="${left + cell / 2}" y="22" text-anchor="middle">helpful</text>` +
    `<text class="chart-label" x="${left + cell * 1.5}" y="22" text-anchor="middle">unhelpful</text>` +
    `<text class="chart-label" x="${left - 10}" y="${top + cell / 2 + 5}" text-anchor="end">expected</text>` +
    `<text class="chart-label" x="${left - 10}" y="${top + cell * 1.5 + 5}" text-anchor="end">unexpected</text>`;
  grid.forEach((row, r) => row.forEach((q, c) => {
    const x = left + c * cell;
    const y = top + r * cell;
    const radius = q.value === 0 ? 0 : Math.max(6, Math.sqrt(q.value / total) * (cell / 2 - 12));
    body += `<rect class="chart-cell" x="${x}" y="${y}" width="${cell}" height="${cell}"/>` +
      (radius ? `<circle class="${escapeHtml(q.className)}" cx="${x + cell / 2}" cy="${y + cell / 2 - 8}" r="${radius.toFixed(1)}" fill-opacity="0.85"/>` : '') +
      `<text class="chart-count" x="${x + cell / 2}" y="${y + cell / 2 - 2}" text-anchor="middle">${q.value}</text>` +
      `<text class="chart-label" x="${x + cell / 2}" y="${y + cell - 12}" text-anchor="middle">${escapeHtml(q.name)}</text>`;
  }));
  return svg(text, width, height, body);
}

/** A thin stacked bar of parts, for a table row; hidden from assistive technology, which reads the row's numbers. */
export function stackedBar(parts: { value: number; className: string }[], width = 160): string {
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  let x = 0;
  let body = `<rect class="chart-track" x="0" y="0" width="${width}" height="12" rx="2"/>`;
  if (total > 0) {
    for (const part of parts) {
      const w = (part.value / total) * width;
      if (w > 0) body += `<rect class="${escapeHtml(part.className)}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="12"/>`;
      x += w;
    }
  }
  return `<svg class="mini" width="${width}" height="12" viewBox="0 0 ${width} 12" aria-hidden="true" focusable="false">${body}</svg>`;
}

function svg(text: ChartText, width: number, height: number, body: string): string {
  const id = escapeHtml(text.id);
  return `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title id="${id}-title">${escapeHtml(text.title)}</title><desc id="${id}-desc">${escapeHtml(text.desc)}</desc>${body}</svg>`;
}
