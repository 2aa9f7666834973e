import type { TextDocument } from 'vscode-languageserver-textdocument';
import { quadrantUses } from '../../core/ide';
import type { QuadrantEntry } from '../../../../protocol/src/requests';
import type { Project } from '../project';

/** Every field use in the document with its quadrant, for decorations and the quadrants view. */
export function quadrants(project: Project, document: TextDocument): QuadrantEntry[] {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return [];
  return quadrantUses(state.result).map(({ span, ...entry }) => ({ ...entry, range: state.lines.range(span) }));
}
