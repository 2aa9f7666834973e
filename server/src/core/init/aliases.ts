/**
 * Alias candidates: fields that may be one field written differently per platform (`customer.first_name`
 * in Liquid, `FNAME` in Mailchimp, `FirstName` in AMPscript). Only ever suggested: names are merged
 * when the user confirms with `--alias FIELD=dialect:NAME`, never on a guess.
 */
import type { DialectId } from '../dialects/ids';
import { words } from './proposals';

export interface AliasField {
  path: string;
  /** The dialects that use it. */
  dialects: DialectId[];
  /** How many times it is used, to pick which spelling the others would become aliases of. */
  uses: number;
}

export interface AliasCandidate {
  /** The field the others would become aliases of: the most structured, most used spelling. */
  field: string;
  others: { path: string; dialect: DialectId }[];
  /** The `--alias` options that would confirm it. */
  options: string[];
}

/** Comparing every pair is quadratic: above this many fields only equal normalized names are paired. */
const MAX_PAIRWISE = 3000;

/** `customer.first_name` → `firstname`; `FNAME` → `fname`. */
function lastName(path: string): string {
  const segments = path.split(/\.|\[\]\.?/).filter(Boolean);
  return (segments[segments.length - 1] ?? path).toLowerCase().replace(/[^a-z0-9]/g, '');
}

function fullName(path: string): string {
  return words(path).join('');
}

/** Same name, or one an abbreviation of the other as platforms shorten them (`FNAME` for first name, `emailaddr` for email). */
export function similarNames(a: string, b: string): boolean {
  const [x, y] = [lastName(a), lastName(b)];
  if (!x || !y) return false;
  if (x === y || fullName(a) === fullName(b) || fullName(a) === y || fullName(b) === x) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  if (short.length >= 4 && long.startsWith(short)) return true;
  // FNAME ~ firstname, LNAME ~ lastname: the first letter, then the end.
  return short.length >= 4 && long.length > short.length && short[0] === long[0] && long.endsWith(short.slice(1));
}

/**
 * Groups of fields used in different dialects whose names look alike. A field is paired only with
 * fields of dialects it is not used in: two names in one dialect are two fields.
 */
export function aliasCandidates(fields: AliasField[]): AliasCandidate[] {
  const sorted = [...fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let root = p;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(p, root);
    return root;
  };
  for (const field of sorted) parent.set(field.path, field.path);
  const disjoint = (a: AliasField, b: AliasField) => !a.dialects.some((d) => b.dialects.includes(d));
  const pair = (a: AliasField, b: AliasField) => {
    if (disjoint(a, b) && similarNames(a.path, b.path)) parent.set(find(a.path), find(b.path));
  };
  if (sorted.length <= MAX_PAIRWISE) {
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pair(sorted[i], sorted[j]);
  } else {
    const byName = new Map<string, AliasField[]>();
    for (const field of sorted) {
      const key = lastName(field.path);
      const group = byName.get(key);
      if (group) group.push(field);
      else byName.set(key, [field]);
    }
    for (const group of byName.values()) for (let i = 1; i < group.length; i++) pair(group[0], group[i]);
  }
  const groups = new Map<string, AliasField[]>();
  for (const field of sorted) {
    const root = find(field.path);
    const group = groups.get(root);
    if (group) group.push(field);
    else groups.set(root, [field]);
  }
  const candidates: AliasCandidate[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const main = [...group].sort((a, b) => depth(b.path) - depth(a.path) || b.dialects.length - a.dialects.length || b.uses - a.uses || (a.path < b.path ? -1 : 1))[0];
    const others = group.filter((f) => f !== main && disjoint(f, main))
      .flatMap((f) => f.dialects.map((dialect) => ({ path: f.path, dialect })));
    if (!others.length) continue;
    candidates.push({ field: main.path, others, options: others.map((o) => `--alias ${main.path}=${o.dialect}:${o.path}`) });
  }
  return candidates.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

function depth(path: string): number {
  return path.split('.').length;
}
