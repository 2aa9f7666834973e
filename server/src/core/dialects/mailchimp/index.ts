/**
 * Mailchimp merge tags: `*|FNAME|*`, `*|IF:FNAME|*…*|ELSE:|*…*|END:IF|*`, `*|IFNOT:FNAME|*`,
 * `*|ELSEIF:PLAN=trial|*`, modifiers (`*|TITLE:FNAME|*`) and Mailchimp's own tags.
 *
 * Mailchimp has no fallback inside a tag: a field shows the audience's "default merge value" when
 * it is empty. Mergewise takes that default from the schema's `fallback` (`schemaFallbacks`), so a
 * field with one needs nothing more, and the quick fix writes a conditional.
 */
import type { CompletionEntry, Dialect, FieldUse, TextEdit } from '../dialect';
import { htmlPurposeDirective } from '../common/html-comments';
import { renderMailchimp } from './render';
import { scanMailchimp } from './scanner';
import { MAILCHIMP_SYSTEM_TAGS } from './system-tags';

const MODIFIERS: [string, string, string][] = [
  ['TITLE', 'Capitalizes Each Word: *|TITLE:FNAME|*', 'TITLE:${1:FNAME}'],
  ['UPPER', 'All upper case: *|UPPER:FNAME|*', 'UPPER:${1:FNAME}'],
  ['LOWER', 'All lower case: *|LOWER:FNAME|*', 'LOWER:${1:FNAME}'],
  ['HTML', 'Outputs the value without escaping HTML', 'HTML:${1:FNAME}'],
  ['URL', 'Encodes the value for a link', 'URL:${1:EMAIL}'],
];

const TAGS: [string, string, string][] = [
  ['IF', 'Shows content when a field has a value, or equals one', 'IF:${1:FNAME}|*$0*|END:IF'],
  ['IF…ELSE', 'Content for those with a value, and for those without', 'IF:${1:FNAME}|*$2*|ELSE:|*${3:there}*|END:IF'],
  ['IFNOT', 'Shows content when a field has no value', 'IFNOT:${1:FNAME}|*$0*|END:IF'],
  ['ELSEIF', 'Another condition', 'ELSEIF:${1:FNAME}=${2:value}'],
  ['ELSE', 'Content when no condition held', 'ELSE:'],
  ['END:IF', 'Ends a conditional', 'END:IF'],
  ['UNSUB', 'Unsubscribe link (required)', 'UNSUB'],
  ['UPDATE_PROFILE', 'Link to update preferences', 'UPDATE_PROFILE'],
  ['ARCHIVE', 'Link to the web version', 'ARCHIVE'],
  ['LIST:COMPANY', "The audience's company name", 'LIST:COMPANY'],
  ['LIST:ADDRESS', "The audience's postal address", 'LIST:ADDRESS'],
  ['HTML:LIST_ADDRESS_HTML', 'The postal address as HTML', 'HTML:LIST_ADDRESS_HTML'],
  ['CURRENT_YEAR', 'The current year', 'CURRENT_YEAR'],
  ['DATE', 'Today, formatted (PHP date format)', 'DATE:${1:F j, Y}'],
];

export const mailchimp: Dialect = {
  id: 'mailchimp',
  label: 'Mailchimp merge tags',
  syntax: { extensions: [], signature: /\*\|[A-Z0-9_:]+\|\*/, openers: ['*|'], closers: ['|*'], rawSyntax: /\*\|[A-Z0-9_:]*\|\*/ },
  scan: scanMailchimp,
  render: renderMailchimp,
  schemaFallbacks: true,
  systemTags: MAILCHIMP_SYSTEM_TAGS,
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output') return undefined;
    const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
    return { span: use.tagSpan, newText: `*|IF:${use.written}|*${tag}*|ELSE:|*${fallback.replace(/\*\||\|\*/g, '')}*|END:IF|*` };
  },
  purposeDirective: htmlPurposeDirective,
  missingValueOutcome:
    'the default merge value set for the field in the audience, or nothing when there is none (as in "Hi ,"); ' +
    'a merge tag the audience does not have is sent as raw `*|TAG|*` text',
  filters: MODIFIERS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
  tags: TAGS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
  helpersAfterOpener: true,
  filterInputs: {},
};
