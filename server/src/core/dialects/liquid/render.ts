import type { IncludeTag, Liquid, RenderTag, Context, Emitter, TagToken, Template, TopLevelToken } from 'liquidjs';
import { liquidEngine } from '../common/engines';
import {
  MARK_END, MARK_SEPARATOR, MARK_START,
  type IncludeKind, type PreparedRender, type RenderedValue, type RenderRequest, type RenderResult, type RenderTemplate, type TemplateScan, type TextEdit,
} from '../dialect';
import { applyEdits } from '../edits';
import { limitedResult } from '../common/render-support';
import type { Span } from '../../model';

/** Deepest nesting of partials rendered: a partial that includes itself stops here instead of hanging. */
const MAX_INCLUDE_DEPTH = 20;

class SendAborted extends Error {
  constructor(readonly reason: string) {
    super(`abort_message: ${reason}`);
  }
}

/** What one marking id stands for: a use of the template, or of a partial. */
type MarkSite = Omit<RenderedValue, 'kind'>;

interface RenderState {
  /** Per template: each marking id's site; a partial's are added when it is first read. */
  sites: MarkSite[];
  /** Per template: each partial's instrumented text, by its file, so that its uses get their marking ids once. */
  partialTexts: Map<string, string>;
  /** Per rendering, as are the fields below: the marked values, in the order written. */
  values: RenderedValue[];
  emptyBeforeFilters: Map<number, boolean>;
  /** The kinds of the includes being rendered, innermost last: the partial is looked up by the innermost one's kind. */
  includes: IncludeKind[];
  /** The recipient's mocks for connected data. */
  connected: Record<string, unknown> | undefined;
}

/** The parts of a template or partial that instrumenting reads. */
type Source = Pick<RenderRequest, 'text' | 'scan' | 'schemaPathOf'>;

/**
 * Renders with liquidjs. Each field output gets two private filters: `mw_begin` notes whether the
 * raw value was empty, `mw_mark` wraps the final text with the marks the preview reads. Partials
 * come from `request.partial` through a file system of liquidjs's, instrumented the same way.
 */
export function renderLiquid(request: RenderRequest): RenderResult {
  return prepareLiquid(request)(request);
}

/**
 * The template instrumented and parsed once, with one engine; each recipient's rendering then only
 * renders. Partials are parsed once too, on first use, by the kind of include that reads them.
 */
export function prepareLiquid(template: RenderTemplate): PreparedRender {
  const state: RenderState = {
    sites: template.scan.uses.map((_, useIndex) => ({ useIndex })),
    partialTexts: new Map(),
    values: [],
    emptyBeforeFilters: new Map(),
    includes: [],
    connected: undefined,
  };
  const engine = createEngine(template, state);
  let parsed: Template[];
  try {
    parsed = engine.parse(instrument(template, (useIndex) => useIndex, state.sites));
  } catch (error) {
    const failed: RenderResult = { output: '', values: [], error: describeEngineError(error) };
    return () => ({ ...failed, values: [] });
  }
  return (recipient) => {
    state.values = [];
    state.emptyBeforeFilters.clear();
    state.includes.length = 0;
    state.connected = recipient.connected;
    try {
      // As globals, the recipient's fields stay readable inside `{% render %}`, which sees no caller variables.
      const output: string = engine.renderSync(parsed, recipient.data, { globals: recipient.data });
      return limitedResult(output, state.values, template.limits);
    } catch (error) {
      const aborted = findAbort(error);
      if (aborted) return { output: '', values: [], aborted: aborted.reason };
      return { output: '', values: [], error: describeEngineError(error) };
    }
  };
}

function createEngine(request: RenderTemplate, state: RenderState): Liquid {
  const read = (name: string) => partialText(request, state, name);
  // Parsed partials, by the kind of include that reads them and the name (which may resolve to different files per kind).
  const parsedPartials = new Map<string, Template[] | Promise<Template[]>>();
  const partialKey = (key: string) => `${state.includes[state.includes.length - 1] ?? ''}\0${key}`;
  const { Liquid, RenderTag, IncludeTag } = liquidEngine();
  const engine = new Liquid({
    ownPropertyOnly: true,
    renderLimit: request.limits.timeMs,
    memoryLimit: request.limits.memory,
    parseLimit: Math.max(request.text.length * 4, 1_000_000),
    strictFilters: false,
    strictVariables: false,
    // Every name "exists": a partial that resolves to no file renders as nothing, and the rest of the message still renders.
    fs: {
      resolve: (_dir, file) => file,
      exists: async () => true,
      existsSync: () => true,
      readFile: async (name) => read(name),
      readFileSync: read,
    },
    relativeReference: false,
    locale: defaultLocale(),
    cache: {
      read: (key) => parsedPartials.get(partialKey(key)),
      write: (key, value) => { parsedPartials.set(partialKey(key), value); },
      remove: (key) => { parsedPartials.delete(partialKey(key)); },
    },
  });
  engine.registerFilter('mw_begin', (value: unknown, id: number) => {
    state.emptyBeforeFilters.set(id, isEmpty(value));
    return value;
  });
  engine.registerFilter('mw_mark', (value: unknown, id: number) => {
    const text = stringify(value);
    const wasEmpty = state.emptyBeforeFilters.get(id) ?? false;
    const kind = text === '' ? 'blank' : wasEmpty ? 'fallback' : 'value';
    state.values.push({ ...state.sites[id], kind });
    return `${MARK_START}${state.values.length - 1}${MARK_SEPARATOR}${text}${MARK_END}`;
  });
  engine.registerTag('render', partialTag(RenderTag, 'render', state));
  engine.registerTag('include', partialTag(IncludeTag, 'include', state));
  // Braze inserts a content block's text in place, where it sees the message's variables: as an include does.
  engine.registerTag(CONTENT_BLOCK_TAG, partialTag(IncludeTag, 'content-block', state));
  // A block not in the workspace renders nothing; the variables it would set take the recipient file's mocks (`$connected`).
  engine.registerTag(BLOCK_VARIABLES_TAG, {
    parse(token: TagToken) {
      this.block = JSON.parse(token.args) as string;
    },
    render(ctx: Context) {
      const mocks = state.connected;
      if (!mocks || request.partial?.('content-block', this.block as string)) return '';
      for (const source of request.scan.connected?.sources ?? []) {
        if (source.kind === 'content-block' && Object.prototype.hasOwnProperty.call(mocks, source.name)) ctx.bottom()[source.name] = mocks[source.name];
      }
      return '';
    },
  });
  // LiquidDoc (Shopify's `{% doc %}`, which declares a snippet's parameters) renders nothing; liquidjs does not know it.
  engine.registerTag('doc', {
    parse(_token: TagToken, remainTokens: TopLevelToken[]) {
      for (let token = remainTokens.shift(); token; token = remainTokens.shift()) {
        if ((token as TagToken).name === 'enddoc') return;
      }
      throw new Error('tag {% doc %} not closed');
    },
    render() { return ''; },
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
  // Those that keep the response in a variable set it to the sample recipient's mock (`$connected`), or to nothing.
  for (const name of ['content_blocks', 'promotion']) {
    engine.registerTag(name, { render() { return ''; } });
  }
  for (const name of ['connected_content', 'catalog_items', 'catalog_selection_items']) {
    engine.registerTag(name, {
      parse(token: TagToken) {
        this.saved = name === 'connected_content' ? /(?:^|\s):save\s+([A-Za-z_][\w-]*)/.exec(token.args)?.[1] : 'items';
      },
      render(ctx: Context) {
        const saved = this.saved as string | undefined;
        if (saved === undefined) return '';
        const mocks = state.connected;
        ctx.bottom()[saved] = mocks && Object.prototype.hasOwnProperty.call(mocks, saved) ? mocks[saved] : undefined;
        return '';
      },
    });
  }
  return engine;
}

let systemLocale: string | undefined;

/** liquidjs's default locale for dates, the system's: worked out once rather than by every engine. */
function defaultLocale(): string {
  return (systemLocale ??= new Intl.DateTimeFormat().resolvedOptions().locale ?? 'en-US');
}

/** What `{{content_blocks.${name}}}` is rewritten to, so that liquidjs renders the block as a partial. */
const CONTENT_BLOCK_TAG = 'mw_content_block';
/** Follows it: sets the mocked variables of a block that is not in the workspace. */
const BLOCK_VARIABLES_TAG = 'mw_block_variables';

type PartialTagClass = typeof RenderTag | typeof IncludeTag;

/** liquidjs's `render` or `include`, noting which kind of include is looking its partial up, and bounded in depth. */
function partialTag(base: PartialTagClass, kind: IncludeKind, state: RenderState): PartialTagClass {
  // Both take the same constructor arguments and render the same way; TypeScript cannot extend a union.
  return class extends (base as typeof IncludeTag) {
    override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      if (state.includes.length >= MAX_INCLUDE_DEPTH) return;
      state.includes.push(kind);
      try {
        yield* super.render(ctx, emitter);
      } finally {
        state.includes.pop();
      }
    }
  };
}

/**
 * The instrumented text of the partial the innermost include names; empty when it resolves to no
 * file, or when no include asks (liquidjs's `{% layout %}`, which no platform's email has).
 */
function partialText(request: RenderTemplate, state: RenderState, name: string): string {
  const kind = state.includes[state.includes.length - 1];
  const partial = kind && request.partial?.(kind, name);
  if (!partial) return '';
  let text = state.partialTexts.get(partial.file);
  if (text === undefined) {
    const first = state.sites.length;
    partial.scan.uses.forEach((_, useIndex) => state.sites.push({ useIndex, partial: partial.file }));
    text = instrument(partial, (useIndex) => first + useIndex);
    state.partialTexts.set(partial.file, text);
  }
  return text;
}

/**
 * Adds the marking filters (with the id `idOf` gives each use), writes aliased or Braze-style
 * references as schema paths, and turns Braze content blocks into partials.
 */
function instrument(source: Source, idOf: (useIndex: number) => number, sites?: MarkSite[]): string {
  const { text, scan } = source;
  const edits: TextEdit[] = [];
  const blocks = contentBlocks(text, scan);
  for (const block of blocks.values()) {
    const name = JSON.stringify(block.name);
    edits.push({ span: block.tagSpan, newText: `{% ${CONTENT_BLOCK_TAG} ${name} %}{% ${BLOCK_VARIABLES_TAG} ${name} %}` });
  }
  const embedded = embeddedOutputs(text, scan);
  let nextEmbedded = 0;
  const mark = (id: number, valueEnd: number, tagSpan: Span) => {
    edits.push({ span: { start: valueEnd, end: valueEnd }, newText: ` | mw_begin: ${id}` });
    const close = tagSpan.end - (text.charCodeAt(tagSpan.end - 3) === 45 /* - */ ? 3 : 2);
    edits.push({ span: { start: close, end: close }, newText: ` | mw_mark: ${id} ` });
  };
  scan.uses.forEach((use, index) => {
    if (blocks.has(use.tagSpan.start)) return;
    const schemaPath = source.schemaPathOf(index);
    let rewritten: string | undefined;
    if (schemaPath && schemaPath !== use.path && (use.written === use.path || use.written.includes('${'))) rewritten = schemaPath;
    else if (use.written.includes('${')) rewritten = use.path;
    if (rewritten !== undefined) {
      // Uses come in text order, as do the outputs nested in tags: one pass finds each use's.
      while (nextEmbedded < embedded.length && embedded[nextEmbedded].span.end <= use.span.start) nextEmbedded++;
      const hoisted = embedded[nextEmbedded];
      if (hoisted?.hoist && hoisted.span.start <= use.span.start) hoisted.rewrites.push({ span: use.span, newText: rewritten });
      else edits.push({ span: use.span, newText: rewritten });
    }
    if (use.context !== 'output' || !text.startsWith('{{', use.tagSpan.start)) return;
    mark(idOf(index), use.span.end, use.tagSpan);
  });
  // Outputs of connected data are marked as well, so that a value the recipient file does not mock shows as blank.
  if (sites) {
    scan.connected?.uses.forEach((use, index) => {
      if (use.context !== 'output' || !text.startsWith('{{', use.tagSpan.start)) return;
      sites.push({ useIndex: -1, connected: index });
      mark(sites.length - 1, use.span.end, use.tagSpan);
    });
  }
  // Braze's own values (`${braze_id}`, `campaign.${name}`): shown by name, as liquidjs cannot read `${…}`.
  for (const system of scan.systemUses ?? []) {
    if (system.written.includes('${')) edits.push({ span: system.span, newText: JSON.stringify(`(${system.written})`) });
  }
  // Brackets grouping a condition's parts, which Liquid passes over and liquidjs would read as a range.
  for (const offset of scan.conditionBrackets ?? []) edits.push({ span: { start: offset, end: offset + 1 }, newText: ' ' });
  embedded.forEach((output, index) => {
    const { span, inner } = output;
    if (!output.hoist) {
      // In `assign`, `echo` and Braze's tags the output's text stands in place, filters and all.
      edits.push({ span: { start: span.start, end: inner.start }, newText: '' });
      edits.push({ span: { start: inner.end, end: span.end }, newText: '' });
      return;
    }
    // A condition cannot take filters: the value is assigned first, as Braze renders the output first.
    const name = `mw_nested_${index}`;
    const value = applyEdits(text.slice(inner.start, inner.end),
      output.rewrites.map((edit) => ({ span: { start: edit.span.start - inner.start, end: edit.span.end - inner.start }, newText: edit.newText })));
    edits.push({ span: { start: output.hoistAt, end: output.hoistAt }, newText: `{% assign ${name} = ${value} %}` });
    edits.push({ span, newText: name });
  });
  return applyEdits(text, edits);
}

interface EmbeddedOutput {
  span: Span;
  /** Between `{{` and `}}` (and their `-`). */
  inner: Span;
  /** Its filters are moved into an `assign` at this offset, since the tag cannot take them. */
  hoist: boolean;
  hoistAt: number;
  /** The rewrites of the uses inside a hoisted output. */
  rewrites: TextEdit[];
}

/** Tags whose markup is a condition, where liquidjs takes no filters. */
const CONDITION_TAGS = new Set(['if', 'elsif', 'unless', 'case', 'when']);
/** Tags that only run when their block gets there: a value they need is assigned at the top instead. */
const INNER_BRANCH_TAGS = new Set(['elsif', 'when']);

/**
 * Braze renders an output inside a tag (`{% if {{${first_name}}} != blank %}`) before the tag, which
 * reads its value. liquidjs cannot parse that: the braces go, and where the tag is a condition and
 * the output has filters, its value is assigned just before (before the whole template for `elsif`
 * and `when`, whose own place only runs when an earlier branch was taken).
 */
function embeddedOutputs(text: string, scan: TemplateScan): EmbeddedOutput[] {
  return (scan.embeddedOutputs ?? []).map((span) => {
    const innerStart = span.start + (text.charCodeAt(span.start + 2) === 45 /* - */ ? 3 : 2);
    const innerEnd = span.end - (text.charCodeAt(span.end - 3) === 45 ? 3 : 2);
    const tagStart = text.lastIndexOf('{%', span.start);
    const tag = /^\{%-?\s*(\w+)/.exec(text.slice(tagStart, tagStart + 40))?.[1] ?? '';
    const filtered = text.slice(innerStart, innerEnd).includes('|');
    const hoist = tagStart !== -1 && filtered && CONDITION_TAGS.has(tag);
    return { span, inner: { start: innerStart, end: innerEnd }, hoist, hoistAt: INNER_BRANCH_TAGS.has(tag) ? 0 : tagStart, rewrites: [] };
  });
}

const CONTENT_BLOCKS = 'content_blocks.';

/**
 * Braze's `{{content_blocks.${name}}}` tags, by the tag's start: include sites when the scan lists
 * them, and outputs of `content_blocks.name` (as scans without include sites read them).
 */
function contentBlocks(text: string, scan: TemplateScan): Map<number, { name: string; tagSpan: Span }> {
  const blocks = new Map<number, { name: string; tagSpan: Span }>();
  for (const site of scan.includes ?? []) {
    if (site.kind === 'content-block' && site.name !== null) blocks.set(site.tagSpan.start, { name: site.name, tagSpan: site.tagSpan });
  }
  for (const use of scan.uses) {
    if (use.context === 'output' && use.path.startsWith(CONTENT_BLOCKS) && use.written.includes('${') &&
      text.startsWith('{{', use.tagSpan.start) && !blocks.has(use.tagSpan.start)) {
      blocks.set(use.tagSpan.start, { name: use.path.slice(CONTENT_BLOCKS.length), tagSpan: use.tagSpan });
    }
  }
  return blocks;
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
