import { type InlayHint, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { describeShown, shownValue } from '../../core/values';
import type { Project } from '../project';

/** After each merge field: what the active sample recipient sees there. */
export function inlayHints(project: Project, document: TextDocument, range: Range): InlayHint[] {
  if (!project.settings.inlayHints) return [];
  const state = project.stateOf(document);
  if (state.kind !== 'template' || !state.result.schema) return [];
  const recipient = project.activeRecipient(state.result.schema);
  if (!recipient) return [];
  const { analysis } = state.result;
  const start = state.lines.offsetAt(range.start);
  const end = state.lines.offsetAt(range.end);
  const now = project.now();
  const hints: InlayHint[] = [];
  analysis.scan.uses.forEach((use, index) => {
    if (use.context !== 'output' || use.tagSpan.end < start || use.tagSpan.end > end) return;
    const resolution = analysis.resolutions[index];
    const field = resolution?.kind === 'field' ? resolution.field : undefined;
    const shown = shownValue(use, field, use.path, recipient, now);
    hints.push({
      position: state.lines.range({ start: use.tagSpan.end, end: use.tagSpan.end }).start,
      label: `→ ${describeShown(shown)}`,
      paddingLeft: true,
      tooltip: `What ${recipient.name} sees here (${shown.kind}). Switch the sample recipient from the status bar.`,
    });
  });
  return hints;
}
