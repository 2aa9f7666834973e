import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, helperInputs, type HandlebarsFlavor } from '../handlebars/flavor';
import { handlebarsRendering } from '../handlebars/render';
import { scanHandlebars } from '../handlebars/scanner';
import { quoted, replaceExpression, tagShape, wrapInIf } from '../handlebars/tags';
import { registerSendGridHelpers } from './helpers';
import { BRACES } from '../common/syntax';
import { SENDGRID_SYSTEM_TAGS, withSubstitutionTags } from './system-tags';

/** What the preview shows for each unsubscribe-group tag (`<%asm_group_unsubscribe_raw_url%>`). */
const SUBSTITUTION_URLS: Record<string, string> = {
  asm_group_unsubscribe_raw_url: 'https://unsubscribe.example/sendgrid/group',
  asm_global_unsubscribe_raw_url: 'https://unsubscribe.example/sendgrid',
  asm_preferences_raw_url: 'https://preferences.example/sendgrid',
};

/**
 * SendGrid Dynamic Transactional Templates and Marketing Campaigns designs: the helpers its
 * "Using Handlebars" reference documents, and nothing more (no `with`, no sections, no partials).
 */
export const SENDGRID_FLAVOR: HandlebarsFlavor = {
  id: 'sendgrid',
  platform: 'SendGrid',
  refusal: 'SendGrid cannot render the template and the send fails',
  blockHelpers: {
    if: CORE_BLOCK_HELPERS.if,
    unless: CORE_BLOCK_HELPERS.unless,
    each: CORE_BLOCK_HELPERS.each,
    equals: {
      detail: 'Shows content when both values are equal (3 equals "3")', guard: 'equals', conditional: true, minParams: 2,
      snippet: 'equals ${1:field} "${2:value}"}}$0{{/equals',
    },
    notEquals: {
      detail: 'Shows content when the values differ', guard: 'not-equals', conditional: true, minParams: 2,
      snippet: 'notEquals ${1:field} "${2:value}"}}$0{{/notEquals',
    },
    greaterThan: {
      detail: 'Shows content when the first number is greater', guard: 'greater', conditional: true, minParams: 2,
      snippet: 'greaterThan ${1:field} ${2:0}}}$0{{/greaterThan',
    },
    lessThan: {
      detail: 'Shows content when the first number is smaller', guard: 'none', conditional: true, minParams: 2,
      snippet: 'lessThan ${1:field} ${2:10}}}$0{{/lessThan',
    },
    and: {
      detail: 'Shows content when every value is truthy (empty text and 0 are not)', guard: 'truthy', conditional: true, minParams: 2,
      snippet: 'and ${1:first} ${2:second}}}$0{{/and',
    },
    or: {
      detail: 'Shows content when any value is truthy', guard: 'none', conditional: true, minParams: 2,
      snippet: 'or ${1:first} ${2:second}}}$0{{/or',
    },
  },
  inlineHelpers: {
    insert: {
      detail: 'Shows the value, or a default when it is missing: {{insert name "default=Customer"}}', fallback: true,
      snippet: 'insert ${1:field} "default=${2:fallback}"',
    },
    formatDate: {
      detail: 'Formats an ISO 8601 or epoch time with moment.js tokens, optionally at an offset: {{formatDate date "MMMM D, YYYY" "-0800"}}',
      input: 'date', snippet: 'formatDate ${1:date} "${2:MM/DD/YYYY}"',
    },
    length: { detail: 'Number of characters or items (0 for anything else): (length cartItems)', size: true, snippet: 'length ${1:list}' },
  },
  sections: false,
  chainedElse: true,
  partials: false,
  systemTags: SENDGRID_SYSTEM_TAGS,
  // SendGrid's substitution tags are not Handlebars: the preview shows the addresses they stand for.
  toHandlebars: (text) => text.replace(/<%(asm_\w+)%>/g, (tag, name: string) => SUBSTITUTION_URLS[name] ?? tag),
  platformValues: () => ({
    unsubscribe: 'https://unsubscribe.example/sendgrid', unsubscribe_preferences: 'https://preferences.example/sendgrid',
    Sender_Name: 'Shearly', Sender_Address: '500 Market St', Sender_City: 'San Francisco', Sender_State: 'CA', Sender_Zip: '94105',
    Weblink: 'https://view.example/sendgrid',
  }),
};


const completions = helperCompletions(SENDGRID_FLAVOR);

export const sendgrid: Dialect = {
  id: 'sendgrid',
  label: 'SendGrid Handlebars',
  syntax: { ...BRACES, extensions: [], signature: /\{\{\{?\s*(insert|formatDate)\s|\{\{#(equals|notEquals|greaterThan|lessThan)\s|<%asm_\w+%>|\{\{\{\s*unsubscribe(_preferences)?\s*\}\}\}/ },
  scan: (text) => withSubstitutionTags(scanHandlebars(text, SENDGRID_FLAVOR), text),
  ...handlebarsRendering(SENDGRID_FLAVOR, registerSendGridHelpers),
  /** `{{x}}` becomes `{{insert x "default=there"}}`; other helpers are wrapped in `{{#if x}}…{{else}}there{{/if}}`. */
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output' || use.fallback !== null) return undefined;
    const shape = tagShape(text, use.tagSpan);
    if (!shape || shape.kind !== 'output') return undefined;
    const expression = text.slice(shape.contentStart, shape.contentEnd).trim();
    const value = quoted(`default=${fallback}`);
    if (expression === use.written || new RegExp(`^insert\\s+${escapeRegExp(use.written)}$`).test(expression)) {
      return replaceExpression(text, use, shape, `insert ${use.written} ${value}`);
    }
    return wrapInIf(text, use, fallback);
  },
  purposeDirective(purposeIds: string[]): string {
    return `{{!-- mergewise purpose: ${purposeIds.join(', ')} --}}`;
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,"): SendGrid renders a missing value as empty text',
  systemTags: SENDGRID_FLAVOR.systemTags,
  filters: completions.filters,
  tags: completions.tags,
  helpersAfterOpener: true,
  filterInputs: helperInputs(SENDGRID_FLAVOR),
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
