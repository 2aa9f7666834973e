import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, helperInputs, type HandlebarsFlavor } from './flavor';
import { handlebarsRendering, type HelperOptions } from './render';
import { scanHandlebars } from './scanner';
import { wrapInIf } from './tags';
import { BRACES } from '../common/syntax';
import { HANDLEBARS_SYSTEM_TAGS } from './system-tags';

/**
 * Plain Handlebars, as Amazon SES and Mailgun run it: the built-in helpers, plus Mailgun's `equal`.
 * Plain Handlebars has no default-value helper, so the fallback is `{{#if x}}{{x}}{{else}}there{{/if}}`.
 */
export const HANDLEBARS_FLAVOR: HandlebarsFlavor = {
  id: 'handlebars',
  platform: 'Handlebars (Amazon SES, Mailgun)',
  refusal: 'Amazon SES and Mailgun cannot render the template and send nothing',
  blockHelpers: {
    ...CORE_BLOCK_HELPERS,
    equal: {
      detail: 'Mailgun: shows content when both values are equal', guard: 'equals', conditional: true, minParams: 2,
      snippet: 'equal ${1:field} "${2:value}"}}$0{{/equal',
    },
  },
  inlineHelpers: {
    lookup: { detail: 'Reads a property by a computed name: {{lookup object key}}', snippet: 'lookup ${1:object} ${2:key}' },
  },
  sections: true,
  chainedElse: true,
  // handlebars.js, and the tools teams upload SES and Mailgun templates with, register partials
  // (`{{> footer}}`) and inline them before sending.
  partials: true,
  systemTags: HANDLEBARS_SYSTEM_TAGS,
  platformValues: () => ({ amazonSESUnsubscribeUrl: 'https://unsubscribe.example/ses' }),
};

const completions = helperCompletions(HANDLEBARS_FLAVOR);

export const handlebars: Dialect = {
  id: 'handlebars',
  label: 'Handlebars (Amazon SES, Mailgun)',
  syntax: { ...BRACES, extensions: ['.hbs', '.handlebars'], signature: /\{\{~?\s*[#/^!>]|\{\{\s*insert\s|\{\{\{\s*[\w@]/ },
  scan: (text) => scanHandlebars(text, HANDLEBARS_FLAVOR),
  ...handlebarsRendering(HANDLEBARS_FLAVOR, (env) => {
    env.registerHelper('equal', function equal(this: unknown, a: unknown, b: unknown, options: HelperOptions) {
      // Mailgun compares the values as text.
      return String(a ?? '') === String(b ?? '') ? options.fn(this) : options.inverse(this);
    });
  }),
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    return wrapInIf(text, use, fallback);
  },
  purposeDirective(purposeIds: string[]): string {
    return `{{!-- mergewise purpose: ${purposeIds.join(', ')} --}}`;
  },
  missingValueOutcome:
    'no email at all through Amazon SES, which fails the whole send (a Rendering Failure) when the template references a variable missing from the data; ' +
    'through Mailgun, nothing, leaving a gap in the copy (as in "Hi ,")',
  systemTags: HANDLEBARS_FLAVOR.systemTags,
  filters: completions.filters,
  tags: completions.tags,
  helpersAfterOpener: true,
  filterInputs: helperInputs(HANDLEBARS_FLAVOR),
};
