/**
 * Deterministic generator of realistic email templates for `npm run bench`.
 *
 * What it makes (under bench/generated/, git-ignored):
 * - mergewise.json: a schema of the size and shape a lifecycle team keeps (about 90 fields, six purposes);
 * - liquid-10kb.liquid, liquid-100kb.liquid, liquid-1mb.liquid and the same three in Handlebars (.hbs);
 * - workspace/: 2,000 Liquid templates, about 80 MB in all, with its own mergewise.json;
 * - lsp-workspace/: the schema and the 100 KB Liquid template, for the language-server latencies;
 * - workspace-10k/ (generateLargeWorkspace, on demand): 10,000 Liquid templates, about 160 MB, for the
 *   language server on a large workspace.
 *
 * The templates look like what ESP users write: table layouts with inline styles, a hidden preheader,
 * MSO conditional comments, outputs with and without fallbacks, guarded outputs, if/elsif/else,
 * case/when, loops over cart, order and recommendation items (with `forloop` and for-else), assigns
 * and captures, comments, raw blocks; in Handlebars (as Amazon SES and Mailgun run it) #if/else if,
 * #each with @first/@last and ../, #unless, #with, lookup, Mailgun's #equal, comments, triple-stash. About one output in seventy names a field
 * the schema does not know (a typo), so the rules have real findings to report, as on a template
 * being edited. Every template is syntactically valid, so that the parsers compared with Mergewise
 * (liquidjs, @shopify/liquid-html-parser, handlebars) parse all of it rather than stopping early.
 *
 * Same seed, same bytes: the PRNG is sfc32, seeded from a string, and nothing reads the clock.
 *
 * Run alone: `node --import tsx bench/generate.ts` (bench/run.ts calls it when files are missing).
 */
import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the output changes, so that bench/run.ts regenerates stale files. */
export const GENERATOR_VERSION = 5;
export const SEED = 'mergewise-bench';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const GENERATED_DIR = path.join(BENCH_DIR, 'generated');
export const WORKSPACE_DIR = path.join(GENERATED_DIR, 'workspace');
export const LSP_WORKSPACE_DIR = path.join(GENERATED_DIR, 'lsp-workspace');
/** The 100 KB Liquid template, inside LSP_WORKSPACE_DIR. */
export const LSP_TEMPLATE = 'emails/newsletters/newsletter-100kb.liquid';

export type BenchDialect = 'liquid' | 'handlebars';

export const SIZES = [
  { label: '10 KB', bytes: 10 * 1024 },
  { label: '100 KB', bytes: 100 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
] as const;

export const WORKSPACE_TEMPLATES = 2000;
export const WORKSPACE_BYTES = 80 * 1024 * 1024;

// ---- PRNG ------------------------------------------------------------------------------------------

/** sfc32 seeded through a 32-bit string hash (cyrb128): fast, small, and good enough for test data. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
    for (let i = 0; i < seed.length; i++) {
      const k = seed.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    this.a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
    this.b = (h2 ^ h1) >>> 0;
    this.c = (h3 ^ h1) >>> 0;
    this.d = (h4 ^ h1) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

// ---- Schema ----------------------------------------------------------------------------------------

type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'array' | 'object';
type Source = 'declared' | 'transactional' | 'observed' | 'inferred' | 'third-party';

interface FieldDef {
  type: FieldType;
  source: Source;
  description: string;
  fallback?: string;
  required?: boolean;
  sensitivity?: 'none' | 'personal' | 'sensitive' | 'special-category';
  maxAgeDays?: number;
  deprecated?: string;
  examples?: unknown[];
  items?: Record<string, FieldDef>;
}

const f = (type: FieldType, source: Source, description: string, extra: Partial<FieldDef> = {}): FieldDef =>
  ({ type, source, description, ...extra });

const ITEM_FIELDS: Record<string, FieldDef> = {
  title: f('string', 'transactional', 'Product name', { required: true }),
  price: f('number', 'transactional', 'Unit price', { required: true }),
  quantity: f('number', 'transactional', 'Units', { required: true }),
  url: f('string', 'transactional', 'Product page', { required: true }),
  image_url: f('string', 'transactional', 'Product photo; some bundles have none'),
  sku: f('string', 'transactional', 'Stock keeping unit', { required: true }),
  variant: f('string', 'transactional', 'Size or colour, when the product has variants'),
};

/** The schema's fields, as a lifecycle team at a mid-size SaaS-plus-shop company would declare them. */
export const SCHEMA_FIELDS: Record<string, FieldDef> = {
  'customer.id': f('string', 'transactional', 'Account id', { required: true }),
  'customer.first_name': f('string', 'declared', 'First name as typed at sign-up', { fallback: 'there', sensitivity: 'personal', examples: ['Ana'] }),
  'customer.last_name': f('string', 'declared', 'Last name', { sensitivity: 'personal' }),
  'customer.email': f('string', 'declared', 'Login and sending address', { required: true, sensitivity: 'personal' }),
  'customer.phone': f('string', 'declared', 'Mobile number for SMS reminders', { sensitivity: 'personal' }),
  'customer.company': f('string', 'declared', 'Business name', { fallback: 'your business' }),
  'customer.industry': f('string', 'declared', 'hair | barber | nails | spa', { required: true }),
  'customer.job_title': f('string', 'declared', 'Role picked at sign-up', { required: true, maxAgeDays: 365, fallback: 'stylist' }),
  'customer.city': f('string', 'observed', 'City of the salon address', { fallback: 'your area', sensitivity: 'personal' }),
  'customer.country': f('string', 'observed', 'Country code of the salon address', { required: true }),
  'customer.locale': f('string', 'observed', 'Language of the app', { required: true }),
  'customer.timezone': f('string', 'observed', 'IANA time zone', { fallback: 'America/New_York' }),
  'customer.plan': f('string', 'transactional', 'trial | solo | studio | salon', { required: true }),
  'customer.signup_at': f('date', 'transactional', 'Sign-up date', { required: true }),
  'customer.birthday': f('date', 'declared', 'Birthday, when given', { sensitivity: 'personal' }),
  'customer.accepts_sms': f('boolean', 'declared', 'SMS opt-in'),
  'customer.is_vip': f('boolean', 'observed', 'Top 5% by bookings'),
  'customer.last_booking_at': f('date', 'observed', 'Last booking taken through the app', { maxAgeDays: 90 }),
  'customer.lifetime_bookings': f('number', 'observed', 'Bookings since sign-up'),
  'customer.team_size': f('number', 'declared', 'Staff count given at sign-up', { maxAgeDays: 365 }),
  'customer.nickname': f('string', 'declared', 'Old "what should we call you" field', { deprecated: 'use customer.first_name' }),
  'customer.favorite_service': f('string', 'inferred', 'Service the model thinks they are known for', { fallback: 'a fresh cut' }),
  'customer.predicted_churn_score': f('number', 'inferred', '0-1 churn likelihood', { sensitivity: 'sensitive' }),
  'customer.income_bracket': f('string', 'third-party', 'Household income band from a vendor', { sensitivity: 'sensitive' }),
  'customer.health_notes': f('string', 'declared', 'Allergies noted on the client card', { sensitivity: 'special-category' }),
  'customer.preferences': f('object', 'declared', 'Free-form preferences from the preference centre'),
  'cart.items': f('array', 'transactional', 'Items left in the cart', { items: ITEM_FIELDS }),
  'cart.total': f('number', 'transactional', 'Cart total before tax'),
  'cart.currency': f('string', 'transactional', 'ISO currency code', { required: true }),
  'cart.updated_at': f('date', 'transactional', 'Last cart change'),
  'cart.discount_code': f('string', 'transactional', 'Code attached to the cart'),
  'order.number': f('string', 'transactional', 'Order number', { required: true }),
  'order.placed_at': f('date', 'transactional', 'When the order was placed', { required: true }),
  'order.items': f('array', 'transactional', 'Ordered items', { items: ITEM_FIELDS }),
  'order.subtotal': f('number', 'transactional', 'Before shipping and tax', { required: true }),
  'order.shipping': f('number', 'transactional', 'Shipping cost', { required: true }),
  'order.tax': f('number', 'transactional', 'Tax', { required: true }),
  'order.total': f('number', 'transactional', 'Charged total', { required: true }),
  'order.status': f('string', 'transactional', 'placed | shipped | delivered | refunded', { required: true }),
  'order.tracking_url': f('string', 'transactional', 'Carrier tracking page'),
  'order.shipping_address.name': f('string', 'transactional', 'Recipient name', { sensitivity: 'personal' }),
  'order.shipping_address.street': f('string', 'transactional', 'Street', { sensitivity: 'personal' }),
  'order.shipping_address.city': f('string', 'transactional', 'City', { sensitivity: 'personal' }),
  'order.shipping_address.zip': f('string', 'transactional', 'Postal code', { sensitivity: 'personal' }),
  'order.estimated_delivery': f('date', 'transactional', 'Carrier estimate'),
  'subscription.plan_name': f('string', 'transactional', 'Plan shown on invoices', { required: true }),
  'subscription.renews_at': f('date', 'transactional', 'Next charge date'),
  'subscription.price': f('number', 'transactional', 'Next charge amount'),
  'subscription.interval': f('string', 'transactional', 'month | year', { required: true }),
  'subscription.status': f('string', 'transactional', 'active | past_due | cancelled', { required: true }),
  'subscription.seats': f('number', 'transactional', 'Paid seats', { required: true }),
  'trial.ends_at': f('date', 'transactional', 'End of the 14-day trial'),
  'trial.days_left': f('number', 'transactional', 'Whole days left in the trial'),
  'loyalty.points': f('number', 'transactional', 'Points balance', { fallback: '0' }),
  'loyalty.tier': f('string', 'transactional', 'bronze | silver | gold', { fallback: 'member' }),
  'loyalty.next_tier': f('string', 'transactional', 'Next tier name'),
  'loyalty.points_to_next_tier': f('number', 'transactional', 'Points still needed'),
  'loyalty.expires_at': f('date', 'transactional', 'When unused points expire', { maxAgeDays: 30 }),
  'recommendations': f('array', 'inferred', 'Products the recommender picked', {
    items: {
      title: f('string', 'inferred', 'Product name', { required: true }),
      url: f('string', 'inferred', 'Product page', { required: true }),
      image_url: f('string', 'inferred', 'Product photo'),
      price: f('number', 'inferred', 'Price', { required: true }),
      reason: f('string', 'inferred', 'Why it was picked ("popular with barbers")'),
    },
  }),
  'store.name': f('string', 'transactional', 'Sending brand', { required: true }),
  'store.url': f('string', 'transactional', 'Shop home page', { required: true }),
  'store.support_email': f('string', 'transactional', 'Support address', { required: true }),
  'store.address': f('string', 'transactional', 'Postal address for the footer', { required: true }),
  'campaign.name': f('string', 'transactional', 'Campaign name for UTM tags', { required: true }),
  'campaign.utm_source': f('string', 'transactional', 'utm_source', { required: true }),
  'campaign.send_id': f('string', 'transactional', 'Send id for tracking', { required: true }),
  'referral.code': f('string', 'transactional', 'Personal referral code'),
  'referral.credits': f('number', 'transactional', 'Credits earned from referrals'),
  'survey.nps_score': f('number', 'declared', 'Last NPS answer', { maxAgeDays: 180 }),
  'event.name': f('string', 'transactional', 'Meetup name'),
  'event.starts_at': f('date', 'transactional', 'Meetup start'),
  'event.venue': f('string', 'transactional', 'Meetup venue'),
};

interface PurposeDef {
  segment?: string;
  tactic?: string;
  metric?: string;
  fields: string[];
  templates: string[];
}

const PURPOSES: Record<string, PurposeDef> = {
  'cart-recovery': {
    segment: 'Carts untouched for 4+ hours', tactic: 'Show the exact items and one link back to checkout',
    metric: 'Checkout recovery within 72 hours', fields: ['cart.items', 'cart.total', 'cart.discount_code'],
    templates: ['emails/transactional/**', 'emails/promotions/**'],
  },
  'order-clarity': {
    segment: 'Every order', tactic: 'Order number, items and delivery estimate above the fold',
    metric: 'Where-is-my-order tickets per 1,000 orders', fields: ['order.items', 'order.total', 'order.estimated_delivery', 'order.tracking_url'],
    templates: ['emails/transactional/**'],
  },
  'renewal-clarity': {
    segment: 'Renewals in the next 7 days', tactic: 'Date and amount in the first line',
    metric: 'Refund requests per 1,000 renewals', fields: ['subscription.renews_at', 'subscription.price'],
    templates: ['emails/lifecycle/**'],
  },
  'trial-features': {
    segment: "customer.plan == 'trial'", tactic: 'Lead with the three features adopted first',
    metric: 'Trial-to-paid conversion', fields: ['customer.industry', 'trial.ends_at', 'trial.days_left'],
    templates: ['emails/onboarding/**'],
  },
  'recommendations-test': {
    segment: 'Accounts with 3+ shop orders', tactic: 'Three recommended products with the reason shown',
    metric: 'Click-to-order rate vs. bestsellers', fields: ['recommendations', 'customer.favorite_service'],
    templates: ['emails/newsletters/**'],
  },
  'loyalty-milestones': {
    segment: 'customer.lifetime_bookings >= 100', tactic: 'Celebrate the milestone',
    fields: ['customer.lifetime_bookings', 'loyalty.points'], templates: ['emails/drafts/**'],
  },
};

/** `mergewise.json` text: JSON with a comment, as users write it. */
export function schemaText(): string {
  const fields: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(SCHEMA_FIELDS)) fields[name] = fieldJson(def);
  const json = {
    dialect: 'liquid',
    recipients: ['recipients/*.json'],
    fields,
    purposes: PURPOSES,
    rules: { 'missing-fallback': 'error' },
    maxFileSize: 5 * 1024 * 1024,
  };
  return `// Generated by bench/generate.ts: a lifecycle team's schema, about 90 fields.\n${JSON.stringify(json, null, 2)}\n`;
}

function fieldJson(def: FieldDef): Record<string, unknown> {
  const { items, ...rest } = def;
  if (!items) return rest;
  const children: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(items)) children[name] = fieldJson(child);
  return { ...rest, items: { fields: children } };
}

// ---- Template pieces shared by both dialects --------------------------------------------------------

export const WORDS = (
  'booking clients salon chair schedule reminder deposit card reader team shift colour cut fade balayage ' +
  'appointment week month season offer free shipping checkout order thanks welcome update new feature guide ' +
  'tips payout report calendar online page review stars product bundle refill spring summer autumn winter ' +
  'studio stylist barber nails spa quick easy simple today tomorrow your our with from every more less save ' +
  'time money busy quiet fully booked waitlist message text email link open tap swipe share invite friend'
).split(' ');

export const COLORS = ['#2b2b2b', '#5a5a5a', '#8a8a8a', '#b4533a', '#1f6f5c', '#f6f1ec', '#ffffff', '#eeeeee', '#3a4fb4', '#c2185b'];
export const FONTS = ['Helvetica,Arial,sans-serif', 'Georgia,serif', "'Segoe UI',Roboto,Arial,sans-serif"];

/** A scalar field an output can show, with how it is formatted in each dialect. */
interface OutputField {
  path: string;
  kind: 'text' | 'date' | 'money' | 'number';
}

const OUTPUT_FIELDS: OutputField[] = Object.entries(SCHEMA_FIELDS)
  .filter(([, def]) => def.type !== 'array' && def.type !== 'object' && def.type !== 'boolean')
  .filter(([, def]) => def.sensitivity !== 'special-category' && def.sensitivity !== 'sensitive' && !def.deprecated)
  .map(([name, def]) => ({
    path: name,
    kind: def.type === 'date' ? 'date' : def.type === 'number' ? (/price|total|subtotal|shipping|tax/.test(name) ? 'money' : 'number') : 'text',
  }));
export const TEXT_FIELDS = OUTPUT_FIELDS.filter((field) => field.kind === 'text');
const BOOLEAN_FIELDS = Object.entries(SCHEMA_FIELDS).filter(([, def]) => def.type === 'boolean').map(([name]) => name);
/** Rare on purpose: sensitive, special-category and deprecated fields do turn up in real copy. */
const RISKY_FIELDS = ['customer.nickname', 'customer.income_bracket', 'customer.health_notes', 'customer.predicted_churn_score'];
const LOOPS = [
  { source: 'cart.items', variable: 'item' },
  { source: 'order.items', variable: 'line' },
  { source: 'recommendations', variable: 'product' },
];

/** A misspelt path, as authors write them: two letters swapped, or a plausible wrong name. */
export function typo(random: Random, fieldPath: string): string {
  const dot = fieldPath.lastIndexOf('.');
  const segment = fieldPath.slice(dot + 1);
  if (segment.length < 4 || random.chance(0.3)) return `${fieldPath.slice(0, dot + 1)}${random.pick(['fname', 'firstname', 'name', 'totl', 'date'])}`;
  const i = random.int(1, segment.length - 2);
  return fieldPath.slice(0, dot + 1) + segment.slice(0, i) + segment[i + 1] + segment[i] + segment.slice(i + 2);
}

abstract class TemplateWriter {
  protected out: string[] = [];
  protected size = 0;

  constructor(protected readonly random: Random) {}

  protected emit(text: string): void {
    this.out.push(text);
    this.size += text.length;
  }

  protected words(min: number, max: number): string {
    const count = this.random.int(min, max);
    const words: string[] = [];
    for (let i = 0; i < count; i++) words.push(this.random.pick(WORDS));
    return words.join(' ');
  }

  protected sentence(): string {
    const text = this.words(6, 16);
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
  }

  protected style(extra = ''): string {
    const r = this.random;
    return `font-family:${r.pick(FONTS)};font-size:${r.int(12, 18)}px;line-height:${r.pick(['1.4', '1.5', '1.6'])};color:${r.pick(COLORS)};${extra}`;
  }

  protected field(): OutputField {
    return this.random.pick(OUTPUT_FIELDS);
  }

  /** The path to write for a field: now and then a typo or a risky field. */
  protected written(path: string): string {
    if (this.random.chance(1 / 70)) return typo(this.random, path);
    if (this.random.chance(1 / 150)) return this.random.pick(RISKY_FIELDS);
    return path;
  }

  /** Builds one template of about `targetBytes` UTF-16 code units (all ASCII, so also bytes). */
  build(targetBytes: number): string {
    const footer = this.footer();
    this.head();
    let sections = 0;
    while (this.size + footer.length < targetBytes || sections < 2) {
      this.section();
      sections++;
    }
    this.emit(footer);
    return this.out.join('');
  }

  protected head(): void {
    const r = this.random;
    this.emit('<!DOCTYPE html>\n<html lang="en" xmlns="http://www.w3.org/1999/xhtml">\n<head>\n');
    this.emit('<meta charset="utf-8">\n<meta name="viewport" content="width=device-width,initial-scale=1">\n');
    this.emit(`<title>${this.words(3, 6)}</title>\n<style>\n`);
    this.emit(`  body { margin:0; padding:0; background:${r.pick(COLORS)}; }\n  a { color:${r.pick(COLORS)}; }\n`);
    this.emit('  @media only screen and (max-width:600px) { .container { width:100% !important; } .stack { display:block !important; width:100% !important; } }\n');
    this.emit('</style>\n</head>\n');
    this.emit(`<body style="margin:0;padding:0;background:${r.pick(COLORS)};">\n`);
    this.preheader();
    this.emit('<!--[if mso]><table role="presentation" width="600" align="center"><tr><td><![endif]-->\n');
    this.emit(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${r.pick(COLORS)};">\n<tr>\n<td align="center" style="padding:24px 12px;">\n`);
    this.emit(`<table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;">\n`);
    this.greeting();
  }

  /** The closing rows: footer with unsubscribe, address, tracking. Built first so the size is known. */
  protected abstract footer(): string;
  protected abstract preheader(): void;
  protected abstract greeting(): void;
  protected abstract section(): void;

  protected row(inner: string): void {
    this.emit(`<tr>\n<td class="stack" style="padding:${this.random.int(8, 32)}px ${this.random.int(16, 40)}px;">\n${inner}</td>\n</tr>\n`);
  }

  protected button(href: string, label: string): string {
    const r = this.random;
    return `<p style="text-align:center;margin:${r.int(16, 32)}px 0;">\n<a href="${href}" style="background:${r.pick(COLORS)};color:#ffffff;text-decoration:none;padding:14px 28px;border-radius:6px;font-weight:bold;display:inline-block;">${label}</a>\n</p>\n`;
  }

  protected closing(): string {
    return '</table>\n</td>\n</tr>\n</table>\n<!--[if mso]></td></tr></table><![endif]-->\n</body>\n</html>\n';
  }
}

// ---- Liquid ----------------------------------------------------------------------------------------

class LiquidWriter extends TemplateWriter {
  private assigned = 0;

  /** `{{ path | filters }}`; half of the text outputs carry a `default`. */
  private output(field: OutputField, written = this.written(field.path)): string {
    const r = this.random;
    const def = SCHEMA_FIELDS[field.path];
    switch (field.kind) {
      case 'date': return `{{ ${written} | date: '${r.pick(['%B %-d, %Y', '%b %d', '%A, %B %-d', '%Y-%m-%d'])}' }}`;
      case 'money': return `{{ ${written} | ${r.pick(['money', 'round: 2', 'times: 1.0 | round: 2'])} }}`;
      case 'number': return r.chance(0.5) ? `{{ ${written} | default: 0 }}` : `{{ ${written} }}`;
      default: {
        const fallback = def?.fallback ?? r.pick(['there', 'friend', 'your team', 'soon']);
        if (r.chance(0.55)) return `{{ ${written} | default: '${fallback}'${r.chance(0.3) ? ' | capitalize' : ''} }}`;
        return r.chance(0.2) ? `{{- ${written} | escape -}}` : `{{ ${written} }}`;
      }
    }
  }

  protected footer(): string {
    const r = this.random;
    return `<tr>\n<td style="padding:16px 32px 32px;${this.style('font-size:12px;')}">\n` +
      `{% comment %}Footer: legal requires the postal address and a one-click unsubscribe.{% endcomment %}\n` +
      `Sent to {{ customer.email }} by {{ store.name }}, {{ store.address }}.\n` +
      `<a href="{{ store.url }}/preferences?email={{ customer.email | url_encode }}&amp;send={{ campaign.send_id }}" style="color:${r.pick(COLORS)};">Email preferences</a> &middot;\n` +
      `<a href="{{ store.url }}/unsubscribe?id={{ customer.id }}" style="color:${r.pick(COLORS)};">Unsubscribe</a>\n` +
      `{% if customer.accepts_sms %}<br>You also get SMS reminders at {{ customer.phone | default: 'your phone' }}.{% endif %}\n` +
      `</td>\n</tr>\n${this.closing()}`;
  }

  protected preheader(): void {
    this.emit(`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${this.words(6, 12)} {{ customer.first_name | default: 'there' }}, ${this.words(4, 10)}&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</div>\n`);
  }

  protected greeting(): void {
    const r = this.random;
    this.emit('{%- assign greeting_name = customer.first_name | default: \'there\' | capitalize -%}\n');
    this.emit(`{%- capture utm -%}utm_source={{ campaign.utm_source }}&amp;utm_campaign={{ campaign.name | url_encode }}{%- endcapture -%}\n`);
    this.row(`<h1 style="${this.style('margin:0 0 12px;font-size:24px;')}">Hi {{ greeting_name }},</h1>\n<p style="${this.style()}">${this.sentence()} ${r.chance(0.5) ? `{% if customer.city != blank %}Busy week in {{ customer.city }}? {% endif %}` : ''}${this.sentence()}</p>\n`);
  }

  protected section(): void {
    const r = this.random;
    const kind = r.next();
    if (kind < 0.22) this.paragraphs();
    else if (kind < 0.38) this.planConditional();
    else if (kind < 0.56) this.itemsTable();
    else if (kind < 0.64) this.caseBlock();
    else if (kind < 0.74) this.assignBlock();
    else if (kind < 0.8) this.rawBlock();
    else if (kind < 0.9) this.guardedBlock();
    else this.orderSummary();
    if (r.chance(0.15)) this.emit(`{% comment %}${this.sentence()} Owner: lifecycle team.{% endcomment %}\n`);
  }

  private paragraphs(): void {
    const r = this.random;
    let inner = '';
    for (let i = r.int(1, 3); i > 0; i--) {
      inner += `<p style="${this.style('margin:0 0 16px;')}">${this.sentence()} ${this.output(this.field())} ${this.words(4, 12)}. ${r.chance(0.5) ? `${this.output(r.pick(TEXT_FIELDS))} ${this.sentence()}` : this.sentence()}</p>\n`;
    }
    if (r.chance(0.4)) inner += this.button(`{{ store.url }}/account?{{ utm }}`, this.words(2, 4));
    this.row(inner);
  }

  private planConditional(): void {
    const r = this.random;
    const plans = ['trial', 'solo', 'studio', 'salon'];
    let inner = `{% if customer.plan == '${plans[0]}' %}\n<p style="${this.style()}">${this.sentence()} Your trial ends {{ trial.ends_at | date: '%B %-d' }}, in {{ trial.days_left | default: 'a few' }} days.</p>\n`;
    const branches = r.int(2, 4);
    for (let i = 1; i < branches; i++) {
      inner += `{% elsif customer.plan == '${plans[i]}' %}\n<p style="${this.style()}">${this.sentence()} ${this.output(this.field())} ${this.words(3, 8)}.</p>\n`;
    }
    inner += `{% else %}\n<p style="${this.style()}">${this.sentence()} ${this.words(5, 10)}.</p>\n{% endif %}\n`;
    this.row(inner);
  }

  private itemsTable(): void {
    const r = this.random;
    const loop = r.pick(LOOPS);
    const v = loop.variable;
    const limit = r.chance(0.5) ? ` limit: ${r.int(2, 6)}` : '';
    let inner = `{% if ${loop.source}.size > 0 %}\n<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-top:1px solid #eeeeee;">\n`;
    inner += `{%- for ${v} in ${loop.source}${limit} %}\n<tr>\n<td width="88" style="padding:12px 0;border-bottom:1px solid #eeeeee;">\n`;
    inner += `{%- if ${v}.image_url != blank -%}<img src="{{ ${v}.image_url }}" width="72" height="72" alt="{{ ${v}.title | escape }}" style="display:block;border-radius:6px;">{%- endif -%}\n</td>\n`;
    inner += `<td style="padding:12px;border-bottom:1px solid #eeeeee;${this.style()}">\n<a href="{{ ${v}.url }}?{{ utm }}" style="color:${r.pick(COLORS)};">{{ ${v}.title }}</a>`;
    if (loop.source !== 'recommendations') inner += `{% if ${v}.variant %} &middot; {{ ${v}.variant }}{% endif %} &times; {{ ${v}.quantity }}`;
    else inner += `{% if ${v}.reason != blank %}<br><span style="font-size:13px;">{{ ${v}.reason }}</span>{% endif %}`;
    inner += `\n</td>\n<td align="right" style="padding:12px 0;border-bottom:1px solid #eeeeee;">${r.chance(0.5) ? `\${{ ${v}.price | round: 2 }}` : `{{ ${v}.price | money }}`}{% if forloop.last %}&nbsp;{% endif %}</td>\n</tr>\n`;
    inner += `{%- else %}\n<tr><td colspan="3" style="${this.style()}">${this.sentence()}</td></tr>\n{%- endfor %}\n</table>\n`;
    if (loop.source === 'cart.items') {
      inner += `{% if cart.total != blank %}<p style="${this.style('font-weight:bold;')}">Total: {{ cart.total | money }}{% if cart.discount_code %} with code {{ cart.discount_code }}{% endif %}</p>{% endif %}\n`;
    }
    inner += `{% else %}\n<p style="${this.style()}">${this.sentence()}</p>\n{% endif %}\n`;
    inner += this.button(`{{ store.url }}/${r.pick(['cart', 'shop', 'orders'])}?{{ utm }}`, this.words(2, 4));
    this.row(inner);
  }

  private caseBlock(): void {
    const r = this.random;
    let inner = '{% case customer.industry %}\n';
    inner += `{% when 'hair' %}\n<p style="${this.style()}">${this.sentence()} {{ customer.favorite_service | default: 'a fresh cut' }} ${this.words(3, 8)}.</p>\n`;
    inner += `{% when 'barber', 'nails' %}\n<p style="${this.style()}">${this.sentence()} ${this.words(4, 9)}.</p>\n`;
    if (r.chance(0.5)) inner += `{% when 'spa' %}\n<p style="${this.style()}">${this.sentence()}</p>\n`;
    inner += `{% else %}\n<p style="${this.style()}">${this.sentence()} ${this.sentence()}</p>\n{% endcase %}\n`;
    this.row(inner);
  }

  private assignBlock(): void {
    const r = this.random;
    const n = this.assigned++;
    const field = this.random.pick(TEXT_FIELDS);
    let inner = `{%- assign label_${n} = ${this.written(field.path)} | default: '${SCHEMA_FIELDS[field.path]?.fallback ?? 'your account'}' | strip -%}\n`;
    inner += `{%- assign points_${n} = loyalty.points | default: 0 | plus: ${r.int(10, 500)} -%}\n`;
    inner += `<p style="${this.style()}">${this.sentence()} {{ label_${n} }} ${this.words(3, 7)} {{ points_${n} }} points.`;
    inner += `{% if loyalty.points_to_next_tier > 0 %} Only {{ loyalty.points_to_next_tier }} more for {{ loyalty.next_tier | default: 'the next tier' }}.{% endif %}</p>\n`;
    this.row(inner);
  }

  private rawBlock(): void {
    this.row(`<p style="${this.style()}">${this.sentence()} Paste this into your booking page:</p>\n` +
      `<pre style="background:#f6f1ec;padding:12px;">{% raw %}Hi {{ client.first_name }}, see you {{ appointment.date | date: '%A' }}!{% endraw %}</pre>\n`);
  }

  private guardedBlock(): void {
    const r = this.random;
    const field = r.pick(TEXT_FIELDS);
    const flag = r.pick(BOOLEAN_FIELDS);
    let inner = `{% if ${field.path} != blank %}\n<p style="${this.style()}">${this.sentence()} {{ ${field.path} }} ${this.words(3, 9)}.</p>\n{% endif %}\n`;
    inner += `{% unless ${flag} %}\n<p style="${this.style()}">${this.sentence()}</p>\n{% endunless %}\n`;
    if (r.chance(0.5)) inner += `{% if loyalty.points > ${r.int(100, 5000)} and customer.is_vip %}<p style="${this.style()}">${this.sentence()} {{ loyalty.tier | default: 'member' | upcase }}</p>{% endif %}\n`;
    this.row(inner);
  }

  private orderSummary(): void {
    let inner = `<p style="${this.style()}">Order {{ order.number }}, placed {{ order.placed_at | date: '%B %-d, %Y' }}.</p>\n`;
    inner += '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">\n';
    for (const part of ['subtotal', 'shipping', 'tax', 'total']) {
      inner += `<tr><td style="${this.style()}">${part[0].toUpperCase()}${part.slice(1)}</td><td align="right">{{ order.${part} | money }}</td></tr>\n`;
    }
    inner += '</table>\n';
    inner += `{% if order.tracking_url != blank %}${this.button('{{ order.tracking_url }}', 'Track your parcel')}{% endif %}\n`;
    inner += `<p style="${this.style()}">Shipping to {{ order.shipping_address.name }}, {{ order.shipping_address.city }}. Expected {{ order.estimated_delivery | date: '%A, %B %-d' | default: 'soon' }}.</p>\n`;
    this.row(inner);
  }
}

// ---- Handlebars ------------------------------------------------------------------------------------

/**
 * Plain Handlebars as Amazon SES and Mailgun run it: only the built-in helpers (`if`, `unless`,
 * `each`, `with`, `lookup`) and Mailgun's `equal`, no custom helpers, no partials, no raw blocks.
 * Fallbacks are written `{{#if x}}{{x}}{{else}}there{{/if}}`; dates and prices arrive pre-formatted.
 */
class HandlebarsWriter extends TemplateWriter {
  private output(field: OutputField, written = this.written(field.path)): string {
    const r = this.random;
    if (field.kind !== 'text') return r.chance(0.3) ? `{{#if ${written}}}{{${written}}}{{/if}}` : `{{${written}}}`;
    const fallback = SCHEMA_FIELDS[field.path]?.fallback ?? r.pick(['there', 'friend', 'your team']);
    const x = r.next();
    if (x < 0.5) return `{{#if ${written}}}{{${written}}}{{else}}${fallback}{{/if}}`;
    if (x < 0.6) return `{{{${written}}}}`;
    return `{{${written}}}`;
  }

  protected footer(): string {
    const r = this.random;
    return `<tr>\n<td style="padding:16px 32px 32px;${this.style('font-size:12px;')}">\n` +
      `{{!-- Footer: legal requires the postal address and a one-click unsubscribe. --}}\n` +
      `Sent to {{customer.email}} by {{store.name}}, {{store.address}}.\n` +
      `<a href="{{store.url}}/preferences?id={{customer.id}}&amp;send={{campaign.send_id}}" style="color:${r.pick(COLORS)};">Email preferences</a> &middot;\n` +
      `<a href="{{amazonSESUnsubscribeUrl}}" style="color:${r.pick(COLORS)};">Unsubscribe</a>\n` +
      `{{#if customer.accepts_sms}}<br>You also get SMS reminders at {{#if customer.phone}}{{customer.phone}}{{else}}your phone{{/if}}.{{/if}}\n` +
      `</td>\n</tr>\n${this.closing()}`;
  }

  protected preheader(): void {
    this.emit(`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${this.words(6, 12)} {{#if customer.first_name}}{{customer.first_name}}{{else}}there{{/if}}, ${this.words(4, 10)}&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</div>\n`);
  }

  protected greeting(): void {
    this.row(`<h1 style="${this.style('margin:0 0 12px;font-size:24px;')}">Hi {{#if customer.first_name}}{{customer.first_name}}{{else}}there{{/if}},</h1>\n` +
      `<p style="${this.style()}">${this.sentence()} {{#if customer.city}}Busy week in {{customer.city}}? {{/if}}${this.sentence()}</p>\n`);
  }

  protected section(): void {
    const r = this.random;
    const kind = r.next();
    if (kind < 0.24) this.paragraphs();
    else if (kind < 0.42) this.planConditional();
    else if (kind < 0.62) this.itemsTable();
    else if (kind < 0.72) this.withBlock();
    else if (kind < 0.9) this.guardedBlock();
    else this.orderSummary();
    if (r.chance(0.15)) this.emit(r.chance(0.5) ? `{{!-- ${this.sentence()} Owner: lifecycle team. --}}\n` : `{{! ${this.words(3, 8)} }}\n`);
  }

  private paragraphs(): void {
    const r = this.random;
    let inner = '';
    for (let i = r.int(1, 3); i > 0; i--) {
      inner += `<p style="${this.style('margin:0 0 16px;')}">${this.sentence()} ${this.output(this.field())} ${this.words(4, 12)}. ${r.chance(0.5) ? `${this.output(r.pick(TEXT_FIELDS))} ${this.sentence()}` : this.sentence()}</p>\n`;
    }
    if (r.chance(0.4)) inner += this.button('{{store.url}}/account?utm_source={{campaign.utm_source}}', this.words(2, 4));
    this.row(inner);
  }

  /** Mailgun's `equal` for the plan, plain `if`/`else if` for the rest. */
  private planConditional(): void {
    const r = this.random;
    let inner = `{{#equal customer.plan "trial"}}\n<p style="${this.style()}">${this.sentence()} Your trial ends {{trial.ends_at}}, in {{trial.days_left}} days.</p>\n`;
    inner += `{{else}}\n{{#if subscription.renews_at}}\n<p style="${this.style()}">${this.sentence()} Renews {{subscription.renews_at}} at {{subscription.price}}.</p>\n`;
    if (r.chance(0.6)) inner += `{{else if loyalty.points}}\n<p style="${this.style()}">${this.sentence()} ${this.output(this.field())} ${this.words(3, 8)}.</p>\n`;
    inner += `{{else}}\n<p style="${this.style()}">${this.sentence()} ${this.words(5, 10)}.</p>\n{{/if}}\n{{/equal}}\n`;
    this.row(inner);
  }

  private itemsTable(): void {
    const r = this.random;
    const loop = r.pick(LOOPS);
    let inner = `{{#if ${loop.source}}}\n<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-top:1px solid #eeeeee;">\n`;
    inner += `{{#each ${loop.source}}}\n<tr>\n<td width="88" style="padding:12px 0;border-bottom:1px solid #eeeeee;">\n`;
    inner += `{{#if this.image_url}}<img src="{{this.image_url}}" width="72" height="72" alt="{{this.title}}" style="display:block;border-radius:6px;">{{/if}}\n</td>\n`;
    inner += `<td style="padding:12px;border-bottom:1px solid #eeeeee;${this.style()}">\n{{#if @first}}<strong>{{/if}}<a href="{{this.url}}?utm_source={{../campaign.utm_source}}" style="color:${r.pick(COLORS)};">{{this.title}}</a>{{#if @first}}</strong>{{/if}}`;
    if (loop.source !== 'recommendations') inner += `{{#if this.variant}} &middot; {{this.variant}}{{/if}} &times; {{this.quantity}}`;
    else inner += `{{#if this.reason}}<br><span style="font-size:13px;">{{this.reason}}</span>{{/if}}`;
    inner += `\n</td>\n<td align="right" style="padding:12px 0;border-bottom:1px solid #eeeeee;">{{this.price}}{{#unless @last}}&nbsp;{{/unless}}</td>\n</tr>\n`;
    inner += `{{else}}\n<tr><td colspan="3" style="${this.style()}">${this.sentence()}</td></tr>\n{{/each}}\n</table>\n`;
    if (loop.source === 'cart.items') {
      inner += `{{#if cart.total}}<p style="${this.style('font-weight:bold;')}">Total: {{cart.total}} {{cart.currency}}{{#if cart.discount_code}} with code {{cart.discount_code}}{{/if}}</p>{{/if}}\n`;
    }
    inner += `{{else}}\n<p style="${this.style()}">${this.sentence()}</p>\n{{/if}}\n`;
    inner += this.button(`{{store.url}}/${r.pick(['cart', 'shop', 'orders'])}?utm_source={{campaign.utm_source}}`, this.words(2, 4));
    this.row(inner);
  }

  private withBlock(): void {
    const field = this.random.pick(TEXT_FIELDS.filter((each) => each.path.startsWith('customer.')));
    const name = field.path.slice('customer.'.length);
    this.row(`{{#with customer}}\n<p style="${this.style()}">${this.sentence()} {{#if ${name}}}{{${name}}}{{else}}${SCHEMA_FIELDS[field.path]?.fallback ?? 'your account'}{{/if}} ${this.words(3, 7)}.</p>\n{{/with}}\n` +
      `<p style="${this.style()}">{{#if loyalty.points_to_next_tier}}Only {{loyalty.points_to_next_tier}} more points for {{#if loyalty.next_tier}}{{loyalty.next_tier}}{{else}}the next tier{{/if}}.{{/if}}</p>\n`);
  }

  private guardedBlock(): void {
    const r = this.random;
    const field = r.pick(TEXT_FIELDS);
    const flag = r.pick(BOOLEAN_FIELDS);
    let inner = `{{#if ${field.path}}}\n<p style="${this.style()}">${this.sentence()} {{${field.path}}} ${this.words(3, 9)}.</p>\n{{/if}}\n`;
    inner += `{{#unless ${flag}}}\n<p style="${this.style()}">${this.sentence()}</p>\n{{/unless}}\n`;
    if (r.chance(0.5)) inner += `{{#if customer.is_vip}}<p style="${this.style()}">${this.sentence()} {{lookup loyalty "tier"}}</p>{{/if}}\n`;
    this.row(inner);
  }

  private orderSummary(): void {
    let inner = `<p style="${this.style()}">Order {{order.number}}, placed {{order.placed_at}}.</p>\n`;
    inner += '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">\n';
    for (const part of ['subtotal', 'shipping', 'tax', 'total']) {
      inner += `<tr><td style="${this.style()}">${part[0].toUpperCase()}${part.slice(1)}</td><td align="right">{{order.${part}}}</td></tr>\n`;
    }
    inner += '</table>\n';
    inner += `{{#if order.tracking_url}}${this.button('{{order.tracking_url}}', 'Track your parcel')}{{/if}}\n`;
    inner += `<p style="${this.style()}">Shipping to {{order.shipping_address.name}}, {{order.shipping_address.city}}.</p>\n`;
    this.row(inner);
  }
}

/** One template of about `targetBytes`, the same for the same seed. */
export function generateTemplate(dialect: BenchDialect, targetBytes: number, seed: string): string {
  const random = new Random(`${SEED}/${seed}`);
  const writer = dialect === 'liquid' ? new LiquidWriter(random) : new HandlebarsWriter(random);
  return writer.build(targetBytes);
}

export function sizeFileName(dialect: BenchDialect, label: string): string {
  return `${dialect}-${label.replace(/\s+/g, '').toLowerCase()}.${dialect === 'liquid' ? 'liquid' : 'hbs'}`;
}

// ---- Workspace -------------------------------------------------------------------------------------

export const FOLDERS = ['onboarding', 'lifecycle', 'transactional', 'promotions', 'newsletters', 'drafts'];

/**
 * Template sizes (2,000 adding up to about 80 MB unless told otherwise): mostly 10-60 KB, a long tail
 * of large newsletters, as in a real template repository. Log-normal, then scaled to the total.
 */
export function workspaceSizes(random: Random, templates = WORKSPACE_TEMPLATES, totalBytes = WORKSPACE_BYTES): number[] {
  const raw: number[] = [];
  for (let i = 0; i < templates; i++) {
    // Box-Muller for a normal deviate.
    const u = 1 - random.next();
    const v = random.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    raw.push(Math.exp(0.7 * normal));
  }
  const scale = totalBytes / raw.reduce((sum, x) => sum + x, 0);
  return raw.map((x) => Math.max(3 * 1024, Math.min(400 * 1024, Math.round(x * scale))));
}

export interface Manifest {
  version: number;
  seed: string;
  sizes: { dialect: BenchDialect; label: string; file: string; bytes: number }[];
  workspace: { templates: number; bytes: number };
}

export function manifestPath(): string {
  return path.join(GENERATED_DIR, 'manifest.json');
}

/** The manifest of files already generated by this generator version, or undefined. */
export function currentManifest(): Manifest | undefined {
  if (!existsSync(manifestPath())) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(), 'utf8')) as Manifest;
    return manifest.version === GENERATOR_VERSION && manifest.seed === SEED ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export function generateAll(log: (line: string) => void = () => {}): Manifest {
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  mkdirSync(GENERATED_DIR, { recursive: true });
  const schema = schemaText();
  writeFileSync(path.join(GENERATED_DIR, 'mergewise.json'), schema);
  const manifest: Manifest = { version: GENERATOR_VERSION, seed: SEED, sizes: [], workspace: { templates: 0, bytes: 0 } };
  for (const dialect of ['liquid', 'handlebars'] as const) {
    for (const size of SIZES) {
      const text = generateTemplate(dialect, size.bytes, `${dialect}/${size.label}`);
      const file = sizeFileName(dialect, size.label);
      writeFileSync(path.join(GENERATED_DIR, file), text);
      manifest.sizes.push({ dialect, label: size.label, file, bytes: Buffer.byteLength(text) });
    }
  }
  log(`bench: wrote ${manifest.sizes.length} single templates to ${path.relative(process.cwd(), GENERATED_DIR)}/`);

  // A small workspace for the language-server latencies: the schema and the 100 KB Liquid template,
  // so that the server's background indexing has nothing else to read.
  const lspTemplate = path.join(LSP_WORKSPACE_DIR, LSP_TEMPLATE);
  mkdirSync(path.dirname(lspTemplate), { recursive: true });
  writeFileSync(path.join(LSP_WORKSPACE_DIR, 'mergewise.json'), schema);
  writeFileSync(lspTemplate, readFileSync(path.join(GENERATED_DIR, sizeFileName('liquid', '100 KB')), 'utf8'));

  mkdirSync(WORKSPACE_DIR, { recursive: true });
  writeFileSync(path.join(WORKSPACE_DIR, 'mergewise.json'), schema);
  const random = new Random(`${SEED}/workspace`);
  const sizes = workspaceSizes(random);
  for (const folder of FOLDERS) mkdirSync(path.join(WORKSPACE_DIR, 'emails', folder), { recursive: true });
  for (let i = 0; i < sizes.length; i++) {
    const folder = FOLDERS[i % FOLDERS.length];
    const extension = i % 5 === 4 ? 'html' : 'liquid';
    const name = `${String(i).padStart(4, '0')}-${random.pick(WORDS)}-${random.pick(WORDS)}.${extension}`;
    const text = generateTemplate('liquid', sizes[i], `workspace/${i}`);
    writeFileSync(path.join(WORKSPACE_DIR, 'emails', folder, name), text);
    manifest.workspace.templates++;
    manifest.workspace.bytes += Buffer.byteLength(text);
  }
  log(`bench: wrote ${manifest.workspace.templates} workspace templates, ${(manifest.workspace.bytes / 1024 / 1024).toFixed(1)} MB`);
  writeFileSync(manifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

// ---- The language server's large workspace ---------------------------------------------------------

/** Bump when the large workspace's output changes, so that it is written again. */
const LARGE_WORKSPACE_VERSION = 1;
export const LARGE_WORKSPACE_DIR = path.join(GENERATED_DIR, 'workspace-10k');
export const LARGE_WORKSPACE_TEMPLATES = 10_000;
/**
 * 16 KB a template on average (median 13 KB, 5% under 4 KB, 5% over 40 KB): the size of a hand-written
 * email, smaller than the 2,000-template workspace's 40 KB average, so that the workspace stays at
 * 160 MB on disk and a few seconds to write, rather than the 400 MB that average would make.
 */
export const LARGE_WORKSPACE_BYTES = 160 * 1024 * 1024;

export interface LargeWorkspaceManifest {
  version: number;
  seed: string;
  templates: number;
  bytes: number;
  /** The template an editor opens right after starting the server, relative to the workspace. */
  opened: string;
}

/**
 * Writes the 10,000-template workspace (the schema above, the templates spread over FOLDERS) unless
 * this version of it is there. Its own manifest, so that `generateAll` leaves it alone.
 */
export function generateLargeWorkspace(log: (line: string) => void = () => {}): LargeWorkspaceManifest {
  const manifestFile = path.join(LARGE_WORKSPACE_DIR, 'manifest.json');
  try {
    const existing = JSON.parse(readFileSync(manifestFile, 'utf8')) as LargeWorkspaceManifest;
    if (existing.version === LARGE_WORKSPACE_VERSION && existing.seed === SEED) return existing;
  } catch {
    // Not written yet, or by an older generator.
  }
  rmSync(LARGE_WORKSPACE_DIR, { recursive: true, force: true });
  for (const folder of FOLDERS) mkdirSync(path.join(LARGE_WORKSPACE_DIR, 'emails', folder), { recursive: true });
  writeFileSync(path.join(LARGE_WORKSPACE_DIR, 'mergewise.json'), schemaText());
  const random = new Random(`${SEED}/workspace-10k`);
  const sizes = workspaceSizes(random, LARGE_WORKSPACE_TEMPLATES, LARGE_WORKSPACE_BYTES);
  const manifest: LargeWorkspaceManifest = { version: LARGE_WORKSPACE_VERSION, seed: SEED, templates: 0, bytes: 0, opened: '' };
  for (let i = 0; i < sizes.length; i++) {
    const folder = FOLDERS[i % FOLDERS.length];
    const extension = i % 5 === 4 ? 'html' : 'liquid';
    const name = `${String(i).padStart(5, '0')}-${random.pick(WORDS)}-${random.pick(WORDS)}.${extension}`;
    const text = generateTemplate('liquid', sizes[i], `workspace-10k/${i}`);
    writeFileSync(path.join(LARGE_WORKSPACE_DIR, 'emails', folder, name), text);
    // One from the middle of the listing, so that the index reaches it neither first nor last.
    if (i === sizes.length >> 1) manifest.opened = `emails/${folder}/${name}`;
    manifest.templates++;
    manifest.bytes += Buffer.byteLength(text);
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`bench: wrote ${manifest.templates} templates, ${(manifest.bytes / 1024 / 1024).toFixed(1)} MB, to ${path.relative(process.cwd(), LARGE_WORKSPACE_DIR)}/`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  generateAll(console.log);
  console.log(`bench: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
