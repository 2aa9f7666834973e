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
 * A field is a suspected typo of another when both have the same parent, its last segment is a
 * slip of the other's (see `slip`), not by digits or a plural `s` alone
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
    const like = others.find((other) => {
      const [otherParent, otherLast] = split(other);
      if (other === field.path || otherParent !== parent || !differsByMistake(last, otherLast) || !slip(last, otherLast)) return false;
      // Across platforms, spellings differ by convention (`firstName`, `FirstName`): alias candidates, not typos.
      return declared?.fields.has(other) || ((uses.get(other) ?? 0) > field.uses && dialects.get(other)!.some((d) => field.dialects.includes(d)));
    });
    if (like) typos.push({ path: field.path, uses: field.uses, like });
  }
  return typos;
}

function split(path: string): [string, string] {
  const at = path.lastIndexOf('.');
  return at === -1 ? ['', path] : [path.slice(0, at + 1), path.slice(at + 1)];
}

/**
 * A slip of the keyboard: two neighbouring letters swapped (`frist`), or one letter left out or
 * doubled (`adress`, `firstt_name`). Not one letter for another: that makes other words too often
 * (`order_date`/`order_name`, `ship_date`/`ship_rate`, `expires_at`/`expired_at`).
 */
function slip(a: string, b: string): boolean {
  if (a.length === b.length) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return Math.abs(a.length - b.length) === 1 && editDistance(a, b, 1) === 1;
}

/** Not only digits apart, nor a plural `s` apart. */
function differsByMistake(a: string, b: string): boolean {
  if (a.replace(/\d+/g, '#') === b.replace(/\d+/g, '#')) return false;
  return a !== `${b}s` && b !== `${a}s`;
}
