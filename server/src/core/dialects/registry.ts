import type { Dialect } from './dialect';
import type { DialectId } from './ids';
import { handlebars } from './handlebars';
import { hml } from './hml';
import { iterable } from './iterable';
import { liquid } from './liquid';
import { postmark } from './postmark';
import { sendgrid } from './sendgrid';
import { klaviyo } from './klaviyo';
import { hubl } from './hubl';
import { ampscript } from './ampscript';
import { mailchimp } from './mailchimp';
import { marketo } from './marketo';

/**
 * Every dialect, by id: the compiler checks that each id of ids.ts has one. Adding a platform means
 * adding it here, and nothing in the rules.
 */
const DIALECTS: Record<DialectId, Dialect> = {
  liquid,
  // The Handlebars family: one shared scanner and renderer, one flavor per platform.
  handlebars,
  sendgrid,
  iterable,
  postmark,
  hml,
  // Django style: one shared parser and renderer, one flavor per platform.
  klaviyo,
  hubl,
  ampscript,
  mailchimp,
  marketo,
};

export function getDialect(id: DialectId): Dialect {
  return DIALECTS[id];
}

export function implementedDialects(): Dialect[] {
  return Object.values(DIALECTS);
}
