/** What Iterable fills in itself, from its merge-parameter reference: the links it builds and the send's ids. */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'unsubscribeUrl', description: 'The link to unsubscribe from the campaign\'s channel.' },
  { name: 'unsubscribeMessageTypeUrl', description: 'The link to unsubscribe from the campaign\'s message type.' },
  { name: 'hostedUnsubscribeUrl', description: 'The link to Iterable\'s hosted subscription preferences page.' },
  { name: 'viewInBrowserUrl', description: 'The link to the email\'s web version.' },
  { name: 'campaignId', description: 'The id of the campaign that sends.' },
  { name: 'templateId', description: 'The id of the template that is rendered.' },
];

export const ITERABLE_SYSTEM_TAGS = new SystemTags('Iterable', ENTRIES);
