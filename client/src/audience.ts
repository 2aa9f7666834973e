/**
 * "Mergewise: Measure audience coverage…": picks an audience export, runs `mergewise audience
 * --snapshot` on it in a child process (see audience-measure.ts for why), with a cancellable
 * progress notification. Cancelling stops the child; the command line writes atomically, so nothing
 * is left half written. The language server sees the new mergewise.audience.json through its file
 * watcher.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AUDIENCE_FILE_FILTERS, DUCKDB_PACKAGE, findDuckdb, INSTALL_DUCKDB, keepTail, measureOutcome, measureProcess } from './audience-measure';

export function registerMeasureAudience(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('mergewise.measureAudience', () => measureAudience(context));
}

async function measureAudience(context: vscode.ExtensionContext): Promise<void> {
  const schemaFile = await pickSchema();
  if (!schemaFile) return;
  const schemaDir = path.dirname(schemaFile);
  const nodeModules = findDuckdb([schemaDir, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), context.extensionPath], fs.existsSync);
  if (!nodeModules) {
    const copy = 'Copy the command';
    const answer = await vscode.window.showErrorMessage(
      `Measuring audience coverage needs DuckDB, which the extension does not ship (it is native). Run \`${INSTALL_DUCKDB}\` in ${vscode.workspace.asRelativePath(schemaDir) || schemaDir}, then measure again.`,
      copy);
    if (answer === copy) await vscode.env.clipboard.writeText(INSTALL_DUCKDB);
    return;
  }
  const picked = await vscode.window.showOpenDialog({
    title: 'Mergewise: the audience export to measure (read on this machine; only counts are written)',
    canSelectMany: false,
    defaultUri: vscode.Uri.file(schemaDir),
    filters: AUDIENCE_FILE_FILTERS,
  });
  const dataFile = picked?.[0]?.fsPath;
  if (!dataFile) return;
  const child = measureProcess({
    nodeExecutable: process.execPath,
    cliBundle: context.asAbsolutePath(path.join('dist', 'cli.js')),
    dataFile,
    schemaDir,
    duckdbEntry: require.resolve(DUCKDB_PACKAGE, { paths: [path.dirname(nodeModules)] }),
    env: process.env,
  });
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Mergewise: measuring audience coverage of ${path.basename(dataFile)}`, cancellable: true },
    (_progress, token) => new Promise<ReturnType<typeof measureOutcome>>((resolve) => {
      let stderr = '';
      let cancelled = false;
      const running = spawn(child.command, child.args, { cwd: child.cwd, env: child.env, stdio: ['ignore', 'ignore', 'pipe'] });
      running.stderr.setEncoding('utf8');
      running.stderr.on('data', (chunk: string) => { stderr = keepTail(stderr, chunk); });
      let forced: NodeJS.Timeout | undefined;
      const onCancel = token.onCancellationRequested(() => {
        cancelled = true;
        // As Ctrl-C: the command line interrupts DuckDB and writes nothing; stopped outright if it lingers.
        running.kill('SIGINT');
        forced = setTimeout(() => running.kill('SIGKILL'), 5000);
      });
      running.on('error', (error) => {
        onCancel.dispose();
        resolve({ kind: 'failed', message: `Mergewise could not start the measurement: ${error.message}` });
      });
      running.on('close', (code, signal) => {
        onCancel.dispose();
        if (forced) clearTimeout(forced);
        resolve(measureOutcome(code, signal, stderr, cancelled));
      });
    }));
  if (outcome.kind === 'failed') void vscode.window.showErrorMessage(outcome.message);
  else void vscode.window.showInformationMessage(outcome.message);
}

/** The mergewise.json to measure for: the active editor's (nearest above it), else the workspace's one, else picked. */
async function pickSchema(): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    let dir = path.dirname(active.fsPath);
    for (;;) {
      const candidate = path.join(dir, 'mergewise.json');
      if (fs.existsSync(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  const found = await vscode.workspace.findFiles('**/mergewise.json', '**/node_modules/**', 20);
  if (found.length === 0) {
    void vscode.window.showErrorMessage('Mergewise: no mergewise.json in this workspace: the fields to measure come from it. Create one first (mergewise init).');
    return undefined;
  }
  if (found.length === 1) return found[0].fsPath;
  const picked = await vscode.window.showQuickPick(found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { title: 'Mergewise: measure the audience for which mergewise.json?' });
  return picked?.uri.fsPath;
}
