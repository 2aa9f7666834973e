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
  templates: PurposeTemplate[];
}

/** The whole run at once, as the command line wants it. */
export function runReportOver(input: ReportRunInput): ReportRunResult {
  const steps = reportSteps(input);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
  }
}

/**
 * The run one template at a time: it yields after each, so that the language server can answer
 * other requests between them (and stop a run that has been cancelled); its value is the result.
 */
export function* reportSteps(input: ReportRunInput): Generator<void, ReportRunResult, void> {
  const { index, partials, display, linkTo, now } = input;
  const notices: string[] = [];
  const schemas = new Map<string, SchemaInfo>();
  const schemaInfo = (schemaFile: string): SchemaInfo => {
    let info = schemas.get(schemaFile);
    if (!info) {
      const loaded = index.load(schemaFile);
      const shown = display(schemaFile);
      if (loaded.readError) notices.push(`${shown}: ${loaded.readError}`);
      const result = loaded.result;
      let recipients: Recipient[] = [];
      if (result) {
        const broken = result.diagnostics.filter((d) => d.rule === SCHEMA_ERROR && d.severity === 'error');
        if (broken.length) notices.push(`${shown}: ${broken[0].message}${broken.length > 1 ? ` (and ${broken.length - 1} more problems)` : ''}`);
        const read = loadRecipients(result.schema, input.fs, display);
        recipients = read.recipients;
        notices.push(...read.problems.map((problem) => `Sample recipients: ${problem}`));
        if (result.schema.recipients.length === 0) notices.push(`${shown} has no "recipients": no previews, and no check that every recipient renders.`);
      }
      schemas.set(schemaFile, (info = { shown, recipients, templates: [] }));
    }
    return info;
  };

  const selection = previewSelection(input.templates.length);
  let framesBytes = 0;
  let framesLeftOut = 0;
  let previewed = 0;
  const frames = new Map<string, PreviewFrame[]>();
  const templates: TemplateReport[] = [];

  for (const [position, file] of input.templates.entries()) {
    if (position > 0) yield;
    const shown = display(file);
    const fileLink = linkTo(file);
    const schemaFile = index.schemaFileFor(file);
    const info = schemaFile ? schemaInfo(schemaFile) : undefined;
    const schema = schemaFile ? index.load(schemaFile).result?.schema : undefined;
    const base: TemplateReport = {
      path: shown, link: fileLink, state: 'analysed', dialect: null, schema: info?.shown ?? null, partial: false,
      checklist: [], findingCounts: {}, quadrants: emptyQuadrants(), maturity: { rung: 'basic', reason: 'not analysed' }, recipients: [],
    };
    const read = readTemplateText(input, file, maxFileSizeFor(schema));
    if ('problem' in read) {
      templates.push({ ...base, state: 'skipped', problem: read.problem, maturity: { rung: 'basic', reason: `not analysed: ${read.problem}` } });
      notices.push(`${shown}: skipped, ${read.problem}.`);
      continue;
    }
    const { text } = read;
    let analysed: ReturnType<typeof analyzeDocument>;
    try {
      analysed = analyzeDocument(index, file, text, undefined, now, partials);
    } catch (error) {
      const problem = `it could not be analysed (${error instanceof Error ? error.message : String(error)})`;
      templates.push({ ...base, state: 'skipped', problem, maturity: { rung: 'basic', reason: `not analysed: ${problem}` } });
      continue;
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
    if (info && schema) {
      info.templates.push({ path: shown, relativePath: toPosix(path.relative(schema.dir, file)), directives: analysis.scan.purposeDirectives.map((d) => d.purpose) });
    }

    // Every sample recipient, through the preview core; a throw is that recipient's render error.
    let renders: RecipientRender[] | undefined;
    const wantFrames = selection.chosen(position);
    if (schema && info && info.recipients.length && !isPartial) {
      renders = [];
      const scan = analysed.scan ?? dialect.scan(text);
      const sources = scan.includes?.length ? partialSources(partials, path.resolve(file)) : {};
      const partial = Object.keys(sources).length ? partialLookup(sources, dialect) : undefined;
      const plainText = isPlainTextTemplate(file);
      const templateFrames: PreviewFrame[] = [];
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
        const bytes = Buffer.byteLength(document) * 1.3;
        if (bytes > MAX_FRAME_BYTES || framesBytes + bytes > MAX_FRAMES_BYTES) {
          framesLeftOut++;
          continue;
        }
        framesBytes += bytes;
        templateFrames.push({ recipient: recipient.name, document });
      }
      if (templateFrames.length) {
        frames.set(shown, templateFrames);
        previewed++;
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
    templates.push(report);
  }

  const purposes = [...schemas.entries()].flatMap(([schemaFile, info]) => {
    const schema = index.load(schemaFile).result?.schema;
    return schema ? purposeReports(schema, info.shown, info.templates) : [];
  });
  const audience: AudienceSection[] = [...schemas.keys()].map((schemaFile) => audienceSection(index, schemaFile, display, now));
  // With no sample recipients, nothing was rendered: there are no previews to have sampled.
  const rendered = templates.some((t) => t.recipients.length > 0);
  const sampling: PreviewSampling = rendered ? { ...selection.sampling, shown: previewed } : { shown: 0, previewable: 0, sampled: false };
  if (framesLeftOut) {
    sampling.note = `${sampling.note ? `${sampling.note} ` : ''}${framesLeftOut} preview${framesLeftOut === 1 ? ' was' : 's were'} left out of this page to keep it under 5 MB ` +
      '(a single rendering over 300 KB, or the page\'s budget for previews spent); `mergewise preview TEMPLATE --out DIR` shows any of them.';
  }
  if (sampling.note) sampling.sampled = true;
  const report = assembleReport({ generatedAt: now, paths: input.paths, templates, purposes, audience, previews: sampling, notices });
  return { report, frames };
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
