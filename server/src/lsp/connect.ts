/**
 * Makes the language server's connection over a reader and a writer and starts the server on it:
 * main.ts does this for the transport it picks, and the in-process protocol tests over memory
 * streams, so that both run the same server. The reader is wrapped in the inbox, which is also the
 * connection's message strategy (see inbox.ts).
 */
import { createConnection, ProposedFeatures, type Connection, type MessageReader, type MessageWriter } from 'vscode-languageserver/node';
import { nodeFileSystem } from '../node-fs';
import { Inbox } from './inbox';
import { startServer, type ServerDependencies } from './server';

export function connectServer(
  reader: MessageReader,
  writer: MessageWriter,
  dependencies: Omit<ServerDependencies, 'inbox'> = { fs: nodeFileSystem },
): Connection {
  const inbox = new Inbox();
  const connection = createConnection(ProposedFeatures.all, inbox.watch(reader), writer, { messageStrategy: inbox });
  startServer(connection, { ...dependencies, inbox });
  return connection;
}
