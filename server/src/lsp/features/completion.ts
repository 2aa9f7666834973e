import {
  CompletionItemKind, CompletionItemTag, InsertTextFormat,
  type CompletionItem, type CompletionList, type Position, type Range,
} from 'vscode-languageserver';
import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fieldMarkdown } from '../../core/docs';
import { completionsAt, type CompletionKind, type CompletionOption } from '../../core/ide';
import { includeCompletionContextAt, includeCompletions, type IncludeCompletionOption, type PartialsOnOffer } from '../../core/partials/ide';
import { PartialResolver } from '../../core/partials/resolve';
import type { ClientFeatures } from '../client-features';
import { markup } from '../convert';
import type { Schema } from '../../core/schema/types';
import type { Project } from '../project';

/** Quotes open an include's name (`{% render '`); elsewhere they open a string, where nothing is offered. */
export const COMPLETION_TRIGGERS = ['{', ' ', '.', '|', '%', '*', "'", '"'];

/** Above this many items, documentation is filled in on `completionItem/resolve` only. */
const EAGER_DOCS_LIMIT = 100;

const KINDS: Record<CompletionKind, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  variable: CompletionItemKind.Variable,
  filter: CompletionItemKind.Function,
  tag: CompletionItemKind.Keyword,
};

interface ItemData {
  uri: string;
  field: string;
}

export function completion(project: Project, document: TextDocument, position: Position, client: ClientFeatures): CompletionList | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const offset = state.lines.offsetAt(position);
  const include = includeCompletionContextAt(state.text, offset);
  if (include) {
    const range = state.lines.range(include.span);
    return { isIncomplete: false, items: includeCompletions(include, partialsOnOffer(project, state.filePath, state.result.schema)).map((option) => includeItem(option, range)) };
  }
  const answer = completionsAt(state.result, state.text, offset);
  if (!answer) return null;
  const range = state.lines.range(answer.span);
  const items = answer.options.map((option) => item(option, range, document.uri, client));
  if (items.length <= EAGER_DOCS_LIMIT) for (const each of items) resolveCompletion(project, each, client);
  return { isIncomplete: false, items };
}

/**
 * The partials a template may include, found as its includes resolve them. Without a schema, from
 * the conventional folders in the template's own folder only: the project does not know the
 * workspace's root.
 */
function partialsOnOffer(project: Project, filePath: string, schema: Schema | undefined): PartialsOnOffer {
  const resolver = new PartialResolver(project.fileSystem, schema?.dir ?? path.dirname(filePath), schema);
  return {
    names: (kind) => resolver.availableNames(kind, filePath),
    parameters: (kind, name) => {
      const file = resolver.resolve({ kind, name }, filePath).file;
      const read = file ? project.partials.read(file) : undefined;
      return read && !('problem' in read) ? read.scan.parameters : undefined;
    },
  };
}

function includeItem(option: IncludeCompletionOption, range: Range): CompletionItem {
  return {
    label: option.label,
    kind: option.kind === 'partial' ? CompletionItemKind.File : CompletionItemKind.Property,
    detail: option.detail,
    textEdit: { range, newText: option.insert },
  };
}

/** Fills in a field item's documentation: the same as hover. */
export function resolveCompletion(project: Project, item: CompletionItem, client: ClientFeatures): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || item.documentation) return item;
  const document = project.openDocument(data.uri);
  const state = document && project.stateOf(document);
  const schema = state?.kind === 'template' ? state.result.schema : undefined;
  const field = schema?.fields.get(data.field);
  if (schema && field && state?.kind === 'template') {
    item.documentation = markup(fieldMarkdown(field, schema, { templatePurposes: state.result.analysis.purposes }), client.completionMarkdown);
  }
  return item;
}

/**
 * No `filterText`: the label is what is inserted for a name, and a `filterText` made Neovim ignore
 * the edit's start and repeat the typed prefix. Snippets only for an editor that takes them.
 */
function item(option: CompletionOption, range: Range, uri: string, client: ClientFeatures): CompletionItem {
  const snippet = client.snippets ? option.snippet : undefined;
  // Without snippets, on one line: an editor's completion menu may not insert a line break (Vim's
  // puts a NUL byte in its place), and a statement such as AMPscript's IF…ENDIF reads the same so.
  const insert = snippet === undefined ? option.insert.replace(/[ \t]*\r?\n\s*/g, ' ') : option.insert;
  const result: CompletionItem = {
    label: option.label,
    kind: KINDS[option.kind],
    detail: option.detail,
    insertTextFormat: snippet !== undefined ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range, newText: snippet ?? insert },
  };
  if (option.field !== undefined) result.data = { uri, field: option.field } satisfies ItemData;
  if (option.deprecated) result.tags = [CompletionItemTag.Deprecated];
  return result;
}
