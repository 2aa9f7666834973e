import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../server/src/core/positions';

const TEXTS = ['', 'a', 'ab\ncd\n', '\n\n', 'a\r\nb\rc\n\r\nd', '\r\r\n\r', 'Grüße 👋\r\nHi\n👋', 'no break at the end'];

describe('LineIndex', () => {
  test('gives the positions an editor\'s TextDocument gives, at every offset, with any line ends', () => {
    for (const text of TEXTS) {
      const expected = TextDocument.create('file:///t', 'plaintext', 1, text);
      const lines = new LineIndex(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        const span = { start: offset, end: text.length + 1 - offset };
        assert.deepEqual(lines.range(span), { start: expected.positionAt(span.start), end: expected.positionAt(span.end) }, `${JSON.stringify(text)} at ${offset}`);
      }
    }
  });

  test('gives the offsets an editor\'s TextDocument gives, for positions inside, past and before each line', () => {
    for (const text of TEXTS) {
      const expected = TextDocument.create('file:///t', 'plaintext', 1, text);
      const lines = new LineIndex(text);
      for (let line = -1; line <= expected.lineCount + 1; line++) {
        for (let character = -1; character <= 12; character++) {
          assert.equal(lines.offsetAt({ line, character }), expected.offsetAt({ line, character }), `${JSON.stringify(text)} at ${line}:${character}`);
        }
      }
    }
  });

  test('a byte-order mark is not a character: positions are those of the text without it, as the editor shows it', () => {
    for (const text of TEXTS) {
      const withMark = `\uFEFF${text}`;
      const expected = TextDocument.create('file:///t', 'plaintext', 1, text);
      const lines = new LineIndex(withMark);
      for (let offset = 0; offset <= text.length; offset++) {
        assert.deepEqual(lines.positionAt(offset + 1), expected.positionAt(offset), `${JSON.stringify(text)} at ${offset}`);
        assert.equal(lines.offsetAt(expected.positionAt(offset)), expected.offsetAt(expected.positionAt(offset)) + 1, `${JSON.stringify(text)} at ${offset}`);
      }
      assert.deepEqual(lines.positionAt(0), { line: 0, character: 0 });
    }
  });
});
