import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import * as path from 'node:path';
import { matchesGlob } from '../purposes';
import type { Schema } from '../schema/types';
import { LineIndex } from '../positions';
import type { WorkspaceFileSystem } from '../workspace';

/** A sample recipient: one JSON object of a recipients file. */
export interface Recipient {
  /** `$name`, else the file name (with its index when the file holds several). */
  name: string;
  file: string;
  /** The data, nested by path segments: `customer.first_name` is `data.customer.first_name`. */
  data: Record<string, unknown>;
  /** When each field path was last updated, from `$updatedAt`. */
  updatedAt: Map<string, Date>;
  jurisdiction?: string;
  /**
   * From `$connected`: a mock response for each variable that connected data is saved in
   * (`{"offer": {"code": "SAVE10"}}` for Braze's `:save offer`), used by the preview and inline values
   * instead of fetching.
   */
  connected?: Record<string, unknown>;
}

export interface RecipientFileResult {
  recipients: Recipient[];
  /** Problems, each saying where: `file:line:col: what`. */
  problems: string[];
}

/** Parses a recipients file: one object, or a list of them. Never throws: problems say what is wrong. */
export function parseRecipients(text: string, file: string): RecipientFileResult {
  try {
    return readRecipients(text, file);
  } catch (error) {
    // The JSON parser and the expansion of dotted keys recurse once per level: thousands overflow the stack.
    return {
      recipients: [],
      problems: [error instanceof RangeError
        ? `${file}: nested too deeply to read (thousands of levels of objects or lists); flatten it.`
        : `${file}: could not be read (${error instanceof Error ? error.message : String(error)}).`],
    };
  }
}

function readRecipients(text: string, file: string): RecipientFileResult {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true });
  const problems: string[] = [];
  const lines = new LineIndex(text);
  const at = (offset: number) => {
    const { line, character } = lines.range({ start: offset, end: offset }).start;
    return `${file}:${line + 1}:${character + 1}`;
  };
  for (const error of errors) {
    problems.push(`${at(error.offset)}: invalid JSON (${printParseErrorCode(error.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}).`);
  }
  if (errors.length) return { recipients: [], problems };
  const objects = Array.isArray(value) ? value : [value];
  const recipients: Recipient[] = [];
  const base = path.basename(file, path.extname(file));
  objects.forEach((object, index) => {
    const where = Array.isArray(value) ? `${file} (recipient ${index + 1})` : file;
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      problems.push(`${where}: expected a recipient object such as {"$name": "Ana", "customer": {"first_name": "Ana"}}.`);
      return;
    }
    const { $name, $updatedAt, $jurisdiction, $connected, ...data } = object as Record<string, unknown>;
    if ($connected !== undefined && !isPlainObject($connected)) {
      problems.push(`${where}: "$connected" must map each saved variable to its mock response, as in {"offer": {"code": "SAVE10"}}.`);
    }
    const updatedAt = new Map<string, Date>();
    if ($updatedAt !== undefined) {
      if (typeof $updatedAt !== 'object' || $updatedAt === null || Array.isArray($updatedAt)) {
        problems.push(`${where}: "$updatedAt" must map field paths to ISO dates, as in {"customer.job_title": "2025-01-31"}.`);
      } else {
        for (const [field, date] of Object.entries($updatedAt)) {
          const parsed = typeof date === 'string' ? new Date(date) : undefined;
          if (!parsed || Number.isNaN(parsed.getTime())) problems.push(`${where}: "$updatedAt"."${field}" is not an ISO date (found ${JSON.stringify(date)}).`);
          else updatedAt.set(field, parsed);
        }
      }
    }
    recipients.push({
      name: typeof $name === 'string' && $name.trim() ? $name : objects.length > 1 ? `${base} #${index + 1}` : base,
      file,
      data: expandDottedKeys(data),
      updatedAt,
      ...(typeof $jurisdiction === 'string' ? { jurisdiction: $jurisdiction } : {}),
      ...(isPlainObject($connected) ? { connected: $connected } : {}),
    });
  });
  return { recipients, problems };
}

/** Every sample recipient the schema's `recipients` globs select, with the problems of their files. */
export function loadRecipients(schema: Schema, fs: WorkspaceFileSystem, displayPath: (file: string) => string = (f) => f): RecipientFileResult {
  const result: RecipientFileResult = { recipients: [], problems: [] };
  for (const file of selectRecipientFiles(schema, fs.listFiles(schema.dir))) {
    const absolute = path.join(schema.dir, file);
    let text: string | undefined;
    try {
      text = fs.readText(absolute);
    } catch (error) {
      result.problems.push(`${displayPath(absolute)}: could not be read (${(error as Error).message}).`);
      continue;
    }
    if (text === undefined) continue;
    const parsed = parseRecipients(text, displayPath(absolute));
    // One at a time: spreading a file of 200,000 recipients into push's arguments overflows the stack.
    for (const recipient of parsed.recipients) result.recipients.push(recipient);
    for (const problem of parsed.problems) result.problems.push(problem);
  }
  return result;
}

/** Files (relative to the schema's folder, `/`-separated) that the schema's `recipients` globs select. */
export function selectRecipientFiles(schema: Schema, relativeFiles: string[]): string[] {
  return relativeFiles.filter((file) => schema.recipients.some((glob) => matchesGlob(glob, file))).sort();
}

/** `{"customer.first_name": "Ana"}` becomes `{"customer": {"first_name": "Ana"}}`; nested input is kept. */
export function expandDottedKeys(data: Record<string, unknown>): Record<string, unknown> {
  return expandInto({}, data);
}

/** Writes `data` into `target`, merging objects at any depth so that no key hides another. */
function expandInto(target: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(data)) {
    const segments = key.split('.');
    let parent = target;
    for (const segment of segments.slice(0, -1)) parent = childObject(parent, segment);
    const last = segments[segments.length - 1];
    if (isPlainObject(value)) expandInto(childObject(parent, last), value);
    else setOwn(parent, last, value);
  }
  return target;
}

/**
 * The object under `key`, made when missing. Only own properties count, and new ones are defined,
 * not assigned: a recipient key such as `"a.__proto__.polluted"` wrote into Object.prototype.
 */
function childObject(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined;
  if (isPlainObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  setOwn(parent, key, created);
  return created;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
