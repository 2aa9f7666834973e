/**
 * `mergewise report [PATH...] --out DIR [--format html|json|markdown] [--baseline OLD.json]`: the
 * send-readiness report. Collects the templates as `check` does (one `PartialWorkspace` over the
 * governing folders), hands them to the run the language server shares (core/report/run.ts), and
 * writes the page, the JSON or the markdown summary, compared with a baseline when given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { reportExitCode } from '../core/report/assemble';
import { compareReports, readBaseline, type BaselineDelta } from '../core/report/baseline';
import { reportHtml } from '../core/report/html';
import { reportMarkdown } from '../core/report/markdown';
import type { SendReadinessReport } from '../core/report/model';
import { relativeLink, runReportOver, type ReportRunInput, type ReportRunResult } from '../core/report/run';
import { SchemaIndex, toPosix } from '../core/workspace';
import { PartialWorkspace } from '../core/partials/workspace';
import { nodeFileSystem } from '../node-fs';
import { includerUniverse } from './check';
import { collectTemplates } from './collect';
import { writeOutputFiles } from './fix';
import { parseJobs } from './jobs';
import { UsageError } from './preview';
import { runReportOnThreads, type ReportJob } from './report-jobs';

export const REPORT_USAGE = `  mergewise report [PATH...] --out DIR [--format html|json|markdown] [--baseline OLD.json] [--jobs N]
      a send-readiness report: per template a checklist, the quadrant map, the maturity ladder,
      purposes, audience coverage and every sample recipient's preview; html (report.html, one
      self-contained file), json (report.json, the same facts) or markdown (report.md, for a pull
      request); --baseline compares with an earlier report.json (exit 1 when an item fails); --jobs N
      renders on N threads (default: one per processor)`;

export type ReportFormat = 'html' | 'json' | 'markdown';

export interface ReportOptions {
  paths: string[];
  cwd: string;
  outDir: string;
  format: ReportFormat;
  baseline?: string;
  now?: Date;
  /** `--jobs N`: threads for `runReportJobs` (default: one per processor). */
  jobs?: number;
}

export interface ReportRun {
  report: SendReadinessReport;
  written: string;
  exitCode: number;
}

export function parseReportArgs(args: string[], cwd: string, now?: Date): ReportOptions {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { out: { type: 'string' }, format: { type: 'string', default: 'html' }, baseline: { type: 'string' }, jobs: { type: 'string' } },
  });
  if (!values.out) throw new UsageError('report needs --out DIR: the folder the report is written to.');
  const format = values.format as ReportFormat;
  if (!['html', 'json', 'markdown'].includes(format)) throw new UsageError(`report's --format is html, json or markdown, not "${values.format}".`);
  const jobs = parseJobs(values.jobs);
  return { paths: positionals, cwd, outDir: values.out, format, baseline: values.baseline, now, ...(jobs ? { jobs } : {}) };
}

export function runReport(options: ReportOptions): ReportRun {
  const prepared = prepareReport(options);
  return writeReport(options, prepared, runReportOver(prepared.input));
}

/**
 * `mergewise report` as the command line runs it: the templates spread over worker threads
 * (report-jobs.ts) when there are enough of them (a promise then), else at once as `runReport`
 * runs. The report is the same.
 */
export function runReportJobs(options: ReportOptions, debug?: (line: string) => void): ReportRun | Promise<ReportRun> {
  // Prepared before any promise: a usage error (a baseline that is not a report) is thrown as one.
  const prepared = prepareReport(options);
  const result = runReportOnThreads(prepared.input, prepared.job, options.jobs, debug);
  return result instanceof Promise ? result.then((done) => writeReport(options, prepared, done)) : writeReport(options, prepared, result);
}

interface PreparedReport {
  /** What the run is given, and what a worker builds the same from. */
  input: ReportRunInput;
  job: ReportJob;
  /** What walking the folders passed over (a link to nothing), for the report's notices. */
  collectNotices: string[];
  baseline?: SendReadinessReport;
}

function prepareReport(options: ReportOptions): PreparedReport {
  const { cwd } = options;
  const outDir = path.resolve(cwd, options.outDir);
  let baseline: SendReadinessReport | undefined;
  if (options.baseline !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, options.baseline), 'utf8');
    } catch (error) {
      throw new UsageError(`--baseline ${options.baseline}: cannot be read (${(error as Error).message}).`);
    }
    const read = readBaseline(text);
    if (!read.ok) throw new UsageError(`--baseline ${options.baseline}: ${read.error}.`);
    baseline = read.report;
  }
  const index = new SchemaIndex(nodeFileSystem);
  const collected = collectTemplates(options.paths.length ? options.paths : ['.'], cwd, index);
  if (collected.problems.length) throw new UsageError(collected.problems.join('\n'));
  const job: ReportJob = { cwd, outDir, paths: options.paths, templates: collected.templates, now: (options.now ?? new Date()).getTime() };
  return { input: reportRunInput(job), job, collectNotices: collected.notices, ...(baseline ? { baseline } : {}) };
}

/** What a run over these templates reads, on the main thread or a worker's: the files on disk, as `check` reads them. */
export function reportRunInput(job: ReportJob): ReportRunInput {
  const { cwd, outDir } = job;
  const index = new SchemaIndex(nodeFileSystem);
  return {
    fs: nodeFileSystem,
    index,
    // The templates whose includes say who includes what, as check reads them: each governing folder listed once.
    partials: new PartialWorkspace(index, {
      read: (file) => nodeFileSystem.readText(file), version: () => 'this run', templates: () => includerUniverse(job.templates, index),
    }, { handOverScans: true }),
    templates: job.templates,
    paths: job.paths,
    display: (file) => toPosix(path.relative(cwd, file)) || path.basename(file),
    linkTo: (file) => relativeLink(outDir, file),
    size: (file) => fs.statSync(file).size,
    now: new Date(job.now),
  };
}

function writeReport(options: ReportOptions, prepared: PreparedReport, result: ReportRunResult): ReportRun {
  const { report, frames } = result;
  const { job: { outDir }, baseline, collectNotices } = prepared;
  report.notices = [...collectNotices, ...report.notices];
  const delta: BaselineDelta | undefined = baseline ? compareReports(baseline, report) : undefined;
  const [name, content] = options.format === 'json' ? ['report.json', `${JSON.stringify(report, null, 2)}\n`]
    : options.format === 'markdown' ? ['report.md', reportMarkdown(report, delta)]
    : ['report.html', reportHtml(report, { frames, ...(delta ? { baseline: delta } : {}) })];
  const [written] = writeOutputFiles(outDir, [[name, content]]);
  return { report, written, exitCode: reportExitCode(report) };
}
