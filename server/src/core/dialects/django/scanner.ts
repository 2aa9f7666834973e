/**
 * Field uses of a Django-style template (Klaviyo, HubL), from the tree `template-parser.ts` builds.
 *
 * Loop variables and plain `{% with name=field %}`/`{% set name = field %}` aliases resolve to the
 * field they stand for; variables holding anything else are local and are not uses. Guards are
 * counted per path by the collector, so the walk stays linear.
 *
 * HubL's CRM functions (`{% set deal = crm_object("deal", module.deal_id, "amount,closedate") %}`,
 * `crm_objects`, `crm_associations`) read HubSpot's CRM at send time: the variable holds connected data
 * (`crm-object`), and its reads (`deal.amount`, `product.name` in a loop over `products.results`) are
 * neither recipient fields nor unknown names.
 */
import type { Span } from '../../model';
import type { IncludeArgument, IncludeSite, TemplateScan, UseContext } from '../dialect';
import type { ConnectedData, ConnectedDataUse } from '../common/connected-data';
import { ScanCollector } from '../common/scan-collector';
import { MAX_NESTING } from '../common/limits';
import type { Expr, ForNode, IfNode, Node, PathExpr, TagNode } from './ast';
import type { DjangoFlavor } from './flavor';
import { parseTemplate } from './template-parser';

export function scanDjango(text: string, flavor: DjangoFlavor): TemplateScan {
  const collector = new ScanCollector(text);
  const nodes = parseTemplate(text, flavor, collector);
  const walker = new UseWalker(text, flavor, collector);
  walker.walk(nodes);
  const scan = collector.result();
  if (walker.connected.sources.length > 0) scan.connected = walker.connected;
  return scan;
}

/**
 * What a variable stands for: a field path (an array's item for a loop variable), connected data (its
 * index into the scan's sources), or a local value.
 */
type Binding = { path: string; loop?: true } | { connected: number } | { local: true };

/** HubL's functions that read HubSpot's CRM, with the object their first argument names (or what they return). */
const CRM_FUNCTIONS = new Set(['crm_object', 'crm_objects', 'crm_associations']);

/** Members of a CRM query's answer that are not properties: `products.results`, `deals.total`. */
const CRM_ENVELOPE = new Set(['results', 'total', 'offset', 'has_more', 'hasMore', 'id']);

interface Guards {
  whenTrue: string[];
  whenFalse: string[];
}

const NO_GUARDS: Guards = { whenTrue: [], whenFalse: [] };

/** Filters that keep a value empty exactly when it was empty, so a condition on them guards the field. */
const TRANSPARENT_FILTERS = new Set(['length', 'count', 'lower', 'upper', 'trim', 'strip', 'title', 'capitalize', 'capfirst', 'striptags', 'string']);

export class UseWalker {
  private readonly scopes: Map<string, Binding>[] = [new Map()];
  /** HubL CRM reads, kept in variables of the template's own. */
  readonly connected: ConnectedData = { sources: [], uses: [] };

  constructor(private readonly text: string, private readonly flavor: DjangoFlavor, private readonly collector: ScanCollector) {}

  walk(nodes: Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          break;
        case 'output':
          if (node.expr) this.collect(node.expr, 'output', node.tagSpan);
          break;
        case 'if':
          this.walkIf(node);
          break;
        case 'for':
          this.walkFor(node);
          break;
        case 'with': {
          const scope = new Map<string, Binding>();
          for (const binding of node.bindings) {
            if (binding.value) this.collect(binding.value, 'assign', node.tagSpan);
            scope.set(binding.name, this.bindingOf(binding.value));
          }
          this.scopes.push(scope);
          this.walk(node.body);
          this.scopes.pop();
          break;
        }
        case 'set':
          for (const binding of node.bindings) {
            if (binding.value) this.collect(binding.value, 'assign', node.tagSpan);
            const crm = binding.value ? this.crmSource(binding.name, binding.value) : undefined;
            this.scopes[this.scopes.length - 1].set(binding.name, crm === undefined ? this.bindingOf(binding.value) : { connected: crm });
          }
          break;
        case 'tag': {
          const system = this.flavor.standaloneTags.includes(node.name) ? this.flavor.systemTags.find(node.name) : undefined;
          if (system?.tag) {
            const start = this.text.indexOf(node.name, node.tagSpan.start);
            if (start !== -1 && start < node.tagSpan.end) this.collector.addSystemUse(system, node.name, { start, end: start + node.name.length });
          }
          for (const arg of node.args) this.collect(arg, 'argument', node.tagSpan);
          for (const arg of node.named) this.collect(arg.value, 'argument', node.tagSpan);
          if (node.body) {
            this.scopes.push(new Map());
            this.walk(node.body);
            this.scopes.pop();
          }
          if (node.captures) this.scopes[this.scopes.length - 1].set(node.captures, { local: true });
          if (node.include) this.include(node);
          break;
        }
      }
    }
  }

  private walkIf(node: IfNode): void {
    const allFalse: string[] = [];
    for (const branch of node.branches) {
      this.collector.guard(allFalse);
      const guards = branch.test ? this.guardsOf(branch.test) : NO_GUARDS;
      if (branch.test) this.collect(branch.test, 'condition', branch.tagSpan);
      this.collector.guard(guards.whenTrue);
      this.walk(branch.body);
      this.collector.unguard(guards.whenTrue);
      this.collector.unguard(allFalse);
      // Past MAX_NESTING paths, later branches are not counted as guarded by the earlier conditions:
      // re-guarding all of them at each branch was quadratic in long chains.
      if (allFalse.length < MAX_NESTING) allFalse.push(...guards.whenFalse);
    }
    if (node.branches.length >= 2) {
      this.collector.branchGroups.push({
        tagSpan: node.tagSpan,
        branches: node.branches.map((branch) => ({ tagSpan: branch.tagSpan, body: branch.bodySpan })),
      });
    }
  }

  private walkFor(node: ForNode): void {
    if (node.source) this.collect(node.source, 'loop', node.tagSpan);
    const source = node.source ? this.referenceOf(node.source, true) : undefined;
    const connected = node.source ? this.connectedOf(node.source) : undefined;
    const scope = new Map<string, Binding>();
    node.variables.forEach((variable) => {
      scope.set(variable.name, connected !== undefined && node.variables.length === 1 ? { connected }
        : source && node.variables.length === 1 ? { path: `${source}[]`, loop: true } : { local: true });
    });
    if (source && node.variables.length === 1) {
      this.collector.loopScopes.push({ variable: node.variables[0].name, itemPath: `${source}[]`, body: node.bodySpan });
    }
    this.scopes.push(scope);
    if (node.condition) this.collect(node.condition, 'condition', node.tagSpan);
    this.walk(node.body);
    this.scopes.pop();
    if (node.otherwise) this.walk(node.otherwise);
  }

  /** Records what an include, import or extends pulls in; the names an import binds are locals (macros). */
  private include(node: TagNode): void {
    const include = node.include!;
    const template = node.args[0];
    if (template) {
      // Outer scopes first, so that an inner binding of the same name hides a loop variable.
      const loopVariables: Record<string, string> = {};
      const locals: NonNullable<IncludeSite['locals']> = {};
      for (const scope of this.scopes) {
        for (const [name, binding] of scope) {
          delete loopVariables[name];
          delete locals[name];
          if ('loop' in binding) loopVariables[name] = binding.path;
          else locals[name] = 'path' in binding ? { path: binding.path, fallback: null } : null;
        }
      }
      const site: IncludeSite = {
        kind: include.kind, name: template.kind === 'literal' && typeof template.value === 'string' ? template.value : null,
        nameSpan: template.span, tagSpan: node.tagSpan, parameters: node.named.map((pair) => this.includeArgument(pair.name, pair.value)),
        sharesScope: include.withContext, guards: this.collector.activeGuards(),
      };
      if (include.withContext && Object.keys(loopVariables).length) site.loopVariables = loopVariables;
      if (include.withContext && Object.keys(locals).length) site.locals = locals;
      this.collector.includes.push(site);
    }
    for (const name of include.binds) this.scopes[this.scopes.length - 1].set(name, { local: true });
  }

  private includeArgument(name: string, value: Expr): IncludeArgument {
    const argument: IncludeArgument = { name, path: this.referenceOf(value, true) ?? null, fallback: null, span: value.span };
    if (value.kind === 'literal' && value.value !== null) argument.literal = typeof value.value as 'string' | 'number' | 'boolean';
    for (let each = value; each.kind === 'filter'; each = each.input) {
      if (each.name === 'default' && each.args[0]) argument.fallback ??= this.fallbackText(each.args[0]);
    }
    return argument;
  }

  // ---- Expressions ----------------------------------------------------------------------------

  /**
   * Records every field in `expr`. The value a tag shows carries `fallback` and `filters`; filter
   * and call arguments are `argument` uses.
   */
  collect(expr: Expr, context: UseContext, tagSpan: Span, fallback: string | null = null, filters: string[] = []): void {
    switch (expr.kind) {
      case 'literal':
        return;
      case 'path': {
        for (const segment of expr.segments) if ('index' in segment) this.collect(segment.index, 'argument', tagSpan);
        const connected = this.connectedOf(expr);
        if (connected !== undefined) {
          const use: ConnectedDataUse = { source: connected, written: this.text.slice(expr.span.start, expr.span.end), span: expr.span, tagSpan, context };
          const property = crmProperty(expr);
          if (property !== undefined) use.property = property;
          this.connected.uses.push(use);
          return;
        }
        const path = this.resolve(expr);
        if (path !== undefined) {
          this.collector.addUse({ path, written: this.text.slice(expr.span.start, expr.span.end), span: expr.span, tagSpan, context, fallback, filters });
        }
        return;
      }
      case 'filter': {
        const chain: Extract<Expr, { kind: 'filter' }>[] = [];
        let base: Expr = expr;
        while (base.kind === 'filter') {
          chain.unshift(base);
          base = base.input;
        }
        let ownFallback = fallback;
        for (const filter of chain) {
          if (ownFallback === null && filter.name === 'default' && filter.args[0]) ownFallback = this.fallbackText(filter.args[0]);
          for (const arg of filter.args) this.collect(arg, 'argument', tagSpan);
        }
        this.collect(base, context, tagSpan, ownFallback, [...chain.map((filter) => filter.name), ...filters]);
        return;
      }
      case 'call': {
        const [first, second] = expr.args;
        if (expr.name === 'personalization_token' && !expr.target && first?.kind === 'literal' && typeof first.value === 'string' && first.span.end - first.span.start >= 2) {
          // HubL: `personalization_token('contact.firstname', 'there')` names the field in a string.
          const span = { start: first.span.start + 1, end: first.span.end - 1 };
          const ownFallback = second ? this.fallbackText(second) : fallback;
          this.collector.addUse({
            path: this.flavor.normalizePath(first.value), written: first.value, span, tagSpan, context,
            fallback: ownFallback, filters: ['personalization_token', ...filters],
          });
          if (second) this.collect(second, 'argument', tagSpan);
          return;
        }
        if (expr.target) this.collect(expr.target, context, tagSpan, null, [expr.name, ...filters]);
        for (const arg of expr.args) this.collect(arg, 'argument', tagSpan);
        for (const arg of expr.named) this.collect(arg.value, 'argument', tagSpan);
        return;
      }
      case 'unary':
        this.collect(expr.operand, context, tagSpan);
        return;
      case 'binary':
        this.collect(expr.left, context, tagSpan);
        this.collect(expr.right, context, tagSpan);
        return;
      case 'test':
        this.collect(expr.operand, context, tagSpan);
        for (const arg of expr.args) this.collect(arg, 'argument', tagSpan);
        return;
      case 'conditional': {
        this.collect(expr.test, 'condition', tagSpan);
        const guards = this.guardsOf(expr.test);
        this.collector.guard(guards.whenTrue);
        this.collect(expr.then, context, tagSpan, fallback, filters);
        this.collector.unguard(guards.whenTrue);
        if (expr.otherwise) {
          this.collector.guard(guards.whenFalse);
          this.collect(expr.otherwise, context, tagSpan);
          this.collector.unguard(guards.whenFalse);
        }
        return;
      }
      case 'list':
        for (const item of expr.items) this.collect(item, context, tagSpan);
        return;
      case 'dict':
        for (const entry of expr.entries) {
          this.collect(entry.key, context, tagSpan);
          this.collect(entry.value, context, tagSpan);
        }
        return;
      case 'member':
        this.collect(expr.object, context, tagSpan);
        if (typeof expr.key !== 'string') this.collect(expr.key, 'argument', tagSpan);
        return;
    }
  }

  /** The fallback as the recipient reads it: the text of a literal, or the expression as written. */
  private fallbackText(expr: Expr): string {
    if (expr.kind === 'literal') {
      if (expr.value === null) return '';
      if (typeof expr.value === 'boolean') return this.flavor.booleanText[expr.value ? 0 : 1];
      return String(expr.value);
    }
    return this.text.slice(expr.span.start, expr.span.end);
  }

  /** The field path a reference stands for; undefined for locals, loop helpers and system values. */
  resolve(expr: PathExpr): string | undefined {
    if (expr.root === this.flavor.loopVariable) return undefined;
    const binding = this.lookup(expr.root);
    if (binding && ('local' in binding || 'connected' in binding)) return undefined;
    if (!binding && this.flavor.systemRoots.includes(expr.root)) {
      const written = this.text.slice(expr.span.start, expr.span.end);
      const system = this.flavor.systemTags.find(written) ?? this.flavor.systemTags.find(`${expr.root}.`) ?? this.flavor.systemTags.find(expr.root);
      if (system) this.collector.addSystemUse(system, written, expr.span);
      return undefined;
    }
    let rest = '';
    for (const segment of expr.segments) rest += 'name' in segment ? `.${segment.name}` : '[]';
    if (binding) return binding.path + rest;
    return this.flavor.normalizePath(expr.root + rest);
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const binding = this.scopes[i].get(name);
      if (binding) return binding;
    }
    return undefined;
  }

  /** The connected data source a reference reads (`deal.amount` after `set deal = crm_object(…)`), if any. */
  private connectedOf(expr: Expr): number | undefined {
    if (expr.kind === 'filter') return this.connectedOf(expr.input);
    if (expr.kind !== 'path') return undefined;
    const binding = this.lookup(expr.root);
    return binding && 'connected' in binding ? binding.connected : undefined;
  }

  /** `crm_object("deal", id, "amount")` and its kin, in HubL: a source of connected data saved as `name`. */
  private crmSource(name: string, value: Expr): number | undefined {
    if (this.flavor.id !== 'hubl' || value.kind !== 'call' || value.target || !CRM_FUNCTIONS.has(value.name)) {
      const alias = this.connectedOf(value);
      return alias;
    }
    const first = value.args[0];
    const object = value.name === 'crm_associations' ? 'association' : first?.kind === 'literal' && typeof first.value === 'string' ? first.value : undefined;
    this.connected.sources.push({
      kind: 'crm-object', name, from: this.text.slice(value.span.start, value.span.end), tagSpan: value.span,
      ...(object === undefined ? {} : { object }),
    });
    return this.connected.sources.length - 1;
  }

  /** A plain reference makes an alias of the field; anything else is a local value. */
  private bindingOf(value: Expr | undefined): Binding {
    if (value?.kind === 'path') {
      const path = this.resolve(value);
      if (path !== undefined) return { path };
    }
    return { local: true };
  }

  /** The field a value comes from, through filters that keep its emptiness (or any filter, for loops). */
  private referenceOf(expr: Expr, throughAnyFilter = false): string | undefined {
    if (expr.kind === 'path') return this.resolve(expr);
    if (expr.kind === 'filter' && (throughAnyFilter || TRANSPARENT_FILTERS.has(expr.name))) return this.referenceOf(expr.input, throughAnyFilter);
    if (expr.kind === 'call' && expr.name === 'personalization_token' && expr.args[0]?.kind === 'literal' && typeof expr.args[0].value === 'string') {
      return this.flavor.normalizePath(expr.args[0].value);
    }
    return undefined;
  }

  /** The paths known to have a value when `expr` is true, and when it is false. */
  private guardsOf(expr: Expr): Guards {
    switch (expr.kind) {
      case 'unary': {
        if (expr.op !== 'not') return NO_GUARDS;
        const inner = this.guardsOf(expr.operand);
        return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
      }
      case 'binary': {
        if (expr.op === 'and') {
          return { whenTrue: [...this.guardsOf(expr.left).whenTrue, ...this.guardsOf(expr.right).whenTrue], whenFalse: [] };
        }
        if (expr.op === 'or') {
          return { whenTrue: [], whenFalse: [...this.guardsOf(expr.left).whenFalse, ...this.guardsOf(expr.right).whenFalse] };
        }
        return this.comparisonGuards(expr.left, expr.op, expr.right);
      }
      case 'test': {
        const path = this.referenceOf(expr.operand);
        if (!path) return NO_GUARDS;
        const present = expr.name === 'defined' || (expr.name === 'none' ? false : ['string', 'number', 'truthy', 'sameas'].includes(expr.name));
        const absent = expr.name === 'none' || expr.name === 'undefined' || expr.name === 'falsy';
        const guards = present ? { whenTrue: [path], whenFalse: [] } : absent ? { whenTrue: [], whenFalse: [path] } : NO_GUARDS;
        return expr.negated ? { whenTrue: guards.whenFalse, whenFalse: guards.whenTrue } : guards;
      }
      default: {
        const path = this.referenceOf(expr);
        return path ? { whenTrue: [path], whenFalse: [] } : NO_GUARDS;
      }
    }
  }

  private comparisonGuards(left: Expr, op: string, right: Expr): Guards {
    if (op === 'in') {
      // `'vip' in tags`: the list has items when it holds the literal.
      const path = right.kind !== 'literal' ? this.referenceOf(right) : undefined;
      if (path && left.kind === 'literal') return { whenTrue: [path], whenFalse: [] };
      const leftPath = this.referenceOf(left);
      return leftPath && right.kind === 'list' ? { whenTrue: [leftPath], whenFalse: [] } : NO_GUARDS;
    }
    const leftPath = this.referenceOf(left);
    const rightPath = leftPath ? undefined : this.referenceOf(right);
    const path = leftPath ?? rightPath;
    const other = leftPath ? right : left;
    if (!path || other.kind !== 'literal') return NO_GUARDS;
    const counted = (leftPath ? left : right).kind === 'filter';
    const blank = other.value === '' || other.value === null || other.value === false || (counted && other.value === 0);
    switch (op) {
      case '!=':
      case 'is not':
        return blank ? { whenTrue: [path], whenFalse: [] } : NO_GUARDS;
      case '==':
      case 'is':
        return blank ? { whenTrue: [], whenFalse: [path] } : { whenTrue: [path], whenFalse: [] };
      case '>':
      case '>=':
        return leftPath ? { whenTrue: [path], whenFalse: [] } : NO_GUARDS;
      case '<':
      case '<=':
        return rightPath ? { whenTrue: [path], whenFalse: [] } : NO_GUARDS;
      default:
        return NO_GUARDS;
    }
  }
}

/** The CRM property a read names: its last member past the query's envelope (`amount` of `deal.amount`, `firstname` of `associated.results[0].firstname`). */
function crmProperty(expr: PathExpr): string | undefined {
  for (let i = expr.segments.length - 1; i >= 0; i--) {
    const segment = expr.segments[i];
    if ('name' in segment && !CRM_ENVELOPE.has(segment.name)) return segment.name;
  }
  return undefined;
}
