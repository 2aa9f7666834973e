import type { CompletionEntry, TemplateScan } from '../dialect';
import type { DialectId } from '../ids';
import type { SystemTags } from '../common/system-tags';
import { ownValue } from '../../own-value';

/**
 * What a block or a condition helper tells about its values when its main branch runs:
 * - `truthy`: every value has one (`#if`, `#with`, `#and`, a `{{#x}}` section);
 * - `falsy`: the `{{else}}` branch runs only when the value has one (`#unless`, `{{^x}}`);
 * - `equals`: equal to a non-empty literal (`#equals x "gold"`, `#ifEq`);
 * - `not-equals`: different from an empty literal (`#notEquals x ""`);
 * - `greater`: the first value is above a literal (`#greaterThan`, `#ifGt`);
 * - `contains`: the first value contains a non-empty literal (`#ifContainsStr`);
 * - `none`: nothing (`#or`, `#lessThan`).
 */
export type GuardRule = 'truthy' | 'falsy' | 'equals' | 'not-equals' | 'greater' | 'contains' | 'none';

export interface BlockHelper {
  detail: string;
  guard: GuardRule;
  /** `each` loops over its first value; `with` makes its first value the context. */
  scope?: 'each' | 'with';
  /** Counts towards the platform's nesting limit for conditionals (Account Engagement: 3). */
  conditional: boolean;
  /** Values it needs, at least. */
  minParams: number;
  /** Snippet after `{{#`, closing tag included up to its final `}}`. */
  snippet?: string;
  /**
   * `{{#assign "name"}}…{{/assign}}` (handlebars.java, so Iterable): sets the variable its first value
   * names to the block's rendered content, for the rest of the template; `{{name}}` after it is that
   * variable, not a recipient field.
   */
  assigns?: boolean;
  /** Its block params (`{{#catalog "Products" id as |product|}}`) stand for what the platform looks up, not recipient fields. */
  localParams?: boolean;
}

export interface InlineHelper {
  detail: string;
  /** Snippet after `{{`. */
  snippet?: string;
  /** Shows its second value when the first is empty: SendGrid's `insert`, Iterable's `defaultIfEmpty`. */
  fallback?: boolean;
  /** Used in a condition (as `(eq a b)`), what it tells about its values. */
  guard?: GuardRule;
  /** Returns the size of its value (`length`): a size above 0 means the value is not empty. */
  size?: boolean;
  /** The kind of value the first parameter must be, for `type-mismatch`. */
  input?: 'date' | 'number' | 'array';
  /** Pulls in the reusable content its first value names, passing it the other values (Iterable's `snippet`). */
  include?: 'snippet';
  /** The application's own (`handlebars.helpers`): called inline, it changes its first value, though it may be a block too. */
  own?: boolean;
}

/** One platform's variant of Handlebars: the shared scanner and renderer are driven by it. */
export interface HandlebarsFlavor {
  id: DialectId;
  /** "SendGrid", "Amazon SES and Mailgun": used in messages. */
  platform: string;
  /** What happens to the send when the template cannot be parsed, ending a sentence. */
  refusal: string;
  blockHelpers: Record<string, BlockHelper>;
  inlineHelpers: Record<string, InlineHelper>;
  /** `{{#path}}…{{/path}}` and `{{^path}}…{{/path}}` sections. */
  sections: boolean;
  /** `{{else if …}}` and other chained `{{else helper …}}`. */
  chainedElse: boolean;
  partials: boolean;
  /** Largest number of nested conditionals the platform accepts. */
  maxConditionalDepth?: number;
  /** Conditionals may only test one field for a value (Account Engagement). */
  plainConditionsOnly?: boolean;
  /** Postmark's Mustachio: no helpers but `#each`, `.` for the current value, `../` for the parent scope. */
  mustachio?: boolean;
  /**
   * Mailchimp Transactional: a condition may be a comparison in backticks (``{{#if `purchases > 3`}}``,
   * ``{{elseif `plan == "gold"`}}``), and `{{elseif …}}` chains like `{{else if …}}`.
   */
  backtickConditions?: boolean;
  /** The template as handlebars.js reads it, for the parser's confirmation and the preview (a platform's own syntax rewritten). */
  toHandlebars?(text: string): string;
  /**
   * For the preview: the instrumented template with the platform's own reads of connected data (Iterable's
   * `[[field]]`) turned into the renderer's `mw_connected N` (an output, marked) or `(mw_connected_value N)`
   * (a value in a tag), N indexing `scan.connected.uses`.
   */
  fillConnected?(instrumented: string, scan: TemplateScan): string;
  /** Names the platform fills in itself (unsubscribe links, sender details): not recipient data. From `<dialect>/system-tags.ts`. */
  systemTags: SystemTags;
  /** What the platform counts as empty, for telling a fallback from a value in previews (default: nothing, "", false, []). */
  emptyValue?(value: unknown): boolean;
  /** Placeholder values for platform tags in previews. */
  platformValues?(): Record<string, unknown>;
}

export function helperCompletions(flavor: HandlebarsFlavor): { filters: CompletionEntry[]; tags: CompletionEntry[] } {
  return {
    filters: Object.entries(flavor.inlineHelpers).map(([label, helper]) => ({ label, detail: helper.detail, snippet: helper.snippet ?? label })),
    tags: Object.entries(flavor.blockHelpers).map(([label, helper]) => ({
      label,
      detail: helper.detail,
      snippet: helper.snippet ?? `${label} \${1:value}}}$0{{/${label}`,
    })),
  };
}

/** The flavor's helper of a name the template wrote. */
export function inlineHelper(flavor: HandlebarsFlavor, name: string): InlineHelper | undefined {
  return ownValue(flavor.inlineHelpers, name);
}

export function blockHelper(flavor: HandlebarsFlavor, name: string): BlockHelper | undefined {
  return ownValue(flavor.blockHelpers, name);
}

export function helperInputs(flavor: HandlebarsFlavor): Record<string, 'date' | 'number' | 'array'> {
  const inputs: Record<string, 'date' | 'number' | 'array'> = {};
  for (const [name, helper] of Object.entries(flavor.inlineHelpers)) if (helper.input) inputs[name] = helper.input;
  return inputs;
}

/** The Handlebars built-ins, as most platforms keep them. */
export const CORE_BLOCK_HELPERS: Record<string, BlockHelper> = {
  if: { detail: 'Shows content when the value is not empty', guard: 'truthy', conditional: true, minParams: 1, snippet: 'if ${1:value}}}$0{{/if' },
  unless: { detail: 'Shows content when the value is empty', guard: 'falsy', conditional: true, minParams: 1, snippet: 'unless ${1:value}}}$0{{/unless' },
  each: { detail: 'Repeats content for each item of a list ({{this}}, {{@index}})', guard: 'truthy', scope: 'each', conditional: false, minParams: 1, snippet: 'each ${1:list}}}$0{{/each' },
  with: { detail: 'Makes a value the context of its content', guard: 'truthy', scope: 'with', conditional: false, minParams: 1, snippet: 'with ${1:value}}}$0{{/with' },
};
