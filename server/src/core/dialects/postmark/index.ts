import type { Dialect, FieldUse, TextEdit } from '../dialect';
import { CORE_BLOCK_HELPERS, helperCompletions, type HandlebarsFlavor } from '../handlebars/flavor';
import { isEmptyValue, handlebarsRendering, type HelperOptions } from '../handlebars/render';
import { scanHandlebars } from '../handlebars/scanner';
import { fallbackAsText } from '../common/quote';
import { tagShape } from '../handlebars/tags';
import { BRACES } from '../common/syntax';
import { POSTMARK_SYSTEM_TAGS } from './system-tags';

/**
 * Postmark's Mustachio: `{{x}}`, `{{{x}}}`, sections `{{#x}}…{{/x}}` that scope to `x` and show only
 * when it has a value, inverted sections `{{^x}}…{{/x}}`, `{{#each list}}`, `{{.}}` for the current
 * value and `../` for the outer scope. No helpers, no `{{else}}`, no `this`, and no lookup in outer
 * scopes without `../`. A tag holds no brace, so `{{x}` is text that reaches the inbox as it is.
 */
export const POSTMARK_FLAVOR: HandlebarsFlavor = {
  id: 'postmark',
  platform: 'Postmark',
  refusal: 'Postmark rejects the template when it is saved or sent',
  blockHelpers: { each: CORE_BLOCK_HELPERS.each },
  inlineHelpers: {},
  sections: true,
  chainedElse: false,
  partials: false,
  mustachio: true,
  systemTags: POSTMARK_SYSTEM_TAGS,
  platformValues: () => ({ 'pm:unsubscribe': 'https://unsubscribe.example/postmark' }),
};

const completions = helperCompletions(POSTMARK_FLAVOR);

export const postmark: Dialect = {
  id: 'postmark',
  label: 'Mustachio (Postmark)',
  syntax: { ...BRACES, extensions: ['.mustache'], signature: /\{\{\{?\s*pm:unsubscribe\b|\{\{\{\s*@content\s*\}\}\}/ },
  scan: (text) => scanHandlebars(text, POSTMARK_FLAVOR),
  ...handlebarsRendering(POSTMARK_FLAVOR, (env) => {
    // Mustachio shows a section when its value "exists": not null, false, 0, "" or an empty list or object.
    env.registerHelper('blockHelperMissing', function section(this: unknown, context: unknown, options: HelperOptions) {
      return mustachioExists(context) ? options.fn(context) : options.inverse(this);
    });
  }),
  /** `{{x}}` becomes `{{#x}}{{.}}{{/x}}{{^x}}there{{/x}}`: Mustachio has no default-value syntax. */
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output' || use.fallback !== null) return undefined;
    const shape = tagShape(text, use.tagSpan);
    if (!shape || shape.kind !== 'output' || text.slice(shape.contentStart, shape.contentEnd).trim() !== use.written) return undefined;
    const current = shape.raw ? '{{{.}}}' : '{{.}}';
    const literal = fallbackAsText(fallback, text, use.tagSpan.start);
    if (literal === undefined) return undefined;
    const name = use.written;
    return { span: use.tagSpan, newText: `{{#${name}}}${current}{{/${name}}}{{^${name}}}${literal}{{/${name}}}` };
  },
  purposeDirective(purposeIds: string[]): string {
    return `{{! mergewise purpose: ${purposeIds.join(', ')} }}`;
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,"): Mustachio writes nothing for a missing value',
  systemTags: POSTMARK_FLAVOR.systemTags,
  filters: completions.filters,
  tags: [
    ...completions.tags,
    { label: 'section', detail: 'Shows content only when the value has one, with the value as the scope: {{#x}}…{{/x}}', snippet: '${1:field}}}$0{{/${1:field}' },
    { label: 'inverted section', detail: 'Shows content only when the value is empty: {{^x}}…{{/x}}', snippet: '${1:field}}}$0{{/${1:field}' },
  ],
  helpersAfterOpener: true,
  filterInputs: {},
};

function mustachioExists(value: unknown): boolean {
  if (isEmptyValue(value) || value === 0) return false;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.keys(value).length > 0;
  return true;
}
