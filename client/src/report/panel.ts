/**
 * "Mergewise: Open send-readiness report": the report `mergewise report` writes, for a workspace
 * folder, in a webview. The server writes the page (`mergewise/report`, core/report); this file only
 * shows it, opens the file and line a click names, and asks again when files change on disk.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ReportPanelMessage } from '../../../protocol/src/report-panel';
import { REPORT_REQUEST, type ReportParams, type ReportResult } from '../../../protocol/src/requests';
import { reportLinkTarget, reportNoticeHtml } from './report-page';

export const OPEN_REPORT_COMMAND = 'mergewise.openReport';
/** Changes on disk settle this long before the report is written again: a checkout or save-all is one refresh. */
const REFRESH_DELAY_MS = 500;

export function registerReport(client: LanguageClient): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const changed = () => ReportPanel.current?.schedule();
  return [
    watcher,
    watcher.onDidChange(changed),
    watcher.onDidCreate(changed),
    watcher.onDidDelete(changed),
    vscode.workspace.onDidSaveTextDocument(changed),
    vscode.commands.registerCommand(OPEN_REPORT_COMMAND, () => ReportPanel.show(client)),
    { dispose: () => ReportPanel.current?.dispose() },
  ];
}

/** The folder of the active editor's file, else the first workspace folder. */
function reportedFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

class ReportPanel implements vscode.Disposable {
  static current: ReportPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private requested = 0;
  /** The request being answered: a newer one cancels it (the server stops writing it). */
  private pending: vscode.CancellationTokenSource | undefined;
  /** Files changed while the panel was hidden: write the report again when it shows. */
  private stale = false;

  static show(client: LanguageClient): void {
    const folder = reportedFolder();
    if (!folder) {
      void vscode.window.showInformationMessage('Mergewise: open a folder with templates to see its send-readiness report.');
      return;
    }
    if (ReportPanel.current) {
      ReportPanel.current.folder = folder;
      ReportPanel.current.panel.reveal();
      void ReportPanel.current.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel('mergewise.report', title(folder), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      localResourceRoots: [],
    });
    ReportPanel.current = new ReportPanel(panel, client, folder);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly client: LanguageClient, private folder: vscode.WorkspaceFolder) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: ReportPanelMessage) => void this.onMessage(message)),
      panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) void this.refresh();
      }),
    );
    panel.webview.html = reportNoticeHtml(`Writing the report for ${folder.name}…`);
    void this.refresh();
  }

  dispose(): void {
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    clearTimeout(this.timer);
    this.pending?.cancel();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const sequence = ++this.requested;
    this.pending?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.pending = cancellation;
    const params: ReportParams = { folder: this.folder.uri.toString(), nonce: randomBytes(18).toString('base64') };
    let html: string;
    try {
      const result = await this.client.sendRequest<ReportResult>(REPORT_REQUEST, params, cancellation.token);
      html = result.html;
    } catch (error) {
      html = reportNoticeHtml(`The report could not be written: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      cancellation.dispose();
      if (this.pending === cancellation) this.pending = undefined;
    }
    // A newer request's answer wins, whichever comes back first (a cancelled one is replaced).
    if (sequence !== this.requested) return;
    this.panel.title = title(this.folder);
    this.panel.webview.html = html;
  }

  private async onMessage(message: ReportPanelMessage): Promise<void> {
    if (message?.type !== 'open') return;
    const target = reportLinkTarget(this.folder.uri.fsPath, message.href);
    if (!target) return;
    const position = new vscode.Position(target.line ?? 0, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(target.file), {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
      preview: false,
    });
  }
}

function title(folder: vscode.WorkspaceFolder): string {
  return `Send-readiness report: ${folder.name}`;
}
