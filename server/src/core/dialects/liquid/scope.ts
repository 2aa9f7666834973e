/**
 * What names mean at a point of a Liquid template: loop variables, locals (`assign`, `capture`,
 * `increment`, Braze's `connected_content`), and locals that carry a field. Resolving a written path
 * through them is remembered until its first name changes meaning: a large template writes the same
 * few dozen paths thousands of times, and loops rebind only their own variable.
 */
export interface ResolvedReference {
  path: string;
  /** A trailing `.size` was stripped from the path. */
  size: boolean;
}

/** Paths remembered at most, so that a template of countless distinct paths holds no more. */
const MAX_REMEMBERED = 1024;

export class LiquidScope {
  /** Loop variable to the path of the array's item: `item` -> `cart.items[]`. */
  private readonly loopBindings = new Map<string, string>();
  private readonly locals = new Set<string>(['forloop', 'tablerowloop']);
  /** Locals assigned straight from a field that may be empty: local name to field path. */
  private readonly assignedFields = new Map<string, string>();
  /** Locals assigned from a field with a fallback (`| default: "there"`): what a snippet passed them reads. */
  private readonly fallbacksCarried = new Map<string, { path: string; fallback: string }>();
  /** Written path to its resolution (null for a local) while its first name keeps its meaning. */
  private readonly resolved = new Map<string, ResolvedReference | null>();
  /** The remembered paths by their first name, to forget only those a change of that name affects. */
  private readonly resolvedByRoot = new Map<string, string[]>();
  /** Locals that hold connected data (`connected_content`'s `:save`, `catalog_items`' `items`): local name to its source's index. */
  private readonly connected = new Map<string, number>();

  /** A local that holds no field: `increment`, a loop over something unknown. */
  declareLocal(name: string): void {
    this.locals.add(name);
    this.connected.delete(name);
    this.forget(name);
  }

  /** A local that holds data fetched at send time: its reads are connected data, not fields. */
  declareConnected(name: string, source: number): void {
    this.locals.add(name);
    this.loopBindings.delete(name);
    this.assignedFields.delete(name);
    this.fallbacksCarried.delete(name);
    this.forget(name);
    this.connected.set(name, source);
  }

  /** The connected data source a written path reads, when its first name holds connected data. */
  connectedSource(written: string): number | undefined {
    if (this.connected.size === 0) return undefined;
    const root = written.slice(0, firstSeparator(written));
    return this.loopBindings.has(root) ? undefined : this.connected.get(root);
  }

  /** The name is neither a local nor a loop variable here: the template itself never gave it a value. */
  isUnbound(root: string): boolean {
    return !this.locals.has(root) && !this.loopBindings.has(root);
  }

  /** `{% capture name %}`: a local, whatever it held before. */
  capture(name: string): void {
    this.locals.add(name);
    this.connected.delete(name);
    this.assignedFields.delete(name);
    this.fallbacksCarried.delete(name);
    this.forget(name);
  }

  /**
   * `{% assign name = … %}`; `carriedField` when the value is a field that may be empty, as it is;
   * `withFallback` when it is a field with a fallback.
   */
  assign(name: string, carriedField: string | undefined, withFallback?: { path: string; fallback: string }): void {
    this.locals.add(name);
    this.loopBindings.delete(name);
    this.connected.delete(name);
    if (carriedField === undefined) this.assignedFields.delete(name);
    else this.assignedFields.set(name, carriedField);
    if (withFallback === undefined) this.fallbacksCarried.delete(name);
    else this.fallbacksCarried.set(name, withFallback);
    this.forget(name);
  }

  /** The field and fallback a local was assigned, when it was assigned a field with a fallback. */
  fallbackCarried(name: string): { path: string; fallback: string } | undefined {
    return this.fallbacksCarried.get(name);
  }

  /** Every local assigned here, with the field it carries (and its fallback), or null: what an `{% include %}` sees. */
  visibleLocals(): Record<string, { path: string; fallback: string | null } | null> {
    const visible: Record<string, { path: string; fallback: string | null } | null> = {};
    for (const name of this.locals) {
      if (name === 'forloop' || name === 'tablerowloop' || this.loopBindings.has(name)) continue;
      const field = this.assignedFields.get(name);
      visible[name] = field !== undefined ? { path: field, fallback: null } : this.fallbacksCarried.get(name) ?? null;
    }
    return visible;
  }

  /** Every loop variable bound here, with the array item it stands for: what an `{% include %}` sees. */
  loopVariables(): Record<string, string> {
    return Object.fromEntries(this.loopBindings);
  }

  /** The array item a loop variable stands for, if it does. */
  loopBinding(variable: string): string | undefined {
    return this.loopBindings.get(variable);
  }

  /** Binds a loop variable to an array's item, or unbinds it (undefined). */
  bindLoopVariable(variable: string, itemPath: string | undefined): void {
    if (itemPath === undefined) this.loopBindings.delete(variable);
    else this.loopBindings.set(variable, itemPath);
    this.forget(variable);
  }

  /** Resolves a written path through loop variables and locals; undefined for locals. */
  resolve(written: string): ResolvedReference | undefined {
    let reference = this.resolved.get(written);
    if (reference === undefined) {
      reference = this.resolveNow(written);
      if (this.resolved.size >= MAX_REMEMBERED) {
        this.resolved.clear();
        this.resolvedByRoot.clear();
      }
      this.resolved.set(written, reference);
      const root = written.slice(0, firstSeparator(written));
      const withRoot = this.resolvedByRoot.get(root);
      if (withRoot) withRoot.push(written);
      else this.resolvedByRoot.set(root, [written]);
    }
    return reference ?? undefined;
  }

  /** Drops what was resolved through `name`: `name` itself, `name.…` and `name[…]`. */
  private forget(name: string): void {
    const withRoot = this.resolvedByRoot.get(name);
    if (!withRoot) return;
    for (const written of withRoot) this.resolved.delete(written);
    this.resolvedByRoot.delete(name);
  }

  private resolveNow(written: string): ResolvedReference | null {
    const rootEnd = firstSeparator(written);
    const root = written.slice(0, rootEnd);
    let path: string;
    const binding = this.loopBindings.get(root);
    if (binding !== undefined) path = binding + written.slice(rootEnd);
    else if (rootEnd === written.length && this.assignedFields.has(root)) path = this.assignedFields.get(root) as string;
    else if (this.locals.has(root)) return null;
    else path = written;
    // Liquid's array accessors: `.first`/`.last` are an item, a trailing `.size` a count.
    if (path.includes('.first') || path.includes('.last')) path = path.replace(/\.(first|last)(?=\.|\[|$)/g, '[]');
    const size = path.endsWith('.size');
    if (size) path = path.slice(0, -'.size'.length);
    return { path, size };
  }
}

/** The first name of a path: `region` of `region.code` and of `region[0]`. */
export function rootName(path: string): string {
  return path.slice(0, firstSeparator(path));
}

function firstSeparator(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 46 || c === 91) return i;
  }
  return path.length;
}
