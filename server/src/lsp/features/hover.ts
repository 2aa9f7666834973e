import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { hoverAt } from '../../core/ide';
import { fieldsThroughInclude, includeAt, includeHoverMarkdown } from '../../core/partials/ide';
import type { ClientFeatures } from '../client-features';
import { markup } from '../convert';
import type { Project } from '../project';

export function hover(project: Project, document: TextDocument, position: Position, client: ClientFeatures): Hover | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const { schema } = state.result;
  const offset = state.lines.offsetAt(position);
  // An include's name tells about its partial; anything else is a field.
  const include = includeAt(state.result.includes, offset);
  if (include) {
    const markdown = includeHoverMarkdown(include, fieldsThroughInclude(project.partials, include, schema));
    return { range: state.lines.range(include.site.nameSpan), contents: markup(markdown, client.hoverMarkdown) };
  }
  const recipients = schema ? project.recipientsFor(schema).recipients : [];
  const answer = hoverAt(state.result, offset, recipients, project.now());
  return answer ? { range: state.lines.range(answer.span), contents: markup(answer.markdown, client.hoverMarkdown) } : null;
}
