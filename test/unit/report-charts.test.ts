/**
 * The report's charts draw inside their own box: a label or a cell past the viewBox is cut off on
 * the page (the quadrant map once lost its bottom row's names that way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, quadrantMap } from '../../server/src/core/report/svg';

/** Every x and y of the chart's shapes and texts, with the height and width of rects, against its viewBox. */
function outside(svg: string): string[] {
  const [width, height] = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg)!.slice(1).map(Number);
  const problems: string[] = [];
  for (const [element] of svg.matchAll(/<(rect|text|circle)\b[^>]*>/g)) {
    const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.-]+)"`).exec(element)?.[1] ?? 0);
    const right = element.startsWith('<circle') ? attr('cx') + attr('r') : attr('x') + attr('width');
    const bottom = element.startsWith('<circle') ? attr('cy') + attr('r') : attr('y') + attr('height');
    if (right > width || bottom > height) problems.push(element);
  }
  return problems;
}

const cell = (value: number, name: string) => ({ label: name, name, value, className: 'c-eh' });

test('the quadrant map keeps every cell, circle and name inside its box', () => {
  const svg = quadrantMap({ id: 'q', title: 'Quadrants', desc: 'counts' }, {
    expectedHelpful: cell(62, 'par for the course'), expectedUnhelpful: cell(118, 'self-centered flex'),
    unexpectedHelpful: cell(3, 'genuine delight'), unexpectedUnhelpful: cell(3, 'surveillance'),
  });
  assert.match(svg, />surveillance<\/text>/);
  assert.deepEqual(outside(svg), []);
});

test('the bar chart keeps every bar and label inside its box', () => {
  const svg = barChart({ id: 'b', title: 'Rungs', desc: 'counts' }, [
    { label: 'basic', value: 30, className: 'c-basic' }, { label: 'segmented', value: 8, className: 'c-segmented' },
    { label: 'behavioral', value: 2, className: 'c-behavioral' }, { label: 'predictive', value: 1, className: 'c-predictive' },
  ]);
  assert.deepEqual(outside(svg), []);
});
