import { Liquid, type TagToken } from 'liquidjs';
import {
  MARK_END, MARK_SEPARATOR, MARK_START,
  type RenderedValue, type RenderRequest, type RenderResult, type TextEdit,
} from '../dialect';
import { applyEdits } from '../edits';

class SendAborted extends Error {
  constructor(readonly reason: string) {
    super(`abort_message: ${reason}`);
  }
}

interface RenderState {
  values: RenderedValue[];
  emptyBeforeFilters: Map<number, boolean>;
}

/**
 * Renders with liquidjs. Each field output gets two private filters: `mw_begin` notes whether the
 * raw value was empty, `mw_mark` wraps the final text with the marks the preview reads.
 */
export function renderLiquid(request: RenderRequest): RenderResult {
  const state: RenderState = { values: [], emptyBeforeFilters: new Map() };
  const engine = createEngine(request, state);
  try {
    const output = engine.parseAndRenderSync(instrument(request), request.data);
    if (output.length > request.limits.outputChars) {
      return {
        output: output.slice(0, request.limits.outputChars), values: state.values,
        error: `The rendering is longer than ${request.limits.outputChars.toLocaleString('en')} characters and was cut off: check for a runaway loop.`,
      };
    }
    return { output, values: state.values };
  } catch (error) {
    const aborted = findAbort(error);
    if (aborted) return { output: '', values: [], aborted: aborted.reason };
    return { output: '', values: [], error: describeEngineError(error) };
  }
}

function createEngine(request: RenderRequest, state: RenderState): Liquid {
  const engine = new Liquid({
    ownPropertyOnly: true,
    renderLimit: request.limits.timeMs,
    memoryLimit: request.limits.memory,
    parseLimit: Math.max(request.text.length * 4, 1_000_000),
    strictFilters: false,
    strictVariables: false,
  });
  engine.registerFilter('mw_begin', (value: unknown, id: number) => {
    state.emptyBeforeFilters.set(id, isEmpty(value));
    return value;
  });
  engine.registerFilter('mw_mark', (value: unknown, id: number) => {
    const text = stringify(value);
    const wasEmpty = state.emptyBeforeFilters.get(id) ?? false;
    const kind = text === '' ? 'blank' : wasEmpty ? 'fallback' : 'value';
    state.values.push({ useIndex: id, kind });
    return `${MARK_START}${state.values.length - 1}${MARK_SEPARATOR}${text}${MARK_END}`;
  });
  engine.registerTag('abort_message', {
    parse(token: TagToken) {
      this.reason = /^\(?\s*(['"])([\s\S]*)\1\s*\)?$/.exec(token.args.trim())?.[2] ?? token.args.trim();
    },
    render() {
      throw new SendAborted(this.reason as string);
    },
  });
  // Braze tags that fetch remote content: the preview never goes to the network, so they render nothing.
  for (const name of ['connected_content', 'content_blocks', 'catalog_items', 'promotion']) {
    engine.registerTag(name, { render() { return ''; } });
  }
  return engine;
}

/** Adds the marking filters, and writes aliased or Braze-style references as schema paths. */
function instrument(request: RenderRequest): string {
  const { text, scan } = request;
  const edits: TextEdit[] = [];
  scan.uses.forEach((use, index) => {
    const schemaPath = request.schemaPathOf(index);
    if (schemaPath && schemaPath !== use.path && (use.written === use.path || use.written.includes('${'))) {
      edits.push({ span: use.span, newText: schemaPath });
    } else if (use.written.includes('${')) {
      edits.push({ span: use.span, newText: use.path });
    }
    if (use.context !== 'output' || !text.startsWith('{{', use.tagSpan.start)) return;
    edits.push({ span: { start: use.span.end, end: use.span.end }, newText: ` | mw_begin: ${index}` });
    const close = use.tagSpan.end - (text.charCodeAt(use.tagSpan.end - 3) === 45 /* - */ ? 3 : 2);
    edits.push({ span: { start: close, end: close }, newText: ` | mw_mark: ${index} ` });
  });
  return applyEdits(text, edits);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '' ||
    (Array.isArray(value) && value.length === 0);
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  return String(value);
}

function findAbort(error: unknown): SendAborted | undefined {
  for (let current = error; current; current = (current as { originalError?: unknown }).originalError) {
    if (current instanceof SendAborted) return current;
    if (!(current instanceof Error)) break;
  }
  return undefined;
}

function describeEngineError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/template render limit|renderLimit|time.?out/i.test(message)) return `Rendering took too long and was stopped: check for a loop that never ends. (${message})`;
  if (/memory/i.test(message)) return `Rendering used too much memory and was stopped: check for a loop over a huge range. (${message})`;
  return `liquidjs could not render this template: ${message}`;
}
