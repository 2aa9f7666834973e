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

/** What a diagnostic carries for code actions (`data` comes back with the code action request). */
export interface DiagnosticPayload {
  rule: string;
  field?: string;
  suggestions?: string[];
  fallback?: string | null;
}

export function toLspDiagnostic(diagnostic: Diagnostic, lines: LineIndex): LspDiagnostic {
  const payload: DiagnosticPayload = { rule: diagnostic.rule, field: diagnostic.field, ...diagnostic.data };
  return {
    range: lines.range(diagnostic.span),
    severity: SEVERITIES[diagnostic.severity],
    code: diagnostic.rule,
    codeDescription: { href: ruleDocsUrl(diagnostic.rule) },
    source: 'mergewise',
    message: diagnostic.message,
    ...(diagnostic.tags?.includes('deprecated') ? { tags: [DiagnosticTag.Deprecated] } : {}),
    data: payload,
  };
}

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

export function pathToUri(filePath: string): string {
  return URI.file(filePath).toString();
}
