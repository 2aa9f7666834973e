/** What Postmark fills in itself, from its template reference. */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'pm:unsubscribe', description: 'The link to unsubscribe (broadcast streams): `{{{ pm:unsubscribe }}}`.' },
  { name: '@content', description: 'In a layout: the content of the template that uses it.' },
];

export const POSTMARK_SYSTEM_TAGS = new SystemTags('Postmark', ENTRIES);
