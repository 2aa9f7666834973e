/**
 * JSON text assembled directly as UTF-8 bytes, in chunks. A large check's JSON report is hundreds
 * of megabytes made of the same few hundred strings (messages, rules, field paths) around numbers:
 * escaping and encoding each distinct string once, then copying its bytes, is two to three times
 * faster than `JSON.stringify` and encoding the resulting text, file after file.
 */

/** Big enough that writing costs few calls, small enough to stay out of the way of the memory budget. */
const CHUNK_SIZE = 256 * 1024;
/**
 * Encoded strings kept at most; past it the cache starts over. A workspace repeats a few hundred
 * texts; this bounds memory when one does not (unique messages, thousands of file paths).
 */
const MAX_CACHED_STRINGS = 10_000;

/** Fixed JSON text (keys, punctuation), encoded once by the caller. */
export function fragment(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

export class JsonBytes {
  private chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  private used = 0;
  private readonly strings = new Map<string, Uint8Array>();

  /**
   * `sink` gets each chunk once it is full (and a value too long for a chunk on its own). It may
   * keep them, as a stream does: nothing handed over is written to again. Chunks end between whole
   * values, never inside a character.
   */
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** Bytes that are JSON already, such as a `fragment`. */
  raw(bytes: Uint8Array): void {
    if (this.used + bytes.length > CHUNK_SIZE) {
      this.flush();
      if (bytes.length > CHUNK_SIZE) {
        this.sink(bytes);
        return;
      }
    }
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** A JSON string, as `JSON.stringify` writes it. A string met again is cheap to look up: V8 keeps its hash. */
  string(text: string): void {
    let bytes = this.strings.get(text);
    if (bytes === undefined) {
      if (this.strings.size >= MAX_CACHED_STRINGS) this.strings.clear();
      bytes = Buffer.from(JSON.stringify(text), 'utf8');
      this.strings.set(text, bytes);
    }
    this.raw(bytes);
  }

  /** A whole number from 0 to 2^31 - 1 (lines, characters), in decimal as `JSON.stringify` writes it. */
  integer(value: number): void {
    if (this.used + 10 > CHUNK_SIZE) this.flush();
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    let at = this.used + digits;
    this.used = at;
    do {
      this.chunk[--at] = 48 + (value % 10); // 48: "0"
      value = (value / 10) | 0;
    } while (value > 0);
  }

  /** Hands what is assembled to the sink. */
  flush(): void {
    if (this.used === 0) return;
    this.sink(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_SIZE);
    this.used = 0;
  }
}
