/**
 * What Account Engagement fills in itself, from its HML merge-field reference: the sender (the
 * prospect's assigned user or the email's sender), the account, the send's date and its links.
 * Recipient data is `Recipient.*`. Read in any case.
 */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'Sender.FirstName', description: 'The sender\'s first name.' },
  { name: 'Sender.LastName', description: 'The sender\'s last name.' },
  { name: 'Sender.FullName', description: 'The sender\'s full name.' },
  { name: 'Sender.Email', description: 'The sender\'s email address.' },
  { name: 'Sender.Title', description: 'The sender\'s job title.' },
  { name: 'Sender.Phone', description: 'The sender\'s phone number.' },
  { name: 'Sender.', prefix: true, example: 'Sender.Signature', description: 'A detail of the sender (the prospect\'s assigned user, or the user sending).' },
  { name: 'Organization.', prefix: true, example: 'Organization.Name', description: 'A detail of the account: its name, address and phone.' },
  { name: 'Current_', prefix: true, example: 'Current_Year', description: 'A part of the date of the send: `Current_Year`, `Current_Month`, `Current_Day`, `Current_Date`….' },
  { name: 'View_Online', description: 'The link to the email\'s web version.' },
  { name: 'Unsubscribe', description: 'The link to unsubscribe from all email: `{{{unsubscribe}}}`.' },
  { name: 'EmailPreferenceCenter', description: 'The link to the email preference center: `{{{EmailPreferenceCenter}}}`.' },
];

export const HML_SYSTEM_TAGS = new SystemTags('Account Engagement', ENTRIES, true);
