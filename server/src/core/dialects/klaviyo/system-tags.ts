/**
 * What Klaviyo fills in itself, from its template-tag reference: the account's organization details
 * (`{{ organization.name }}`) and the tags that build its links (`{% unsubscribe %}`).
 */
import { SystemTags, type SystemTag } from '../common/system-tags';

const NOW = 'The date and time of the send (`{% now %}`, or a value to format: `{{ now|date:\'%Y\' }}`).';

const ENTRIES: SystemTag[] = [
  { name: 'organization.name', description: 'The organization name from the account settings.' },
  { name: 'organization.full_address', description: 'The organization\'s postal address from the account settings, on one line.' },
  { name: 'organization.url', description: 'The organization\'s website from the account settings.' },
  { name: 'organization.', prefix: true, example: 'organization.phone', description: 'A detail of the organization from the account settings.' },
  { name: 'unsubscribe', tag: true, description: 'A link to unsubscribe (its text, "Unsubscribe" unless given: `{% unsubscribe \'Stop\' %}`).' },
  { name: 'unsubscribe_link', tag: true, description: 'The unsubscribe address, for your own link.' },
  { name: 'unsubscribe_url', tag: true, description: 'The unsubscribe address, for your own link.' },
  { name: 'manage_preferences', tag: true, description: 'A link to the subscriber\'s preference page.' },
  { name: 'manage_preferences_link', tag: true, description: 'The preference page\'s address, for your own link.' },
  { name: 'manage_preferences_url', tag: true, description: 'The preference page\'s address, for your own link.' },
  { name: 'web_view', tag: true, description: 'A link to the email\'s web version.' },
  { name: 'web_view_link', tag: true, description: 'The web version\'s address, for your own link.' },
  { name: 'web_view_url', tag: true, description: 'The web version\'s address, for your own link.' },
  { name: 'currency_format', tag: true, description: 'A price in the account\'s currency: `{% currency_format event.value|floatformat:2 %}`.' },
  { name: 'coupon_code', tag: true, description: 'A unique code from a coupon set up in Klaviyo, one per recipient: `{% coupon_code \'WELCOME10\' %}`.' },
  { name: 'catalog_item.', prefix: true, example: 'catalog_item.title', description: 'The catalog item `{% catalog event.ProductID %}…{% endcatalog %}` looked up (its `title`, `url`, `price`, `featured_image`…): the catalog\'s data, not the recipient\'s.' },
  { name: 'current_year', tag: true, description: 'The year of the send.' },
  { name: 'today', tag: true, description: 'The date of the send (`{% today \'%B %d\' %}` formats it).' },
  { name: 'now', tag: true, description: NOW },
  // Also a value: `{{ now|date:'%Y' }}`.
  { name: 'now', description: NOW },
];

export const KLAVIYO_SYSTEM_TAGS = new SystemTags('Klaviyo', ENTRIES);
