/**
 * Drives the language server as an editor would, over the Language Server Protocol: no mocks. Two
 * modes, one API:
 * - the real, bundled server (dist/server.js, `npm run build` first) in its own process over stdio,
 *   the default: for what needs a process of its own (its memory, its stderr, a `--require`d
 *   preload, the preview's render worker beside the bundle) and for the end-to-end check of the
 *   bundle itself;
 * - `new LspTestClient({ inProcess: true })`: the server from its TypeScript sources, in the test's
 *   process, over two memory streams, made as main.ts makes it (connectServer, lsp/connect.ts). The
 *   same bytes on the wire, from the sources as they are (no build); a server starts in milliseconds
 *   rather than 0.2 s, once the sources are loaded (0.3 s, once per test file). But: no preview (the
 *   render worker exists only in dist/), `stderr` stays empty and `pid` undefined; `initialize`
 *   sends `processId: null` (the library would otherwise check every 3 s that this process lives,
 *   which keeps it alive) and `stop` never sends `exit` (the library ends the process on it).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import {
  createProtocolConnection, InitializeRequest, InitializedNotification, PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  StreamMessageReader, StreamMessageWriter, ShutdownRequest, ExitNotification,
  type ClientCapabilities, type ProtocolConnection, type PublishDiagnosticsParams, type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import type * as Connect from '../../server/src/lsp/connect';

export const SERVER = path.resolve(__dirname, '../../dist/server.js');

/** What VS Code 1.9x says it can do, as far as this server asks. */
export const VS_CODE_CAPABILITIES: ClientCapabilities = {
  workspace: { inlayHint: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: true } },
  window: { workDoneProgress: true },
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
  },
};

export interface LspTestClientOptions {
  /** The server from its sources, in this process, over memory streams, rather than dist/server.js in a process of its own. */
  inProcess?: boolean;
  /** Arguments for Node before the server's script (`--require` a preload, for instance): the process mode only. */
  nodeArgs?: string[];
}

/** The server's end of the wire, in either mode. */
interface ServerEnd {
  /** The server's input: what the client writes. */
  readonly input: Writable;
  /** The server's output: what the client reads. */
  readonly output: Readable;
  readonly pid: number | undefined;
  readonly inProcess: boolean;
  /** Ends the server, once it has answered `shutdown` (or could not). */
  end(): void;
}

/**
 * Turns of the event loop with nothing from an in-process server, after its answer to `shutdown`,
 * before its connection is disposed: what it had queued (publications one document per turn,
 * answers to its own requests) is done by then, rather than sent over a disposed connection, which
 * throws. The cap only stops a hang.
 */
const QUIET_TURNS = 10;
const MAX_SHUTDOWN_TURNS = 100_000;

export class LspTestClient {
  readonly connection: ProtocolConnection;
  private readonly server: ServerEnd;
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly publicationCounts = new Map<string, number>();
  private readonly waiters: { uri: string; test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly versions = new Map<string, number>();
  stderr = '';
  /** Every `window/showMessage` text the server sent. */
  readonly messages: string[] = [];
  /** Every `window/logMessage` text the server sent. */
  readonly logs: string[] = [];
  /** Every `$/progress` value the server sent. */
  readonly progress: { kind: string; message?: string; percentage?: number }[] = [];
  /** Every capability the server registered with `client/registerCapability`. */
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  private stopping = false;

  /** The bundled server in its own process unless `inProcess`; an array is `nodeArgs`, as before the in-process mode. */
  constructor(options: LspTestClientOptions | string[] = {}) {
    const { inProcess = false, nodeArgs = [] } = Array.isArray(options) ? { nodeArgs: options } : options;
    if (inProcess && nodeArgs.length > 0) throw new Error('nodeArgs need the server in a process of its own');
    this.server = inProcess ? inProcessServer() : this.serverProcess(nodeArgs);
    this.connection = createProtocolConnection(new StreamMessageReader(this.server.output), new StreamMessageWriter(this.server.input));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.latest.set(params.uri, params);
      this.publicationCounts.set(params.uri, (this.publicationCounts.get(params.uri) ?? 0) + 1);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.test(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    // No settings, as an editor with none for the section answers; a test may answer otherwise. A
    // refused request would reject in the server: the bundled one logs that (main.ts), but in-process
    // it fails the test file.
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
    this.connection.onNotification('window/showMessage', (params: { message: string }) => { this.messages.push(params.message); });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => { this.logs.push(params.message); });
    this.connection.onNotification('$/progress', (params: { value: { kind: string } }) => { this.progress.push(params.value); });
    this.connection.listen();
    this.server.output.on('data', (chunk: Buffer) => this.readRaw(chunk));
  }

  private serverProcess(nodeArgs: string[]): ServerEnd {
    const child = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (chunk) => { this.stderr += String(chunk); });
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.stderr += `\n[server exited: code ${code}, signal ${signal}]`;
    });
    return { input: child.stdin, output: child.stdout, pid: child.pid, inProcess: false, end: () => child.kill() };
  }

  private rawOutput = Buffer.alloc(0);
  /** Chunks of output read from the server so far: while it grows, the server is still at work. */
  private chunksRead = 0;
  private readonly rawResponses = new Map<string, RawResponse>();
  private readonly rawWaiters = new Map<string, (response: RawResponse) => void>();

  /**
   * Writes the messages to the server in a single write, as a client that is ahead of the server
   * would: the server reads them together, before it handles the first. Requests among them carry
   * string ids (`raw-…`), and their responses are read from the output beside the connection.
   */
  sendTogether(messages: object[]): void {
    this.server.input.write(Buffer.concat(messages.map((message) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    })));
  }

  /** The response to a request sent with `sendTogether`. */
  rawResponse(id: string): Promise<RawResponse> {
    const response = this.rawResponses.get(id);
    return response ? Promise.resolve(response) : new Promise((resolve) => this.rawWaiters.set(id, resolve));
  }

  private readRaw(chunk: Buffer): void {
    this.chunksRead++;
    this.rawOutput = Buffer.concat([this.rawOutput, chunk]);
    for (;;) {
      const headerEnd = this.rawOutput.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.rawOutput.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (this.rawOutput.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.rawOutput.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as RawResponse;
      this.rawOutput = this.rawOutput.subarray(headerEnd + 4 + length);
      if (typeof message.id === 'string' && message.id.startsWith('raw-') && !('method' in message)) {
        this.rawResponses.set(message.id, message);
        this.rawWaiters.get(message.id)?.(message);
      }
    }
  }

  /** The server's process id, to read its memory from /proc; undefined in-process (the server has no process of its own). */
  get pid(): number | undefined {
    return this.server.pid;
  }

  /** Initializes as VS Code would, unless other capabilities (those of another editor) are given. */
  async initialize(workspace: string, capabilities: ClientCapabilities = VS_CODE_CAPABILITIES, initializationOptions?: unknown): Promise<unknown> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      // The library checks every 3 s that the client's process lives: in-process, that timer would keep this process alive.
      processId: this.server.inProcess ? null : process.pid,
      rootUri: uri(workspace),
      workspaceFolders: [{ uri: uri(workspace), name: path.basename(workspace) }],
      capabilities,
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(filePath: string, text: string, languageId = 'liquid'): Promise<string> {
    const documentUri = uri(filePath);
    this.versions.set(documentUri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: documentUri, languageId, version: 1, text },
    });
    return documentUri;
  }

  async change(documentUri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(documentUri) ?? 1) + 1;
    this.versions.set(documentUri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: documentUri, version },
      contentChanges: changes,
    });
    return version;
  }

  async close(documentUri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: documentUri } });
  }

  /** The next diagnostics for `documentUri` that pass `test` (the latest already received counts); the timeout only stops a hang. */
  diagnostics(documentUri: string, test: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 60_000): Promise<PublishDiagnosticsParams> {
    const latest = this.latest.get(documentUri);
    if (latest && test(latest)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No matching diagnostics for ${documentUri} within ${timeoutMs} ms; last: ${JSON.stringify(this.latest.get(documentUri)?.diagnostics.map((d) => d.code))}\n${this.server.inProcess ? this.logs.join('\n') : this.stderr}`)), timeoutMs);
      this.waiters.push({ uri: documentUri, test, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** How many times diagnostics were published for the document so far. */
  publications(documentUri: string): number {
    return this.publicationCounts.get(documentUri) ?? 0;
  }

  /** Diagnostics published for exactly this version of the document. */
  diagnosticsForVersion(documentUri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.diagnostics(documentUri, (p) => p.version === version);
  }

  /**
   * `shutdown`, then `exit` to a server process; an in-process server gets no `exit` (it would end
   * this process): once it is quiet, both ends of the connection are disposed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      if (!this.server.inProcess) await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // Already gone.
    }
    if (this.server.inProcess) await this.untilQuiet();
    this.connection.dispose();
    this.server.end();
  }

  private async untilQuiet(): Promise<void> {
    let seen = this.chunksRead;
    for (let turn = 0, quiet = 0; quiet < QUIET_TURNS && turn < MAX_SHUTDOWN_TURNS; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.chunksRead === seen ? quiet + 1 : 0;
      seen = this.chunksRead;
    }
  }
}

/** The server made as main.ts makes it, over two memory streams; its sources are loaded on first use only. */
function inProcessServer(): ServerEnd {
  // Required here, not imported above: test files that run the bundled server do not compile the sources.
  const { connectServer } = require('../../server/src/lsp/connect') as typeof Connect;
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = connectServer(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  return { input: toServer, output: toClient, pid: undefined, inProcess: true, end: () => connection.dispose() };
}

export interface RawResponse {
  id: string;
  result?: unknown;
  error?: { code: number; message: string };
}

export function uri(filePath: string): string {
  return URI.file(filePath).toString();
}
