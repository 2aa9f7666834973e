import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { closestNames } from '../../core/closest';
import { fieldMarkdown } from '../../core/docs';
import { useAt } from '../../core/query';
import { knownNames } from '../../core/schema/resolve';
import { shownValue } from '../../core/values';
import type { Project } from '../project';

export function hover(project: Project, document: TextDocument, position: Position): Hover | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const { analysis, schema, dialect } = state.result;
  const found = useAt(analysis.scan, state.lines.offsetAt(position));
  if (!found || !schema) return null;
  const { use, index } = found;
  const range = state.lines.range(use.span);
  const resolution = analysis.resolutions[index];
  if (resolution?.kind === 'namespace') {
    return { range, contents: { kind: MarkupKind.Markdown, value: `**${use.path}**: a group of fields in mergewise.json` } };
  }
  if (resolution?.kind !== 'field') {
    const suggestions = closestNames(use.path, knownNames(schema, dialect.id));
    return {
      range,
      contents: {
        kind: MarkupKind.Markdown,
        value: `**${use.path}** is not in mergewise.json.` + (suggestions.length ? ` Closest: ${suggestions.map((s) => `\`${s}\``).join(', ')}.` : ''),
      },
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
    contents: { kind: MarkupKind.Markdown, value: fieldMarkdown(field, schema, { templatePurposes: analysis.purposes, recipientValues }) },
  };
}
