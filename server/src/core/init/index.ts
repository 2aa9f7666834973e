/**
 * `mergewise init`'s core: from the templates as `check` reads them, the `mergewise.json` that
 * declares every field they use (or the additions to an existing one), two sample recipients, and
 * a summary of what a person should look at. Plain data in, plain data out: the command line reads
 * the files and writes the results.
 */
import type { DialectId } from '../dialects/ids';
import { SHOPIFY_SYSTEM_TAGS } from '../dialects/liquid/system-tags';
import { loadSchema, SCHEMA_FILE_NAME } from '../schema/load';
import type { Schema } from '../schema/types';
import { chooseDialect } from '../workspace';
import { aliasCandidates, type AliasCandidate } from './aliases';
import { escapeGlob, templateGlobs } from './globs';
import { comparePaths, inferFields } from './infer';
import { Miner, type AliasConfirmation, type InitTemplate } from './mine';
import { PROPOSAL_MARKER, proposalDescription, proposeFor } from './proposals';
import { sampleRecipients, type SampleField, type SampleRecipientFile } from './recipients';
import { suspectedTypos, type SuspectedTypo } from './typos';
import { listParent, mergeInto, schemaText, type WrittenField } from './write';

export { PROPOSAL_MARKER } from './proposals';
export type { AliasConfirmation, InitTemplate, UseSource } from './mine';
export type { SampleRecipientFile } from './recipients';

export interface InitInput {
  templates: InitTemplate[];
  /** The `mergewise.json` already there: only what it lacks is proposed. */
  existing?: { text: string; schema: Schema };
  aliases?: AliasConfirmation[];
  /** Whether a file (relative to the schema's folder) already exists: sample recipients never replace one. */
  exists?: (relativePath: string) => boolean;
}

export interface InitSummary {
  /** Fields declared (new ones only, when merging). */
  fields: string[];
  templates: number;
  dialects: { dialect: DialectId; templates: number }[];
  /** Fields whose type the uses did not tell: written without a type. `conditionOnly` ones are only tested with `if`. */
  typeUnknown: { path: string; conditionOnly: boolean }[];
  /** Uses that told more than one type, and the type kept. */
  typeConflicts: { path: string; told: string[]; kept: string }[];
  /** Fallbacks that differ between the uses of a field: not written. */
  fallbackConflicts: { path: string; values: { value: string; uses: number }[] }[];
  /** Source and sensitivity proposals written in descriptions, to confirm. */
  proposals: { path: string; description: string }[];
  aliasCandidates: AliasCandidate[];
  aliasConflicts: string[];
  /** Templates with syntax errors: still mined. */
  syntaxErrors: { path: string; count: number; first: string }[];
  /** Uses the existing schema already declares. */
  alreadyDeclared: number;
  /** When merging: confirmed aliases added to declared fields. */
  aliasesAdded: string[];
  /** Names that look like a misspelling of another field: not declared, so that `check` reports them. */
  suspectedTypos: SuspectedTypo[];
  /**
   * Shopify's own names the `liquid` templates use (`shop.name`, `order_status_url`): with two or
   * more, a new mergewise.json says `"liquid": {"platform": "shopify"}` and declares none of them.
   */
  shopify?: { names: string[] };
}

export interface InitProposal {
  /** The text of `mergewise.json` to write: new, or the existing one with the additions. */
  schemaText: string;
  /** False when there was an existing file and nothing is missing from it. */
  changed: boolean;
  merged: boolean;
  /** Sample recipients to write (none when merging); those already there are in `recipientsKept`. */
  recipients: SampleRecipientFile[];
  recipientsKept: string[];
  summary: InitSummary;
}

export function proposeSchema(input: InitInput): InitProposal {
  const templates = [...input.templates].sort((a, b) => comparePaths(a.path, b.path));
  const miner = new Miner(input.existing?.schema, input.aliases ?? []);
  for (const template of templates) miner.add(template);
  const { evidence } = miner;
  const inferred = inferFields(evidence.fields);
  let written: WrittenField[] = inferred.map((field) => {
    const description = input.existing?.schema.fields.has(field.path) ? undefined : proposalDescription(proposeFor(field.path));
    return description === undefined ? field : { ...field, description };
  });
  const existing = input.existing;
  const shopify = existing ? undefined : shopifyNames(written);
  if (shopify) written = written.filter((f) => !shopify.includes(f.path));
  const typos = suspectedTypos(written, existing?.schema);
  if (typos.length) written = written.filter((f) => !typos.some((typo) => typo.path === f.path));
  const fresh = existing ? written.filter((f) => !existing.schema.fields.has(f.path)) : written;
  const summary: InitSummary = {
    fields: fresh.map((f) => f.path),
    templates: templates.length,
    dialects: [...evidence.dialects].map(([dialect, count]) => ({ dialect, templates: count })).sort((a, b) => comparePaths(a.dialect, b.dialect)),
    typeUnknown: fresh.filter((f) => f.type === undefined).map((f) => ({ path: f.path, conditionOnly: f.conditionOnly })),
    typeConflicts: fresh.filter((f) => f.typeConflict).map((f) => ({ path: f.path, told: f.typeConflict!, kept: f.type! })),
    fallbackConflicts: fresh.filter((f) => f.fallbackConflict).map((f) => ({ path: f.path, values: f.fallbackConflict! })),
    proposals: fresh.filter((f) => f.description?.includes(PROPOSAL_MARKER)).map((f) => ({ path: f.path, description: f.description! })),
    aliasCandidates: aliasCandidates(fresh.filter((f) => listParent(f.path) === undefined)
      .map((f) => ({ path: f.path, dialects: f.dialects, uses: f.uses }))),
    aliasConflicts: evidence.aliasConflicts,
    syntaxErrors: evidence.syntaxErrors,
    alreadyDeclared: evidence.alreadyDeclared,
    aliasesAdded: [],
    suspectedTypos: typos,
  };
  if (shopify) summary.shopify = { names: shopify };

  if (existing) {
    const merged = mergeInto(existing.text, existing.schema, written);
    summary.aliasesAdded = merged.aliasesAdded;
    return { schemaText: merged.text, changed: merged.text !== existing.text, merged: true, recipients: [], recipientsKept: [], summary };
  }

  const recipientGlob = 'recipients/*.json';
  let globs = templateGlobs(templates.map((t) => ({ path: t.path, dialect: t.dialect })));
  const liquidPlatform = shopify ? 'shopify' : undefined;
  let text = schemaText({ templates: globs, liquidPlatform, recipients: [recipientGlob], fields: written });
  // Every template must keep its dialect: one a glob misses is named first.
  const loaded = loadSchema(text, SCHEMA_FILE_NAME, '.').schema;
  const missed = templates.filter((t) => chooseDialect(loaded, t.path, '').id !== t.dialect);
  if (missed.length) {
    globs = [...missed.map((t) => ({ glob: escapeGlob(t.path), dialect: t.dialect })), ...globs];
    text = schemaText({ templates: globs, liquidPlatform, recipients: [recipientGlob], fields: written });
  }
  const samples = sampleRecipients(sampleFields(written));
  const exists = input.exists ?? (() => false);
  return {
    schemaText: text,
    changed: true,
    merged: false,
    recipients: samples.filter((file) => !exists(file.path)),
    recipientsKept: samples.filter((file) => exists(file.path)).map((file) => file.path),
    summary,
  };
}

/** Names only Shopify's notifications fill in: seeing two of them, the templates are Shopify's. */
const SHOPIFY_ONLY = /^(shop\.|shop_name$|email_title$|order_status_url$)/;

/**
 * The names Shopify fills in that the `liquid` templates use, when at least two of them are
 * Shopify's alone (`shop.email_logo_url`, `order_status_url`); undefined otherwise. Braze, the
 * default platform, has none of them.
 */
function shopifyNames(fields: WrittenField[]): string[] | undefined {
  const liquidOnly = fields.filter((f) => f.dialects.length === 1 && f.dialects[0] === 'liquid' && SHOPIFY_SYSTEM_TAGS.has(f.path));
  if (liquidOnly.filter((f) => SHOPIFY_ONLY.test(f.path)).length < 2) return undefined;
  return liquidOnly.map((f) => f.path);
}

/** The fields as sample recipients hold them: list items inside their lists. */
function sampleFields(fields: WrittenField[]): SampleField[] {
  const byPath = new Map<string, SampleField>();
  const top: SampleField[] = [];
  for (const field of fields) {
    const sample: SampleField = { path: field.path, type: field.type };
    byPath.set(field.path, sample);
    const parent = listParent(field.path);
    const list = parent === undefined ? undefined : byPath.get(parent);
    if (parent === undefined || !list) { top.push(sample); continue; }
    (list.items ??= []).push({ ...sample, path: field.path.slice(parent.length + 3) });
    byPath.set(field.path, list.items[list.items.length - 1]);
  }
  // Nested lists: an item's own items were attached to the copy kept in byPath.
  return top;
}
