/**
 * The output formats of `mergewise check`. Each writes a file's findings as soon as it is checked,
 * so the output of a large workspace is never held in memory whole.
 */
import { ALL_RULES } from '../core/rules';
import { RULES_DOCS_URL, ruleDocsUrl } from '../core/rules/rule';
import type { CheckReport, FileReport } from './check';

export type OutputFormat = 'text' | 'json' | 'sarif';

export interface ReportWriter {
  file(file: FileReport): void;
  end(report: CheckReport): void;
}

/** `{ "files": [...], "summary": {...}, "notices": [...] }`, one line per file. */
export function jsonWriter(write: (text: string) => void): ReportWriter {
  let first = true;
  write('{"files":[\n');
  return {
    file(file) {
      write(`${first ? '' : ',\n'}${JSON.stringify(file)}`);
      first = false;
    },
    end({ summary, notices }) {
      write(`\n],\n"summary":${JSON.stringify(summary)},\n"notices":${JSON.stringify(notices)}}\n`);
    },
  };
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
