/**
 * Field uses of an AMPscript template.
 *
 * Variables remember the attribute they came from, so `%%=v(@firstName)=%%` is a use of `FirstName`,
 * and what the branches of an IF did to them: after
 * `IF Empty(@firstName) THEN SET @firstName = "there" ENDIF` the variable is `FirstName` with the
 * fallback "there". The same holds for `IIF(Empty(@x), "there", @x)`. Variables are few, so copying
 * their states at each IF keeps the scan linear in practice.
 */
import type { Span } from '../../model';
import type { FieldUse, IncludeKind, TemplateScan, UseContext } from '../dialect';
import { ScanCollector } from '../common/scan-collector';
import type { ConnectedData } from '../common/connected-data';
import { MAX_NESTING } from '../common/limits';
import { isSystemString, TRANSFORMS } from './functions';
import { AMPSCRIPT_SYSTEM_TAGS } from './system-tags';
import { lexAmpscript, type LexSink } from './lexer';
import { parseAmpscript, type Expr, type Stmt } from './parser';

/** What a variable holds, as far as the scan can tell. */
type Value =
  | { kind: 'literal'; text: string }
  | FieldValue
  /** A rowset from `LookupRows("DE", …)`; `path` is the data extension. */
  | { kind: 'rows'; path: string }
  /** One row of a rowset: `DE[]`. */
  | { kind: 'row'; path: string }
  /** A response fetched at send time (`HTTPGet(url)`), before it is kept in a variable; `from` is the URL as written. */
  | { kind: 'fetched'; from: string }
  /** A variable that holds a fetched response: its index into the scan's connected data sources. */
  | { kind: 'connected'; source: number }
  | { kind: 'unknown' };

interface FieldValue {
  kind: 'field';
  path: string;
  /** What the recipient reads when the field is empty; null when they read nothing. */
  fallback: string | null;
  /** Functions applied to the field, in order. */
  filters: string[];
  /** Known to have a value here (inside a guard). */
  present: boolean;
  /** Known to be empty here. */
  absent: boolean;
  /** Output uses this value was shown through, to add a fallback found later (IIF). */
  uses: FieldUse[];
}

/** A guarded thing: a variable, and the field it holds or an attribute. */
interface Key {
  variable?: string;
  path?: string;
}

interface Facts {
  present: Key[];
  absent: Key[];
}

interface Guards {
  whenTrue: Facts;
  whenFalse: Facts;
}

/** The functions that pull in a content block, by how they name it. */
const CONTENT_BLOCKS = new Map<string, IncludeKind>([
  ['ContentBlockByKey', 'content-block-key'], ['ContentBlockByName', 'content-block-name'], ['ContentBlockByID', 'content-block-id'],
]);

const NO_FACTS: Facts = { present: [], absent: [] };
const NO_GUARDS: Guards = { whenTrue: NO_FACTS, whenFalse: NO_FACTS };
const UNKNOWN: Value = { kind: 'unknown' };

export function parseTemplate(text: string, sink: LexSink): Stmt[] {
  return parseAmpscript(lexAmpscript(text, sink), text, sink);
}

export function scanAmpscript(text: string): TemplateScan {
  const collector = new ScanCollector(text);
  const statements = parseTemplate(text, collector);
  const scanner = new AmpScanner(text, collector);
  scanner.walk(statements);
  const scan = collector.result();
  if (scanner.connected.sources.length > 0) scan.connected = scanner.connected;
  return scan;
}

class AmpScanner {
  private vars = new Map<string, Value>();
  /** `SET @json = HTTPGet(…)`: responses fetched at send time, and the reads of their variables. */
  readonly connected: ConnectedData = { sources: [], uses: [] };

  constructor(private readonly text: string, private readonly collector: ScanCollector) {}

  walk(statements: Stmt[]): void {
    for (const statement of statements) {
      switch (statement.kind) {
        case 'text':
          break;
        case 'output':
          this.value(statement.expr, 'output', statement.tagSpan);
          break;
        case 'set': {
          let value = statement.value ? this.value(statement.value, 'assign', statement.span) : UNKNOWN;
          if (value.kind === 'fetched') {
            this.connected.sources.push({ kind: 'http-get', name: statement.variable.startsWith('@') ? statement.variable : `@${statement.variable}`, from: value.from, tagSpan: statement.span });
            value = { kind: 'connected', source: this.connected.sources.length - 1 };
          }
          this.vars.set(statement.variable.toLowerCase(), value);
          break;
        }
        case 'call':
          this.value(statement.expr, 'argument', statement.span);
          break;
        case 'if':
          this.walkIf(statement);
          break;
        case 'for': {
          if (statement.from) this.value(statement.from, 'argument', statement.span);
          if (statement.to) this.value(statement.to, 'argument', statement.span);
          const before = new Map(this.vars);
          this.vars.set(statement.variable.toLowerCase(), UNKNOWN);
          this.walk(statement.body);
          this.vars = mergeStates([before, this.vars]);
          break;
        }
      }
    }
  }

  private walkIf(statement: Extract<Stmt, { kind: 'if' }>): void {
    const before = new Map(this.vars);
    const ends: Map<string, Value>[] = [];
    const allFalse: Facts[] = [];
    let hasElse = false;
    for (const branch of statement.branches) {
      this.vars = new Map(before);
      const guarded: string[] = [];
      for (const facts of allFalse) guarded.push(...this.apply(facts));
      if (branch.test) {
        const guards = this.guardsOf(branch.test);
        this.value(branch.test, 'condition', branch.tagSpan);
        guarded.push(...this.apply(guards.whenTrue));
        // Past MAX_NESTING paths, later branches are not counted as guarded by the earlier conditions:
        // re-guarding all of them at each branch was quadratic in long chains.
        if (allFalse.length < MAX_NESTING) allFalse.push(guards.whenFalse);
      } else {
        hasElse = true;
      }
      this.walk(branch.body);
      this.collector.unguard(guarded);
      ends.push(this.vars);
    }
    if (!hasElse) {
      // Nothing ran: the variables are as before, with what the false conditions tell.
      this.vars = new Map(before);
      const guarded: string[] = [];
      for (const facts of allFalse) guarded.push(...this.apply(facts));
      this.collector.unguard(guarded);
      ends.push(this.vars);
    }
    this.vars = mergeStates(ends);
    if (statement.branches.length >= 2) {
      this.collector.branchGroups.push({
        tagSpan: statement.branches[0].tagSpan,
        branches: statement.branches.map((branch) => ({ tagSpan: branch.tagSpan, body: branch.bodySpan })),
      });
    }
  }

  /** Applies facts: guards the fields, marks the variables. Returns the guarded paths, to unguard. */
  private apply(facts: Facts): string[] {
    const paths: string[] = [];
    for (const key of facts.present) {
      if (key.path) paths.push(key.path);
      const value = key.variable ? this.vars.get(key.variable) : undefined;
      if (key.variable && value?.kind === 'field') this.vars.set(key.variable, { ...value, present: true, absent: false });
    }
    for (const key of facts.absent) {
      const value = key.variable ? this.vars.get(key.variable) : undefined;
      if (key.variable && value?.kind === 'field') this.vars.set(key.variable, { ...value, present: false, absent: true });
    }
    this.collector.guard(paths);
    return paths;
  }

  // ---- Expressions ----------------------------------------------------------------------------

  /** Records the fields `expr` reads, and tells what it evaluates to. */
  private value(expr: Expr, context: UseContext, tagSpan: Span, filters: string[] = []): Value {
    switch (expr.kind) {
      case 'string':
        return { kind: 'literal', text: expr.value };
      case 'number':
        return { kind: 'literal', text: String(expr.value) };
      case 'boolean':
        return { kind: 'literal', text: expr.value ? 'true' : 'false' };
      case 'variable': {
        const value = this.vars.get(expr.name.toLowerCase()) ?? UNKNOWN;
        if (value.kind === 'connected') {
          this.connected.uses.push({ source: value.source, written: this.text.slice(expr.span.start, expr.span.end), span: expr.span, tagSpan, context });
          return value;
        }
        if (context !== 'output' || value.kind !== 'field') return value;
        const use = this.collector.addUse({
          path: value.path, written: expr.name, span: expr.span, tagSpan, context,
          fallback: value.fallback, filters: [...value.filters, ...filters],
          guarded: this.collector.isGuarded(value.path) || value.present,
        });
        return { ...value, uses: [use] };
      }
      case 'attribute': {
        const system = AMPSCRIPT_SYSTEM_TAGS.find(expr.name);
        if (system) {
          this.collector.addSystemUse(system, this.text.slice(expr.nameSpan.start, expr.nameSpan.end), expr.nameSpan);
          return UNKNOWN;
        }
        if (isSystemString(expr.name)) return UNKNOWN;
        return this.field(expr.name, this.text.slice(expr.nameSpan.start, expr.nameSpan.end), expr.nameSpan, context, tagSpan, filters);
      }
      case 'not':
        this.value(expr.operand, context, tagSpan);
        return UNKNOWN;
      case 'binary':
        this.value(expr.left, context, tagSpan);
        this.value(expr.right, context, tagSpan);
        return UNKNOWN;
      case 'call':
        return this.call(expr, context, tagSpan, filters);
    }
  }

  private call(expr: Extract<Expr, { kind: 'call' }>, context: UseContext, tagSpan: Span, filters: string[]): Value {
    const args = expr.args;
    const stringArg = (index: number) => {
      const arg = args[index];
      return arg?.kind === 'string' && arg.span.end - arg.span.start >= 2 ? arg : undefined;
    };
    const rest = (from: number) => {
      for (let i = from; i < args.length; i++) this.value(args[i], 'argument', tagSpan);
    };
    const blockKind = CONTENT_BLOCKS.get(expr.name);
    if (blockKind !== undefined || expr.name === 'TreatAsContent') this.include(expr, blockKind);
    switch (expr.name) {
      case 'V':
        return args[0] ? this.value(args[0], context, tagSpan, filters) : UNKNOWN;
      case 'AttributeValue': {
        const name = stringArg(0);
        rest(name ? 1 : 0);
        return name ? this.field(name.value, name.value, inner(name.span), context, tagSpan, filters) : UNKNOWN;
      }
      case 'Lookup': {
        const table = stringArg(0);
        const column = stringArg(1);
        rest(table && column ? 2 : 0);
        return table && column ? this.field(`${table.value}.${column.value}`, column.value, inner(column.span), context, tagSpan, filters) : UNKNOWN;
      }
      case 'LookupRows':
      case 'LookupOrderedRows':
      case 'LookupRowsCS':
      case 'LookupOrderedRowsCS': {
        const table = stringArg(0);
        rest(table ? 1 : 0);
        if (!table) return UNKNOWN;
        this.collector.addUse({ path: table.value, written: table.value, span: inner(table.span), tagSpan, context: 'loop', fallback: null, filters: [expr.name] });
        return { kind: 'rows', path: table.value };
      }
      case 'HTTPGet':
      case 'HTTPPost':
      case 'HTTPPost2': {
        // Fetched at send time: the arguments are read as usual, the response is connected data.
        rest(0);
        return args[0] ? { kind: 'fetched', from: this.text.slice(args[0].span.start, args[0].span.end) } : UNKNOWN;
      }
      case 'Row': {
        const rows = args[0] ? this.value(args[0], 'argument', tagSpan) : UNKNOWN;
        rest(1);
        return rows.kind === 'rows' ? { kind: 'row', path: `${rows.path}[]` } : UNKNOWN;
      }
      case 'Field': {
        const row = args[0] ? this.value(args[0], 'argument', tagSpan) : UNKNOWN;
        const column = stringArg(1);
        rest(2);
        if (row.kind === 'row' && column) return this.field(`${row.path}.${column.value}`, column.value, inner(column.span), context, tagSpan, filters);
        if (args[1] && !column) this.value(args[1], 'argument', tagSpan);
        return UNKNOWN;
      }
      case 'IIF':
        return this.iif(expr, context, tagSpan, filters);
      case 'Empty':
      case 'IsNull':
        if (args[0]) this.value(args[0], context === 'output' ? 'condition' : context, tagSpan);
        rest(1);
        return UNKNOWN;
      case 'Concat': {
        let first: Value | undefined;
        let literal = '';
        let allLiteral = true;
        for (const arg of args) {
          const value = this.value(arg, context, tagSpan, filters);
          if (value.kind === 'literal') literal += value.text;
          else allLiteral = false;
          if (value.kind === 'field' && !first) first = value;
        }
        return first ?? (allLiteral ? { kind: 'literal', text: literal } : UNKNOWN);
      }
      case 'Output':
      case 'OutputLine':
        for (const arg of args) this.value(arg, 'output', expr.span, filters);
        return UNKNOWN;
      default: {
        if (!TRANSFORMS.has(expr.name) || !args[0]) {
          rest(0);
          return UNKNOWN;
        }
        const value = this.value(args[0], context, tagSpan, [expr.name, ...filters]);
        rest(1);
        if (value.kind === 'field') return { ...value, filters: [...value.filters, expr.name] };
        return value.kind === 'literal' ? UNKNOWN : value;
      }
    }
  }

  /** `IIF(cond, a, b)`: each side is read with what the condition tells, then they are merged. */
  private iif(expr: Extract<Expr, { kind: 'call' }>, context: UseContext, tagSpan: Span, filters: string[]): Value {
    const [test, whenTrue, whenFalse] = expr.args;
    if (!test) return UNKNOWN;
    const guards = this.guardsOf(test);
    this.value(test, 'condition', tagSpan);
    const saved = this.vars;
    const side = (arg: Expr | undefined, facts: Facts): Value => {
      this.vars = new Map(saved);
      const guarded = this.apply(facts);
      const value = arg ? this.value(arg, context, tagSpan, filters) : { kind: 'literal' as const, text: '' };
      this.collector.unguard(guarded);
      return value;
    };
    const merged = merge([side(whenTrue, guards.whenTrue), side(whenFalse, guards.whenFalse)]);
    this.vars = saved;
    for (let i = 3; i < expr.args.length; i++) this.value(expr.args[i], 'argument', tagSpan);
    if (merged.kind === 'field' && merged.fallback !== null) {
      for (const use of merged.uses) if (use.fallback === null) use.fallback = merged.fallback;
    }
    return merged;
  }

  /**
   * `ContentBlockByKey("k")`, `ContentBlockByName("Content Builder\Footers\Main")`, `ContentBlockByID(123)`:
   * the name is the literal (AMPscript strings have no escapes: a `\` is part of the name), null when
   * a variable or an expression computes it. `TreatAsContent` runs a string as AMPscript: a literal is
   * content written inline, and a `ContentBlockBy…` call is reported by itself, but anything else
   * pulls in content chosen at send time: a dynamic include, of the kind most such code looks up.
   * Blocks see the caller's variables, and take no arguments.
   */
  private include(expr: Extract<Expr, { kind: 'call' }>, blockKind: IncludeKind | undefined): void {
    const arg = expr.args[0];
    if (!arg) return;
    const literal = arg.kind === 'string' || arg.kind === 'number';
    if (blockKind === undefined && (isLiteral(arg) || (arg.kind === 'call' && CONTENT_BLOCKS.has(arg.name)))) return;
    this.collector.includes.push({
      kind: blockKind ?? 'content-block-key', name: blockKind !== undefined && literal ? String(arg.value) : null,
      nameSpan: arg.span, tagSpan: expr.span, parameters: [], sharesScope: true, guards: this.collector.activeGuards(),
    });
  }

  private field(path: string, written: string, span: Span, context: UseContext, tagSpan: Span, filters: string[]): FieldValue {
    const use = this.collector.addUse({ path, written, span, tagSpan, context, fallback: null, filters });
    return {
      kind: 'field', path, fallback: null, filters: [], present: this.collector.isGuarded(path), absent: false,
      uses: context === 'output' ? [use] : [],
    };
  }

  // ---- Guards ---------------------------------------------------------------------------------

  private keyOf(expr: Expr): Key | undefined {
    switch (expr.kind) {
      case 'variable': {
        const variable = expr.name.toLowerCase();
        const value = this.vars.get(variable);
        return { variable, path: value?.kind === 'field' ? value.path : undefined };
      }
      case 'attribute':
        return isSystemString(expr.name) ? undefined : { path: expr.name };
      case 'call': {
        const [first, second] = expr.args;
        if (expr.name === 'AttributeValue' && first?.kind === 'string') return { path: first.value };
        if (expr.name === 'Lookup' && first?.kind === 'string' && second?.kind === 'string') return { path: `${first.value}.${second.value}` };
        if ((TRANSFORMS.has(expr.name) || expr.name === 'Length') && first) return this.keyOf(first);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private guardsOf(expr: Expr): Guards {
    switch (expr.kind) {
      case 'not': {
        const inner = this.guardsOf(expr.operand);
        return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
      }
      case 'binary': {
        if (expr.op === 'and' || expr.op === 'or') {
          const left = this.guardsOf(expr.left);
          const right = this.guardsOf(expr.right);
          if (expr.op === 'and') return { whenTrue: joinFacts(left.whenTrue, right.whenTrue), whenFalse: NO_FACTS };
          return { whenTrue: NO_FACTS, whenFalse: joinFacts(left.whenFalse, right.whenFalse) };
        }
        return this.comparisonGuards(expr.op, expr.left, expr.right);
      }
      case 'call': {
        if ((expr.name === 'Empty' || expr.name === 'IsNull') && expr.args[0]) {
          const key = this.keyOf(expr.args[0]);
          return key ? { whenTrue: { present: [], absent: [key] }, whenFalse: { present: [key], absent: [] } } : NO_GUARDS;
        }
        return NO_GUARDS;
      }
      case 'variable':
      case 'attribute': {
        const key = this.keyOf(expr);
        return key ? { whenTrue: { present: [key], absent: [] }, whenFalse: NO_FACTS } : NO_GUARDS;
      }
      default:
        return NO_GUARDS;
    }
  }

  private comparisonGuards(op: string, left: Expr, right: Expr): Guards {
    const leftKey = isLiteral(left) ? undefined : this.keyOf(left);
    const rightKey = leftKey || isLiteral(right) ? undefined : this.keyOf(right);
    const key = leftKey ?? rightKey;
    const other = leftKey ? right : left;
    if (!key || !isLiteral(other)) return NO_GUARDS;
    const fieldSide = leftKey ? left : right;
    const counted = fieldSide.kind === 'call' && fieldSide.name === 'Length';
    const blank = (other.kind === 'string' && other.value === '') || (counted && other.kind === 'number' && other.value === 0);
    const present: Facts = { present: [key], absent: [] };
    const absent: Facts = { present: [], absent: [key] };
    switch (op) {
      case '!=':
        return blank ? { whenTrue: present, whenFalse: absent } : NO_GUARDS;
      case '==':
        return blank ? { whenTrue: absent, whenFalse: present } : { whenTrue: present, whenFalse: NO_FACTS };
      case '>':
      case '>=':
        return leftKey ? { whenTrue: present, whenFalse: NO_FACTS } : NO_GUARDS;
      case '<':
      case '<=':
        return rightKey ? { whenTrue: present, whenFalse: NO_FACTS } : NO_GUARDS;
      default:
        return NO_GUARDS;
    }
  }
}

function isLiteral(expr: Expr): expr is Extract<Expr, { kind: 'string' | 'number' | 'boolean' }> {
  return expr.kind === 'string' || expr.kind === 'number' || expr.kind === 'boolean';
}

function joinFacts(a: Facts, b: Facts): Facts {
  return { present: [...a.present, ...b.present], absent: [...a.absent, ...b.absent] };
}

/** The span of a string literal's content, inside its quotes. */
function inner(span: Span): Span {
  return { start: span.start + 1, end: span.end - 1 };
}

function mergeStates(states: Map<string, Value>[]): Map<string, Value> {
  const merged = new Map<string, Value>();
  const values: (Value | undefined)[] = [];
  for (const state of states) {
    for (const name of state.keys()) {
      if (merged.has(name)) continue;
      values.length = 0;
      for (const each of states) values.push(each.get(name));
      merged.set(name, merge(values));
    }
  }
  return merged;
}

/** What a variable holds on a path that never set it. */
const NEVER_SET: Value = { kind: 'literal', text: '' };
const NO_USES: FieldUse[] = [];

/**
 * What a variable holds after paths that gave it different values: the field, with a fallback when
 * every path where the field may be empty gave a text instead. One pass and no lists in between:
 * it runs for every variable at every IF.
 */
function merge(values: readonly (Value | undefined)[]): Value {
  const first = values[0] ?? NEVER_SET;
  const firstText = first.kind === 'literal' ? first.text : undefined;
  const firstRows = first.kind === 'rows' ? first.path : undefined;
  // The same fetched response on every path stays connected data.
  if (first.kind === 'connected' && values.every((value) => value?.kind === 'connected' && value.source === first.source)) return first;
  let sameLiteral = firstText !== undefined;
  let sameRows = firstRows !== undefined;
  let field: FieldValue | undefined;
  let unknown = false;
  let present = true;
  let blankPossible = false;
  let candidate: string | null = null;
  let uses = NO_USES;
  for (const each of values) {
    const value = each ?? NEVER_SET;
    if (sameLiteral && (value.kind !== 'literal' || value.text !== firstText)) sameLiteral = false;
    if (sameRows && (value.kind !== 'rows' || value.path !== firstRows)) sameRows = false;
    if (value.kind === 'literal') {
      present = false;
      if (value.text === '') blankPossible = true;
      else candidate ??= value.text;
    } else if (value.kind === 'field') {
      if (!field) field = value;
      else if (value.path !== field.path) unknown = true;
      if (!value.present) {
        present = false;
        if (value.fallback !== null) candidate ??= value.fallback;
        else blankPossible = true;
      }
      if (value.uses.length > 0) uses = uses === NO_USES ? value.uses : [...uses, ...value.uses];
    } else {
      unknown = true;
      present = false;
    }
  }
  if (sameLiteral || sameRows) return first;
  if (!field || unknown) return UNKNOWN;
  return { kind: 'field', path: field.path, fallback: blankPossible ? null : candidate, filters: field.filters, present, absent: false, uses };
}
