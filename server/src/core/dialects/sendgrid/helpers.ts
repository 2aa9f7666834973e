import { dateParts, formatMoment, parseDate, parseOffset, toNumber } from '../handlebars/format';
import { branch, isEmptyValue, splitArguments, type HandlebarsEnvironment } from '../handlebars/render';

/**
 * SendGrid's helpers as its "Using Handlebars" reference describes them. Truthiness for `and`/`or`:
 * empty text, 0 and 0.0 are false; `equals` coerces types (`3` equals `"3"`).
 */
export function registerSendGridHelpers(env: HandlebarsEnvironment): void {
  env.registerHelper('insert', (...args: unknown[]) => {
    const { values } = splitArguments(args);
    const [value, fallback] = values;
    if (!isEmptyValue(value)) return value;
    return typeof fallback === 'string' ? fallback.replace(/^default=/, '') : fallback ?? '';
  });
  env.registerHelper('formatDate', (...args: unknown[]) => {
    const { values } = splitArguments(args);
    const [value, format, offset] = values;
    const date = parseDate(value);
    if (!date) return '';
    if (typeof format !== 'string' || format === '') return date.toISOString();
    return formatMoment(dateParts(date, { offset: parseOffset(offset) ?? 0 }), format);
  });
  env.registerHelper('length', (...args: unknown[]) => {
    const [value] = splitArguments(args).values;
    return typeof value === 'string' || Array.isArray(value) ? value.length : 0;
  });
  env.registerHelper('equals', function equals(this: unknown, ...args: unknown[]) {
    const { values: [a, b], options } = splitArguments(args);
    return branch(this, looseEquals(a, b), options);
  });
  env.registerHelper('notEquals', function notEquals(this: unknown, ...args: unknown[]) {
    const { values: [a, b], options } = splitArguments(args);
    return branch(this, !looseEquals(a, b), options);
  });
  env.registerHelper('greaterThan', function greaterThan(this: unknown, ...args: unknown[]) {
    const { values: [a, b], options } = splitArguments(args);
    const [x, y] = [toNumber(a), toNumber(b)];
    return branch(this, x !== undefined && y !== undefined && x > y, options);
  });
  env.registerHelper('lessThan', function lessThan(this: unknown, ...args: unknown[]) {
    const { values: [a, b], options } = splitArguments(args);
    const [x, y] = [toNumber(a), toNumber(b)];
    return branch(this, x !== undefined && y !== undefined && x < y, options);
  });
  env.registerHelper('and', function and(this: unknown, ...args: unknown[]) {
    const { values, options } = splitArguments(args);
    return branch(this, values.length > 0 && values.every(truthy), options);
  });
  env.registerHelper('or', function or(this: unknown, ...args: unknown[]) {
    const { values, options } = splitArguments(args);
    return branch(this, values.some(truthy), options);
  });
}

function truthy(value: unknown): boolean {
  return !(isEmptyValue(value) || value === 0);
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  const [x, y] = [toNumber(a), toNumber(b)];
  if (x !== undefined && y !== undefined) return x === y;
  return String(a) === String(b);
}
