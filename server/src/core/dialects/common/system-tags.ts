/**
 * Names a platform fills in itself (unsubscribe links, sender details, send dates): never recipient
 * data, so never an unknown field. Each dialect keeps one list of them, written from the platform's
 * documentation (`dialects/<dialect>/system-tags.ts`); its scanner reads the list to tell a system
 * tag from a field, and records each one it meets as a `SystemUse`, which the hover describes.
 */
import type { Span } from '../../model';

export interface SystemTag {
  /** As the template writes it inside the dialect's delimiters: `UNSUB`, `organization.name`, `_subscriberkey`. */
  name: string;
  /** What the platform fills in there, for the hover. */
  description: string;
  /** Stands for every name that starts with `name` (`LIST:`, `campaign.`); `example` is one of them. */
  prefix?: boolean;
  example?: string;
  /** Written as a tag of its own (`{% unsubscribe %}`), not as a value (`{{ organization.name }}`). */
  tag?: boolean;
}

/** A system tag met in a template. */
export interface SystemUse {
  /** The list entry it matched. */
  name: string;
  /** As written. */
  written: string;
  span: Span;
  description: string;
}

/** One platform's list, with the lookups its scanner needs. */
export class SystemTags {
  private readonly exact = new Map<string, SystemTag>();
  /** Longest first, so `most_recently_used_device.` wins over a shorter prefix; each with its lookup key. */
  private readonly prefixes: { key: string; entry: SystemTag }[];

  constructor(
    /** Who fills them in, for the hover: "Mailchimp". */
    readonly platform: string,
    readonly entries: readonly SystemTag[],
    private readonly caseInsensitive = false,
  ) {
    // A name listed both as a tag of its own and as a value (Klaviyo's `now`): the tag entry answers
    // lookups, and the value entry makes its root a system root.
    for (const entry of entries) if (!entry.prefix && !this.exact.get(this.key(entry.name))?.tag) this.exact.set(this.key(entry.name), entry);
    this.prefixes = entries.filter((entry) => entry.prefix).sort((a, b) => b.name.length - a.name.length).map((entry) => ({ key: this.key(entry.name), entry }));
  }

  /** The entry a written name is, exactly or by a prefix entry; undefined for anything else. */
  find(written: string): SystemTag | undefined {
    const key = this.key(written);
    const exact = this.exact.get(key);
    if (exact) return exact;
    for (const prefix of this.prefixes) if (key.startsWith(prefix.key)) return prefix.entry;
    return undefined;
  }

  has(written: string): boolean {
    return this.find(written) !== undefined;
  }

  /** The first segments of the value names (`organization` of `organization.name`), for scanners that read roots. */
  roots(): string[] {
    return [...new Set(this.entries.filter((entry) => !entry.tag).map((entry) => entry.name.split('.')[0]))];
  }

  /** The exact names, as the list writes them (for sets kept by older code). */
  names(): string[] {
    return this.entries.filter((entry) => !entry.prefix).map((entry) => entry.name);
  }

  private key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }
}

/** The hover's text for a system tag. */
export function systemTagMarkdown(use: SystemUse, platform: string | undefined): string {
  return `**${use.written}**: filled in by ${platform ?? 'the platform'}, not recipient data. ${use.description}`;
}
