/** Core types to LSP types and back. Nothing else happens here. */
import { URI } from 'vscode-uri';
import {
  DiagnosticSeverity, DiagnosticTag,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../core/model';
import type { LineIndex } from '../core/positions';
import { ruleDocsUrl } from '../core/rules/rule';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * A diagnostic's `data` carries only what its quick fix cannot find again in the current analysis
 * (the schema fallback, the suggested names): a large template publishes hundreds of hints, and
 * repeating the rule and field in each made the notification a tenth larger.
 */
export function toLspDiagnostic(diagnostic: Diagnostic, lines: LineIndex): LspDiagnostic {
  const lsp: LspDiagnostic = {
    range: lines.range(diagnostic.span),
    severity: SEVERITIES[diagnostic.severity],
    code: diagnostic.rule,
    codeDescription: { href: ruleDocsUrl(diagnostic.rule) },
    source: 'mergewise',
    message: diagnostic.message,
  };
  if (diagnostic.tags?.includes('deprecated')) lsp.tags = [DiagnosticTag.Deprecated];
  if (diagnostic.data) lsp.data = diagnostic.data;
  return lsp;
}

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

export function pathToUri(filePath: string): string {
  return URI.file(filePath).toString();
}
