#!/usr/bin/env node
/**
 * VS Code for the Web (code-server 4.100.3, the last release that runs on Node 20), installed from
 * the npm registry into a cache folder outside the repository, and started with the Mergewise
 * extension installed from its .vsix.
 *
 *   node scripts/code-server.mjs install   install code-server (and its Debian packages) unless cached
 *   node scripts/code-server.mjs path      print the code-server executable
 *   node scripts/code-server.mjs demo      package, install, and serve examples/ until Ctrl+C (npm start)
 *
 * The install follows shared notes on this kind of machine: code-server's own postinstall downloads
 * ripgrep from GitHub, which fails without internet, so its steps are done here by hand with the
 * Debian ripgrep instead (see node_modules/code-server/postinstall.sh, the reference).
 *
 * Environment: MERGEWISE_CACHE (default ~/.cache/mergewise) holds the install; MERGEWISE_CODE_SERVER
 * points at an existing code-server executable to use instead; MERGEWISE_PORT picks the demo's port.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** Debian packages: the native `kerberos` module needs libkrb5-dev, VS Code's search needs rg. */
export const CODE_SERVER_PACKAGES = ['libkrb5-dev', 'ripgrep', 'python3', 'make', 'g++'];
/** Debian packages the end-to-end test needs besides code-server's. */
export const BROWSER_PACKAGES = ['chromium'];
export const CHROMIUM = '/usr/bin/chromium';
/** Chromium flags that work on these machines (closed network, root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function cacheDir() {
  return process.env.MERGEWISE_CACHE || path.join(os.homedir(), '.cache', 'mergewise');
}

export function installDir() {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

/** The code-server executable: MERGEWISE_CODE_SERVER, else the cached install (which may not exist yet). */
export function codeServerBin() {
  return process.env.MERGEWISE_CODE_SERVER || path.join(installDir(), 'node_modules', '.bin', 'code-server');
}

const MARKER = '.mergewise-installed';

export function isInstalled() {
  if (process.env.MERGEWISE_CODE_SERVER) return fs.existsSync(process.env.MERGEWISE_CODE_SERVER);
  return fs.existsSync(path.join(installDir(), MARKER)) && fs.existsSync(codeServerBin());
}

function log(message) {
  process.stderr.write(`[code-server] ${message}\n`);
}

function run(command, args, options = {}) {
  const where = options.cwd ? ` (in ${path.relative(cacheDir(), options.cwd) || '.'})` : '';
  log(`$ ${command} ${args.join(' ')}${where}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options, env: { ...process.env, ...options.env } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** Debian packages among `packages` that are not installed. */
export function missingPackages(packages) {
  return packages.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

/** Installs missing Debian packages with apt-get (as root), or says which command to run. */
export function ensurePackages(packages) {
  const missing = missingPackages(packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}

/**
 * Installs code-server into the cache unless it is there already. Builds in a scratch folder and
 * renames it into place when complete, so an interrupted install is never taken for a finished one.
 */
export function installCodeServer({ force = false } = {}) {
  if (!force && isInstalled()) {
    log(`cached: ${codeServerBin()}`);
    return codeServerBin();
  }
  if (process.env.MERGEWISE_CODE_SERVER) throw new Error(`MERGEWISE_CODE_SERVER=${process.env.MERGEWISE_CODE_SERVER} does not exist`);
  ensurePackages(CODE_SERVER_PACKAGES);
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node.js 20; this is ${process.version}`);

  const started = Date.now();
  const target = installDir();
  const scratch = `${target}.partial-${process.pid}`;
  removeStalePartials(target);
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'mergewise-code-server', private: true }, null, 2));
  // No lifecycle scripts run from these installs (--ignore-scripts), so root needs no unsafe-perm.
  const npmEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npm = (cwd, ...args) => run('npm', args, { cwd, env: npmEnv });

  // 1. code-server itself, without its postinstall (which downloads ripgrep from GitHub).
  npm(scratch, 'install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-save');
  const pkg = path.join(scratch, 'node_modules', 'code-server');
  const vscode = path.join(pkg, 'lib', 'vscode');
  // 2. What postinstall.sh does: VS Code's own dependencies, then build its native modules.
  npm(vscode, 'install', '--omit=dev', '--ignore-scripts');
  // (The notes name @vscode/native-watchdog; VS Code 1.100 depends on plain native-watchdog.)
  run('npm', ['rebuild', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/native-watchdog', 'native-watchdog'],
    { cwd: vscode, env: { ...npmEnv, npm_config_yes: 'true' } });
  // 3. ripgrep from Debian where @vscode/ripgrep would have downloaded its binary.
  const rgDir = path.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgDir, { recursive: true });
  fs.rmSync(path.join(rgDir, 'rg'), { force: true });
  fs.symlinkSync(whichRg(), path.join(rgDir, 'rg'));
  // 4. postinstall.sh's symlinks: the asar folder and the two bin scripts.
  symlink('node_modules', path.join(vscode, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscode, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscode, 'bin', 'helpers', 'browser.sh'));
  // 5. The built-in extensions' dependencies.
  npm(path.join(vscode, 'extensions'), 'install', '--omit=dev', '--ignore-scripts');
  // 6. code-server's password hashing (native), at the top.
  npm(scratch, 'rebuild', 'argon2');

  fs.writeFileSync(path.join(scratch, MARKER), `code-server ${CODE_SERVER_VERSION} installed ${new Date().toISOString()}\n`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(scratch, target);
  // The .bin links are relative, so they survive the rename; check that it starts.
  const version = spawnSync(codeServerBin(), ['--config', path.join(target, 'config.yaml'), '--version'], { encoding: 'utf8' });
  const line = version.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+/.test(l));
  if (version.status !== 0 || !line) throw new Error(`code-server does not start: ${version.stderr || version.stdout}`);
  log(`installed code-server ${line} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${codeServerBin()}`);
  return codeServerBin();
}

/** Scratch folders of installs that were interrupted (their process is gone). */
function removeStalePartials(target) {
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const match = name.startsWith(`${path.basename(target)}.partial-`) && /\.partial-(\d+)$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    let alive = pid !== process.pid;
    try { if (alive) process.kill(pid, 0); } catch { alive = false; }
    if (!alive) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

function whichRg() {
  for (const candidate of ['/usr/bin/rg', '/usr/local/bin/rg']) if (fs.existsSync(candidate)) return candidate;
  throw new Error('ripgrep (rg) not found: apt-get install ripgrep');
}

function symlink(source, dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.symlinkSync(source, dest);
}

/** A TCP port free on 127.0.0.1 right now (preferred if given and free). */
export async function freePort(preferred = 0) {
  const tryPort = (port) => new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
  if (preferred) {
    const port = await tryPort(preferred);
    if (port) return port;
  }
  const port = await tryPort(0);
  if (!port) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** User settings for a clean, quiet editor with the Mergewise server's log turned up. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'editor.inlayHints.enabled': 'on',
  'editor.minimap.enabled': false,
  // The explorer's pinned folder rows cover the rows scrolled under them, where a test clicks.
  'workbench.tree.enableStickyScroll': false,
  'window.commandCenter': false,
  'mergewise.trace.server': 'verbose',
};

/**
 * Installs `vsix` into a fresh extensions folder and starts code-server on 127.0.0.1 (a free port)
 * with `workspace` open. Resolves once it answers; `stop()` ends it.
 *
 * @param {{ vsix: string, workspace: string, dataDir: string, port?: number, settings?: object, args?: string[], logFile?: string }} options
 */
export async function startCodeServer(options) {
  const bin = codeServerBin();
  if (!fs.existsSync(bin)) throw new Error(`code-server is not installed at ${bin}: run node scripts/code-server.mjs install`);
  const extensionsDir = path.join(options.dataDir, 'extensions');
  const userDataDir = path.join(options.dataDir, 'user-data');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));

  const env = { ...process.env };
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  // Its own config file, so that code-server does not write one with a password into ~/.config.
  const config = path.join(options.dataDir, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const install = spawnSync(bin, ['--config', config, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', options.vsix],
    { encoding: 'utf8', env });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
    throw new Error(`installing ${options.vsix} failed:\n${install.stdout}${install.stderr}`);
  }

  const port = await freePort(options.port ?? 0);
  const args = [
    '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust',
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, ...(options.args ?? []), options.workspace,
  ];
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  let output = '';
  const logStream = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  const collect = (chunk) => { output += chunk; logStream?.write(chunk); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited before it answered:\n${output}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      killTree(child);
      throw new Error(`code-server did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    port,
    url,
    workspaceUrl: `${url}?folder=${encodeURIComponent(options.workspace).replace(/%2F/g, '/')}`,
    extensionsDir,
    userDataDir,
    logsDir: path.join(userDataDir, 'logs'),
    output: () => output,
    exited: exitedPromise,
    async stop() {
      if (!exited) {
        killTree(child);
        await Promise.race([exitedPromise, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (!exited) killTree(child, 'SIGKILL');
      }
      logStream?.end();
    },
  };
}

function killTree(child, signal = 'SIGTERM') {
  try {
    process.kill(-child.pid, signal); // its process group: code-server forks the extension host and more
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

/** `npm start`: serve examples/ in VS Code for the Web with the freshly packaged extension. */
async function demo() {
  const vsix = path.join(REPO, 'mergewise.vsix');
  if (!fs.existsSync(vsix)) throw new Error('mergewise.vsix is missing: run npm run package first');
  installCodeServer();
  const dataDir = path.join(cacheDir(), 'demo');
  const server = await startCodeServer({
    vsix,
    workspace: path.join(REPO, 'examples'),
    dataDir,
    port: Number(process.env.MERGEWISE_PORT || 8080),
    logFile: path.join(dataDir, 'code-server.log'),
  });
  const bar = '-'.repeat(72);
  process.stdout.write([
    '', bar,
    `  Mergewise in VS Code for the Web: ${server.workspaceUrl}`,
    '',
    '  Open emails/drafts/loyalty-update.liquid in the explorer: the Problems panel (Ctrl+Shift+M),',
    '  hover a merge field, type {{ customer. to complete, click the sample recipient in the status bar,',
    '  and run "Mergewise: Preview" from the command palette (F1).',
    `  Server log: ${path.join(dataDir, 'code-server.log')}. Ctrl+C stops it.`,
    bar, '',
  ].join('\n'));
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { code, signal } = await server.exited;
  if (stopping) return;
  process.stderr.write(`code-server stopped (${signal ?? `exit code ${code}`}); its log: ${path.join(dataDir, 'code-server.log')}\n`);
  process.exit(code ?? 1);
}

async function main(argv) {
  const [command] = argv;
  switch (command) {
    case 'install':
      installCodeServer({ force: argv.includes('--force') });
      if (argv.includes('--with-browser')) ensurePackages(BROWSER_PACKAGES);
      return;
    case 'path':
      process.stdout.write(`${codeServerBin()}\n`);
      return;
    case 'demo':
      await demo();
      return;
    default:
      process.stderr.write('usage: node scripts/code-server.mjs install [--force] [--with-browser] | path | demo\n');
      process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
