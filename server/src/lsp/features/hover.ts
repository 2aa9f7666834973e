import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { hoverAt } from '../../core/ide';
import type { ClientFeatures } from '../client-features';
import { markup } from '../convert';
import type { Project } from '../project';

export function hover(project: Project, document: TextDocument, position: Position, client: ClientFeatures): Hover | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const { schema } = state.result;
  const recipients = schema ? project.recipientsFor(schema).recipients : [];
  const answer = hoverAt(state.result, state.lines.offsetAt(position), recipients, project.now());
  return answer ? { range: state.lines.range(answer.span), contents: markup(answer.markdown, client.hoverMarkdown) } : null;
}
