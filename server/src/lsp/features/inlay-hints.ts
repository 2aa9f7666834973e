import * as path from 'node:path';
import type { InlayHint, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { shownHints } from '../../core/ide';
import type { Project } from '../project';

/** After each merge field: what the active sample recipient sees there. */
export function inlayHints(project: Project, document: TextDocument, range: Range): InlayHint[] {
  if (!project.settings.inlayHints) return [];
  const state = project.stateOf(document);
  if (state.kind !== 'template' || !state.result.schema) return [];
  const recipient = project.activeRecipient(state.result.schema);
  if (!recipient) return [];
  // In a partial, values are those of the template it is shown through (the one last looked at, or the first).
  const through = state.result.shownThrough ? ` when ${path.basename(state.result.shownThrough)} includes this` : '';
  return shownHints(state.result, state.lines.offsetAt(range.start), state.lines.offsetAt(range.end), recipient, project.now()).map((hint) => ({
    position: state.lines.positionAt(hint.offset),
    label: hint.label,
    paddingLeft: true,
    tooltip: `What ${recipient.name} sees here${through} (${hint.kind}). Another sample recipient: the status bar in VS Code, the mergewise/setActiveRecipient request elsewhere.`,
  }));
}
