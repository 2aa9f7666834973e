/**
 * Knows how many of the client's messages have been read but not yet handled, so that the server
 * analyses only once it has caught up with the client, whatever the speed of the machine: a burst of
 * 10,000 edits costs applying the edits plus one analysis of the final text, and no version that is
 * already stale is ever analysed.
 *
 * vscode-jsonrpc reads every message as it arrives and queues it, then handles one per turn of the
 * event loop; it does not say how long its queue is. The inbox counts on both sides: the reader it
 * wraps counts each message read, and the message strategy counts each message handed to its handler.
 * `$/cancelRequest` is left out of both counts, since the connection acts on some of those at once,
 * without queueing them, and a cancellation never changes what there is to analyse.
 */
import {
  DidChangeTextDocumentNotification, Disposable, Emitter, Message,
  type DataCallback, type Event, type MessageReader, type MessageStrategy, type PartialMessageInfo,
} from 'vscode-languageserver/node';

export interface CatchUp {
  /** True when every message read from the client has been handled. */
  readonly caughtUp: boolean;
  /** Fires each time the last message read so far has been handled. */
  readonly onCaughtUp: Event<void>;
  /** True when a change to this document has been read but not applied yet: what is known of it now is already stale. */
  hasPendingChange(uri: string): boolean;
}

export class Inbox implements CatchUp, MessageStrategy {
  private read = 0;
  private handled = 0;
  private readonly pendingChanges = new Map<string, number>();
  private readonly caughtUpEmitter = new Emitter<void>();
  readonly onCaughtUp = this.caughtUpEmitter.event;

  get caughtUp(): boolean {
    return this.handled === this.read;
  }

  hasPendingChange(uri: string): boolean {
    return (this.pendingChanges.get(uri) ?? 0) > 0;
  }

  /** The reader, counting every message it delivers. */
  watch(reader: MessageReader): MessageReader {
    return {
      onError: reader.onError,
      onClose: reader.onClose,
      onPartialMessage: reader.onPartialMessage as Event<PartialMessageInfo>,
      listen: (callback: DataCallback): Disposable => reader.listen((message) => {
        if (counted(message)) {
          this.read++;
          const uri = changedUri(message);
          if (uri) this.pendingChanges.set(uri, (this.pendingChanges.get(uri) ?? 0) + 1);
        }
        callback(message);
      }),
      dispose: () => reader.dispose(),
    };
  }

  /** Called by the connection for each message it takes from its queue. */
  handleMessage(message: Message, next: (message: Message) => void): void {
    try {
      next(message);
    } finally {
      if (counted(message)) {
        this.handled++;
        const uri = changedUri(message);
        if (uri) {
          const left = (this.pendingChanges.get(uri) ?? 1) - 1;
          if (left > 0) this.pendingChanges.set(uri, left);
          else this.pendingChanges.delete(uri);
        }
        if (this.caughtUp) this.caughtUpEmitter.fire();
      }
    }
  }
}

const CANCEL_REQUEST = '$/cancelRequest';

function counted(message: Message): boolean {
  return !(Message.isNotification(message) && message.method === CANCEL_REQUEST);
}

function changedUri(message: Message): string | undefined {
  if (!Message.isNotification(message) || message.method !== DidChangeTextDocumentNotification.method) return undefined;
  const uri = (message.params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  return typeof uri === 'string' ? uri : undefined;
}
