/**
 * The four personalization quadrants, defined once: by whether the recipient expects you to have
 * the data, and whether a purpose makes its use helpful. The core names them in hovers and messages,
 * the server sends their names with each use, and the VS Code client draws them.
 */
export type QuadrantId = 'expected-helpful' | 'expected-unhelpful' | 'unexpected-helpful' | 'unexpected-unhelpful';

export interface QuadrantInfo {
  /** "Expected · helpful". */
  axes: string;
  /** "par for the course", as the README and messages call it. */
  name: string;
  advice: string;
  /** The colour of its underline and its cell in the quadrants view. */
  color: string;
}

export const QUADRANTS: Record<QuadrantId, QuadrantInfo> = {
  'expected-helpful': {
    axes: 'Expected · helpful', name: 'par for the course', color: '#2f9e44',
    advice: 'Data the recipient gave you, used for a purpose.',
  },
  'expected-unhelpful': {
    axes: 'Expected · unhelpful', name: 'self-centered flex', color: '#868e96',
    advice: 'Shows you know them without helping them. Add a purpose or drop it.',
  },
  'unexpected-helpful': {
    axes: 'Unexpected · helpful', name: 'genuine delight', color: '#1c7ed6',
    advice: 'Surprising data with a purpose: measure that it helps.',
  },
  'unexpected-unhelpful': {
    axes: 'Unexpected · unhelpful', name: 'surveillance', color: '#e03131',
    advice: 'The worst quadrant: the recipient will feel watched. Remove it or justify it.',
  },
};
