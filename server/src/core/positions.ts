import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range, Span } from './model';

/** Converts offsets to LSP positions (0-based lines, UTF-16 characters), with CRLF handled. */
export class LineIndex {
  private readonly document: TextDocument;

  constructor(text: string) {
    this.document = TextDocument.create('mergewise:text', 'plaintext', 0, text);
  }

  range(span: Span): Range {
    return { start: this.document.positionAt(span.start), end: this.document.positionAt(span.end) };
  }

  offsetAt(position: Range['start']): number {
    return this.document.offsetAt(position);
  }
}
