/**
 * What a partial's names mean where one sending template pulls it in: its parameters are the
 * caller's data (`name` is `customer.first_name`), its own names continue the caller's current
 * context (Handlebars inside `{{#each items}}`), and the caller's conditionals guard it. A partial
 * is analysed once per distinct context, with its uses rewritten into the sending template's terms.
 */
import type { FieldUse, IncludeSite, ParameterDeclaration, TemplateScan } from '../dialects/dialect';

export interface Binding {
  /** The sending template's data path; null when the value is a literal or a local, not recipient data. */
  path: string | null;
  fallback: string | null;
}

export interface CallContext {
  /** Names the partial reads, to what the sending template gives them. */
  bindings: Map<string, Binding>;
  /** The path the partial's own names continue (Handlebars partials see the caller's current context). */
  contextPath?: string;
  /** Data paths, in the sending template's terms, that a conditional around the include checks. */
  guards: Set<string>;
  /**
   * The partial sees only what is passed (`{% render %}`): a parameter it declares that this include
   * does not pass is blank here, not the recipient's field of that name.
   */
  isolated?: boolean;
}

/** A partial read on its own: its declared parameters are bound to nothing the schema knows. */
export function contextOfDeclarations(parameters: ParameterDeclaration[] | undefined): CallContext {
  const bindings = new Map<string, Binding>();
  for (const parameter of parameters ?? []) bindings.set(parameter.name, { path: null, fallback: null });
  return { bindings, guards: new Set() };
}

export const TOP_LEVEL: CallContext = { bindings: new Map(), guards: new Set() };

/** A path the partial writes, in the sending template's terms; null when it names a literal or a local. */
export function mapPath(context: CallContext, written: string): { path: string; fallback: string | null } | null {
  const rootEnd = firstSeparator(written);
  const binding = context.bindings.get(written.slice(0, rootEnd));
  if (binding) return binding.path === null ? null : { path: binding.path + written.slice(rootEnd), fallback: binding.fallback };
  if (context.contextPath !== undefined) return { path: `${context.contextPath}.${written}`, fallback: null };
  return { path: written, fallback: null };
}

/** The context of the partial that `site`, written in a partial read in `outer`, pulls in. */
export function innerContext(outer: CallContext, site: IncludeSite): CallContext {
  // A partial that shares the caller's scope sees every name the caller sees; an isolated one
  // (`{% render %}`) only what is passed.
  const bindings = new Map<string, Binding>(site.sharesScope ? outer.bindings : undefined);
  for (const [name, carried] of Object.entries(site.locals ?? {})) {
    const mapped = carried && mapPath(outer, carried.path);
    bindings.set(name, mapped ? { path: mapped.path, fallback: carried.fallback ?? mapped.fallback } : { path: null, fallback: null });
  }
  for (const [variable, itemPath] of Object.entries(site.loopVariables ?? {})) {
    bindings.set(variable, mapPath(outer, itemPath) ?? { path: null, fallback: null });
  }
  for (const argument of site.parameters) {
    const mapped = argument.path === null ? null : mapPath(outer, argument.path);
    bindings.set(argument.name, mapped
      ? { path: mapped.path, fallback: argument.fallback ?? mapped.fallback }
      : { path: null, fallback: argument.fallback });
  }
  const guards = new Set(outer.guards);
  for (const guard of site.guards) {
    const mapped = mapPath(outer, guard);
    if (mapped) guards.add(mapped.path);
  }
  const inner: CallContext = { bindings, guards };
  if (!site.sharesScope) inner.isolated = true;
  const contextPath = site.contextPath !== undefined ? mapPath(outer, site.contextPath)?.path : site.sharesScope ? outer.contextPath : undefined;
  if (contextPath !== undefined) inner.contextPath = contextPath;
  return inner;
}

/** Identifies contexts that give a partial the same analysis, so that it is analysed once for all of them. */
export function contextKey(context: CallContext): string {
  const bindings = [...context.bindings].map(([name, b]) => `${name}=${b.path ?? '∅'}|${b.fallback ?? ''}`).sort();
  return `${bindings.join(',')};${context.contextPath ?? ''};${[...context.guards].sort().join(',')};${context.isolated ? 'isolated' : ''}`;
}

/**
 * The partial's scan with its uses rewritten into the sending template's terms: mapped paths,
 * fallbacks passed as parameters, and the caller's guards. Uses of literals and locals are left out.
 * Spans stay the partial's own, so findings point into its file.
 */
export function scanInContext(scan: TemplateScan, context: CallContext): TemplateScan {
  const unpassed = context.isolated ? scan.parameters?.filter((parameter) => !context.bindings.has(parameter.name)) ?? [] : [];
  if (context.bindings.size === 0 && context.contextPath === undefined && context.guards.size === 0 && unpassed.length === 0) return scan;
  if (unpassed.length) context = { ...context, bindings: new Map([...context.bindings, ...unpassed.map((p): [string, Binding] => [p.name, { path: null, fallback: null }])]) };
  const uses: FieldUse[] = [];
  for (const use of scan.uses) {
    const mapped = mapPath(context, use.path);
    if (!mapped) continue;
    uses.push({
      ...use,
      path: mapped.path,
      fallback: use.fallback ?? mapped.fallback,
      guarded: use.guarded || context.guards.has(mapped.path),
    });
  }
  return { ...scan, uses };
}

function firstSeparator(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 46 || c === 91) return i;
  }
  return path.length;
}
