import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, type HandlebarsFlavor } from '../handlebars/flavor';
import { handlebarsRendering } from '../handlebars/render';
import { scanHandlebars } from '../handlebars/scanner';
import { wrapInIf } from '../handlebars/tags';
import { BRACES } from '../common/syntax';
import { HML_SYSTEM_TAGS } from './system-tags';

const MAX_DEPTH = 3;

/**
 * Salesforce Account Engagement (Pardot) Handlebars Merge Language: `{{Recipient.FirstName}}`,
 * `{{{Recipient.Company}}}` unescaped, and `{{#if}}` / `{{#unless}}` with `{{else}}` that only test
 * whether a field has a value, nested at most three deep. No loops, helpers, sections or `else if`.
 */
export const HML_FLAVOR: HandlebarsFlavor = {
  id: 'hml',
  platform: 'Account Engagement HML',
  refusal: 'Account Engagement will not save or send the email',
  blockHelpers: { if: CORE_BLOCK_HELPERS.if, unless: CORE_BLOCK_HELPERS.unless },
  inlineHelpers: {},
  sections: false,
  chainedElse: false,
  partials: false,
  maxConditionalDepth: MAX_DEPTH,
  plainConditionsOnly: true,
  systemTags: HML_SYSTEM_TAGS,
  platformValues: () => ({
    Current_Year: String(new Date().getFullYear()),
    View_Online: 'https://view.example/account-engagement',
    Unsubscribe: 'https://unsubscribe.example/account-engagement',
    EmailPreferenceCenter: 'https://preferences.example/account-engagement',
    Sender: { FirstName: 'Alex', LastName: 'Rivera', FullName: 'Alex Rivera', Title: 'Account executive', Email: 'alex@example.com' },
  }),
};

const completions = helperCompletions(HML_FLAVOR);

export const hml: Dialect = {
  id: 'hml',
  label: 'HML (Salesforce Account Engagement)',
  syntax: { ...BRACES, extensions: [], signature: /\{\{\{?\s*Recipient\.\w/ },
  scan: (text) => scanHandlebars(text, HML_FLAVOR),
  ...handlebarsRendering(HML_FLAVOR, () => undefined),
  /** `{{#if x}}{{x}}{{else}}there{{/if}}`, unless that would nest a fourth conditional. */
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (conditionalDepthAt(text, use.tagSpan.start) >= MAX_DEPTH) return undefined;
    return wrapInIf(text, use, fallback);
  },
  purposeDirective(purposeIds: string[]): string {
    return `{{!-- mergewise purpose: ${purposeIds.join(', ')} --}}`;
  },
  missingValueOutcome:
    'the default value set for the field in Account Engagement, or, when none is set, nothing, leaving a gap in the copy (as in "Hi ,")',
  systemTags: HML_FLAVOR.systemTags,
  filters: completions.filters,
  tags: completions.tags,
  helpersAfterOpener: true,
  filterInputs: {},
};

/** How many `{{#if}}` / `{{#unless}}` blocks are open at `offset`. */
function conditionalDepthAt(text: string, offset: number): number {
  const tags = /\{\{~?\s*([#/])(if|unless)\b/g;
  let depth = 0;
  for (let match = tags.exec(text); match && match.index < offset; match = tags.exec(text)) {
    depth = Math.max(0, depth + (match[1] === '#' ? 1 : -1));
  }
  return depth;
}
