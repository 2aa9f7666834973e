/**
 * Wires the LSP connection to the features. `startServer` takes its file system and clock as
 * dependencies, so tests drive the whole server without an editor.
 */
import * as path from 'node:path';
import {
  CodeActionKind, DidChangeConfigurationNotification, MessageType, ShowMessageNotification, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SCHEMA_FILE_NAME } from '../core/schema/load';
import { isTemplateFile, type WorkspaceFileSystem } from '../core/workspace';
import { toLspDiagnostic, uriToPath } from './convert';
import { codeActions, FIX_ALL_KIND } from './features/code-actions';
import { completion, COMPLETION_TRIGGERS, resolveCompletion } from './features/completion';
import { hover } from './features/hover';
import { inlayHints } from './features/inlay-hints';
import { definition, prepareRename, references, rename } from './features/navigation';
import { quadrants } from './features/quadrants';
import { DOCUMENT_INFO_REQUEST, QUADRANTS_REQUEST, SET_RECIPIENT_REQUEST, type DocumentInfo } from './protocol';
import { DEFAULT_SETTINGS, Project, type Settings } from './project';
import { registerPreview } from './preview/requests';

export interface ServerDependencies {
  fs: WorkspaceFileSystem;
  now?: () => Date;
}

/** The longest wait between a keystroke and its analysis while typing goes on. */
export const DEBOUNCE_MS = 120;
/** Analyses faster than this run on every keystroke: waiting would only add latency. */
const INSTANT_ANALYSIS_MS = 15;
/** More changes than this before one analysis is done means a burst (a paste, a script), not typing. */
const BURST_CHANGES = 3;
/**
 * A file is slow to analyse when each of its last three analyses was: one slow run (a garbage
 * collection, code not yet optimized) must not make the next keystrokes wait.
 */
const RECENT_COSTS = 3;
/** Files indexed between yields to the event loop during the workspace scan. */
const SCAN_BATCH = 25;

/**
 * How long to wait before analysing after a keystroke, given how long the file's recent analyses
 * took and how long ago the last one ran: none unless typing goes on in a file that is slow to analyse.
 */
export function analysisDelay(recentCosts: number[], msSinceLastAnalysis: number): number {
  const typing = msSinceLastAnalysis < DEBOUNCE_MS;
  const cost = recentCosts.length > 0 ? Math.min(...recentCosts) : 0;
  return typing && cost > INSTANT_ANALYSIS_MS ? Math.min(DEBOUNCE_MS, Math.ceil(2 * cost)) : 0;
}

export function startServer(connection: Connection, dependencies: ServerDependencies): void {
  const documents = new TextDocuments(TextDocument);
  const project = new Project(dependencies.fs, () => documents.all(), dependencies.now ?? (() => new Date()));
  const timers = new Map<string, NodeJS.Timeout>();
  const lastAnalysis = new Map<string, number>();
  /** How long the last few analyses of each document took, in milliseconds, newest last. */
  const analysisCosts = new Map<string, number[]>();
  /** Changes received since the document was last analysed. */
  const pendingChanges = new Map<string, number>();
  const noticesShown = new Set<string>();
  let workspaceFolders: string[] = [];
  let canPullConfiguration = false;
  let canRefreshInlayHints = false;
  let canReportProgress = false;
  let finishIndexing: () => void = () => undefined;
  const indexed = new Promise<void>((resolve) => { finishIndexing = resolve; });

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    workspaceFolders = (params.workspaceFolders ?? []).map((folder) => uriToPath(folder.uri)).filter((p): p is string => Boolean(p));
    if (workspaceFolders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) workspaceFolders = [root];
    }
    canPullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    canRefreshInlayHints = Boolean(params.capabilities.workspace?.inlayHint?.refreshSupport);
    canReportProgress = Boolean(params.capabilities.window?.workDoneProgress);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        inlayHintProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
      },
      serverInfo: { name: 'mergewise' },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined);
      void pullSettings().then(() => revalidateAll());
    }
    // Answer requests right away; the index for references and rename fills in behind them.
    setImmediate(() => void scanWorkspace());
  });

  connection.onDidChangeConfiguration(() => {
    if (canPullConfiguration) void pullSettings().then(() => revalidateAll());
  });

  documents.onDidOpen((event) => schedule(event.document));
  documents.onDidChangeContent((event) => {
    const filePath = uriToPath(event.document.uri);
    if (filePath && (path.basename(filePath) === SCHEMA_FILE_NAME || filePath.endsWith('.json'))) {
      project.fileChanged(filePath);
      revalidateAll();
      return;
    }
    schedule(event.document);
  });
  documents.onDidClose((event) => {
    clearTimeout(timers.get(event.document.uri));
    timers.delete(event.document.uri);
    lastAnalysis.delete(event.document.uri);
    analysisCosts.delete(event.document.uri);
    pendingChanges.delete(event.document.uri);
    project.forget(event.document.uri);
    const filePath = uriToPath(event.document.uri);
    if (filePath) project.fileChanged(filePath);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      const filePath = uriToPath(change.uri);
      if (filePath) project.fileChanged(filePath);
    }
    revalidateAll();
  });

  connection.onHover((params) => withDocument(params.textDocument.uri, (document) => hover(project, document, params.position)));
  connection.onCompletion((params) => withDocument(params.textDocument.uri, (document) => completion(project, document, params.position)));
  connection.onCompletionResolve((item) => resolveCompletion(project, item));
  connection.onCodeAction((params) => withDocument(params.textDocument.uri, (document) => codeActions(project, document, params)) ?? []);
  connection.languages.inlayHint.on((params) => withDocument(params.textDocument.uri, (document) => inlayHints(project, document, params.range)) ?? []);
  connection.onDefinition((params) => withDocument(params.textDocument.uri, (document) => definition(project, document, params.position)));
  connection.onReferences((params) =>
    withDocument(params.textDocument.uri, (document) => references(project, document, params.position, params.context.includeDeclaration, indexed)) ?? []);
  connection.onPrepareRename((params) => withDocument(params.textDocument.uri, (document) => prepareRename(project, document, params.position)));
  connection.onRenameRequest((params) =>
    withDocument(params.textDocument.uri, (document) => rename(project, document, params.position, params.newName, indexed)));

  connection.onRequest(QUADRANTS_REQUEST, (params: { uri: string }) => withDocument(params.uri, (document) => quadrants(project, document)) ?? []);
  connection.onRequest(DOCUMENT_INFO_REQUEST, (params: { uri: string }): DocumentInfo => {
    const document = documents.get(params.uri);
    const state = document && project.stateOf(document);
    const dialect = state?.kind === 'template'
      ? { id: state.result.dialect.id, label: state.result.dialect.label, reason: state.result.dialectChoice.reason }
      : undefined;
    const schema = schemaOf(params.uri);
    if (!schema) return { dialect, recipients: [], problems: [] };
    const { recipients, problems } = project.recipientsFor(schema);
    return {
      dialect,
      recipients: recipients.map((r) => ({ name: r.name, file: r.file, jurisdiction: r.jurisdiction })),
      active: project.activeRecipient(schema)?.name,
      problems,
    };
  });
  connection.onRequest(SET_RECIPIENT_REQUEST, (params: { uri: string; name: string }) => {
    const schema = schemaOf(params.uri);
    const changed = Boolean(schema && project.setActiveRecipient(schema, params.name));
    if (changed) refreshInlayHints();
    return changed;
  });
  // Previews render on a worker thread, so they never hold up diagnostics or completion.
  registerPreview(connection, project, documents);

  documents.listen(connection);
  connection.listen();

  function withDocument<T>(uri: string, run: (document: TextDocument) => T): T | null {
    const document = documents.get(uri);
    return document ? run(document) : null;
  }

  function schemaOf(uri: string) {
    const filePath = uriToPath(uri);
    return filePath ? project.schemas.schemaFor(filePath)?.result?.schema : undefined;
  }

  /**
   * Analyses at once, unless typing goes on in a file whose analysis is slow: then waits twice as
   * long as its recent analyses took (at most DEBOUNCE_MS), so that it does not lag behind the keys.
   * Changes that pile up faster than they are analysed (a burst) wait DEBOUNCE_MS: analysing and
   * publishing each of 10,000 quick edits to a large template left a hover 40 seconds behind them.
   * Otherwise a pending run is left alone: it reads the newest text when it fires.
   */
  function schedule(document: TextDocument): void {
    const uri = document.uri;
    const now = Date.now();
    const changes = (pendingChanges.get(uri) ?? 0) + 1;
    pendingChanges.set(uri, changes);
    if (timers.has(uri)) {
      if (changes === BURST_CHANGES + 1) {
        clearTimeout(timers.get(uri));
        timers.set(uri, setTimeout(() => publish(uri), DEBOUNCE_MS));
      }
      return;
    }
    const delay = analysisDelay(analysisCosts.get(uri) ?? [], now - (lastAnalysis.get(uri) ?? 0));
    timers.set(uri, setTimeout(() => publish(uri), delay));
  }

  function recordCost(uri: string, cost: number): void {
    const costs = analysisCosts.get(uri) ?? [];
    costs.push(cost);
    if (costs.length > RECENT_COSTS) costs.shift();
    analysisCosts.set(uri, costs);
  }

  /** Analyses the document as it is now, so a result is never for an older version. */
  function publish(uri: string): void {
    timers.delete(uri);
    const document = documents.get(uri);
    if (!document) return;
    pendingChanges.delete(uri);
    try {
      publishState(uri, document);
    } catch (error) {
      // A timer callback that throws would end the process: report it, and go on serving.
      connection.console.error(`Mergewise could not check ${uri}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  function publishState(uri: string, document: TextDocument): void {
    const started = performance.now();
    const state = project.stateOf(document);
    recordCost(uri, performance.now() - started);
    lastAnalysis.set(uri, Date.now());
    if ((state.kind === 'ignored' || state.kind === 'template') && state.notice && !noticesShown.has(state.notice.key)) {
      noticesShown.add(state.notice.key);
      // A notification, not a request: there is nothing to answer, and no client may leave it pending.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: state.notice.message });
    }
    if (state.kind === 'ignored') {
      void connection.sendDiagnostics({ uri, version: state.version, diagnostics: [] });
      return;
    }
    const diagnostics = state.kind === 'template' ? state.result.analysis.diagnostics : state.diagnostics;
    void connection.sendDiagnostics({ uri, version: state.version, diagnostics: diagnostics.map((d) => toLspDiagnostic(d, state.lines)) });
  }

  function revalidateAll(): void {
    for (const document of documents.all()) schedule(document);
    refreshInlayHints();
  }

  function refreshInlayHints(): void {
    if (canRefreshInlayHints) void connection.languages.inlayHint.refresh();
  }

  async function pullSettings(): Promise<void> {
    const section = (await connection.workspace.getConfiguration('mergewise')) as Partial<{
      rules: Settings['rules']; maxFileSize: number; inlayHints: { enabled?: boolean };
    }> | null;
    project.settingsChanged({
      rules: section?.rules ?? {},
      maxFileSize: typeof section?.maxFileSize === 'number' && section.maxFileSize > 0 ? section.maxFileSize : DEFAULT_SETTINGS.maxFileSize,
      inlayHints: section?.inlayHints?.enabled ?? true,
    });
  }

  /** Indexes every template in the workspace for references and rename, yielding between batches. */
  async function scanWorkspace(): Promise<void> {
    // A client that claims progress support may still refuse to create one: index without it then.
    const progress = canReportProgress ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    try {
      const files = workspaceFolders.flatMap((folder) =>
        dependencies.fs.listFiles(folder).filter(isTemplateFile).map((file) => path.join(folder, file)));
      progress?.begin('Mergewise: indexing templates', 0, `${files.length} files`, false);
      for (let i = 0; i < files.length; i += SCAN_BATCH) {
        for (const file of files.slice(i, i + SCAN_BATCH)) project.indexFile(file);
        progress?.report(Math.round(((i + SCAN_BATCH) / files.length) * 100), `${Math.min(i + SCAN_BATCH, files.length)} of ${files.length} files`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      connection.console.error(`Mergewise could not index the workspace: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      progress?.done();
      finishIndexing();
    }
  }
}
