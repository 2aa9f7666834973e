/**
 * The uses of declared fields in every template on disk, for references and rename, kept small enough
 * for 10,000 templates: eight numbers a use in one typed array per file, and each field path and
 * spelling once for the whole workspace. No template text is kept: a string sliced from a text (as the
 * scanner's are) would keep the whole text alive, so the strings kept are copies.
 */
import type { IndexedUse } from './project';

/** Per use: field id, spelling id, start and end offsets, start line and character, end line and character. */
const SLOTS = 8;

export class WorkspaceIndex {
  private readonly files = new Map<string, Int32Array>();
  /** Field paths and spellings, each once, by id. */
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  has(filePath: string): boolean {
    return this.files.has(filePath);
  }

  set(filePath: string, uses: IndexedUse[]): void {
    const packed = new Int32Array(uses.length * SLOTS);
    let at = 0;
    for (const { field, written, span, range } of uses) {
      packed[at++] = this.idOf(field);
      packed[at++] = this.idOf(written);
      packed[at++] = span.start;
      packed[at++] = span.end;
      packed[at++] = range.start.line;
      packed[at++] = range.start.character;
      packed[at++] = range.end.line;
      packed[at++] = range.end.character;
    }
    this.files.set(filePath, packed);
  }

  delete(filePath: string): void {
    this.files.delete(filePath);
  }

  clear(): void {
    this.files.clear();
  }

  paths(): IterableIterator<string> {
    return this.files.keys();
  }

  /** The uses of `field` in one indexed file, in the order the file has them. */
  usesOf(filePath: string, field: string): IndexedUse[] {
    const packed = this.files.get(filePath);
    const id = this.ids.get(field);
    if (!packed || id === undefined) return [];
    const uses: IndexedUse[] = [];
    for (let at = 0; at < packed.length; at += SLOTS) {
      if (packed[at] !== id) continue;
      uses.push({
        field, written: this.strings[packed[at + 1]], span: { start: packed[at + 2], end: packed[at + 3] },
        range: { start: { line: packed[at + 4], character: packed[at + 5] }, end: { line: packed[at + 6], character: packed[at + 7] } },
      });
    }
    return uses;
  }

  /** What the index holds: files, uses, and distinct strings (field paths and spellings). */
  counts(): { files: number; uses: number; strings: number } {
    let uses = 0;
    for (const packed of this.files.values()) uses += packed.length / SLOTS;
    return { files: this.files.size, uses, strings: this.strings.length };
  }

  private idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      // A copy of its own: `text` may be a slice of a template's whole text, which it would keep alive.
      const own = Buffer.from(text, 'utf8').toString('utf8');
      id = this.strings.push(own) - 1;
      this.ids.set(own, id);
    }
    return id;
  }
}
