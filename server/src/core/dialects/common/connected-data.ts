/**
 * Connected data: what a template fetches at send time and keeps in a variable of its own (Braze's
 * `{% connected_content URL :save offer %}` and `{% catalog_items games 123 %}`, Iterable's data
 * feeds read as `[[field]]`, AMPscript's `SET @json = HTTPGet(…)`), and data the platform reads for the
 * send from its own stores: Marketing Cloud data extensions (`Lookup("Loyalty_Members", "Points", …)`,
 * `LookupRows`, `ClaimRow`, then `Row`/`Field`) and HubSpot CRM objects (`crm_object("deal", id, "amount")`,
 * `crm_objects`, `crm_associations`), and the Liquid variables a Braze content block may set, read after
 * `{{content_blocks.${name}}}` (the block runs in the message's scope). Its names are neither recipient fields (the schema does not
 * describe them) nor unknown ones: their origin is the fetch or the lookup. (Data extensions may be
 * declared under `dataExtensions` in mergewise.json, which `unknown-field` checks their names against.)
 *
 * Scanners record each source and every read of its variable; the rules leave them alone, the hover
 * says where the data comes from, and the preview fills them from a sample recipient's `$connected`
 * mock responses, never from the network.
 */
import type { Span } from '../../model';
import type { UseContext } from '../dialect';

export type ConnectedDataKind =
  | 'connected-content' | 'catalog-items' | 'data-feed' | 'http-get' | 'data-extension' | 'crm-object'
  /** A Liquid variable a Braze content block included above may set (it runs in the message's scope). */
  | 'content-block';

export interface ConnectedDataSource {
  kind: ConnectedDataKind;
  /** The variable the data is saved as, which `$connected` mocks are keyed by: `offer`, `items`, `@json`. */
  name: string;
  /** Where it comes from, as written: the URL (with its merge tags), the catalog's name, the content blocks included before; null when unsaid. */
  from: string | null;
  /** The tag or call that fetches it. */
  tagSpan: Span;
  /** What is read: the data extension's name (`Loyalty_Members`), the CRM object type (`deal`). */
  object?: string;
}

export interface ConnectedDataUse {
  /** Index into `ConnectedData.sources`. */
  source: number;
  /** The reference as written: `offer.code`, `[[title]]`'s `title`. */
  written: string;
  span: Span;
  tagSpan: Span;
  context: UseContext;
  /** The column or property read: `Points` of a data extension, `amount` of a CRM deal. */
  property?: string;
  /**
   * The name itself, written in a string: a data extension's name (no `property`) or a column's. Findings
   * about the name (`dataExtensions` in mergewise.json) go here, not on the variables that carry the value.
   */
  literal?: true;
}

export interface ConnectedData {
  sources: ConnectedDataSource[];
  uses: ConnectedDataUse[];
}

/** What a `ConnectedDataKind` is called in messages. */
export const CONNECTED_KIND_NAMES: Record<ConnectedDataKind, string> = {
  'connected-content': 'connected content',
  'catalog-items': 'catalog items',
  'data-feed': 'data feed',
  'http-get': 'HTTP response',
  'data-extension': 'data extension',
  'crm-object': 'CRM',
  'content-block': 'content block variable',
};

/** Read by the platform from its own stores at send time (not fetched from a URL): a content block is Braze's. */
export function isStoredData(source: ConnectedDataSource): boolean {
  return source.kind === 'data-extension' || source.kind === 'crm-object' || source.kind === 'content-block';
}

/** "connected content saved as `offer` from https://api.example.com/u/…". */
export function describeConnectedSource(source: ConnectedDataSource, maxLength = 60): string {
  if (source.kind === 'data-extension') return `data extension \`${source.object ?? source.name}\``;
  if (source.kind === 'crm-object') return `CRM ${source.object ?? 'object'}${source.from === null ? '' : ` from \`${clip(source.from, maxLength)}\``}`;
  if (source.kind === 'content-block') return `a variable the template never sets, which a content block included above may set (${clip(source.from ?? '', maxLength)})`;
  const from = source.from === null ? '' : ` from ${clip(source.from, maxLength)}`;
  return `${CONNECTED_KIND_NAMES[source.kind]} saved as \`${source.name}\`${from}`;
}

/**
 * What one read is, for the hover: "data extension `Loyalty_Members`, column `Points`", "CRM deal,
 * property `amount`, from `crm_object("deal", module.deal_id, "amount")`".
 */
export function describeConnectedUse(source: ConnectedDataSource, use: ConnectedDataUse, maxLength = 60): string {
  if (use.property === undefined) return describeConnectedSource(source, maxLength);
  if (source.kind === 'data-extension') return `data extension \`${source.object ?? source.name}\`, column \`${use.property}\``;
  if (source.kind === 'crm-object') {
    return `CRM ${source.object ?? 'object'}, property \`${use.property}\`${source.from === null ? '' : `, from \`${clip(source.from, maxLength)}\``}`;
  }
  return describeConnectedSource(source, maxLength);
}

function clip(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** The connected-data read at `offset`, if any. */
export function connectedUseAt(connected: ConnectedData | undefined, offset: number): ConnectedDataUse | undefined {
  return connected?.uses.find((use) => offset >= use.span.start && offset <= use.span.end);
}

/**
 * The mock response a sample recipient's `$connected` gives a read: `offer.code` in
 * `{"offer": {"code": "SAVE10"}}`. A read that does not start with the variable's name (an Iterable
 * data feed's `[[title]]`) is looked up under it. An AMPscript variable's mock may be keyed with or
 * without its `@`; a data extension's by its name in any case (as Marketing Cloud compares names), and
 * a read of one of its columns takes the column of the first row (the row `Lookup` returns).
 */
export function connectedMockValue(mocks: Record<string, unknown> | undefined, source: ConnectedDataSource, use: Pick<ConnectedDataUse, 'written' | 'property'>): { mocked: boolean; value: unknown } {
  const key = mockKey(mocks, source);
  if (key === undefined) return { mocked: false, value: undefined };
  let value = mocks![key];
  if (source.kind === 'data-extension') {
    if (use.property === undefined) return { mocked: true, value };
    return { mocked: true, value: columnOf(Array.isArray(value) ? value[0] : value, use.property) };
  }
  const { written } = use;
  const named = [source.name, key].find((name) => written === name || written.startsWith(`${name}.`) || written.startsWith(`${name}[`));
  const rest = named === undefined ? written : written.slice(named.length);
  for (const segment of rest.split(/[.[\]]/)) {
    if (segment) value = stepInto(value, segment.replace(/^['"]|['"]$/g, ''));
  }
  return { mocked: true, value };
}

/** The key of `mocks` that mocks `source`, if any. */
function mockKey(mocks: Record<string, unknown> | undefined, source: ConnectedDataSource): string | undefined {
  if (!mocks) return undefined;
  const own = (key: string) => Object.prototype.hasOwnProperty.call(mocks, key);
  if (own(source.name)) return source.name;
  if (source.kind === 'http-get' && source.name.startsWith('@') && own(source.name.slice(1))) return source.name.slice(1);
  if (source.kind === 'data-extension') return sameName(Object.keys(mocks), source.name);
  return undefined;
}

/** The name in `names` equal to `name` without regard to case. */
function sameName(names: Iterable<string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const candidate of names) if (candidate.toLowerCase() === lower) return candidate;
  return undefined;
}

/** A data extension row's column, by name in any case. */
function columnOf(row: unknown, column: string): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const key = sameName(Object.keys(row), column);
  return key === undefined ? undefined : (row as Record<string, unknown>)[key];
}

/**
 * The mocks a preview reads for one sample recipient: its own `$connected`, and for each data extension
 * it does not mock, the sample `rows` declared in mergewise.json (the same for every recipient, as the
 * table is).
 */
export function previewMocks(
  recipientMocks: Record<string, unknown> | undefined,
  dataExtensions: ReadonlyMap<string, { name: string; rows?: Record<string, unknown>[] }> | undefined,
): Record<string, unknown> | undefined {
  let mocks = recipientMocks;
  for (const extension of dataExtensions?.values() ?? []) {
    if (extension.rows === undefined || (mocks && sameName(Object.keys(mocks), extension.name) !== undefined)) continue;
    mocks = { ...mocks, [extension.name]: extension.rows };
  }
  return mocks;
}

function stepInto(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    const index = /^\d+$/.test(key) ? Number(key) : key === 'first' ? 0 : key === 'last' ? value.length - 1 : undefined;
    if (index !== undefined) return value[index];
    if (key === 'size') return value.length;
    return undefined;
  }
  if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
