/**
 * The "Mergewise: Modules" view in the Explorer: each partial the workspace's templates include,
 * the templates that include it, and the fields it uses, each marked where some template leaves it
 * without a fallback or guard. Clicking a partial or a template opens it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MODULES_REQUEST, type ModuleEntry, type ModuleField } from '../../protocol/src/requests';

type ModuleNode =
  | { kind: 'partial'; module: ModuleEntry }
  | { kind: 'includer'; file: string }
  | { kind: 'field'; field: ModuleField };

/** Diagnostics change with every keystroke: the view asks the server again once they settle. */
const REFRESH_DELAY_MS = 500;

class ModulesTree implements vscode.TreeDataProvider<ModuleNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly client: LanguageClient) {}

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), REFRESH_DELAY_MS);
  }

  async getChildren(node?: ModuleNode): Promise<ModuleNode[]> {
    if (!node) {
      try {
        const modules = await this.client.sendRequest<ModuleEntry[]>(MODULES_REQUEST, {});
        return modules.map((module) => ({ kind: 'partial', module }));
      } catch {
        return []; // The server is restarting; the next refresh fills the view.
      }
    }
    if (node.kind !== 'partial') return [];
    return [
      ...node.module.includedBy.map((file): ModuleNode => ({ kind: 'includer', file })),
      ...node.module.fields.map((field): ModuleNode => ({ kind: 'field', field })),
    ];
  }

  getTreeItem(node: ModuleNode): vscode.TreeItem {
    if (node.kind === 'partial') {
      const { module } = node;
      const item = new vscode.TreeItem(module.shown, vscode.TreeItemCollapsibleState.Collapsed);
      item.resourceUri = vscode.Uri.file(module.file);
      const uncovered = module.fields.filter((field) => !field.covered).length;
      item.description = plural(module.includedBy.length, 'includer') + (uncovered ? ` · ${plural(uncovered, 'field')} without fallback` : '');
      item.command = open(module.file);
      return item;
    }
    if (node.kind === 'includer') {
      const item = new vscode.TreeItem(`included by ${vscode.workspace.asRelativePath(node.file)}`);
      item.iconPath = new vscode.ThemeIcon('references');
      item.command = open(node.file);
      return item;
    }
    const { field } = node;
    const item = new vscode.TreeItem(field.field);
    const bare = field.templates.filter((t) => !t.covered).map((t) => path.basename(t.file));
    item.iconPath = new vscode.ThemeIcon(field.covered ? 'pass' : 'warning');
    item.description = field.covered ? 'fallback or guard everywhere' : `no fallback or guard in ${bare.join(', ')}`;
    item.tooltip = field.templates.map((t) => `${vscode.workspace.asRelativePath(t.file)}: ${t.covered ? 'covered' : 'no fallback or guard'}`).join('\n');
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}

/** The view, refreshed when diagnostics change (an edit was checked) or a file is saved. */
export function registerModulesView(client: LanguageClient): vscode.Disposable {
  const tree = new ModulesTree(client);
  return vscode.Disposable.from(
    tree,
    vscode.window.createTreeView('mergewise.modules', { treeDataProvider: tree }),
    vscode.languages.onDidChangeDiagnostics(() => tree.refreshSoon()),
    vscode.workspace.onDidSaveTextDocument(() => tree.refreshSoon()),
  );
}

function open(file: string): vscode.Command {
  return { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(file)] };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
