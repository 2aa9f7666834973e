#!/usr/bin/env node
import * as path from 'node:path';
import { runCli } from './main';

// `mergewise preview … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stdoutBytes: (bytes) => process.stdout.write(bytes),
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
