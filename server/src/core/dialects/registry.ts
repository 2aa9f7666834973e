import type { Dialect } from './dialect';
import type { DialectId, HandlebarsFlavorId, LiquidPlatformId } from './ids';
import { handlebars, handlebarsWithHelpers } from './handlebars';
import { mandrillHandlebars } from './handlebars/mandrill';
import { hml } from './hml';
import { iterable } from './iterable';
import { liquid, shopifyLiquid } from './liquid';
import { postmark } from './postmark';
import { sendgrid } from './sendgrid';
import { klaviyo } from './klaviyo';
import { hubl } from './hubl';
import { ampscript } from './ampscript';
import { mailchimp } from './mailchimp';
import { marketo } from './marketo';

/**
 * Every dialect, by id: the compiler checks that each id of ids.ts has one. Adding a platform means
 * adding it here, and nothing in the rules.
 */
const DIALECTS: Record<DialectId, Dialect> = {
  liquid,
  // The Handlebars family: one shared scanner and renderer, one flavor per platform.
  handlebars,
  sendgrid,
  iterable,
  postmark,
  hml,
  // Django style: one shared parser and renderer, one flavor per platform.
  klaviyo,
  hubl,
  ampscript,
  mailchimp,
  marketo,
};

/** What `mergewise.json` says about its dialects' platforms (see schema/types.ts). */
export interface DialectSettings {
  handlebarsFlavor?: HandlebarsFlavorId;
  handlebarsHelpers?: string[];
  liquidPlatform?: LiquidPlatformId;
}

/**
 * The dialect of an id, as a workspace's `mergewise.json` sets it up: for `handlebars`, the
 * platform's flavor when it names one (`"handlebars": {"flavor": "mandrill"}`), or the
 * application's own helpers (`"helpers": ["currency"]`); for `liquid`, the platform's system tags
 * (`"liquid": {"platform": "shopify"}`); always with the same id.
 */
export function getDialect(id: DialectId, settings?: DialectSettings): Dialect {
  if (id === 'handlebars' && settings?.handlebarsFlavor === 'mandrill') return mandrillHandlebars;
  if (id === 'handlebars' && settings?.handlebarsHelpers?.length) return handlebarsWithHelpers(settings.handlebarsHelpers);
  if (id === 'liquid' && settings?.liquidPlatform === 'shopify') return shopifyLiquid;
  return DIALECTS[id];
}

export function implementedDialects(): Dialect[] {
  return Object.values(DIALECTS);
}

/**
 * The order in which content is recognised: the most specific syntax first (AMPscript's `%%[`,
 * Mailchimp's `*|NAME|*`, one Handlebars platform's own helpers), plain Handlebars blocks and
 * Liquid's bare tags last.
 */
const RECOGNITION_ORDER: DialectId[] = ['ampscript', 'mailchimp', 'marketo', 'hml', 'sendgrid', 'iterable', 'postmark', 'hubl', 'klaviyo', 'handlebars', 'liquid'];

/** Recognizes a platform by syntax only it uses; undefined when nothing stands out. */
export function detectDialect(text: string): DialectId | undefined {
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  return RECOGNITION_ORDER.find((id) => DIALECTS[id].syntax.signature?.test(sample));
}

/** The dialect whose own extension this is (`.liquid`), if any. */
export function dialectForExtension(extension: string): DialectId | undefined {
  return EXTENSIONS.get(extension.toLowerCase());
}

const EXTENSIONS = new Map(implementedDialects().flatMap((dialect) => dialect.syntax.extensions.map((extension) => [extension, dialect.id] as const)));

/** Extensions used only for merge-tag templates: checked with or without a schema. */
export const DEDICATED_TEMPLATE_EXTENSIONS: ReadonlySet<string> = new Set(EXTENSIONS.keys());

/** Every dialect's tag openers and closers, longest first, for reading what the cursor is inside. */
export const TAG_OPENERS = distinctLongestFirst(implementedDialects().flatMap((dialect) => dialect.syntax.openers));
export const TAG_CLOSERS = distinctLongestFirst(implementedDialects().flatMap((dialect) => dialect.syntax.closers));

/** Any dialect's merge syntax, as it would reach the inbox as text when a rendering goes wrong. */
export const RAW_MERGE_SYNTAX = new RegExp([...new Set(implementedDialects().map((dialect) => dialect.syntax.rawSyntax.source))].join('|'), 'g');

function distinctLongestFirst(items: string[]): string[] {
  return [...new Set(items)].sort((a, b) => b.length - a.length);
}
