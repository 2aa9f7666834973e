import type { DialectId } from '../ids';
import type { SystemTags } from '../common/system-tags';

/** What differs between the Django-style dialects: Klaviyo (Django) and HubSpot HubL (Jinja). */
export interface DjangoFlavor {
  id: Extract<DialectId, 'klaviyo' | 'hubl'>;
  /** The platform, for messages: "Klaviyo", "HubSpot". */
  platform: string;
  /** What the platform does with a template it cannot parse, for messages. */
  rejects: string;
  /**
   * Jinja (HubL): tags may span lines, `{%-`/`-%}` trim whitespace, expressions have operators,
   * parentheses and calls, filters take `(arguments)`. Django (Klaviyo): a tag must open and close
   * on one line (otherwise it is plain text, sent as is), and filters take one `:argument`.
   */
  jinja: boolean;
  /** Block tags, opening name to closing name, besides `if`, `for` and `with`. */
  blocks: Record<string, string>;
  /** Tags whose body is not template code: opening name to closing name. */
  verbatim: Record<string, string>;
  /** Tags the platform adds that open nothing (`{% unsubscribe %}`). */
  standaloneTags: string[];
  /**
   * Django refuses an unknown tag. HubL has dozens of module tags, so an unknown one is passed over,
   * unless it is a likely typo of a control tag (`{% esle %}`).
   */
  unknownTagsAreErrors: boolean;
  /** Other tags the platform knows, never taken for typos. */
  otherTags: string[];
  /** The loop's own variable: `forloop` (Django), `loop` (Jinja). */
  loopVariable: string;
  /** Roots that are the platform's, not recipient data (`organization.name`): those of `systemTags`. */
  systemRoots: string[];
  /** The platform's own names, from its documentation (`<dialect>/system-tags.ts`). */
  systemTags: SystemTags;
  /** The path as the schema's `aliases` write it: Klaviyo's `person.first_name` is `first_name`. */
  normalizePath(path: string): string;
  /** Whether `default` replaces this value. */
  defaultReplaces(value: unknown, args: unknown[]): boolean;
  /** How `true`/`false` print. */
  booleanText: [string, string];
  /** Output of the platform's own tags in previews. */
  renderTag(name: string, args: unknown[]): string;
  /** Values of system roots in previews (`organization.name`). */
  systemValue(path: string): unknown;
}
