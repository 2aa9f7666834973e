/**
 * One run of the send-readiness report over a set of templates, shared by `mergewise report` and the
 * language server's `mergewise/report`: reads each template through `WorkspaceFileSystem` (size and
 * binary checks as `check` makes them), analyses it with its includes, renders it for every sample
 * recipient with the preview core, and gathers the facts the pure builders here turn into data and
 * HTML. Bad input never aborts: a template that cannot be read or parsed, a recipient that does not
 * render, a missing or broken snapshot each appear in the report as what they are.
 */
import * as path from 'node:path';
import { emailDocument, escapeHtml } from '../../../../protocol/src/email-document';
import { rareBranches, snapshotNotes } from '../audience/editor';
import { AUDIENCE_SNAPSHOT_FILE_NAME } from '../audience/snapshot';
import { SCHEMA_ERROR, type Range } from '../model';
import { partialLookup, partialSources } from '../partials/render';
import type { PartialWorkspace } from '../partials/workspace';
import { LineIndex } from '../positions';
import { isPlainTextTemplate, markedEmailHtml } from '../preview/html';
import { prepareTemplatePreview, type PreviewFacts, type RecipientPreview, type TemplatePreviews } from '../preview/preview';
import { loadRecipients, type Recipient } from '../preview/recipients';
import {
  analyzeDocument, describeSkip, maxFileSizeFor, skipReason, toPosix, type SchemaIndex, type WorkspaceFileSystem,
} from '../workspace';
import { assembleReport, previewSelection, purposeReports, type PurposeTemplate } from './assemble';
import { CLIPPED_COUNT, RENDER_ERROR_COUNT } from './baseline';
import { checklist, maturity, quadrantCounts, recipientRender } from './facts';
import type { PreviewFrame } from './html';
import {
  emptyQuadrants, type AudienceSection, type PreviewSampling, type RecipientRender, type ReportFinding, type SendReadinessReport, type TemplateReport,
} from './model';

export interface ReportRunInput {
  fs: WorkspaceFileSystem;
  index: SchemaIndex;
  /** Who includes what: partials are judged and rendered through the templates that include them. */
  partials: PartialWorkspace;
  /** The templates reported on (absolute paths), in the order the report lists them. */
  templates: string[];
  /** The paths asked for, as the report records them. */
  paths: string[];
  /** A file as the report names it (relative to where it was asked for). */
  display: (file: string) => string;
  /** A link to a file (`../emails/a.liquid`); a finding's adds its line (`#L12`). */
  linkTo: (file: string) => string;
  /** A file's size in bytes, asked before reading it; without it, the size of the text read. */
  size?: (file: string) => number;
  now: Date;
}

export interface ReportRunResult {
  report: SendReadinessReport;
  /** The preview frames the HTML shows, by template path. */
  frames: Map<string, PreviewFrame[]>;
}

/** A link from a page in `folder` to `file`: relative, with `/` and each segment URL-encoded. */
export function relativeLink(folder: string, file: string): string {
  return toPosix(path.relative(folder, file)).split('/').map(encodeURIComponent).join('/');
}

/** The largest frame kept, and all frames together, estimated: what the run keeps; the page's budget (html.ts) decides what it shows. */
const MAX_FRAME_BYTES = 300 * 1024;
const MAX_FRAMES_BYTES = 4 * 1024 * 1024;

interface SchemaInfo {
  shown: string;
  recipients: Recipient[];
  /** What loading it found wrong, said once, where its first template is added. */
  notices: string[];
  noticed: boolean;
  templates: PurposeTemplate[];
}

/** One template's share of the report, worked out on its own (on any thread): `ReportRun.add` takes them in order. */
export interface TemplateOutcome {
  report: TemplateReport;
  schemaFile?: string;
  /** Its entry in the purposes of its mergewise.json. */
  purpose?: PurposeTemplate;
  /** Why it was skipped, for the report's notices. */
  notice?: string;
  /** The preview frames made for it, each with its size estimated, before the run's budget is applied. */
  frames: { frame: PreviewFrame; bytes: number }[];
}

/** The whole run at once, as the command line wants it. */
export function runReportOver(input: ReportRunInput): ReportRunResult {
  return new ReportRun(input).runHere();
}

/**
 * The report over `input.templates`: `template` works out one template's outcome, which depends on
 * nothing but the template and its position, so worker threads can work them out; `add` takes the
 * outcomes in the templates' order and keeps what is shared (the frames' budget, the notices, the
 * purposes); `finish` assembles the report.
 */
export class ReportRun {
  private readonly notices: string[] = [];
  private readonly schemas = new Map<string, SchemaInfo>();
  private readonly selection: ReturnType<typeof previewSelection>;
  private readonly frames = new Map<string, PreviewFrame[]>();
  private readonly templates: TemplateReport[] = [];
  private framesBytes = 0;
  private framesLeftOut = 0;
  private previewed = 0;

  constructor(private readonly input: ReportRunInput) {
    this.selection = previewSelection(input.templates.length);
  }

  private schemaInfo(schemaFile: string): SchemaInfo {
    let info = this.schemas.get(schemaFile);
    if (!info) {
      const { index, display } = this.input;
      const notices: string[] = [];
      const loaded = index.load(schemaFile);
      const shown = display(schemaFile);
      if (loaded.readError) notices.push(`${shown}: ${loaded.readError}`);
      const result = loaded.result;
      let recipients: Recipient[] = [];
      if (result) {
        const broken = result.diagnostics.filter((d) => d.rule === SCHEMA_ERROR && d.severity === 'error');
        if (broken.length) notices.push(`${shown}: ${broken[0].message}${broken.length > 1 ? ` (and ${broken.length - 1} more problems)` : ''}`);
        const read = loadRecipients(result.schema, this.input.fs, display);
        recipients = read.recipients;
        notices.push(...read.problems.map((problem) => `Sample recipients: ${problem}`));
        if (result.schema.recipients.length === 0) notices.push(`${shown} has no "recipients": no previews, and no check that every recipient renders.`);
      }
      this.schemas.set(schemaFile, (info = { shown, recipients, notices, noticed: false, templates: [] }));
    }
    return info;
  }

  /**
   * The run one template at a time on this thread: it yields after each, so that the language
   * server can answer other requests between them (and stop a run that has been cancelled); its
   * value is the result.
   */
  *steps(): Generator<void, ReportRunResult, void> {
    for (const [position, file] of this.input.templates.entries()) {
      if (position > 0) yield;
      this.add(this.template(file, position));
    }
    return this.finish();
  }

  /** Every template on this thread, at once. */
  runHere(): ReportRunResult {
    const steps = this.steps();
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
    }
  }

  /** Whether any template has sample recipients to be rendered for: without them a report is only analysis. */
  rendersAny(): boolean {
    const { index } = this.input;
    const schemaFiles = new Set(this.input.templates.map((file) => index.schemaFileFor(file)));
    return [...schemaFiles].some((schemaFile) => schemaFile !== undefined && this.schemaInfo(schemaFile).recipients.length > 0);
  }

  /** The template at `position` of `input.templates`, read, analysed and rendered for every sample recipient. */
  template(file: string, position: number): TemplateOutcome {
    const { index, partials, display, linkTo, now } = this.input;
    const shown = display(file);
    const fileLink = linkTo(file);
    const schemaFile = index.schemaFileFor(file);
    const info = schemaFile ? this.schemaInfo(schemaFile) : undefined;
    const schema = schemaFile ? index.load(schemaFile).result?.schema : undefined;
    const base: TemplateReport = {
      path: shown, link: fileLink, state: 'analysed', dialect: null, schema: info?.shown ?? null, partial: false,
      checklist: [], findingCounts: {}, quadrants: emptyQuadrants(), maturity: { rung: 'basic', reason: 'not analysed' }, recipients: [],
    };
    const skipped = (problem: string, notice?: string): TemplateOutcome => ({
      report: { ...base, state: 'skipped', problem, maturity: { rung: 'basic', reason: `not analysed: ${problem}` } },
      ...(schemaFile ? { schemaFile } : {}), ...(notice ? { notice } : {}), frames: [],
    });
    const read = readTemplateText(this.input, file, maxFileSizeFor(schema));
    if ('problem' in read) return skipped(read.problem, `${shown}: skipped, ${read.problem}.`);
    const { text } = read;
    let analysed: ReturnType<typeof analyzeDocument>;
    try {
      analysed = analyzeDocument(index, file, text, undefined, now, partials);
    } catch (error) {
      return skipped(`it could not be analysed (${error instanceof Error ? error.message : String(error)})`);
    }
    const { analysis, dialect } = analysed;
    const lines = new LineIndex(text);
    // A template's findings number in the hundreds: its link is worked out once, and each finding adds its line.
    const locate = (range: Range) => ({ range, link: `${fileLink}#L${range.start.line + 1}` });
    const findings: ReportFinding[] = analysis.diagnostics.map((d) => {
      const range = lines.range(d.span);
      return { rule: d.rule, severity: d.severity, message: d.message, path: shown, ...locate(range) };
    });
    const isPartial = (analysed.includedBy?.length ?? 0) > 0;
    const purpose: PurposeTemplate | undefined = info && schema
      ? { path: shown, relativePath: toPosix(path.relative(schema.dir, file)), directives: analysis.scan.purposeDirectives.map((d) => d.purpose) }
      : undefined;

    // Every sample recipient, through the preview core; a throw is that recipient's render error.
    let renders: RecipientRender[] | undefined;
    const frames: TemplateOutcome['frames'] = [];
    const wantFrames = this.selection.chosen(position);
    if (schema && info && info.recipients.length && !isPartial) {
      renders = [];
      const scan = analysed.scan ?? dialect.scan(text);
      const sources = scan.includes?.length ? partialSources(partials, path.resolve(file)) : {};
      const partial = Object.keys(sources).length ? partialLookup(sources, dialect) : undefined;
      const plainText = isPlainTextTemplate(file);
      // Parsed once for every recipient; should preparing throw, it is each recipient's render error.
      let previews: TemplatePreviews | undefined;
      for (const recipient of info.recipients) {
        let facts: PreviewFacts;
        // Only an email shown in a frame has its text cut into marked segments.
        let preview: RecipientPreview | undefined;
        try {
          previews ??= prepareTemplatePreview({ text, dialect, scan, schema, now, ...(partial ? { partial } : {}) });
          facts = wantFrames ? (preview = previews.preview(recipient)) : previews.facts(recipient);
        } catch (error) {
          const failed: RecipientPreview = {
            recipient, segments: [], counts: { fallback: 0, blank: 0, stale: 0, raw: 0 }, summary: 'not rendered',
            error: `The preview failed: ${error instanceof Error ? error.message : String(error)}`,
          };
          facts = preview = failed;
        }
        renders.push(recipientRender(facts, display(recipient.file)));
        if (!wantFrames || !preview) continue;
        const document = emailDocument(preview.error || preview.aborted !== undefined ? '' : markedEmailHtml(preview, { plainText }), {
          title: `${shown} for ${recipient.name}`, remote: false,
          before: preview.error || preview.aborted !== undefined
            ? `<p style="font: 14px system-ui, sans-serif; color: #c92a2a; padding: 10px">${escapeHtml(preview.error ?? `This recipient gets no email: the template stops the send (${preview.aborted}).`)}</p>`
            : '',
        });
        // Escaped into an attribute, each byte of markup grows by up to six.
        frames.push({ frame: { recipient: recipient.name, document }, bytes: Buffer.byteLength(document) * 1.3 });
      }
    }

    const findingCounts: Record<string, number> = {};
    for (const finding of findings) findingCounts[finding.rule] = (findingCounts[finding.rule] ?? 0) + 1;
    const renderErrors = renders?.filter((r) => r.error !== undefined).length ?? 0;
    const clipped = renders?.filter((r) => r.clipped).length ?? 0;
    if (renderErrors) findingCounts[RENDER_ERROR_COUNT] = renderErrors;
    if (clipped) findingCounts[CLIPPED_COUNT] = clipped;

    const report: TemplateReport = {
      ...base,
      dialect: dialect.id,
      partial: isPartial,
      checklist: checklist({ findings, hasSchema: schema !== undefined, hasIncludes: (analysed.includes?.length ?? 0) > 0, renders }),
      findingCounts,
      quadrants: quadrantCounts(analysis.context),
      maturity: maturity(analysis.context, (use) => lines.range(use.span), locate),
      recipients: renders ?? [],
    };
    const measured = analysed.audience?.template;
    if (measured) {
      report.audience = {
        recipients: measured.recipients, seeFallback: measured.seeFallback, seeBlank: measured.seeBlank, seeStale: measured.seeStale,
        approximate: measured.approximate ?? false,
        rareBranches: rareBranches(analysed.audience, dialect, text, analysis.scan).map((b) => ({ message: b.message, ...locate(lines.range(b.span)) })),
      };
    }
    return { report, ...(schemaFile ? { schemaFile } : {}), ...(purpose ? { purpose } : {}), frames };
  }

  /** The next template's outcome, in the order of `input.templates`. */
  add(outcome: TemplateOutcome): void {
    const info = outcome.schemaFile ? this.schemaInfo(outcome.schemaFile) : undefined;
    if (info && !info.noticed) {
      info.noticed = true;
      this.notices.push(...info.notices);
    }
    if (outcome.notice) this.notices.push(outcome.notice);
    if (info && outcome.purpose) info.templates.push(outcome.purpose);
    const kept: PreviewFrame[] = [];
    for (const { frame, bytes } of outcome.frames) {
      if (bytes > MAX_FRAME_BYTES || this.framesBytes + bytes > MAX_FRAMES_BYTES) {
        this.framesLeftOut++;
        continue;
      }
      this.framesBytes += bytes;
      kept.push(frame);
    }
    if (kept.length) {
      this.frames.set(outcome.report.path, kept);
      this.previewed++;
    }
    this.templates.push(outcome.report);
  }

  finish(): ReportRunResult {
    const { index, display, now } = this.input;
    const { templates, framesLeftOut } = this;
    const purposes = [...this.schemas.entries()].flatMap(([schemaFile, info]) => {
      const schema = index.load(schemaFile).result?.schema;
      return schema ? purposeReports(schema, info.shown, info.templates) : [];
    });
    const audience: AudienceSection[] = [...this.schemas.keys()].map((schemaFile) => audienceSection(index, schemaFile, display, now));
    // With no sample recipients, nothing was rendered: there are no previews to have sampled.
    const rendered = templates.some((t) => t.recipients.length > 0);
    const sampling: PreviewSampling = rendered ? this.selection.shownWas(this.previewed) : { shown: 0, previewable: 0, sampled: false };
    if (framesLeftOut) {
      sampling.note = `${sampling.note ? `${sampling.note} ` : ''}${framesLeftOut} preview${framesLeftOut === 1 ? ' was' : 's were'} left out of this page to keep it under 5 MB ` +
        '(a single rendering over 300 KB, or the page\'s budget for previews spent); `mergewise preview TEMPLATE --out DIR` shows any of them.';
    }
    if (sampling.note) sampling.sampled = true;
    const report = assembleReport({ generatedAt: now, paths: this.input.paths, templates, purposes, audience, previews: sampling, notices: this.notices });
    return { report, frames: this.frames };
  }
}

function readTemplateText(input: ReportRunInput, file: string, limit: number): { text: string } | { problem: string } {
  try {
    const size = input.size?.(file);
    const tooLarge = size === undefined ? undefined : skipReason({ bytes: size }, limit);
    if (tooLarge) return { problem: describeSkip(tooLarge) };
    const text = input.fs.readText(file);
    if (text === undefined) return { problem: 'it disappeared' };
    const skipped = skipReason({ bytes: size ?? Buffer.byteLength(text, 'utf8'), text }, limit);
    return skipped ? { problem: describeSkip(skipped) } : { text };
  } catch (error) {
    return { problem: `it could not be read (${(error as Error).message})` };
  }
}

/** The snapshot beside one mergewise.json, as what it is: current, old, unreadable or missing. */
function audienceSection(index: SchemaIndex, schemaFile: string, display: (file: string) => string, now: Date): AudienceSection {
  const file = display(path.join(path.dirname(schemaFile), AUDIENCE_SNAPSHOT_FILE_NAME));
  const section: AudienceSection = { schema: display(schemaFile), file, state: 'missing' };
  const loaded = index.audienceFor(schemaFile);
  if (!loaded) return section;
  if (loaded.error !== undefined || !loaded.snapshot) return { ...section, state: 'unreadable', note: loaded.error ?? 'it could not be read' };
  const { source } = loaded.snapshot;
  const notes = snapshotNotes(loaded, index.load(schemaFile).result?.schema, now, { start: 0, end: 0 });
  return {
    ...section, state: notes.length ? 'old' : 'current', takenAt: source.takenAt, rows: source.rows, source: source.description,
    ...(notes.length ? { note: notes[0].message } : {}),
  };
}
