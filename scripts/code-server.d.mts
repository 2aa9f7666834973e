// Types for scripts/code-server.mjs, so that the TypeScript end-to-end test can import it.

export const CODE_SERVER_VERSION: string;
export const CODE_SERVER_PACKAGES: string[];
export const BROWSER_PACKAGES: string[];
export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
export const REPO: string;
export const DEFAULT_SETTINGS: Record<string, unknown>;

export function cacheDir(): string;
export function installDir(): string;
export function codeServerBin(): string;
export function isInstalled(): boolean;
export function missingPackages(packages: string[]): string[];
export function ensurePackages(packages: string[]): void;
export function installCodeServer(options?: { force?: boolean }): string;
export function freePort(preferred?: number): Promise<number>;

export interface StartOptions {
  /** The extension to install into a fresh extensions folder. */
  vsix: string;
  /** The folder to open. */
  workspace: string;
  /** Holds the extensions folder, the user data folder (settings, logs) and code-server's config. */
  dataDir: string;
  /** Preferred port; a free one is taken when it is busy or not given. */
  port?: number;
  /** User settings on top of DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** More code-server arguments, e.g. ['--log', 'trace']. */
  args?: string[];
  /** Where code-server's own output goes. */
  logFile?: string;
}

export interface RunningCodeServer {
  port: number;
  url: string;
  /** The workbench with `workspace` open. */
  workspaceUrl: string;
  extensionsDir: string;
  userDataDir: string;
  /** VS Code's logs, including the extension host's and each extension's output channel. */
  logsDir: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export function startCodeServer(options: StartOptions): Promise<RunningCodeServer>;
