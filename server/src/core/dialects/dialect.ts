import type { Span } from '../model';
import type { DialectId } from './ids';

/**
 * The dialect-neutral result of scanning one template. Rules only ever see this, so adding a
 * platform never touches a rule.
 */
export interface TemplateScan {
  uses: FieldUse[];
  syntaxErrors: SyntaxProblem[];
  /** Conditionals with two or more branches, for `duplicate-branches`. */
  branchGroups: BranchGroup[];
  /** `mergewise purpose: ID` directives found in the dialect's own comments. */
  purposeDirectives: PurposeDirective[];
  /** Where each loop variable is bound, for completion inside loops. */
  loopScopes?: LoopScope[];
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
  /** True inside a conditional that only runs when the field has a value. */
  guarded: boolean;
  /** Names of the filters or helpers applied to the value, in order. */
  filters: string[];
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
}

export type RenderedValueKind = 'value' | 'fallback' | 'blank';

export interface RenderedValue {
  /** Index into `scan.uses` of the field whose output this is. */
  useIndex: number;
  kind: RenderedValueKind;
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
  /** Renders with the platform's real engine where one exists. */
  render(request: RenderRequest): RenderResult;
  /** The kind of value each typed filter or helper expects, for `type-mismatch`. */
  filterInputs: Record<string, 'date' | 'number' | 'array'>;
  /**
   * The platform keeps each field's default outside the template (Mailchimp's audience defaults):
   * the schema's `fallback` stands for it, so uses get it before the rules run and before rendering.
   */
  schemaFallbacks?: boolean;
}
