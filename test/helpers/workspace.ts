import * as fs from 'node:fs';
import { after } from 'node:test';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { NOW } from './schema';

/** A temporary folder with the given files (paths relative to it, `/`-separated). */
export function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-test-'));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, ...file.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

export function removeWorkspace(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A `workspace` maker for one test file: every folder it makes is removed after the file's tests. */
export function workspacesRemovedAfter(): (files: Record<string, string | Buffer>) => string {
  const made: string[] = [];
  after(() => made.forEach(removeWorkspace));
  return (files) => {
    const dir = workspace(files);
    made.push(dir);
    return dir;
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in-process, as `mergewise ARGS` in `cwd`, without color. */
export function cli(args: string[], cwd: string): CliRun {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    cwd,
    color: false,
    now: NOW,
  });
  if (typeof code !== 'number') throw new Error(`mergewise ${args[0]} answers asynchronously: run it with cliAsync`);
  return { code, stdout, stderr };
}
