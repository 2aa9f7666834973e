/// <reference types="mocha" />
/**
 * Helpers for the extension-host suite: it runs inside a real VS Code (downloaded by
 * @vscode/test-electron) with the workspace copy that .vscode-test.mjs made of examples/.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mergewise.mergewise';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder: run through `npm run test:electron` (.vscode-test.mjs opens one)');
  return folder.uri.fsPath;
}

export function exampleUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), ...segments));
}

export async function activate(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

export async function open(...segments: string[]): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(exampleUri(...segments));
  return vscode.window.showTextDocument(document);
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeout` ms. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export async function diagnosticWithCode(uri: vscode.Uri, code: string): Promise<vscode.Diagnostic> {
  return eventually(`a ${code} diagnostic on ${uri.fsPath}`,
    () => vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === code));
}

export function labelOf(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('');
}

export function completionLabel(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}
