/**
 * Fields `init` would declare that look like a misspelling of another field: declaring them would
 * hide the typo for good (`check` reports an undeclared name with the one it likely meant).
 */
import { editDistance } from '../closest';
import type { Schema } from '../schema/types';
import type { WrittenField } from './write';

export interface SuspectedTypo {
  path: string;
  uses: number;
  /** The field it is likely a misspelling of. */
  like: string;
}

/** Shorter names differ by a letter on purpose too often (`fname`/`lname`, `title`/`tittle` aside). */
const MIN_LENGTH = 6;

/**
 * A field is a suspected typo of another when both have the same parent, its last segment is one
 * or two edits away (a quarter of its length at most), not by digits or a plural `s` alone
 * (`address_1`/`address_2`, `product_id`/`product_ids` are fields of their own), and the other is
 * declared already, or used more often in the same dialect. Nothing under it is declared (a list's items).
 */
export function suspectedTypos(fields: WrittenField[], declared: Schema | undefined): SuspectedTypo[] {
  const uses = new Map(fields.map((field) => [field.path, field.uses]));
  const dialects = new Map(fields.map((field) => [field.path, field.dialects]));
  const others = [...new Set([...fields.map((field) => field.path), ...(declared?.fields.keys() ?? [])])];
  const typos: SuspectedTypo[] = [];
  for (const field of fields) {
    if (declared?.fields.has(field.path) || others.some((other) => other.startsWith(`${field.path}.`) || other.startsWith(`${field.path}[]`))) continue;
    const [parent, last] = split(field.path);
    if (last.length < MIN_LENGTH) continue;
    let best: { path: string; distance: number } | undefined;
    for (const other of others) {
      if (other === field.path) continue;
      const [otherParent, otherLast] = split(other);
      if (otherParent !== parent || !differsByMistake(last, otherLast)) continue;
      // Across platforms, spellings differ by convention (`firstName`, `FirstName`): alias candidates, not typos.
      const alike = declared?.fields.has(other) || ((uses.get(other) ?? 0) > field.uses && dialects.get(other)!.some((d) => field.dialects.includes(d)));
      if (!alike) continue;
      const distance = editDistance(last, otherLast, 2);
      if (distance <= Math.min(2, Math.floor(last.length / 4)) && (!best || distance < best.distance)) best = { path: other, distance };
    }
    if (best) typos.push({ path: field.path, uses: field.uses, like: best.path });
  }
  return typos;
}

function split(path: string): [string, string] {
  const at = path.lastIndexOf('.');
  return at === -1 ? ['', path] : [path.slice(0, at + 1), path.slice(at + 1)];
}

/** Not only digits apart, nor a plural `s` apart. */
function differsByMistake(a: string, b: string): boolean {
  if (a.replace(/\d+/g, '#') === b.replace(/\d+/g, '#')) return false;
  return a !== `${b}s` && b !== `${a}s`;
}
