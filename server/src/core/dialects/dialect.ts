import type { Span } from '../model';
import type { DialectId } from './ids';
import type { SystemTags, SystemUse } from './common/system-tags';

/**
 * The dialect-neutral result of scanning one template. Rules only ever see this, so adding a
 * platform never touches a rule.
 */
export interface TemplateScan {
  uses: FieldUse[];
  /** Data fetched at send time and the reads of the variable it is saved in: neither fields nor unknown names. */
  connected?: import('./common/connected-data').ConnectedData;
  /** Braze outputs written inside a tag's markup (`{% if {{${x}}} == 1 %}`), read as the value they stand for. */
  embeddedOutputs?: Span[];
  /** Liquid: the offsets of `(` and `)` that group a condition's parts (`{% if (a == 1) and b %}`), which Liquid passes over. */
  conditionBrackets?: number[];
  syntaxErrors: SyntaxProblem[];
  /** Conditionals with two or more branches, for `duplicate-branches`. */
  branchGroups: BranchGroup[];
  /** `mergewise purpose: ID` directives found in the dialect's own comments. */
  purposeDirectives: PurposeDirective[];
  /** Where each loop variable is bound, for completion inside loops. */
  loopScopes?: LoopScope[];
  /** Partials, snippets and content blocks the template pulls in, in the order written. */
  includes?: IncludeSite[];
  /** The parameters a partial declares it takes (LiquidDoc `@param`, or a `mergewise param` comment). */
  parameters?: ParameterDeclaration[];
  /** Tags the platform fills in itself (`*|UNSUB|*`, `organization.name`): never fields. */
  systemUses?: SystemUse[];
}

/**
 * How a platform pulls one file into another. Resolution conventions and whether the partial sees
 * the caller's variables follow from it.
 */
export type IncludeKind =
  /** Liquid `{% render %}`: the partial sees only what is passed (and the recipient's fields). */
  | 'render'
  /** Liquid, HubL and Django `{% include %}`: the partial sees the caller's variables too. */
  | 'include'
  /** Braze `{{content_blocks.${name}}}`. */
  | 'content-block'
  /** Handlebars `{{> name}}` and `{{#> layout}}…{{/layout}}`: the partial sees the current context. */
  | 'partial'
  /** Iterable `{{{snippet "name" arg…}}}`. */
  | 'snippet'
  /** HubL and Django `{% import %}` / `{% from … import %}`: macros. */
  | 'import'
  /** Django and HubL `{% extends %}`: the layout the template fills. */
  | 'extends'
  /** AMPscript `ContentBlockByKey` / `ContentBlockByName` / `ContentBlockByID`. */
  | 'content-block-key'
  | 'content-block-name'
  | 'content-block-id';

export interface IncludeSite {
  kind: IncludeKind;
  /** The partial's name or key as the platform reads it (quotes removed); null when it is computed at send time. */
  name: string | null;
  /** Span of the name as written (with its quotes), or of the expression that computes it. */
  nameSpan: Span;
  /** Span of the whole tag or call. */
  tagSpan: Span;
  /** What the caller passes, by the name the partial reads it under. */
  parameters: IncludeArgument[];
  /**
   * For partials that see the caller's current context (Handlebars inside `{{#each items}}`): the
   * path the partial's own names continue, `items[]`. Absent at the top level.
   */
  contextPath?: string;
  /** The partial sees the caller's variables (loop variables and locals), not only its parameters. */
  sharesScope: boolean;
  /** Caller's loop variables in scope at the include, with the array item each stands for. */
  loopVariables?: Record<string, string>;
  /**
   * For a partial that shares the caller's scope: the caller's own variables (`assign`, `capture`,
   * `set`) in scope at the include, each with the field it carries (and that field's fallback), or
   * null for one that holds no recipient data.
   */
  locals?: Record<string, { path: string; fallback: string | null } | null>;
  /** Data paths a surrounding conditional of the caller checks have a value, at the include. */
  guards: string[];
}

export interface IncludeArgument {
  /** The name the partial reads: `name` in `{% render 'greeting', name: customer.first_name %}`; for positional arguments, `0`, `1`, …. */
  name: string;
  /** The caller's data path the value comes from, resolved through the caller's loop variables; null for a literal or a local. */
  path: string | null;
  /** The fallback the caller gives the value, as the recipient would read it. */
  fallback: string | null;
  /** The literal's kind, when the value is one: for `partial-parameter` type checks. */
  literal?: 'string' | 'number' | 'boolean';
  span: Span;
  /** `{% render 'card' for items as item %}`: the partial runs once per item. */
  loop?: boolean;
}

/** One parameter a partial declares: `@param {string} [name] - description`. */
export interface ParameterDeclaration {
  name: string;
  /** As written: `string`, `number`, `boolean`, `object`, `array`, or a platform type (`product`). */
  type?: string;
  required: boolean;
  description?: string;
  span: Span;
}

export interface LoopScope {
  /** The name the template uses for each item: `item`. */
  variable: string;
  /** The item's data path: `cart.items[]`. */
  itemPath: string;
  /** Where the variable is bound: the loop body. */
  body: Span;
}

/** Where data is used: copy the recipient reads, a condition, a loop source, a local assignment, or a filter argument. */
export type UseContext = 'output' | 'condition' | 'loop' | 'assign' | 'argument';

export interface FieldUse {
  /** The data path, resolved through loop variables, with array items as `[]`: `cart.items[].title`. */
  path: string;
  /** The reference exactly as written in the template. */
  written: string;
  /** Span of the reference itself. */
  span: Span;
  /** Span of the whole tag that holds it. */
  tagSpan: Span;
  context: UseContext;
  /** The fallback written in the template, as the recipient would read it; null when there is none. */
  fallback: string | null;
  /**
   * When the fallback is another field's value (`| default: billing_address.first_name`): that
   * field's data path. `fallback` is then the expression as written, not text a recipient reads.
   */
  fallbackField?: string;
  /** True inside a conditional that only runs when the field has a value. */
  guarded: boolean;
  /** Names of the filters or helpers applied to the value, in order. */
  filters: string[];
  /**
   * For an output built in the tag by joining literal text in front of the value (AMPscript's
   * `%%=RedirectTo(Concat("https://x.example/?e=", AttributeValue("City")))=%%`): that text, which
   * says where in a URL the value lands when the tag is the whole attribute value.
   */
  writtenBefore?: string;
}

export interface SyntaxProblem {
  span: Span;
  message: string;
}

export interface BranchGroup {
  /** The opening tag of the conditional. */
  tagSpan: Span;
  branches: Branch[];
}

export interface Branch {
  /** The tag that opens the branch (`{% if %}`, `{% else %}`, `{% when %}`). */
  tagSpan: Span;
  /** The content of the branch, between its tag and the next. */
  body: Span;
}

export interface PurposeDirective {
  purpose: string;
  span: Span;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

/**
 * What may be typed at the cursor, as a dialect with its own reading says (`completionSite`): a
 * name alone (`%%FirstNa`, `AttributeValue("Fi`), an expression (functions, variables, fields as
 * `fieldText` writes them) or a statement (its tags too). `close` is written after a name where the
 * delimiter that ends it is not there yet.
 */
export interface CompletionSite {
  kind: 'name' | 'expression' | 'statement';
  span: Span;
  fieldText(name: string): string;
  close?: string;
}

export interface CompletionEntry {
  label: string;
  detail: string;
  /** Snippet text in LSP syntax (`$1`, `${1:placeholder}`). */
  snippet?: string;
}

export interface RenderLimits {
  /** Wall-clock budget for one rendering, in milliseconds. */
  timeMs: number;
  /** Largest output kept, in UTF-16 code units. */
  outputChars: number;
  /** Budget for the engine's allocations (strings, loop items), in its own units. */
  memory: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeMs: 2000, outputChars: 2_000_000, memory: 50_000_000 };

export interface RenderRequest {
  text: string;
  scan: TemplateScan;
  /** Recipient data, nested by path segments. */
  data: Record<string, unknown>;
  /** The schema field path of each use, when it differs from what is written (aliases, Braze `${x}`). */
  schemaPathOf(useIndex: number): string | undefined;
  limits: RenderLimits;
  /**
   * The partial an include pulls in, by the include's kind and name as the platform reads it;
   * undefined when it resolves to no file. Absent when partials are not followed.
   */
  partial?(kind: IncludeKind, name: string): RenderPartial | undefined;
  /** The sample recipient's mock responses for connected data, by saved variable (`$connected`); the preview never fetches. */
  connected?: Record<string, unknown>;
}

/** What a rendering needs of the template, the same for every recipient. */
export type RenderTemplate = Omit<RenderRequest, 'data' | 'connected'>;
/** What a rendering needs of one recipient. */
export type RenderRecipient = Pick<RenderRequest, 'data' | 'connected'>;
/** A template made ready once (parsed or compiled), then rendered for one recipient at a time. */
export type PreparedRender = (recipient: RenderRecipient) => RenderResult;

/** A partial's text and scan, for rendering it where a template includes it. */
export interface RenderPartial {
  /** Its file, as the workspace names it: marks of its outputs carry it. */
  file: string;
  text: string;
  scan: TemplateScan;
  /** As `RenderRequest.schemaPathOf`, for this partial's uses. */
  schemaPathOf(useIndex: number): string | undefined;
}

export type RenderedValueKind = 'value' | 'fallback' | 'blank';

export interface RenderedValue {
  /** Index into `scan.uses` of the field whose output this is (the partial's scan when `partial` is set). */
  useIndex: number;
  kind: RenderedValueKind;
  /** The partial's `file` when the output is inside included content. */
  partial?: string;
  /** For an output of connected data: its index into `scan.connected.uses` (`useIndex` is then -1). */
  connected?: number;
}

/**
 * A rendering whose field outputs are wrapped as `MARK_START id MARK_SEPARATOR text MARK_END`,
 * where `id` indexes `values`, so that the preview can show what each recipient gets where.
 */
export interface RenderResult {
  output: string;
  values: RenderedValue[];
  /** The template stopped this recipient's send (Braze's `abort_message`), with its reason. */
  aborted?: string;
  /** The engine refused the template or hit a limit. */
  error?: string;
}

export const MARK_START = '\uE000';
export const MARK_SEPARATOR = '\uE001';
export const MARK_END = '\uE002';

/** How a dialect is recognised, and how its merge tags are written. */
export interface DialectSyntax {
  /** Extensions that are its own (`.liquid`): such a file is a template with or without a schema, read in this dialect unless the schema says otherwise. */
  extensions: string[];
  /** Syntax only this platform writes, to recognise it by content; tried in the registry's order. */
  signature?: RegExp;
  /** What its tags open and close with, for completion. */
  openers: string[];
  closers: string[];
  /** Its merge syntax, as a rendering that went wrong would show it in the inbox. */
  rawSyntax: RegExp;
}

/** One platform's merge-tag language. */
export interface Dialect {
  id: DialectId;
  /** Human name with the platforms that use it: "Liquid (Braze, Customer.io, Shopify)". */
  label: string;
  syntax: DialectSyntax;
  scan(text: string): TemplateScan;
  /** The edit that gives `use` the fallback `fallback`, in this dialect's syntax. */
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined;
  /** A comment, in this dialect's syntax, that never reaches the inbox and names purposes. */
  purposeDirective(purposeIds: string[]): string;
  /** What the recipient gets when a field is missing and nothing guards it. */
  missingValueOutcome: string;
  filters: CompletionEntry[];
  tags: CompletionEntry[];
  /**
   * Helpers are called right after the opener (`{{formatDate …}}`, `%%=Format(…)=%%`), so completion
   * offers `filters` and `tags` beside the fields there, not only after `|` and `{%`.
   */
  helpersAfterOpener?: boolean;
  /**
   * For a dialect whose code is not read as tags (AMPscript): what may be typed at `offset`, or
   * undefined for nothing. Without it, completion reads the tag around the cursor.
   */
  completionSite?(text: string, offset: number): CompletionSite | undefined;
  /** Renders with the platform's real engine where one exists. */
  render(request: RenderRequest): RenderResult;
  /**
   * Parses or compiles the template once for many recipients (the report renders each template for
   * every sample recipient); the renderings are those `render` gives. Without it, each recipient's
   * rendering starts from the text.
   */
  prepareRender?(template: RenderTemplate): PreparedRender;
  /** The kind of value each typed filter or helper expects, for `type-mismatch`. */
  filterInputs: Record<string, 'date' | 'number' | 'array'>;
  /**
   * The platform keeps each field's default outside the template (Mailchimp's audience defaults):
   * the schema's `fallback` stands for it, so uses get it before the rules run and before rendering.
   */
  schemaFallbacks?: boolean;
  /** The names the platform fills in itself, from its documentation (`<dialect>/system-tags.ts`). */
  systemTags: SystemTags;
}
