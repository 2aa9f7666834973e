import type { TextDocument } from 'vscode-languageserver-textdocument';
import { purposeCoversField, quadrantOf, QUADRANT_NAMES } from '../../core/purposes';
import type { QuadrantEntry } from '../protocol';
import type { Project } from '../project';

/** Every field use in the document with its quadrant, for decorations and the quadrants view. */
export function quadrants(project: Project, document: TextDocument): QuadrantEntry[] {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return [];
  const { analysis } = state.result;
  const entries: QuadrantEntry[] = [];
  analysis.scan.uses.forEach((use, index) => {
    const resolution = analysis.resolutions[index];
    if (resolution?.kind !== 'field' || use.context === 'argument') return;
    const covering = analysis.purposes.filter((purpose) => purposeCoversField(purpose, resolution.field.path));
    const quadrant = quadrantOf(resolution.field, covering);
    if (!quadrant) return;
    entries.push({
      field: resolution.field.path,
      quadrant,
      name: QUADRANT_NAMES[quadrant],
      range: state.lines.range(use.span),
      purposes: covering.map((purpose) => purpose.id),
    });
  });
  return entries;
}
