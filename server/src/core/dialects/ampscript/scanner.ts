/**
 * Field uses of an AMPscript template.
 *
 * Variables remember the attribute they came from, so `%%=v(@firstName)=%%` is a use of `FirstName`,
 * and what the branches of an IF did to them: after
 * `IF Empty(@firstName) THEN SET @firstName = "there" ENDIF` the variable is `FirstName` with the
 * fallback "there". The same holds for `IIF(Empty(@x), "there", @x)`. A variable that the branches set
 * from different places carries each of them (`IF … THEN SET @name = FirstName ELSE SET @name = Nickname`):
 * its output is a use of each. Variables are few, so copying their states at each IF keeps the scan
 * linear in practice.
 *
 * Data extensions (`Lookup`, `LookupRows`, `LookupOrderedRows`, `ClaimRow`, `ClaimRowValue`, then
 * `Row` and `Field`) are read at send time from Marketing Cloud's own tables, not from the subscriber's
 * profile: they are recorded as connected data (`data-extension`), with each name and column as written.
 */
import type { Span } from '../../model';
import type { FieldUse, IncludeKind, TemplateScan, UseContext } from '../dialect';
import { ScanCollector } from '../common/scan-collector';
import type { ConnectedData, ConnectedDataUse } from '../common/connected-data';
import { MAX_NESTING } from '../common/limits';
import { isSystemString, TRANSFORMS } from './functions';
import { AMPSCRIPT_SYSTEM_TAGS } from './system-tags';
import { lexAmpscript, type LexSink } from './lexer';
import { parseAmpscript, type Expr, type Stmt } from './parser';

/** What a variable holds, as far as the scan can tell. */
type Value =
  | { kind: 'literal'; text: string }
  | FieldValue
  /** A rowset from `LookupRows("DE", …)`: its index into the scan's connected data sources. */
  | { kind: 'rows'; source: number }
  /** One row of a rowset (`Row(@rows, 1)`, `ClaimRow(…)`). */
  | { kind: 'row'; source: number }
  /** A response fetched at send time (`HTTPGet(url)`), before it is kept in a variable; `from` is the URL as written. */
  | { kind: 'fetched'; from: string }
  | ConnectedValue
  | EitherValue
  | { kind: 'unknown' };

/** Connected data: a fetched response, or a data extension's value (`property`: its column, when known). */
interface ConnectedValue {
  kind: 'connected';
  source: number;
  property?: string;
}

/** A variable the branches set from different places: each origin, with what it means on its own paths. */
interface EitherValue {
  kind: 'either';
  options: (FieldValue | ConnectedValue)[];
}

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
  /** The literal text a `Concat` joined in front of the field (`"https://x.example/?e="`). */
  writtenBefore?: string;
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

/** The most `TreatAsContent("…")` literals read as content in one template. */
const MAX_INLINE_CONTENT = 200;

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
  /**
   * While a `Concat`'s arguments are read: the literal text it joins in front of the one being read
   * (null when something not literal comes first); undefined outside every `Concat`.
   */
  private literalBefore: string | null | undefined;
  /** How many string literals have been scanned as content (see `content`). */
  private inlineContents = 0;
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
    const mark = (key: Key, present: boolean) => {
      const value = key.variable ? this.vars.get(key.variable) : undefined;
      const marked = (field: FieldValue): FieldValue => ({ ...field, present, absent: !present });
      if (!key.variable || !value) return;
      if (value.kind === 'field') this.vars.set(key.variable, marked(value));
      else if (value.kind === 'either') this.vars.set(key.variable, { kind: 'either', options: value.options.map((option) => option.kind === 'field' ? marked(option) : option) });
    };
    for (const key of facts.present) {
      if (key.path) paths.push(key.path);
      mark(key, true);
    }
    for (const key of facts.absent) mark(key, false);
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
          this.readConnected(value, expr.span, tagSpan, context);
          return value;
        }
        if (value.kind === 'either') {
          // Each origin is read here: a use of each field (when shown), a read of each connected value.
          const options = value.options.map((option) => {
            if (option.kind === 'connected') this.readConnected(option, expr.span, tagSpan, context);
            else if (context === 'output') return this.outputUse(option, expr.name, expr.span, tagSpan, filters);
            return option;
          });
          return { kind: 'either', options };
        }
        if (context !== 'output' || value.kind !== 'field') return value;
        return this.outputUse(value, expr.name, expr.span, tagSpan, filters);
      }
      case 'attribute': {
        const system = AMPSCRIPT_SYSTEM_TAGS.find(expr.name);
        if (system) {
          this.collector.addSystemUse(system, this.text.slice(expr.nameSpan.start, expr.nameSpan.end), expr.nameSpan);
          return UNKNOWN;
        }
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

  /** A variable holding a field, shown: a use of the field, with what the variable's paths tell. */
  private outputUse(value: FieldValue, written: string, span: Span, tagSpan: Span, filters: string[]): FieldValue {
    const use = this.collector.addUse({
      path: value.path, written, span, tagSpan, context: 'output',
      fallback: value.fallback, filters: [...value.filters, ...filters],
      guarded: this.collector.isGuarded(value.path) || value.present,
    });
    // A variable built by `Concat` keeps the text joined in front of its field, after whatever this output joins in front of it.
    const before = (this.literalBefore ?? '') + (value.writtenBefore ?? '');
    if (this.literalBefore !== null && before) use.writtenBefore = before;
    return { ...value, uses: [use] };
  }

  private readConnected(value: ConnectedValue, span: Span, tagSpan: Span, context: UseContext): void {
    const use: ConnectedDataUse = { source: value.source, written: this.text.slice(span.start, span.end), span, tagSpan, context };
    if (value.property !== undefined) use.property = value.property;
    this.connected.uses.push(use);
  }

  /** A data extension named in a call: a source of its own, and a read of its name as written. */
  private dataExtension(call: Extract<Expr, { kind: 'call' }>, name: Extract<Expr, { kind: 'string' }>, tagSpan: Span): number {
    const source = this.connected.sources.push({ kind: 'data-extension', name: name.value, from: name.value, object: name.value, tagSpan: call.span }) - 1;
    this.connected.uses.push({ source, written: name.value, span: inner(name.span), tagSpan, context: 'argument', literal: true });
    return source;
  }

  /** A column named in a string (`"Points"`); anything else is read as an argument. */
  private column(source: number, arg: Expr | undefined, context: UseContext, tagSpan: Span): string | undefined {
    if (!arg) return undefined;
    if (arg.kind !== 'string' || arg.span.end - arg.span.start < 2) {
      this.value(arg, 'argument', tagSpan);
      return undefined;
    }
    this.connected.uses.push({ source, written: arg.value, span: inner(arg.span), tagSpan, context, property: arg.value, literal: true });
    return arg.value;
  }

  /** `"KeyColumn", value, "OtherKey", value…` from `from` on: the names are columns, the values arguments. */
  private keyPairs(source: number, args: Expr[], from: number, tagSpan: Span): void {
    for (let i = from; i < args.length; i++) {
      if ((i - from) % 2 === 0) this.column(source, args[i], 'argument', tagSpan);
      else this.value(args[i], 'argument', tagSpan);
    }
  }

  /** `LookupOrderedRows`' order: `"Points DESC, LastName ASC"`, each column a read of its own. */
  private orderColumns(source: number, arg: Expr | undefined, tagSpan: Span): void {
    if (!arg) return;
    if (arg.kind !== 'string' || arg.span.end - arg.span.start < 2 || arg.span.end - arg.span.start - 2 !== arg.value.length) {
      this.value(arg, 'argument', tagSpan);
      return;
    }
    const start = arg.span.start + 1;
    const pattern = /[^,]+/g;
    for (let match = pattern.exec(arg.value); match; match = pattern.exec(arg.value)) {
      const words = /^\s*(.*?)(?:\s+(?:ASC|DESC))?\s*$/i.exec(match[0]);
      const name = words?.[1] ?? '';
      if (!name) continue;
      const offset = start + match.index + match[0].indexOf(name);
      this.connected.uses.push({ source, written: name, span: { start: offset, end: offset + name.length }, tagSpan, context: 'argument', property: name, literal: true });
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
    // TreatAsContent(content), TreatAsContentArea(key, content, region): content written as a literal is
    // rendered as if it came from a content area, its `%%FirstName%%` and `%%=v(@x)=%%` included. Any
    // other content (a variable's value) is read as before.
    const contentIndex = expr.name === 'TreatAsContent' ? 0 : expr.name === 'TreatAsContentArea' ? 1 : -1;
    if (contentIndex >= 0 && args[contentIndex]?.kind === 'string') {
      args.forEach((arg, index) => {
        if (index === contentIndex) this.content(arg.span);
        else this.value(arg, 'argument', tagSpan);
      });
      return UNKNOWN;
    }
    switch (expr.name) {
      case 'V':
        return args[0] ? this.value(args[0], context, tagSpan, filters) : UNKNOWN;
      case 'AttributeValue': {
        const name = stringArg(0);
        rest(name ? 1 : 0);
        if (!name) return UNKNOWN;
        // `AttributeValue("_subscriberkey")` reads the same system string as `_subscriberkey` does.
        const system = AMPSCRIPT_SYSTEM_TAGS.find(name.value);
        if (system) {
          this.collector.addSystemUse(system, name.value, inner(name.span));
          return UNKNOWN;
        }
        return this.field(name.value, name.value, inner(name.span), context, tagSpan, filters);
      }
      case 'Lookup':
      case 'ClaimRowValue': {
        // Lookup(DE, returnColumn, keyColumn, value…); ClaimRowValue(DE, returnColumn, claimColumn, default, claimantColumn, value…).
        const table = stringArg(0);
        if (!table) {
          rest(0);
          return UNKNOWN;
        }
        const source = this.dataExtension(expr, table, tagSpan);
        const column = this.column(source, args[1], context === 'output' ? 'output' : 'argument', tagSpan);
        if (expr.name === 'Lookup') {
          this.keyPairs(source, args, 2, tagSpan);
        } else {
          this.column(source, args[2], 'argument', tagSpan);
          if (args[3]) this.value(args[3], 'argument', tagSpan);
          this.keyPairs(source, args, 4, tagSpan);
        }
        return column === undefined ? { kind: 'connected', source } : { kind: 'connected', source, property: column };
      }
      case 'LookupRows':
      case 'LookupRowsCS':
      case 'LookupOrderedRows':
      case 'LookupOrderedRowsCS':
      case 'ClaimRow': {
        // LookupRows(DE, keyColumn, value…); LookupOrderedRows(DE, count, "Column DESC", keyColumn, value…);
        // ClaimRow(DE, claimColumn, claimantColumn, value…).
        const table = stringArg(0);
        if (!table) {
          rest(0);
          return UNKNOWN;
        }
        const source = this.dataExtension(expr, table, tagSpan);
        if (expr.name === 'ClaimRow') {
          this.column(source, args[1], 'argument', tagSpan);
          this.keyPairs(source, args, 2, tagSpan);
          return { kind: 'row', source };
        }
        if (expr.name.startsWith('LookupOrdered')) {
          if (args[1]) this.value(args[1], 'argument', tagSpan);
          this.orderColumns(source, args[2], tagSpan);
          this.keyPairs(source, args, 3, tagSpan);
        } else {
          this.keyPairs(source, args, 1, tagSpan);
        }
        return { kind: 'rows', source };
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
        return rows.kind === 'rows' ? { kind: 'row', source: rows.source } : UNKNOWN;
      }
      case 'Field': {
        // A column of a data extension's row; `Field(@row, Concat("Name", @i))` reads a column chosen at send time.
        const row = args[0] ? this.value(args[0], 'argument', tagSpan) : UNKNOWN;
        rest(2);
        if (row.kind !== 'row') {
          if (args[1]) this.value(args[1], 'argument', tagSpan);
          return UNKNOWN;
        }
        const column = this.column(row.source, args[1], context === 'output' ? 'output' : 'argument', tagSpan);
        return column === undefined ? { kind: 'connected', source: row.source } : { kind: 'connected', source: row.source, property: column };
      }
      case 'IIF':
        return this.iif(expr, context, tagSpan, filters);
      case 'Empty':
      case 'IsNull':
        if (args[0]) this.value(args[0], context === 'output' ? 'condition' : context, tagSpan);
        rest(1);
        return UNKNOWN;
      case 'Concat': {
        // The text carries every field and connected value joined into it (a link with the tier and the address).
        const carried: (FieldValue | ConnectedValue)[] = [];
        let literal = '';
        let allLiteral = true;
        const outer = this.literalBefore;
        for (const arg of args) {
          this.literalBefore = outer === null || !allLiteral ? null : (outer ?? '') + literal;
          const value = this.value(arg, context, tagSpan, filters);
          if (value.kind === 'literal') literal += value.text;
          else allLiteral = false;
          if (value.kind === 'field' || value.kind === 'connected') carried.push(value);
          else if (value.kind === 'either') carried.push(...value.options);
        }
        this.literalBefore = outer;
        if (carried.length === 1) return carried[0];
        if (carried.length > 1) return { kind: 'either', options: carried };
        return allLiteral ? { kind: 'literal', text: literal } : UNKNOWN;
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
        if (value.kind === 'either') {
          return { kind: 'either', options: value.options.map((option) => option.kind === 'field' ? { ...option, filters: [...option.filters, expr.name] } : option) };
        }
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
    for (const option of merged.kind === 'either' ? merged.options : [merged]) {
      if (option.kind !== 'field' || option.fallback === null) continue;
      for (const use of option.uses) if (use.fallback === null) use.fallback = option.fallback;
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

  /**
   * The text of a string literal that AMPscript renders as content (`TreatAsContent("…%%FirstName%%…")`),
   * scanned as a template of its own in the caller's variables. The literal is scanned where it stands:
   * the rest of the template is blanked out, so every span is the template's. Mistakes in it are left
   * to the send (it may be content that is never rendered); at most MAX_INLINE_CONTENT literals are
   * read, so a template of thousands of them is not scanned thousands of times.
   */
  private content(literal: Span): void {
    const start = literal.start + 1;
    const end = literal.end - 1;
    const marker = this.text.indexOf('%%', start);
    if (end <= start || this.inlineContents >= MAX_INLINE_CONTENT || marker === -1 || marker >= end) return;
    this.inlineContents++;
    // A quote inside the literal is written twice (`"…AttributeValue(""First Name"")…"`): each pair
    // becomes one quote and a space, the space outside the inner string, so offsets stay the template's.
    const quote = this.text[literal.start];
    let opening = true;
    const inner = this.text.slice(start, end).replaceAll(quote + quote, () => ((opening = !opening) ? quote + ' ' : ' ' + quote));
    const blanked = ' '.repeat(start) + inner;
    this.walk(parseTemplate(blanked, { error: () => undefined, purposeDirectives: [] }));
  }

  private field(path: string, written: string, span: Span, context: UseContext, tagSpan: Span, filters: string[]): FieldValue {
    const before = this.literalBefore;
    const use = this.collector.addUse({ path, written, span, tagSpan, context, fallback: null, filters });
    if (context === 'output' && before) use.writtenBefore = before;
    const value: FieldValue = {
      kind: 'field', path, fallback: null, filters: [], present: this.collector.isGuarded(path), absent: false,
      uses: context === 'output' ? [use] : [],
    };
    if (before) value.writtenBefore = before;
    return value;
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
        const [first] = expr.args;
        if (expr.name === 'AttributeValue' && first?.kind === 'string') return isSystemString(first.value) ? undefined : { path: first.value };
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

/** One origin of a merged variable: a field, and what its paths tell about it. */
interface FieldGroup {
  first: FieldValue;
  /** The first text another path shows instead (a literal, or this field's fallback where it may be empty). */
  candidate: string | null;
  /** A path where this field may be empty and nothing replaces it. */
  blank: boolean;
  /** Known to have a value on every path that gave it. */
  present: boolean;
  uses: FieldUse[];
}

/** The same literal, rowset, row or connected value. */
function sameValue(a: Value, b: Value): boolean {
  switch (a.kind) {
    case 'literal': return b.kind === 'literal' && b.text === a.text;
    case 'rows': return b.kind === 'rows' && b.source === a.source;
    case 'row': return b.kind === 'row' && b.source === a.source;
    case 'connected': return b.kind === 'connected' && b.source === a.source && b.property === a.property;
    default: return false;
  }
}

/**
 * What a variable holds after paths that gave it different values: each field it may hold, with a
 * fallback when every path where that field may be empty gave a text instead (and no path leaves the
 * variable empty); each connected value; one of them alone, or all as `either`. It runs for every
 * variable at every IF, so it makes one pass and a group per distinct field.
 */
function merge(values: readonly (Value | undefined)[]): Value {
  const first = values[0] ?? NEVER_SET;
  if (first.kind === 'literal' || first.kind === 'rows' || first.kind === 'row' || first.kind === 'connected') {
    let same = true;
    for (const value of values) if (!sameValue(value ?? NEVER_SET, first)) { same = false; break; }
    if (same) return first;
  }
  let literal = false;
  let blankLiteral = false;
  let firstText: string | null = null;
  const groups = new Map<string, FieldGroup>();
  const connected: ConnectedValue[] = [];
  const addField = (value: FieldValue) => {
    let group = groups.get(value.path);
    if (!group) groups.set(value.path, (group = { first: value, candidate: firstText, blank: false, present: true, uses: NO_USES }));
    if (!value.present) {
      group.present = false;
      if (value.fallback !== null) group.candidate ??= value.fallback;
      else group.blank = true;
    }
    if (value.uses.length > 0) group.uses = group.uses === NO_USES ? value.uses : [...group.uses, ...value.uses];
  };
  const addConnected = (value: ConnectedValue) => {
    if (!connected.some((each) => sameValue(each, value))) connected.push(value);
  };
  for (const each of values) {
    const value = each ?? NEVER_SET;
    switch (value.kind) {
      case 'literal':
        literal = true;
        if (value.text === '') {
          blankLiteral = true;
        } else {
          firstText ??= value.text;
          for (const group of groups.values()) group.candidate ??= value.text;
        }
        break;
      case 'field':
        addField(value);
        break;
      case 'connected':
        addConnected(value);
        break;
      case 'either':
        for (const option of value.options) {
          if (option.kind === 'field') addField(option);
          else addConnected(option);
        }
        break;
      default:
        return UNKNOWN;
    }
  }
  const options: (FieldValue | ConnectedValue)[] = [];
  for (const [path, group] of groups) {
    options.push({
      kind: 'field', path, fallback: blankLiteral || group.blank ? null : group.candidate, filters: group.first.filters,
      // A path that set a text means the field may not be shown there: the text is its fallback, not a guard.
      present: group.present && !literal, absent: false, uses: group.uses,
    });
  }
  options.push(...connected);
  if (options.length === 0) return UNKNOWN;
  return options.length === 1 ? options[0] : { kind: 'either', options };
}
