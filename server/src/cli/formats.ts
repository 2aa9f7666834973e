/**
 * The output formats of `mergewise check`. Each writes a file's findings as soon as it is checked,
 * so the output of a large workspace is never held in memory whole.
 */
import { ALL_RULES } from '../core/rules';
import { RULES_DOCS_URL, ruleDocsUrl } from '../core/rules/rule';
import type { Range } from '../core/model';
import type { CheckReport, FileReport } from './check';
import { fragment, JsonBytes } from './json-bytes';

export type OutputFormat = 'text' | 'json' | 'sarif';

export interface ReportWriter {
  file(file: FileReport): void;
  end(report: CheckReport): void;
}

/**
 * `{ "files": [...], "summary": {...}, "notices": [...] }`, one line per file, as `JSON.stringify` would write it.
 * With `--fix`, each template also has its `fixes` (see FixSummary).
 */
export function jsonWriter(write: (bytes: Uint8Array) => void): ReportWriter {
  const out = new JsonBytes(write);
  let first = true;
  out.raw(JSON_KEYS.start);
  return {
    file(file) {
      out.raw(first ? JSON_KEYS.firstFile : JSON_KEYS.nextFile);
      first = false;
      out.string(file.path);
      out.raw(JSON_KEYS.dialect);
      if (file.dialect === null) out.raw(JSON_KEYS.null);
      else out.string(file.dialect);
      out.raw(JSON_KEYS.diagnostics);
      file.diagnostics.forEach((d, i) => {
        out.raw(i === 0 ? JSON_KEYS.firstDiagnostic : JSON_KEYS.nextDiagnostic);
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
      });
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
    },
    end({ summary, notices }) {
      out.raw(fragment(`\n],\n"summary":${JSON.stringify(summary)},\n"notices":${JSON.stringify(notices)}}\n`));
      out.flush();
    },
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

/** SARIF 2.1.0, for code-scanning dashboards. Its lines and columns are 1-based. */
export function sarifWriter(write: (text: string) => void, version: string): ReportWriter {
  const level = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;
  const driver = {
    name: 'mergewise',
    version,
    informationUri: RULES_DOCS_URL,
    rules: ALL_RULES.map((rule) => ({
      id: rule.id,
      shortDescription: { text: rule.summary },
      helpUri: ruleDocsUrl(rule.id),
      defaultConfiguration: { level: level[rule.defaultSeverity] },
    })),
  };
  let first = true;
  write(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},"results":[\n`);
  return {
    file(file) {
      for (const d of file.diagnostics) {
        const result = {
          ruleId: d.rule,
          level: level[d.severity],
          message: { text: d.message },
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: file.path },
              region: {
                startLine: d.range.start.line + 1,
                startColumn: d.range.start.character + 1,
                endLine: d.range.end.line + 1,
                endColumn: d.range.end.character + 1,
              },
            },
          }],
        };
        write(`${first ? '' : ',\n'}${JSON.stringify(result)}`);
        first = false;
      }
    },
    end() {
      write('\n]}]}\n');
    },
  };
}
