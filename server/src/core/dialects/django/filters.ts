/**
 * The filters the Django-style previews apply: the common subset of Django (Klaviyo) and Jinja
 * (HubL). An unknown filter leaves the value as it is, so a preview still shows the data.
 */
import { formatDjangoDate, formatFixed, formatPatternDate, formatStrftime, toDate, toNumber } from '../common/format';
import { member } from '../common/render-support';
import type { DjangoFlavor } from './flavor';
import { ownValue } from '../../own-value';

export type FilterFunction = (value: unknown, args: unknown[], flavor: DjangoFlavor) => unknown;

export function textOf(value: unknown, flavor: DjangoFlavor): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return flavor.booleanText[value ? 0 : 1];
  if (typeof value === 'number') return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(15)));
  if (Array.isArray(value)) return value.map((item) => textOf(item, flavor)).join(', ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Python's truth: empty text, 0, empty lists and dicts, None and False are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value as object).length > 0;
  return true;
}

function text(value: unknown, flavor: DjangoFlavor): string {
  return textOf(value, flavor);
}

function numberOr(value: unknown, fallback: number): number {
  return toNumber(value) ?? fallback;
}

function titleCase(value: string): string {
  return value.toLowerCase().replace(/(^|[\s\-'(])(\p{L})/gu, (_whole, before: string, letter: string) => before + letter.toUpperCase());
}

function sequence(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

function formatDate(value: unknown, pattern: unknown, kind: 'django' | 'strftime' | 'pattern', fallback: string): string {
  const date = toDate(value);
  if (!date) return '';
  const format = typeof pattern === 'string' && pattern ? pattern : fallback;
  if (kind === 'django') return formatDjangoDate(date, format);
  if (kind === 'strftime') return formatStrftime(date, format);
  return formatPatternDate(date, format);
}

/** Django's `slice:':3'`, Python's slice notation. */
function pySlice(items: unknown[] | string, spec: string): unknown[] | string {
  const [startText, endText] = spec.split(':');
  const length = items.length;
  const bound = (text: string | undefined, fallback: number) => {
    if (text === undefined || text.trim() === '') return fallback;
    const n = Number(text);
    return n < 0 ? Math.max(0, length + n) : Math.min(length, n);
  };
  if (endText === undefined) {
    const index = bound(startText, 0);
    return Array.isArray(items) ? [items[index]] : items.charAt(index);
  }
  return items.slice(bound(startText, 0), bound(endText, length));
}

export const FILTERS: Record<string, FilterFunction> = {
  default: (value, args, flavor) => (flavor.defaultReplaces(value, args.slice(1)) ? args[0] : value),
  default_if_none: (value, args) => (value === undefined || value === null ? args[0] : value),
  upper: (value, _args, flavor) => text(value, flavor).toUpperCase(),
  lower: (value, _args, flavor) => text(value, flavor).toLowerCase(),
  title: (value, _args, flavor) => titleCase(text(value, flavor)),
  capfirst: (value, _args, flavor) => { const t = text(value, flavor); return t.charAt(0).toUpperCase() + t.slice(1); },
  capitalize: (value, _args, flavor) => {
    const t = text(value, flavor);
    return t.charAt(0).toUpperCase() + (flavor.jinja ? t.slice(1).toLowerCase() : t.slice(1));
  },
  length: (value) => (value === undefined || value === null ? 0 : sequence(value).length),
  count: (value) => sequence(value).length,
  first: (value) => sequence(value)[0],
  last: (value) => { const items = sequence(value); return items[items.length - 1]; },
  join: (value, args, flavor) => (Array.isArray(value) ? value.map((item) => text(item, flavor)).join(text(args[0] ?? '', flavor)) : value),
  reverse: (value) => (typeof value === 'string' ? [...value].reverse().join('') : [...sequence(value)].reverse()),
  sort: (value) => [...sequence(value)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)),
  dictsort: (value, args) => [...sequence(value)].sort((a, b) => (String(member(a, String(args[0]))) < String(member(b, String(args[0]))) ? -1 : 1)),
  unique: (value) => [...new Set(sequence(value))],
  list: (value) => sequence(value),
  slice: (value, args) => (Array.isArray(value) || typeof value === 'string' ? pySlice(value, String(args[0] ?? ':')) : value),
  trim: (value, _args, flavor) => text(value, flavor).trim(),
  strip: (value, _args, flavor) => text(value, flavor).trim(),
  striptags: (value, _args, flavor) => text(value, flavor).replace(/<[^>]*>/g, ''),
  escape: (value, _args, flavor) => text(value, flavor).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  safe: (value) => value,
  urlencode: (value, _args, flavor) => encodeURIComponent(text(value, flavor)),
  truncatechars: (value, args, flavor) => {
    const t = text(value, flavor);
    const n = numberOr(args[0], 255);
    return t.length > n ? `${t.slice(0, Math.max(0, n - 1))}…` : t;
  },
  truncate: (value, args, flavor) => {
    const t = text(value, flavor);
    const n = numberOr(args[0], 255);
    const end = typeof args[2] === 'string' ? args[2] : '...';
    return t.length > n ? t.slice(0, Math.max(0, n - end.length)).replace(/\s+\S*$/, '') + end : t;
  },
  truncatewords: (value, args, flavor) => {
    const words = text(value, flavor).split(/\s+/).filter(Boolean);
    const n = numberOr(args[0], 15);
    return words.length > n ? `${words.slice(0, n).join(' ')} …` : words.join(' ');
  },
  wordcount: (value, _args, flavor) => text(value, flavor).split(/\s+/).filter(Boolean).length,
  replace: (value, args, flavor) => text(value, flavor).split(text(args[0] ?? '', flavor)).join(text(args[1] ?? '', flavor)),
  cut: (value, args, flavor) => text(value, flavor).split(text(args[0] ?? '', flavor)).join(''),
  add: (value, args, flavor) => {
    const a = toNumber(value);
    const b = toNumber(args[0]);
    if (a !== undefined && b !== undefined) return a + b;
    if (Array.isArray(value) && Array.isArray(args[0])) return [...value, ...args[0]];
    return text(value, flavor) + text(args[0], flavor);
  },
  append: (value, args, flavor) => text(value, flavor) + text(args[0], flavor),
  prepend: (value, args, flavor) => text(args[0], flavor) + text(value, flavor),
  floatformat: (value, args) => {
    const n = toNumber(value);
    if (n === undefined) return '';
    const digits = numberOr(args[0], -1);
    const places = Math.abs(digits);
    const fixed = formatFixed(n, places, false);
    return digits < 0 && Number.isInteger(Number(fixed)) ? String(Math.round(n)) : fixed;
  },
  round: (value, args) => {
    const n = toNumber(value);
    if (n === undefined) return value;
    const factor = 10 ** numberOr(args[0], 0);
    return Math.round(n * factor) / factor;
  },
  int: (value) => Math.trunc(numberOr(value, 0)),
  float: (value) => numberOr(value, 0),
  string: (value, _args, flavor) => text(value, flavor),
  abs: (value) => Math.abs(numberOr(value, 0)),
  ceil: (value) => Math.ceil(numberOr(value, 0)),
  floor: (value) => Math.floor(numberOr(value, 0)),
  at_least: (value, args) => Math.max(numberOr(value, 0), numberOr(args[0], 0)),
  at_most: (value, args) => Math.min(numberOr(value, 0), numberOr(args[0], 0)),
  yesno: (value, args) => {
    const [yes, no, maybe] = String(args[0] ?? 'yes,no,maybe').split(',');
    if (value === undefined || value === null) return maybe ?? no;
    return truthy(value) ? yes : no;
  },
  pluralize: (value, args) => {
    const [one, many] = String(args[0] ?? 's').includes(',') ? String(args[0]).split(',') : ['', String(args[0] ?? 's')];
    return numberOr(Array.isArray(value) ? value.length : value, 0) === 1 ? one : many;
  },
  lookup: (value, args) => member(value, String(args[0] ?? '')),
  date: (value, args, flavor) => formatDate(value, args[0], flavor.jinja ? 'strftime' : 'django', flavor.jinja ? '%Y-%m-%d' : 'N j, Y'),
  time: (value, args) => formatDate(value, args[0], 'django', 'P'),
  datetimeformat: (value, args) => formatDate(value, args[0], 'strftime', '%H:%M / %d-%m-%Y'),
  format_date: (value, args) => formatDate(value, args[0], 'pattern', 'medium'),
  format_datetime: (value, args) => formatDate(value, args[0], 'pattern', "MMM d, yyyy, h:mm:ss a"),
  format_time: (value, args) => formatDate(value, args[0], 'pattern', 'h:mm:ss a'),
  format_number: (value, args) => {
    const n = toNumber(value);
    return n === undefined ? value : formatFixed(n, numberOr(args[1], Number.isInteger(n) ? 0 : 2), true);
  },
  format_currency_value: (value, args) => {
    const n = toNumber(value);
    const currency = typeof args[1] === 'string' ? args[1] : 'USD';
    return n === undefined ? value : `${currency === 'USD' ? '$' : `${currency} `}${formatFixed(n, 2, true)}`;
  },
  tojson: (value) => JSON.stringify(value ?? null),
  base64_encode: (value, _args, flavor) => Buffer.from(text(value, flavor), 'utf8').toString('base64'),
};
FILTERS.upcase = FILTERS.upper;
FILTERS.downcase = FILTERS.lower;
FILTERS.e = FILTERS.escape;
FILTERS.force_escape = FILTERS.escape;
FILTERS.size = FILTERS.length;

export function applyFilter(name: string, value: unknown, args: unknown[], flavor: DjangoFlavor): unknown {
  const filter = ownValue(FILTERS, name);
  return filter ? filter(value, args, flavor) : value;
}
