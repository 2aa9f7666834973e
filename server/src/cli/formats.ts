import { ALL_RULES } from '../core/rules';
import { RULES_DOCS_URL, ruleDocsUrl } from '../core/rules/rule';
import type { CheckReport } from './check';

export type OutputFormat = 'text' | 'json' | 'sarif';

export function formatJson(report: CheckReport): string {
  const { files, summary, notices } = report;
  return `${JSON.stringify({ files, summary, notices }, null, 2)}\n`;
}

export interface TextOptions {
  color: boolean;
  showHints: boolean;
}

/** `file:line:col  severity  rule  message`, 1-based as terminals and editors expect. */
export function formatText(report: CheckReport, options: TextOptions): string {
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const severityColor = { error: 31, warning: 33, information: 36, hint: 90 } as const;
  const lines: string[] = [];
  let hiddenHints = 0;
  for (const file of report.files) {
    for (const d of file.diagnostics) {
      if (d.severity === 'hint' && !options.showHints) { hiddenHints++; continue; }
      const where = `${file.path}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
      lines.push(`${paint(1, where)}  ${paint(severityColor[d.severity], d.severity)}  ${paint(90, d.rule)}  ${d.message}`);
    }
  }
  const { summary } = report;
  const counts = [
    `${summary.errors} error${summary.errors === 1 ? '' : 's'}`,
    `${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`,
    `${summary.information} information`,
    `${summary.hints} hint${summary.hints === 1 ? '' : 's'}${hiddenHints ? ` (shown with --hints)` : ''}`,
  ];
  if (lines.length) lines.push('');
  lines.push(`${counts.join(', ')} in ${summary.files} file${summary.files === 1 ? '' : 's'}` +
    (summary.skipped ? `; ${summary.skipped} skipped` : '') + '.');
  return `${lines.join('\n')}\n`;
}

/** SARIF 2.1.0, for code-scanning dashboards. Its lines and columns are 1-based. */
export function formatSarif(report: CheckReport, version: string): string {
  const level = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'mergewise',
          version,
          informationUri: RULES_DOCS_URL,
          rules: ALL_RULES.map((rule) => ({
            id: rule.id,
            shortDescription: { text: rule.summary },
            helpUri: ruleDocsUrl(rule.id),
            defaultConfiguration: { level: level[rule.defaultSeverity] },
          })),
        },
      },
      results: report.files.flatMap((file) => file.diagnostics.map((d) => ({
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
      }))),
    }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
