/**
 * `mergewise init --from-data SOURCE`: fields proposed from an audience export's columns. Pure: the
 * fields the columns hold (types from DuckDB's column types, struct members as dotted paths, lists
 * of structs with item fields), the one aggregate query that profiles them (fill counts, a few
 * frequent values of fields that do not look personal, the 95th percentile age of the updated-at
 * column), and the edits that put the result into the schema text `init` made from the templates
 * (its writer's `mergeInto` for new fields, jsonc edits for `required`, `examples`, types and
 * proposals). A `maxAgeDays` and a `personal` sensitivity are only proposed, after `PROPOSAL_MARKER`.
 */
import { applyEdits, modify, parseTree, type FormattingOptions, type JSONPath, type Node } from 'jsonc-parser';
import { DEFAULT_UPDATED_AT_COLUMNS, fieldSegment, filledSql, GENERATED_COLUMN_NAME, kindOfType, mapColumns, quoteIdentifier, quoteString, structMembers, type SourceColumn, type ValueKind } from '../audience/columns';
import { plain } from '../audience/pick';
import { duckdb } from '../audience/sql/duckdb';
import { loadSchema, SCHEMA_FILE_NAME } from '../schema/load';
import type { FieldType } from '../schema/types';
import { PROPOSAL_MARKER, proposeFor, words } from './proposals';
import { sampleRecipients, type SampleField, type SampleRecipientFile } from './recipients';
import { mergeInto, type WrittenField } from './write';

/** A field a column (or a struct member, or a list's struct member) holds. */
export interface DataField {
  /** Dotted path; list items as `cart.items[].title`. */
  path: string;
  type: FieldType;
  /** The SQL of its value (undefined for list items: profiled with their list). */
  sql?: string;
  kind: ValueKind;
  /** Its name looks personal (a name, an email address, a phone number, an address) or proposes a sensitivity. */
  personal?: string;
}

export interface DataProfile {
  rows: number;
  fields: ProfiledField[];
  /** The updated-at column read for `maxAgeDays`, and the 95th percentile age of its values in days. */
  updatedAt?: { column: string; p95Days: number };
}

export interface ProfiledField extends DataField {
  filled?: number;
  required: boolean;
  examples?: unknown[];
  /** From the updated-at column's 95th percentile age (`p95AgeDays`, whole days), rounded up. */
  maxAgeDays?: number;
  p95AgeDays?: number;
}

/** What a field name suggests about the person: undefined when nothing. */
export function looksPersonal(path: string): string | undefined {
  const w = words(path);
  const joined = w.join(' ');
  const has = (...names: string[]) => names.some((name) => w.includes(name));
  const hasPhrase = (...phrases: string[]) => phrases.some((phrase) => ` ${joined} `.includes(` ${phrase} `));
  if (has('email', 'mail', 'emailaddress')) return 'name looks like an email address';
  if (has('phone', 'mobile', 'tel', 'telephone', 'cell', 'sms', 'msisdn', 'whatsapp', 'fax', 'telefon', 'handy')) return 'name looks like a phone number';
  // Before addresses: an IP address is no postal address.
  if (has('ip', 'ipv4', 'ipv6', 'ipaddress')) return 'name looks like an IP address';
  if (has('address', 'street', 'strasse', 'zip', 'zipcode', 'postcode', 'postal', 'plz', 'postleitzahl', 'adresse', 'lat', 'lng', 'lon', 'latitude', 'longitude', 'geo', 'geolocation')) {
    return 'name looks like a postal address or location';
  }
  if (has('birthday', 'birthdate', 'dob', 'birth', 'geburtsdatum', 'geburtstag')) return 'name looks like a date of birth';
  if (has('ssn', 'passport', 'iban', 'bic', 'swift', 'idfa', 'gaid', 'aaid') || hasPhrase('national id', 'tax id', 'credit card', 'card number', 'account number', 'device id', 'push token', 'advertising id', 'social security', 'driver license', 'drivers license')) {
    return 'name looks like an identifier of a person, a device or an account';
  }
  if (has('twitter', 'linkedin', 'facebook', 'instagram', 'tiktok', 'username', 'handle')) return 'name looks like an online account';
  if (has('gender', 'sex', 'salary', 'income', 'wage', 'age')) return 'name looks like a personal characteristic';
  // Free text typed about a person can hold anything about them.
  if (has('notes', 'note', 'comments', 'comment', 'remarks', 'bio')) return 'name looks like free text about a person';
  if (has('fname', 'lname', 'firstname', 'lastname', 'surname', 'fullname', 'nickname', 'vorname', 'nachname', 'givenname', 'familyname')) return 'name looks like a person\'s name';
  if (has('name') && !has('product', 'company', 'business', 'brand', 'plan', 'service', 'file', 'domain', 'host', 'user', 'item', 'campaign', 'store', 'shop', 'segment', 'list', 'category', 'event', 'account')) {
    return 'name looks like a person\'s name';
  }
  return undefined;
}

/**
 * A value is written as an example only when at least this many rows hold it: a value fewer rows
 * share can single a person out (5 is the usual small-cell threshold of statistical disclosure control).
 */
export const MIN_EXAMPLE_ROWS = 5;

/** How many of a column's most frequent values are counted exactly, from which the examples are chosen. */
const EXAMPLE_CANDIDATES = 10;
const EXAMPLES = 3;

const EMAIL_SHAPE = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * What a value looks like when it must never be an example, whatever its column is called: an email
 * address, a phone number, a long number or an identifier (six digits or more, a UUID, a long
 * token with digits). ISO dates are fine.
 */
export function valueLooksIdentifying(value: unknown): string | undefined {
  if (typeof value === 'number') return Math.abs(value) >= 100_000 ? 'a long number' : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (EMAIL_SHAPE.test(text)) return 'an email address';
  if (ISO_DATE.test(text)) return undefined;
  const digits = text.replace(/\D/g, '').length;
  if (/^\+?[\d\s().,\/-]+$/.test(text) && digits >= 6) return digits >= 7 && /[\s()+-]/.test(text) ? 'a phone number' : 'a long number';
  if (/\d{6,}/.test(text)) return 'an identifier';
  if (/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(text)) return 'an identifier';
  if (/^[A-Za-z0-9_-]{16,}$/.test(text) && /\d/.test(text)) return 'an identifier';
  return undefined;
}

const FIELD_TYPES: Record<ValueKind, FieldType> = {
  text: 'string', number: 'number', boolean: 'boolean', date: 'date', list: 'array', struct: 'object', json: 'object', other: 'string',
};

function listItem(type: string): string | undefined {
  const trimmed = type.trim();
  if (trimmed.endsWith('[]')) return trimmed.slice(0, -2);
  const match = /^LIST\s*\(([\s\S]*)\)$/i.exec(trimmed);
  return match?.[1];
}

/** Names of updated-at columns: not fields. */
export function isUpdatedAtColumn(name: string, configured?: string): boolean {
  return name === configured || DEFAULT_UPDATED_AT_COLUMNS.some((c) => c.toLowerCase() === name.toLowerCase());
}

/** The fields the columns hold, sorted by path. */
export function dataFields(columns: readonly SourceColumn[], updatedAt?: string): DataField[] {
  const fields: DataField[] = [];
  const add = (path: string, type: string, sql: string | undefined) => {
    const kind = kindOfType(type);
    const item = listItem(type);
    const members = structMembers(type);
    if (kind === 'struct' && members?.length) {
      for (const member of members) add(`${path}.${fieldSegment(member.name)}`, member.type, sql === undefined ? undefined : `struct_extract(${sql}, ${quoteString(member.name)})`);
      return;
    }
    const proposal = proposeFor(path);
    const personal = proposal.sensitivity ? proposal.sensitivity.why : looksPersonal(path);
    fields.push({ path, type: FIELD_TYPES[kind], kind, ...(sql !== undefined ? { sql } : {}), ...(personal ? { personal } : {}) });
    const itemMembers = item ? structMembers(item) : undefined;
    if (kind === 'list' && itemMembers) for (const member of itemMembers) add(`${path}[].${fieldSegment(member.name)}`, member.type, undefined);
  };
  for (const column of columns) {
    if (isUpdatedAtColumn(column.name, updatedAt)) continue;
    add(column.name.split('.').map(fieldSegment).join('.'), column.type, quoteIdentifier(column.name));
  }
  return fields.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const EXAMPLE_KINDS = new Set<ValueKind>(['text', 'number', 'date']);

/** Whether examples of a field's values may be written: never for one that looks personal. */
export function mayShowExamples(field: DataField): boolean {
  return field.personal === undefined && field.sql !== undefined && EXAMPLE_KINDS.has(field.kind);
}

/** The row's updated-at column: `audience.updatedAt` when given, else `$updatedAt`, `updated_at` or `updatedAt`. */
export function updatedAtColumn(columns: readonly SourceColumn[], configured?: string): SourceColumn | undefined {
  if (configured !== undefined) return columns.find((c) => c.name === configured);
  for (const name of DEFAULT_UPDATED_AT_COLUMNS) {
    const found = columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (found) return found;
  }
  return undefined;
}

/** An email address as a whole value (SQL regular expression), to propose `personal` for a column holding them. */
const EMAIL_VALUE_PATTERN = '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$';

/** The names the profile query gives a field's candidate examples: unlike any column's. */
const candidatesName = (i: number) => `mergewise candidates ${i}`;

/**
 * One query: rows, per field its filled count, for text fields how many values are email addresses,
 * and where allowed the most frequent values with how many rows hold each, only those at least
 * `MIN_EXAMPLE_ROWS` rows hold (a first pass finds the candidates, `approx_top_k`; the second counts
 * them exactly); and the 95th percentile age in days of the updated-at column's values.
 */
export function profileSql(relation: string, where: string | undefined, fields: DataField[], updatedAt: SourceColumn | undefined, now: Date): string {
  const parts = ['count(*) AS "rows"'];
  const candidates: string[] = [];
  fields.forEach((field, i) => {
    if (field.sql === undefined) return;
    const filled = filledSql({ sql: field.sql, kind: field.kind });
    parts.push(`count_if(${filled}) AS "f${i}"`);
    if (field.kind === 'text') parts.push(`count_if(regexp_matches(${field.sql}, ${quoteString(EMAIL_VALUE_PATTERN)})) AS "m${i}"`);
    if (!mayShowExamples(field)) return;
    const name = quoteIdentifier(candidatesName(i));
    candidates.push(`approx_top_k(${field.sql}, ${EXAMPLE_CANDIDATES}) FILTER (WHERE ${filled}) AS ${name}`);
    parts.push(`list_filter(map_entries(histogram(${field.sql}) FILTER (WHERE ${filled} AND list_contains(candidates.${name}, ${field.sql}))), e -> e.value >= ${MIN_EXAMPLE_ROWS}) AS "e${i}"`);
  });
  const updatedKind = updatedAt && kindOfType(updatedAt.type);
  if (updatedAt && (updatedKind === 'date' || updatedKind === 'text' || updatedKind === 'number')) {
    const column = quoteIdentifier(updatedAt.name);
    const ts = updatedKind === 'date' ? `CAST(${column} AS TIMESTAMPTZ)` : updatedKind === 'number' ? duckdb.epochTimestamp(column) : `TRY_CAST(${column} AS TIMESTAMPTZ)`;
    parts.push(`quantile_cont(date_diff('day', ${ts}, TIMESTAMPTZ '${now.toISOString()}'), 0.95) AS "age95"`);
  }
  const filter = where ? `\nWHERE ${where}` : '';
  if (!candidates.length) return `SELECT\n  ${parts.join(',\n  ')}\nFROM ${relation}${filter}`;
  return `WITH candidates AS (\n  SELECT ${candidates.join(',\n    ')}\n  FROM ${relation}${filter}\n)\nSELECT\n  ${parts.join(',\n  ')}\nFROM ${relation} CROSS JOIN candidates${filter}`;
}

/** The examples from the counted candidates: the most frequent first, none that looks like it identifies someone. */
function chooseExamples(counted: unknown): unknown[] {
  if (!Array.isArray(counted)) return [];
  const entries = (plain(counted) as { key: unknown; value: number }[]).filter((e) => e.key !== null && valueLooksIdentifying(e.key) === undefined);
  entries.sort((a, b) => b.value - a.value || (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0));
  return entries.slice(0, EXAMPLES).map((e) => e.key);
}

/** `maxAgeDays` from the 95th percentile age: whole days up to 30, then whole 30-day months. */
export function suggestMaxAgeDays(p95Days: number): number {
  const days = Math.max(1, Math.ceil(p95Days));
  return days <= 30 ? days : Math.ceil(days / 30) * 30;
}

export function readProfile(fields: DataField[], row: Record<string, unknown>, updatedAt: SourceColumn | undefined): DataProfile {
  const rows = Number(row.rows ?? 0);
  const age = row.age95 === null || row.age95 === undefined ? undefined : Number(row.age95);
  const maxAgeDays = age !== undefined && Number.isFinite(age) ? suggestMaxAgeDays(age) : undefined;
  // A column with no header and no value (an export's trailing empty cells) is nothing to declare.
  const unnamedAndEmpty = (field: DataField, i: number) => GENERATED_COLUMN_NAME.test(field.path) && Number(row[`f${i}`] ?? 0) === 0;
  const profiled = fields.flatMap((field, i): ProfiledField[] => {
    if (unnamedAndEmpty(field, i)) return [];
    const filled = field.sql === undefined ? undefined : Number(row[`f${i}`] ?? 0);
    const emails = Number(row[`m${i}`] ?? 0);
    const examples = chooseExamples(row[`e${i}`]);
    const result: ProfiledField = { ...field, required: filled !== undefined && rows > 0 && filled === rows };
    if (filled !== undefined) result.filled = filled;
    // A column whose name does not tell (`Subscriber Key`, `user_id`) but that holds email addresses.
    if (result.personal === undefined && filled && emails * 2 > filled) result.personal = 'values look like email addresses';
    else if (examples.length) result.examples = examples;
    if (maxAgeDays !== undefined && !field.path.includes('[]')) {
      result.maxAgeDays = maxAgeDays;
      result.p95AgeDays = Math.ceil(age!);
    }
    return [result];
  });
  return { rows, fields: profiled, ...(updatedAt && age !== undefined && Number.isFinite(age) ? { updatedAt: { column: updatedAt.name, p95Days: age } } : {}) };
}

export interface DataSummary {
  rows: number;
  /** Fields added from columns no template field reads. */
  added: string[];
  /** Template fields typed from their column. */
  typed: { path: string; column: string; type: FieldType }[];
  required: string[];
  withExamples: string[];
  /** Fields whose examples were left out: their names look personal. */
  noExamples: { path: string; why: string }[];
  maxAgeDays?: { column: string; p95Days: number; suggested: number };
}

/**
 * Puts the profile into the schema text `init` made: columns no field reads become fields (through
 * the writer's `mergeInto`), and each field new in this run that a column holds gets its type from
 * the column (unless the column is text and the templates told another type), `required` when every
 * row fills it, `examples` when its name does not look personal, and the proposals in its description.
 */
export function applyDataProfile(text: string, columns: readonly SourceColumn[], profile: DataProfile, declaredBefore: ReadonlySet<string>): { text: string; summary: DataSummary } {
  const schema = loadSchema(text, SCHEMA_FILE_NAME, '.').schema;
  const summary: DataSummary = { rows: profile.rows, added: [], typed: [], required: [], withExamples: [], noExamples: [] };
  // Which columns the fields already there read: those are not added again.
  const target = new Map<string, string>();
  for (const mapped of mapColumns(schema, columns).fields) {
    const path = mapped.column.split('.').map(fieldSegment).join('.');
    target.set(path, mapped.field.path);
  }
  const byList = new Map<string, string>();
  for (const [from, to] of target) byList.set(`${from}[]`, `${to}[]`);
  const renamed = (path: string) => {
    if (target.has(path)) return target.get(path)!;
    const at = path.indexOf('[]');
    return at !== -1 && byList.has(path.slice(0, at + 2)) ? byList.get(path.slice(0, at + 2))! + path.slice(at + 2) : path;
  };
  const fresh = profile.fields.filter((f) => !schema.fields.has(renamed(f.path)));
  const written = fresh.map((f) => ({ path: f.path, type: f.type, aliases: {}, conditionOnly: false, uses: 0, dialects: [], typeKnown: true }) as unknown as WrittenField);
  let current = mergeInto(text, schema, written).text;
  summary.added = fresh.map((f) => f.path);
  const freshPaths = new Set(summary.added);

  const formattingOptions = formatting(current);
  for (const field of profile.fields) {
    const path = renamed(field.path);
    if (declaredBefore.has(path)) continue;
    const location = fieldLocations(parseTree(current)).get(path);
    if (!location) continue;
    const set = (key: string, value: unknown) => {
      current = applyEdits(current, modify(current, [...location, key], value, { formattingOptions, getInsertionIndex: insertionIndex(key) }));
    };
    const declared = schema.fields.get(path);
    if (!freshPaths.has(field.path) && declared) {
      const told = declared.type;
      if (told !== field.type && !(field.type === 'string' && told !== 'string' && told !== undefined)) {
        set('type', field.type);
        summary.typed.push({ path, column: field.path, type: field.type });
      }
    }
    if (field.required) {
      set('required', true);
      summary.required.push(path);
    }
    if (field.examples?.length) {
      set('examples', field.examples);
      summary.withExamples.push(path);
    } else if (field.personal) {
      summary.noExamples.push({ path, why: field.personal });
    }
    const description = proposedDescription(declared?.description, field, path);
    if (description !== undefined) set('description', description);
  }
  if (profile.updatedAt) summary.maxAgeDays = { column: profile.updatedAt.column, p95Days: profile.updatedAt.p95Days, suggested: suggestMaxAgeDays(profile.updatedAt.p95Days) };
  summary.added.sort();
  return { text: current, summary };
}

/** The description with this field's proposals: source and sensitivity from its name (or it looking personal), and maxAgeDays. */
function proposedDescription(existing: string | undefined, field: ProfiledField, path: string): string | undefined {
  const parts: string[] = [];
  const fromName = proposeFor(path);
  const already = existing?.includes(PROPOSAL_MARKER) ?? false;
  if (!already) {
    if (fromName.source) parts.push(`source ${fromName.source.value} (${fromName.source.why})`);
    if (fromName.sensitivity) parts.push(`sensitivity ${fromName.sensitivity.value} (${fromName.sensitivity.why})`);
  }
  if (!fromName.sensitivity && field.personal && !/sensitivity/.test(existing ?? '')) parts.push(`sensitivity personal (${field.personal})`);
  if (field.maxAgeDays !== undefined) parts.push(`maxAgeDays ${field.maxAgeDays} (95% of rows were updated in the last ${field.p95AgeDays} days)`);
  if (!parts.length) return undefined;
  return already ? `${existing}; ${parts.join('; ')}` : `${existing ? `${existing} ` : ''}${PROPOSAL_MARKER} — ${parts.join('; ')}`;
}

const ORDER = ['type', 'description', 'source', 'expected', 'fallback', 'examples', 'sensitivity', 'maxAgeDays', 'deprecated', 'aliases', 'required', 'items', 'fields'];

function insertionIndex(key: string): (properties: string[]) => number {
  const rank = ORDER.indexOf(key);
  return (properties) => {
    let index = 0;
    properties.forEach((property, i) => {
      const other = ORDER.indexOf(property);
      if (other !== -1 && other < rank) index = i + 1;
    });
    return index;
  };
}

function formatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

/** Where each declared field's object is, as a JSON path (dotted keys, nested `fields`, list `items.fields`). */
function fieldLocations(root: Node | undefined): Map<string, JSONPath> {
  const locations = new Map<string, JSONPath>();
  const child = (node: Node | undefined, key: string) => (node?.type === 'object' ? node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1] : undefined);
  const walk = (fieldsNode: Node | undefined, prefix: string, at: JSONPath) => {
    if (fieldsNode?.type !== 'object') return;
    for (const property of fieldsNode.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || value?.type !== 'object') continue;
      const path = prefix + String(key.value);
      const here = [...at, String(key.value)];
      locations.set(path, here);
      walk(child(child(value, 'items'), 'fields'), `${path}[].`, [...here, 'items', 'fields']);
      walk(child(value, 'fields'), `${path}.`, [...here, 'fields']);
    }
  };
  walk(child(root, 'fields'), '', ['fields']);
  return locations;
}

/** Sample recipients for the schema text's fields (a new schema made from data alone has none from templates). */
export function dataSampleRecipients(text: string): SampleRecipientFile[] {
  const schema = loadSchema(text, SCHEMA_FILE_NAME, '.').schema;
  const top: SampleField[] = [];
  const lists = new Map<string, SampleField>();
  const all = [...schema.fields.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const field of all) {
    const sample: SampleField = { path: field.path, type: field.type ?? 'string', required: field.required };
    const at = field.path.lastIndexOf('[].');
    if (at === -1) {
      top.push(sample);
      if (field.type === 'array') lists.set(field.path, sample);
      continue;
    }
    const list = lists.get(field.path.slice(0, at));
    if (list) (list.items ??= []).push({ ...sample, path: field.path.slice(at + 3) });
  }
  return sampleRecipients(top.filter((f) => !(f.type === 'object' && top.some((o) => o.path.startsWith(`${f.path}.`)))));
}

/** What `init` is given from the data: the source's columns and their profile. */
export interface FromData {
  description: string;
  columns: SourceColumn[];
  profile: DataProfile;
}

/** The parts of `init`'s proposal that the data changes. */
export interface ProposalWithData {
  schemaText: string;
  changed: boolean;
  merged: boolean;
  recipients: SampleRecipientFile[];
  recipientsKept: string[];
  summary: { fields: string[] };
}

/**
 * Applies the data to `init`'s proposal, in place: the schema text, the fields added, and (for a new
 * schema) sample recipients that hold every field. `existingText` is the file there before, if any.
 */
export function addDataToProposal(proposal: ProposalWithData, existingText: string | undefined, data: FromData, exists: (relative: string) => boolean): DataSummary & { source: string } {
  const before = existingText === undefined ? new Set<string>() : new Set(loadSchema(existingText, SCHEMA_FILE_NAME, '.').schema.fields.keys());
  const { text, summary } = applyDataProfile(proposal.schemaText, data.columns, data.profile, before);
  proposal.changed ||= text !== proposal.schemaText;
  proposal.schemaText = text;
  proposal.summary.fields = [...new Set([...proposal.summary.fields, ...summary.added])].sort();
  if (!proposal.merged) {
    const samples = dataSampleRecipients(text);
    proposal.recipients = samples.filter((file) => !exists(file.path));
    proposal.recipientsKept = samples.filter((file) => exists(file.path)).map((file) => file.path);
  }
  return { source: data.description, ...summary };
}

/** The data's part of `init`'s summary, as text. */
export function dataSummaryText(summary: DataSummary & { source: string }): string {
  const list = (items: string[]) => items.slice(0, 10).map((item) => `  ${item}\n`).join('') + (items.length > 10 ? `  … and ${items.length - 10} more\n` : '');
  let text = `\nFrom ${summary.source} (${summary.rows} rows):\n`;
  if (summary.added.length) text += `Fields from columns no template reads: ${summary.added.length}\n${list(summary.added)}`;
  if (summary.typed.length) text += `Typed from their column: ${summary.typed.length}\n${list(summary.typed.map((t) => `${t.path}: ${t.type} (column ${t.column})`))}`;
  if (summary.required.length) text += `Required (filled in every row): ${summary.required.length}\n${list(summary.required)}`;
  if (summary.withExamples.length) text += `With examples (frequent values): ${summary.withExamples.length}\n${list(summary.withExamples)}`;
  if (summary.noExamples.length) text += `No examples, personal data proposed (confirm its sensitivity): ${summary.noExamples.length}\n${list(summary.noExamples.map((n) => `${n.path}: ${n.why}`))}`;
  if (summary.maxAgeDays) {
    text += `maxAgeDays ${summary.maxAgeDays.suggested} proposed in each field's description (${PROPOSAL_MARKER}): 95% of ${summary.maxAgeDays.column} values are at most ${Math.ceil(summary.maxAgeDays.p95Days)} days old.\n`;
  }
  return text;
}
