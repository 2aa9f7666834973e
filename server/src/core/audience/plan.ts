/**
 * What to measure in one template: pure, from its text and scan. Each output use of a field with a
 * column, each branch with its condition, each abort, each with the condition under which a
 * recipient reaches it.
 *
 * Reaching: a place is reached by the recipients for whom every conditional branch around it is
 * taken (its own condition, the earlier branches of its group not taken, and so on outwards). The
 * scan gives a branch's body only for conditionals with two or more branches, so content inside an
 * `if` without `else` counts as reached by everyone. A use the scan marks `guarded` (inside a
 * conditional that only runs when the field has a value) never shows a fallback or a blank. When an
 * enclosing condition cannot be translated, its recipients are counted as reaching the place (an
 * upper bound) and the template is marked `approximate`; a branch's own share is then null.
 */
import type { Dialect, FieldUse, TemplateScan } from '../dialects/dialect';
import type { Range, Span } from '../model';
import { LineIndex } from '../positions';
import { resolveField } from '../schema/resolve';
import type { Schema } from '../schema/types';
import type { FieldColumn } from './columns';
import { templateConditionals, toSql, type OperandResolver } from './conditions';
import type { SqlDialect } from './sql/dialect';

/** A condition under which a place is reached: exact SQL, or null when some part is untranslatable; `upper` always holds. */
export interface Reach {
  exact: string | null;
  upper: string;
}

export interface PlannedUse {
  /** Index into the mapping's fields. */
  field: number;
  /** What the recipient sees when the field is empty: the fallback, a blank, or nothing (guarded). */
  whenEmpty: 'fallback' | 'blank' | 'nothing';
  reach: Reach;
}

export interface PlannedBranch {
  range: Range;
  condition: string;
  /** The share's condition; null when untranslatable (then `reason` says why). */
  sql: string | null;
  reason?: string;
}

export interface TemplatePlan {
  path: string;
  uses: PlannedUse[];
  branches: PlannedBranch[];
  aborts: Reach[];
  /** Fields the template shows that no column holds: not measured. */
  unmeasured: string[];
}

/** Names each distinct per-row condition once (`c0`, `c1`, …), so the query computes it once per row. */
export class ConditionRegistry {
  readonly conditions: string[] = [];
  private readonly bySql = new Map<string, string>();
  alias(sql: string): string {
    let alias = this.bySql.get(sql);
    if (!alias) {
      alias = `c${this.conditions.length}`;
      this.conditions.push(sql);
      this.bySql.set(sql, alias);
    }
    return alias;
  }
}

/** The per-row flag of field `i`: filled. */
export const filledFlag = (i: number) => `f${i}`;
/** The per-row flag of field `i`: filled and stale. */
export const staleFlag = (i: number) => `s${i}`;

const EVERYONE: Reach = { exact: 'true', upper: 'true' };

interface PlacedBranch {
  body: Span;
  reach: Reach;
}

export interface PlanInput {
  path: string;
  text: string;
  scan: TemplateScan;
  dialect: Dialect;
  schema: Schema;
  fields: FieldColumn[];
  conditions: ConditionRegistry;
  /** The engine the conditions are written for (the fields' SQL must be too); DuckDB when not given. */
  sql?: SqlDialect;
}

export function planTemplate(input: PlanInput): TemplatePlan {
  const { text, scan, dialect, schema, fields, conditions } = input;
  const lines = new LineIndex(text);
  const fieldIndex = new Map(fields.map((f, i) => [f.field.path, i]));
  const useAt = new Map<number, FieldUse>();
  for (const use of scan.uses) if (!useAt.has(use.span.start)) useAt.set(use.span.start, use);
  const resolver: OperandResolver = {
    resolve(start, written) {
      const use = useAt.get(start);
      if (!use) return { reason: `\`${written}\` is not a recipient field (a local variable or a platform value)` };
      if (use.path.includes('[]')) return { reason: `\`${written}\` is a list item, read inside a loop` };
      const resolution = resolveField(schema, dialect.id, use.path);
      if (resolution.kind !== 'field') return { reason: `\`${written}\` is not a declared field` };
      if (resolution.field.path !== use.path && !Object.values(resolution.field.aliases).includes(use.path)) {
        return { reason: `\`${written}\` is inside the open field \`${resolution.field.path}\`, which has no column of its own` };
      }
      const index = fieldIndex.get(resolution.field.path);
      if (index === undefined) return { reason: `the field \`${resolution.field.path}\` has no column in the source` };
      return { sql: fields[index].sql, kind: fields[index].kind, fieldType: resolution.field.type };
    },
  };

  const plan: TemplatePlan = { path: input.path, uses: [], branches: [], aborts: [], unmeasured: [] };
  const placed: PlacedBranch[] = [];
  const reachAt = (offset: number): Reach => {
    let inner: PlacedBranch | undefined;
    for (const branch of placed) {
      if (branch.body.start <= offset && offset < branch.body.end && (!inner || branch.body.start >= inner.body.start)) inner = branch;
    }
    return inner ? inner.reach : EVERYONE;
  };

  // Groups and lone conditionals (an `if` without `else`), outermost first: a group's reach is known
  // before the groups inside it are placed. A lone conditional's body runs to its closing tag.
  const ends = blockEnds(dialect.id, text);
  const units = templateConditionals(dialect.id, text, scan).map((conditional) => ({
    start: conditional.start,
    conditions: conditional.conditions,
    bodies: conditional.group
      ? conditional.group.branches.map((b) => b.body)
      : [{ start: conditional.conditions[0].tagSpan.end, end: ends.get(conditional.start) ?? conditional.conditions[0].tagSpan.end }],
  }));

  for (const unit of units) {
    const reach = reachAt(unit.start);
    const earlier: { alias: string | null; line: number }[] = [];
    unit.conditions.forEach((condition, k) => {
      const range = lines.range(condition.tagSpan);
      let own: { alias: string } | { reason: string } | null = null;
      if (condition.expr) {
        const translated = toSql(condition.expr, resolver, input.sql);
        own = 'sql' in translated ? { alias: conditions.alias(translated.sql) } : translated;
      }
      const parts: string[] = [];
      let reason: string | undefined;
      if (reach.exact === null) reason = 'a condition around this conditional could not be translated';
      const untranslatedEarlier = earlier.find((e) => e.alias === null);
      if (!reason && untranslatedEarlier) reason = `the condition of an earlier branch (line ${untranslatedEarlier.line + 1}) could not be translated`;
      if (own && 'reason' in own) reason = own.reason;
      for (const e of earlier) if (e.alias) parts.push(`NOT ${e.alias}`);
      if (own && 'alias' in own) parts.push(own.alias);
      const local = parts.length ? parts.join(' AND ') : 'true';
      const exact = reason === undefined ? and(reach.exact!, local) : null;
      const upper = and(reach.upper, local);
      plan.branches.push({ range, condition: condition.display, sql: exact, ...(reason !== undefined ? { reason } : {}) });
      placed.push({ body: unit.bodies[k], reach: { exact, upper } });
      earlier.push({ alias: own && 'alias' in own ? own.alias : null, line: range.start.line });
    });
  }

  const unmeasured = new Set<string>();
  for (const use of scan.uses) {
    if (use.context !== 'output' || use.path.includes('[]')) continue;
    const resolution = resolveField(schema, dialect.id, use.path);
    if (resolution.kind !== 'field') continue;
    const index = fieldIndex.get(resolution.field.path);
    if (index === undefined) {
      unmeasured.add(resolution.field.path);
      continue;
    }
    const fallback = use.fallback ?? (dialect.schemaFallbacks ? resolution.field.fallback ?? null : null);
    const whenEmpty = use.guarded ? 'nothing' : fallback !== null ? 'fallback' : 'blank';
    plan.uses.push({ field: index, whenEmpty, reach: reachAt(use.span.start) });
  }
  plan.unmeasured = [...unmeasured].sort();
  for (const offset of abortOffsets(dialect.id, text)) plan.aborts.push(reachAt(offset));
  return plan;
}

/**
 * Where each block that opens a conditional ends, by the offset of its opening tag: the scan gives
 * bodies only to conditionals with two or more branches, so those of an `if` without `else` are
 * found here, in one pass with a stack. Tags inside comments are not told apart (rare).
 */
export function blockEnds(dialect: string, text: string): Map<number, number> {
  const ends = new Map<number, number>();
  let pattern: RegExp;
  let classify: (match: RegExpMatchArray) => { open: boolean; name: string } | undefined;
  if (dialect === 'liquid' || dialect === 'hubl' || dialect === 'klaviyo') {
    pattern = /\{%-?\s*(end)?(if|unless|case|for|tablerow|capture|with|block|macro|raw|comment)\b/g;
    classify = (m) => ({ open: !m[1], name: m[2] });
  } else if (dialect === 'mailchimp') {
    pattern = /\*\|\s*(?:(IF|IFNOT)\s*:|(END)\s*:\s*IF\s*\|\*)/gi;
    classify = (m) => ({ open: !m[2], name: 'if' });
  } else if (['handlebars', 'sendgrid', 'iterable', 'postmark', 'hml'].includes(dialect)) {
    pattern = /\{\{~?\s*([#^/])\s*([^\s}~]+)/g;
    classify = (m) => (m[1] === '^' && !m[2] ? undefined : { open: m[1] !== '/', name: m[2] });
  } else {
    return ends;
  }
  const stack: { name: string; start: number }[] = [];
  for (const match of text.matchAll(pattern)) {
    const tag = classify(match);
    if (!tag) continue;
    if (tag.open) {
      stack.push({ name: tag.name, start: match.index! });
      continue;
    }
    // Close the nearest open block of that name; the ones above it were never closed.
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i].name === tag.name) {
        ends.set(stack[i].start, match.index!);
        stack.length = i;
        break;
      }
    }
  }
  return ends;
}

function and(a: string, b: string): string {
  if (a === 'true') return b;
  if (b === 'true') return a;
  return `(${a}) AND (${b})`;
}

/**
 * Where a template stops the send. The scan models none, so they are found here: Braze's
 * `abort_message` (Liquid) and AMPscript's `RaiseError`. The other platforms' templates cannot
 * stop a send, so their share is 0.
 */
export function abortOffsets(dialect: string, text: string): number[] {
  const pattern = dialect === 'liquid' ? /\{%-?\s*abort_message\b|^[ \t]*abort_message\b/gm
    : dialect === 'ampscript' ? /\bRaiseError\s*\(/gi
      : undefined;
  if (!pattern) return [];
  return [...text.matchAll(pattern)].map((match) => match.index! + match[0].length - 1);
}
