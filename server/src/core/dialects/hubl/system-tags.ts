/**
 * What HubSpot fills in itself in marketing emails, from its HubL variable reference: the account's
 * settings, the email's own content and the links HubSpot builds. Recipient data is `contact.*`.
 */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'unsubscribe_link', description: 'The link to unsubscribe from this email\'s subscription type.' },
  { name: 'unsubscribe_link_all', description: 'The link to unsubscribe from all email.' },
  { name: 'unsubscribe_anchor', description: 'An anchor tag linking to the unsubscribe page.' },
  { name: 'unsubscribe_section', description: 'The unsubscribe section of the footer (links to manage preferences and unsubscribe).' },
  { name: 'view_as_page_url', description: 'The link to the email\'s web version.' },
  { name: 'view_as_page_section', description: 'The "view as web page" section of the email.' },
  { name: 'subscription_name', description: 'The name of the email\'s subscription type.' },
  { name: 'local_dt', description: 'The date and time of the send, in the account\'s time zone.' },
  { name: 'year', description: 'The year of the send.' },
  { name: 'email_body_padding', description: 'The email\'s body padding, from its settings.' },
  { name: 'email_body_width', description: 'The email\'s body width, from its settings.' },
  { name: 'portal_id', description: 'The id of the HubSpot account.' },
  { name: 'hub_id', description: 'The id of the HubSpot account.' },
  { name: 'site_settings.', prefix: true, example: 'site_settings.company_name', description: 'An account setting: `site_settings.company_name`, `company_street_address_1`, `company_city`, `office_location_name`….' },
  { name: 'content.', prefix: true, example: 'content.subject', description: 'A detail of this email: `content.subject`, `content.name`, `content.from_name`, `content.reply_to`….' },
  { name: 'request.', prefix: true, example: 'request.query_dict', description: 'The request the content is viewed through (web versions).' },
  { name: 'brand_settings.', prefix: true, example: 'brand_settings.primaryColor', description: 'The account\'s brand kit: logo, colors, fonts.' },
  { name: 'theme.', prefix: true, example: 'theme.colors', description: 'The theme\'s settings.' },
  { name: 'module.', prefix: true, example: 'module.heading', description: 'A module parameter: the value of one of the current module\'s fields, set in the editor when the email is built, the same for every recipient.' },
  { name: 'widget.', prefix: true, example: 'widget.body', description: 'A field of the current module (older templates).' },
  { name: 'widget_data.', prefix: true, example: 'widget_data.header', description: 'The modules\' values, set in the editor.' },
  { name: 'template_translations.', prefix: true, example: 'template_translations.unsubscribe', description: 'The template\'s translated strings.' },
];

export const HUBL_SYSTEM_TAGS = new SystemTags('HubSpot', ENTRIES);
