/**
 * Marketing Cloud's system personalization strings, from its "Personalization Strings" reference:
 * values of the send, the email, the sender and the subscription that Marketing Cloud fills in
 * itself (`%%view_email_url%%`, `%%=v(_subscriberkey)=%%`). Marketing Cloud reads them in any case.
 * `emailaddr`, the subscriber's own address, stays recipient data: schemas declare it (often as an
 * alias of their email field), as they do the other subscriber attributes.
 */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  // Subscriber and send identifiers
  { name: '_subscriberkey', description: 'The subscriber key of the recipient.' },
  { name: 'subscriberid', description: 'The system-defined numeric id of the subscriber.' },
  { name: '_subscriberid', description: 'The system-defined numeric id of the subscriber.' },
  { name: 'jobid', description: 'The id of the send job.' },
  { name: '_jobid', description: 'The id of the send job.' },
  { name: '_JobSubscriberBatchID', description: 'The id of the batch of the send job this recipient is in.' },
  { name: 'batchid', description: 'The id of the batch of the send job.' },
  { name: 'listid', description: 'The id of the list the email is sent to.' },
  { name: '_listname', description: 'The name of the list the email is sent to.' },
  { name: '_datasourcename', description: 'The name of the list or data extension the email is sent to.' },
  { name: '_dataextensionname', description: 'The name of the sendable data extension the email is sent to.' },
  { name: 'mid', description: 'The member id (MID) of the business unit that sends.' },
  { name: '_clientid', description: 'The member id (MID) of the account that sends.' },
  { name: '_messagetypepreference', description: 'The subscriber\'s preferred format: HTML or text.' },
  // The email
  { name: '_emailid', description: 'The system-defined numeric id of the email.' },
  { name: 'emailname_', description: 'The name given to the email.' },
  { name: '_subject', description: 'The subject line of the email.' },
  { name: '_preheader', description: 'The preheader of the email.' },
  { name: '_messagecontext', description: 'Where the content is rendered: SEND, PREVIEW, VAWP (view as web page), FTAF, LANDINGPAGE, VALIDATION, LINKRESOLUTION….' },
  { name: '_IsTestSend', description: 'True when the email is a test send from Email Studio.' },
  { name: '_isteststage', description: 'True in a test stage of the send.' },
  { name: '_replycontactname', description: 'The reply name set in the sender profile.' },
  { name: '_replycontactemail', description: 'The reply address set in the sender profile.' },
  { name: 'linkname', description: 'The name of the link clicked, in link tracking.' },
  // Links Marketing Cloud builds
  { name: 'view_email_url', description: 'The link to the email\'s web version (view as web page).' },
  { name: 'viewemailurl', description: 'The link to the email\'s web version (older name).' },
  { name: 'profile_center_url', description: 'The link to the subscriber\'s profile center.' },
  { name: 'unsub_center_url', description: 'The link to the unsubscribe center.' },
  { name: 'subscription_center_url', description: 'The link to the subscription center.' },
  { name: 'ftaf_url', description: 'The link to the forward-to-a-friend page.' },
  { name: 'forward_url', description: 'The link to the forward-to-a-friend page.' },
  { name: 'double_opt_in_url', description: 'The link that confirms a double opt-in.' },
  // Sender address (the account's physical mailing address, for CAN-SPAM)
  { name: 'Member_Busname', description: 'The sender\'s business name, from the account settings.' },
  { name: 'Member_Addr', description: 'The sender\'s street address.' },
  { name: 'Member_City', description: 'The sender\'s city.' },
  { name: 'Member_State', description: 'The sender\'s state.' },
  { name: 'Member_PostalCode', description: 'The sender\'s postal code.' },
  { name: 'Member_Country', description: 'The sender\'s country.' },
  // Dates of the send, in the account's time zone
  { name: 'xtmonth', description: 'The month of the send, by name.' },
  { name: 'xtmonthnumeric', description: 'The month of the send, as a number.' },
  { name: 'xtday', description: 'The day of the month of the send.' },
  { name: 'xtdayofweek', description: 'The day of the week of the send.' },
  { name: 'xtyear', description: 'The year of the send.' },
  { name: 'xtshortdate', description: 'The date of the send, short (01/15/2018).' },
  { name: 'xtlongdate', description: 'The date of the send, long (Monday, January 15, 2018).' },
  { name: 'current_date', description: 'The date and time of the send.' },
  { name: 'localdate', description: 'The date and time of the send, in the account\'s time zone.' },
  { name: 'systemdate', description: 'The date and time of the send, in the server\'s time zone.' },
];

export const AMPSCRIPT_SYSTEM_TAGS = new SystemTags('Marketing Cloud', ENTRIES, true);
