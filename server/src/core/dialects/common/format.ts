/**
 * Date and number formatting for the hand-written preview renderers: strftime (HubL
 * `datetimeformat`), Django's `date` filter (Klaviyo), and the .NET/Java patterns of AMPscript's
 * `Format`/`FormatDate` and HubL's `format_date`. Everything is in UTC and English, so previews are
 * the same on every machine.
 */
import { ownValue } from '../../own-value';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A date from an ISO string, a `Date`, epoch seconds (or milliseconds), or `now`/`today`. */
export function toDate(value: unknown, now: Date = new Date()): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(Math.abs(value) < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text) return undefined;
  if (/^(now|today)$/i.test(text)) return now;
  if (/^\d+$/.test(text)) return toDate(Number(text), now);
  // `2026-12-03 10:00:00` (Klaviyo's format) is ISO with a space.
  const parsed = Date.parse(/^\d{4}-\d\d-\d\d \d/.test(text) ? text.replace(' ', 'T') : text);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const hour12 = (h: number) => (h % 12 === 0 ? 12 : h % 12);

function ordinalSuffix(day: number): string {
  if (day % 100 >= 11 && day % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** strftime: `%B %-d, %Y` -> `December 3, 2026`. */
export function formatStrftime(date: Date, pattern: string): string {
  return pattern.replace(/%([-_0^#]?)([a-zA-Z%])/g, (whole, flag: string, code: string) => {
    const noPad = flag === '-';
    const num = (n: number, width = 2) => (noPad ? String(n) : pad(n, width));
    switch (code) {
      case 'Y': return String(date.getUTCFullYear());
      case 'y': return pad(date.getUTCFullYear() % 100);
      case 'm': return num(date.getUTCMonth() + 1);
      case 'd': return num(date.getUTCDate());
      case 'e': return noPad ? String(date.getUTCDate()) : String(date.getUTCDate()).padStart(2, ' ');
      case 'B': return MONTHS[date.getUTCMonth()];
      case 'b': case 'h': return MONTHS[date.getUTCMonth()].slice(0, 3);
      case 'A': return DAYS[date.getUTCDay()];
      case 'a': return DAYS[date.getUTCDay()].slice(0, 3);
      case 'H': return num(date.getUTCHours());
      case 'I': return num(hour12(date.getUTCHours()));
      case 'l': return String(hour12(date.getUTCHours()));
      case 'M': return num(date.getUTCMinutes());
      case 'S': return num(date.getUTCSeconds());
      case 'p': return date.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'P': return date.getUTCHours() < 12 ? 'am' : 'pm';
      case 'j': return num(dayOfYear(date), 3);
      case 'Z': return 'UTC';
      case 'z': return '+0000';
      case 'F': return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
      case 's': return String(Math.floor(date.getTime() / 1000));
      case '%': return '%';
      default: return whole;
    }
  });
}

/** Django's `date` filter: `F j, Y` -> `December 3, 2026`; a backslash escapes a letter. */
export function formatDjangoDate(date: Date, pattern: string): string {
  let result = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) { result += pattern[++i]; continue; }
    const h = date.getUTCHours();
    switch (c) {
      case 'd': result += pad(date.getUTCDate()); break;
      case 'j': result += String(date.getUTCDate()); break;
      case 'S': result += ordinalSuffix(date.getUTCDate()); break;
      case 'D': result += DAYS[date.getUTCDay()].slice(0, 3); break;
      case 'l': result += DAYS[date.getUTCDay()]; break;
      case 'w': result += String(date.getUTCDay()); break;
      case 'z': result += String(dayOfYear(date) - 1); break;
      case 'F': result += MONTHS[date.getUTCMonth()]; break;
      case 'M': result += MONTHS[date.getUTCMonth()].slice(0, 3); break;
      case 'b': result += MONTHS[date.getUTCMonth()].slice(0, 3).toLowerCase(); break;
      case 'N': { const m = MONTHS[date.getUTCMonth()]; result += m.length > 5 ? `${m.slice(0, 3)}.` : m; break; }
      case 'm': result += pad(date.getUTCMonth() + 1); break;
      case 'n': result += String(date.getUTCMonth() + 1); break;
      case 'y': result += pad(date.getUTCFullYear() % 100); break;
      case 'Y': result += String(date.getUTCFullYear()); break;
      case 'H': result += pad(h); break;
      case 'G': result += String(h); break;
      case 'h': result += pad(hour12(h)); break;
      case 'g': result += String(hour12(h)); break;
      case 'i': result += pad(date.getUTCMinutes()); break;
      case 's': result += pad(date.getUTCSeconds()); break;
      case 'A': result += h < 12 ? 'AM' : 'PM'; break;
      case 'a': result += h < 12 ? 'a.m.' : 'p.m.'; break;
      case 'P': {
        const minutes = date.getUTCMinutes();
        result += h === 0 && minutes === 0 ? 'midnight' : h === 12 && minutes === 0 ? 'noon'
          : `${hour12(h)}${minutes ? `:${pad(minutes)}` : ''} ${h < 12 ? 'a.m.' : 'p.m.'}`;
        break;
      }
      case 'e': case 'T': result += 'UTC'; break;
      case 'O': result += '+0000'; break;
      case 'U': result += String(Math.floor(date.getTime() / 1000)); break;
      default: result += c;
    }
  }
  return result;
}

/**
 * .NET and Java (ICU) patterns: `MMMM d, yyyy`, `dddd`/`EEEE`, `HH:mm`, `h:mm tt`/`a`, with quoted
 * literals. Also the .NET standard formats `d`, `D`, `t`, `g`, and Java's `short`/`medium`/`long`/`full`.
 */
export function formatPatternDate(date: Date, pattern: string): string {
  const standard: Record<string, string> = {
    d: 'M/d/yyyy', D: 'dddd, MMMM d, yyyy', t: 'h:mm tt', T: 'h:mm:ss tt', f: 'dddd, MMMM d, yyyy h:mm tt',
    g: 'M/d/yyyy h:mm tt', G: 'M/d/yyyy h:mm:ss tt', M: 'MMMM d', m: 'MMMM d', Y: 'MMMM yyyy', y: 'MMMM yyyy',
    short: 'M/d/yy', medium: 'MMM d, yyyy', long: 'MMMM d, yyyy', full: 'EEEE, MMMM d, yyyy',
    iso: 'yyyy-MM-dd', s: "yyyy-MM-dd'T'HH:mm:ss",
  };
  const key = pattern.trim();
  const expanded = ownValue(standard, key) ?? (key.length > 1 ? ownValue(standard, key.toLowerCase()) : undefined) ?? pattern;
  let result = '';
  for (let i = 0; i < expanded.length;) {
    const c = expanded[i];
    if (c === "'" || c === '"') {
      const close = expanded.indexOf(c, i + 1);
      const end = close === -1 ? expanded.length : close;
      result += end === i + 1 ? "'" : expanded.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '\\' && i + 1 < expanded.length) { result += expanded[i + 1]; i += 2; continue; }
    let run = 1;
    while (expanded[i + run] === c) run++;
    result += patternField(date, c, run) ?? c.repeat(run);
    i += run;
  }
  return result;
}

function patternField(date: Date, c: string, run: number): string | undefined {
  const h = date.getUTCHours();
  switch (c) {
    case 'y': return run === 2 ? pad(date.getUTCFullYear() % 100) : String(date.getUTCFullYear()).padStart(run, '0');
    case 'M': case 'L': {
      const month = date.getUTCMonth();
      if (run >= 4) return MONTHS[month];
      if (run === 3) return MONTHS[month].slice(0, 3);
      return run === 2 ? pad(month + 1) : String(month + 1);
    }
    case 'd': {
      if (run >= 4) return DAYS[date.getUTCDay()];
      if (run === 3) return DAYS[date.getUTCDay()].slice(0, 3);
      return run === 2 ? pad(date.getUTCDate()) : String(date.getUTCDate());
    }
    case 'E': return run >= 4 ? DAYS[date.getUTCDay()] : DAYS[date.getUTCDay()].slice(0, 3);
    case 'H': return run === 2 ? pad(h) : String(h);
    case 'h': return run === 2 ? pad(hour12(h)) : String(hour12(h));
    case 'm': return run === 2 ? pad(date.getUTCMinutes()) : String(date.getUTCMinutes());
    case 's': return run === 2 ? pad(date.getUTCSeconds()) : String(date.getUTCSeconds());
    case 't': return run === 1 ? (h < 12 ? 'A' : 'P') : h < 12 ? 'AM' : 'PM';
    case 'a': return h < 12 ? 'AM' : 'PM';
    case 'z': case 'Z': case 'K': return 'UTC';
    default: return undefined;
  }
}

/** A number from a number or numeric text; undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value.replace(/,/g, '')))) return Number(value.replace(/,/g, ''));
  return undefined;
}

/** `1234.5` -> `1,234.50` with two decimals and grouping. */
export function formatFixed(value: number, decimals: number, grouping: boolean): string {
  const fixed = Math.abs(value).toFixed(Math.max(0, Math.min(20, decimals)));
  const [whole, fraction] = fixed.split('.');
  const grouped = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole;
  return `${value < 0 && Number(fixed) !== 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** .NET numeric formats: `N2`, `C`, `F1`, `D`, `P0`, and custom patterns such as `#,##0.00`. */
export function formatDotNetNumber(value: number, format: string): string {
  const standard = /^([CcDdFfNnPp])(\d*)$/.exec(format.trim());
  if (standard) {
    const precision = standard[2] ? Number(standard[2]) : undefined;
    switch (standard[1].toUpperCase()) {
      case 'C': return `${value < 0 ? '-' : ''}$${formatFixed(Math.abs(value), precision ?? 2, true)}`;
      case 'D': return String(Math.round(value)).padStart(precision ?? 0, '0');
      case 'F': return formatFixed(value, precision ?? 2, false);
      case 'N': return formatFixed(value, precision ?? 2, true);
      case 'P': return `${formatFixed(value * 100, precision ?? 2, true)}%`;
    }
  }
  const custom = /^([^#0,.]*)([#0,]*)(?:\.([0#]+))?(.*)$/.exec(format);
  if (custom && custom[2]) {
    const decimals = custom[3]?.length ?? 0;
    return `${custom[1]}${formatFixed(value, decimals, custom[2].includes(','))}${custom[4]}`;
  }
  return String(value);
}
