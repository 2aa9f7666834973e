import {
  CodeActionKind,
  type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from '../../core/dialects/dialect';
import type { DiagnosticData } from '../../core/model';
import { isCompletePurpose } from '../../core/schema/types';
import { purposeCoversField } from '../../core/purposes';
import { useAt } from '../../core/query';
import type { Project } from '../project';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.mergewise`;
/** Written when the schema has no fallback: plainly a placeholder for the author to replace. */
export const FALLBACK_PLACEHOLDER = 'FALLBACK';

type TemplateState = Extract<ReturnType<Project['stateOf']>, { kind: 'template' }>;

export function codeActions(project: Project, document: TextDocument, params: CodeActionParams): CodeAction[] {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return [];
  const only = params.context.only;
  if (only && only.some((kind) => FIX_ALL_KIND.startsWith(kind) && kind.startsWith(CodeActionKind.SourceFixAll))) {
    const fixAll = fixAllFallbacks(state, document, FIX_ALL_KIND);
    return fixAll ? [fixAll] : [];
  }
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== 'mergewise') continue;
    const data = (diagnostic.data ?? findingData(state, diagnostic)) as DiagnosticData;
    switch (diagnostic.code) {
      case 'missing-fallback':
      case 'stale-data':
        actions.push(...fallbackActions(state, document, diagnostic, data));
        break;
      case 'unknown-field':
        actions.push(...replacementActions(state, document, diagnostic, data));
        break;
      case 'quadrant-unexpected-unhelpful':
      case 'quadrant-expected-unhelpful':
        actions.push(...purposeActions(state, document, diagnostic));
        break;
    }
  }
  const fixAll = fixAllFallbacks(state, document, CodeActionKind.QuickFix);
  if (fixAll && (fixAll.edit?.changes?.[document.uri]?.length ?? 0) > 1 &&
    params.context.diagnostics.some((d) => d.source === 'mergewise' && d.code === 'missing-fallback')) {
    actions.push(fixAll);
  }
  return actions;
}

/**
 * The data of the finding a diagnostic came from, found again in the current analysis by rule and
 * start: many clients (Neovim, Sublime's LSP before 2022) do not send `Diagnostic.data` back.
 */
function findingData(state: TemplateState, diagnostic: LspDiagnostic): DiagnosticData {
  const start = state.lines.offsetAt(diagnostic.range.start);
  const finding = state.result.analysis.diagnostics.find((d) => d.rule === diagnostic.code && d.span.start === start);
  return finding?.data ?? {};
}

function fallbackActions(state: TemplateState, document: TextDocument, diagnostic: LspDiagnostic, data: DiagnosticData): CodeAction[] {
  const found = useAt(state.result.analysis.scan, state.lines.offsetAt(diagnostic.range.start));
  if (!found) return [];
  const fallback = data.fallback ?? null;
  const edit = state.result.dialect.fallbackEdit(state.text, found.use, fallback ?? FALLBACK_PLACEHOLDER);
  if (!edit) return [];
  return [{
    title: fallback !== null ? `Add fallback "${fallback}"` : 'Add a fallback placeholder to fill in',
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fallback !== null,
    edit: { changes: { [document.uri]: [toLspEdit(edit, state)] } },
  }];
}

function replacementActions(state: TemplateState, document: TextDocument, diagnostic: LspDiagnostic, data: DiagnosticData): CodeAction[] {
  const found = useAt(state.result.analysis.scan, state.lines.offsetAt(diagnostic.range.start));
  if (!found) return [];
  return (data.suggestions ?? []).map((suggestion, index) => ({
    title: `Change to ${suggestion}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: index === 0,
    edit: { changes: { [document.uri]: [toLspEdit({ span: found.use.span, newText: suggestion }, state)] } },
  }));
}

/** Purposes that list the field but do not cover this template yet: a directive makes them cover it. */
function purposeActions(state: TemplateState, document: TextDocument, diagnostic: LspDiagnostic): CodeAction[] {
  const { schema, dialect, analysis } = state.result;
  const found = useAt(analysis.scan, state.lines.offsetAt(diagnostic.range.start));
  const resolution = found && analysis.resolutions[found.index];
  if (!schema || resolution?.kind !== 'field') return [];
  const field = resolution.field.path;
  return [...schema.purposes.values()]
    .filter((purpose) => isCompletePurpose(purpose) && purposeCoversField(purpose, field))
    .map((purpose) => ({
      title: `Cover with purpose "${purpose.id}" (adds a directive comment)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [document.uri]: [toLspEdit({ span: { start: 0, end: 0 }, newText: `${dialect.purposeDirective([purpose.id])}\n` }, state)] } },
    }));
}

/** Every missing fallback in the file, with the schema's fallback or a placeholder. */
function fixAllFallbacks(state: TemplateState, document: TextDocument, kind: string): CodeAction | undefined {
  const { analysis, dialect } = state.result;
  const edits: LspTextEdit[] = [];
  for (const diagnostic of analysis.diagnostics) {
    if (diagnostic.rule !== 'missing-fallback') continue;
    const found = useAt(analysis.scan, diagnostic.span.start);
    const edit = found && dialect.fallbackEdit(state.text, found.use, diagnostic.data?.fallback ?? FALLBACK_PLACEHOLDER);
    if (edit) edits.push(toLspEdit(edit, state));
  }
  if (edits.length === 0) return undefined;
  return {
    title: `Add all ${edits.length} missing fallback${edits.length === 1 ? '' : 's'} in this file`,
    kind,
    edit: { changes: { [document.uri]: edits } },
  };
}

function toLspEdit(edit: TextEdit, state: TemplateState): LspTextEdit {
  return { range: state.lines.range(edit.span), newText: edit.newText };
}
