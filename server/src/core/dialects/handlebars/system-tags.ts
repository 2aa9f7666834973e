/** What Amazon SES fills in itself in a Handlebars template (Mailgun adds its own links outside Handlebars). */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'amazonSESUnsubscribeUrl', description: 'Amazon SES: the recipient\'s unsubscribe link, for a contact list with a topic (SES subscription management).' },
];

export const HANDLEBARS_SYSTEM_TAGS = new SystemTags('Amazon SES', ENTRIES);
