import { format } from 'node:util';
import {
  createServerPipeTransport, createServerSocketTransport, IPCMessageReader, IPCMessageWriter,
  StreamMessageReader, StreamMessageWriter, type MessageReader, type MessageWriter,
} from 'vscode-languageserver/node';
import { nodeFileSystem } from '../node-fs';
import { connectServer } from './connect';

// Started by the VS Code client (`--node-ipc`), or by any other editor over stdio (the default).
// The transport is chosen here, not by vscode-languageserver from the arguments, so that the inbox
// can count the messages read (see inbox.ts). The connection is made, and the server started, as the
// in-process protocol tests make them (connect.ts); no message is handled before this module has run,
// so what follows is in place for the first.
const { reader, writer, stdio } = transport(process.argv.slice(2));
const connection = connectServer(reader, writer, { fs: nodeFileSystem });

if (stdio) {
  // Standard output carries the protocol: anything a library prints goes to the client's log instead.
  const log = (...args: unknown[]) => connection.console.log(format(...args));
  console.log = log;
  console.info = log;
  console.debug = log;
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
}

// A request the client refused must not take the whole server down with it: log it and go on.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Mergewise: unexpected failure: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
});

// The client went away without `exit`: end too (with 0 only after a `shutdown`, as LSP asks).
let shutdownReceived = false;
connection.onShutdown(() => { shutdownReceived = true; });
reader.onClose(() => process.exit(shutdownReceived ? 0 : 1));

function transport(args: string[]): { reader: MessageReader; writer: MessageWriter; stdio: boolean } {
  const option = (name: string) => {
    const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
    if (at < 0) return undefined;
    return args[at].includes('=') ? args[at].slice(name.length + 1) : args[at + 1];
  };
  if (args.includes('--node-ipc')) return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), stdio: false };
  const port = option('--socket');
  if (port !== undefined) {
    const [reader, writer] = createServerSocketTransport(Number(port));
    return { reader, writer, stdio: false };
  }
  const pipe = option('--pipe');
  if (pipe !== undefined) {
    const [reader, writer] = createServerPipeTransport(pipe);
    return { reader, writer, stdio: false };
  }
  return { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout), stdio: true };
}
