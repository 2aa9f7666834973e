import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, helperInputs, type BlockHelper, type HandlebarsFlavor, type InlineHelper } from '../handlebars/flavor';
import { handlebarsRendering } from '../handlebars/render';
import { scanHandlebars } from '../handlebars/scanner';
import { fillDataFeeds, scanWithDataFeeds } from './data-feeds';
import { quoted, replaceExpression, tagShape } from '../handlebars/tags';
import { javaEmpty, registerIterableHelpers } from './helpers';
import { BRACES } from '../common/syntax';

import { ITERABLE_SYSTEM_TAGS } from './system-tags';
const compare = (name: string, detail: string, guard: BlockHelper['guard']): BlockHelper => ({
  detail, guard, conditional: true, minParams: 2, snippet: `${name} \${1:field} \${2:value}}}$0{{/${name}`,
});

const transform = (name: string, detail: string): BlockHelper => ({
  detail, guard: 'none', conditional: false, minParams: 0, snippet: `${name}}}$0{{/${name}`,
});

const test = (detail: string, guard: InlineHelper['guard'], snippet: string): InlineHelper => ({ detail, guard, snippet });

/**
 * Iterable's Handlebars (handlebars.java underneath): its "Personalizing Templates with Handlebars"
 * helpers for strings, numbers, dates, lists and comparisons.
 */
export const ITERABLE_FLAVOR: HandlebarsFlavor = {
  id: 'iterable',
  platform: 'Iterable',
  refusal: 'Iterable cannot render the template and skips the send',
  blockHelpers: {
    ...CORE_BLOCK_HELPERS,
    ifEq: compare('ifEq', 'Shows content when the two values are equal (text or numbers)', 'equals'),
    ifContainsStr: compare('ifContainsStr', 'Shows content when the text contains a substring', 'contains'),
    ifMatchesRegexStr: compare('ifMatchesRegexStr', 'Shows content when the text matches a regular expression', 'none'),
    ifGt: compare('ifGt', 'Shows content when the first number is greater', 'greater'),
    ifGte: compare('ifGte', 'Shows content when the first number is greater or equal', 'greater'),
    ifLt: compare('ifLt', 'Shows content when the first number is smaller', 'none'),
    ifLte: compare('ifLte', 'Shows content when the first number is smaller or equal', 'none'),
    eq: compare('eq', 'Shows content when the values are equal', 'equals'),
    neq: compare('neq', 'Shows content when the values differ', 'not-equals'),
    gt: compare('gt', 'Shows content when the first value is greater (numbers or alphabetical order)', 'greater'),
    gte: compare('gte', 'Shows content when the first value is greater or equal', 'greater'),
    lt: compare('lt', 'Shows content when the first value is smaller', 'none'),
    lte: compare('lte', 'Shows content when the first value is smaller or equal', 'none'),
    and: compare('and', 'Shows content when every value is set', 'truthy'),
    or: compare('or', 'Shows content when any value is set', 'none'),
    breaklines: transform('breaklines', 'Turns line breaks in its content into <br>'),
    urlEncode: transform('urlEncode', 'URL-encodes its content'),
    base64: transform('base64', 'Base64-encodes its content'),
    md5: transform('md5', 'MD5 hash of its content'),
    sha1: transform('sha1', 'SHA-1 hash of its content'),
    sha256: transform('sha256', 'SHA-256 hash of its content'),
    assign: {
      detail: 'Sets a variable to its content, for the rest of the template: {{#assign "greeting"}}Hi {{firstName}}{{/assign}} then {{greeting}}',
      guard: 'none', conditional: false, minParams: 1, assigns: true, snippet: 'assign "${1:name}"}}$0{{/assign',
    },
    catalog: {
      detail: 'Looks up a catalog item: {{#catalog "Products" productId as |product|}}{{product.name}}{{/catalog}}',
      guard: 'none', conditional: false, minParams: 1, localParams: true, snippet: 'catalog "${1:Catalog}" ${2:itemId} as |${3:item}|}}$0{{/catalog',
    },
    lookup: {
      detail: 'Looks up a key in an object (a catalog item, a map): {{#lookup item key as |value|}}{{value}}{{/lookup}}',
      guard: 'none', conditional: false, minParams: 2, localParams: true, snippet: 'lookup ${1:object} ${2:key} as |${3:value}|}}$0{{/lookup',
    },
  },
  inlineHelpers: {
    defaultIfEmpty: {
      detail: 'Shows the value, or a default when it is not set: {{defaultIfEmpty firstName "there"}}', fallback: true,
      snippet: 'defaultIfEmpty ${1:field} "${2:fallback}"',
    },
    capitalize: { detail: 'First letter of each word in capitals', snippet: 'capitalize ${1:field}' },
    capitalizeFirst: { detail: 'First letter in capitals', snippet: 'capitalizeFirst ${1:field}' },
    upper: { detail: 'All capitals', snippet: 'upper ${1:field}' },
    lower: { detail: 'All lower case', snippet: 'lower ${1:field}' },
    length: { detail: 'Number of characters or items', size: true, snippet: 'length ${1:field}' },
    substring: { detail: 'Part of the text, from a start index to an end index', snippet: 'substring ${1:field} ${2:0} ${3:1}' },
    abbreviate: { detail: 'Shortens the text to a width, ending with "..."', snippet: 'abbreviate ${1:field} ${2:20}' },
    cut: { detail: 'Removes every occurrence of a text', snippet: 'cut ${1:field} "${2: }"' },
    replace: { detail: 'Replaces every occurrence of a text', snippet: 'replace ${1:field} "${2:old}" "${3:new}"' },
    slugify: { detail: 'Lower case, letters and digits only, spaces to hyphens', snippet: 'slugify ${1:field}' },
    center: { detail: 'Pads the text on both sides to a width', snippet: 'center ${1:field} size=${2:20}' },
    join: { detail: 'Joins the items of a list with a separator', input: 'array', snippet: 'join ${1:list} "${2:, }"' },
    dateFormat: {
      detail: 'Formats a date with a Java pattern or style (short, medium, long, full): {{dateFormat date "MMMM d, yyyy" tz="America/New_York"}}',
      input: 'date', snippet: 'dateFormat ${1:date} "${2:MMMM d, yyyy}"',
    },
    now: { detail: 'The send time, formatted: {{now "yyyy"}}', snippet: 'now "${1:MMMM d, yyyy}"' },
    numberFormat: {
      detail: 'Formats a number with a pattern ("#,##0.00") or a style (integer, currency, percent)', input: 'number',
      snippet: 'numberFormat ${1:number} "${2:#,##0.00}"',
    },
    math: { detail: 'Arithmetic: {{math a "+" b}} (+ - * / %)', input: 'number', snippet: 'math ${1:number} "${2:+}" ${3:1}' },
    toJson: { detail: 'Writes the value as JSON', snippet: 'toJson ${1:field}' },
    toUrlEncodedJson: { detail: 'Writes the value as URL-encoded JSON', snippet: 'toUrlEncodedJson ${1:field}' },
    urlEncode: { detail: 'URL-encodes the value', snippet: 'urlEncode ${1:field}' },
    base64: { detail: 'Base64-encodes the value', snippet: 'base64 ${1:field}' },
    md5: { detail: 'MD5 hash of the value', snippet: 'md5 ${1:field}' },
    sha1: { detail: 'SHA-1 hash of the value', snippet: 'sha1 ${1:field}' },
    sha256: { detail: 'SHA-256 hash of the value', snippet: 'sha256 ${1:field}' },
    hmacSHA1: { detail: 'HMAC-SHA1 of the value with a key', snippet: 'hmacSHA1 ${1:field} "${2:key}"' },
    snippet: { detail: 'Inserts a reusable snippet by name', snippet: 'snippet "${1:name}"', include: 'snippet' },
    eq: test('True when the values are equal, in a condition: {{#if (eq a b)}}', 'equals', 'eq ${1:a} ${2:b}'),
    neq: test('True when the values differ', 'not-equals', 'neq ${1:a} ${2:b}'),
    gt: test('True when the first value is greater', 'greater', 'gt ${1:a} ${2:b}'),
    gte: test('True when the first value is greater or equal', 'greater', 'gte ${1:a} ${2:b}'),
    lt: test('True when the first value is smaller', 'none', 'lt ${1:a} ${2:b}'),
    lte: test('True when the first value is smaller or equal', 'none', 'lte ${1:a} ${2:b}'),
    and: test('True when every value is set', 'truthy', 'and ${1:a} ${2:b}'),
    or: test('True when any value is set', 'none', 'or ${1:a} ${2:b}'),
    not: test('True when the value is not set', 'none', 'not ${1:a}'),
  },
  sections: true,
  chainedElse: true,
  partials: false,
  systemTags: ITERABLE_SYSTEM_TAGS,
  fillConnected: fillDataFeeds,
  emptyValue: javaEmpty,
  platformValues: () => ({
    unsubscribeUrl: 'https://links.example/iterable/unsubscribe',
    unsubscribeMessageTypeUrl: 'https://links.example/iterable/unsubscribe-type',
    hostedUnsubscribeUrl: 'https://links.example/iterable/preferences',
    viewInBrowserUrl: 'https://links.example/iterable/view',
  }),
};


const completions = helperCompletions(ITERABLE_FLAVOR);

export const iterable: Dialect = {
  id: 'iterable',
  label: 'Iterable Handlebars',
  syntax: { ...BRACES, extensions: [], signature: /\{\{\{?\s*defaultIfEmpty\s|\{\{#(ifEq|ifContainsStr|ifMatchesRegexStr|ifGt|ifGte|ifLt|ifLte)\s/ },
  scan: (text) => scanWithDataFeeds(text, (masked) => scanHandlebars(masked, ITERABLE_FLAVOR)),
  ...handlebarsRendering(ITERABLE_FLAVOR, registerIterableHelpers),
  /** `{{x}}` becomes `{{defaultIfEmpty x "there"}}`, `{{capitalize x}}` becomes `{{defaultIfEmpty (capitalize x) "there"}}`. */
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output' || use.fallback !== null) return undefined;
    const shape = tagShape(text, use.tagSpan);
    if (!shape || shape.kind !== 'output') return undefined;
    const expression = text.slice(shape.contentStart, shape.contentEnd).trim();
    const inner = expression === use.written ? use.written : `(${expression})`;
    return replaceExpression(text, use, shape, `defaultIfEmpty ${inner} ${quoted(fallback)}`);
  },
  purposeDirective(purposeIds: string[]): string {
    return `{{!-- mergewise purpose: ${purposeIds.join(', ')} --}}`;
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,"): Iterable renders a field the profile lacks as empty text',
  filters: completions.filters,
  systemTags: ITERABLE_FLAVOR.systemTags,
  tags: completions.tags,
  helpersAfterOpener: true,
  filterInputs: helperInputs(ITERABLE_FLAVOR),
};
