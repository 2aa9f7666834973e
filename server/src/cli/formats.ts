/**
 * The output formats of `mergewise check`. Each writes a file's findings as soon as it is checked,
 * so the output of a large workspace is never held in memory whole.
 */
import { ALL_RULES } from '../core/rules';
import { RULES_DOCS_URL, ruleDocsUrl } from '../core/rules/rule';
import type { Range } from '../core/model';
import { runFailures, type CheckReport, type FileReport } from './check';
import { fragment, JsonBytes } from './json-bytes';
import { ruleHelp } from '../core/rules/help';
import { readmeRules } from './readme-rules';

export type OutputFormat = 'text' | 'json' | 'jsonl' | 'sarif';

export interface ReportWriter {
  file(file: FileReport): void;
  end(report: CheckReport): void;
  /** Hands on what is assembled so far (check workers take each batch's bytes this way; see jobs.ts). */
  flush?(): void;
}

export interface JsonOptions {
  /** Hints are left out of `diagnostics` (the summary still counts them) unless this is true (`--hints`). */
  showHints: boolean;
  /**
   * JSON Lines (`--format jsonl`): each file's object on a line of its own, then one last line
   * `{"summary":{...},"notices":[...]}`, so that a consumer can read it as it comes.
   */
  lines?: boolean;
}

/** The writer of a bytes format (json, jsonl, sarif): the run's (main.ts) and the check workers' (jobs.ts) alike. */
export function byteWriter(format: OutputFormat, showHints: boolean, write: (bytes: Uint8Array) => void, version = ''): ReportWriter {
  return format === 'sarif' ? sarifWriter(write, { version, showHints }) : jsonWriter(write, { showHints, lines: format === 'jsonl' });
}

/**
 * `{ "files": [...], "summary": {...}, "notices": [...] }`, one line per file, as `JSON.stringify` would write it;
 * or, with `lines`, JSON Lines of the same objects. With `--fix`, each template also has its `fixes` (see FixSummary).
 */
export function jsonWriter(write: (bytes: Uint8Array) => void, options: JsonOptions = { showHints: true }): ReportWriter {
  const out = new JsonBytes(write);
  const { showHints, lines = false } = options;
  let first = true;
  if (!lines) out.raw(JSON_KEYS.start);
  return {
    file(file) {
      out.raw(first || lines ? JSON_KEYS.firstFile : JSON_KEYS.nextFile);
      first = false;
      out.string(file.path);
      out.raw(JSON_KEYS.dialect);
      if (file.dialect === null) out.raw(JSON_KEYS.null);
      else out.string(file.dialect);
      out.raw(JSON_KEYS.diagnostics);
      let written = 0;
      for (const d of file.diagnostics) {
        if (d.severity === 'hint' && !showHints) continue;
        out.raw(written++ === 0 ? JSON_KEYS.firstDiagnostic : JSON_KEYS.nextDiagnostic);
        out.string(d.rule);
        out.raw(JSON_KEYS.severity);
        out.string(d.severity);
        out.raw(JSON_KEYS.message);
        out.string(d.message);
        if (d.field !== undefined) {
          out.raw(JSON_KEYS.field);
          out.string(d.field);
        }
        if (d.includedBy !== undefined) {
          out.raw(JSON_KEYS.includedBy);
          out.raw(fragment(JSON.stringify(d.includedBy)));
        }
        writeRange(out, d.range);
      }
      out.raw(JSON_KEYS.fields);
      file.fields.forEach((f, i) => {
        out.raw(i === 0 ? JSON_KEYS.firstField : JSON_KEYS.nextField);
        out.string(f.path);
        if (f.file !== undefined) {
          out.raw(JSON_KEYS.file);
          out.string(f.file);
        }
        out.raw(JSON_KEYS.fallback);
        if (f.fallback === null) out.raw(JSON_KEYS.null);
        else out.string(f.fallback);
        out.raw(f.guarded ? JSON_KEYS.guarded : JSON_KEYS.unguarded);
        out.string(f.context);
        writeRange(out, f.range);
      });
      out.raw(JSON_KEYS.fieldsEnd);
      if (file.includes) {
        file.includes.forEach((include, i) => {
          out.raw(i === 0 ? JSON_KEYS.firstInclude : JSON_KEYS.nextInclude);
          if (include.name === null) out.raw(JSON_KEYS.null);
          else out.string(include.name);
          out.raw(JSON_KEYS.includePath);
          if (include.path === null) out.raw(JSON_KEYS.null);
          else out.string(include.path);
          writeRange(out, include.range);
        });
        out.raw(file.includes.length ? JSON_KEYS.includesEnd : JSON_KEYS.noIncludes);
      }
      // Only with --fix, and small: written as JSON.stringify writes it, last.
      out.raw(file.fixes ? fragment(`,"fixes":${JSON.stringify(file.fixes)}}`) : JSON_KEYS.fileEnd);
      if (lines) out.raw(JSON_KEYS.newline);
    },
    end(report) {
      const { summary } = report;
      // What stopped the run goes with the notices: a consumer of the JSON alone learns why it exited 2.
      const notices = [...report.notices, ...runFailures(report)];
      out.raw(fragment(lines
        ? `{"summary":${JSON.stringify(summary)},"notices":${JSON.stringify(notices)}}\n`
        : `\n],\n"summary":${JSON.stringify(summary)},\n"notices":${JSON.stringify(notices)}}\n`));
      out.flush();
    },
    flush: () => out.flush(),
  };
}

/** The JSON report's keys and punctuation, in the order `JSON.stringify` writes the report's objects. */
const JSON_KEYS = {
  start: fragment('{"files":[\n'),
  firstFile: fragment('{"path":'),
  nextFile: fragment(',\n{"path":'),
  dialect: fragment(',"dialect":'),
  diagnostics: fragment(',"diagnostics":['),
  firstDiagnostic: fragment('{"rule":'),
  nextDiagnostic: fragment(',{"rule":'),
  severity: fragment(',"severity":'),
  message: fragment(',"message":'),
  field: fragment(',"field":'),
  fields: fragment('],"fields":['),
  firstField: fragment('{"path":'),
  nextField: fragment(',{"path":'),
  fallback: fragment(',"fallback":'),
  guarded: fragment(',"guarded":true,"context":'),
  unguarded: fragment(',"guarded":false,"context":'),
  file: fragment(',"file":'),
  includedBy: fragment(',"includedBy":'),
  fieldsEnd: fragment(']'),
  firstInclude: fragment(',"includes":[{"name":'),
  nextInclude: fragment(',{"name":'),
  includePath: fragment(',"path":'),
  includesEnd: fragment(']'),
  noIncludes: fragment(',"includes":[]'),
  fileEnd: fragment('}'),
  newline: fragment('\n'),
  null: fragment('null'),
  rangeStart: fragment(',"range":{"start":{"line":'),
  character: fragment(',"character":'),
  rangeEnd: fragment('},"end":{"line":'),
  rangeClose: fragment('}}}'),
};

/** `,"range":{...}}`: a range and the end of the object that holds it. */
function writeRange(out: JsonBytes, range: Range): void {
  out.raw(JSON_KEYS.rangeStart);
  out.integer(range.start.line);
  out.raw(JSON_KEYS.character);
  out.integer(range.start.character);
  out.raw(JSON_KEYS.rangeEnd);
  out.integer(range.end.line);
  out.raw(JSON_KEYS.character);
  out.integer(range.end.character);
  out.raw(JSON_KEYS.rangeClose);
}

export interface TextOptions {
  color: boolean;
  showHints: boolean;
}

/** `file:line:col  severity  rule  message`, 1-based as terminals and editors expect. */
export function textWriter(write: (text: string) => void, options: TextOptions): ReportWriter {
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const severityColor = { error: 31, warning: 33, information: 36, hint: 90 } as const;
  let printed = 0;
  let hiddenHints = 0;
  return {
    file(file) {
      for (const d of file.diagnostics) {
        if (d.severity === 'hint' && !options.showHints) { hiddenHints++; continue; }
        const where = `${file.path}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
        write(`${paint(1, where)}  ${paint(severityColor[d.severity], d.severity)}  ${paint(90, d.rule)}  ${d.message}\n`);
        printed++;
      }
    },
    end({ summary }) {
      const counts = [
        `${summary.errors} error${summary.errors === 1 ? '' : 's'}`,
        `${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`,
        `${summary.information} information`,
        `${summary.hints} hint${summary.hints === 1 ? '' : 's'}${hiddenHints ? ` (shown with --hints)` : ''}`,
      ];
      write(`${printed ? '\n' : ''}${counts.join(', ')} in ${summary.files} file${summary.files === 1 ? '' : 's'}` +
        (summary.skipped ? `; ${summary.skipped} skipped` : '') + '.\n');
    },
  };
}

/**
 * SARIF 2.1.0, for code-scanning dashboards (GitHub's among them: each rule has the `fullDescription`
 * and `help` it requires, from the rule's section of the README). Its lines and columns are 1-based;
 * hints are left out unless `showHints`, as in the other formats.
 */
export function sarifWriter(write: (bytes: Uint8Array) => void, options: { version: string; showHints: boolean }): ReportWriter {
  const help = ruleHelp(readmeRules());
  const driver = {
    name: 'mergewise',
    version: options.version,
    informationUri: RULES_DOCS_URL,
    rules: ALL_RULES.map((rule) => {
      const section = help.get(rule.id);
      return {
        id: rule.id,
        name: rule.id.replace(/(?:^|-)([a-z])/g, (_, letter: string) => letter.toUpperCase()),
        shortDescription: { text: rule.summary },
        fullDescription: { text: section?.summary ?? rule.summary },
        help: section ? { text: section.text, markdown: section.markdown } : { text: `${rule.summary}. See ${ruleDocsUrl(rule.id)}.` },
        helpUri: ruleDocsUrl(rule.id),
        defaultConfiguration: { level: SARIF_LEVEL[rule.defaultSeverity] },
      };
    }),
  };
  const out = new JsonBytes(write);
  let first = true;
  out.raw(fragment(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},` +
    '"columnKind":"utf16CodeUnits","results":[\n'));
  return {
    file(file) {
      let uri: string | undefined;
      for (const d of file.diagnostics) {
        if (d.severity === 'hint' && !options.showHints) continue;
        uri ??= uriReference(file.path);
        out.raw(first ? SARIF_KEYS.firstResult : SARIF_KEYS.nextResult);
        first = false;
        out.string(d.rule);
        out.raw(SARIF_KEYS.level[d.severity]);
        out.string(d.message);
        out.raw(SARIF_KEYS.uri);
        out.string(uri);
        out.raw(SARIF_KEYS.startLine);
        out.integer(d.range.start.line + 1);
        out.raw(SARIF_KEYS.startColumn);
        out.integer(d.range.start.character + 1);
        out.raw(SARIF_KEYS.endLine);
        out.integer(d.range.end.line + 1);
        out.raw(SARIF_KEYS.endColumn);
        out.integer(d.range.end.character + 1);
        out.raw(SARIF_KEYS.resultEnd);
      }
    },
    end(report) {
      // The run as SARIF's invocation: not successful when something stopped it (exit code 2), and
      // what stopped it and each notice as the tool's notifications.
      const failures = runFailures(report);
      const notifications = [
        ...failures.map((text) => ({ level: 'error', message: { text } })),
        ...report.notices.map((text) => ({ level: 'warning', message: { text } })),
      ];
      const invocation = { executionSuccessful: failures.length === 0, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) };
      out.raw(fragment(`\n],"invocations":[${JSON.stringify(invocation)}]}]}\n`));
      out.flush();
    },
    flush: () => out.flush(),
  };
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** A result's JSON around its values, in the order `JSON.stringify` would write the result object. */
const SARIF_KEYS = {
  firstResult: fragment('{"ruleId":'),
  nextResult: fragment(',\n{"ruleId":'),
  level: {
    error: fragment(',"level":"error","message":{"text":'),
    warning: fragment(',"level":"warning","message":{"text":'),
    information: fragment(',"level":"note","message":{"text":'),
    hint: fragment(',"level":"note","message":{"text":'),
  },
  uri: fragment('},"locations":[{"physicalLocation":{"artifactLocation":{"uri":'),
  startLine: fragment('},"region":{"startLine":'),
  startColumn: fragment(',"startColumn":'),
  endLine: fragment(',"endLine":'),
  endColumn: fragment(',"endColumn":'),
  resultEnd: fragment('}}}]}'),
};

/** A relative path as a URI reference: each segment percent-encoded (a space, `#` or `%` in a file name). */
function uriReference(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
