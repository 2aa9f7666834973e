/**
 * Date and number formatting for the platforms' helper shims: SendGrid's `formatDate` takes
 * moment.js tokens (`MMMM D, YYYY`), Iterable's `dateFormat` takes Java `SimpleDateFormat` patterns
 * (`MMMM d, yyyy`) and `numberFormat` takes `DecimalFormat` patterns (`#,##0.00`) or style names.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Epoch seconds or milliseconds, ISO 8601, or Iterable's `2026-12-03 23:59:00 +00:00`. */
export function parseDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(Math.abs(value) < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseDate(Number(text));
  const spaced = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const iso = spaced ? `${spaced[1]}T${spaced[2]}${normalizeOffset(spaced[3])}` : text;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function normalizeOffset(offset: string | undefined): string {
  if (!offset) return 'Z';
  if (offset === 'Z') return offset;
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/** `-0800`, `+05:30` to minutes east of UTC; undefined when it is not an offset. */
export function parseOffset(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC. */
  offset: number;
}

/** The calendar fields of `date` at a fixed offset, or in an IANA time zone (UTC when it is unknown). */
export function dateParts(date: Date, zone?: { offset?: number; timeZone?: string }): DateParts {
  if (zone?.timeZone) {
    try {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone: zone.timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      }).formatToParts(date);
      const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
      const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
      return dateParts(date, { offset: Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60000) });
    } catch {
      // An unknown zone name: UTC, as the platforms fall back.
    }
  }
  const offset = zone?.offset ?? 0;
  const shifted = new Date(date.getTime() + offset * 60000);
  return {
    year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), second: shifted.getUTCSeconds(), offset,
  };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

type TokenTable = Record<string, (parts: DateParts) => string>;

const COMMON: TokenTable = {
  MMMM: (p) => MONTHS[p.month - 1], MMM: (p) => MONTHS[p.month - 1].slice(0, 3), MM: (p) => pad(p.month), M: (p) => String(p.month),
  HH: (p) => pad(p.hour), H: (p) => String(p.hour),
  hh: (p) => pad(p.hour % 12 || 12), h: (p) => String(p.hour % 12 || 12),
  mm: (p) => pad(p.minute), m: (p) => String(p.minute), ss: (p) => pad(p.second), s: (p) => String(p.second),
};

/** moment.js tokens, as SendGrid's `formatDate` documents them. */
const MOMENT: TokenTable = {
  ...COMMON,
  YYYY: (p) => pad(p.year, 4), YY: (p) => pad(p.year % 100),
  DD: (p) => pad(p.day), D: (p) => String(p.day),
  dddd: (p) => WEEKDAYS[p.weekday], ddd: (p) => WEEKDAYS[p.weekday].slice(0, 3),
  A: (p) => (p.hour < 12 ? 'AM' : 'PM'), a: (p) => (p.hour < 12 ? 'am' : 'pm'),
  ZZ: (p) => offsetText(p.offset, false), Z: (p) => offsetText(p.offset, true),
};

/** Java `SimpleDateFormat` letters, as Iterable's `dateFormat` takes them. */
const JAVA: TokenTable = {
  ...COMMON,
  yyyy: (p) => pad(p.year, 4), yy: (p) => pad(p.year % 100),
  dd: (p) => pad(p.day), d: (p) => String(p.day),
  EEEE: (p) => WEEKDAYS[p.weekday], EEE: (p) => WEEKDAYS[p.weekday].slice(0, 3),
  a: (p) => (p.hour < 12 ? 'AM' : 'PM'),
  Z: (p) => offsetText(p.offset, false), XXX: (p) => (p.offset === 0 ? 'Z' : offsetText(p.offset, true)),
  z: (p) => (p.offset === 0 ? 'UTC' : `GMT${offsetText(p.offset, true)}`),
};

function tokenizer(table: TokenTable): RegExp {
  const names = Object.keys(table).sort((a, b) => b.length - a.length);
  return new RegExp(names.join('|'), 'g');
}

const MOMENT_TOKENS = tokenizer(MOMENT);
const JAVA_TOKENS = tokenizer(JAVA);

/** Formats with moment.js tokens; `[text]` is written as it is. */
export function formatMoment(parts: DateParts, pattern: string): string {
  return pattern.split(/(\[[^\]]*\])/).map((chunk) =>
    chunk.startsWith('[') && chunk.endsWith(']') ? chunk.slice(1, -1) : chunk.replace(MOMENT_TOKENS, (token) => MOMENT[token](parts))).join('');
}

/** Formats with `SimpleDateFormat` letters; `'text'` is written as it is, `''` is a quote. */
export function formatJava(parts: DateParts, pattern: string): string {
  return pattern.split(/('(?:[^']|'')*')/).map((chunk) =>
    chunk.length >= 2 && chunk.startsWith("'") && chunk.endsWith("'")
      ? (chunk === "''" ? "'" : chunk.slice(1, -1).replace(/''/g, "'"))
      : chunk.replace(JAVA_TOKENS, (token) => JAVA[token](parts))).join('');
}

/** `SimpleDateFormat`'s named styles, as handlebars.java's `dateFormat` accepts them. */
export const JAVA_STYLES: Record<string, string> = {
  short: 'M/d/yy', medium: 'MMM d, yyyy', long: 'MMMM d, yyyy', full: 'EEEE, MMMM d, yyyy',
};

/**
 * `DecimalFormat` patterns (`#,##0.00`, `$#,##0`, `0.0%`) and the styles `integer`, `currency`,
 * `percent`, for Iterable's `numberFormat`.
 */
export function formatNumber(value: number, format: string | undefined, locale = 'en-US'): string {
  const safeLocale = Intl.NumberFormat.supportedLocalesOf([locale.replace('_', '-')])[0] ?? 'en-US';
  switch (format ?? 'number') {
    case 'number': return new Intl.NumberFormat(safeLocale, { maximumFractionDigits: 3 }).format(value);
    case 'integer': return new Intl.NumberFormat(safeLocale, { maximumFractionDigits: 0 }).format(value);
    case 'currency': return new Intl.NumberFormat(safeLocale, { style: 'currency', currency: currencyOf(safeLocale) }).format(value);
    case 'percent': return new Intl.NumberFormat(safeLocale, { style: 'percent' }).format(value);
  }
  const pattern = (format ?? '').split(';')[0];
  const match = /^([^#0,.]*)([#0,]*)(?:\.([#0]*))?([^#0,.]*)$/.exec(pattern);
  if (!match) return String(value);
  const [, prefix, integer, fraction = '', suffix] = match;
  const percent = suffix.includes('%');
  const scaled = percent ? value * 100 : value;
  const text = new Intl.NumberFormat('en-US', {
    useGrouping: integer.includes(','),
    minimumFractionDigits: (fraction.match(/0/g) ?? []).length,
    maximumFractionDigits: fraction.length,
    minimumIntegerDigits: Math.max(1, (integer.match(/0/g) ?? []).length),
  }).format(scaled);
  return `${prefix}${text}${suffix}`;
}

function currencyOf(locale: string): string {
  const region = locale.split('-')[1];
  const byRegion: Record<string, string> = { US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD', JP: 'JPY', IN: 'INR', CH: 'CHF', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', IE: 'EUR', AT: 'EUR' };
  return (region && byRegion[region]) || 'USD';
}

/** A number from a number or numeric text; undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}
