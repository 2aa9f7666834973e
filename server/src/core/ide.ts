/**
 * The editor's questions about an analysed template, answered as plain data from the analysis and
 * an offset: what a hover says, what each inlay hint shows, which quadrant each use sits in. The
 * language server converts these to LSP, and the command line prints them (`mergewise explain`);
 * neither works anything out again.
 */
import { fieldMarkdown } from './docs';
import type { Span } from './model';
import type { Recipient } from './preview/recipients';
import { fieldQuadrant, QUADRANT_NAMES, type Quadrant } from './purposes';
import { useAt } from './query';
import { describeShown, shownValue, type ShownKind } from './values';
import type { DocumentAnalysis } from './workspace';

export interface HoverAnswer {
  /** The field reference the hover is about. */
  span: Span;
  markdown: string;
}

/** What hovering at `offset` tells: the field's description and what each sample recipient sees, or why the name is unknown. */
export function hoverAt(document: DocumentAnalysis, offset: number, recipients: Recipient[], now: Date): HoverAnswer | undefined {
  const { analysis, schema } = document;
  const found = useAt(analysis.scan, offset);
  if (!found || !schema) return undefined;
  const { use, index } = found;
  const resolution = analysis.resolutions[index];
  if (resolution?.kind === 'namespace') return { span: use.span, markdown: `**${use.path}**: a group of fields in mergewise.json` };
  if (resolution?.kind !== 'field') {
    // The names unknown-field suggests for this very use (none when that rule is off).
    const finding = analysis.diagnostics.find((d) => d.rule === 'unknown-field' && d.span.start === use.span.start && d.span.end === use.span.end);
    const suggestions = finding?.data?.suggestions ?? [];
    return {
      span: use.span,
      markdown: `**${use.path}** is not in mergewise.json.` + (suggestions.length ? ` Closest: ${suggestions.map((s) => `\`${s}\``).join(', ')}.` : ''),
    };
  }
  const field = resolution.field;
  const recipientValues = recipients.map((recipient) => ({ name: recipient.name, shown: shownValue(use, field, use.path, recipient, now) }));
  return { span: use.span, markdown: fieldMarkdown(field, schema, { templatePurposes: analysis.purposes, recipientValues }) };
}

export interface ShownHint {
  /** Where the hint goes: just after the merge tag. */
  offset: number;
  label: string;
  kind: ShownKind;
}

/** After each output whose tag ends within [start, end]: what the recipient sees there. */
export function shownHints(document: DocumentAnalysis, start: number, end: number, recipient: Recipient, now: Date): ShownHint[] {
  const { analysis } = document;
  const hints: ShownHint[] = [];
  analysis.scan.uses.forEach((use, index) => {
    if (use.context !== 'output' || use.tagSpan.end < start || use.tagSpan.end > end) return;
    const resolution = analysis.resolutions[index];
    const shown = shownValue(use, resolution?.kind === 'field' ? resolution.field : undefined, use.path, recipient, now);
    hints.push({ offset: use.tagSpan.end, label: `→ ${describeShown(shown)}`, kind: shown.kind });
  });
  return hints;
}

export interface QuadrantUse {
  span: Span;
  field: string;
  quadrant: Quadrant;
  /** The quadrant's name: "surveillance". */
  name: string;
  /** The purposes that cover the field in this template. */
  purposes: string[];
}

/** Every use of a declared field outside an argument, with its quadrant, in text order. */
export function quadrantUses(document: DocumentAnalysis): QuadrantUse[] {
  const { analysis } = document;
  const entries: QuadrantUse[] = [];
  analysis.scan.uses.forEach((use, index) => {
    const resolution = analysis.resolutions[index];
    if (resolution?.kind !== 'field' || use.context === 'argument') return;
    const { quadrant, purposes } = fieldQuadrant(resolution.field, analysis.purposes);
    if (quadrant) entries.push({ span: use.span, field: resolution.field.path, quadrant, name: QUADRANT_NAMES[quadrant], purposes });
  });
  return entries;
}
