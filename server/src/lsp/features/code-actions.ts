/**
 * Quick fixes and fix-all: each finding's own fixes, asked of the core and converted. Nothing here
 * knows one rule from another, and nothing relies on `Diagnostic.data` coming back: the finding is
 * found again in the current analysis by its rule and range.
 */
import {
  CodeActionKind,
  type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { compatibleFixes, findingAt, fixesFor, safeFixes, schemaFixesFor, type Fix } from '../../core/fixes';
import type { Project } from '../project';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.mergewise`;

type TemplateState = Extract<ReturnType<Project['stateOf']>, { kind: 'template' }>;
type SchemaState = Extract<ReturnType<Project['stateOf']>, { kind: 'schema' }>;

export function codeActions(project: Project, document: TextDocument, params: CodeActionParams): CodeAction[] {
  const state = project.stateOf(document);
  if (state.kind === 'schema') return schemaCodeActions(state, document, params);
  if (state.kind !== 'template') return [];
  const only = params.context.only;
  if (only && only.some((kind) => FIX_ALL_KIND.startsWith(kind) && kind.startsWith(CodeActionKind.SourceFixAll))) {
    const fixAll = fixAllAction(state, document, FIX_ALL_KIND);
    return fixAll ? [fixAll] : [];
  }
  const { analysis } = state.result;
  const actions: CodeAction[] = [];
  let anyFix = false;
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== 'mergewise' || typeof diagnostic.code !== 'string') continue;
    const finding = findingAt(analysis, diagnostic.code, state.lines.offsetAt(diagnostic.range.start), state.lines.offsetAt(diagnostic.range.end));
    if (!finding) continue;
    const { fix, suggestions } = fixesFor(analysis, finding);
    if (fix) {
      anyFix = true;
      actions.push(action(fix, state, document, diagnostic, true));
    }
    // Only a safe fix is preferred: editors apply a preferred fix unasked (auto-fix, `apply = true`).
    for (const suggestion of suggestions) actions.push(action(suggestion, state, document, diagnostic, false));
  }
  const fixAll = anyFix ? fixAllAction(state, document, CodeActionKind.QuickFix) : undefined;
  if (fixAll && (fixAll.edit?.changes?.[document.uri]?.length ?? 0) > 1) actions.push(fixAll);
  return actions;
}

/** In `mergewise.json`: each finding's fixes, asked of the core with the file's text and offered one by one (no fix-all there). */
function schemaCodeActions(state: SchemaState, document: TextDocument, params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== 'mergewise' || typeof diagnostic.code !== 'string') continue;
    const finding = findingAt(state, diagnostic.code, state.lines.offsetAt(diagnostic.range.start), state.lines.offsetAt(diagnostic.range.end));
    if (!finding) continue;
    const { fix, suggestions } = schemaFixesFor(state.text, finding);
    if (fix) actions.push(action(fix, state, document, diagnostic, true));
    for (const suggestion of suggestions) actions.push(action(suggestion, state, document, diagnostic, false));
  }
  return actions;
}

function action(fix: Fix, state: TemplateState | SchemaState, document: TextDocument, diagnostic: LspDiagnostic, isPreferred: boolean): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred,
    edit: { changes: { [document.uri]: fix.edits.map((edit) => ({ range: state.lines.range(edit.span), newText: edit.newText })) } },
  };
}

/** Every safe fix in the file that applies with the others (overlapping ones wait for the next fix-all). */
function fixAllAction(state: TemplateState, document: TextDocument, kind: string): CodeAction | undefined {
  const { taken } = compatibleFixes(safeFixes(state.result.analysis));
  if (taken.length === 0) return undefined;
  return {
    title: `Apply all ${taken.length} safe fix${taken.length === 1 ? '' : 'es'} in this file`,
    kind,
    edit: { changes: { [document.uri]: taken.flatMap((fix) => fix.edits).map((edit) => ({ range: state.lines.range(edit.span), newText: edit.newText })) } },
  };
}
