/**
 * "Create mergewise.json from these templates": offered once per workspace when the server says a
 * template has no mergewise.json above it, and the command `mergewise.init`. The server proposes the
 * files (`mergewise/init`, the same run as `mergewise init`); they are created here through a
 * WorkspaceEdit that never replaces a file. With a mergewise.json already there, what init would add
 * is shown as a diff instead.
 */
import * as vscode from 'vscode';
import type { LanguageClient, StaticFeature } from 'vscode-languageclient/node';
import {
  INIT_AVAILABLE_NOTIFICATION, INIT_REQUEST, type InitAvailableParams, type InitParams, type InitResult,
} from '../../protocol/src/requests';
import { INIT_COMMAND, INIT_DISMISSED_KEY, INIT_TITLE, initOffer, initSummaryMessage } from './init-offer';

const PROPOSED_SCHEME = 'mergewise-init';

/** Tells the server this client offers init itself, so that it sends `mergewise/initAvailable` rather than its plain notice. */
export const initOfferFeature: StaticFeature = {
  fillClientCapabilities(capabilities) {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    capabilities.experimental = { ...experimental, mergewise: { ...(experimental.mergewise as object | undefined), initOffer: true } };
  },
  initialize() { /* nothing to set up */ },
  getState: () => ({ kind: 'static' }),
  clear() { /* nothing to clear */ },
};

export function registerInit(client: LanguageClient, context: vscode.ExtensionContext): vscode.Disposable[] {
  const proposed = new Map<string, string>();
  let offeredThisSession = false;
  const provider = vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, {
    provideTextDocumentContent: (uri) => proposed.get(uri.toString()) ?? '',
  });

  async function offer(params: InitAvailableParams): Promise<void> {
    const folder = vscode.Uri.parse(params.folder);
    const choice = initOffer({
      schemaExists: await exists(vscode.Uri.joinPath(folder, 'mergewise.json')),
      dismissed: context.workspaceState.get<boolean>(INIT_DISMISSED_KEY, false),
      offeredThisSession,
    });
    if (choice === 'nothing') return;
    offeredThisSession = true;
    if (choice === 'notice') {
      void vscode.window.showInformationMessage(params.message);
      return;
    }
    const picked = await vscode.window.showInformationMessage(
      `${params.message.replace(/ Create one in .*$/, '')} Mergewise can write a first one from the templates here.`,
      INIT_TITLE, "Don't ask again");
    if (picked === INIT_TITLE) await run(folder);
    else await context.workspaceState.update(INIT_DISMISSED_KEY, true);
  }

  async function run(given?: vscode.Uri): Promise<void> {
    const folder = given ?? folderToUse();
    if (!folder) {
      void vscode.window.showInformationMessage('Mergewise: open a folder with templates to create mergewise.json in.');
      return;
    }
    const params: InitParams = { folder: folder.toString() };
    let result: InitResult;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Mergewise: reading the templates' },
        () => client.sendRequest<InitResult>(INIT_REQUEST, params));
    } catch (error) {
      void vscode.window.showErrorMessage(`Mergewise could not propose a mergewise.json: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (result.error) {
      void vscode.window.showWarningMessage(`Mergewise: ${result.error}`);
      return;
    }
    if (result.existing) {
      await showExisting(result.existing);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const file of result.files) {
      // Never replaces a file: one that appeared since the server answered is left as it is.
      edit.createFile(vscode.Uri.parse(file.uri), { ignoreIfExists: true, contents: new TextEncoder().encode(file.text) });
    }
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage('Mergewise could not create mergewise.json.');
      return;
    }
    const schema = result.files.find((file) => file.path === 'mergewise.json');
    if (schema) await vscode.window.showTextDocument(vscode.Uri.parse(schema.uri));
    void vscode.window.showInformationMessage(initSummaryMessage(result, result.files.map((file) => file.path)));
  }

  async function showExisting(existing: NonNullable<InitResult['existing']>): Promise<void> {
    if (!existing.changed) {
      void vscode.window.showInformationMessage('Mergewise: mergewise.json already declares every field the templates use.');
      return;
    }
    const picked = await vscode.window.showInformationMessage(
      'Mergewise: mergewise.json already exists, and is never replaced. Show what init would add to it?', 'Show the changes');
    if (picked !== 'Show the changes') return;
    const target = vscode.Uri.parse(existing.uri);
    const uri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: target.path, query: String(Date.now()) });
    proposed.set(uri.toString(), existing.proposedText);
    await vscode.commands.executeCommand('vscode.diff', target, uri, 'mergewise.json ↔ with the fields init would add (mergewise init --merge)');
  }

  return [
    provider,
    client.onNotification(INIT_AVAILABLE_NOTIFICATION, (params: InitAvailableParams) => void offer(params)),
    vscode.commands.registerCommand(INIT_COMMAND, (folder?: vscode.Uri) => run(folder instanceof vscode.Uri ? folder : undefined)),
  ];
}

/** The active editor's workspace folder, else the first one. */
function folderToUse(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active && vscode.workspace.getWorkspaceFolder(active);
  if (folder) return folder.uri;
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
