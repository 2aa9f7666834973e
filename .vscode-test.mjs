// @vscode/test-cli configuration for the extension-host suite (`npm run test:electron`).
// It downloads VS Code (@vscode/test-electron), so it runs only where that download is possible;
// the end-to-end test in test/e2e/ covers the same ground in code-server where it is not.
// The suite edits files, so it works on a fresh copy of examples/ in a temporary folder.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-electron-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
const workspace = path.join(scratch, 'examples');
fs.cpSync(fileURLToPath(new URL('./examples', import.meta.url)), workspace, { recursive: true });

export default defineConfig({
  label: 'extension-host',
  files: 'out/electron/**/*.test.js',
  version: process.env.VSCODE_TEST_VERSION ?? 'stable',
  extensionDevelopmentPath: '.',
  workspaceFolder: workspace,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'tdd', timeout: 60_000 },
});
