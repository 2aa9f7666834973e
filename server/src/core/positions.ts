import type { Position, Range, Span } from './model';

/**
 * Offsets to LSP positions and back, as vscode-languageserver-textdocument gives them: 0-based
 * lines ending at \n, \r\n or \r, characters counted in UTF-16 units, an offset inside \r\n kept on
 * its line. Hand-written for speed: it finds line breaks with `indexOf` rather than reading every
 * character, which was a tenth of the command line's time on a large workspace.
 */
export class LineIndex {
  private readonly starts: number[];

  /**
   * `byteOrderMark`: `hidden` for text read from disk, where a leading mark is no character to an
   * editor (VS Code and Neovim hide it, and send no text with it), so the first line starts after
   * it and findings there are not one column off; `counted` for a document's text as a client sent
   * it, mark included, whose positions count it.
   */
  constructor(private readonly text: string, byteOrderMark: 'hidden' | 'counted' = 'hidden') {
    this.starts = text.includes('\r') ? anyLineStarts(text) : lfLineStarts(text);
    if (byteOrderMark === 'hidden' && text.charCodeAt(0) === BOM) this.starts[0] = 1;
  }

  range(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }

  positionAt(offset: number): Position {
    const { starts, text } = this;
    offset = Math.max(Math.min(offset, text.length), starts[0]);
    // The last line starting at or before the offset.
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (starts[mid] > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    // Between a \r and its \n is still the end of the line.
    if (offset > starts[line] && this.text.charCodeAt(offset - 1) === CR) offset--;
    return { line, character: offset - starts[line] };
  }

  offsetAt(position: Position): number {
    const { starts, text } = this;
    if (position.line >= starts.length) return text.length;
    if (position.line < 0) return 0;
    const lineStart = starts[position.line];
    if (position.character <= 0) return lineStart;
    const nextLineStart = position.line + 1 < starts.length ? starts[position.line + 1] : text.length;
    // A character past the end of the line is the end of the line, before its line break.
    let offset = Math.min(lineStart + position.character, nextLineStart);
    while (offset > lineStart && isLineBreak(text.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}

const CR = 13, LF = 10, BOM = 0xfeff;

function isLineBreak(code: number): boolean {
  return code === CR || code === LF;
}

function lfLineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function anyLineStarts(text: string): number[] {
  const starts = [0];
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === CR && text.charCodeAt(at + 1) === LF) at++;
    if (isLineBreak(code)) starts.push(at + 1);
  }
  return starts;
}
