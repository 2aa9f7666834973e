#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemReason } from './fix';
import { runCli } from './main';

const stdoutFile = stdoutFileAtStart();

// `mergewise preview … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  cannotWriteStdout(error);
});

/**
 * Into a file, stdout is written here, whole: Node's stream ignores a short write (a disk filling
 * up), which would cut the report off without a word.
 */
function writeStdout(data: string | Uint8Array): void {
  if (stdoutFile === undefined) {
    process.stdout.write(data);
    return;
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    for (let at = 0; at < bytes.length;) at += fs.writeSync(1, bytes, at, bytes.length - at);
  } catch (error) {
    cannotWriteStdout(error as NodeJS.ErrnoException);
  }
}

/**
 * A full disk, say: the report is cut off. Exit code 1 would read as findings, and half a SARIF
 * file would be uploaded as if whole, so what this run wrote to the file is taken back.
 */
function cannotWriteStdout(error: NodeJS.ErrnoException): never {
  let removed = false;
  if (stdoutFile?.ownLines) {
    try {
      fs.ftruncateSync(1, stdoutFile.size);
      removed = true;
    } catch {
      // The message still says the report is incomplete.
    }
  }
  process.stderr.write(`mergewise: cannot write standard output: ${systemReason(error)}; the report is incomplete${removed ? ', and what was written of it is removed' : ''}.\n`);
  process.exit(2);
}

const exitCode = runCli(process.argv.slice(2), {
  stdout: writeStdout,
  stdoutBytes: writeStdout,
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  // `mergewise lsp`: the server is its own bundle beside this one (dist/server.js). It reads its
  // transport from process.argv, as it does when an editor starts it directly.
  startLanguageServer: (args) => {
    const server = path.join(__dirname, 'server.js');
    process.argv = [process.argv[0], server, ...args];
    require(server);
  },
});
if (typeof exitCode === 'number') process.exitCode = exitCode;
else {
  exitCode.then((code) => { process.exitCode = code; }, (error: unknown) => {
    // A worker thread that stopped, or a bug: said in one line, exit code 2, and nothing half-written
    // (reports are written once the run is done).
    process.stderr.write(`mergewise: ${error instanceof Error ? error.message : String(error)}. Please report this.\n`);
    process.exitCode = 2;
  });
}

/**
 * The file stdout goes to (`> report.sarif`, or `>>`) and its size before this run, or undefined
 * when it is not a file. `ownLines`: stderr goes elsewhere, so every line after `size` is the report's.
 */
function stdoutFileAtStart(): { size: number; ownLines: boolean } | undefined {
  try {
    const out = fs.fstatSync(1);
    if (!out.isFile()) return undefined;
    const err = fs.fstatSync(2);
    return { size: out.size, ownLines: err.dev !== out.dev || err.ino !== out.ino };
  } catch {
    return undefined;
  }
}
