/**
 * Two sample recipients for a new schema: one with every field filled with a realistic value of its
 * type, one with every optional field empty. Values come from the field's name and type only, so
 * the same schema always gives the same files.
 */
import { words } from './proposals';

export interface SampleField {
  path: string;
  /** Undefined for an untyped field: its value is guessed from its name, as text. */
  type?: string;
  required?: boolean;
  /** For arrays: the item fields, by their path below the item. */
  items?: SampleField[];
}

export interface SampleRecipientFile {
  /** Relative to the folder of `mergewise.json`. */
  path: string;
  text: string;
}

export const SAMPLE_RECIPIENT_FILES = ['recipients/sample-complete.json', 'recipients/sample-empty.json'];

const DATE = '2026-12-03T10:00:00Z';

const URL_WORDS = new Set(['url', 'link', 'href', 'src', 'uri']);
const IMAGE_WORDS = new Set(['image', 'img', 'photo', 'logo', 'avatar', 'icon', 'picture', 'thumbnail']);
const EMAIL_WORDS = new Set(['email', 'emailaddr', 'emailaddress', 'mail']);
const COUNT_WORDS = new Set(['count', 'quantity', 'qty']);

/** A plausible value for a field, from its name and type. `index` varies list items. */
export function sampleValue(field: SampleField, index = 0): unknown {
  const w = words(field.path);
  const last = w[w.length - 1] ?? '';
  const has = (...names: string[]) => names.some((name) => w.includes(name));
  switch (field.type) {
    case 'array':
      if (field.items?.length) return [0, 1].map((i) => sampleObject(field.items!, i));
      return [`${humanize(field.path)} ${index * 2 + 1}`, `${humanize(field.path)} ${index * 2 + 2}`];
    case 'date':
      return has('birthday', 'birth', 'dob') ? '1990-06-15' : DATE;
    case 'number':
      if (has('score', 'propensity', 'probability', 'rate', 'ratio')) return 0.42;
      if (has('price', 'total', 'amount', 'cost', 'subtotal', 'balance', 'value', 'revenue', 'spend')) return [59, 29][index % 2];
      if (has('percent', 'percentage', 'discount')) return 15;
      if (has('year')) return 2026;
      if (has('age')) return 34;
      return [3, 12][index % 2];
    case 'boolean':
      return true;
    case 'object':
      return {};
  }
  // The last word says what the value is (`shop.email_logo_url` is an address, `email_title` a
  // title); the others only narrow it.
  if (URL_WORDS.has(last) || IMAGE_WORDS.has(last)) {
    return w.some((word) => IMAGE_WORDS.has(word)) ? `https://example.com/img/sample-${index + 1}.png` : `https://example.com/${w.slice(-2).join('-')}/${index + 1}`;
  }
  if (EMAIL_WORDS.has(last) || (has('email') && (last === 'address' || last === 'addr'))) return ['ana@example.com', 'ben@example.com'][index % 2];
  if (last === 'color' || last === 'colour') return ['#2b6cb0', '#c05621'][index % 2];
  if (last === 'width' || last === 'height') return '200';
  if (COUNT_WORDS.has(last)) return String([2, 3][index % 2]);
  if (last === 'name' && has('shop', 'store', 'brand', 'company', 'organization', 'organisation', 'business')) return 'Shearly';
  if (last === 'name' && has('order')) return ['#1001', '#1002'][index % 2];
  if (last === 'title' && has('email', 'subject', 'page')) return 'Your order is confirmed';
  if (has('fname', 'firstname') || (has('first') && has('name')) || last === 'givenname') return ['Ana', 'Ben'][index % 2];
  if (has('lname', 'lastname', 'surname') || (has('last') && has('name'))) return ['Reyes', 'Okafor'][index % 2];
  if (has('city', 'town')) return ['Oakland', 'Leeds'][index % 2];
  if (has('country')) return ['US', 'GB'][index % 2];
  if (has('zip', 'postcode', 'postal')) return '94607';
  if (has('phone', 'mobile')) return '+1 510 555 0134';
  if (has('company', 'organization', 'organisation', 'business')) return 'Studio Ana';
  if (has('title', 'product', 'item')) return ['Shearly Tap card reader', 'SMS reminder bundle'][index % 2];
  if (has('name', 'nickname')) return ['Ana Reyes', 'Ben Okafor'][index % 2];
  if (has('date', 'at', 'on', 'time')) return DATE;
  return `Sample ${humanize(field.path)}`;
}

function sampleObject(fields: SampleField[], index: number): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const field of fields) setPath(item, field.path, sampleValue(field, index));
  return item;
}

function humanize(path: string): string {
  const w = words(path);
  return w.slice(-2).join(' ') || path;
}

function emptyValue(field: SampleField): unknown {
  switch (field.type) {
    case 'array': return [];
    case 'number': case 'boolean': case 'object': return null;
    default: return '';
  }
}

/** Sets `a.b.c` in nested objects; where a value is already in the way, the dotted key is used instead. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = node[segments[i]];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[segments[i]] = created;
      node = created;
    } else if (next && typeof next === 'object' && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      target[path] = value;
      return;
    }
  }
  const leaf = segments[segments.length - 1];
  if (node[leaf] !== undefined && typeof node[leaf] === 'object' && !Array.isArray(node[leaf])) target[path] = value;
  else node[leaf] = value;
}

/** The two sample recipient files, in the format of `examples/recipients/`. */
export function sampleRecipients(fields: SampleField[]): SampleRecipientFile[] {
  // Deepest last, so that a parent's value never sits where its members go.
  const ordered = [...fields].sort((a, b) => a.path.split('.').length - b.path.split('.').length || (a.path < b.path ? -1 : 1));
  const complete: Record<string, unknown> = { $name: 'Sample recipient (every field filled)' };
  const empty: Record<string, unknown> = { $name: 'Sample recipient (optional fields empty)' };
  for (const field of ordered) {
    setPath(complete, field.path, sampleValue(field));
    setPath(empty, field.path, field.required ? sampleValue(field) : emptyValue(field));
  }
  return [
    { path: SAMPLE_RECIPIENT_FILES[0], text: `${JSON.stringify(complete, null, 2)}\n` },
    { path: SAMPLE_RECIPIENT_FILES[1], text: `${JSON.stringify(empty, null, 2)}\n` },
  ];
}
