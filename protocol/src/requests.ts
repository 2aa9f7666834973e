/**
 * Mergewise's own requests between the VS Code client and the server. Shared by both sides, so it
 * imports nothing but types.
 */
import type { Range } from 'vscode-languageserver-types';
import type { QuadrantId } from './quadrants';

/** `{ uri }` → DocumentInfo: what the status bar shows for the active editor. */
export const DOCUMENT_INFO_REQUEST = 'mergewise/documentInfo';
/** `{ uri, name }` → boolean: the sample recipient that inlay hints show. */
export const SET_RECIPIENT_REQUEST = 'mergewise/setActiveRecipient';
/** `{ uri }` → QuadrantEntry[]: every field use with its quadrant (none for a field without a source). */
export const QUADRANTS_REQUEST = 'mergewise/quadrants';

/** `{}` → ModuleEntry[]: every partial the workspace's templates include, who includes it, and the fields it uses. */
export const MODULES_REQUEST = 'mergewise/modules';

export interface ModuleEntry {
  /** The partial's file (absolute path). */
  file: string;
  /** Its path as messages show it: relative to mergewise.json's folder. */
  shown: string;
  /** The files that include it directly (absolute paths). */
  includedBy: string[];
  fields: ModuleField[];
}

export interface ModuleField {
  /** The field, in the sending templates' terms (a parameter is the field the caller passes). */
  field: string;
  /** A fallback or guard covers it in every template that sends the partial. */
  covered: boolean;
  /** Each sending template (absolute path), and whether a fallback or guard covers the field there. */
  templates: { file: string; covered: boolean }[];
}

export interface DocumentInfo {
  /** Undefined when Mergewise does not check this document. */
  dialect?: { id: string; label: string; reason: string };
  recipients: { name: string; file: string; jurisdiction?: string }[];
  active?: string;
  problems: string[];
  /** From `mergewise.audience.json` beside mergewise.json, when there is one. */
  audience?: AudienceInfo;
  /**
   * For a partial: the sending template whose values its inlay hints and hover show (the one last
   * focused, else the first), as a path relative to mergewise.json's folder.
   */
  shownThrough?: string;
}

/** A template's coverage in the audience snapshot, for the status bar's tooltip. Shares are 0 to 1. */
export interface AudienceInfo {
  /** The day the snapshot was taken (`2026-11-30`). */
  date: string;
  rows: number;
  /** Older than `audience.maxSnapshotAgeDays`. */
  old: boolean;
  /** Why the snapshot cannot be read; nothing else is set then but `date: ''` and `rows: 0`. */
  problem?: string;
  /** Undefined when the snapshot has no measurement of this template. */
  template?: { recipients: number; seeFallback: number; seeBlank: number; seeStale: number; aborted: number | null; approximate: boolean };
}

export interface QuadrantEntry {
  field: string;
  /** Undefined for a field in no quadrant: mergewise.json gives it no `source` (nor `expected`). */
  quadrant?: QuadrantId | undefined;
  /** The quadrant's name as the README gives it: "surveillance". */
  name?: string | undefined;
  range: Range;
  purposes: string[];
}

/** PreviewParams → PreviewResult: the template, as its current (unsaved) text, rendered for each sample recipient. */
export const PREVIEW_REQUEST = 'mergewise/preview';
/** `{ uri }` → NewRecipientResult: a sample recipient with every optional field empty, and where to write it. */
export const NEW_RECIPIENT_REQUEST = 'mergewise/newRecipient';

export interface PreviewParams {
  uri: string;
  /** `all` (the default), or the names of the recipients to render. */
  recipients?: 'all' | string[];
  /** Recipient files picked from outside the schema's `recipients` globs, for this session. */
  extraRecipientFiles?: string[];
  /** Files the client saw change (a saved or new recipient), taken into account before rendering. */
  changedFiles?: string[];
  /** Time budget of one rendering, in milliseconds; the render worker is stopped soon after. */
  timeoutMs?: number;
}

export interface PreviewMarkCounts {
  fallback: number;
  blank: number;
  stale: number;
  raw: number;
}

export interface PreviewRecipient {
  name: string;
  /** The recipient's JSON file (absolute path). */
  file: string;
  jurisdiction?: string;
  /** Picked from a file for this session, outside the `recipients` globs. */
  picked?: boolean;
  /** "3 fallbacks, 1 blank, 1 stale", or what stopped the rendering. */
  summary: string;
  counts: PreviewMarkCounts;
  /** The template stops this recipient's send (`abort_message`), with its reason. */
  aborted?: string;
  /** The rendering failed or hit a limit. */
  error?: string;
  /** The rendered email's size in bytes (UTF-8 of the HTML as sent, without the preview's marks); absent when not rendered. */
  size?: number;
  /** Over Gmail's 102 KB (`GMAIL_CLIP_BYTES` in email-size.ts: 104,448 bytes): Gmail clips this email. Set with `size`. */
  clipped?: boolean;
  /** The email body with `<mark>`s carrying `data-start`/`data-end` template offsets; empty when aborted or failed. */
  html: string;
}

export interface PreviewResult {
  uri: string;
  /** The document version rendered. */
  version: number;
  /** The template's file name. */
  template: string;
  dialect?: { id: string; label: string };
  /** A plain-text template: `html` is escaped, monospaced text. */
  plainText: boolean;
  recipients: PreviewRecipient[];
  /** Problems with recipient files, each saying where. */
  problems: string[];
  /** Why there is nothing to render, and what to do about it. */
  notice?: string;
}

export type NewRecipientResult = { file: string; content: string } | { error: string };

/** InitParams → InitResult: what `mergewise init` would create in a folder, as files for the client to create (never to replace). */
export const INIT_REQUEST = 'mergewise/init';
/**
 * Server → client, once per session: a template has no mergewise.json above it. Sent instead of the
 * "only syntax checks run" message to a client whose capabilities hold `experimental.mergewise.initOffer: true`.
 */
export const INIT_AVAILABLE_NOTIFICATION = 'mergewise/initAvailable';

export interface InitAvailableParams {
  /** The workspace folder the template is in (its URI): where mergewise.json would go. */
  folder: string;
  /** The template opened (its URI). */
  template: string;
  /** The notice other editors get, for a client that shows it as it is. */
  message: string;
}

export interface InitParams {
  /** The folder's URI; the first workspace folder without it. */
  folder?: string;
}

export interface InitResult {
  /** The folder's URI. */
  folder: string;
  /** Files to create, none of them already there. Empty when mergewise.json exists. */
  files: { uri: string; path: string; text: string }[];
  /** Sample recipient files already there, kept as they are (relative paths). */
  kept: string[];
  /** When mergewise.json is already there: nothing is created; `proposedText` is the file with what is missing added (a dry run). */
  existing?: { uri: string; proposedText: string; changed: boolean };
  summary: {
    templates: number;
    /** Fields declared (new ones, when mergewise.json exists). */
    fields: number;
    /** Fields whose source or sensitivity is proposed for review. */
    proposals: string[];
    /** Fields left untyped: the uses do not tell their type. */
    typeUnknown: string[];
    /** Findings per rule that check reports with the proposed mergewise.json (hints aside). */
    findings: Record<string, number>;
  };
  /** Templates skipped, and why. */
  notices: string[];
  /** Why nothing can be proposed (no templates, a mergewise.json that is not valid JSON); the files and summary are empty then. */
  error?: string;
}

/** ReportParams → ReportResult: the send-readiness report of a workspace folder, as `mergewise report` writes it, as a page for a webview. */
export const REPORT_REQUEST = 'mergewise/report';

export interface ReportParams {
  /** The folder's URI; the first workspace folder without it. */
  folder?: string;
  /** The webview's nonce: the page's one script (protocol/src/report-panel.ts) runs under it, nothing else. */
  nonce: string;
}

export interface ReportResult {
  /** The folder's URI. Links in the page are relative to it (`emails/a.liquid#L12`). */
  folder: string;
  /** The whole page, with its Content-Security-Policy. */
  html: string;
  templates: number;
  /** Templates with no failing item. */
  ready: number;
}
