/**
 * `mergewise audience --pick N`: a few real rows that together exercise every fallback, blank, stale
 * value and branch of the templates. Pure: the targets (one boolean SQL predicate each, from the
 * plans), the SQL that gathers candidate rows and runs each greedy step (all in the engine: only
 * target ids, row numbers and, at the end, the picked rows' values come back), and the recipient file
 * a picked row becomes, with personal values replaced by deterministic fakes.
 */
import type { FieldColumn, ColumnValue } from './columns';
import { filledSql } from './columns';
import { duckdb } from './sql/duckdb';
import { filledFlag, staleFlag, type ConditionRegistry, type Reach, type TemplatePlan } from './plan';
import type { Sensitivity } from '../schema/types';

export type TargetKind = 'fallback' | 'blank' | 'stale' | 'branch';

/** One thing a picked row can exercise: a per-row SQL predicate over the flags. */
export interface PickTarget {
  id: number;
  kind: TargetKind;
  /** As people read it: `blank customer.city`, `branch customer.plan == 'gold'`. */
  label: string;
  sql: string;
  /** Some condition around it could not be translated: a row may not really reach it. */
  approximate: boolean;
}

/** A branch whose condition could not be translated: no row can be chosen for it. */
export interface UntargetableBranch {
  template: string;
  line: number;
  condition: string;
  reason: string;
}

export interface PickTargets {
  targets: PickTarget[];
  untargetable: UntargetableBranch[];
}

const or = (terms: string[]) => (terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join(' OR '));
const reachSql = (reach: Reach) => reach.exact ?? reach.upper;

/**
 * The targets of the templates: per field, showing its fallback, showing a blank and showing a
 * stale value anywhere (a use counts where a recipient reaches it and the template does not abort);
 * per translated branch, taking it. Identical targets of several templates are one.
 */
export function pickTargets(plans: { plan: TemplatePlan; display: string }[], fields: FieldColumn[]): PickTargets {
  const uses = new Map<string, { kind: TargetKind; terms: string[]; approximate: boolean; order: number }>();
  const branches: { label: string; sql: string; where: string }[] = [];
  const untargetable: UntargetableBranch[] = [];
  for (const { plan, display } of plans) {
    const aborted = plan.aborts.every((r) => r.exact !== null) && plan.aborts.length
      ? or(plan.aborts.map((r) => r.exact!)) : undefined;
    const notAborted = (sql: string) => (aborted ? `(${sql}) AND NOT (${aborted})` : sql);
    for (const use of plan.uses) {
      const field = fields[use.field];
      const reach = reachSql(use.reach);
      const add = (kind: TargetKind, sql: string) => {
        const label = `${kind} ${field.field.path}`;
        const entry = uses.get(label) ?? { kind, terms: [], approximate: false, order: use.field * 3 + ['fallback', 'blank', 'stale'].indexOf(kind) };
        const term = notAborted(reach === 'true' ? sql : `(${reach}) AND ${sql}`);
        if (!entry.terms.includes(term)) entry.terms.push(term);
        entry.approximate ||= use.reach.exact === null;
        uses.set(label, entry);
      };
      if (use.whenEmpty === 'fallback') add('fallback', `NOT ${filledFlag(use.field)}`);
      if (use.whenEmpty === 'blank') add('blank', `NOT ${filledFlag(use.field)}`);
      if (field.field.maxAgeDays !== undefined && field.updatedAt) add('stale', staleFlag(use.field));
    }
    for (const branch of plan.branches) {
      const where = `${display}:${branch.range.start.line + 1}`;
      if (branch.sql === null) {
        untargetable.push({ template: display, line: branch.range.start.line + 1, condition: branch.condition, reason: branch.reason ?? 'not translatable' });
        continue;
      }
      branches.push({ label: `branch ${branch.condition}`, sql: branch.sql, where });
    }
  }
  const targets: PickTarget[] = [];
  for (const [label, entry] of [...uses].sort((a, b) => a[1].order - b[1].order)) {
    targets.push({ id: targets.length, kind: entry.kind, label, sql: or(entry.terms), approximate: entry.approximate });
  }
  // Branches: the same condition with the same SQL is one target; the same words with other SQL say where.
  const seen = new Map<string, PickTarget>();
  const labels = new Map<string, Set<string>>();
  for (const b of branches) labels.set(b.label, (labels.get(b.label) ?? new Set()).add(b.sql));
  for (const b of branches) {
    const key = `${b.label}\0${b.sql}`;
    if (seen.has(key)) continue;
    const label = labels.get(b.label)!.size > 1 ? `${b.label} (${b.where})` : b.label;
    const target: PickTarget = { id: targets.length, kind: 'branch', label, sql: b.sql, approximate: false };
    seen.set(key, target);
    targets.push(target);
  }
  return { targets, untargetable };
}

export interface PickInput {
  relation: string;
  where?: string;
  fields: FieldColumn[];
  conditions: ConditionRegistry;
  targets: PickTarget[];
  now: Date;
  /** Rows kept per target: those covering it and the most targets, earliest first. */
  perTarget: number;
}

/** The table the candidates are kept in, for the greedy steps. */
export const PICK_TABLE = 'mergewise_pick_candidates';

const valueColumn = (i: number) => `v${i}`;
const updatedColumn = (i: number) => `u${i}`;

function timestamp(value: ColumnValue): string {
  if (value.kind === 'number') return duckdb.epochTimestamp(value.sql);
  return value.kind === 'date' ? `CAST(${value.sql} AS TIMESTAMPTZ)` : `TRY_CAST(CAST(${value.sql} AS VARCHAR) AS TIMESTAMPTZ)`;
}

/**
 * One streaming pass: each row's number, flags and the ids of the targets it covers; per target, the
 * `perTarget` rows covering it that cover the most targets (earliest first on ties), kept with their
 * fields' values in a temporary table. Rows covering nothing are never kept.
 */
export function buildCandidatesSql(input: PickInput): string {
  const now = input.now.toISOString();
  const flags: string[] = ['row_number() OVER () AS mw_rid'];
  input.fields.forEach((field, i) => {
    const filled = filledSql(field);
    flags.push(`${filled} AS ${filledFlag(i)}`);
    if (field.field.maxAgeDays !== undefined && field.updatedAt) {
      const cutoff = `(TIMESTAMPTZ '${now}' - INTERVAL (${Math.floor(field.field.maxAgeDays)}) DAY)`;
      flags.push(`(${filled} AND coalesce(${timestamp(field.updatedAt)} < ${cutoff}, false)) AS ${staleFlag(i)}`);
    } else {
      flags.push(`false AS ${staleFlag(i)}`);
    }
    flags.push(`${field.sql} AS ${valueColumn(i)}`);
    if (field.updatedAt) flags.push(`${timestamp(field.updatedAt)} AS ${updatedColumn(i)}`);
  });
  input.conditions.conditions.forEach((sql, j) => flags.push(`${sql} AS c${j}`));
  const covers = input.targets.length
    ? `list_filter([${input.targets.map((t) => `CASE WHEN coalesce(${t.sql}, false) THEN ${t.id} END`).join(', ')}], x -> x IS NOT NULL)`
    : 'CAST([] AS INTEGER[])';
  const kept = ['mw_rid := mw_rid', 'mw_covers := mw_covers'];
  input.fields.forEach((field, i) => {
    kept.push(`${valueColumn(i)} := ${valueColumn(i)}`);
    if (field.updatedAt) kept.push(`${updatedColumn(i)} := ${updatedColumn(i)}`);
  });
  const perTarget = Math.max(1, Math.floor(input.perTarget));
  return `CREATE OR REPLACE TEMP TABLE ${PICK_TABLE} AS
WITH flags AS (
  SELECT
    ${flags.join(',\n    ')}
  FROM ${input.relation}${input.where ? `\n  WHERE ${input.where}` : ''}
),
covered AS (
  SELECT *, ${covers} AS mw_covers FROM flags
),
hits AS (
  SELECT *, unnest(mw_covers) AS mw_target FROM covered WHERE len(mw_covers) > 0
),
best AS (
  SELECT unnest(max_by(struct_pack(${kept.join(', ')}), CAST(len(mw_covers) AS HUGEINT) * 18446744073709551616 - mw_rid, ${perTarget})) AS r
  FROM hits GROUP BY mw_target
)
SELECT DISTINCT ON (r.mw_rid) r.mw_rid AS mw_rid, r.mw_covers AS mw_covers, r AS mw_row FROM best ORDER BY r.mw_rid`;
}

/** How many rows are candidates, and the targets at least one row covers. */
export function candidateSummarySql(): string {
  return `SELECT count(*) AS candidates, list_sort(list_distinct(flatten(list(mw_covers)))) AS coverable FROM ${PICK_TABLE}`;
}

/**
 * One greedy step: the candidate covering the most targets not yet covered, the earliest on ties
 * (none when every remaining candidate adds nothing). Only its row number and target ids come back.
 */
export function nextPickSql(covered: number[], picked: number[]): string {
  const done = `[${covered.map((id) => Math.floor(id)).join(', ')}]::INTEGER[]`;
  const taken = picked.length ? `WHERE mw_rid NOT IN (${picked.map((rid) => Math.floor(rid)).join(', ')})` : '';
  return `SELECT mw_rid, list_filter(mw_covers, x -> NOT list_contains(${done}, x)) AS gains FROM ${PICK_TABLE} ${taken}
ORDER BY len(gains) DESC, mw_rid LIMIT 1`;
}

/** The picked rows' values, in the order given. */
export function pickedRowsSql(picked: number[]): string {
  return `SELECT mw_rid, mw_row FROM ${PICK_TABLE} WHERE mw_rid IN (${picked.map((rid) => Math.floor(rid)).join(', ')}) ORDER BY mw_rid`;
}

/** Runs the greedy set cover through `query`: up to `count` picks. */
export async function greedyPick(
  count: number,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<{ rid: number; covers: number[] }[]> {
  const picks: { rid: number; covers: number[] }[] = [];
  const covered: number[] = [];
  while (picks.length < count) {
    const [row] = await query(nextPickSql(covered, picks.map((p) => p.rid)));
    const gains = ((row?.gains as unknown[] | undefined) ?? []).map(Number);
    if (!row || !gains.length) break;
    picks.push({ rid: Number(row.mw_rid), covers: gains });
    covered.push(...gains);
  }
  return picks;
}

const PERSONAL: readonly Sensitivity[] = ['personal', 'sensitive', 'special-category'];

export function isPersonal(sensitivity: Sensitivity | undefined): boolean {
  return sensitivity !== undefined && PERSONAL.includes(sensitivity);
}

export interface PickedRecipient {
  /** The recipient file's JSON text. */
  text: string;
  /** Fields whose values were replaced by fakes. */
  faked: string[];
}

/**
 * A picked row as a sample recipient: `$name` says what it covers, `$updatedAt` holds the update
 * time of each field the source gives one for, and the data is nested by path. Values of fields that
 * are `personal` or above are replaced by fakes of the same shape (seeded by the row number, so
 * runs are reproducible) unless `keepValues`; empty values stay as they are.
 */
export function pickedRecipient(
  row: Record<string, unknown>,
  rid: number,
  fields: FieldColumn[],
  covers: string[],
  keepValues: boolean,
): PickedRecipient {
  const data: Record<string, unknown> = {};
  const updatedAt: Record<string, string> = {};
  const faked: string[] = [];
  const order = fields.map((f, i) => ({ f, i })).sort((a, b) => (a.f.field.path < b.f.field.path ? -1 : a.f.field.path > b.f.field.path ? 1 : 0));
  for (const { f, i } of order) {
    let value = plain(row[valueColumn(i)]);
    if (!keepValues && isPersonal(f.field.sensitivity) && !isEmpty(value)) {
      value = fake(value, f.field.path, seeded(`${rid}:${f.field.path}`));
      faked.push(f.field.path);
    }
    setPath(data, f.field.path.split('.'), value);
    const updated = plain(row[updatedColumn(i)]);
    if (typeof updated === 'string' && updated) updatedAt[f.field.path] = updated;
  }
  const object: Record<string, unknown> = { $name: `Audience row covering: ${covers.join(', ')}` };
  if (Object.keys(updatedAt).length) object.$updatedAt = updatedAt;
  Object.assign(object, data);
  return { text: `${JSON.stringify(object, null, 2)}\n`, faked };
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let parent = target;
  for (const segment of segments.slice(0, -1)) {
    const existing = Object.prototype.hasOwnProperty.call(parent, segment) ? parent[segment] : undefined;
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) parent = existing as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      Object.defineProperty(parent, segment, { value: created, enumerable: true, writable: true, configurable: true });
      parent = created;
    }
  }
  Object.defineProperty(parent, segments[segments.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

/** A value from DuckDB as JSON holds it: bigints as numbers, dates as ISO text (a date alone when at midnight). */
export function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
  return value;
}

function isEmpty(value: unknown): boolean {
  return value === null || (typeof value === 'string' && !/[^\s\u00A0\u2007\u202F\uFEFF]/.test(value)) || (Array.isArray(value) && value.length === 0);
}

/** A small deterministic generator (mulberry32) seeded by a string's FNV-1a hash. */
export function seeded(key: string): () => number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let state = hash;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAKE_FIRST_NAMES = ['Alex', 'Sam', 'Robin', 'Jordan', 'Casey', 'Morgan', 'Taylor', 'Jamie', 'Riley', 'Avery'];
export const FAKE_LAST_NAMES = ['Sample', 'Example', 'Placeholder', 'Testwell', 'Fakeley', 'Doe', 'Roe', 'Moe'];

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/**
 * A fake of the same shape: names from a fixed list, `example.com` addresses, numbers jittered by up
 * to 20% (whole numbers stay whole), dates moved by up to 60 days (in the same format), other text
 * with each letter and digit replaced by another of its kind; lists and objects member by member.
 */
export function fake(value: unknown, path: string, random: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => fake(item, path, random));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fake(v, `${path}.${k}`, random)]));
  }
  if (typeof value === 'boolean') return random() < 0.5;
  if (typeof value === 'number') {
    if (value === 0) return 0;
    const jittered = value * (0.8 + random() * 0.4);
    if (Number.isInteger(value)) {
      const whole = Math.round(jittered);
      return whole === value ? value + (random() < 0.5 && value > 1 ? -1 : 1) : whole;
    }
    const decimals = Math.min(6, (String(value).split('.')[1] ?? '').length);
    return Number(jittered.toFixed(decimals));
  }
  if (typeof value !== 'string') return value;
  if (isEmpty(value)) return value;
  if (DATE_ONLY.test(value) || DATE_TIME.test(value)) {
    const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(date.getTime())) {
      const days = Math.floor(random() * 121) - 60 || 1;
      const moved = new Date(date.getTime() + days * 86_400_000).toISOString();
      return `${moved.slice(0, 10)}${value.slice(10)}`;
    }
  }
  if (/^[^@\s]+@[^@\s]+$/.test(value)) {
    return `${pick(FAKE_FIRST_NAMES).toLowerCase()}.${pick(FAKE_LAST_NAMES).toLowerCase()}${Math.floor(random() * 100)}@example.com`;
  }
  const name = path.toLowerCase().split('.').pop() ?? '';
  if (/(^|_)(last|family|sur)_?name$|^lname$|^surname$/.test(name)) return pick(FAKE_LAST_NAMES);
  if (/name$/.test(name) && !/(^|_)(user|company|business|product|file|domain|host)_?name$/.test(name)) {
    return /(^|_)(first|given)_?name$|^fname$|^nickname$/.test(name) ? pick(FAKE_FIRST_NAMES) : `${pick(FAKE_FIRST_NAMES)} ${pick(FAKE_LAST_NAMES)}`;
  }
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return value.replace(/[A-Za-z0-9]/g, (c) => {
    if (/\d/.test(c)) return String(Math.floor(random() * 10));
    const letter = letters[Math.floor(random() * 26)];
    return c === c.toUpperCase() ? letter.toUpperCase() : letter;
  });
}
