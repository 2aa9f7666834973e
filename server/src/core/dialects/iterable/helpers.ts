import type * as Crypto from 'node:crypto';
import { dateParts, formatJava, formatNumber, JAVA_STYLES, parseDate, toNumber } from '../handlebars/format';
import { branch, splitArguments, stringify, type HandlebarsEnvironment, type HelperOptions } from '../handlebars/render';
import { ownValue } from '../../own-value';

/** Longest text and pattern `ifMatchesRegexStr` tries: a preview must not hang on a pathological pattern. */
const REGEX_LIMIT = { pattern: 200, text: 10_000 };

/**
 * Shims for Iterable's helpers. Iterable runs handlebars.java, whose "empty" (for `defaultIfEmpty`,
 * `#if`) is null, "", false, 0 or an empty list.
 */
export function registerIterableHelpers(env: HandlebarsEnvironment): void {
  const helper = (name: string, fn: (values: unknown[], options: HelperOptions, context: unknown) => unknown) => {
    env.registerHelper(name, function iterableHelper(this: unknown, ...args: unknown[]) {
      const { values, options } = splitArguments(args);
      return fn(values, options, this);
    });
  };
  const text = (value: unknown) => stringify(value);
  /** Inline on a value, or as a block on its rendered content. */
  const transform = (name: string, change: (value: string) => string) => helper(name, (values, options, context) =>
    values.length === 0 && typeof options.fn === 'function' ? change(options.fn(context)) : change(text(values[0])));

  helper('defaultIfEmpty', ([value, fallback]) => (javaEmpty(value) ? fallback ?? '' : value));
  helper('capitalize', ([value]) => text(value).replace(/(^|\s)(\S)/g, (_, space: string, letter: string) => space + letter.toUpperCase()));
  helper('capitalizeFirst', ([value]) => text(value).charAt(0).toUpperCase() + text(value).slice(1));
  helper('upper', ([value]) => text(value).toUpperCase());
  helper('lower', ([value]) => text(value).toLowerCase());
  helper('length', ([value]) => (typeof value === 'string' || Array.isArray(value) ? value.length : 0));
  helper('substring', ([value, start, end]) => text(value).substring(toNumber(start) ?? 0, toNumber(end) ?? undefined));
  helper('abbreviate', ([value, width]) => {
    const full = text(value);
    const max = toNumber(width) ?? full.length;
    return full.length <= max ? full : `${full.slice(0, Math.max(0, max - 3))}...`;
  });
  helper('cut', ([value, removed]) => text(value).split(removed === undefined ? ' ' : text(removed)).join(''));
  helper('replace', ([value, target, replacement]) => text(value).split(text(target)).join(text(replacement)));
  helper('slugify', ([value]) => text(value).toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9\s-]/g, '').trim().replace(/[\s-]+/g, '-'));
  helper('center', ([value, width], options) => {
    const full = text(value);
    const size = toNumber(width ?? options.hash?.size) ?? full.length;
    const pad = text(options.hash?.pad ?? ' ') || ' ';
    const total = Math.max(0, Math.min(size, 10_000) - full.length);
    const left = Math.floor(total / 2);
    return pad.repeat(left).slice(0, left) + full + pad.repeat(total - left).slice(0, total - left);
  });
  helper('join', ([list, separator]) => (Array.isArray(list) ? list.map(text).join(separator === undefined ? ', ' : text(separator)) : text(list)));
  helper('dateFormat', ([value, format], options) => {
    const date = parseDate(value);
    if (!date) return '';
    const pattern = text(format ?? options.hash?.format ?? 'medium');
    const parts = dateParts(date, { timeZone: typeof options.hash?.tz === 'string' ? options.hash.tz : undefined });
    return formatJava(parts, ownValue(JAVA_STYLES, pattern) ?? pattern);
  });
  helper('now', ([format], options) => {
    const pattern = text(format ?? options.hash?.format ?? 'medium');
    const parts = dateParts(new Date(), { timeZone: typeof options.hash?.tz === 'string' ? options.hash.tz : undefined });
    return formatJava(parts, ownValue(JAVA_STYLES, pattern) ?? pattern);
  });
  helper('numberFormat', ([value, format, locale], options) => {
    const number = toNumber(value);
    if (number === undefined) return text(value);
    return formatNumber(number, format === undefined ? undefined : text(format), text(locale ?? options.hash?.locale ?? 'en-US'));
  });
  helper('math', ([a, operator, b]) => {
    const [x, y] = [toNumber(a), toNumber(b)];
    if (x === undefined || y === undefined) return '';
    switch (operator) {
      case '+': return x + y;
      case '-': return x - y;
      case '*': return x * y;
      case '/': return y === 0 ? '' : x / y;
      case '%': return y === 0 ? '' : x % y;
      default: return '';
    }
  });
  helper('toJson', ([value]) => JSON.stringify(value ?? null));
  helper('toUrlEncodedJson', ([value]) => encodeURIComponent(JSON.stringify(value ?? null)));
  transform('urlEncode', (value) => encodeURIComponent(value));
  transform('base64', (value) => Buffer.from(value, 'utf8').toString('base64'));
  transform('breaklines', (value) => value.replace(/\r?\n/g, '<br>'));
  // Loaded when a preview first hashes: node:crypto costs a command that never does a noticeable part of its start-up.
  const crypto = () => require('node:crypto') as typeof Crypto;
  for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
    transform(algorithm, (value) => crypto().createHash(algorithm).update(value, 'utf8').digest('hex'));
  }
  helper('hmacSHA1', ([value, key]) => crypto().createHmac('sha1', text(key)).update(text(value), 'utf8').digest('hex'));
  // Snippets live in the Iterable project; the preview names the one it would insert.
  helper('snippet', ([name]) => `[snippet ${text(name)}]`);
  // `{{#assign "name"}}…{{/assign}}` (handlebars.java): the variable holds the rendered content for the rest of the template.
  helper('assign', ([name], options, context) => {
    const root: unknown = options.data?.root;
    if (typeof options.fn === 'function' && root && typeof root === 'object' && typeof name === 'string' && name !== '__proto__') {
      (root as Record<string, unknown>)[name] = options.fn(context);
    }
    return '';
  });
  // Catalogs live in the Iterable project: the preview has no item, so it shows the block's `{{else}}`.
  helper('catalog', (_values, options, context) => (typeof options.inverse === 'function' ? options.inverse(context) : ''));
  helper('lookup', ([object, key], options, context) => {
    const value = object && typeof object === 'object' && (typeof key === 'string' || typeof key === 'number') ? ownValue(object as Record<string, unknown>, String(key)) : undefined;
    if (typeof options.fn !== 'function') return value;
    return value === undefined || value === null ? (typeof options.inverse === 'function' ? options.inverse(context) : '') : options.fn(value, { blockParams: [value] });
  });

  const test = (name: string, holds: (values: unknown[]) => boolean) =>
    helper(name, (values, options, context) => branch(context, holds(values), options));
  test('ifEq', ([a, b]) => looseEquals(a, b));
  test('ifContainsStr', ([value, part]) => !javaEmpty(value) && text(value).includes(text(part)));
  test('ifMatchesRegexStr', ([value, pattern]) => {
    const source = text(pattern);
    const subject = text(value);
    if (source.length > REGEX_LIMIT.pattern || subject.length > REGEX_LIMIT.text) return false;
    try {
      return new RegExp(`^(?:${source})$`).test(subject);
    } catch {
      return false;
    }
  });
  test('ifGt', ([a, b]) => numeric(a, b, (x, y) => x > y));
  test('ifGte', ([a, b]) => numeric(a, b, (x, y) => x >= y));
  test('ifLt', ([a, b]) => numeric(a, b, (x, y) => x < y));
  test('ifLte', ([a, b]) => numeric(a, b, (x, y) => x <= y));
  test('eq', ([a, b]) => strictEquals(a, b));
  test('neq', ([a, b]) => !strictEquals(a, b));
  test('gt', ([a, b]) => ordered(a, b) > 0);
  test('gte', ([a, b]) => ordered(a, b) >= 0 && a !== undefined);
  test('lt', ([a, b]) => ordered(a, b) < 0);
  test('lte', ([a, b]) => ordered(a, b) <= 0 && a !== undefined);
  test('and', (values) => values.length > 0 && values.every((value) => !javaEmpty(value)));
  test('or', (values) => values.some((value) => !javaEmpty(value)));
  test('not', ([value]) => javaEmpty(value));
}

/** handlebars.java's `Utils.isEmpty`. */
export function javaEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '' || value === 0 ||
    (Array.isArray(value) && value.length === 0);
}

function numeric(a: unknown, b: unknown, holds: (x: number, y: number) => boolean): boolean {
  const [x, y] = [toNumber(a), toNumber(b)];
  return x !== undefined && y !== undefined && holds(x, y);
}

function looseEquals(a: unknown, b: unknown): boolean {
  const [x, y] = [toNumber(a), toNumber(b)];
  if (x !== undefined && y !== undefined) return x === y;
  return stringify(a) === stringify(b) && a !== undefined && b !== undefined;
}

function strictEquals(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === typeof b && a !== null && typeof a !== 'object' && String(a) === String(b));
}

/** Numbers by value, anything else in alphabetical order; missing values sort first. */
function ordered(a: unknown, b: unknown): number {
  const [x, y] = [toNumber(a), toNumber(b)];
  if (x !== undefined && y !== undefined) return x - y;
  if (a === undefined || a === null) return -1;
  return stringify(a).localeCompare(stringify(b));
}
