import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { SeverityOverrides } from '../core/analyze';
import { RULE_IDS, SEVERITY_SETTINGS } from '../core/model';
import { runFailures, type CheckReport, type FixedFile } from './check';
import { parseJobs, runCheckJobs } from './jobs';
import { unifiedDiff } from './diff';
import { CannotWrite, describeFixes } from './fix';
import { byteWriter, textWriter, type OutputFormat, type ReportWriter } from './formats';
import { runExplain } from './explain';
import { runInit, type InitOptions } from './init';
import { runInitFromData } from './init-from-data';
import { runPreview, UsageError, WorkspaceNotReady, WrongInput } from './preview';
import { summaryWithSize } from '../core/preview/html';
import { AUDIENCE_USAGE, runAudience } from './audience';
import { parseReportArgs, REPORT_USAGE, runReportJobs, type ReportRun } from './report';

declare const MERGEWISE_VERSION: string | undefined;
const VERSION = typeof MERGEWISE_VERSION === 'string' ? MERGEWISE_VERSION : 'development';

export interface CliIo {
  stdout: (text: string) => void;
  /** Writes UTF-8 as it is, for the JSON and SARIF reports; without it, the report is decoded and goes to `stdout`. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  cwd: string;
  color: boolean;
  now?: Date;
  /**
   * Starts the language server with these arguments (`mergewise lsp`); it then owns stdin and stdout,
   * and exits when its client says so. Absent where no server can start (in-process tests).
   */
  startLanguageServer?: (args: string[]) => void;
}

const USAGE = `Usage:
  mergewise check [PATH...] [--format text|json|jsonl|sarif] [--max-warnings N] [--max-file-size BYTES]
                  [--rule RULE=SEVERITY] [--hints] [--fix | --fix-dry-run] [--jobs N]
      --hints        reports hints too (every format counts them in its summary)
      --fix          applies every safe fix and writes the files, then reports what is left
      --fix-dry-run  prints the unified diff --fix would make and writes nothing; what would be
                     left is reported on stderr
      --jobs N       threads to check on (default: one per processor; --fix uses one)
  mergewise init [PATH...] [--merge] [--dry-run] [--alias FIELD=dialect:NAME] [--format text|json]
                 [--from-data SOURCE [--table NAME]]
      writes a mergewise.json declaring every field the templates use, and two sample recipients;
      never replaces a file: with a mergewise.json there, shows what it would add (--merge adds it);
      --from-data adds the columns of an audience export (types, required where always filled,
      examples of non-personal fields, a proposed maxAgeDays); alone, it reads no templates
  mergewise preview TEMPLATE [--recipient NAME|all] [--out DIR]
  mergewise explain FILE:LINE:COL
      what the editor's hover says there, as text (1 when no merge field is there)
${AUDIENCE_USAGE}
${REPORT_USAGE}
  mergewise lsp [--stdio|--node-ipc|--socket=PORT|--pipe=NAME]
      the language server, for any editor's LSP client (over stdio unless told otherwise)

Exit codes: 0 no errors (and warnings within --max-warnings), 1 findings over the limit (with
--fix or --fix-dry-run, the findings left after fixing), 2 usage or configuration error,
3 --fix could not write a file (it is left as it was).`;

/**
 * Runs the command line and returns its exit code: at once, or when the work ends for the commands
 * that read audience data (DuckDB answers asynchronously).
 */
export function runCli(argv: string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = argv;
  // `mergewise check --help`: the usage, as asked for (`lsp` passes its arguments to the server).
  if (command !== 'lsp' && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'check': return check(rest, io);
      case 'init': return init(rest, io);
      case 'preview': return preview(rest, io);
      case 'explain': return explain(rest, io);
      case 'lsp': return lsp(rest, io);
      case 'audience': return audience(rest, io);
      case 'report': return report(rest, io);
      case '--version': case '-v': io.stdout(`${VERSION}\n`); return 0;
      case undefined: case 'help': case '--help': case '-h': io.stdout(`${USAGE}\n`); return command === undefined ? 2 : 0;
      default: throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof CannotWrite) return cannotWrite(error, io);
    if (error instanceof WorkspaceNotReady || error instanceof WrongInput) {
      io.stderr(`mergewise: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`mergewise: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

function check(args: string[], io: CliIo): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'max-warnings': { type: 'string' },
      'max-file-size': { type: 'string' },
      hints: { type: 'boolean', default: false },
      rule: { type: 'string', multiple: true },
      fix: { type: 'boolean', default: false },
      'fix-dry-run': { type: 'boolean', default: false },
      jobs: { type: 'string' },
    },
  });
  const format = values.format as OutputFormat;
  if (!['text', 'json', 'jsonl', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json, jsonl or sarif, not "${values.format}".`);
  const maxWarnings = optionalCount(values['max-warnings'], '--max-warnings');
  const maxFileSize = optionalCount(values['max-file-size'], '--max-file-size');
  const severityOverrides = parseRuleOptions(values.rule ?? []);
  const jobs = parseJobs(values.jobs);
  const dryRun = values['fix-dry-run'] ?? false;
  if (dryRun && values.fix) throw new UsageError('--fix and --fix-dry-run cannot be used together: --fix-dry-run shows what --fix would write.');
  if (dryRun && format !== 'text') {
    throw new UsageError(`--fix-dry-run prints a diff, not a ${format} report; use --fix --format ${format} to fix and report what is left.`);
  }
  // A dry run's stdout is the diff alone, so that it can go to \`git apply\`; the findings go to stderr.
  const showHints = values.hints ?? false;
  const bytes = io.stdoutBytes ?? asText(io.stdout);
  const writer: ReportWriter = format === 'text' ? textWriter(dryRun ? io.stderr : io.stdout, { color: io.color, showHints })
    : byteWriter(format, showHints, bytes, VERSION);
  const fixedTotal = { files: 0, fixes: 0 };
  const fixed = (file: FixedFile) => {
    fixedTotal.files++;
    fixedTotal.fixes += file.summary.count;
    if (dryRun) io.stdout(unifiedDiff(file.path, file.before, file.after));
    io.stderr(`mergewise: ${dryRun ? 'would fix' : 'fixed'} ${file.path}: ${describeFixes(file.summary)}\n`);
  };
  // On worker threads when there are enough templates (see jobs.ts); --fix on this one.
  const checked = runCheckJobs({
    paths: positionals, cwd: io.cwd, maxFileSize, now: io.now,
    severityOverrides,
    fix: dryRun ? 'dry-run' : values.fix ? 'write' : undefined,
    fixed,
  }, jobs, { format, showHints, color: io.color, writer, writeBytes: bytes, writeText: io.stdout, stderr: io.stderr });
  return checked instanceof Promise ? checked.then(finish) : finish(checked);

  function finish(report: CheckReport): number {
    writer.end(report);
    const fixErrors = report.fixErrors ?? [];
    if (dryRun || values.fix) {
      const { files, fixes } = fixedTotal;
      if (files > 0) {
        io.stderr(`mergewise: ${dryRun ? 'would fix' : 'fixed'} ${files} file${files === 1 ? '' : 's'} (${fixes} fix${fixes === 1 ? '' : 'es'})${dryRun ? '; nothing was written' : ''}.\n`);
      } else if (!fixErrors.length) {
        io.stderr('mergewise: no safe fixes to make.\n');
      }
    }
    for (const notice of report.notices) io.stderr(`mergewise: ${notice}\n`);
    for (const error of fixErrors) io.stderr(`mergewise: fix failed: ${error}\n`);
    const failures = runFailures(report);
    if (failures.length) {
      for (const failure of failures) io.stderr(`mergewise: ${failure}\n`);
      return 2;
    }
    if (fixErrors.length) return 3;
    const { errors, warnings } = report.summary;
    return errors > 0 || (maxWarnings !== undefined && warnings > maxWarnings) ? 1 : 0;
  }
}

/** Bytes as text for a `stdout` that only takes text; each chunk holds whole characters (see JsonBytes). */
function asText(write: (text: string) => void): (bytes: Uint8Array) => void {
  const decoder = new TextDecoder();
  return (bytes) => write(decoder.decode(bytes));
}

/** What the editor's hover says at FILE:LINE:COL; exit 1 when no merge field is there. */
function explain(args: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('explain takes exactly one FILE:LINE:COL.');
  const run = runExplain(positionals[0], io.cwd, io.now);
  for (const problem of run.problems) io.stderr(`mergewise: ${problem}\n`);
  if (run.text === undefined) {
    io.stderr(`mergewise: no merge field at ${positionals[0]}.\n`);
    return 1;
  }
  io.stdout(`${run.text}\n`);
  return 0;
}

/** `mergewise init`: see init.ts. Exit 0 written or shown, 2 usage error or a file that cannot be written. */
function init(args: string[], io: CliIo): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      merge: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      alias: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      'from-data': { type: 'string', multiple: true },
      table: { type: 'string' },
    },
  });
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`init's --format is text or json, not "${values.format}".`);
  const options: InitOptions = {
    paths: positionals, cwd: io.cwd, merge: values.merge ?? false, dryRun: values['dry-run'] ?? false,
    aliases: values.alias ?? [], format: values.format, now: io.now,
  };
  if (values.table !== undefined && !values['from-data']?.length) throw new UsageError('init\'s --table goes with --from-data.');
  if (!values['from-data']?.length) return runInit(options, io);
  // DuckDB is asynchronous: the exit code is the promise's, as for `mergewise audience`.
  return runInitFromData(options, values['from-data'], values.table, io).catch((error: unknown) => {
    if (error instanceof UsageError) {
      io.stderr(`mergewise: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    // Not the error's text: DuckDB's can quote row values.
    io.stderr(`mergewise init: failed unexpectedly (${error instanceof Error ? error.name : 'error'}); nothing was written. Please report this.\n`);
    return 2;
  });
}

function preview(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { recipient: { type: 'string', default: 'all' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('preview takes exactly one TEMPLATE.');
  const run = runPreview({
    template: positionals[0], cwd: io.cwd, recipient: values.recipient ?? 'all', outDir: values.out, color: io.color, now: io.now,
  });
  for (const problem of run.problems) io.stderr(`mergewise: ${problem}\n`);
  if (values.out) {
    io.stdout(`${run.previews.map((p) => `${p.recipient.name}: ${summaryWithSize(p)}`).join('\n')}\nWrote ${run.written.length} files; open ${run.written[run.written.length - 1]}\n`);
  } else {
    io.stdout(run.text);
  }
  // An aborted send is an answer; a template no recipient could be rendered for is not.
  if (run.previews.length > 0 && run.previews.every((p) => p.error !== undefined)) {
    io.stderr(`mergewise: ${positionals[0]} could not be rendered for any recipient.\n`);
    return 1;
  }
  return 0;
}

/** The transports vscode-languageserver reads from its command line, and the client's process id it watches. */
const TRANSPORT = /^--(?:stdio|node-ipc|socket=\d+|pipe=.+)$/;
const CLIENT_PROCESS_ID = /^--clientProcessId=\d+$/;

/** `mergewise lsp`: the same server as `dist/server.js`, over stdio unless a transport is named. */
function lsp(args: string[], io: CliIo): number {
  const unknown = args.find((arg) => !TRANSPORT.test(arg) && !CLIENT_PROCESS_ID.test(arg));
  if (unknown !== undefined) throw new UsageError(`lsp takes --stdio (the default), --node-ipc, --socket=PORT or --pipe=NAME, not "${unknown}".`);
  if (args.filter((arg) => TRANSPORT.test(arg)).length > 1) throw new UsageError('lsp takes one transport.');
  if (!io.startLanguageServer) throw new UsageError('lsp cannot start the language server here; run `node dist/server.js --stdio`.');
  io.startLanguageServer(args.some((arg) => TRANSPORT.test(arg)) ? args : ['--stdio', ...args]);
  return 0;
}

/** `--rule missing-fallback=error`, to change a severity for one run. */
function parseRuleOptions(options: string[]): SeverityOverrides {
  const overrides: SeverityOverrides = {};
  for (const option of options) {
    const [rule, severity] = option.split('=');
    if (!(RULE_IDS as readonly string[]).includes(rule)) throw new UsageError(`--rule: unknown rule "${rule}"; the rules are ${RULE_IDS.join(', ')}.`);
    if (!severity || !(SEVERITY_SETTINGS as readonly string[]).includes(severity)) {
      throw new UsageError(`--rule takes RULE=SEVERITY (error, warning, information, hint or off), not "${option}".`);
    }
    overrides[rule as keyof SeverityOverrides] = severity as SeverityOverrides[keyof SeverityOverrides];
  }
  return overrides;
}

function optionalCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`${flag} takes a whole number, not "${value}".`);
  return parsed;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** `mergewise audience`: SIGINT interrupts the query; nothing is written and the exit code is 130. */
function audience(args: string[], io: CliIo): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return runAudience(args, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, now: io.now, signal: controller.signal })
    .catch((error: unknown) => {
      // Not the error's text: DuckDB's can quote row values.
      io.stderr(`mergewise audience: failed unexpectedly (${error instanceof Error ? error.name : 'error'}); nothing was written. Please report this.\n`);
      return 2;
    })
    .finally(() => process.off('SIGINT', onSigint));
}

/** `mergewise report`: see report.ts. Exit 0 every item passes or warns, 1 an item fails, 2 usage error. */
function report(args: string[], io: CliIo): number | Promise<number> {
  const done = (run: ReportRun) => {
    io.stdout(`${run.report.overall.ready} of ${run.report.overall.templates} templates ready to send; wrote ${run.written}\n`);
    return run.exitCode;
  };
  const run = runReportJobs(parseReportArgs(args, io.cwd, io.now), process.env.MERGEWISE_DEBUG_JOBS ? io.stderr : undefined);
  return run instanceof Promise ? run.then(done, (error: unknown) => {
    if (error instanceof CannotWrite) return cannotWrite(error, io);
    throw error;
  }) : done(run);
}

/** `mergewise: cannot write PATH: reason`, the path as the user would type it; exit code 2. */
function cannotWrite(error: CannotWrite, io: CliIo): number {
  const relative = path.relative(io.cwd, error.file);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : error.file;
  io.stderr(`mergewise: cannot write ${shown}: ${error.reason}\n`);
  return 2;
}
