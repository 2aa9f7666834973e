import type { FieldUse } from './dialects/dialect';
import type { Recipient } from './preview/recipients';
import type { FieldSpec } from './schema/types';

/** `skipped`: the use sits in a conditional that needs the value, so this recipient never gets that part. */
export type ShownKind = 'value' | 'fallback' | 'blank' | 'stale' | 'skipped';

export interface ShownValue {
  kind: ShownKind;
  /** What the recipient reads, before any formatting filter. */
  text: string;
}

/**
 * What one recipient sees for one use, from the data alone (filters other than the fallback are
 * not applied): fast enough for inlay hints on every keystroke, unlike a full rendering.
 */
export function shownValue(use: Pick<FieldUse, 'fallback' | 'fallbackField' | 'guarded'>, field: FieldSpec | undefined, path: string, recipient: Recipient, now: Date): ShownValue {
  const value = valueAt(recipient.data, field?.path ?? path);
  if (isBlank(value)) {
    // Another field may stand in (`| default: billing_address.first_name`): what this recipient has there.
    const other = use.fallbackField === undefined ? undefined : valueAt(recipient.data, use.fallbackField);
    const fallback = use.fallbackField === undefined ? use.fallback : isBlank(other) ? null : valueText(other);
    if (fallback !== null && fallback !== '') return { kind: 'fallback', text: fallback };
    return { kind: use.guarded ? 'skipped' : 'blank', text: '' };
  }
  const text = valueText(value);
  const updated = field ? recipient.updatedAt.get(field.path) : undefined;
  if (field?.maxAgeDays !== undefined && updated && now.getTime() - updated.getTime() > field.maxAgeDays * 86_400_000) {
    return { kind: 'stale', text };
  }
  return { kind: 'value', text };
}

/** A value as a line of text: a list by its length, an object elided. */
function valueText(value: unknown): string {
  return Array.isArray(value) ? `${value.length} item${value.length === 1 ? '' : 's'}` : typeof value === 'object' ? '{…}' : String(value);
}

/** The value at a schema path; `[]` takes the first item, as a preview of a loop. */
export function valueAt(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    const isItem = segment.endsWith('[]');
    const key = isItem ? segment.slice(0, -2) : segment;
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
    if (isItem) current = Array.isArray(current) ? current[0] : undefined;
  }
  return current;
}

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** `→ Ana`, `→ "there" (fallback)`, `→ blank`, `→ Stylist (stale)`, `→ not shown (condition false)`. */
export function describeShown(shown: ShownValue, maxLength = 40): string {
  const clip = (text: string) => (text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text);
  switch (shown.kind) {
    case 'value': return clip(shown.text);
    case 'fallback': return `"${clip(shown.text)}" (fallback)`;
    case 'blank': return 'blank';
    case 'stale': return `${clip(shown.text)} (stale)`;
    case 'skipped': return 'not shown (condition false)';
  }
}
