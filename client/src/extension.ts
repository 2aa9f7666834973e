/**
 * The VS Code side: starts the language server, and adds what LSP has no words for: the sample
 * recipient in the status bar, quadrant decorations, the quadrants view and the modules view.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, TransportKind,
  type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import {
  DOCUMENT_INFO_REQUEST, QUADRANTS_REQUEST, SET_RECIPIENT_REQUEST,
  type DocumentInfo, type QuadrantEntry,
} from '../../protocol/src/requests';
import { QUADRANTS, type QuadrantId, type QuadrantInfo } from '../../protocol/src/quadrants';
import { registerMeasureAudience } from './audience';
import { coverageTooltip } from './audience-measure';
import { initOfferFeature, registerInit } from './init';
import { registerModulesView } from './modules-view';
import { quadrantsHtml } from './quadrants-view';
import { registerPreview } from './preview/panel';
import { registerReport } from './report/panel';

/** Languages whose files can hold merge tags. The server decides which files it checks. */
export const TEMPLATE_LANGUAGES = ['liquid', 'html', 'plaintext', 'handlebars', 'ampscript', 'hubl', 'jinja', 'django-html'];

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const output = vscode.window.createOutputChannel('Mergewise', { log: true });
  let restartAnnounced = false;
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...TEMPLATE_LANGUAGES.map((language) => ({ scheme: 'file', language })),
      { scheme: 'file', pattern: '**/mergewise.json' },
    ],
    // The server registers the files it wants watched itself, as it does with every editor.
    synchronize: { configurationSection: 'mergewise' },
    outputChannel: output,
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      // The server died: restart it, and say so once rather than on every restart.
      closed: () => {
        const message = restartAnnounced ? undefined : 'The Mergewise language server stopped unexpectedly and was restarted.';
        restartAnnounced = true;
        return { action: CloseAction.Restart, message };
      },
    },
  };
  client = new LanguageClient('mergewise', 'Mergewise', serverOptions, clientOptions);
  // Before start: the capability goes in `initialize`, and the server's offer may come with the first diagnostics.
  client.registerFeature(initOfferFeature);
  const init = registerInit(client, context);
  await client.start();

  const status = new RecipientStatus(client);
  const decorations = new QuadrantDecorations(client);
  context.subscriptions.push(
    output,
    status,
    decorations,
    vscode.commands.registerCommand('mergewise.selectRecipient', () => status.pick()),
    vscode.commands.registerCommand('mergewise.showQuadrants', () => showQuadrants(client as LanguageClient)),
    ...registerPreview(client),
    ...registerReport(client),
    registerModulesView(client),
    ...init,
    registerMeasureAudience(context),
    vscode.window.onDidChangeActiveTextEditor(() => { void status.update(); void decorations.update(); }),
    vscode.languages.onDidChangeDiagnostics(() => void decorations.update()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mergewise.quadrantDecorations')) void decorations.update();
    }),
  );
  void status.update();
  void decorations.update();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** The status bar item: the dialect and the sample recipient that inlay hints show; click to switch. */
class RecipientStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mergewise.recipient', vscode.StatusBarAlignment.Right, 100);

  constructor(private readonly client: LanguageClient) {
    this.item.name = 'Mergewise sample recipient';
    this.item.command = 'mergewise.selectRecipient';
  }

  async update(): Promise<void> {
    const info = await this.info();
    if (!info?.dialect) {
      this.item.hide();
      return;
    }
    const dialect = info.dialect.label.replace(/ \(.*\)$/, '');
    const through = info.shownThrough ? ` via ${info.shownThrough.split('/').pop()}` : '';
    this.item.text = info.active ? `$(person) ${info.active}${through} · ${dialect}` : `$(person) no sample recipient · ${dialect}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**Mergewise**: inline previews show what **${info.active ?? 'nobody'}** sees` +
      // A partial's values depend on the template that includes it.
      (info.shownThrough ? ` through **${info.shownThrough}**, which includes this file (the template last opened or hovered, else the first).\n\n` : '.\n\n') +
      `Dialect: ${info.dialect.label} (by ${info.dialect.reason}).\n\n` +
      // The template's fallback, blank and stale shares from mergewise.audience.json, when there is one.
      (info.audience ? `${coverageTooltip(info.audience)}\n\n` : '') +
      'Click to switch the sample recipient.');
    this.item.show();
  }

  async pick(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const info = await this.info();
    if (!editor || !info) return;
    if (info.recipients.length === 0) {
      void vscode.window.showInformationMessage('Mergewise: no sample recipients. Add "recipients": ["recipients/*.json"] to mergewise.json and create a JSON file per recipient.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      info.recipients.map((r) => ({
        label: r.name,
        description: [r.jurisdiction, vscode.workspace.asRelativePath(r.file)].filter(Boolean).join(' · '),
        picked: r.name === info.active,
      })),
      { title: 'Mergewise: sample recipient for inline previews' });
    if (!picked) return;
    await this.client.sendRequest(SET_RECIPIENT_REQUEST, { uri: editor.document.uri.toString(), name: picked.label });
    await this.update();
  }

  dispose(): void {
    this.item.dispose();
  }

  private async info(): Promise<DocumentInfo | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    try {
      return await this.client.sendRequest<DocumentInfo>(DOCUMENT_INFO_REQUEST, { uri: editor.document.uri.toString() });
    } catch {
      return undefined; // The server is restarting; the next editor change updates the item.
    }
  }
}

/** One decoration per quadrant: a coloured underline and a mark in the overview ruler. */
class QuadrantDecorations implements vscode.Disposable {
  private readonly types = new Map<QuadrantId, vscode.TextEditorDecorationType>();

  constructor(private readonly client: LanguageClient) {
    for (const [quadrant, style] of Object.entries(QUADRANTS) as [QuadrantId, QuadrantInfo][]) {
      this.types.set(quadrant, vscode.window.createTextEditorDecorationType({
        textDecoration: `underline ${quadrant === 'unexpected-unhelpful' ? 'wavy' : 'dotted'} ${style.color}`,
        overviewRulerColor: style.color,
        overviewRulerLane: vscode.OverviewRulerLane.Left,
      }));
    }
  }

  async update(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const enabled = vscode.workspace.getConfiguration('mergewise').get<boolean>('quadrantDecorations.enabled', true);
    let entries: QuadrantEntry[] = [];
    if (enabled) {
      try {
        entries = await this.client.sendRequest<QuadrantEntry[]>(QUADRANTS_REQUEST, { uri: editor.document.uri.toString() });
      } catch {
        entries = [];
      }
    }
    for (const [quadrant, type] of this.types) {
      editor.setDecorations(type, entries.filter((e) => e.quadrant === quadrant).map((e) => ({
        range: new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character),
        hoverMessage: `Quadrant: **${e.name}** (${QUADRANTS[quadrant].axes.toLowerCase()})`,
      })));
    }
  }

  dispose(): void {
    for (const type of this.types.values()) type.dispose();
  }
}

async function showQuadrants(languageClient: LanguageClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Mergewise: open a template to see its personalization quadrants.');
    return;
  }
  const entries = await languageClient.sendRequest<QuadrantEntry[]>(QUADRANTS_REQUEST, { uri: editor.document.uri.toString() });
  const panel = vscode.window.createWebviewPanel('mergewise.quadrants', `Quadrants: ${path.basename(editor.document.fileName)}`,
    vscode.ViewColumn.Beside, { enableScripts: false });
  panel.webview.html = quadrantsHtml(path.basename(editor.document.fileName), entries);
}
