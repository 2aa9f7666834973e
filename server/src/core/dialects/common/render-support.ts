/**
 * What the hand-written renderers share: output with field marks, the render limits, and reading
 * recipient data by the schema path of a use.
 */
import {
  MARK_END, MARK_SEPARATOR, MARK_START,
  type RenderedValue, type RenderedValueKind, type RenderLimits, type RenderRequest, type RenderResult,
} from '../dialect';

/** Thrown to stop a rendering that went over one of its limits. */
export class RenderLimitError extends Error {}

/** The template stopped this recipient's send (AMPscript's `RaiseError`). */
export class RenderAbort extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Why a rendering over its output limit was cut off. */
function tooLong(limits: RenderLimits): string {
  return `The rendering is longer than ${limits.outputChars.toLocaleString('en')} characters and was cut off: check for a runaway loop.`;
}

/** An engine's finished output as a result: cut off, with the reason, when it is over the limit. */
export function limitedResult(output: string, values: RenderedValue[], limits: RenderLimits): RenderResult {
  if (output.length <= limits.outputChars) return { output, values };
  return { output: output.slice(0, limits.outputChars), values, error: tooLong(limits) };
}

/** How many steps run between two looks at the clock. */
const CLOCK_EVERY = 256;

export class RenderOutput {
  private parts: string[] = [];
  private length = 0;
  private steps = 0;
  private memoryUsed = 0;
  private readonly deadline: number;
  readonly values: RenderedValue[] = [];

  constructor(private readonly limits: RenderLimits) {
    this.deadline = Date.now() + limits.timeMs;
  }

  text(text: string): void {
    if (!text) return;
    this.parts.push(text);
    this.length += text.length;
    if (this.length > this.limits.outputChars) {
      throw new RenderLimitError(tooLong(this.limits));
    }
  }

  /** A field's output, wrapped in the marks the preview reads. Mark characters in the value are dropped. */
  field(useIndex: number, kind: RenderedValueKind, text: string): void {
    this.mark({ useIndex }, kind, text);
  }

  /** An output of connected data (index into `scan.connected.uses`), marked as a field's is. */
  connected(connectedIndex: number, kind: RenderedValueKind, text: string): void {
    this.mark({ useIndex: -1, connected: connectedIndex }, kind, text);
  }

  private mark(site: Omit<RenderedValue, 'kind'>, kind: RenderedValueKind, text: string): void {
    this.values.push({ ...site, kind });
    const clean = text.replace(/[\uE000-\uE002]/g, '');
    this.text(`${MARK_START}${this.values.length - 1}${MARK_SEPARATOR}${clean}${MARK_END}`);
  }

  /** Runs `render` and returns what it wrote instead of writing it (`{% set x %}…{% endset %}`). */
  capture(render: () => void): string {
    const saved = this.parts;
    this.parts = [];
    try {
      render();
      return this.parts.join('');
    } finally {
      this.parts = saved;
    }
  }

  /** One unit of work: a tag, a statement, a loop iteration. Checks the clock now and then. */
  step(): void {
    if (++this.steps % CLOCK_EVERY === 0 && Date.now() > this.deadline) {
      throw new RenderLimitError(`Rendering took longer than ${this.limits.timeMs} ms and was stopped: check for a loop that never ends.`);
    }
  }

  /** Counts allocations (characters of built strings, loop items) against the memory budget. */
  allocate(units: number): void {
    this.memoryUsed += units;
    if (this.memoryUsed > this.limits.memory) {
      throw new RenderLimitError('Rendering used too much memory and was stopped: check for a loop over a huge range or a string built in a loop.');
    }
  }

  get output(): string {
    return this.parts.join('');
  }

  result(): RenderResult {
    return { output: this.output, values: this.values };
  }

  /** The result after `error` stopped the rendering. */
  failure(error: unknown, engine: string): RenderResult {
    if (error instanceof RenderAbort) return { output: '', values: [], aborted: error.reason };
    if (error instanceof RenderLimitError) {
      const output = this.output;
      return { output: output.slice(0, this.limits.outputChars), values: this.values, error: error.message };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { output: '', values: [], error: `The ${engine} preview could not render this template: ${message}` };
  }
}

/** Runs a renderer with limits; whatever it throws becomes the result's `error` or `aborted`. */
export function renderWithLimits(request: RenderRequest, engine: string, run: (out: RenderOutput) => void): RenderResult {
  const out = new RenderOutput(request.limits);
  try {
    run(out);
    return out.result();
  } catch (error) {
    return out.failure(error, engine);
  }
}

/**
 * The data path to read for a use: its schema field's path when the schema names it differently
 * (an alias), else the path as the template wrote it. A parent field that leaves its sub-fields open
 * is not a rename, so the written path is kept.
 */
export function dataPathOf(request: RenderRequest, useIndex: number): string {
  const use = request.scan.uses[useIndex];
  const schemaPath = request.schemaPathOf(useIndex);
  if (!use) return schemaPath ?? '';
  if (!schemaPath || use.path.startsWith(`${schemaPath}.`) || use.path.startsWith(`${schemaPath}[]`)) return use.path;
  return schemaPath;
}

/** The value at a dotted path in nested data; case-insensitive when no key matches exactly. */
export function valueAtPath(data: unknown, path: string): unknown {
  return valueAtSegments(data, path.split('.'));
}

export function valueAtSegments(data: unknown, segments: string[]): unknown {
  let current = data;
  for (const segment of segments) current = member(current, segment);
  return current;
}

/** One member of an object (own properties only: no prototype access), or an item of an array. */
export function member(value: unknown, key: string | number): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (typeof key === 'number' || /^-?\d+$/.test(key)) {
      const index = Number(key);
      return value[index < 0 ? value.length + index : index];
    }
    if (key === 'length' || key === 'size' || key === 'count') return value.length;
    return undefined;
  }
  if (typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const name = String(key);
  if (Object.prototype.hasOwnProperty.call(record, name)) return record[name];
  const lower = name.toLowerCase();
  for (const own of Object.keys(record)) if (own.toLowerCase() === lower) return record[own];
  return undefined;
}

/** No value: missing, null, empty text or an empty list. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}
