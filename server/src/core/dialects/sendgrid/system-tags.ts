/**
 * What SendGrid fills in itself, from its Marketing Campaigns and unsubscribe-group references: the
 * sender's details and the links SendGrid builds, written `{{{unsubscribe}}}`, and the substitution
 * tags of unsubscribe groups (`<%asm_group_unsubscribe_raw_url%>`), written as tags.
 */
import type { TemplateScan } from '../dialect';
import { SystemTags, type SystemTag, type SystemUse } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'unsubscribe', description: 'Marketing Campaigns: the link to unsubscribe.' },
  { name: 'unsubscribe_preferences', description: 'Marketing Campaigns: the link to the recipient\'s unsubscribe preferences.' },
  { name: 'Weblink', description: 'Marketing Campaigns: the link to the email\'s web version.' },
  { name: 'Sender_Name', description: 'Marketing Campaigns: the name of the sender chosen for the send.' },
  { name: 'Sender_Address', description: 'Marketing Campaigns: the sender\'s street address.' },
  { name: 'Sender_City', description: 'Marketing Campaigns: the sender\'s city.' },
  { name: 'Sender_State', description: 'Marketing Campaigns: the sender\'s state.' },
  { name: 'Sender_Zip', description: 'Marketing Campaigns: the sender\'s postal code.' },
  { name: 'asm_group_unsubscribe_raw_url', tag: true, description: 'The link to unsubscribe from the send\'s unsubscribe group.' },
  { name: 'asm_global_unsubscribe_raw_url', tag: true, description: 'The link to unsubscribe from all email.' },
  { name: 'asm_preferences_raw_url', tag: true, description: 'The link to the recipient\'s unsubscribe-group preferences.' },
];

export const SENDGRID_SYSTEM_TAGS = new SystemTags('SendGrid', ENTRIES);

/** SendGrid's substitution tags (`<%asm_group_unsubscribe_raw_url%>`) that are on the list: Handlebars does not read them. */
export function withSubstitutionTags(scan: TemplateScan, text: string): TemplateScan {
  const found: SystemUse[] = [];
  for (let open = text.indexOf('<%'); open !== -1; open = text.indexOf('<%', open + 2)) {
    const close = text.indexOf('%>', open + 2);
    if (close === -1) break;
    const name = text.slice(open + 2, close);
    const tag = SENDGRID_SYSTEM_TAGS.find(name);
    if (tag?.tag) found.push({ name: tag.name, written: name, span: { start: open + 2, end: close }, description: tag.description });
  }
  return found.length ? { ...scan, systemUses: [...(scan.systemUses ?? []), ...found] } : scan;
}
