/**
 * From evidence to the fields to declare: which paths are fields (a path only ever used as the
 * parent of others, as in `{% if customer %}`, is a namespace and is left out), their types, and
 * their fallbacks.
 */
import type { DialectId } from '../dialects/ids';
import type { FieldType } from '../schema/types';
import type { FieldEvidence, TypeEvidence } from './mine';

export interface InferredField {
  path: string;
  /** Undefined when the uses did not tell the type: the field is written without one (untyped). */
  type?: FieldType;
  /** Uses told more than one type: the one kept and all of them. */
  typeConflict?: TypeEvidence[];
  /** The one fallback every use that gives one gives. */
  fallback?: string;
  /** Fallbacks that differ between uses, with how many uses give each: listed, not written. */
  fallbackConflict?: { value: string; uses: number }[];
  aliases: Partial<Record<DialectId, string>>;
  /** Only tested in conditions (`if x`): a flag or text. */
  conditionOnly: boolean;
  /** The recipient's own email address (`EMAIL`, `customer.email`): every platform needs it to send at all. */
  required?: boolean;
  uses: number;
  dialects: DialectId[];
}

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fields to declare, sorted by path. */
export function inferFields(evidence: Map<string, FieldEvidence>): InferredField[] {
  // Every dotted prefix of a used path: such a prefix is a namespace unless it is a list.
  const parents = new Set<string>();
  for (const path of evidence.keys()) {
    for (let at = path.lastIndexOf('.'); at > 0; at = path.lastIndexOf('.', at - 1)) parents.add(path.slice(0, at));
  }
  const listsOfLists = listsHoldingLists(evidence.keys());
  const fields: InferredField[] = [];
  for (const item of evidence.values()) {
    const isList = item.types.has('array');
    if (parents.has(item.path) && !isList) continue;
    if (insideAny(item.path, listsOfLists) || !declarable(item.path)) continue;
    fields.push(infer(item));
  }
  return fields.sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Lists whose items are lists (`{{#each pages}}{{#each this}}`: `pages[][].title`). mergewise.json
 * cannot describe an item that is itself a list, so such a list is declared open, an `array`
 * without `items`, and everything under its items is left to it.
 */
function listsHoldingLists(paths: Iterable<string>): string[] {
  const lists = new Set<string>();
  for (const path of paths) {
    const nested = path.indexOf('[][]');
    if (nested !== -1) lists.add(path.slice(0, nested));
    else if (path.endsWith('[]')) lists.add(path.slice(0, -2));
  }
  return [...lists];
}

/** A path mergewise.json can hold: none written with a bad shape (`{{a[0]}}` in Handlebars reads as `[]`). */
function declarable(path: string): boolean {
  return path !== '' && !path.startsWith('[') && !path.startsWith('.') && !path.includes('..');
}

/** Whether `path` is an item of one of `lists`, or below one. */
function insideAny(path: string, lists: string[]): boolean {
  return lists.some((list) => path.startsWith(`${list}[]`));
}

function infer(item: FieldEvidence): InferredField {
  const told = [...item.types.keys()].sort() as TypeEvidence[];
  let type: FieldType | undefined;
  if (told.includes('array')) type = 'array';
  // A number is accepted where a date is expected (timestamps): `number` satisfies both uses.
  else if (told.includes('number')) type = 'number';
  else if (told.includes('date')) type = 'date';
  const field: InferredField = {
    path: item.path,
    ...(type ? { type } : {}),
    aliases: Object.fromEntries([...item.aliases].sort(([a], [b]) => comparePaths(a, b))),
    conditionOnly: item.conditionUses > 0 && item.conditionUses === item.uses,
    uses: item.uses,
    dialects: [...item.dialects].sort(),
  };
  if (isRecipientAddress(item.path, Object.values(field.aliases))) field.required = true;
  if (told.length > 1) field.typeConflict = told;
  const fallbacks = [...item.fallbacks].sort(([a], [b]) => comparePaths(a, b));
  if (fallbacks.length === 1 && type !== 'array') field.fallback = fallbacks[0][0];
  else if (fallbacks.length > 1) field.fallbackConflict = fallbacks.map(([value, uses]) => ({ value, uses }));
  return field;
}

const ADDRESS = /^(?:e-?mail(?:[ _]?addr(?:ess)?)?)$/i;
/** Where platforms keep the recipient's profile; `referrer.email` or `items[].email` is someone else's. */
const PROFILE_ROOT = /^(?:customer|user|person|contact|lead|subscriber|recipient|profile|member|to)$/i;

/** Whether a path (or one of its platform names) is the recipient's email address: `EMAIL`, `customer.email`, `lead.Email Address`. */
function isRecipientAddress(path: string, names: string[]): boolean {
  return [path, ...names].some((name) => {
    if (name.includes('[]')) return false;
    const segments = name.split('.');
    return ADDRESS.test(segments[segments.length - 1]) && (segments.length === 1 || (segments.length === 2 && PROFILE_ROOT.test(segments[0])));
  });
}
