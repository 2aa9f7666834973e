/**
 * Mergewise's own requests between the VS Code client and the server. Shared by both sides, so it
 * imports nothing but types.
 */
import type { Range } from 'vscode-languageserver-types';

/** `{ uri }` → DocumentInfo: what the status bar shows for the active editor. */
export const DOCUMENT_INFO_REQUEST = 'mergewise/documentInfo';
/** `{ uri, name }` → boolean: the sample recipient that inlay hints show. */
export const SET_RECIPIENT_REQUEST = 'mergewise/setActiveRecipient';
/** `{ uri }` → QuadrantEntry[]: every field use with its quadrant. */
export const QUADRANTS_REQUEST = 'mergewise/quadrants';

export interface DocumentInfo {
  /** Undefined when Mergewise does not check this document. */
  dialect?: { id: string; label: string; reason: string };
  recipients: { name: string; file: string; jurisdiction?: string }[];
  active?: string;
  problems: string[];
}

export type QuadrantId = 'expected-helpful' | 'expected-unhelpful' | 'unexpected-helpful' | 'unexpected-unhelpful';

export interface QuadrantEntry {
  field: string;
  quadrant: QuadrantId;
  /** The quadrant's name as DESIGN.md gives it: "surveillance". */
  name: string;
  range: Range;
  purposes: string[];
}
