/**
 * `mergewise lsp`: the command line starts the same language server as `dist/server.js`, over stdio,
 * for editors other than VS Code. Runs the bundles (`npm run build` first; `npm test` does).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  createProtocolConnection, DidOpenTextDocumentNotification, ExitNotification, InitializedNotification,
  InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
  type InitializeResult, type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { cli, removeWorkspace, workspace } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

const SCHEMA = JSON.stringify({ fields: { 'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' } } });

const made: string[] = [];
after(() => made.forEach(removeWorkspace));

/** A hang must fail the test, not the suite. */
function within<T>(promise: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts `node dist/cli.js ARGS` and talks LSP to it over its stdin and stdout. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += String(chunk); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  return { child, connection, exited, stderr: () => stderr };
}

describe('mergewise lsp', () => {
  for (const args of [['lsp'], ['lsp', '--stdio']]) {
    test(`\`mergewise ${args.join(' ')}\` answers initialize over stdio, checks a template, and exits when told to`, async () => {
      const dir = workspace({ 'mergewise.json': SCHEMA, 'emails/hi.liquid': 'Hi {{ customer.frist_name }}\n' });
      made.push(dir);
      const server = startCli(args);
      try {
        const result: InitializeResult = await within(server.connection.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          rootUri: URI.file(dir).toString(),
          workspaceFolders: [{ uri: URI.file(dir).toString(), name: 'emails' }],
          capabilities: {},
        }), 'initialize');
        assert.equal(result.serverInfo?.name, 'mergewise', server.stderr());
        assert.ok(result.capabilities.hoverProvider, 'the server offers hover');
        assert.ok(result.capabilities.completionProvider, 'the server offers completion');
        await server.connection.sendNotification(InitializedNotification.type, {});

        const file = path.join(dir, 'emails', 'hi.liquid');
        const uri = URI.file(file).toString();
        const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) => {
          server.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
            if (params.uri === uri && params.diagnostics.length > 0) resolve(params);
          });
        });
        await server.connection.sendNotification(DidOpenTextDocumentNotification.type, {
          textDocument: { uri, languageId: 'liquid', version: 1, text: fs.readFileSync(file, 'utf8') },
        });
        const published = await within(diagnostics, 'diagnostics for the opened template');
        assert.ok(published.diagnostics.some((d) => d.code === 'unknown-field'), JSON.stringify(published.diagnostics));

        await within(server.connection.sendRequest(ShutdownRequest.type), 'shutdown');
        await server.connection.sendNotification(ExitNotification.type);
        const { code, signal } = await within(server.exited, 'the server process to exit');
        assert.deepEqual({ code, signal }, { code: 0, signal: null }, server.stderr());
        assert.equal(server.stderr(), '', 'nothing on stderr');
      } finally {
        server.connection.dispose();
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill();
      }
    });
  }

  test('a transport other than stdio is passed on to the server', async () => {
    // With --socket=PORT, vscode-languageserver connects to a client listening on that port.
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const child = spawn(process.execPath, [CLI, 'lsp', `--socket=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += String(chunk); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let socket: net.Socket | undefined;
    try {
      socket = await within(accepted, 'the server to connect to the socket');
      const connection = createProtocolConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
      connection.listen();
      const result: InitializeResult = await within(connection.sendRequest(InitializeRequest.type, {
        processId: process.pid, rootUri: null, capabilities: {},
      }), 'initialize over the socket');
      assert.equal(result.serverInfo?.name, 'mergewise', stderr);
      await within(connection.sendRequest(ShutdownRequest.type), 'shutdown');
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await within(exited, 'the server process to exit'), 0, stderr);
      connection.dispose();
    } finally {
      socket?.destroy();
      listener.close();
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }
  });

  test('an unknown option is a usage error (exit 2) that names it', () => {
    const run = cli(['lsp', '--verbose'], ROOT);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /lsp takes --stdio .*not "--verbose"/);
  });

  test('the usage names the lsp command', () => {
    const run = cli(['--help'], ROOT);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /mergewise lsp/);
  });

  test('both bundles named in package.json "bin" start with a node shebang', () => {
    const bin = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin as Record<string, string>;
    assert.deepEqual(Object.keys(bin).sort(), ['mergewise', 'mergewise-language-server']);
    for (const [name, file] of Object.entries(bin)) {
      const head = fs.readFileSync(path.join(ROOT, file), 'utf8').slice(0, 40);
      assert.ok(head.startsWith('#!/usr/bin/env node\n'), `${name} (${file}) starts with "${head.split('\n')[0]}"`);
    }
  });
});
