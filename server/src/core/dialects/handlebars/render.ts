import type Handlebars from 'handlebars';
import { handlebarsEngine } from '../common/engines';
import {
  MARK_END, MARK_SEPARATOR, MARK_START,
  type Dialect, type PreparedRender, type RenderedValue, type RenderPartial, type RenderRequest, type RenderTemplate, type TemplateScan, type TextEdit,
} from '../dialect';
import { applyEdits } from '../edits';
import { limitedResult } from '../common/render-support';
import { connectedMockValue } from '../common/connected-data';
import { blockHelper, inlineHelper, type HandlebarsFlavor } from './flavor';
import { tagShape } from './tags';

export type HandlebarsEnvironment = typeof Handlebars;
export type HelperOptions = Handlebars.HelperOptions;

/** Stops a rendering that runs too long or writes too much; helpers call `check` as they go. */
export class RenderBudget {
  private deadline: number;
  private written = 0;

  constructor(private readonly timeMs: number, private readonly outputChars: number) {
    this.deadline = Date.now() + timeMs;
  }

  /** A new rendering: the whole budget again. */
  restart(): void {
    this.deadline = Date.now() + this.timeMs;
    this.written = 0;
  }

  check(): void {
    if (Date.now() > this.deadline) throw new RenderLimitError(`Rendering took longer than ${this.timeMs} ms and was stopped: check for a loop over a huge list.`);
  }

  add(chars: number): void {
    this.written += chars;
    if (this.written > this.outputChars * 2) {
      throw new RenderLimitError(`The rendering grew past ${this.outputChars.toLocaleString('en')} characters and was stopped: check for nested loops over large lists.`);
    }
  }
}

export class RenderLimitError extends Error {}

/** Deepest nesting of partials rendered: a partial that includes itself stops here instead of hanging. */
const MAX_INCLUDE_DEPTH = 20;

/** What one `mw_mark` id stands for: a use of the template, or of a partial. */
type MarkSite = Omit<RenderedValue, 'kind'>;

const COMPILE_OPTIONS: CompileOptions = { strict: false, compat: false };
type CompileOptions = Parameters<HandlebarsEnvironment['compile']>[1];

const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};

/** The Handlebars built-ins; those a platform lacks are removed so the preview fails where the platform would. */
const BUILT_INS = ['if', 'unless', 'each', 'with', 'lookup', 'log'];

/**
 * A Handlebars-family dialect's `render` and `prepareRender`: handlebars.js with the platform's helper shims.
 * Each field output `{{x}}` / `{{helper x …}}` becomes `{{mw_mark id (helper x …) x}}`, which wraps
 * the text with the marks the preview reads and tells a fallback (raw value empty, text not) from a
 * blank. Prototype access stays off, and every loop iteration checks the time and size budget.
 * Partials and snippets come from `request.partial`, marked the same way.
 */
export function handlebarsRendering(
  flavor: HandlebarsFlavor,
  registerHelpers: (env: HandlebarsEnvironment, budget: RenderBudget) => void,
): Pick<Dialect, 'render' | 'prepareRender'> {
  const prepareRender = (template: RenderTemplate) => prepareHandlebarsFamily(template, flavor, registerHelpers);
  return { render: (request) => prepareRender(request)(request), prepareRender };
}

/** What one rendering writes into, reset for each recipient. */
interface RenderState {
  values: RenderedValue[];
  connected: Record<string, unknown> | undefined;
}

/**
 * The environment, helpers and partials set up and the template compiled once (handlebars.js compiles
 * on the first rendering and keeps it); each recipient's rendering then only runs it, with the budget restarted.
 */
function prepareHandlebarsFamily(
  template: RenderTemplate,
  flavor: HandlebarsFlavor,
  registerHelpers: (env: HandlebarsEnvironment, budget: RenderBudget) => void,
): PreparedRender {
  const state: RenderState = { values: [], connected: undefined };
  const sites: MarkSite[] = template.scan.uses.map((_, useIndex) => ({ useIndex }));
  const budget = new RenderBudget(template.limits.timeMs, template.limits.outputChars);
  const env = handlebarsEngine().create();
  for (const name of BUILT_INS) {
    if (blockHelper(flavor, name) || inlineHelper(flavor, name)) continue;
    env.registerHelper(name, () => {
      throw new Error(`${flavor.platform} has no \`${name}\` helper`);
    });
  }
  guardLoops(env, budget);
  registerHelpers(env, budget);
  env.registerHelper('mw_mark', function markHelper(this: unknown, id: number, ...rest: unknown[]) {
    budget.check();
    const args = rest.slice(0, -1);
    const value = args[0];
    const safe = isSafeString(value);
    const text = safe ? (value as { toHTML(): string }).toHTML() : stringify(value);
    const rawEmpty = args.length > 1 ? (flavor.emptyValue ?? isEmptyValue)(args[1]) : false;
    state.values.push({ ...sites[id], kind: text === '' ? 'blank' : rawEmpty ? 'fallback' : 'value' });
    budget.add(text.length);
    const marked = `${MARK_START}${state.values.length - 1}${MARK_SEPARATOR}${text}${MARK_END}`;
    return safe ? new env.SafeString(marked) : marked;
  });
  if (flavor.fillConnected) registerConnectedReads(env, template, state, budget);
  let compiled: { run: Handlebars.TemplateDelegate; partials: RenderPartial[] };
  try {
    const partials = includePartials(env, template, flavor, sites);
    let instrumented = instrument(template.text, template.scan, (useIndex) => useIndex);
    if (flavor.fillConnected) instrumented = flavor.fillConnected(instrumented, template.scan);
    compiled = { run: env.compile(forHandlebars(flavor, instrumented), COMPILE_OPTIONS), partials };
  } catch (error) {
    const failed = describeFailure(error, flavor);
    return () => ({ output: '', values: [], error: failed });
  }
  return (recipient) => {
    state.values = [];
    state.connected = recipient.connected;
    budget.restart();
    try {
      const output = compiled.run(buildView(template, recipient.data, compiled.partials, flavor), RUNTIME_OPTIONS);
      return limitedResult(output, state.values, template.limits);
    } catch (error) {
      return { output: '', values: [], error: describeFailure(error, flavor) };
    }
  };
}

function describeFailure(error: unknown, flavor: HandlebarsFlavor): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RenderLimitError) return message;
  // A call of a helper nobody registered: handlebars.js says `Missing helper: "x"`, or, when a value
  // of the data has the helper's name, fails calling it (`(lookupProperty(...) …).call is not a function`).
  const missing = /^Missing helper: "([^"]+)"/.exec(message);
  if (missing || (error instanceof TypeError && /\.call is not a function/.test(message))) {
    const called = missing ? `\`${missing[1]}\`, a helper` : 'a helper';
    return `${flavor.platform} could not render this template: it calls ${called} the platform does not have (the syntax-error findings name it)` +
      (flavor.id === 'handlebars' ? '. An application\'s own helpers are declared in mergewise.json: "handlebars": {"helpers": ["name"]}.' : '.');
  }
  const lines = message.split('\n').filter((line) => line.trim() !== '' && !/^-*\^$/.test(line.trim()));
  const summary = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0] ?? message;
  return `${flavor.platform} could not render this template (handlebars.js: ${summary}).`;
}

/**
 * The helpers a flavor's `fillConnected` calls: `mw_connected N` writes the sample recipient's mock for
 * the template's N-th read of connected data, marked (blank without a mock: the preview never
 * fetches); `mw_connected_value N` gives the value itself, for a tag to use.
 */
function registerConnectedReads(env: HandlebarsEnvironment, template: RenderTemplate, state: RenderState, budget: RenderBudget): void {
  const mockOf = (read: number): unknown => {
    const connected = template.scan.connected;
    const use = connected?.uses[read];
    return use ? connectedMockValue(state.connected, connected!.sources[use.source], use).value : undefined;
  };
  env.registerHelper('mw_connected_value', (read: number) => mockOf(read));
  env.registerHelper('mw_connected', (read: number) => {
    budget.check();
    const value = mockOf(read);
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : stringify(value);
    state.values.push({ useIndex: -1, connected: read, kind: text === '' ? 'blank' : 'value' });
    budget.add(text.length);
    return new env.SafeString(`${MARK_START}${state.values.length - 1}${MARK_SEPARATOR}${text.replace(/[\uE000-\uE002]/g, '')}${MARK_END}`);
  });
}

/** The instrumented template as handlebars.js reads it: the flavor's own syntax rewritten. */
function forHandlebars(flavor: HandlebarsFlavor, text: string): string {
  return flavor.toHandlebars ? flavor.toHandlebars(text) : text;
}

/** Every `each` iteration checks the budget, so nested loops over large lists stop in time. */
function guardLoops(env: HandlebarsEnvironment, budget: RenderBudget): void {
  const each = env.helpers.each as ((this: unknown, context: unknown, options: HelperOptions) => string) | undefined;
  if (!each) return;
  env.registerHelper('each', function guardedEach(this: unknown, context: unknown, options: HelperOptions) {
    const fn = Object.assign((item: unknown, frame?: unknown) => {
      budget.check();
      const text = options.fn(item, frame as Handlebars.RuntimeOptions);
      budget.add(text.length);
      return text;
    }, options.fn);
    return each.call(this, context, { ...options, fn });
  });
}

/**
 * Registers `{{> name}}` for each partial the template's include sites (and those of the partials
 * they reach) name, and the flavor's `snippet` helper, to render them from `request.partial`, each
 * compiled once with its outputs marked. Returns the partials registered.
 */
function includePartials(env: HandlebarsEnvironment, request: RenderTemplate, flavor: HandlebarsFlavor, sites: MarkSite[]): RenderPartial[] {
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  let depth = 0;
  const run = (partial: RenderPartial, context: unknown, options?: Handlebars.RuntimeOptions): string => {
    if (depth >= MAX_INCLUDE_DEPTH) return '';
    let template = compiled.get(partial.file);
    if (!template) {
      const first = sites.length;
      partial.scan.uses.forEach((_, useIndex) => sites.push({ useIndex, partial: partial.file }));
      template = env.compile(forHandlebars(flavor, instrument(partial.text, partial.scan, (useIndex) => first + useIndex)), COMPILE_OPTIONS);
      compiled.set(partial.file, template);
    }
    depth++;
    try {
      return template(context, options);
    } finally {
      depth--;
    }
  };

  const registered: RenderPartial[] = [];
  const names = new Set<string>();
  const register = (scan: TemplateScan) => {
    for (const site of scan.includes ?? []) {
      if (site.kind !== 'partial' || site.name === null || names.has(site.name)) continue;
      const partial = request.partial?.('partial', site.name);
      names.add(site.name);
      // A partial that resolves to no file renders as nothing, so that the rest of the message still renders.
      env.registerPartial(site.name, (context: unknown, options?: Handlebars.RuntimeOptions) => (partial ? run(partial, context, options) : ''));
      if (partial) {
        registered.push(partial);
        register(partial.scan);
      }
    }
  };
  register(request.scan);

  if (inlineHelper(flavor, 'snippet') && request.partial) {
    const find = request.partial;
    env.registerHelper('snippet', function snippet(this: unknown, name: unknown, ...rest: unknown[]) {
      const { values, options } = splitArguments(rest);
      const partial = find('snippet', stringify(name));
      if (!partial) return '';
      // A snippet reads its positional arguments by the names it declares, in order, beside the recipient's fields.
      const parameters = values.map((value, index) => [partial.scan.parameters?.[index]?.name ?? String(index), value]);
      const context = { ...(this as object), ...Object.fromEntries(parameters) };
      return new env.SafeString(run(partial, context, { ...RUNTIME_OPTIONS, data: options.data }));
    });
  }
  return registered;
}

/** Rewrites each field output to go through `mw_mark`, with the id `idOf` gives its use. */
export function instrument(text: string, scan: TemplateScan, idOf: (useIndex: number) => number): string {
  const edits: TextEdit[] = [];
  const marked = new Set<number>();
  scan.uses.forEach((use, index) => {
    if (use.context !== 'output' || marked.has(use.tagSpan.start)) return;
    const shape = tagShape(text, use.tagSpan);
    if (!shape || shape.kind !== 'output') return;
    marked.add(use.tagSpan.start);
    const expression = text.slice(shape.contentStart, shape.contentEnd).trim();
    const id = idOf(index);
    const call = expression === use.written
      ? `mw_mark ${id} ${use.written}`
      : `mw_mark ${id} (${expression}) ${use.written}`;
    edits.push({ span: { start: shape.contentStart, end: shape.contentEnd }, newText: ` ${call} ` });
  });
  return applyEdits(text, edits);
}

/**
 * The data as the template reads it: the recipient's data, plus each aliased field copied to the
 * path the template (or a partial) writes (`Recipient.FirstName` from `customer.first_name`, item by
 * item through lists), plus placeholders for what the platform fills in itself.
 */
function buildView(template: RenderTemplate, data: Record<string, unknown>, partials: RenderPartial[], flavor: HandlebarsFlavor): Record<string, unknown> {
  const view = cloneJson(data) as Record<string, unknown>;
  for (const source of [template, ...partials]) copyAliases(data, view, source);
  for (const [name, value] of Object.entries(flavor.platformValues?.() ?? {})) {
    if (getPath(view, name) === undefined) setPath(view, name, value);
  }
  return view;
}

function copyAliases(data: Record<string, unknown>, view: Record<string, unknown>, source: Pick<RenderRequest, 'scan' | 'schemaPathOf'>): void {
  source.scan.uses.forEach((use, index) => {
    let from = source.schemaPathOf(index);
    if (!from) return;
    const to = use.path;
    if (to.endsWith('[]') && !from.endsWith('[]')) from += '[]';
    if (from === to || to.startsWith(`${from}.`) || to.startsWith(`${from}[`)) return;
    const fromParts = from.split('[]');
    const toParts = to.split('[]');
    if (fromParts.length !== toParts.length) return;
    copyAliased(data, view, fromParts, toParts);
  });
}

function copyAliased(source: unknown, target: unknown, fromParts: string[], toParts: string[]): void {
  const value = getPath(source, fromParts[0]);
  if (value === undefined) return;
  if (fromParts.slice(1).every((part) => part === '' || part === '.')) {
    if (getPath(target, toParts[0]) === undefined) setPath(target, toParts[0], cloneJson(value));
    return;
  }
  if (!Array.isArray(value)) return;
  let list = getPath(target, toParts[0]);
  if (!Array.isArray(list)) {
    list = value.map(() => ({}));
    if (!setPath(target, toParts[0], list)) return;
  }
  const items = list as unknown[];
  value.forEach((item, index) => {
    if (items[index] === undefined || items[index] === null) items[index] = {};
    if (typeof items[index] === 'object') copyAliased(item, items[index], fromParts.slice(1).map(stripDot), toParts.slice(1).map(stripDot));
  });
}

function stripDot(part: string): string {
  return part.startsWith('.') ? part.slice(1) : part;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export function getPath(root: unknown, path: string): unknown {
  let node = root;
  for (const segment of path === '' ? [] : path.split('.')) {
    if (node === null || typeof node !== 'object' || FORBIDDEN.has(segment) || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function setPath(root: unknown, path: string, value: unknown): boolean {
  const segments = path.split('.');
  if (segments.some((segment) => FORBIDDEN.has(segment) || segment === '')) return false;
  let node = root as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined;
    if (next === undefined || next === null) node[segment] = {};
    else if (typeof next !== 'object') return false;
    node = node[segment] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]] = value;
  return true;
}

function cloneJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function isSafeString(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { toHTML?: unknown }).toHTML === 'function';
}

/** What handlebars.js writes for a value (`escapeExpression` before escaping). */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (!value) return `${value}`;
  return String(value);
}

/** Empty as the platforms mean it: nothing, `""`, `false`, or an empty list. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '' ||
    (Array.isArray(value) && value.length === 0);
}

/** A block helper's branch, or its truth value when it is used as a `(subexpression)`. */
export function branch(context: unknown, condition: boolean, options: HelperOptions): unknown {
  if (typeof options?.fn !== 'function') return condition;
  return condition ? options.fn(context) : options.inverse(context);
}

/** The helper's `options`, always the last argument, and the values before it. */
export function splitArguments(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}
