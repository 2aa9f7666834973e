import {
  CompletionItemKind, InsertTextFormat,
  CompletionItemTag, type CompletionItem, type CompletionList, type Position, type Range,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionEntry, Dialect } from '../../core/dialects/dialect';
import { fieldMarkdown } from '../../core/docs';
import { completionContextAt, loopScopesAt, type CompletionContext } from '../../core/query';
import type { FieldSpec, Schema } from '../../core/schema/types';
import type { ClientFeatures } from '../client-features';
import { markup } from '../convert';
import type { Project } from '../project';

export const COMPLETION_TRIGGERS = ['{', ' ', '.', '|', '%', '*'];

/** Above this many items, documentation is filled in on `completionItem/resolve` only. */
const EAGER_DOCS_LIMIT = 100;

interface ItemData {
  uri: string;
  field: string;
}

export function completion(project: Project, document: TextDocument, position: Position, client: ClientFeatures): CompletionList | null {
  const state = project.stateOf(document);
  if (state.kind !== 'template') return null;
  const offset = state.lines.offsetAt(position);
  const context = completionContextAt(state.text, offset);
  if (!context) return null;
  const { dialect, schema, analysis } = state.result;
  const range = state.lines.range(context.span);
  switch (context.kind) {
    case 'filter':
      return list(dialect.filters.map((entry) => snippetItem(entry, CompletionItemKind.Function, range, client)));
    case 'tag':
      return list(dialect.tags.map((entry) => snippetItem(entry, CompletionItemKind.Keyword, range, client)));
    case 'field': {
      const items: CompletionItem[] = [];
      if (dialect.helpersAfterOpener) {
        items.push(...dialect.tags.map((entry) => snippetItem(entry, CompletionItemKind.Keyword, range, client)));
        items.push(...dialect.filters.map((entry) => snippetItem(entry, CompletionItemKind.Function, range, client)));
      }
      if (!schema) return items.length ? list(items) : null;
      for (const scope of loopScopesAt(analysis.scan, offset)) {
        items.push({ label: scope.variable, kind: CompletionItemKind.Variable, detail: `each item of ${scope.itemPath.slice(0, -2)}`, textEdit: { range, newText: scope.variable } });
        for (const field of fieldsUnder(schema, `${scope.itemPath}.`, '')) {
          items.push(fieldItem(field, `${scope.variable}.${field.path.slice(scope.itemPath.length + 1)}`, context, dialect, state.text, range, document.uri, client));
        }
      }
      const namespace = context.prefix.includes('.') ? context.prefix.slice(0, context.prefix.lastIndexOf('.') + 1) : '';
      for (const field of fieldsUnder(schema, namespace, '[]')) {
        items.push(fieldItem(field, field.path, context, dialect, state.text, range, document.uri, client));
        const alias = field.aliases[dialect.id];
        if (alias && alias.startsWith(namespace)) {
          items.push({ ...fieldItem(field, alias, context, dialect, state.text, range, document.uri, client), detail: `alias of ${field.path}` });
        }
      }
      if (items.length <= EAGER_DOCS_LIMIT) for (const item of items) resolveCompletion(project, item, client);
      return list(items);
    }
  }
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

function list(items: CompletionItem[]): CompletionList {
  return { isIncomplete: false, items };
}

/** Fields whose path starts with `prefix`; those containing `exclude` after it (loop items) are left out. */
function* fieldsUnder(schema: Schema, prefix: string, exclude: string): Generator<FieldSpec> {
  for (const field of schema.fields.values()) {
    if (!field.path.startsWith(prefix)) continue;
    if (exclude && field.path.includes(exclude, prefix.length)) continue;
    yield field;
  }
}

/**
 * A field, replacing what was typed of it. No `filterText`: the label is the written path already,
 * and a `filterText` made Neovim ignore the edit's start and repeat the typed prefix.
 */
function fieldItem(field: FieldSpec, written: string, context: CompletionContext, dialect: Dialect, text: string, range: Range, uri: string,
  client: ClientFeatures): CompletionItem {
  const item: CompletionItem = {
    label: written,
    kind: CompletionItemKind.Field,
    detail: [field.type, field.source, field.deprecated ? 'deprecated' : undefined].filter(Boolean).join(' · '),
    textEdit: { range, newText: written },
    data: { uri, field: field.path } satisfies ItemData,
    ...(field.deprecated ? { tags: [CompletionItemTag.Deprecated] } : {}),
  };
  if (context.kind === 'field' && context.inOutput && field.fallback !== undefined) {
    const probe = { path: field.path, written, span: { start: 0, end: written.length }, tagSpan: { start: 0, end: written.length }, context: 'output' as const, fallback: null, guarded: false, filters: [] };
    const edit = dialect.fallbackEdit(text, probe, field.fallback);
    if (edit && edit.span.start === edit.span.end && edit.span.start === written.length) {
      // With snippets the cursor lands after the fallback; without, the text is the same, the cursor at its end.
      item.insertTextFormat = client.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText;
      item.textEdit = { range, newText: client.snippets ? `${escapeSnippet(written)}${escapeSnippet(edit.newText)}$0` : `${written}${edit.newText}` };
      item.detail = `${item.detail} · with fallback "${field.fallback}"`;
    }
  }
  return item;
}

function snippetItem(entry: CompletionEntry, kind: CompletionItemKind, range: Range, client: ClientFeatures): CompletionItem {
  const snippet = entry.snippet !== undefined && client.snippets;
  return {
    label: entry.label,
    kind,
    detail: entry.detail,
    insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range, newText: entry.snippet === undefined ? entry.label : snippet ? entry.snippet : snippetText(entry.snippet) },
  };
}

/** A snippet as plain text, for a client without snippets: each placeholder's default stays, tab stops go. */
export function snippetText(snippet: string): string {
  return snippet
    .replace(/\$\{\d+:((?:[^}\\]|\\.)*)\}/g, '$1')
    .replace(/\$\{\d+\}|\$\d+/g, '')
    .replace(/\\([\\$}])/g, '$1');
}

function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}
