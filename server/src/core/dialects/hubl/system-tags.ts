/**
 * What HubSpot fills in itself in marketing emails, from its HubL variable reference: the account's
 * settings, the email's own content and settings (fonts, colours), the links HubSpot builds, and the
 * includes its coded email templates start with (`{{ standard_header_includes }}`,
 * `{{ dnd_area_stylesheet }}`). Recipient data is `contact.*`.
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
  { name: 'html_lang', description: 'The language of the content, for `<html lang="{{ html_lang }}">`.' },
  { name: 'html_lang_dir', description: 'The text direction attribute of the content\'s language (`dir="rtl"` for right-to-left ones), for `<html {{ html_lang_dir }}>`.' },
  { name: 'email_body_padding', description: 'The email\'s body padding, from its settings.' },
  { name: 'email_body_width', description: 'The email\'s body width, from its settings.' },
  { name: 'background_color', description: 'The email\'s background colour, from its settings.' },
  { name: 'body_border_color', description: 'The colour of the email body\'s border, from its settings.' },
  { name: 'body_border_color_choice', description: 'Whether the email body\'s border colour is set, from its settings.' },
  { name: 'body_border_width', description: 'The width of the email body\'s border, from its settings.' },
  { name: 'primary_font', description: 'The email\'s primary font, from its settings.' },
  { name: 'primary_font_color', description: 'The email\'s primary font colour, from its settings.' },
  { name: 'primary_font_size', description: 'The email\'s primary font size, from its settings.' },
  { name: 'primary_accent_color', description: 'The email\'s primary accent colour, from its settings.' },
  { name: 'secondary_font', description: 'The email\'s secondary font, from its settings.' },
  { name: 'secondary_font_color', description: 'The email\'s secondary font colour, from its settings.' },
  { name: 'secondary_font_size', description: 'The email\'s secondary font size, from its settings.' },
  { name: 'secondary_accent_color', description: 'The email\'s secondary accent colour, from its settings.' },
  ...[1, 2, 3, 4, 5, 6].map((n): SystemTag => ({ name: `color_picker_favorite${n}`, description: `Favourite colour ${n} of the email settings.` })),
  { name: 'subscription_confirmation_url', description: 'The link to the subscription confirmation page.' },
  { name: 'standard_header_includes', description: 'HubSpot\'s own code for the head of the template (required in coded templates).' },
  { name: 'standard_footer_includes', description: 'HubSpot\'s own code for the end of the body (required in coded templates).' },
  { name: 'email_header_includes', description: 'HubSpot\'s own code for the head of an email template.' },
  { name: 'reset_css_stylesheet', description: 'HubSpot\'s reset stylesheet for email templates.' },
  { name: 'dnd_area_stylesheet', description: 'The stylesheet of the email\'s drag-and-drop area (required in a coded email template with a `dnd_area`).' },
  { name: 'company_domain', description: 'The company domain from the account\'s branding settings.' },
  { name: 'local_time_zone', description: 'The account\'s time zone.' },
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
