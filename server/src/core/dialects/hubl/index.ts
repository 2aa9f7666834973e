/**
 * HubSpot HubL (Jinja, run by Jinjava): `{{ contact.firstname|default('there') }}`,
 * `{{ personalization_token('contact.firstname', 'there') }}`, `{% if %}`/`{% elif %}`,
 * `{% for %}`, `{% set %}`, `{% unless %}`, and HubSpot's module tags, which are passed over.
 *
 * Jinjava's `default` replaces only a missing value (`default('x', true)` also replaces empty and
 * false ones); an unset contact property is missing, and so is an empty one in the sample data.
 */
import { djangoDialect, type CompletionRow } from '../django/dialect';
import { truthy } from '../django/filters';
import type { DjangoFlavor } from '../django/flavor';
import { BRACES_AND_TAGS } from '../common/syntax';
import { HUBL_SYSTEM_TAGS } from './system-tags';

const UNSUBSCRIBE_URL = 'https://hs-example.hubspot.example/hs/manage-preferences/unsubscribe';

export const hublFlavor: DjangoFlavor = {
  id: 'hubl',
  platform: 'HubSpot',
  rejects: 'HubSpot flags a HubL error and will not publish or send the email',
  jinja: true,
  blocks: {
    macro: 'endmacro', call: 'endcall', block: 'endblock', filter: 'endfilter', autoescape: 'endautoescape',
    dnd_area: 'end_dnd_area', dnd_section: 'end_dnd_section', dnd_column: 'end_dnd_column', dnd_row: 'end_dnd_row',
    dnd_module: 'end_dnd_module', require_css: 'end_require_css', require_js: 'end_require_js', require_head: 'end_require_head',
    module_block: 'end_module_block', widget_block: 'end_widget_block', widget_container: 'end_widget_container',
  },
  verbatim: { raw: 'endraw' },
  standaloneTags: ['module', 'include', 'import', 'from', 'extends', 'do', 'print', 'cycle', 'break', 'continue'],
  unknownTagsAreErrors: false,
  otherTags: [
    'boolean', 'choice', 'color', 'cta', 'custom_widget', 'email_can_spam', 'email_each', 'email_flex_area',
    'email_simple_subscription', 'email_subscriptions', 'email_subscriptions_confirmation', 'flip', 'follow_me', 'form',
    'gallery', 'global_module', 'global_partial', 'google_search', 'header', 'icon', 'image', 'image_slider', 'image_src',
    'include_dnd_partial', 'inline_rich_text', 'inline_text', 'language_switcher', 'linked_image', 'logo', 'menu',
    'page_footer', 'password_prompt', 'post_filter', 'post_listing', 'raw_html', 'related_blog_posts', 'rich_text',
    'rss_listing', 'section_header', 'simple_menu', 'social_sharing', 'space', 'style_settings', 'text', 'textarea',
    'video_player', 'widget_attribute', 'ifchanged', 'endifchanged',
  ],
  loopVariable: 'loop',
  systemRoots: HUBL_SYSTEM_TAGS.roots(),
  systemTags: HUBL_SYSTEM_TAGS,
  normalizePath: (path) => path,
  defaultReplaces: (value, args) => (args[0] === true ? !truthy(value) : value === undefined || value === null || value === ''),
  booleanText: ['true', 'false'],
  renderTag: () => '',
  systemValue(path) {
    if (path.startsWith('unsubscribe_link')) return UNSUBSCRIBE_URL;
    if (path === 'local_dt') return new Date();
    if (path === 'year') return new Date().getUTCFullYear();
    if (path === 'unsubscribe_anchor') return `<a href="${UNSUBSCRIBE_URL}">Unsubscribe</a>`;
    return `(${path})`;
  },
};

const FILTERS: CompletionRow[] = [
  ['default', "Value to show when the property is missing (add true to also replace empty and false values)", "default('${1:there}')"],
  ['datetimeformat', "Formats a date (strftime): '%B %e, %Y'", "datetimeformat('${1:%B %e, %Y}')"],
  ['format_date', "Formats a date: 'short', 'medium', 'long', or a pattern like 'MMMM d, yyyy'", "format_date('${1:long}')"],
  ['format_datetime', 'Formats a date and time', "format_datetime('${1:medium}')"],
  ['format_currency_value', "Formats money: format_currency_value(locale='en-US', currency='USD')", "format_currency_value(locale='${1:en-US}', currency='${2:USD}')"],
  ['capitalize', 'First letter upper case, the rest lower case'],
  ['title', 'Capitalizes Each Word'],
  ['upper', 'All upper case'],
  ['lower', 'All lower case'],
  ['truncate', 'Shortens to a number of characters', 'truncate(${1:50})'],
  ['striptags', 'Removes HTML tags'],
  ['replace', 'Replaces every occurrence', "replace('${1}', '${2}')"],
  ['trim', 'Removes surrounding whitespace'],
  ['join', 'Joins a list into text', "join('${1:, }')"],
  ['length', 'Number of items or characters'],
  ['first', 'First item of a list'],
  ['last', 'Last item of a list'],
  ['sort', 'Sorts a list'],
  ['unique', 'Removes duplicates from a list'],
  ['round', 'Rounds a number', 'round(${1:2})'],
  ['int', 'Converts to a whole number'],
  ['urlencode', 'Encodes for a URL'],
  ['escape', 'Escapes HTML'],
  ['personalization_token', "Function: a contact property with the account's default, personalization_token('contact.firstname', 'there')", "personalization_token('${1:contact.firstname}', '${2:there}')"],
  ['range', 'Function: the numbers 0 to n - 1', 'range(${1:3})'],
];

const TAGS: CompletionRow[] = [
  ['if', 'Shows content when a condition holds', 'if ${1:condition} %}$0{% endif'],
  ['elif', 'Another condition, tried when the ones before were false', 'elif ${1:condition}'],
  ['unless', 'Shows content unless a condition holds', 'unless ${1:condition} %}$0{% endunless'],
  ['for', 'Repeats content for each item', 'for ${1:item} in ${2:list} %}$0{% endfor'],
  ['set', 'Stores a value in a variable', 'set ${1:name} = ${2:value}'],
  ['raw', 'Outputs HubL syntax as text', 'raw %}$0{% endraw'],
  ['module', 'A HubSpot module', 'module "${1:name}" path="${2:@hubspot/rich_text}"'],
];

export const hubl = djangoDialect(hublFlavor, {
  label: 'HubL (HubSpot)',
  syntax: { ...BRACES_AND_TAGS, extensions: ['.hubl'], signature: /personalization_token\s*\(|\{%-?\s*(set|module|dnd_area|dnd_section|dnd_row|dnd_column|dnd_module|require_css)\s|\{\{[^}]*\bcontact\.\w|^\s*templateType:\s*\w/m },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,")',
  filters: FILTERS,
  tags: TAGS,
  filterInputs: {
    datetimeformat: 'date', format_date: 'date', format_datetime: 'date', format_time: 'date', date: 'date', unixtimestamp: 'date',
    round: 'number', abs: 'number', format_currency_value: 'number', format_number: 'number', divisible: 'number',
    join: 'array', sort: 'array', unique: 'array', map: 'array', sum: 'array', batch: 'array', groupby: 'array',
  },
  defaultFilter: (quoted) => `|default(${quoted})`,
});
