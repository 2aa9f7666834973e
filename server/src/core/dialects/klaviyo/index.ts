/**
 * Klaviyo: Django templates. `{{ first_name|default:'there' }}`, `{% if %}`/`{% elif %}`,
 * `{% for %}…{% empty %}`, `{% with %}`, `person|lookup:'Property Name'`, and Klaviyo's own tags
 * (`{% unsubscribe %}`, `{% manage_preferences %}`, `{% web_view %}`, `{% currency_format price %}`).
 *
 * Klaviyo's `default` fires on any falsy value, not only a missing one: an order count of 0 or a
 * `False` flag shows the fallback too.
 */
import { formatDjangoDate } from '../common/format';
import { djangoDialect, type CompletionRow } from '../django/dialect';
import { truthy } from '../django/filters';
import type { DjangoFlavor } from '../django/flavor';
import { BRACES_AND_TAGS } from '../common/syntax';
import { KLAVIYO_SYSTEM_TAGS } from './system-tags';

const UNSUBSCRIBE_URL = 'https://manage.kmail-lists.com/subscriptions/unsubscribe';
const PREFERENCES_URL = 'https://manage.kmail-lists.com/subscriptions/manage';
const WEB_VIEW_URL = 'https://view.klaviyomail.com/';

export const klaviyoFlavor: DjangoFlavor = {
  id: 'klaviyo',
  platform: 'Klaviyo',
  rejects: 'Klaviyo reports a template error and will not send the email',
  jinja: false,
  blocks: { catalog: 'endcatalog', spaceless: 'endspaceless', autoescape: 'endautoescape' },
  verbatim: { comment: 'endcomment', verbatim: 'endverbatim' },
  standaloneTags: [
    'unsubscribe', 'unsubscribe_link', 'unsubscribe_url', 'manage_preferences', 'manage_preferences_link',
    'manage_preferences_url', 'web_view', 'web_view_link', 'web_view_url', 'current_year', 'today', 'now',
    'currency_format', 'coupon_code',
  ],
  unknownTagsAreErrors: true,
  otherTags: [],
  loopVariable: 'forloop',
  systemRoots: KLAVIYO_SYSTEM_TAGS.roots(),
  systemTags: KLAVIYO_SYSTEM_TAGS,
  // `{{ person.first_name }}` and `{{ first_name }}` are the same profile property; custom ones
  // (`person.Plan`, `person|lookup:'Favorite Service'`) are named by the property alone.
  normalizePath: (path) => (path.startsWith('person.') ? path.slice('person.'.length) : path),
  defaultReplaces: (value) => !truthy(value),
  booleanText: ['True', 'False'],
  renderTag(name, args) {
    const label = typeof args[0] === 'string' ? args[0] : undefined;
    switch (name) {
      case 'unsubscribe': return `<a href="${UNSUBSCRIBE_URL}">${label ?? 'Unsubscribe'}</a>`;
      case 'manage_preferences': return `<a href="${PREFERENCES_URL}">${label ?? 'Manage Preferences'}</a>`;
      case 'web_view': return `<a href="${WEB_VIEW_URL}">${label ?? 'View in browser'}</a>`;
      case 'unsubscribe_link': case 'unsubscribe_url': return UNSUBSCRIBE_URL;
      case 'manage_preferences_link': case 'manage_preferences_url': return PREFERENCES_URL;
      case 'web_view_link': case 'web_view_url': return WEB_VIEW_URL;
      case 'current_year': return String(new Date().getUTCFullYear());
      case 'today': case 'now': return formatDjangoDate(new Date(), label ?? 'N j, Y');
      // In the account's currency, which the preview cannot know: dollars stand in for it.
      case 'currency_format': return currencyText(args[0]);
      // Each recipient's own code, made at send time: a stand-in the preview says is one.
      case 'coupon_code': return `[${typeof args[0] === 'string' ? args[0] : 'coupon'} code]`;
      default: return '';
    }
  },
  systemValue: (path) => `(${path})`,
};

/** `{% currency_format price %}` as the preview shows it: `$1,234.50`, nothing for a missing or non-numeric value. */
function currencyText(value: unknown): string {
  const amount = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(amount) ? `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '';
}

const FILTERS: CompletionRow[] = [
  ['default', "Value to show when the property is missing or falsy: Klaviyo's default also replaces 0, False and empty text", "default:'${1:there}'"],
  ['lookup', "Reads a property whose name has spaces: person|lookup:'Favorite Color'", "lookup:'${1:Property Name}'"],
  ['title', 'Capitalizes Each Word'],
  ['capitalize', 'First letter upper case (alias capfirst)'],
  ['upper', 'All upper case'],
  ['lower', 'All lower case'],
  ['truncatechars', 'Shortens to a number of characters', 'truncatechars:${1:50}'],
  ['truncatewords', 'Shortens to a number of words', 'truncatewords:${1:10}'],
  ['striptags', 'Removes HTML tags'],
  ['date', "Formats a date (Django format): 'F j, Y' gives December 3, 2026", "date:'${1:F j, Y}'"],
  ['floatformat', 'Rounds a number to decimal places', 'floatformat:${1:2}'],
  ['add', 'Adds a number, or joins text', 'add:${1:1}'],
  ['append', 'Adds text at the end', "append:'${1}'"],
  ['join', 'Joins a list into text', "join:'${1:, }'"],
  ['length', 'Number of items or characters'],
  ['first', 'First item of a list'],
  ['last', 'Last item of a list'],
  ['slice', "Part of a list: slice:':3' keeps the first three", "slice:'${1::3}'"],
  ['pluralize', 'Adds s when the number is not 1', 'pluralize'],
  ['yesno', "Maps True/False/None to words: yesno:'yes,no,maybe'", "yesno:'${1:yes,no}'"],
  ['urlencode', 'Encodes for a URL'],
  ['base64_encode', 'Encodes as Base64 (for UTM parameters)'],
  ['round', 'Rounds a number', 'round:${1:0}'],
  ['abs', 'Absolute value'],
  ['at_least', 'At least this number', 'at_least:${1:0}'],
  ['at_most', 'At most this number', 'at_most:${1:10}'],
  ['default_if_none', 'Value to show only when the property is None', "default_if_none:'${1}'"],
];

const TAGS: CompletionRow[] = [
  ['if', 'Shows content when a condition holds', 'if ${1:condition} %}$0{% endif'],
  ['elif', 'Another condition, tried when the ones before were false', 'elif ${1:condition}'],
  ['for', 'Repeats content for each item; {% empty %} runs for an empty list', 'for ${1:item} in ${2:event.items} %}$0{% endfor'],
  ['with', 'Names a value for a block', 'with ${1:name}=${2:value} %}$0{% endwith'],
  ['comment', 'Text that never reaches the inbox', 'comment %}$0{% endcomment'],
  ['unsubscribe', 'Unsubscribe link (required in every email)', "unsubscribe '${1:Unsubscribe}'"],
  ['manage_preferences', 'Link to the preference page', 'manage_preferences'],
  ['web_view', 'Link to view the email in a browser', 'web_view'],
];

export const klaviyo = djangoDialect(klaviyoFlavor, {
  label: 'Django templates (Klaviyo)',
  syntax: { ...BRACES_AND_TAGS, extensions: [], signature: /\{%\s*(elif|with|empty|unsubscribe|manage_preferences|web_view)\b|\|lookup:|\{\{\s*person[.|]/ },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,")',
  filters: FILTERS,
  tags: TAGS,
  filterInputs: {
    date: 'date', time: 'date',
    floatformat: 'number', round: 'number', abs: 'number', at_least: 'number', at_most: 'number', ceil: 'number', floor: 'number',
    join: 'array', dictsort: 'array',
  },
  defaultFilter: (quoted) => `|default:${quoted}`,
});
