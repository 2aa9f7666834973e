/**
 * One template's facts for the send-readiness report, from its analysis and its previews: the
 * checklist, the quadrant counts and the maturity rung. Pure.
 */
import type { FieldUse } from '../dialects/dialect';
import { RULE_IDS, type Range, type Severity } from '../model';
import { fieldQuadrant } from '../purposes';
import { knownFieldUses, type TemplateContext } from '../rules/rule';
import type { PreviewFacts } from '../preview/preview';
import type { FieldSpec } from '../schema/types';
import {
  emptyQuadrants, type ChecklistItem, type ChecklistItemId, type ItemStatus, type Maturity, type QuadrantCounts, type RecipientRender, type ReportFinding,
} from './model';

const KNOWN_RULES = new Set<string>(RULE_IDS);

interface RuleItem {
  id: ChecklistItemId;
  title: string;
  /** Looked up by id: a rule this build does not have leaves it out of the item, and an item with none is omitted. */
  rules: string[];
  needsSchema: boolean;
  /** What a finding is, for the detail: "field without a fallback or guard". */
  noun: [string, string];
}

const RULE_ITEMS: RuleItem[] = [
  { id: 'parses', title: 'The template parses', rules: ['syntax-error', 'internal-error'], needsSchema: false, noun: ['syntax problem', 'syntax problems'] },
  { id: 'fallbacks', title: 'Every field has a fallback or a guard', rules: ['missing-fallback'], needsSchema: true, noun: ['field without a fallback or guard', 'fields without a fallback or guard'] },
  { id: 'known-fields', title: 'No unknown fields', rules: ['unknown-field'], needsSchema: true, noun: ['unknown field', 'unknown fields'] },
  { id: 'no-surveillance', title: 'No use in the surveillance quadrant', rules: ['quadrant-unexpected-unhelpful'], needsSchema: true, noun: ['surveillance-quadrant use', 'surveillance-quadrant uses'] },
  { id: 'fresh-data', title: 'No stale data in use', rules: ['stale-data'], needsSchema: true, noun: ['use of data that goes stale', 'uses of data that goes stale'] },
  { id: 'safe-links', title: 'Links and merged HTML are safe', rules: ['broken-link-field', 'unencoded-url-field', 'unescaped-field'], needsSchema: true, noun: ['unsafe link or output', 'unsafe links or outputs'] },
  { id: 'safe-subject', title: 'The subject line is safe', rules: ['subject-fallback'], needsSchema: true, noun: ['subject problem', 'subject problems'] },
  { id: 'partials-resolve', title: 'Every partial resolves', rules: ['unknown-partial', 'partial-cycle'], needsSchema: false, noun: ['include that does not resolve', 'includes that do not resolve'] },
];

const ITEM_ORDER: ChecklistItemId[] = [
  'parses', 'fallbacks', 'known-fields', 'no-surveillance', 'recipients-render', 'fresh-data', 'safe-links', 'safe-subject', 'under-clipping', 'partials-resolve',
];

export interface ChecklistInput {
  findings: ReportFinding[];
  hasSchema: boolean;
  /** The template pulls in partials (or has findings about them). */
  hasIncludes: boolean;
  /** Each sample recipient's rendering; undefined when not previewed (a partial, no schema or no recipients). */
  renders?: RecipientRender[];
}

/** The template's checklist: each item pass, warning or fail, with the findings it rests on. */
export function checklist(input: ChecklistInput): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  for (const spec of RULE_ITEMS) {
    const rules = spec.rules.filter((rule) => KNOWN_RULES.has(rule) || rule === 'internal-error');
    if (!rules.some((rule) => KNOWN_RULES.has(rule))) continue;
    if (spec.needsSchema && !input.hasSchema) continue;
    const findings = input.findings.filter((finding) => rules.includes(finding.rule));
    if (spec.id === 'partials-resolve' && !input.hasIncludes && findings.length === 0) continue;
    const status = statusOf(findings.map((finding) => finding.severity));
    const detail = findings.length === 0 ? 'none found' : `${findings.length} ${findings.length === 1 ? spec.noun[0] : spec.noun[1]}`;
    items.push({ id: spec.id, title: spec.title, status, detail, rules, findings });
  }
  const renders = input.renders;
  if (renders?.length) {
    const failed = renders.filter((render) => render.error !== undefined);
    const aborted = renders.filter((render) => render.aborted !== undefined);
    items.push({
      id: 'recipients-render', title: 'Every sample recipient renders', rules: [], findings: [],
      status: failed.length ? 'fail' : 'pass',
      detail: failed.length
        ? `${failed.map((render) => render.recipient).join(', ')} ${failed.length === 1 ? 'does' : 'do'} not render: ${failed[0].error}`
        : `all ${renders.length} render` + (aborted.length ? `; the template stops the send for ${aborted.map((render) => render.recipient).join(', ')}` : ''),
    });
    const measured = renders.filter((render) => render.size !== undefined);
    if (measured.length) {
      const clipped = measured.filter((render) => render.clipped);
      const largest = Math.max(...measured.map((render) => render.size!));
      items.push({
        id: 'under-clipping', title: 'Under Gmail\'s clipping size (102 KB)', rules: [], findings: [],
        status: clipped.length === 0 ? 'pass' : clipped.length === measured.length ? 'fail' : 'warning',
        detail: clipped.length
          ? `Gmail clips it for ${clipped.map((render) => render.recipient).join(', ')} (largest ${kilobytes(largest)})`
          : `largest rendering ${kilobytes(largest)}`,
      });
    }
  }
  return items.sort((a, b) => ITEM_ORDER.indexOf(a.id) - ITEM_ORDER.indexOf(b.id));
}

/** Error: fail; warning: warning; information and hints only: pass (the findings are still listed). */
export function statusOf(severities: Severity[]): ItemStatus {
  if (severities.includes('error')) return 'fail';
  if (severities.includes('warning')) return 'warning';
  return 'pass';
}

function kilobytes(bytes: number): string {
  return `${(Math.ceil(bytes / 102.4) / 10).toFixed(1)} KB`;
}

export function recipientRender(preview: PreviewFacts, file: string): RecipientRender {
  const render: RecipientRender = {
    recipient: preview.recipient.name, file, summary: preview.summary, counts: { ...preview.counts },
  };
  if (preview.size !== undefined) render.size = preview.size;
  if (preview.clipped !== undefined) render.clipped = preview.clipped;
  if (preview.aborted !== undefined) render.aborted = preview.aborted;
  if (preview.error !== undefined) render.error = preview.error;
  return render;
}

/** A field use with its field, in the template's own text (arguments to filters left out, as the quadrant rules do). */
interface KnownUse { use: FieldUse; field: FieldSpec }

function usesOf(context: TemplateContext): KnownUse[] {
  const { uses, fields } = knownFieldUses(context);
  const known: KnownUse[] = [];
  for (let i = 0; i < uses.length; i++) if (uses[i].context !== 'argument') known.push({ use: uses[i], field: fields[i] });
  return known;
}

/** How many uses fall in each quadrant, worked out as the quadrant rules do (`fieldQuadrant`). */
export function quadrantCounts(context: TemplateContext): QuadrantCounts {
  const counts = emptyQuadrants();
  if (!context.schema) return counts;
  const byField = new Map<FieldSpec, ReturnType<typeof fieldQuadrant>['quadrant']>();
  for (const { field } of usesOf(context)) {
    if (!byField.has(field)) byField.set(field, fieldQuadrant(field, context.purposes).quadrant);
    const quadrant = byField.get(field);
    if (quadrant) counts[quadrant]++;
  }
  return counts;
}

export type Locate = (range: Range) => { range: Range; link: string };

/**
 * The template's rung on the maturity ladder, with the use that put it there:
 * predictive (inferred data under a complete purpose), behavioral (observed data), segmented (a
 * branch on a field that is not only a guard of that field's own output), else basic.
 */
export function maturity(context: TemplateContext, rangeOf: (use: FieldUse) => Range, locate: Locate): Maturity {
  const known = usesOf(context);
  const at = (use: FieldUse) => locate(rangeOf(use));
  const line = (use: FieldUse) => `line ${rangeOf(use).start.line + 1}`;
  for (const { use, field } of known) {
    if (field.source !== 'inferred') continue;
    const { purposes } = fieldQuadrant(field, context.purposes);
    if (purposes.length === 0) continue;
    return {
      rung: 'predictive', field: field.path, ...at(use),
      reason: `uses inferred data ${field.path} under the complete purpose "${purposes[0]}" (${line(use)})`,
    };
  }
  const uncovered = known.find(({ field }) => field.source === 'inferred');
  const aside = uncovered ? `; ${uncovered.field.path} is inferred, but no complete purpose covers it here, so it does not count` : '';
  const observed = known.find(({ field }) => field.source === 'observed');
  if (observed) {
    return {
      rung: 'behavioral', field: observed.field.path, ...at(observed.use),
      reason: `uses observed data ${observed.field.path} (${line(observed.use)})${aside}`,
    };
  }
  // A branch segments when it reads a field for more than whether to show that same field.
  const guardedOutputs = new Set<string>();
  const pathOf = (index: number) => {
    const resolution = context.resolutions[index];
    return resolution?.kind === 'field' ? resolution.field.path : context.scan.uses[index].path;
  };
  context.scan.uses.forEach((use, index) => {
    if (use.context === 'output' && use.guarded) guardedOutputs.add(pathOf(index));
  });
  for (let index = 0; index < context.scan.uses.length; index++) {
    const use = context.scan.uses[index];
    if (use.context !== 'condition') continue;
    const fieldPath = pathOf(index);
    // `{{#customer}}…{{customer.name}}…{{/customer}}` guards what it opens, as `{% if x %}{{ x }}` does.
    if (guardedOutputs.has(fieldPath) || [...guardedOutputs].some((output) => output.startsWith(`${fieldPath}.`))) continue;
    return {
      rung: 'segmented', field: fieldPath, ...at(use),
      reason: `branches on ${fieldPath} (${line(use)}: ${oneLine(context.text.slice(use.tagSpan.start, use.tagSpan.end))})${aside}`,
    };
  }
  const fields = [...new Set(known.map(({ field }) => field.path))];
  const sources = [...new Set(known.map(({ field }) => field.source ?? 'no source'))].sort();
  return {
    rung: 'basic',
    reason: fields.length === 0
      ? `uses no declared fields${aside}`
      : `uses only ${sources.join(' and ')} data (${fields.slice(0, 3).join(', ')}${fields.length > 3 ? `, and ${fields.length - 3} more` : ''}) and branches on none${aside}`,
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}
