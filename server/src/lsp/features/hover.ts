import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { closestNames } from '../../core/closest';
import { fieldMarkdown } from '../../core/docs';
import { useAt } from '../../core/query';
import { knownNames } from '../../core/schema/resolve';
import { shownValue } from '../../core/values';
import type { ClientFeatures } from '../client-features';
import { markup } from '../convert';
import type { Project } from '../project';

export function hover(project: Project, document: TextDocument, position: Position, client: ClientFeatures): Hover | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const { analysis, schema, dialect } = state.result;
  const found = useAt(analysis.scan, state.lines.offsetAt(position));
  if (!found || !schema) return null;
  const { use, index } = found;
  const range = state.lines.range(use.span);
  const resolution = analysis.resolutions[index];
  if (resolution?.kind === 'namespace') {
    return { range, contents: markup(`**${use.path}**: a group of fields in mergewise.json`, client.hoverMarkdown) };
  }
  if (resolution?.kind !== 'field') {
    const suggestions = closestNames(use.path, knownNames(schema, dialect.id));
    return {
      range,
      contents: markup(
        `**${use.path}** is not in mergewise.json.` + (suggestions.length ? ` Closest: ${suggestions.map((s) => `\`${s}\``).join(', ')}.` : ''),
        client.hoverMarkdown,
      ),
    };
  }
  const field = resolution.field;
  const now = project.now();
  const recipientValues = project.recipientsFor(schema).recipients.map((recipient) => ({
    name: recipient.name,
    shown: shownValue(use, field, use.path, recipient, now),
  }));
  return {
    range,
    contents: markup(fieldMarkdown(field, schema, { templatePurposes: analysis.purposes, recipientValues }), client.hoverMarkdown),
  };
}
