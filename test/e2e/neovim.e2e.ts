/**
 * End to end in a second real editor: the bundled language server (dist/server.js, made by
 * `npm run build`) driven by Neovim's own LSP client, headless, on a copy of examples/ in a temporary
 * folder. Debian 12's `neovim` package (0.7.2) is what CI installs; later versions work too.
 *
 * The session itself is test/e2e/neovim/session.lua: it does what a user does (opens a draft, hovers,
 * types `{{ customer.` and omni-completes, applies a quick fix, pushes settings, changes mergewise.json
 * on disk, stops the client) and reads what the user would see. It writes what it saw to a JSON file
 * after every step and exits with `cquit N`, N being the first step that failed (0 if none). This file
 * starts it isolated from the user's Neovim setup, with a hang timeout, and asserts on that JSON and
 * on Neovim's LSP log. When something fails, the JSON, the log and Neovim's output are left in
 * test-results/e2e/neovim/.
 *
 * Run alone with `npm run build && node --import tsx --test --test-reporter=spec test/e2e/neovim.e2e.ts`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '../..');
const SERVER = path.join(REPO, 'dist', 'server.js');
const SESSION = path.join(__dirname, 'neovim', 'session.lua');
const RESULTS = path.join(REPO, 'test-results', 'e2e', 'neovim');
const NVIM = process.env.MERGEWISE_NVIM ?? 'nvim';
/** The whole session takes a few seconds; only a hang comes near this. */
const HANG_TIMEOUT_MS = 180_000;
/** Each step's own wait, inside the session. */
const STEP_TIMEOUT_MS = 30_000;

interface Step {
  id: string;
  name: string;
  ok: boolean;
  error?: string;
  [detail: string]: unknown;
}

interface Session {
  nvim: string;
  log_path: string;
  steps: Step[];
  server_pid?: number;
  messages?: string;
  script_error?: string;
}

/** The session's steps, in order, and what each checks. */
const STEPS: [id: string, title: string][] = [
  ['start', 'starts the server with vim.lsp.start_client and opens a draft'],
  ['diagnostics', 'shows the missing fallback in the draft (vim.diagnostic.get)'],
  ['hover', 'shows the field\'s documentation in the hover window'],
  ['completion', 'completes `{{ customer.` with <C-x><C-o> into `{{ customer.first_name…`, without repeating the prefix'],
  ['settings', 'applies settings pushed with workspace/didChangeConfiguration (a rule turned off)'],
  ['quickfix', 'applies the "Add fallback" quick fix through vim.lsp.buf.code_action()'],
  ['schema-on-disk', 'reports a field renamed in mergewise.json on disk, without reopening the template'],
  ['shutdown', 'stops the client; the server exits with code 0'],
];

let tmp: string;
let xdg: string;
let outcome: { code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; output: string } | undefined;
let session: Session | undefined;
let failures = 0;

function readSession(file: string): Session | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Session;
}

function lspLog(): string {
  const file = session?.log_path ?? path.join(xdg, 'cache', 'nvim', 'lsp.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a failing assertion should show: the step's own record, without the noise. */
function details(step: Step): string {
  const { id: _id, name: _name, ok: _ok, ...rest } = step;
  return JSON.stringify(rest, null, 2);
}

describe('Mergewise in Neovim (headless, its built-in LSP client)', { timeout: HANG_TIMEOUT_MS + 60_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(SERVER), `${SERVER} is missing: run npm run build (npm run test:e2e does)`);
    const version = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });
    assert.ok(!version.error && version.status === 0, `Neovim (${NVIM}) does not run: apt-get install neovim (${version.error?.message ?? version.stderr})`);

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-neovim-'));
    const workspace = path.join(tmp, 'examples');
    fs.cpSync(path.join(REPO, 'examples'), workspace, { recursive: true });
    // Neovim reads no configuration, plugins or state of the user's, and logs into this folder.
    xdg = path.join(tmp, 'xdg');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_DATA_HOME: path.join(xdg, 'data'),
      XDG_STATE_HOME: path.join(xdg, 'state'),
      XDG_CACHE_HOME: path.join(xdg, 'cache'),
      MERGEWISE_SERVER_CMD: JSON.stringify([process.execPath, SERVER, '--stdio']),
      MERGEWISE_WORKSPACE: workspace,
      MERGEWISE_RESULT: path.join(tmp, 'session.json'),
      MERGEWISE_STEP_TIMEOUT: String(STEP_TIMEOUT_MS),
    };
    for (const dir of ['config', 'data', 'state', 'cache']) fs.mkdirSync(path.join(xdg, dir), { recursive: true });

    outcome = await new Promise((resolve) => {
      const nvim = spawn(NVIM, ['--headless', '--clean', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${SESSION}`], {
        cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      nvim.stdout.on('data', (chunk) => { output += String(chunk); });
      nvim.stderr.on('data', (chunk) => { output += String(chunk); });
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; nvim.kill('SIGKILL'); }, HANG_TIMEOUT_MS);
      nvim.on('error', (error) => { clearTimeout(timer); resolve({ code: null, signal: null, timedOut, output: `${output}\n${error.message}` }); });
      nvim.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, timedOut, output }); });
    });
    session = readSession(env.MERGEWISE_RESULT!);
  });

  after(() => {
    // A session killed by the hang timeout leaves its server behind.
    if (session?.server_pid && isRunning(session.server_pid)) process.kill(session.server_pid, 'SIGKILL');
    if (failures > 0 && tmp) {
      fs.rmSync(RESULTS, { recursive: true, force: true });
      fs.mkdirSync(RESULTS, { recursive: true });
      const saved = path.join(tmp, 'session.json');
      if (fs.existsSync(saved)) fs.copyFileSync(saved, path.join(RESULTS, 'session.json'));
      fs.writeFileSync(path.join(RESULTS, 'lsp.log'), lspLog());
      fs.writeFileSync(path.join(RESULTS, 'nvim-output.txt'), outcome?.output ?? '');
      process.stderr.write(`neovim e2e: the session's record, Neovim's LSP log and its output are in ${path.relative(REPO, RESULTS)}/\n`);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A test that counts its failure, so that the evidence is kept. */
  function check(title: string, body: () => void): void {
    it(title, () => {
      try {
        body();
      } catch (error) {
        failures++;
        throw error;
      }
    });
  }

  check('Neovim runs the session to its end, and its exit code names the first failed step', () => {
    assert.ok(outcome, 'Neovim did not start');
    assert.ok(!outcome.timedOut, `Neovim hung: killed after ${HANG_TIMEOUT_MS / 1000} s during step "${session?.steps.at(-1)?.name ?? '(none)'}"`);
    assert.ok(session, `Neovim wrote no result (exit code ${outcome.code}): ${outcome.output}`);
    assert.equal(session.script_error, undefined, `the session script failed: ${session.script_error}`);
    assert.deepEqual(session.steps.map((s) => s.id), STEPS.map(([id]) => id), 'every step ran');
    const firstFailed = session.steps.findIndex((s) => !s.ok);
    assert.equal(outcome.code, firstFailed + 1, `cquit code ${outcome.code}; the steps: ${session.steps.map((s) => `${s.id} ${s.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
  });

  STEPS.forEach(([id, title], index) => {
    check(`${index + 1}. ${title}`, () => {
      const step = session?.steps.find((s) => s.id === id);
      assert.ok(step, `not run${session ? '' : ': Neovim wrote no result'}`);
      assert.ok(step.ok, `${step.name}: ${step.error}\n${details(step)}`);
    });
  });

  check('the server process is gone once Neovim has exited', () => {
    assert.ok(session?.server_pid, 'the session did not record the server\'s process id');
    assert.ok(!isRunning(session.server_pid), `the server (pid ${session.server_pid}) is still running`);
  });

  check('Neovim\'s LSP log has no warnings or errors', () => {
    assert.ok(session, 'Neovim wrote no result');
    assert.ok(session.log_path.startsWith(xdg), `the log is in the temporary XDG_CACHE_HOME: ${session.log_path}`);
    // Each entry starts with its level: [WARN][2024-01-01 12:00:00] ..., the server's stderr as [ERROR].
    const problems = lspLog().split('\n').filter((line) => /^\[(WARN|ERROR)\]/.test(line));
    assert.deepEqual(problems, [], `Neovim logged:\n${problems.join('\n')}`);
  });
});
