/**
 * The coverage query's measures as boolean formulas over per-row facts: pure. The plan writes a
 * measure as SQL text over flag names (`f3`, `s3`, `c7`), `true`, `false`, `AND`, `OR`, `NOT` and
 * parentheses, and nothing else; this reads that text into a tree, puts each flag's own SQL in
 * (deduplicated: one fact per distinct expression), folds the constants (`false AS s0` for a field
 * without `maxAgeDays` removes every stale term of it), and prints the tree over the facts' names.
 * So each per-row fact is computed once per row, and a measure costs only its live terms.
 */

export type Formula = boolean | { t: 'fact'; id: number } | { t: 'not'; operand: Formula } | { t: 'and' | 'or'; operands: Formula[] };

/** The per-row facts: each distinct SQL expression once, named `x0`, `x1`, … in order of first use. */
export class FactRegistry {
  readonly facts: string[] = [];
  private readonly bySql = new Map<string, number>();
  /** The fact's index for this SQL (a new one the first time), or a constant for `true` and `false`. */
  fact(sql: string): Formula {
    const trimmed = sql.trim();
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    let id = this.bySql.get(trimmed);
    if (id === undefined) {
      id = this.facts.length;
      this.facts.push(trimmed);
      this.bySql.set(trimmed, id);
    }
    return { t: 'fact', id };
  }
}

/** A fact's column name in the query. */
export const factName = (id: number) => `x${id}`;

/** A formula's tokens: names, `(`, `)`, and the keywords. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const pattern = /\s*(\(|\)|[A-Za-z_][A-Za-z0-9_]*)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new Error(`not a measure formula: ${text}`);
    }
    out.push(match[1]);
    at = pattern.lastIndex;
  }
  return out;
}

/**
 * Reads a measure written over flag names; `flag` gives each name's formula (a fact, or a constant).
 * Throws on anything else: measures are built by the plan, never by users.
 */
export function parseFormula(text: string, flag: (name: string) => Formula): Formula {
  const list = tokens(text);
  let at = 0;
  const peek = () => list[at];
  const keyword = (word: string) => (peek()?.toUpperCase() === word ? (at++, true) : false);
  const or = (): Formula => {
    const operands = [and()];
    while (keyword('OR')) operands.push(and());
    return operands.length === 1 ? operands[0] : { t: 'or', operands };
  };
  const and = (): Formula => {
    const operands = [not()];
    while (keyword('AND')) operands.push(not());
    return operands.length === 1 ? operands[0] : { t: 'and', operands };
  };
  const not = (): Formula => (keyword('NOT') ? { t: 'not', operand: not() } : primary());
  const primary = (): Formula => {
    const token = list[at++];
    if (token === '(') {
      const inner = or();
      if (list[at++] !== ')') throw new Error(`not a measure formula (unbalanced): ${text}`);
      return inner;
    }
    if (token === undefined || token === ')') throw new Error(`not a measure formula: ${text}`);
    if (/^true$/i.test(token)) return true;
    if (/^false$/i.test(token)) return false;
    return flag(token);
  };
  const formula = or();
  if (at !== list.length) throw new Error(`not a measure formula: ${text}`);
  return simplify(formula);
}

/** Constants folded, nested and/or flattened, repeated operands dropped, double negation removed. */
export function simplify(formula: Formula): Formula {
  if (typeof formula === 'boolean' || formula.t === 'fact') return formula;
  if (formula.t === 'not') {
    const operand = simplify(formula.operand);
    if (typeof operand === 'boolean') return !operand;
    return operand.t === 'not' ? operand.operand : { t: 'not', operand };
  }
  const absorbing = formula.t === 'or';
  const operands: Formula[] = [];
  const seen = new Set<string>();
  for (const part of formula.operands) {
    const simple = simplify(part);
    if (simple === absorbing) return absorbing;
    if (simple === !absorbing) continue;
    for (const operand of typeof simple !== 'boolean' && simple.t === formula.t ? simple.operands : [simple]) {
      const key = printFormula(operand);
      if (seen.has(key)) continue;
      seen.add(key);
      operands.push(operand);
    }
  }
  if (!operands.length) return !absorbing;
  return operands.length === 1 ? operands[0] : { t: formula.t, operands };
}

/** SQL over the facts' names (`x0 AND NOT (x1 OR x2)`), valid in every engine. */
export function printFormula(formula: Formula): string {
  if (typeof formula === 'boolean') return String(formula);
  switch (formula.t) {
    case 'fact': return factName(formula.id);
    case 'not': return `NOT ${wrapped(formula.operand)}`;
    default: return formula.operands.map(wrapped).join(formula.t === 'and' ? ' AND ' : ' OR ');
  }
}

function wrapped(formula: Formula): string {
  return typeof formula !== 'boolean' && (formula.t === 'and' || formula.t === 'or') ? `(${printFormula(formula)})` : printFormula(formula);
}
