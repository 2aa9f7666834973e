/**
 * `schema-proposal`: a field of `mergewise.json` whose `source` or `sensitivity` `mergewise init`
 * proposed from its name, written into its description after the marker (`proposed: review — source
 * inferred (name looks like a model score)`) rather than set, waiting for a person to confirm it.
 * Runs on `mergewise.json` itself; its fixes edit that file's text.
 */
import { applyEdits, findNodeAtOffset, getNodePath, modify, parseTree, type FormattingOptions, type JSONPath } from 'jsonc-parser';
import { PROPOSAL_MARKER } from '../init/proposals';
import type { Diagnostic } from '../model';
import { SENSITIVITIES, SOURCES, type FieldSpec, type Schema } from '../schema/types';
import type { TextEdit } from '../dialects/dialect';
import { NO_FIXES, type Finding, type Fix, type Fixes, type RuleMeta } from './rule';

export const schemaProposalMeta: RuleMeta = {
  id: 'schema-proposal',
  defaultSeverity: 'hint',
  summary: 'In mergewise.json: a field\'s source or sensitivity proposed by `mergewise init` waits for review.',
  needsSchema: true,
};

export type ProposedProperty = 'source' | 'sensitivity' | 'maxAgeDays';

export interface Proposal {
  property: ProposedProperty;
  value: string;
  /** Why it was proposed, as written in the parentheses after it. */
  reason?: string;
}

/** The marker's text in a description: where it is, and what it proposes. */
export interface ProposalText {
  /** Offsets into the description: the marker, the proposals read after it, and the separators around them. */
  start: number;
  end: number;
  /** Empty when nothing after the marker could be read as a proposal. */
  proposals: Proposal[];
}

const ALLOWED: Record<ProposedProperty, (value: string) => boolean> = {
  source: (value) => SOURCES.includes(value as never),
  sensitivity: (value) => SENSITIVITIES.includes(value as never),
  // `mergewise init --from-data` proposes one from the updated-at column: a whole number of days.
  maxAgeDays: (value) => /^[1-9]\d{0,5}$/.test(value),
};
const PROPERTIES: Record<string, ProposedProperty> = { source: 'source', sensitivity: 'sensitivity', maxagedays: 'maxAgeDays' };
/** Between the marker and the first proposal: `proposed: review — source …`, `proposed: review: source …`. */
const LEAD = /^[\s—–:-]*/;
const CLAUSE = /^(source|sensitivity|maxAgeDays)\s*[:=]?\s*"?([A-Za-z0-9-]+)"?/i;
const BETWEEN = /^\s*[;,]\s*/;

/**
 * Reads the marker and what follows it: `source inferred (reason)`, `sensitivity special-category
 * (reason)`, or both separated by `; `. Tolerant: a value outside the schema's list ends the reading,
 * and a marker followed by nothing readable still counts, with no proposals.
 */
export function readProposal(description: string): ProposalText | undefined {
  const start = description.toLowerCase().indexOf(PROPOSAL_MARKER);
  if (start === -1) return undefined;
  let at = start + PROPOSAL_MARKER.length;
  at += LEAD.exec(description.slice(at))![0].length;
  const markerEnd = at;
  const proposals: Proposal[] = [];
  let end = markerEnd;
  for (;;) {
    const clause = CLAUSE.exec(description.slice(at));
    if (!clause) break;
    const property = PROPERTIES[clause[1].toLowerCase()];
    const value = clause[2].toLowerCase();
    if (!ALLOWED[property](value)) break;
    at += clause[0].length;
    const reason = parenthesized(description, at);
    const proposal: Proposal = { property, value };
    if (reason) {
      proposal.reason = reason.text;
      at = reason.end;
    }
    if (!proposals.some((p) => p.property === property)) proposals.push(proposal);
    end = at;
    const between = BETWEEN.exec(description.slice(at));
    if (!between) break;
    at += between[0].length;
  }
  return { start, end, proposals };
}

/** `(reason)` after optional spaces at `at`, nested parentheses included; an unclosed one runs to the end. */
function parenthesized(text: string, at: number): { text: string; end: number } | undefined {
  let open = at;
  while (text[open] === ' ' || text[open] === '\t') open++;
  if (text[open] !== '(') return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return { text: text.slice(open + 1, i).trim(), end: i + 1 };
  }
  return { text: text.slice(open + 1).trim(), end: text.length };
}

/** The description without the marker's text, its separators tidied; empty when nothing else was written. */
export function descriptionWithoutProposal(description: string, proposal: ProposalText): string {
  const before = description.slice(0, proposal.start).replace(/[\s—–:;,-]+$/, '');
  const after = description.slice(proposal.end).replace(/^[\s—–:;,.-]+/, '');
  return before && after ? `${before} ${after}` : before || after;
}

export function checkSchemaProposals(schema: Schema): Finding[] {
  const findings: Finding[] = [];
  for (const field of schema.fields.values()) {
    if (field.description === undefined || !field.descriptionSpan) continue;
    const proposal = readProposal(field.description);
    if (!proposal) continue;
    findings.push({ span: field.descriptionSpan, message: proposalMessage(field, proposal), field: field.path });
  }
  return findings;
}

function proposalMessage(field: FieldSpec, { proposals }: ProposalText): string {
  if (proposals.length === 0) {
    return `Field "${field.path}" is marked "${PROPOSAL_MARKER}" in its description, but what is proposed cannot be read ` +
      `(expected e.g. "${PROPOSAL_MARKER} — source inferred (reason)"). Review its "source" and "sensitivity", then remove the marker from the description.`;
  }
  const proposed = proposals.map((p) => {
    const current = field[p.property];
    return `${p.property} "${p.value}"${p.reason ? ` (${p.reason})` : ''}${current !== undefined && String(current) !== p.value ? ` (now "${current}")` : ''}`;
  });
  const settings = proposals.map(setting);
  const many = proposals.length > 1;
  return `Field "${field.path}": proposed ${proposed.join(' and ')} ${many ? 'are' : 'is'} waiting for review. ` +
    `Confirm ${many ? 'them' : 'it'} to set ${settings.join(' and ')}, or edit the description.`;
}

/**
 * Confirm (sets the proposed values and removes the marker's text) and Dismiss (removes the marker's
 * text only), built from the current text of `mergewise.json`. Both only offered: a proposal is there
 * to be reviewed. Each is one edit, made with jsonc-parser's `modify`, so comments and formatting
 * elsewhere in the file are kept.
 */
export function schemaProposalFixes(text: string, diagnostic: Diagnostic): Fixes {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const node = root && findNodeAtOffset(root, diagnostic.span.start);
  if (!node || node.type !== 'string' || node.offset !== diagnostic.span.start || node.offset + node.length !== diagnostic.span.end) return NO_FIXES;
  const path = getNodePath(node);
  if (path[path.length - 1] !== 'description') return NO_FIXES;
  const description = String(node.value);
  const proposal = readProposal(description);
  if (!proposal) return NO_FIXES;
  const fieldPath = path.slice(0, -1);
  const remaining = descriptionWithoutProposal(description, proposal);
  const formatting = formattingOf(text);
  const suggestions: Fix[] = [];
  if (proposal.proposals.length > 0) {
    let confirmed = text;
    for (const { property, value } of proposal.proposals) confirmed = edited(confirmed, [...fieldPath, property], property === 'maxAgeDays' ? Number(value) : value, formatting);
    confirmed = edited(confirmed, path, remaining || undefined, formatting);
    suggestions.push({
      title: `Confirm: set ${proposal.proposals.map(setting).join(' and ')}`,
      edits: [difference(text, confirmed)],
    });
  }
  suggestions.push({ title: 'Dismiss proposal', edits: [difference(text, edited(text, path, remaining || undefined, formatting))] });
  return { suggestions };
}

/** Where a property goes when added: after the ones a field usually lists before it. */
const PROPERTY_ORDER = ['type', 'description', 'source', 'expected', 'fallback', 'examples', 'sensitivity', 'maxAgeDays'];

/** `"source": "inferred"`, `"maxAgeDays": 90`. */
function setting(p: Proposal): string {
  return p.property === 'maxAgeDays' ? `"maxAgeDays": ${p.value}` : `"${p.property}": "${p.value}"`;
}

function edited(text: string, path: JSONPath, value: string | number | undefined, formattingOptions: FormattingOptions): string {
  const key = String(path[path.length - 1]);
  const rank = PROPERTY_ORDER.indexOf(key);
  const edits = modify(text, path, value, {
    formattingOptions,
    getInsertionIndex: (properties) => {
      let index = 0;
      properties.forEach((property, i) => {
        const other = PROPERTY_ORDER.indexOf(property);
        if (other !== -1 && other < rank) index = i + 1;
      });
      return index;
    },
  });
  return applyEdits(text, edits);
}

/** The indentation and line ends the file already uses, for the lines an edit adds. */
function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)["/]/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indent?.length ?? 2, eol };
}

/** One edit turning `before` into `after`: what lies between their common start and common end. */
function difference(before: string, after: string): TextEdit {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { span: { start: prefix, end: before.length - suffix }, newText: after.slice(prefix, after.length - suffix) };
}
