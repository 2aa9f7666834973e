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

/** Every implemented dialect. Adding a platform means adding it here, and nothing in the rules. */
const DIALECTS = new Map<DialectId, Dialect>([
  [liquid.id, liquid],
  // The Handlebars family: one shared scanner and renderer, one flavor per platform.
  [handlebars.id, handlebars],
  [sendgrid.id, sendgrid],
  [iterable.id, iterable],
  [postmark.id, postmark],
  [hml.id, hml],
  // Django style: one shared parser and renderer, one flavor per platform.
  [klaviyo.id, klaviyo],
  [hubl.id, hubl],
  [ampscript.id, ampscript],
  [mailchimp.id, mailchimp],
  [marketo.id, marketo],
]);

export function getDialect(id: DialectId): Dialect | undefined {
  return DIALECTS.get(id);
}

export function implementedDialects(): Dialect[] {
  return [...DIALECTS.values()];
}
