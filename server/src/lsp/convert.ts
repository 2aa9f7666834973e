/** Core types to LSP types and back. Nothing else happens here. */
import { URI } from 'vscode-uri';
import {
  DiagnosticSeverity, DiagnosticTag, MarkupKind,
  type Diagnostic as LspDiagnostic, type MarkupContent, type Range,
} from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../core/model';
import { plainText } from '../core/docs';
import type { LineIndex } from '../core/positions';
import { ruleDocsUrl } from '../core/rules/rule';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * No `data`: quick fixes find their finding again in the current analysis by rule and range, so
 * clients that drop `data` lose nothing, and a large template's notification is smaller.
 */
/** Including templates listed with a finding in a partial, at most. */
export const RELATED_TEMPLATES_SHOWN = 20;

export function toLspDiagnostic(diagnostic: Diagnostic, lines: LineIndex, includeSite?: (file: string, field: string | undefined) => Range | undefined): LspDiagnostic {
  const lsp: LspDiagnostic = {
    range: lines.range(diagnostic.span),
    severity: SEVERITIES[diagnostic.severity],
    code: diagnostic.rule,
    codeDescription: { href: ruleDocsUrl(diagnostic.rule) },
    source: 'mergewise',
    message: diagnostic.message,
  };
  if (diagnostic.tags?.includes('deprecated')) lsp.tags = [DiagnosticTag.Deprecated];
  if (diagnostic.includedBy?.length) {
    // The including templates, so that an editor can list them and open each: the first few, as a
    // partial thousands of templates include would otherwise send thousands with every publication
    // (the message gives the count).
    // Each at the tag that includes the partial (or the partial that does; the one passing the
    // finding's field), else at the start.
    const start = { line: 0, character: 0 };
    lsp.relatedInformation = diagnostic.includedBy.slice(0, RELATED_TEMPLATES_SHOWN).map((file) => ({
      location: { uri: pathToUri(file), range: includeSite?.(file, diagnostic.field) ?? { start, end: start } },
      message: `Included by ${file.split(/[\\/]/).pop()}`,
    }));
  }
  return lsp;
}

/** Documentation as the client can show it: the markdown, or the same words without markup for a plain-text client. */
export function markup(markdown: string, asMarkdown: boolean): MarkupContent {
  return asMarkdown ? { kind: MarkupKind.Markdown, value: markdown } : { kind: MarkupKind.PlainText, value: plainText(markdown) };
}

export function uriToPath(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

export function pathToUri(filePath: string): string {
  return URI.file(filePath).toString();
}
