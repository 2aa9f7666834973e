import type { DialectId, HandlebarsFlavorId, LiquidPlatformId } from '../dialects/ids';
import type { RuleId, SeveritySetting, Span } from '../model';

export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'array', 'object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const SOURCES = ['declared', 'transactional', 'observed', 'inferred', 'third-party'] as const;
export type Source = (typeof SOURCES)[number];

export const SENSITIVITIES = ['none', 'personal', 'sensitive', 'special-category'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export interface FieldSpec {
  /** Dotted path; array items are written `cart.items[].title`. */
  path: string;
  /** Undefined when `mergewise.json` does not declare it: an untyped field is accepted as it is, never type-checked. */
  type?: FieldType;
  description?: string;
  source?: Source;
  expected?: boolean;
  fallback?: string;
  examples?: unknown[];
  sensitivity?: Sensitivity;
  maxAgeDays?: number;
  deprecated?: string;
  aliases: Partial<Record<DialectId, string>>;
  required: boolean;
  /** Where the field's key is written in `mergewise.json`, for go-to-definition. */
  keySpan: Span;
  /** Where the value of its `description` is written (quotes included), when it has one. */
  descriptionSpan?: Span;
  /** True when the schema declares no sub-fields, so any sub-path is accepted. */
  open: boolean;
}

export interface Purpose {
  id: string;
  segment?: string;
  tactic?: string;
  metric?: string;
  description?: string;
  fields: string[];
  templates: string[];
  keySpan: Span;
}

export interface TemplateDialectOverride {
  glob: string;
  dialect: DialectId;
}

/** Where includes resolve, beyond the conventions (`mergewise.json`'s `partials`). Paths are relative to its folder. */
export interface PartialsConfig {
  /** A partial's name, key or path as templates write it, to its file. */
  files: Map<string, string>;
  /** Globs of the files that are partials; when given, names resolve among them instead of the conventional folders. */
  globs: string[];
  /** AMPscript content blocks by `ContentBlockByKey`, `ContentBlockByName` and `ContentBlockByID`. */
  contentBlocks: { keys: Map<string, string>; names: Map<string, string>; ids: Map<string, string> };
}

/** How `mergewise audience` maps an audience export's columns to fields (`mergewise.json`'s `audience`). */
export interface AudienceConfig {
  /** Field path to the column (or `struct.member` / JSON path) that holds it, overriding the name rules. */
  columns: Map<string, string>;
  /** The column holding when each row was last updated, for `maxAgeDays`. */
  updatedAt?: string;
  /** Per field: the column holding when that field was last updated (wins over `updatedAt`). */
  updatedAtColumns: Map<string, string>;
  /** `rare-branch`: a branch taken by a smaller share of the snapshot's recipients is reported (default 0.001). */
  rareBranchShare?: number;
  /** A `mergewise.audience.json` taken longer ago than this many days is noted on mergewise.json (default 30). */
  maxSnapshotAgeDays?: number;
}

/** A column of a Marketing Cloud data extension (`mergewise.json`'s `dataExtensions`). */
export interface DataExtensionColumn {
  /** As declared. */
  name: string;
  type?: FieldType;
  description?: string;
}

/** A data extension the templates read with `Lookup`, `LookupRows`, `ClaimRow`…: not recipient fields. */
export interface DataExtensionSpec {
  /** As declared. */
  name: string;
  description?: string;
  /** By lower-cased name: Marketing Cloud compares data extension and column names without case. */
  columns: Map<string, DataExtensionColumn>;
  /** Sample rows: what the preview and hover read for a recipient whose file does not mock the data extension. */
  rows?: Record<string, unknown>[];
  keySpan: Span;
}

/** A subject line or preheader written in `mergewise.json`'s `subjects`: a template in its own right. */
export interface InboxLineSpec {
  /** The line as written (the JSON string's value). */
  text: string;
  /** The JSON string in mergewise.json, quotes included. */
  span: Span;
  /** Where `text[0]` is in mergewise.json, when the JSON string has no escapes (so offsets map one to one). */
  textStart?: number;
}

/** `"subjects": {"emails/welcome.liquid": {"subject": "Welcome, {{ customer.first_name }}", "preheader": "…"}}`. */
export interface TemplateSubjects {
  /** The template's path, relative to mergewise.json's folder. */
  template: string;
  subject?: InboxLineSpec;
  preheader?: InboxLineSpec;
  keySpan: Span;
}

export interface Schema {
  /** Absolute path of the `mergewise.json` file. */
  file: string;
  /** The folder it governs; globs are relative to it. */
  dir: string;
  dialect?: DialectId;
  /** The platform `handlebars` templates are written for (`"handlebars": {"flavor": "mandrill"}`); plain Handlebars without it. */
  handlebarsFlavor?: HandlebarsFlavorId;
  /**
   * Helpers the application registers for plain `handlebars` templates (`"handlebars": {"helpers":
   * ["currency", "ifCond"]}`): names the templates may call, inline or as blocks.
   */
  handlebarsHelpers?: string[];
  /** The platform `liquid` templates are sent through (`"liquid": {"platform": "shopify"}`), which decides its system tags; Braze without it. */
  liquidPlatform?: LiquidPlatformId;
  templates: TemplateDialectOverride[];
  recipients: string[];
  fields: Map<string, FieldSpec>;
  purposes: Map<string, Purpose>;
  rules: Partial<Record<RuleId, SeveritySetting>>;
  maxFileSize?: number;
  partials?: PartialsConfig;
  audience?: AudienceConfig;
  /** The subject line and preheader kept beside the templates (`subjects`), by template path. */
  subjects?: Map<string, TemplateSubjects>;
  /** Data extensions by lower-cased name; when declared, the names templates read are checked against them. */
  dataExtensions?: Map<string, DataExtensionSpec>;
}

export function isCompletePurpose(purpose: Purpose): boolean {
  return Boolean(purpose.segment?.trim() && purpose.tactic?.trim() && purpose.metric?.trim());
}

/** The recipient expects us to know data they gave us or that comes from dealing with us. */
export function isExpected(field: FieldSpec): boolean | undefined {
  if (field.expected !== undefined) return field.expected;
  if (!field.source) return undefined;
  return field.source === 'declared' || field.source === 'transactional' || field.source === 'observed';
}
