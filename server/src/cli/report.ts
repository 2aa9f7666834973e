/**
 * `mergewise report [PATH...] --out DIR [--format html|json|markdown] [--baseline OLD.json]`: the
 * send-readiness report. Reads the templates as `check` does (one `PartialWorkspace`, the governing
 * `mergewise.json`, its audience snapshot), renders each for every sample recipient with the
 * preview core, and hands the facts to the pure builders in core/report/. Bad input never aborts:
 * a template that cannot be read or parsed, a recipient that does not render, a missing or broken
 * snapshot each appear in the report as what they are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { emailDocument } from '../../../protocol/src/email-document';
import { rareBranches, snapshotNotes } from '../core/audience/editor';
import { AUDIENCE_SNAPSHOT_FILE_NAME } from '../core/audience/snapshot';
import { LineIndex } from '../core/positions';
import { SCHEMA_ERROR, type Range } from '../core/model';
import { partialLookup, partialSources } from '../core/partials/render';
import { PartialWorkspace } from '../core/partials/workspace';
import { isPlainTextTemplate, markedEmailHtml } from '../core/preview/html';
import { previewTemplate, type RecipientPreview } from '../core/preview/preview';
import { loadRecipients, type Recipient } from '../core/preview/recipients';
import { assembleReport, previewSelection, purposeReports, reportExitCode, type PurposeTemplate } from '../core/report/assemble';
import { CLIPPED_COUNT, compareReports, readBaseline, RENDER_ERROR_COUNT, type BaselineDelta } from '../core/report/baseline';
import { checklist, maturity, quadrantCounts, recipientRender } from '../core/report/facts';
import { reportHtml, type PreviewFrame } from '../core/report/html';
import { reportMarkdown } from '../core/report/markdown';
import {
  emptyQuadrants, type AudienceSection, type RecipientRender, type ReportFinding, type SendReadinessReport, type TemplateReport,
} from '../core/report/model';
import {
  analyzeDocument, describeSkip, maxFileSizeFor, SchemaIndex, skipReason, toPosix,
} from '../core/workspace';
import { nodeFileSystem } from '../node-fs';
import { includerUniverse } from './check';
import { collectFiles } from './collect';
import { UsageError } from './preview';

export const REPORT_USAGE = `  mergewise report [PATH...] --out DIR [--format html|json|markdown] [--baseline OLD.json]
      a send-readiness report: per template a checklist, the quadrant map, the maturity ladder,
      purposes, audience coverage and every sample recipient's preview; html (report.html, one
      self-contained file), json (report.json, the same facts) or markdown (report.md, for a pull
      request); --baseline compares with an earlier report.json (exit 1 when an item fails)`;

export type ReportFormat = 'html' | 'json' | 'markdown';

export interface ReportOptions {
  paths: string[];
  cwd: string;
  outDir: string;
  format: ReportFormat;
  baseline?: string;
  now?: Date;
}

export interface ReportRun {
  report: SendReadinessReport;
  written: string;
  exitCode: number;
}

/** The largest frame kept, and all frames together: the page stays under 5 MB. */
const MAX_FRAME_BYTES = 300 * 1024;
const MAX_FRAMES_BYTES = 4 * 1024 * 1024;

interface SchemaInfo {
  shown: string;
  recipients: Recipient[];
  templates: PurposeTemplate[];
}

export function parseReportArgs(args: string[], cwd: string, now?: Date): ReportOptions {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { out: { type: 'string' }, format: { type: 'string', default: 'html' }, baseline: { type: 'string' } },
  });
  if (!values.out) throw new UsageError('report needs --out DIR: the folder the report is written to.');
  const format = values.format as ReportFormat;
  if (!['html', 'json', 'markdown'].includes(format)) throw new UsageError(`report's --format is html, json or markdown, not "${values.format}".`);
  return { paths: positionals, cwd, outDir: values.out, format, baseline: values.baseline, now };
}

export function runReport(options: ReportOptions): ReportRun {
  const { cwd } = options;
  const now = options.now ?? new Date();
  const outDir = path.resolve(cwd, options.outDir);
  let baselineReport: SendReadinessReport | undefined;
  if (options.baseline !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, options.baseline), 'utf8');
    } catch (error) {
      throw new UsageError(`--baseline ${options.baseline}: cannot be read (${(error as Error).message}).`);
    }
    const read = readBaseline(text);
    if (!read.ok) throw new UsageError(`--baseline ${options.baseline}: ${read.error}.`);
    baselineReport = read.report;
  }
  const collected = collectFiles(options.paths.length ? options.paths : ['.'], cwd);
  if (collected.problems.length) throw new UsageError(collected.problems.join('\n'));

  const display = (file: string) => toPosix(path.relative(cwd, file)) || path.basename(file);
  const linkTo = (file: string) => toPosix(path.relative(outDir, file)).split('/').map(encodeURIComponent).join('/');
  // A template's findings number in the hundreds: its link is worked out once, and each finding adds its line.
  const lineLink = (fileLink: string, range: Range) => `${fileLink}#L${range.start.line + 1}`;
  const index = new SchemaIndex(nodeFileSystem);
  const notices: string[] = [];
  // The templates whose includes say who includes what, as check reads them: each governing folder listed once.
  const partials = new PartialWorkspace(index, {
    read: (file) => nodeFileSystem.readText(file), version: () => 'this run', templates: () => includerUniverse(collected.templates, index),
  }, { handOverScans: true });
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
        const read = loadRecipients(result.schema, nodeFileSystem, display);
        recipients = read.recipients;
        notices.push(...read.problems.map((problem) => `Sample recipients: ${problem}`));
        if (result.schema.recipients.length === 0) notices.push(`${shown} has no "recipients": no previews, and no check that every recipient renders.`);
      }
      schemas.set(schemaFile, (info = { shown, recipients, templates: [] }));
    }
    return info;
  };

  const selection = previewSelection(collected.templates.length);
  let framesBytes = 0;
  let framesLeftOut = 0;
  let previewed = 0;
  const frames = new Map<string, PreviewFrame[]>();
  const templates: TemplateReport[] = [];

  collected.templates.forEach((file, position) => {
    const shown = display(file);
    const fileLink = linkTo(file);
    const schemaFile = index.schemaFileFor(file);
    const info = schemaFile ? schemaInfo(schemaFile) : undefined;
    const schema = schemaFile ? index.load(schemaFile).result?.schema : undefined;
    const base: TemplateReport = {
      path: shown, link: fileLink, state: 'analysed', dialect: null, schema: info?.shown ?? null, partial: false,
      checklist: [], findingCounts: {}, quadrants: emptyQuadrants(), maturity: { rung: 'basic', reason: 'not analysed' }, recipients: [],
    };
    const read = readTemplateText(file, maxFileSizeFor(schema));
    if ('problem' in read) {
      templates.push({ ...base, state: 'skipped', problem: read.problem, maturity: { rung: 'basic', reason: `not analysed: ${read.problem}` } });
      notices.push(`${shown}: skipped, ${read.problem}.`);
      return;
    }
    const { text } = read;
    let analysed: ReturnType<typeof analyzeDocument>;
    try {
      analysed = analyzeDocument(index, file, text, undefined, now, partials);
    } catch (error) {
      const problem = `it could not be analysed (${error instanceof Error ? error.message : String(error)})`;
      templates.push({ ...base, state: 'skipped', problem, maturity: { rung: 'basic', reason: `not analysed: ${problem}` } });
      return;
    }
    const { analysis, dialect } = analysed;
    const lines = new LineIndex(text);
    const locate = (range: Range) => ({ range, link: lineLink(fileLink, range) });
    const findings: ReportFinding[] = analysis.diagnostics.map((d) => {
      const range = lines.range(d.span);
      return { rule: d.rule, severity: d.severity, message: d.message, path: shown, range, link: lineLink(fileLink, range) };
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
      const scan = dialect.scan(text);
      const sources = scan.includes?.length ? partialSources(partials, path.resolve(file)) : {};
      const partial = Object.keys(sources).length ? partialLookup(sources, dialect) : undefined;
      const plainText = isPlainTextTemplate(file);
      const templateFrames: PreviewFrame[] = [];
      for (const recipient of info.recipients) {
        let preview: RecipientPreview;
        try {
          preview = previewTemplate({ text, dialect, scan, schema, recipient, now, ...(partial ? { partial } : {}) });
        } catch (error) {
          preview = {
            recipient, segments: [], counts: { fallback: 0, blank: 0, stale: 0, raw: 0 }, summary: 'not rendered',
            error: `The preview failed: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        renders.push(recipientRender(preview, display(recipient.file)));
        if (!wantFrames) continue;
        const document = emailDocument(preview.error || preview.aborted !== undefined ? '' : markedEmailHtml(preview, { plainText }), {
          title: `${shown} for ${recipient.name}`, remote: false,
          before: preview.error || preview.aborted !== undefined
            ? `<p style="font: 14px system-ui, sans-serif; color: #c92a2a; padding: 10px">${escapeText(preview.error ?? `This recipient gets no email: the template stops the send (${preview.aborted}).`)}</p>`
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
  });

  const purposes = [...schemas.entries()].flatMap(([schemaFile, info]) => {
    const schema = index.load(schemaFile).result?.schema;
    return schema ? purposeReports(schema, info.shown, info.templates) : [];
  });
  const audience: AudienceSection[] = [...schemas.keys()].map((schemaFile) => audienceSection(index, schemaFile, display, now));
  const sampling = { ...selection.sampling, shown: previewed };
  if (framesLeftOut) {
    sampling.note = `${sampling.note ? `${sampling.note} ` : ''}${framesLeftOut} preview${framesLeftOut === 1 ? ' was' : 's were'} left out of this page to keep it under 5 MB ` +
      '(a single rendering over 300 KB, or the page\'s budget for previews spent); `mergewise preview TEMPLATE --out DIR` shows any of them.';
  }
  if (sampling.note) sampling.sampled = true;
  const report = assembleReport({ generatedAt: now, paths: options.paths, templates, purposes, audience, previews: sampling, notices });
  const delta: BaselineDelta | undefined = baselineReport ? compareReports(baselineReport, report) : undefined;

  fs.mkdirSync(outDir, { recursive: true });
  const [name, content] = options.format === 'json' ? ['report.json', `${JSON.stringify(report, null, 2)}\n`]
    : options.format === 'markdown' ? ['report.md', reportMarkdown(report, delta)]
    : ['report.html', reportHtml(report, { frames, ...(delta ? { baseline: delta } : {}) })];
  const written = path.join(outDir, name);
  fs.writeFileSync(written, content);
  return { report, written, exitCode: reportExitCode(report) };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function readTemplateText(file: string, limit: number): { text: string } | { problem: string } {
  try {
    const size = fs.statSync(file).size;
    const tooLarge = skipReason({ bytes: size }, limit);
    if (tooLarge) return { problem: describeSkip(tooLarge) };
    const text = fs.readFileSync(file, 'utf8');
    const skipped = skipReason({ bytes: size, text }, limit);
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
