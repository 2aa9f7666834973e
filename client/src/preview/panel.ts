/**
 * "Mergewise: Preview": a webview beside the template showing it as each sample recipient gets
 * it, from the editor's unsaved text, updated as the author types. The server renders (on its
 * worker thread); panel-html.ts makes the HTML; this file wires VS Code: the command, the editor
 * title button, updates, and the panel's buttons (reveal a merge tag, open or add recipients).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, type LanguageClient } from 'vscode-languageclient/node';
import {
  DOCUMENT_INFO_REQUEST, NEW_RECIPIENT_REQUEST, PREVIEW_REQUEST,
  type DocumentInfo, type NewRecipientResult, type PreviewParams, type PreviewResult,
} from '../../../protocol/src/requests';
import { PREVIEW_LAYOUTS, previewContentHtml, previewPanelHtml, type PreviewLayout } from './panel-html';

export const PREVIEW_COMMAND = 'mergewise.preview';
/** True while the active editor holds a template Mergewise checks: shows the editor title button. */
const TEMPLATE_CONTEXT = 'mergewise.isTemplate';
/** Typing pauses this long before the preview is rendered again (plus the rendering: ~300 ms in all). */
const UPDATE_DELAY_MS = 150;

/** Messages from the panel's script. */
type PanelMessage =
  | { type: 'ready' }
  | { type: 'layout'; layout: PreviewLayout }
  | { type: 'tab'; key?: string }
  | { type: 'remote'; on: boolean }
  | { type: 'reveal'; start: number; end: number; file?: string }
  | { type: 'link'; href: string | null }
  | { type: 'open'; file: string }
  | { type: 'unpick'; file: string }
  | { type: 'addRecipient' }
  | { type: 'pickRecipient' };

/** Registers the command and what keeps the panel and the editor title button up to date. */
export function registerPreview(client: LanguageClient): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.json');
  const jsonChanged = (uri: vscode.Uri) => PreviewPanel.current?.recipientFileChanged(uri.fsPath);
  const updateContext = async (editor: vscode.TextEditor | undefined) => {
    let info: DocumentInfo | undefined;
    if (editor && editor.document.uri.scheme === 'file') {
      try {
        info = await client.sendRequest<DocumentInfo>(DOCUMENT_INFO_REQUEST, { uri: editor.document.uri.toString() });
      } catch {
        info = undefined; // The server is restarting; the next editor change sets the context again.
      }
    }
    if (editor !== vscode.window.activeTextEditor) return;
    const isTemplate = Boolean(info?.dialect);
    void vscode.commands.executeCommand('setContext', TEMPLATE_CONTEXT, isTemplate);
    // The preview follows the template being edited, like the Markdown preview does.
    if (isTemplate && editor) PreviewPanel.current?.follow(editor);
  };
  void updateContext(vscode.window.activeTextEditor);
  return [
    watcher,
    watcher.onDidChange(jsonChanged),
    watcher.onDidCreate(jsonChanged),
    watcher.onDidDelete(jsonChanged),
    vscode.commands.registerCommand(PREVIEW_COMMAND, (resource?: vscode.Uri) => PreviewPanel.show(client, resource)),
    vscode.window.onDidChangeActiveTextEditor((editor) => void updateContext(editor)),
    vscode.workspace.onDidChangeTextDocument((event) => PreviewPanel.current?.documentChanged(event.document)),
    vscode.workspace.onDidOpenTextDocument((document) => PreviewPanel.current?.documentChanged(document)),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (document.uri.scheme === 'file' && document.fileName.toLowerCase().endsWith('.json')) jsonChanged(document.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => PreviewPanel.current?.configurationChanged(event)),
    { dispose: () => PreviewPanel.current?.dispose() },
  ];
}

/** The layout setting: side by side or tabs, remembered across sessions. */
function configuredLayout(): PreviewLayout {
  const value = vscode.workspace.getConfiguration('mergewise.preview').get<string>('layout');
  return PREVIEW_LAYOUTS.includes(value as PreviewLayout) ? value as PreviewLayout : 'sideBySide';
}

async function rememberLayout(layout: PreviewLayout): Promise<void> {
  const config = vscode.workspace.getConfiguration('mergewise.preview');
  const inspected = config.inspect<string>('layout');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('layout', layout, target);
}

function renderTimeout(): number | undefined {
  return vscode.workspace.getConfiguration('mergewise.preview').get<number>('renderTimeout');
}

/** Recipient files picked outside the `recipients` globs: kept for this session, across panels. */
const pickedFiles = new Set<string>();

class PreviewPanel implements vscode.Disposable {
  static current: PreviewPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private result: PreviewResult | undefined;
  private remoteContent = false;
  private activeTab: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly changedFiles = new Set<string>();
  private requested = 0;
  private shown = 0;
  private pending: vscode.CancellationTokenSource | undefined;
  /** The webview missed updates while hidden: render it whole when it shows again. */
  private stale = false;
  /** The page's script is listening: updates can be posted. */
  private ready = false;

  static show(client: LanguageClient, resource?: vscode.Uri): void {
    const editor = vscode.window.activeTextEditor;
    const uri = resource ?? editor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Mergewise: open a template to preview it for your sample recipients.');
      return;
    }
    const column = editor && editor.document.uri.toString() === uri.toString() ? editor.viewColumn : undefined;
    if (PreviewPanel.current) {
      PreviewPanel.current.retarget(uri, column);
      PreviewPanel.current.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('mergewise.preview', title(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      localResourceRoots: [],
    });
    PreviewPanel.current = new PreviewPanel(panel, client, uri, column);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly client: LanguageClient,
    private uri: vscode.Uri,
    private templateColumn: vscode.ViewColumn | undefined,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: PanelMessage) => void this.onMessage(message)),
      panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) this.renderWhole();
      }),
    );
    this.renderWhole();
    void this.refresh();
  }

  dispose(): void {
    if (PreviewPanel.current === this) PreviewPanel.current = undefined;
    clearTimeout(this.timer);
    this.pending?.cancel();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }

  follow(editor: vscode.TextEditor): void {
    if (editor.document.uri.toString() !== this.uri.toString()) this.retarget(editor.document.uri, editor.viewColumn);
  }

  documentChanged(document: vscode.TextDocument): void {
    if (document.uri.toString() === this.uri.toString()) this.schedule();
  }

  recipientFileChanged(file: string): void {
    this.changedFiles.add(file);
    this.schedule();
  }

  configurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (event.affectsConfiguration('mergewise.preview.layout')) void this.panel.webview.postMessage({ type: 'layout', layout: configuredLayout() });
    if (event.affectsConfiguration('mergewise.preview.renderTimeout')) this.schedule();
  }

  private retarget(uri: vscode.Uri, column: vscode.ViewColumn | undefined): void {
    if (column !== undefined) this.templateColumn = column;
    if (uri.toString() === this.uri.toString()) return;
    this.uri = uri;
    this.activeTab = undefined;
    this.result = undefined;
    this.panel.title = title(uri);
    this.renderWhole();
    void this.refresh();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), UPDATE_DELAY_MS);
  }

  /** Asks the server for a new rendering and shows it, unless a newer one was asked for meanwhile. */
  private async refresh(): Promise<void> {
    clearTimeout(this.timer);
    const sequence = ++this.requested;
    this.pending?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.pending = cancellation;
    const changedFiles = [...this.changedFiles];
    this.changedFiles.clear();
    const params: PreviewParams = {
      uri: this.uri.toString(),
      recipients: 'all',
      extraRecipientFiles: [...pickedFiles],
      ...(changedFiles.length ? { changedFiles } : {}),
      ...(renderTimeout() ? { timeoutMs: renderTimeout() } : {}),
    };
    let result: PreviewResult;
    try {
      result = await this.client.sendRequest<PreviewResult>(PREVIEW_REQUEST, params, cancellation.token);
    } catch (error) {
      if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled) return;
      if (sequence < this.shown) return;
      result = {
        uri: this.uri.toString(), version: 0, template: path.basename(this.uri.fsPath), plainText: false, recipients: [], problems: [],
        notice: `The preview could not be rendered: ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      cancellation.dispose();
      if (this.pending === cancellation) this.pending = undefined;
    }
    if (sequence < this.shown || result.uri !== this.uri.toString()) return;
    this.shown = sequence;
    this.result = result;
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    this.postUpdate();
  }

  private postUpdate(): void {
    if (!this.ready || !this.result) return; // The page announces itself when ready, and gets the update then.
    void this.panel.webview.postMessage({ type: 'update', html: previewContentHtml(this.result, { remoteContent: this.remoteContent, activeTab: this.activeTab }) });
  }

  /** Sets the whole page: at first, and when its CSP changes (remote content) or it was hidden. */
  private renderWhole(): void {
    this.stale = false;
    this.ready = false;
    this.panel.webview.html = previewPanelHtml(this.result, {
      nonce: randomBytes(18).toString('base64'),
      remoteContent: this.remoteContent,
      layout: configuredLayout(),
      ...(this.activeTab ? { activeTab: this.activeTab } : {}),
    });
  }

  private async onMessage(message: PanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postUpdate();
        break;
      case 'layout':
        if (PREVIEW_LAYOUTS.includes(message.layout)) await rememberLayout(message.layout);
        break;
      case 'tab':
        this.activeTab = message.key;
        break;
      case 'remote':
        this.remoteContent = Boolean(message.on);
        this.renderWhole();
        break;
      case 'reveal':
        await this.reveal(message.start, message.end, message.file);
        break;
      case 'link':
        vscode.window.setStatusBarMessage(`Mergewise preview: links are not followed (${message.href ?? 'no address'}).`, 5000);
        break;
      case 'open':
        await vscode.window.showTextDocument(vscode.Uri.file(message.file), { viewColumn: this.templateColumn ?? vscode.ViewColumn.One, preview: false });
        break;
      case 'unpick':
        pickedFiles.delete(message.file);
        await this.refresh();
        break;
      case 'addRecipient':
        await this.addRecipient();
        break;
      case 'pickRecipient':
        await this.pickRecipient();
        break;
    }
  }

  /** Selects the merge tag behind a mark in the template's editor, or in the partial's when the mark is inside included content. */
  private async reveal(start: number, end: number, file?: string): Promise<void> {
    if (!Number.isInteger(start) || !Number.isInteger(end)) return;
    const uri = typeof file === 'string' && file ? vscode.Uri.file(file) : this.uri;
    const document = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? this.templateColumn ?? vscode.ViewColumn.One,
      selection: range,
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async addRecipient(): Promise<void> {
    let draft: NewRecipientResult;
    try {
      draft = await this.client.sendRequest<NewRecipientResult>(NEW_RECIPIENT_REQUEST, { uri: this.uri.toString() });
    } catch (error) {
      void vscode.window.showErrorMessage(`Mergewise could not draft a sample recipient: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if ('error' in draft) {
      void vscode.window.showWarningMessage(`Mergewise: ${draft.error}`);
      return;
    }
    const target = vscode.Uri.file(draft.file);
    if (await exists(target)) {
      void vscode.window.showWarningMessage(`Mergewise: ${vscode.workspace.asRelativePath(target)} already exists; it was left as it is.`);
      return;
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(draft.content, 'utf8'));
    this.recipientFileChanged(draft.file);
    const choice = await vscode.window.showInformationMessage(
      `Mergewise: created ${vscode.workspace.asRelativePath(target)}, a sample recipient with every optional field empty.`, 'Open');
    if (choice === 'Open') await vscode.window.showTextDocument(target, { viewColumn: this.templateColumn ?? vscode.ViewColumn.One, preview: false });
  }

  private async pickRecipient(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Mergewise: sample recipient files to preview with (this session)',
      openLabel: 'Preview with these recipients',
      canSelectMany: true,
      canSelectFolders: false,
      filters: { 'Recipient JSON': ['json', 'jsonc'] },
    });
    if (!picked?.length) return;
    for (const uri of picked) pickedFiles.add(uri.fsPath);
    await this.refresh();
  }
}

function title(uri: vscode.Uri): string {
  return `Preview: ${path.basename(uri.fsPath)}`;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
