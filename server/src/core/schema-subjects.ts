/**
 * `mergewise.json`'s `subjects`: a subject line or preheader kept beside the templates (as most
 * platforms keep it, outside the template file). Each is a template in its template's dialect,
 * checked as one, with its findings reported on its value in mergewise.json. Pure: the dialect
 * choice is the caller's (see `schemaDiagnostics` in workspace.ts).
 */
import { analyzeTemplate, type SeverityOverrides } from './analyze';
import type { Dialect } from './dialects/dialect';
import type { InboxLineKind } from './inbox-lines';
import type { Diagnostic } from './model';
import type { InboxLineSpec, Schema } from './schema/types';

/** The findings in every subject and preheader of `subjects`, positioned in mergewise.json. */
export function subjectDiagnostics(
  schema: Schema, dialectFor: (relativePath: string, text: string) => Dialect, overrides?: SeverityOverrides, now?: Date,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const entry of schema.subjects?.values() ?? []) {
    for (const kind of ['subject', 'preheader'] as const) {
      const line = entry[kind];
      if (line) diagnostics.push(...lineDiagnostics(schema, entry.template, kind, line, dialectFor(entry.template, line.text), overrides, now));
    }
  }
  return diagnostics;
}

function lineDiagnostics(
  schema: Schema, template: string, kind: InboxLineKind, line: InboxLineSpec, dialect: Dialect, overrides: SeverityOverrides | undefined, now: Date | undefined,
): Diagnostic[] {
  const analysis = analyzeTemplate({
    text: line.text,
    relativePath: template,
    dialect,
    schema,
    severityOverrides: overrides,
    ...(now ? { now } : {}),
    inboxLines: [{ kind, span: { start: 0, end: line.text.length }, source: 'mergewise.json' }],
  });
  return analysis.diagnostics.map((diagnostic) => ({
    ...diagnostic,
    message: `${template}, ${kind === 'subject' ? 'subject line' : 'preheader'}: ${diagnostic.message}`,
    // Offsets map one to one into a JSON string without escapes; otherwise the finding is on the whole string.
    span: line.textStart !== undefined
      ? { start: line.textStart + diagnostic.span.start, end: line.textStart + diagnostic.span.end }
      : line.span,
  }));
}
