/**
 * What Braze fills in itself, from its "Supported personalization tags" reference, written as Braze
 * writes them (`${…}`), so Shopify's and Customer.io's plain names are never taken for them. The
 * default list of the `liquid` dialect; `"liquid": {"platform": "shopify"}` reads Shopify's below.
 * Braze's standard profile attributes (`${first_name}`, `${last_name}`, `${user_id}`,
 * `${date_of_birth}`, `${email_address}`, `${city}`, `${country}`, `${gender}`, `${language}`, `${phone_number}`,
 * `${time_zone}`) are the recipient's own data, empty for many recipients: they stay fields, which
 * the schema declares and which need fallbacks.
 */
import type { FieldUse, TemplateScan } from '../dialect';
import { SystemTags, type SystemTag } from '../common/system-tags';

const ENTRIES: SystemTag[] = [
  { name: '${braze_id}', description: 'Braze: the id Braze gives the user.' },
  { name: '${random_bucket_number}', description: 'Braze: the user\'s random bucket number (0 to 9999), for random splits.' },
  { name: '${set_user_to_unsubscribed_url}', description: 'Braze: the link that unsubscribes the user from email.' },
  { name: '${set_user_to_subscribed_url}', description: 'Braze: the link that subscribes the user to email.' },
  { name: '${set_user_to_opted_in_url}', description: 'Braze: the link that opts the user in to email.' },
  { name: '${set_user_to_one_click_list_unsubscribe}', description: 'Braze: the one-click unsubscribe link.' },
  { name: '${unsubscribe_url}', description: 'Braze: the unsubscribe link (older name of `${set_user_to_unsubscribed_url}`).' },
  { name: '${last_used_app_date}', description: 'Braze: when the user last used the app (from the SDK).' },
  { name: '${most_recent_app_version}', description: 'Braze: the app version the user last used (from the SDK).' },
  { name: '${most_recent_locale}', description: 'Braze: the locale of the user\'s last session (from the SDK).' },
  { name: '${most_recent_location}', description: 'Braze: the location of the user\'s last session (from the SDK).' },
  { name: 'most_recently_used_device.${', prefix: true, example: 'most_recently_used_device.${model}', description: 'Braze: a detail of the device the user last used (`${carrier}`, `${id}`, `${model}`, `${os}`, `${platform}`, `${idfa}`, `${google_ad_id}`, `${foreground_push_enabled}`).' },
  { name: 'targeted_device.${', prefix: true, example: 'targeted_device.${model}', description: 'Braze: a detail of the device the message is sent to.' },
  { name: 'subscribed_state.${', prefix: true, example: 'subscribed_state.${email_global}', description: 'Braze: the user\'s subscription state (`${email_global}`, or a subscription group\'s id).' },
  { name: 'campaign.${', prefix: true, example: 'campaign.${name}', description: 'Braze: a detail of the campaign that sends (`${api_id}`, `${dispatch_id}`, `${name}`, `${message_name}`, `${message_api_id}`).' },
  { name: 'canvas.${', prefix: true, example: 'canvas.${name}', description: 'Braze: a detail of the Canvas that sends (`${api_id}`, `${name}`, `${variant_name}`, `${variant_api_id}`).' },
  { name: 'card.${', prefix: true, example: 'card.${name}', description: 'Braze: a detail of the Content Card (`${api_id}`, `${name}`).' },
  { name: 'app.${', prefix: true, example: 'app.${name}', description: 'Braze: a detail of the app (`${api_id}`, `${name}`).' },
];

export const LIQUID_SYSTEM_TAGS = new SystemTags('Braze', ENTRIES);

/**
 * What Shopify fills in itself in its notification templates (`"liquid": {"platform": "shopify"}`),
 * from its "Notification variables reference": the store's own details and the links and titles it
 * builds. The order's and the customer's data (`order_name`, `customer.first_name`, `line_items`)
 * differ for every message: they stay fields.
 */
const SHOPIFY_ENTRIES: SystemTag[] = [
  { name: 'shop.name', description: 'Shopify: the store\'s name.' },
  { name: 'shop.email', description: 'Shopify: the store\'s sender email address.' },
  { name: 'shop.url', description: 'Shopify: the store\'s web address.' },
  { name: 'shop.domain', description: 'Shopify: the store\'s primary domain.' },
  { name: 'shop.email_logo_url', description: 'Shopify: the address of the logo set for notifications (Settings > Notifications > Customize).' },
  { name: 'shop.email_logo_width', description: 'Shopify: the width, in pixels, set for the notification logo.' },
  { name: 'shop.email_accent_color', description: 'Shopify: the accent colour set for notifications (buttons and links).' },
  { name: 'shop.', prefix: true, example: 'shop.address.city', description: 'Shopify: a detail of the store from its settings (`address`, `phone`, `currency`, `money_format`, `permanent_domain`…).' },
  { name: 'shop_name', description: 'Shopify: the store\'s name (older name of `shop.name`).' },
  { name: 'email_title', description: 'Shopify: the notification\'s title, as set for that notification.' },
  { name: 'order_status_url', description: 'Shopify: the link to the order status page, built by Shopify for each order.' },
  { name: 'unsubscribe_url', description: 'Shopify: the link that unsubscribes the customer from marketing emails.' },
  { name: 'unsubscribe_link', description: 'Shopify: the link that unsubscribes the customer from marketing emails.' },
  { name: 'open_tracking', description: 'Shopify: the open-tracking pixel Shopify Email adds.' },
];

export const SHOPIFY_SYSTEM_TAGS = new SystemTags('Shopify', SHOPIFY_ENTRIES);

/** Moves the uses that are system tags (as written) from `uses` to `systemUses`. */
export function withSystemUses(scan: TemplateScan, tags: SystemTags): TemplateScan {
  let uses: FieldUse[] | undefined;
  const systemUses = scan.systemUses ? [...scan.systemUses] : [];
  scan.uses.forEach((use, index) => {
    const system = tags.find(use.written);
    if (!system) {
      uses?.push(use);
      return;
    }
    uses ??= scan.uses.slice(0, index);
    systemUses.push({ name: system.name, written: use.written, span: use.span, description: system.description });
  });
  return uses ? { ...scan, uses, systemUses } : scan;
}
