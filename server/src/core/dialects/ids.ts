/** Dialect ids, as used in `mergewise.json` (`dialect`, `templates`, `aliases`) and the JSON output. */
export const DIALECT_IDS = [
  'liquid',
  'handlebars',
  'sendgrid',
  'iterable',
  'postmark',
  'hml',
  'klaviyo',
  'hubl',
  'ampscript',
  'mailchimp',
  'marketo',
] as const;

export type DialectId = (typeof DIALECT_IDS)[number];

/**
 * Which platform runs a `handlebars` template (`mergewise.json`'s `"handlebars": {"flavor": …}`):
 * Amazon SES and Mailgun run plain Handlebars; Mailchimp Transactional (Mandrill) has helpers and
 * conditions of its own. A flavor, not a dialect: the id, aliases and output stay `handlebars`.
 */
export const HANDLEBARS_FLAVORS = ['ses', 'mailgun', 'mandrill'] as const;

export type HandlebarsFlavorId = (typeof HANDLEBARS_FLAVORS)[number];

/**
 * Which platform runs a `liquid` template (`mergewise.json`'s `"liquid": {"platform": …}`): Braze
 * (the default) or Shopify's notifications. The platform decides which names it fills in itself
 * (system tags, never unknown fields); the id, aliases and output stay `liquid`.
 */
export const LIQUID_PLATFORMS = ['braze', 'shopify'] as const;

export type LiquidPlatformId = (typeof LIQUID_PLATFORMS)[number];

export function isDialectId(value: unknown): value is DialectId {
  return typeof value === 'string' && (DIALECT_IDS as readonly string[]).includes(value);
}
