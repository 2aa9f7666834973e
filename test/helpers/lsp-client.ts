/**
 * Drives the real, bundled language server over stdio, as an editor would: no mocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection, InitializeRequest, InitializedNotification, PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  StreamMessageReader, StreamMessageWriter, ShutdownRequest, ExitNotification,
  type ClientCapabilities, type ProtocolConnection, type PublishDiagnosticsParams, type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';

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

export class LspTestClient {
  readonly connection: ProtocolConnection;
  private readonly process: ChildProcess;
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

  /** `nodeArgs` go to Node before the server's script (`--require` a preload, for instance). */
  constructor(nodeArgs: string[] = []) {
    this.process = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr?.on('data', (chunk) => { this.stderr += String(chunk); });
    this.process.on('exit', (code, signal) => {
      if (!this.stopping) this.stderr += `\n[server exited: code ${code}, signal ${signal}]`;
    });
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
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
    this.connection.onNotification('window/showMessage', (params: { message: string }) => { this.messages.push(params.message); });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => { this.logs.push(params.message); });
    this.connection.onNotification('$/progress', (params: { value: { kind: string } }) => { this.progress.push(params.value); });
    this.connection.listen();
    this.process.stdout!.on('data', (chunk: Buffer) => this.readRaw(chunk));
  }

  private rawOutput = Buffer.alloc(0);
  private readonly rawResponses = new Map<string, RawResponse>();
  private readonly rawWaiters = new Map<string, (response: RawResponse) => void>();

  /**
   * Writes the messages to the server in a single write, as a client that is ahead of the server
   * would: the server reads them together, before it handles the first. Requests among them carry
   * string ids (`raw-…`), and their responses are read from the output beside the connection.
   */
  sendTogether(messages: object[]): void {
    this.process.stdin!.write(Buffer.concat(messages.map((message) => {
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

  /** The server's process id, to read its memory from /proc. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Initializes as VS Code would, unless other capabilities (those of another editor) are given. */
  async initialize(workspace: string, capabilities: ClientCapabilities = VS_CODE_CAPABILITIES, initializationOptions?: unknown): Promise<unknown> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
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
      const timer = setTimeout(() => reject(new Error(`No matching diagnostics for ${documentUri} within ${timeoutMs} ms; last: ${JSON.stringify(this.latest.get(documentUri)?.diagnostics.map((d) => d.code))}\n${this.stderr}`)), timeoutMs);
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

  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // Already gone.
    }
    this.connection.dispose();
    this.process.kill();
  }
}

export interface RawResponse {
  id: string;
  result?: unknown;
  error?: { code: number; message: string };
}

export function uri(filePath: string): string {
  return URI.file(filePath).toString();
}
