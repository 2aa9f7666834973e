/**
 * What the client said it can do, read once from `initialize`. Editors differ: VS Code takes
 * snippets and markdown and watches files, Neovim 0.7 takes neither snippets nor configuration
 * pulls, a minimal client may take nothing at all. The server sends each only what it offered.
 */
import { MarkupKind, type ClientCapabilities } from 'vscode-languageserver';

export interface ClientFeatures {
  /** Completion items may hold snippets (`$0`, `${1:field}`). */
  snippets: boolean;
  /** Hover contents may be markdown; plain text otherwise. */
  hoverMarkdown: boolean;
  /** Completion documentation may be markdown; plain text otherwise. */
  completionMarkdown: boolean;
  /** `workspace/configuration` can be asked for settings. */
  pullConfiguration: boolean;
  /** `workspace/didChangeConfiguration` may be registered for. */
  registerConfiguration: boolean;
  /** `workspace/didChangeWatchedFiles` may be registered for: the client watches files for the server. */
  watchFiles: boolean;
  refreshInlayHints: boolean;
  workDoneProgress: boolean;
  /** `experimental.mergewise.initOffer`: the client offers to create mergewise.json itself (VS Code), given `mergewise/initAvailable`. */
  initOffer: boolean;
}

export function clientFeatures(capabilities: ClientCapabilities): ClientFeatures {
  const { workspace, textDocument, window } = capabilities;
  return {
    snippets: textDocument?.completion?.completionItem?.snippetSupport === true,
    hoverMarkdown: textDocument?.hover?.contentFormat?.includes(MarkupKind.Markdown) === true,
    completionMarkdown: textDocument?.completion?.completionItem?.documentationFormat?.includes(MarkupKind.Markdown) === true,
    pullConfiguration: workspace?.configuration === true,
    registerConfiguration: workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchFiles: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    refreshInlayHints: workspace?.inlayHint?.refreshSupport === true,
    workDoneProgress: window?.workDoneProgress === true,
    initOffer: (capabilities.experimental as { mergewise?: { initOffer?: unknown } } | undefined)?.mergewise?.initOffer === true,
  };
}
