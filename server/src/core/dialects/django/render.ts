/**
 * Preview rendering for the Django-style dialects: evaluates the same tree the scanner reads.
 *
 * Neither Klaviyo's Django nor HubSpot's Jinjava runs in Node, and liquidjs differs from both in
 * filter syntax (`|default:'x'` with no space, `|default('x')`), `elif`, `with`, `set`, inline `if`
 * and Python truthiness, so a small evaluator of the common subset is closer to what recipients get.
 * It never touches prototypes (own properties only), and counts steps and allocations against the
 * request's limits. `{% include %}` renders the partial from `request.partial` in the current context.
 */
import type { RenderRequest, RenderResult } from '../dialect';
import { dataPathOf, isEmptyValue, member, renderWithLimits, valueAtPath, valueAtSegments, type RenderOutput } from '../common/render-support';
import { toDate } from '../common/format';
import type { Expr, ForNode, Node, PathExpr, TagNode } from './ast';
import { applyFilter, textOf, truthy } from './filters';
import type { DjangoFlavor } from './flavor';
import { parseTemplate, silentSink } from './template-parser';

export function renderDjango(request: RenderRequest, flavor: DjangoFlavor): RenderResult {
  return renderWithLimits(request, flavor.platform, (out) => {
    const nodes = parseTemplate(request.text, flavor, silentSink());
    new Evaluator(request, flavor, out).render(nodes);
  });
}

/** Marks a binding whose value is `undefined`, so that the lookup does not go on to outer scopes. */
const UNSET = Symbol('unset');

/** Deepest nesting of includes rendered: a partial that includes itself stops here instead of hanging. */
const MAX_INCLUDE_DEPTH = 20;

class Evaluator {
  /** Use index by the start of its reference. */
  private readonly useAt = new Map<number, number>();
  /** The use a `{{ … }}` shows, by the tag's start. */
  private readonly outputUseAt = new Map<number, number>();
  private readonly now = new Date();

  /** `scopes` and `depth` are the caller's, for an included partial's evaluator. */
  constructor(
    private readonly request: RenderRequest,
    private readonly flavor: DjangoFlavor,
    private readonly out: RenderOutput,
    private readonly scopes: Map<string, unknown>[] = [new Map()],
    private readonly depth = 0,
  ) {
    request.scan.uses.forEach((use, index) => {
      if (!this.useAt.has(use.span.start)) this.useAt.set(use.span.start, index);
      if (use.context === 'output' && !this.outputUseAt.has(use.tagSpan.start)) this.outputUseAt.set(use.tagSpan.start, index);
    });
  }

  render(nodes: Node[]): void {
    for (const node of nodes) {
      this.out.step();
      switch (node.kind) {
        case 'text':
          this.out.text(this.request.text.slice(node.start, node.end));
          break;
        case 'output':
          this.renderOutput(node.expr, node.tagSpan.start);
          break;
        case 'if':
          for (const branch of node.branches) {
            if (!branch.test || truthy(this.evaluate(branch.test))) {
              this.render(branch.body);
              break;
            }
          }
          break;
        case 'for':
          this.renderFor(node);
          break;
        case 'with': {
          const scope = new Map<string, unknown>();
          for (const binding of node.bindings) scope.set(binding.name, this.stored(binding.value ? this.evaluate(binding.value) : undefined));
          this.scopes.push(scope);
          this.render(node.body);
          this.scopes.pop();
          break;
        }
        case 'set':
          for (const binding of node.bindings) {
            const value = binding.value ? this.evaluate(binding.value) : undefined;
            if (typeof value === 'string') this.out.allocate(value.length);
            this.scopes[this.scopes.length - 1].set(binding.name, this.stored(value));
          }
          break;
        case 'tag': {
          if (node.name === 'include') {
            this.renderInclude(node);
            break;
          }
          if (node.captures) {
            const body = node.body ?? [];
            const captured = this.out.capture(() => this.render(body));
            this.out.allocate(captured.length);
            this.scopes[this.scopes.length - 1].set(node.captures, captured);
            break;
          }
          const args = node.args.map((arg) => this.evaluate(arg));
          this.out.text(this.flavor.renderTag(node.name, args));
          if (node.body) this.render(node.body);
          break;
        }
      }
    }
  }

  /**
   * `{% include "x.html" name=value %}`: the partial sees the caller's variables and the named values.
   * Django and Jinjava refuse a partial they cannot find; the preview renders the rest of the message.
   */
  private renderInclude(node: TagNode): void {
    const name = node.args[0] ? this.evaluate(node.args[0]) : undefined;
    const partial = typeof name === 'string' ? this.request.partial?.('include', name) : undefined;
    if (!partial || this.depth >= MAX_INCLUDE_DEPTH) return;
    const scope = new Map<string, unknown>();
    for (const binding of node.named) scope.set(binding.name, this.stored(this.evaluate(binding.value)));
    const request = { ...this.request, text: partial.text, scan: partial.scan, schemaPathOf: partial.schemaPathOf };
    const before = this.out.values.length;
    this.scopes.push(scope);
    try {
      new Evaluator(request, this.flavor, this.out, this.scopes, this.depth + 1).render(parseTemplate(partial.text, this.flavor, silentSink()));
    } finally {
      this.scopes.pop();
      // Partials nested in this one have marked theirs already.
      for (const value of this.out.values.slice(before)) value.partial ??= partial.file;
    }
  }

  private renderOutput(expr: Expr | undefined, tagStart: number): void {
    if (!expr) return;
    const value = this.evaluate(expr);
    const text = textOf(value, this.flavor);
    const useIndex = this.outputUseAt.get(tagStart);
    if (useIndex === undefined) {
      this.out.text(text);
      return;
    }
    const primary = this.primaryOf(expr);
    const raw = primary ? this.evaluate(primary.expr) : value;
    const replaced = primary?.defaultArgs
      ? this.flavor.defaultReplaces(raw, primary.defaultArgs.map((arg) => this.evaluate(arg)))
      : isEmptyValue(raw);
    this.out.field(useIndex, text === '' ? 'blank' : replaced ? 'fallback' : 'value', text);
  }

  /**
   * The value a `{{ … }}` is about, before its filters, and the extra arguments of the `default` that
   * may stand in for it (`default('x', true)`), when there is one.
   */
  private primaryOf(expr: Expr): { expr: Expr; defaultArgs?: Expr[] } | undefined {
    let defaultArgs: Expr[] | undefined;
    let current = expr;
    for (;;) {
      if (current.kind === 'filter') {
        if (current.name === 'default') defaultArgs = current.args.slice(1);
        current = current.input;
      } else if (current.kind === 'conditional') {
        current = current.then;
      } else if (current.kind === 'call' && current.name === 'personalization_token' && !current.target) {
        return { expr: { ...current, args: current.args.slice(0, 1) }, defaultArgs: [] };
      } else {
        return current.kind === 'path' ? { expr: current, defaultArgs } : undefined;
      }
    }
  }

  private renderFor(node: ForNode): void {
    const source = node.source ? this.evaluate(node.source) : undefined;
    let items: unknown[];
    if (Array.isArray(source)) items = source;
    else if (source && typeof source === 'object') items = node.variables.length > 1 ? Object.entries(source) : Object.keys(source);
    else if (typeof source === 'string') items = [...source];
    else items = [];
    if (node.reversed) items = [...items].reverse();
    if (node.condition) {
      const condition = node.condition;
      items = items.filter((item) => {
        this.scopes.push(this.loopScope(node, item));
        const keep = truthy(this.evaluate(condition));
        this.scopes.pop();
        return keep;
      });
    }
    if (items.length === 0) {
      if (node.otherwise) this.render(node.otherwise);
      return;
    }
    items.forEach((item, index) => {
      this.out.step();
      this.out.allocate(16);
      const scope = this.loopScope(node, item);
      const length = items.length;
      scope.set(this.flavor.loopVariable, {
        counter: index + 1, counter0: index, index: index + 1, index0: index,
        revcounter: length - index, revcounter0: length - index - 1, revindex: length - index, revindex0: length - index - 1,
        first: index === 0, last: index === length - 1, length,
      });
      this.scopes.push(scope);
      this.render(node.body);
      this.scopes.pop();
    });
  }

  private loopScope(node: ForNode, item: unknown): Map<string, unknown> {
    const scope = new Map<string, unknown>();
    if (node.variables.length === 1) scope.set(node.variables[0].name, this.stored(item));
    else node.variables.forEach((variable, index) => scope.set(variable.name, this.stored(Array.isArray(item) ? item[index] : undefined)));
    return scope;
  }

  private stored(value: unknown): unknown {
    return value === undefined ? UNSET : value;
  }

  // ---- Expressions ----------------------------------------------------------------------------

  evaluate(expr: Expr): unknown {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'path':
        return this.evaluatePath(expr);
      case 'filter': {
        const input = this.evaluate(expr.input);
        const args = expr.args.map((arg) => this.evaluate(arg));
        const result = applyFilter(expr.name, input, args, this.flavor);
        if (typeof result === 'string') this.out.allocate(result.length);
        return result;
      }
      case 'call':
        return this.call(expr);
      case 'unary': {
        const operand = this.evaluate(expr.operand);
        if (expr.op === 'not') return !truthy(operand);
        const n = Number(operand);
        return expr.op === '-' ? -n : n;
      }
      case 'binary':
        return this.binary(expr.op, expr.left, expr.right);
      case 'test': {
        const value = this.evaluate(expr.operand);
        let result: boolean;
        switch (expr.name) {
          case 'defined': result = value !== undefined; break;
          case 'undefined': result = value === undefined; break;
          case 'none': result = value === null || value === undefined; break;
          case 'string': result = typeof value === 'string'; break;
          case 'number': result = typeof value === 'number'; break;
          case 'truthy': result = truthy(value); break;
          case 'falsy': result = !truthy(value); break;
          case 'even': result = Number(value) % 2 === 0; break;
          case 'odd': result = Math.abs(Number(value) % 2) === 1; break;
          case 'divisibleby': result = Number(value) % Number(this.evaluate(expr.args[0] ?? { kind: 'literal', value: 1, span: expr.span })) === 0; break;
          case 'sameas': case 'equalto': result = value === (expr.args[0] ? this.evaluate(expr.args[0]) : undefined); break;
          default: result = truthy(value);
        }
        return expr.negated ? !result : result;
      }
      case 'conditional':
        if (truthy(this.evaluate(expr.test))) return this.evaluate(expr.then);
        return expr.otherwise ? this.evaluate(expr.otherwise) : undefined;
      case 'list':
        this.out.allocate(expr.items.length);
        return expr.items.map((item) => this.evaluate(item));
      case 'dict': {
        const result: Record<string, unknown> = {};
        for (const entry of expr.entries) result[String(this.evaluate(entry.key))] = this.evaluate(entry.value);
        return result;
      }
      case 'member':
        return member(this.evaluate(expr.object), typeof expr.key === 'string' ? expr.key : String(this.evaluate(expr.key)));
    }
  }

  private evaluatePath(expr: PathExpr): unknown {
    const local = this.lookup(expr.root);
    const useIndex = this.useAt.get(expr.span.start);
    const use = useIndex === undefined ? undefined : this.request.scan.uses[useIndex];
    if (local.found) {
      // A loop item's property named by an alias (`item.ProductName` for `cart.items[].title`) is read
      // by the schema's name, since the sample data follows the schema.
      if (useIndex !== undefined && use && use.span.end === expr.span.end) {
        const dataPath = dataPathOf(this.request, useIndex);
        const item = dataPath.lastIndexOf('[].');
        const tail = item === -1 ? [] : dataPath.slice(item + 3).split('.');
        if (dataPath !== use.path && tail.length === expr.segments.length) return valueAtSegments(local.value, tail);
      }
      return this.walk(local.value, expr);
    }
    if (useIndex !== undefined && use && use.span.end === expr.span.end) {
      const dataPath = dataPathOf(this.request, useIndex);
      if (dataPath !== use.path || use.path !== this.rawPath(expr)) return valueAtPath(this.request.data, dataPath);
    } else if (this.flavor.systemRoots.includes(expr.root)) {
      return this.flavor.systemValue(this.rawPath(expr));
    }
    return this.walk(member(this.request.data, expr.root), expr);
  }

  private walk(start: unknown, expr: PathExpr): unknown {
    let value = start;
    for (const segment of expr.segments) {
      value = 'name' in segment ? member(value, segment.name) : member(value, this.indexKey(this.evaluate(segment.index)));
    }
    return value;
  }

  private indexKey(value: unknown): string | number {
    return typeof value === 'number' ? value : String(value);
  }

  private rawPath(expr: PathExpr): string {
    return expr.root + expr.segments.map((segment) => ('name' in segment ? `.${segment.name}` : '[]')).join('');
  }

  private lookup(name: string): { found: boolean; value: unknown } {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        const value = this.scopes[i].get(name);
        return { found: true, value: value === UNSET ? undefined : value };
      }
    }
    return { found: false, value: undefined };
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): unknown {
    if (expr.target) {
      const target = this.evaluate(expr.target);
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        if (expr.name === 'items') return Object.entries(target);
        if (expr.name === 'keys') return Object.keys(target);
        if (expr.name === 'values') return Object.values(target);
      }
      const args = expr.args.map((arg) => this.evaluate(arg));
      if (typeof target === 'string') {
        if (expr.name === 'upper') return target.toUpperCase();
        if (expr.name === 'lower') return target.toLowerCase();
        if (expr.name === 'strip') return target.trim();
        if (expr.name === 'split') return target.split(typeof args[0] === 'string' ? args[0] : /\s+/);
        if (expr.name === 'startswith') return target.startsWith(String(args[0]));
      }
      return undefined;
    }
    switch (expr.name) {
      case 'personalization_token': {
        const [path, fallback] = expr.args;
        let value: unknown;
        if (path?.kind === 'literal') {
          const useIndex = this.useAt.get(path.span.start + 1);
          value = useIndex === undefined ? valueAtPath(this.request.data, String(path.value)) : valueAtPath(this.request.data, dataPathOf(this.request, useIndex));
        }
        return fallback && this.flavor.defaultReplaces(value, []) ? this.evaluate(fallback) : value;
      }
      case 'range': {
        const args = expr.args.map((arg) => Number(this.evaluate(arg)));
        const [start, stop, step] = args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1];
        if (!Number.isFinite(start) || !Number.isFinite(stop) || !step) return [];
        const count = Math.max(0, Math.ceil((stop - start) / step));
        this.out.allocate(count);
        return Array.from({ length: count }, (_, i) => start + i * step);
      }
      case 'today':
      case 'local_dt':
        return this.now;
      case 'unixtimestamp': {
        const date = toDate(expr.args[0] ? this.evaluate(expr.args[0]) : this.now);
        return date ? date.getTime() : undefined;
      }
      default: {
        // HubL also offers filters as functions: `datetimeformat(d, '%B')`.
        const [first, ...rest] = expr.args.map((arg) => this.evaluate(arg));
        return applyFilter(expr.name, first, rest, this.flavor);
      }
    }
  }

  private binary(op: string, leftExpr: Expr, rightExpr: Expr): unknown {
    if (op === 'and') {
      const left = this.evaluate(leftExpr);
      if (!truthy(left)) return this.flavor.jinja ? left : false;
      const right = this.evaluate(rightExpr);
      return this.flavor.jinja ? right : truthy(right);
    }
    if (op === 'or') {
      const left = this.evaluate(leftExpr);
      if (truthy(left)) return this.flavor.jinja ? left : true;
      const right = this.evaluate(rightExpr);
      return this.flavor.jinja ? right : truthy(right);
    }
    const left = this.evaluate(leftExpr);
    const right = this.evaluate(rightExpr);
    switch (op) {
      case '==': return looseEquals(left, right);
      case '!=': return !looseEquals(left, right);
      case 'is': return left === right || (left == null && right == null);
      case 'is not': return !(left === right || (left == null && right == null));
      case '<': return compare(left, right) < 0;
      case '>': return compare(left, right) > 0;
      case '<=': return compare(left, right) <= 0;
      case '>=': return compare(left, right) >= 0;
      case 'in': return contains(right, left);
      case 'not in': return !contains(right, left);
      case '~': {
        const joined = textOf(left, this.flavor) + textOf(right, this.flavor);
        this.out.allocate(joined.length);
        return joined;
      }
      case '+':
        if (typeof left === 'string' || typeof right === 'string') return textOf(left, this.flavor) + textOf(right, this.flavor);
        return Number(left) + Number(right);
      case '-': return Number(left) - Number(right);
      case '*': return Number(left) * Number(right);
      case '/': return Number(left) / Number(right);
      case '//': return Math.floor(Number(left) / Number(right));
      case '%': return Number(left) % Number(right);
      case '**': return Number(left) ** Number(right);
      default: return undefined;
    }
  }
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return (a == null) && (b == null);
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b) && String(a).trim() !== '' && String(b).trim() !== '';
  return String(a) === String(b);
}

function compare(a: unknown, b: unknown): number {
  const x = typeof a === 'number' ? a : Number(a);
  const y = typeof b === 'number' ? b : Number(b);
  if (!Number.isNaN(x) && !Number.isNaN(y) && a !== '' && b !== '' && a != null && b != null) return x - y;
  const s = String(a ?? '');
  const t = String(b ?? '');
  return s < t ? -1 : s > t ? 1 : 0;
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') return container.includes(String(item ?? ''));
  if (Array.isArray(container)) return container.some((entry) => looseEquals(entry, item));
  if (container && typeof container === 'object') return Object.prototype.hasOwnProperty.call(container, String(item));
  return false;
}
