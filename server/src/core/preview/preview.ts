import {
  DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START,
  type Dialect, type IncludeKind, type PreparedRender, type RenderLimits, type RenderPartial, type RenderResult, type RenderTemplate, type TemplateScan,
} from '../dialects/dialect';
import { RAW_MERGE_SYNTAX } from '../dialects/registry';
import { withSchemaFallbacks } from '../dialects/schema-fallbacks';
import type { Span } from '../model';
import { resolveField } from '../schema/resolve';
import { endsInsideRawText } from './raw-text';
import type { FieldSpec, Schema } from '../schema/types';
import type { Recipient } from './recipients';
import { connectedMockValue, describeConnectedSource, previewMocks } from '../dialects/common/connected-data';
import { isClipped, utf8Length } from '../../../../protocol/src/email-size';

/** `value` marks a field output that rendered normally; the others are what authors look for. */
export type MarkKind = 'value' | 'fallback' | 'blank' | 'stale' | 'raw';
export type NotableKind = Exclude<MarkKind, 'value'>;

export interface PreviewMark {
  kind: MarkKind;
  /** The schema field, for field outputs. */
  field?: string;
  /** The merge tag in the template (or in `file`), to reveal it in the editor. */
  span?: Span;
  /** The partial the output comes from, when it is inside included content. */
  file?: string;
  /** For stale values: when the value was last updated. */
  updatedAt?: Date;
  /**
   * For an output of connected data (`{{offer.code}}` after `connected_content … :save offer`): what
   * it reads, where from, and whether the recipient file mocks it (`$connected`); the preview never fetches.
   */
  connected?: { written: string; description: string; mocked: boolean };
}

export interface PreviewSegment {
  text: string;
  mark?: PreviewMark;
}

export interface RecipientPreview {
  recipient: Recipient;
  segments: PreviewSegment[];
  counts: Record<NotableKind, number>;
  /** "3 fallbacks, 1 blank, 1 stale", or what stopped the rendering. */
  summary: string;
  /** The template stops this recipient's send, with the reason it gives. */
  aborted?: string;
  error?: string;
  /**
   * The rendered email's size in bytes: the UTF-8 of the HTML as sent, without the preview's marks.
   * Absent when nothing was rendered (an aborted send, an error).
   */
  size?: number;
  /** Over Gmail's 102 KB (`GMAIL_CLIP_BYTES`, 104,448 bytes): Gmail clips this email. Set with `size`. */
  clipped?: boolean;
}

export interface PreviewInput extends TemplatePreviewInput {
  recipient: Recipient;
}

/** What previews of one template share, whoever the recipient. */
export interface TemplatePreviewInput {
  text: string;
  dialect: Dialect;
  /** The template's scan, as its dialect reads the text. */
  scan: TemplateScan;
  schema: Schema | undefined;
  now: Date;
  limits?: RenderLimits;
  /** The partial an include pulls in (see `RenderRequest.partial`); absent when partials are not followed. */
  partial?(kind: IncludeKind, name: string): RenderPartial | undefined;
}

/** The uses of the template or of a partial, with what each mark of theirs names. */
interface MarkSource {
  scan: TemplateScan;
  fields: (FieldSpec | undefined)[];
  /** The field each use's mark names. */
  paths: string[];
}

const MARK_PATTERN = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');

/** What a preview counts and measures, without its text: all a report needs of an email it does not show. */
export type PreviewFacts = Omit<RecipientPreview, 'segments'>;

/** One template's previews, recipient by recipient. */
export interface TemplatePreviews {
  preview(recipient: Recipient): RecipientPreview;
  /** The same rendering, counted and measured without keeping its text in segments. */
  facts(recipient: Recipient): PreviewFacts;
}

/** Renders the template as one recipient gets it, marking fallbacks, blanks, stale values and raw syntax. */
export function previewTemplate(input: PreviewInput): RecipientPreview {
  return prepareTemplatePreview(input).preview(input.recipient);
}

/**
 * One template's previews: its fields resolved and, where the dialect can (`Dialect.prepareRender`),
 * its text parsed once for every recipient.
 */
export function prepareTemplatePreview(input: TemplatePreviewInput): TemplatePreviews {
  const { scan, schema } = input;
  const fieldAt = (path: string | undefined) => {
    if (!schema || path === undefined) return undefined;
    const resolution = resolveField(schema, input.dialect.id, path);
    return resolution.kind === 'field' ? resolution.field : undefined;
  };
  const fields = scan.uses.map((use) => fieldAt(use.path));
  const template: MarkSource = { scan, fields, paths: scan.uses.map((use, index) => fields[index]?.path ?? use.path) };
  // A partial's uses are read by the schema paths its `schemaPathOf` gives, from wherever it is included.
  const partials = new Map<string, { partial: RenderPartial; source: MarkSource }>();
  const followPartial = (kind: IncludeKind, name: string): RenderPartial | undefined => {
    const found = input.partial?.(kind, name);
    if (!found) return undefined;
    let known = partials.get(found.file);
    if (!known) {
      const partialFields = found.scan.uses.map((_, index) => fieldAt(found.schemaPathOf(index)));
      const paths = found.scan.uses.map((use, index) => partialFields[index]?.path ?? found.schemaPathOf(index) ?? use.path);
      const partialScan = withSchemaFallbacks(input.dialect, found.scan, (index) => partialFields[index]?.fallback);
      known = { partial: { ...found, scan: partialScan }, source: { scan: found.scan, fields: partialFields, paths } };
      partials.set(found.file, known);
    }
    return known.partial;
  };
  const renderTemplate: RenderTemplate = {
    text: input.text,
    scan: withSchemaFallbacks(input.dialect, scan, (index) => fields[index]?.fallback),
    schemaPathOf: (index) => fields[index]?.path,
    limits: input.limits ?? DEFAULT_RENDER_LIMITS,
    ...(input.partial ? { partial: followPartial } : {}),
  };
  const { dialect } = input;
  const render: PreparedRender = dialect.prepareRender?.(renderTemplate) ?? ((recipient) => dialect.render({ ...renderTemplate, ...recipient }));
  const rendered = (recipient: Recipient, segments: PreviewSegment[] | undefined) => {
    const mocks = previewMocks(recipient.connected, schema?.dataExtensions);
    const result = render({ data: recipient.data, ...(mocks ? { connected: mocks } : {}) });
    return previewOf(input, recipient, result, { template, partials, mocks, segments });
  };
  return {
    preview: (recipient) => {
      const segments: PreviewSegment[] = [];
      // In the order a preview's keys have always had: recipient, segments, counts, summary, ….
      return Object.assign({ recipient, segments }, rendered(recipient, segments));
    },
    facts: (recipient) => rendered(recipient, undefined),
  };
}

interface MarkContext {
  template: MarkSource;
  partials: Map<string, { source: MarkSource }>;
  mocks: Record<string, unknown> | undefined;
  /** Where the text and marks go; undefined when only counts and size are wanted. */
  segments: PreviewSegment[] | undefined;
}

/** The rendering cut into text and marks, with what each mark means for this recipient (into `segments` when given). */
function previewOf(input: TemplatePreviewInput, recipient: Recipient, result: RenderResult, context: MarkContext): PreviewFacts {
  const { scan } = input;
  const { template, partials, mocks, segments } = context;
  const counts: Record<NotableKind, number> = { fallback: 0, blank: 0, stale: 0, raw: 0 };
  let size = 0;
  const push = (text: string, mark?: () => PreviewMark | undefined) => {
    size += utf8Length(text);
    if (!segments) return;
    const made = mark?.();
    segments.push(made ? { text, mark: made } : { text });
  };
  // Braces in CSS (`@media(…){.a{…}}`) and scripts are not merge syntax.
  let rawTextElement: string | undefined;
  const pushText = (text: string) => {
    let last = 0;
    RAW_MERGE_SYNTAX.lastIndex = 0;
    for (let match = RAW_MERGE_SYNTAX.exec(text); match; match = RAW_MERGE_SYNTAX.exec(text)) {
      rawTextElement = endsInsideRawText(text.slice(last, match.index), rawTextElement);
      if (rawTextElement === 'style' || rawTextElement === 'script') {
        rawTextElement = endsInsideRawText(match[0], rawTextElement);
        push(text.slice(last, match.index + match[0].length));
        last = match.index + match[0].length;
        continue;
      }
      if (match.index > last) push(text.slice(last, match.index));
      push(match[0], () => ({ kind: 'raw' }));
      counts.raw++;
      last = match.index + match[0].length;
    }
    rawTextElement = endsInsideRawText(text.slice(last), rawTextElement);
    if (last < text.length) push(text.slice(last));
  };
  let last = 0;
  MARK_PATTERN.lastIndex = 0;
  for (let match = MARK_PATTERN.exec(result.output); match; match = MARK_PATTERN.exec(result.output)) {
    pushText(result.output.slice(last, match.index));
    last = match.index + match[0].length;
    const rendered = result.values[Number(match[1])];
    if (rendered?.connected !== undefined) {
      const kind = rendered.kind;
      if (kind !== 'value') counts[kind]++;
      rawTextElement = endsInsideRawText(match[2], rawTextElement);
      push(match[2], () => connectedMark(scan, rendered.connected!, kind, mocks));
      continue;
    }
    const file = rendered?.partial;
    const source = file === undefined ? template : partials.get(file)?.source;
    const useIndex = rendered?.useIndex ?? -1;
    const use = source?.scan.uses[useIndex];
    const field = source?.fields[useIndex];
    let kind: MarkKind = rendered?.kind ?? 'value';
    const updatedAt = field ? recipient.updatedAt.get(field.path) : undefined;
    if (kind === 'value' && field?.maxAgeDays !== undefined && updatedAt &&
      input.now.getTime() - updatedAt.getTime() > field.maxAgeDays * 86_400_000) {
      kind = 'stale';
    }
    if (kind !== 'value') counts[kind]++;
    rawTextElement = endsInsideRawText(match[2], rawTextElement);
    push(match[2], () => use && source ? {
      kind, field: source.paths[useIndex], span: use.tagSpan,
      ...(file !== undefined ? { file } : {}),
      ...(kind === 'stale' ? { updatedAt } : {}),
    } : undefined);
  }
  pushText(result.output.slice(last));
  const rendered = result.aborted === undefined && !result.error;
  return {
    recipient,
    counts,
    summary: result.aborted !== undefined ? `send stopped: ${result.aborted}` : result.error ? 'not rendered' : summarize(counts),
    ...(result.aborted !== undefined ? { aborted: result.aborted } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(rendered ? { size, clipped: isClipped(size) } : {}),
  };
}

/** The mark of an output of connected data: blank, and saying so, when the recipient file has no mock for it. */
function connectedMark(scan: TemplateScan, index: number, kind: 'value' | 'fallback' | 'blank', mocks: Record<string, unknown> | undefined): PreviewMark {
  const use = scan.connected!.uses[index];
  const source = scan.connected!.sources[use.source];
  const mocked = connectedMockValue(mocks, source, use).mocked;
  return { kind, span: use.tagSpan, connected: { written: use.written, description: describeConnectedSource(source), mocked } };
}

export function summarize(counts: Record<NotableKind, number>): string {
  const parts = [
    plural(counts.fallback, 'fallback'),
    plural(counts.blank, 'blank'),
    `${counts.stale} stale`,
    ...(counts.raw ? [`${counts.raw} raw merge syntax`] : []),
  ];
  return parts.join(', ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
