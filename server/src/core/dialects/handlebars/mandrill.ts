import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, helperInputs, type HandlebarsFlavor } from './flavor';
import { handlebarsRendering, splitArguments, stringify, type HelperOptions } from './render';
import { scanHandlebars } from './scanner';
import { wrapInIf } from './tags';
import { SystemTags } from '../common/system-tags';
import { compareValues, findComparisonOperator } from './comparison';
import { handlebars } from './index';

const PLATFORM = 'Mailchimp Transactional (Mandrill)';

/**
 * Handlebars as Mailchimp Transactional (Mandrill) runs it, from its "Using Handlebars for Dynamic
 * Content" reference: the built-in blocks (`if`, `unless`, `each`, `with`), its own inline helpers,
 * comparisons in backticks inside a condition (``{{#if `purchases > 3`}}``, strings in double
 * quotes) and `{{elseif …}}`. Chosen by `"handlebars": {"flavor": "mandrill"}` in mergewise.json:
 * the dialect id stays `handlebars`.
 */
export const MANDRILL_FLAVOR: HandlebarsFlavor = {
  id: 'handlebars',
  platform: PLATFORM,
  refusal: 'Mailchimp Transactional cannot render the template and the message is not sent',
  blockHelpers: { ...CORE_BLOCK_HELPERS },
  inlineHelpers: {
    upper: { detail: 'Upper-cases the text: {{upper name}}', snippet: 'upper ${1:field}' },
    lower: { detail: 'Lower-cases the text: {{lower name}}', snippet: 'lower ${1:field}' },
    title: { detail: 'Title-cases the text: {{title name}}', snippet: 'title ${1:field}' },
    url: { detail: 'URL-encodes the text: {{url value}}', snippet: 'url ${1:field}' },
    date: { detail: 'The date of the send, in a PHP date format (default d/m/Y): {{date "Y-m-d"}}', snippet: 'date "${1:Y-m-d}"' },
    striptags: { detail: 'Removes HTML tags from the text: {{striptags html}}', snippet: 'striptags ${1:field}' },
    unsub: { detail: 'The unsubscribe link, then a redirect to the address given: <a href=\'{{unsub "https://…"}}\'>', snippet: 'unsub "${1:https://example.com}"' },
  },
  sections: true,
  chainedElse: true,
  partials: true,
  backtickConditions: true,
  toHandlebars: mandrillToHandlebars,
  systemTags: new SystemTags(PLATFORM, []),
};

const completions = helperCompletions(MANDRILL_FLAVOR);

/** The `handlebars` dialect for templates sent through Mailchimp Transactional. */
export const mandrillHandlebars: Dialect = {
  ...handlebars,
  label: 'Handlebars (Mailchimp Transactional)',
  scan: (text) => scanHandlebars(text, MANDRILL_FLAVOR),
  ...handlebarsRendering(MANDRILL_FLAVOR, registerMandrillHelpers),
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    return wrapInIf(text, use, fallback);
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,")',
  systemTags: MANDRILL_FLAVOR.systemTags,
  filters: completions.filters,
  tags: completions.tags,
  filterInputs: helperInputs(MANDRILL_FLAVOR),
};

const ELSEIF = /\{\{(~?\s*)elseif(?=[\s}~])/g;
const BACKTICK_CONDITION = /(\{\{~?\s*(?:#\s*if|#\s*unless|\^\s*if|\^\s*unless|else\s+if|else\s+unless)\s+)`([^`]*)`/g;

/**
 * The template as handlebars.js reads it: `{{elseif x}}` as `{{else if x}}`, and a comparison in
 * backticks as the helper call ``(mw_compare "a > 3")``. Newlines stay where they were.
 */
export function mandrillToHandlebars(text: string): string {
  if (!text.includes('elseif') && !text.includes('`')) return text;
  return text.replace(ELSEIF, '{{$1else if').replace(BACKTICK_CONDITION, (_, before: string, comparison: string) =>
    `${before}(mw_compare "${comparison.replace(/"/g, '\\"')}")`);
}

function registerMandrillHelpers(env: typeof import('handlebars')): void {
  const text = (args: unknown[]) => stringify(splitArguments(args).values[0]);
  env.registerHelper('upper', (...args: unknown[]) => text(args).toUpperCase());
  env.registerHelper('lower', (...args: unknown[]) => text(args).toLowerCase());
  env.registerHelper('title', (...args: unknown[]) => text(args).toLowerCase().replace(/(^|\s)(\p{L})/gu, (_, space: string, letter: string) => space + letter.toUpperCase()));
  env.registerHelper('url', (...args: unknown[]) => encodeURIComponent(text(args)));
  env.registerHelper('striptags', (...args: unknown[]) => text(args).replace(/<[^>]*>/g, ''));
  env.registerHelper('unsub', () => 'https://unsubscribe.example/mandrill');
  env.registerHelper('date', (...args: unknown[]) => phpDate(new Date(), splitArguments(args).values[0]));
  env.registerHelper('mw_compare', function compare(this: unknown, comparison: unknown, options: HelperOptions) {
    const expression = String(comparison);
    const operator = findComparisonOperator(expression, 0, expression.length);
    const root = (options.data as { root?: unknown } | undefined)?.root;
    const value = (side: string) => operandValue(side.trim(), this, root);
    if (!operator) return Boolean(value(expression));
    return compareValues(value(expression.slice(0, operator.start)), operator.operator, value(expression.slice(operator.end)));
  });
}

/** A literal, or a path read from the current context, then from the root. */
function operandValue(written: string, context: unknown, root: unknown): unknown {
  if (/^".*"$/s.test(written) || /^'.*'$/s.test(written)) return written.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(written)) return Number(written);
  if (written === 'true' || written === 'false') return written === 'true';
  if (written === 'null' || written === 'undefined' || written === '') return undefined;
  const path = written.replace(/^this\./, '').split('.');
  return lookup(context, path) ?? lookup(root, path);
}

function lookup(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The few PHP `date()` letters templates use (`Y-m-d`, `d/m/Y`, `F j, Y`); other characters as written. */
function phpDate(date: Date, format: unknown): string {
  const pattern = typeof format === 'string' && format !== '' ? format : 'd/m/Y';
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const two = (n: number) => String(n).padStart(2, '0');
  const parts: Record<string, string> = {
    d: two(date.getUTCDate()), j: String(date.getUTCDate()), m: two(date.getUTCMonth() + 1), n: String(date.getUTCMonth() + 1),
    Y: String(date.getUTCFullYear()), y: two(date.getUTCFullYear() % 100), F: months[date.getUTCMonth()], M: months[date.getUTCMonth()].slice(0, 3),
    l: days[date.getUTCDay()], D: days[date.getUTCDay()].slice(0, 3),
  };
  return pattern.replace(/[djmnYyFMlD]/g, (letter) => parts[letter]);
}
