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

export function isDialectId(value: unknown): value is DialectId {
  return typeof value === 'string' && (DIALECT_IDS as readonly string[]).includes(value);
}
