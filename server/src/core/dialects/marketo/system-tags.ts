/**
 * What Marketo fills in itself, from its token reference: system tokens (`{{system.unsubscribeLink}}`)
 * and the tokens of the campaign, the program, the triggering activity, social and form features. Read in any case.
 */
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: 'system.unsubscribeLink', description: 'The link to unsubscribe.' },
  { name: 'system.viewAsWebpageLink', description: 'The link to the email\'s web version.' },
  { name: 'system.forwardToFriendLink', description: 'The link to the forward-to-a-friend page.' },
  { name: 'system.date', description: 'The date of the send.' },
  { name: 'system.time', description: 'The time of the send.' },
  { name: 'system.dateTime', description: 'The date and time of the send.' },
  { name: 'system.', prefix: true, example: 'system.mobileViewLink', description: 'A system token Marketo fills in.' },
  { name: 'campaign.', prefix: true, example: 'campaign.name', description: 'A detail of the smart campaign that sends: `campaign.name`, `campaign.id`, `campaign.description`.' },
  { name: 'program.', prefix: true, example: 'program.name', description: 'A detail of the program: `program.name`, `program.id`, `program.description`.' },
  { name: 'trigger.', prefix: true, example: 'trigger.Web Page', description: 'A detail of the activity that triggered the smart campaign (`trigger.Name`, `trigger.Web Page`, `trigger.Link`), filled in by Marketo.' },
  { name: 'social.', prefix: true, example: 'social.emailButton', description: 'A social sharing button or link.' },
  { name: 'forms.', prefix: true, example: 'forms.preFillKey', description: 'A form detail.' },
  { name: 'sp_send_alert_info.', prefix: true, example: 'sp_send_alert_info.lead', description: 'The details of the person an alert is about (Send Alert).' },
];

export const MARKETO_SYSTEM_TAGS = new SystemTags('Marketo', ENTRIES, true);
