import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, helperInputs, type BlockHelper, type HandlebarsFlavor, type InlineHelper } from './flavor';
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

/** Plain Handlebars driven by `flavor`: the built-in one, or one with the application's own helpers. */
function plainHandlebars(flavor: HandlebarsFlavor, ownHelpers: readonly string[]): Dialect {
  const completions = helperCompletions(flavor);
  return {
    id: 'handlebars',
    label: 'Handlebars (Amazon SES, Mailgun)',
    syntax: { ...BRACES, extensions: ['.hbs', '.handlebars'], signature: /\{\{~?\s*[#/^!>]|\{\{\s*insert\s|\{\{\{\s*[\w@]/ },
    scan: (text) => scanHandlebars(text, flavor),
    ...handlebarsRendering(flavor, (env) => {
      env.registerHelper('equal', function equal(this: unknown, a: unknown, b: unknown, options: HelperOptions) {
        // Mailgun compares the values as text.
        return String(a ?? '') === String(b ?? '') ? options.fn(this) : options.inverse(this);
      });
      // What the application's helpers do is its own code: the preview shows an inline one's first
      // value as it is, and a block's main content.
      for (const name of ownHelpers) {
        env.registerHelper(name, function ownHelper(this: unknown, ...args: unknown[]) {
          const options = args[args.length - 1] as HelperOptions;
          return typeof options.fn === 'function' ? options.fn(this) : args.length > 1 ? args[0] : '';
        });
      }
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
    systemTags: flavor.systemTags,
    filters: completions.filters,
    tags: completions.tags,
    helpersAfterOpener: true,
    filterInputs: helperInputs(flavor),
  };
}

export const handlebars: Dialect = plainHandlebars(HANDLEBARS_FLAVOR, []);

const OWN_HELPER: InlineHelper = { detail: 'The application\'s own helper (handlebars.helpers in mergewise.json)', own: true };
const OWN_BLOCK_HELPER: BlockHelper = { detail: OWN_HELPER.detail, guard: 'none', conditional: true, minParams: 0 };
const withOwnHelpers = new Map<string, Dialect>();

/**
 * Plain Handlebars for an application that registers helpers of its own (`handlebars.helpers`):
 * each may be called inline (its values are uses, as a filter's) or as a block (a conditional that
 * tells nothing about its values). One dialect per list of names.
 */
export function handlebarsWithHelpers(names: readonly string[]): Dialect {
  const key = names.join('\0');
  let dialect = withOwnHelpers.get(key);
  if (!dialect) {
    const flavor: HandlebarsFlavor = {
      ...HANDLEBARS_FLAVOR,
      inlineHelpers: { ...HANDLEBARS_FLAVOR.inlineHelpers, ...Object.fromEntries(names.map((name) => [name, OWN_HELPER])) },
      blockHelpers: { ...HANDLEBARS_FLAVOR.blockHelpers, ...Object.fromEntries(names.map((name) => [name, OWN_BLOCK_HELPER])) },
    };
    withOwnHelpers.set(key, (dialect = plainHandlebars(flavor, names)));
  }
  return dialect;
}
