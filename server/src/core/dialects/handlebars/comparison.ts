/**
 * Mailchimp Transactional's comparisons in backticks (``{{#if `purchases > 3`}}``): one operator
 * between two values, each a path or a literal (strings in double quotes). Read by the scanner,
 * rewritten for handlebars.js by the preview, and evaluated there.
 */

export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';

export interface ComparisonOperatorAt {
  operator: ComparisonOperator;
  start: number;
  end: number;
}

/** The first operator in `text[start, end)` outside quotes; undefined when there is none. Linear. */
export function findComparisonOperator(text: string, start: number, end: number): ComparisonOperatorAt | undefined {
  let quote = '';
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") { quote = c; continue; }
    const next = text[i + 1];
    if ((c === '=' || c === '!') && next === '=' && i + 1 < end) return { operator: `${c}=` as ComparisonOperator, start: i, end: i + 2 };
    if (c === '>' || c === '<') {
      return next === '=' && i + 1 < end
        ? { operator: `${c}=` as ComparisonOperator, start: i, end: i + 2 }
        : { operator: c, start: i, end: i + 1 };
    }
  }
  return undefined;
}

/** Compares two values as Mailchimp Transactional does: as numbers when both read as numbers, else as text. */
export function compareValues(left: unknown, operator: ComparisonOperator, right: unknown): boolean {
  const a = asNumber(left);
  const b = asNumber(right);
  const numeric = a !== undefined && b !== undefined;
  const x: number | string = numeric ? a : text(left);
  const y: number | string = numeric ? b : text(right);
  switch (operator) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '>': return x > y;
    case '>=': return x >= y;
    case '<': return x < y;
    case '<=': return x <= y;
  }
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
