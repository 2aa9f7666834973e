import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { nodeFileSystem } from '../cli/node-fs';
import { startServer } from './server';

// Started by the VS Code client, or by any LSP client with `--stdio`.
startServer(createConnection(ProposedFeatures.all), { fs: nodeFileSystem });
