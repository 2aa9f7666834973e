import type { CompletionEntry, Dialect, FieldUse, TextEdit } from '../dialect';
import { enclosingQuote, quoteWithoutEscapes } from '../common/quote';
import { prepareLiquid, renderLiquid } from './render';
import { scanLiquid } from './scanner';
import { LIQUID_SYSTEM_TAGS, SHOPIFY_SYSTEM_TAGS, withSystemUses } from './system-tags';
import { BRACES_AND_TAGS } from '../common/syntax';

const FILTERS: [string, string, string?][] = [
  ['default', 'Value to show when the field is empty', "default: '${1:fallback}'"],
  ['append', 'Adds text at the end', "append: '${1}'"],
  ['prepend', 'Adds text at the start', "prepend: '${1}'"],
  ['capitalize', 'First letter upper case'],
  ['upcase', 'All upper case'],
  ['downcase', 'All lower case'],
  ['strip', 'Removes surrounding whitespace'],
  ['truncate', 'Shortens to a number of characters', 'truncate: ${1:50}'],
  ['truncatewords', 'Shortens to a number of words', 'truncatewords: ${1:10}'],
  ['replace', 'Replaces every occurrence', "replace: '${1}', '${2}'"],
  ['remove', 'Removes every occurrence', "remove: '${1}'"],
  ['split', 'Splits text into a list', "split: '${1:,}'"],
  ['join', 'Joins a list into text', "join: '${1:, }'"],
  ['first', 'First item of a list'],
  ['last', 'Last item of a list'],
  ['size', 'Number of items or characters'],
  ['sort', 'Sorts a list'],
  ['uniq', 'Removes duplicates from a list'],
  ['map', 'Takes one property of each item', "map: '${1:title}'"],
  ['where', 'Keeps items whose property matches', "where: '${1:property}', '${2:value}'"],
  ['date', 'Formats a date (strftime)', "date: '${1:%B %-d, %Y}'"],
  ['plus', 'Adds a number', 'plus: ${1:1}'],
  ['minus', 'Subtracts a number', 'minus: ${1:1}'],
  ['times', 'Multiplies', 'times: ${1:2}'],
  ['divided_by', 'Divides', 'divided_by: ${1:2}'],
  ['round', 'Rounds a number', 'round: ${1:2}'],
  ['abs', 'Absolute value'],
  ['escape', 'Escapes HTML'],
  ['url_encode', 'Encodes for a URL'],
  ['strip_html', 'Removes HTML tags'],
  ['newline_to_br', 'Turns line breaks into <br>'],
  ['money', 'Braze: formats a number as money'],
  ['number_with_delimiter', 'Braze: 12,345'],
  ['time_zone', 'Braze: converts a time to a zone', "time_zone: '${1:America/New_York}'"],
  ['url_param_escape', 'Braze: escapes a URL parameter'],
];

const TAGS: [string, string, string][] = [
  ['if', 'Shows content when a condition holds', 'if ${1:condition} %}$0{% endif'],
  ['unless', 'Shows content unless a condition holds', 'unless ${1:condition} %}$0{% endunless'],
  ['case', 'Chooses content by value', "case ${1:value} %}{% when '${2}' %}$0{% endcase"],
  ['for', 'Repeats content for each item', 'for ${1:item} in ${2:list} %}$0{% endfor'],
  ['assign', 'Stores a value in a variable', 'assign ${1:name} = ${2:value}'],
  ['capture', 'Stores rendered content in a variable', 'capture ${1:name} %}$0{% endcapture'],
  ['comment', 'Text that never reaches the inbox', 'comment %}$0{% endcomment'],
  ['raw', 'Outputs Liquid syntax as text', 'raw %}$0{% endraw'],
  ['abort_message', 'Braze: stops the send for this recipient', "abort_message('${1:reason}')"],
  ['connected_content', 'Braze: fetches JSON from a URL', 'connected_content ${1:url} :save ${2:result}'],
];


export const liquid: Dialect = {
  id: 'liquid',
  label: 'Liquid (Braze, Customer.io, Shopify)',
  // `{{ x }}` alone is every braces dialect's: a file with only that is Liquid by default, not
  // recognised as it. A filter in an output (`{{ x | upcase }}`) is no Handlebars (whose `|` only
  // closes a block's parameters, in a tag that opens with `#`).
  syntax: { ...BRACES_AND_TAGS, extensions: ['.liquid'], signature: /\{%|\{\{-?\s*[\w$.[\]'"]+\s*\|\s*\w/ },
  scan: (text) => withSystemUses(scanLiquid(text), LIQUID_SYSTEM_TAGS),
  systemTags: LIQUID_SYSTEM_TAGS,
  render: renderLiquid,
  prepareRender: prepareLiquid,
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output' && use.context !== 'assign') return undefined;
    const literal = quoteWithoutEscapes(fallback, enclosingQuote(text, use.tagSpan.start));
    return literal === undefined ? undefined : { span: { start: use.span.end, end: use.span.end }, newText: ` | default: ${literal}` };
  },
  purposeDirective(purposeIds: string[]): string {
    return `{% comment %}mergewise purpose: ${purposeIds.join(', ')}{% endcomment %}`;
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,")',
  filters: FILTERS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet: snippet ?? label })),
  filterInputs: {
    date: 'date', time_zone: 'date',
    plus: 'number', minus: 'number', times: 'number', divided_by: 'number', modulo: 'number', round: 'number',
    ceil: 'number', floor: 'number', abs: 'number', at_least: 'number', at_most: 'number', money: 'number',
    number_with_delimiter: 'number',
    join: 'array', map: 'array', where: 'array', sort: 'array', sort_natural: 'array', uniq: 'array',
    compact: 'array', concat: 'array', reverse: 'array', sum: 'array',
  },
  tags: TAGS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
};

/**
 * The `liquid` dialect for Shopify's notification templates (`"liquid": {"platform": "shopify"}` in
 * mergewise.json): the same syntax, with the names Shopify fills in (`shop.name`, `email_title`) as
 * system tags rather than Braze's.
 */
export const shopifyLiquid: Dialect = {
  ...liquid,
  label: 'Liquid (Shopify)',
  scan: (text) => withSystemUses(scanLiquid(text), SHOPIFY_SYSTEM_TAGS),
  systemTags: SHOPIFY_SYSTEM_TAGS,
};
