import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { nodeFileSystem } from '../node-fs';
import { startServer } from './server';

// Started by the VS Code client, or by any LSP client with `--stdio`.
const connection = createConnection(ProposedFeatures.all);

// A request the client refused must not take the whole server down with it: log it and go on.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Mergewise: unexpected failure: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
});

startServer(connection, { fs: nodeFileSystem });
