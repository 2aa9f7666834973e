/**
 * Wires the LSP connection to the features: decides when to analyse, and answers each request from
 * the newest text. `startServer` takes its file system, clock and inbox as dependencies.
 */
import * as path from 'node:path';
import {
  CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType, LSPErrorCodes, MessageType, ResponseError,
  ShowMessageNotification, TextDocuments, TextDocumentSyncKind,
  type CancellationToken, type Connection, type Disposable, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEDICATED_TEMPLATE_EXTENSIONS } from '../core/dialects/registry';
import { GENERIC_TEMPLATE_EXTENSIONS, toPosix, type WorkspaceFileSystem } from '../core/workspace';
import { SCHEMA_FILE_NAME } from '../core/schema/load';
import { clientFeatures, type ClientFeatures } from './client-features';
import { pathToUri, toLspDiagnostic, uriToPath } from './convert';
import { codeActions, FIX_ALL_KIND } from './features/code-actions';
import { completion, COMPLETION_TRIGGERS, resolveCompletion } from './features/completion';
import { hover } from './features/hover';
import { inlayHints } from './features/inlay-hints';
import { definition, prepareRename, references, rename } from './features/navigation';
import { modules } from './features/modules';
import { quadrants } from './features/quadrants';
import {
  DOCUMENT_INFO_REQUEST, INIT_AVAILABLE_NOTIFICATION, INIT_REQUEST, MODULES_REQUEST, QUADRANTS_REQUEST, REPORT_REQUEST, SET_RECIPIENT_REQUEST,
  type DocumentInfo, type InitAvailableParams, type InitParams, type InitResult, type ReportParams, type ReportResult,
} from '../../../protocol/src/requests';
import { initProposal } from './features/init';
import { workspaceReport } from './features/report';
import type { CatchUp } from './inbox';
import { Project, pushedSection, settingsFrom } from './project';
import { registerPreview } from './preview/requests';

export interface ServerDependencies {
  fs: WorkspaceFileSystem;
  /** Tells when every message read from the client has been handled (see inbox.ts). */
  inbox: CatchUp;
  now?: () => Date;
}

/**
 * Time the workspace scan indexes for before it yields to the client's messages and to publications:
 * short enough that a request or a keystroke waits little behind it, long enough that the yields cost little.
 */
const SCAN_SLICE_MS = 8;
/** What the server asks a client that watches files to report: schemas and recipients, and templates for the index. */
const WATCHED_FILES = ['**/*.json', `**/*.{${[...DEDICATED_TEMPLATE_EXTENSIONS, ...GENERIC_TEMPLATE_EXTENSIONS].map((e) => e.slice(1)).join(',')}}`];

/**
 * What to watch for the files `templates` globs name beyond those extensions (`.mjml`, no extension):
 * each glob under any folder, as a schema's folder is not known to the pattern. Wider than the glob, but
 * only those files; a change re-checks the open templates, as any watched change does.
 */
export function templateGlobWatchers(globs: Iterable<string>): string[] {
  const patterns = new Set<string>();
  for (const glob of globs) {
    const relative = glob.replace(/^(\.\/|\/)+/, '');
    if (relative) patterns.add(relative.startsWith('**/') ? relative : `**/${relative}`);
  }
  return [...patterns].sort();
}

export function startServer(connection: Connection, dependencies: ServerDependencies): void {
  const { inbox } = dependencies;
  const documents = new TextDocuments(TextDocument);
  const project = new Project(dependencies.fs, () => documents.all(), dependencies.now ?? (() => new Date()));
  /** Open documents whose diagnostics are not yet published for their current version. */
  const unpublished = new Set<string>();
  /** Schema and recipient files changed in the editor since they were last taken into account. */
  const editedFiles = new Set<string>();
  let publicationQueued = false;
  const noticesShown = new Set<string>();
  let workspaceFolders: string[] = [];
  let client: ClientFeatures = clientFeatures({});
  let finishIndexing: () => void = () => undefined;
  const indexed = new Promise<void>((resolve) => { finishIndexing = resolve; });
  /** The workspace's `mergewise.json` files, whose `templates` globs are watched beside WATCHED_FILES. */
  const schemaFiles = new Set<string>();
  let globWatchers: { key: string; registration: Promise<Disposable | undefined> } | undefined;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    workspaceFolders = (params.workspaceFolders ?? []).map((folder) => uriToPath(folder.uri)).filter((p): p is string => Boolean(p));
    if (workspaceFolders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) workspaceFolders = [root];
    }
    client = clientFeatures(params.capabilities);
    const initial = pushedSection(params.initializationOptions);
    if (initial !== undefined) takeSettings(initial);
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
    if (client.registerConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'mergewise' });
    if (client.watchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_FILES.map((globPattern) => ({ globPattern })) });
    }
    if (client.pullConfiguration) void pullSettings();
    // Answer requests right away; the index for references and rename fills in behind them.
    setImmediate(() => void scanWorkspace());
  });

  connection.onDidChangeConfiguration((params) => {
    // A client that can be asked is asked (the change may be to another section); others push the settings.
    if (client.pullConfiguration) void pullSettings();
    else {
      const section = pushedSection(params.settings);
      if (section !== undefined) applySettings(section);
    }
  });

  documents.onDidOpen((event) => {
    project.openDocumentsChanged();
    markUnpublished(event.document.uri);
    lookedAt(event.document);
  });

  /**
   * Opening or hovering a template that includes partials shows the open partials' values through it.
   * (Not inlay hint requests: editors ask for every visible file, and two templates would take turns.)
   */
  function lookedAt(document: TextDocument): void {
    const partials = project.templateFocused(document);
    if (partials.length === 0) return;
    for (const uri of partials) markUnpublished(uri);
    refreshInlayHints();
  }
  documents.onDidChangeContent((event) => {
    const filePath = uriToPath(event.document.uri);
    // A schema or recipient file edited here is taken in before the next answer or publication.
    if (filePath?.endsWith('.json')) editedFiles.add(filePath);
    markUnpublished(event.document.uri);
    // Templates that include it, or that it includes, are checked again after it.
    if (filePath && project.isTemplate(filePath)) for (const uri of project.templateEdited(filePath)) markUnpublished(uri);
  });
  documents.onDidClose((event) => {
    project.openDocumentsChanged();
    unpublished.delete(event.document.uri);
    project.forget(event.document.uri);
    const filePath = uriToPath(event.document.uri);
    if (filePath) project.fileChanged(filePath);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
    // A schema or recipient file closed with unsaved edits: the one on disk applies again, to every open template.
    if (filePath?.endsWith('.json')) revalidateAll();
  });

  connection.onDidChangeWatchedFiles((params) => {
    let schemasChanged = false;
    for (const change of params.changes) {
      const filePath = uriToPath(change.uri);
      if (filePath) project.fileChanged(filePath);
      if (filePath && path.basename(filePath) === SCHEMA_FILE_NAME) {
        if (change.type === FileChangeType.Deleted) schemaFiles.delete(filePath);
        else schemaFiles.add(filePath);
        schemasChanged = true;
      }
    }
    if (schemasChanged) watchTemplateGlobs();
    revalidateAll();
  });

  /** Registers watchers for the files the `templates` globs name, again when they change; none when nothing watches. */
  function watchTemplateGlobs(): void {
    if (!client.watchFiles) return;
    const globs = [...schemaFiles].flatMap((file) => project.schemas.load(file).result?.schema.templates.map((t) => t.glob) ?? []);
    const patterns = templateGlobWatchers(globs);
    const key = patterns.join('\n');
    if (key === (globWatchers?.key ?? '')) return;
    const previous = globWatchers;
    globWatchers = patterns.length
      ? { key, registration: connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: patterns.map((globPattern) => ({ globPattern })) }).catch(() => undefined) }
      : undefined;
    void previous?.registration.then((registration) => registration?.dispose());
  }

  connection.onHover(onDocument((document, params) => {
    lookedAt(document);
    return hover(project, document, params.position, client);
  }, null));
  connection.onCompletion(onDocument((document, params) => completion(project, document, params.position, client), null));
  connection.onCompletionResolve((item) => resolveCompletion(project, item, client));
  connection.onCodeAction(onDocument((document, params) => codeActions(project, document, params), []));
  connection.languages.inlayHint.on(onDocument((document, params) => inlayHints(project, document, params.range), []));
  connection.onDefinition(onDocument((document, params) => definition(project, document, params.position), null));
  connection.onReferences(onDocument((document, params) => references(project, document, params.position, params.context.includeDeclaration, indexed), Promise.resolve([])));
  connection.onPrepareRename(onDocument((document, params) => prepareRename(project, document, params.position), null));
  connection.onRenameRequest(onDocument((document, params) => rename(project, document, params.position, params.newName, indexed), Promise.resolve(null)));

  connection.onRequest(QUADRANTS_REQUEST, onDocument((document: TextDocument, _params: { uri: string }) => quadrants(project, document), []));
  connection.onRequest(MODULES_REQUEST, () => { catchUpWithDisk(); return modules(project, workspaceFolders, indexed); });
  connection.onRequest(DOCUMENT_INFO_REQUEST, (params: { uri: string }): DocumentInfo => {
    catchUpWithDisk();
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
      ...withAudience(project.audienceInfo(schema, state)),
      ...(state?.kind === 'template' && state.result.shownThrough ? { shownThrough: toPosix(path.relative(schema.dir, state.result.shownThrough)) } : {}),
    };
  });
  connection.onRequest(SET_RECIPIENT_REQUEST, (params: { uri: string; name: string }) => {
    catchUpWithDisk();
    const schema = schemaOf(params.uri);
    const changed = Boolean(schema && project.setActiveRecipient(schema, params.name));
    if (changed) refreshInlayHints();
    return changed;
  });
  connection.onRequest(INIT_REQUEST, (params: InitParams | undefined): InitResult | ResponseError => {
    const folder = params?.folder ? uriToPath(params.folder) : workspaceFolders[0];
    if (!folder) return new ResponseError(LSPErrorCodes.RequestFailed, 'Mergewise: open a folder to create mergewise.json in.');
    return initProposal(project.fileSystem, folder, (dependencies.now ?? (() => new Date()))());
  });
  // After the workspace is indexed: until then, who includes which partial is not known.
  connection.onRequest(REPORT_REQUEST, async (params: ReportParams, token): Promise<ReportResult | ResponseError> => {
    const folder = params?.folder ? uriToPath(params.folder) : workspaceFolders[0];
    if (!folder) return new ResponseError(LSPErrorCodes.RequestFailed, 'Mergewise: open a folder to report on.');
    await indexed;
    catchUpWithDisk();
    return workspaceReport(project, folder, params.nonce, (dependencies.now ?? (() => new Date()))(), token);
  });
  // Previews render on a worker thread, so they never hold up diagnostics or completion.
  registerPreview(connection, project, documents);
  inbox.onCaughtUp(queuePublication);

  documents.listen(connection);
  connection.listen();

  /**
   * A request about one document, answered from its newest text. One the client has cancelled is
   * not worked on, and one about a version that newer edits, already received, have replaced is
   * answered `ContentModified` (as LSP allows), rather than analysing a version that is already stale.
   */
  function onDocument<P extends { textDocument: { uri: string } } | { uri: string }, R>(answer: (document: TextDocument, params: P) => R, none: R) {
    return (params: P, token: CancellationToken): R | ResponseError => {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
      const uri = 'textDocument' in params ? params.textDocument.uri : params.uri;
      if (inbox.hasPendingChange(uri)) return new ResponseError(LSPErrorCodes.ContentModified, 'The document has changed since the request was sent.');
      catchUpWithDisk();
      const document = documents.get(uri);
      return document ? answer(document, params) : none;
    };
  }

  function withAudience(audience: DocumentInfo['audience']): Pick<DocumentInfo, 'audience'> {
    return audience ? { audience } : {};
  }

  function schemaOf(uri: string) {
    const filePath = uriToPath(uri);
    return filePath ? project.schemas.schemaFor(filePath)?.result?.schema : undefined;
  }

  function markUnpublished(uri: string): void {
    unpublished.add(uri);
    queuePublication();
  }

  /**
   * Publishes diagnostics once the server has caught up with the client: never for a version that
   * edits already received have replaced, however fast or slow the machine. One document per turn
   * of the event loop, so that what the client sends meanwhile is read first.
   */
  function queuePublication(): void {
    if (publicationQueued || (unpublished.size === 0 && editedFiles.size === 0)) return;
    publicationQueued = true;
    setImmediate(() => {
      publicationQueued = false;
      // Not caught up: the inbox calls again when it is.
      if (!inbox.caughtUp) return;
      catchUpWithDisk();
      const [uri] = unpublished;
      if (uri === undefined) return;
      unpublished.delete(uri);
      publish(uri);
      queuePublication();
    });
  }

  /**
   * Takes in schema and recipient files edited in the editor, and, for a client that does not watch
   * files for the server, those changed on disk since they were read.
   */
  function catchUpWithDisk(): void {
    const changed = [...editedFiles, ...(client.watchFiles ? [] : project.changedOnDisk())];
    editedFiles.clear();
    if (changed.length === 0) return;
    for (const filePath of changed) project.fileChanged(filePath);
    revalidateAll();
  }

  /** Analyses the document as it is now, so a result is never for an older version. */
  function publish(uri: string): void {
    const document = documents.get(uri);
    if (!document) return;
    try {
      publishState(uri, document);
    } catch (error) {
      // A callback that throws would end the process: report it, and go on serving.
      connection.console.error(`Mergewise could not check ${uri}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  function publishState(uri: string, document: TextDocument): void {
    const state = project.stateOf(document);
    if ((state.kind === 'ignored' || state.kind === 'template') && state.notice && !noticesShown.has(state.notice.key)) {
      noticesShown.add(state.notice.key);
      // A client that offers `mergewise init` itself (VS Code) is told where instead, and shows one notification.
      const folder = state.notice.key === 'no schema' && client.initOffer ? folderOf(uri) : undefined;
      if (folder) {
        const params: InitAvailableParams = { folder: pathToUri(folder), template: uri, message: state.notice.message };
        void connection.sendNotification(INIT_AVAILABLE_NOTIFICATION, params);
      } else {
        // A notification, not a request: there is nothing to answer, and no client may leave it pending.
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: state.notice.message });
      }
    }
    if (state.kind === 'ignored') {
      void connection.sendDiagnostics({ uri, version: state.version, diagnostics: [] });
      return;
    }
    const diagnostics = state.kind === 'template' ? state.result.analysis.diagnostics : state.diagnostics;
    const includeSite = state.kind === 'template' && state.result.includedBy?.length ? project.includeSiteRanges(state.filePath) : undefined;
    void connection.sendDiagnostics({ uri, version: state.version, diagnostics: diagnostics.map((d) => toLspDiagnostic(d, state.lines, includeSite)) });
  }

  /** The workspace folder a document is in (the innermost), or its own folder. */
  function folderOf(uri: string): string | undefined {
    const filePath = uriToPath(uri);
    if (!filePath) return undefined;
    const containing = workspaceFolders.filter((folder) => filePath.startsWith(folder + path.sep)).sort((a, b) => b.length - a.length);
    return containing[0] ?? path.dirname(filePath);
  }

  function revalidateAll(): void {
    for (const document of documents.all()) markUnpublished(document.uri);
    refreshInlayHints();
  }

  function refreshInlayHints(): void {
    if (client.refreshInlayHints) void connection.languages.inlayHint.refresh();
  }

  /** Asks the client for the settings; one that refuses keeps the settings it has, with the reason in the log. */
  async function pullSettings(): Promise<void> {
    let section: unknown;
    try {
      section = await connection.workspace.getConfiguration('mergewise');
    } catch (error) {
      connection.console.warn(`Mergewise could not read the editor's settings: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    applySettings(section);
  }

  function applySettings(section: unknown): void {
    takeSettings(section);
    revalidateAll();
  }

  function takeSettings(section: unknown): void {
    const { settings, problems } = settingsFrom(section);
    for (const problem of problems) connection.console.warn(`Mergewise: ${problem}`);
    project.settingsChanged(settings);
  }

  /**
   * Indexes every template in the workspace for references and rename, in slices of SCAN_SLICE_MS.
   * Before each slice, every message read is handled and every open document published: what the
   * user is looking at comes first, and the index fills in when the server is otherwise idle.
   */
  async function scanWorkspace(): Promise<void> {
    // A client that claims progress support may still refuse to create one: index without it then.
    const progress = client.workDoneProgress ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    try {
      await untilIdle();
      const listed = workspaceFolders.flatMap((folder) => dependencies.fs.listFiles(folder).map((file) => path.join(folder, file)));
      for (const file of listed) if (path.basename(file) === SCHEMA_FILE_NAME) schemaFiles.add(file);
      watchTemplateGlobs();
      // Which files are templates is asked per file as it is indexed (indexFile), not for all of them up front.
      progress?.begin('Mergewise: indexing templates', 0, `${listed.length} files`, false);
      let reported = 0;
      for (let next = 0; next < listed.length;) {
        await untilIdle();
        const sliceEnd = performance.now() + SCAN_SLICE_MS;
        do project.indexFile(listed[next++]); while (next < listed.length && performance.now() < sliceEnd);
        const percentage = Math.floor((next / listed.length) * 100);
        if (percentage > reported) {
          reported = percentage;
          progress?.report(percentage, `${next} of ${listed.length} files`);
        }
      }
      for (const uri of project.workspaceIndexed(workspaceFolders)) markUnpublished(uri);
    } catch (error) {
      connection.console.error(`Mergewise could not index the workspace: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      progress?.done();
      finishIndexing();
    }
  }

  /** Resolves on a later turn of the event loop once every message read is handled and every open document published. */
  function untilIdle(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (inbox.caughtUp && unpublished.size === 0 && editedFiles.size === 0 ? resolve() : setImmediate(check));
      setImmediate(check);
    });
  }
}
