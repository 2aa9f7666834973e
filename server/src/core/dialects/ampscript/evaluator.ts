/**
 * A small AMPscript evaluator for previews: SET, IF/ELSEIF/ELSE/ENDIF, FOR/NEXT, and the common
 * functions (IIF, Empty, AttributeValue, V, Concat, case and trimming, Format/FormatDate/
 * FormatNumber/FormatCurrency, dates, arithmetic, Lookup/LookupRows/Row/Field, Output, RaiseError).
 * Functions that write to data extensions or call the network do nothing and return nothing.
 * Content blocks (`ContentBlockByKey/Name/ID`) come from `request.partial`, and run with the caller's variables.
 *
 * Marketing Cloud is the only real engine, and it does not run outside Salesforce, so this is an
 * approximation of the common subset; it counts steps and allocations against the request's limits.
 */
import type { IncludeKind, RenderRequest, RenderResult } from '../dialect';
import { formatDotNetNumber, formatFixed, formatPatternDate, toDate, toNumber } from '../common/format';
import { dataPathOf, isEmptyValue, member, RenderAbort, renderWithLimits, valueAtPath, type RenderOutput } from '../common/render-support';
import { connectedMockValue, type ConnectedDataSource } from '../common/connected-data';
import { isSystemString } from './functions';
import type { Expr, Stmt } from './parser';
import { parseTemplate } from './scanner';

export function renderAmpscript(request: RenderRequest): RenderResult {
  return renderWithLimits(request, 'AMPscript', (out) => {
    new Interpreter(request, out).run(parseStatements(request.text));
  });
}

function parseStatements(text: string): Stmt[] {
  return parseTemplate(text, { error() { /* reported by the scanner */ }, purposeDirectives: [] });
}

type Call = Extract<Expr, { kind: 'call' }>;

/** Deepest nesting of content blocks rendered: a block that pulls itself in stops here instead of hanging. */
const MAX_INCLUDE_DEPTH = 20;

const CONTENT_BLOCKS: Record<string, IncludeKind> = {
  ContentBlockByKey: 'content-block-key',
  ContentBlockByName: 'content-block-name',
  ContentBlockByID: 'content-block-id',
};

class Interpreter {
  private readonly useAt = new Map<number, number>();
  private readonly outputUseAt = new Map<number, number>();
  /** `SET @x = HTTPGet(…)` statements by start: the connected source each sets. */
  private readonly fetchAt = new Map<number, number>();
  /** Outputs of connected data by their tag's start: the index of the read, into `scan.connected.uses`. */
  private readonly connectedOutputAt = new Map<number, number>();
  private readonly now = new Date();

  /** `vars` and `depth` are the caller's, for a content block's interpreter. */
  constructor(
    private readonly request: RenderRequest,
    private readonly out: RenderOutput,
    private readonly vars = new Map<string, unknown>(),
    private readonly depth = 0,
  ) {
    request.scan.uses.forEach((use, index) => {
      if (!this.useAt.has(use.span.start)) this.useAt.set(use.span.start, index);
      if (use.context === 'output' && !this.outputUseAt.has(use.tagSpan.start)) this.outputUseAt.set(use.tagSpan.start, index);
    });
    const connected = request.scan.connected;
    connected?.sources.forEach((source, index) => {
      if (source.kind === 'http-get') this.fetchAt.set(source.tagSpan.start, index);
    });
    // A content block's reads index its own scan, which the preview's marks do not: only the template's are marked.
    if (depth === 0) {
      connected?.uses.forEach((use, index) => {
        if (use.context === 'output' && !this.connectedOutputAt.has(use.tagSpan.start)) this.connectedOutputAt.set(use.tagSpan.start, index);
      });
    }
  }

  run(statements: Stmt[]): void {
    for (const statement of statements) {
      this.out.step();
      switch (statement.kind) {
        case 'text':
          this.out.text(this.request.text.slice(statement.start, statement.end));
          break;
        case 'output':
          this.write(this.evaluate(statement.expr), statement.tagSpan.start);
          break;
        case 'set': {
          const fetched = this.fetchAt.get(statement.span.start);
          const value = fetched !== undefined ? this.mockResponse(fetched) : statement.value ? this.evaluate(statement.value) : '';
          if (typeof value === 'string') this.out.allocate(value.length);
          this.vars.set(statement.variable.toLowerCase(), value);
          break;
        }
        case 'call':
          this.evaluate(statement.expr);
          break;
        case 'if':
          for (const branch of statement.branches) {
            if (!branch.test || isTrue(this.evaluate(branch.test))) {
              this.run(branch.body);
              break;
            }
          }
          break;
        case 'for': {
          const from = toNumber(statement.from ? this.evaluate(statement.from) : undefined);
          const to = toNumber(statement.to ? this.evaluate(statement.to) : undefined);
          if (from === undefined || to === undefined) break;
          const step = statement.down ? -1 : 1;
          const name = statement.variable.toLowerCase();
          for (let i = Math.trunc(from); statement.down ? i >= to : i <= to; i += step) {
            this.out.step();
            this.out.allocate(1);
            this.vars.set(name, i);
            this.run(statement.body);
          }
          break;
        }
      }
    }
  }

  /** Writes a value, marked when it is a field's output. */
  private write(value: unknown, tagStart: number): void {
    const text = textOf(value);
    const useIndex = this.outputUseAt.get(tagStart);
    if (useIndex === undefined) {
      const read = this.connectedOutputAt.get(tagStart);
      if (read !== undefined) this.out.connected(read, text === '' ? 'blank' : 'value', text);
      else this.out.text(text);
      return;
    }
    const use = this.request.scan.uses[useIndex];
    const raw = use.path.includes('[]') ? value : valueAtPath(this.request.data, dataPathOf(this.request, useIndex));
    this.out.field(useIndex, text === '' ? 'blank' : isEmptyValue(raw) ? 'fallback' : 'value', text);
  }

  /**
   * A data extension's rows: the sample recipient's mock under `$connected` (its name, in any case: a list
   * of rows, or one row), or the sample rows mergewise.json declares (which the preview puts among the
   * mocks), else the recipient data under its name. The preview never reads Marketing Cloud.
   */
  private dataExtension(name: string): unknown {
    const source: ConnectedDataSource = { kind: 'data-extension', name, from: name, tagSpan: { start: 0, end: 0 } };
    const { mocked, value } = connectedMockValue(this.request.connected, source, { written: name });
    return mocked ? value : valueAtPath(this.request.data, name);
  }

  /**
   * What `SET @x = HTTPGet(…)` keeps in a preview: the sample recipient's mock for `@x` (as text, as
   * HTTPGet returns it: an object or list as its JSON), else nothing. The preview never fetches.
   */
  private mockResponse(sourceIndex: number): unknown {
    const source = this.request.scan.connected!.sources[sourceIndex];
    const { value } = connectedMockValue(this.request.connected, source, { written: source.name });
    return value !== null && typeof value === 'object' ? JSON.stringify(value) : value ?? '';
  }

  private fieldValue(spanStart: number, path: string): unknown {
    const useIndex = this.useAt.get(spanStart);
    return valueAtPath(this.request.data, useIndex === undefined ? path : dataPathOf(this.request, useIndex));
  }

  evaluate(expr: Expr): unknown {
    switch (expr.kind) {
      case 'string':
      case 'number':
      case 'boolean':
        return expr.value;
      case 'variable':
        return this.vars.get(expr.name.toLowerCase());
      case 'attribute':
        return isSystemString(expr.name) ? this.systemString(expr.name) : this.fieldValue(expr.nameSpan.start, expr.name);
      case 'not':
        return !isTrue(this.evaluate(expr.operand));
      case 'binary': {
        if (expr.op === 'and') return isTrue(this.evaluate(expr.left)) && isTrue(this.evaluate(expr.right));
        if (expr.op === 'or') return isTrue(this.evaluate(expr.left)) || isTrue(this.evaluate(expr.right));
        const order = compare(this.evaluate(expr.left), this.evaluate(expr.right));
        switch (expr.op) {
          case '==': return order === 0;
          case '!=': return order !== 0;
          case '<': return order < 0;
          case '>': return order > 0;
          case '<=': return order <= 0;
          case '>=': return order >= 0;
          default: return false;
        }
      }
      case 'call':
        return this.call(expr);
    }
  }

  private call(expr: Call): unknown {
    const args = expr.args;
    const arg = (index: number) => (args[index] ? this.evaluate(args[index]) : undefined);
    const text = (index: number) => textOf(arg(index));
    const number = (index: number) => toNumber(arg(index)) ?? 0;
    const stringStart = (index: number) => (args[index]?.kind === 'string' ? args[index].span.start + 1 : -1);
    switch (expr.name) {
      case 'V': return arg(0);
      case 'AttributeValue': {
        const name = text(0);
        return isSystemString(name) ? this.systemString(name) : this.fieldValue(stringStart(0), name);
      }
      case 'Empty': return isEmptyValue(arg(0));
      case 'IsNull': { const value = arg(0); return value === undefined || value === null || value === ''; }
      case 'IIF': return isTrue(arg(0)) ? arg(1) : arg(2);
      case 'Concat': {
        const joined = args.map((_, index) => text(index)).join('');
        this.out.allocate(joined.length);
        return joined;
      }
      case 'Uppercase': return text(0).toUpperCase();
      case 'Lowercase': return text(0).toLowerCase();
      case 'ProperCase': return text(0).toLowerCase().replace(/(^|[^\p{L}'])(\p{L})/gu, (_w, before: string, letter: string) => before + letter.toUpperCase());
      case 'Trim': return text(0).trim();
      case 'Length': return text(0).length;
      case 'Substring': {
        const start = Math.max(1, number(1));
        return args.length > 2 ? text(0).substr(start - 1, number(2)) : text(0).slice(start - 1);
      }
      case 'IndexOf': return text(0).indexOf(text(1)) + 1;
      case 'Replace': return text(0).split(text(1)).join(text(2));
      case 'Char': return String.fromCharCode(number(0)).repeat(Math.max(1, args.length > 1 ? number(1) : 1));
      case 'Format': return this.format(arg(0), text(1));
      case 'FormatDate': {
        const date = toDate(arg(0), this.now);
        if (!date) return '';
        const pattern = (code: string, kind: 'date' | 'time') => {
          const upper = code.toUpperCase();
          if (kind === 'date') return upper === 'S' ? 'M/d/yyyy' : upper === 'L' ? 'dddd, MMMM d, yyyy' : upper === 'ISO' ? 'yyyy-MM-dd' : code || 'M/d/yyyy';
          return upper === 'S' ? 'h:mm tt' : upper === 'L' ? 'h:mm:ss tt' : code;
        };
        const datePart = formatPatternDate(date, pattern(text(1), 'date'));
        const timeCode = args.length > 2 ? text(2) : '';
        return timeCode ? `${datePart} ${formatPatternDate(date, pattern(timeCode, 'time'))}` : datePart;
      }
      case 'FormatNumber': return formatDotNetNumber(number(0), text(1) || 'N2');
      case 'FormatCurrency': return `$${formatFixed(number(0), args.length > 2 ? number(2) : 2, true)}`;
      case 'Now': case 'GetSendTime': return this.now;
      case 'StringToDate': case 'DateParse': return toDate(arg(0), this.now) ?? '';
      case 'SystemDateToLocalDate': case 'LocalDateToSystemDate': return toDate(arg(0), this.now) ?? '';
      case 'DateAdd': {
        const date = toDate(arg(0), this.now);
        if (!date) return '';
        const amount = number(1);
        const result = new Date(date.getTime());
        switch (text(2).toUpperCase()) {
          case 'Y': result.setUTCFullYear(result.getUTCFullYear() + amount); break;
          case 'M': result.setUTCMonth(result.getUTCMonth() + amount); break;
          case 'H': result.setTime(result.getTime() + amount * 3_600_000); break;
          case 'MI': result.setTime(result.getTime() + amount * 60_000); break;
          default: result.setTime(result.getTime() + amount * 86_400_000);
        }
        return result;
      }
      case 'DateDiff': {
        const a = toDate(arg(0), this.now);
        const b = toDate(arg(1), this.now);
        if (!a || !b) return '';
        const ms = b.getTime() - a.getTime();
        switch (text(2).toUpperCase()) {
          case 'Y': return b.getUTCFullYear() - a.getUTCFullYear();
          case 'M': return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
          case 'H': return Math.trunc(ms / 3_600_000);
          case 'MI': return Math.trunc(ms / 60_000);
          default: return Math.trunc(ms / 86_400_000);
        }
      }
      case 'DatePart': {
        const date = toDate(arg(0), this.now);
        if (!date) return '';
        const part = text(1).toLowerCase();
        if (part.startsWith('y')) return date.getUTCFullYear();
        if (part === 'm' || part.startsWith('mo')) return date.getUTCMonth() + 1;
        if (part.startsWith('d')) return date.getUTCDate();
        if (part.startsWith('h')) return date.getUTCHours();
        return date.getUTCMinutes();
      }
      case 'Add': return number(0) + number(1);
      case 'Subtract': return number(0) - number(1);
      case 'Multiply': return number(0) * number(1);
      case 'Divide': return number(1) === 0 ? '' : number(0) / number(1);
      case 'Mod': return number(1) === 0 ? '' : number(0) % number(1);
      case 'Random': return number(0);
      case 'Lookup':
      case 'ClaimRowValue': {
        const rows = this.dataExtension(text(0));
        return member(Array.isArray(rows) ? rows[0] : rows, text(1)) ?? (expr.name === 'ClaimRowValue' ? text(3) : '');
      }
      case 'LookupRows':
      case 'LookupOrderedRows':
      case 'LookupRowsCS':
      case 'LookupOrderedRowsCS': {
        const rows = this.dataExtension(text(0));
        return Array.isArray(rows) ? rows : rows === undefined || rows === null ? [] : [rows];
      }
      case 'ClaimRow': {
        const rows = this.dataExtension(text(0));
        return Array.isArray(rows) ? rows[0] : rows;
      }
      case 'Row': {
        const rows = arg(0);
        return Array.isArray(rows) ? rows[number(1) - 1] : undefined;
      }
      case 'RowCount': { const rows = arg(0); return Array.isArray(rows) ? rows.length : 0; }
      case 'Field': {
        const row = arg(0);
        const useIndex = this.useAt.get(stringStart(1));
        const schemaPath = useIndex === undefined ? undefined : this.request.schemaPathOf(useIndex);
        const key = schemaPath ? schemaPath.slice(Math.max(schemaPath.lastIndexOf('.'), schemaPath.lastIndexOf(']')) + 1) : text(1);
        return member(row, key) ?? member(row, text(1));
      }
      case 'Output':
      case 'OutputLine': {
        const value = args.map((_, index) => text(index)).join('') + (expr.name === 'OutputLine' ? '\n' : '');
        this.write(value, expr.span.start);
        return '';
      }
      case 'ContentBlockByKey':
      case 'ContentBlockByName':
      case 'ContentBlockByID':
        // Marketing Cloud writes the default content (the fourth argument) in place of a block it cannot find.
        return this.contentBlock(CONTENT_BLOCKS[expr.name], text(0), text(3));
      case 'RaiseError':
        throw new RenderAbort(text(0) || 'RaiseError');
      case 'RedirectTo': case 'TreatAsContent': case 'WrapLongURL': return arg(0);
      case 'CloudPagesURL': case 'MicrositeURL': case 'LiveContentMicrositeURL': return `https://cloud.example.com/page/${text(0)}`;
      case 'URLEncode': return encodeURIComponent(text(0));
      case 'Base64Encode': return Buffer.from(text(0), 'utf8').toString('base64');
      case 'GUID': return '00000000-0000-4000-8000-000000000000';
      case 'Domain': { const email = text(0); return email.slice(email.indexOf('@') + 1); }
      case 'IsEmailAddress': return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text(0));
      default:
        // Data extension writes, HTTP calls and content blocks do nothing in a preview.
        for (let i = 0; i < args.length; i++) arg(i);
        return '';
    }
  }

  /** A content block's output, its AMPscript run where it is pulled in; its field outputs are marked with its file. */
  private contentBlock(kind: IncludeKind, name: string, missing: string): string {
    const partial = this.request.partial?.(kind, name);
    if (!partial) return missing;
    if (this.depth >= MAX_INCLUDE_DEPTH) return '';
    const request = { ...this.request, text: partial.text, scan: partial.scan, schemaPathOf: partial.schemaPathOf };
    const block = new Interpreter(request, this.out, this.vars, this.depth + 1);
    const before = this.out.values.length;
    const output = this.out.capture(() => block.run(parseStatements(partial.text)));
    // Blocks nested in this one have marked theirs already.
    for (const value of this.out.values.slice(before)) value.partial ??= partial.file;
    return output;
  }

  /** `Format(value, "C")`, `Format(value, "MMMM d, yyyy")`: a number or a date format. */
  private format(value: unknown, pattern: string): string {
    const number = toNumber(value);
    if (number !== undefined && (typeof value === 'number' || !/[a-zA-Z]{2}/.test(pattern) || /^[CDFNP]\d*$/i.test(pattern))) {
      return formatDotNetNumber(number, pattern);
    }
    const date = toDate(value, this.now);
    return date ? formatPatternDate(date, pattern) : textOf(value);
  }

  private systemString(name: string): string {
    const date = this.now;
    switch (name.toLowerCase()) {
      case 'xtyear': return String(date.getUTCFullYear());
      case 'xtmonth': return formatPatternDate(date, 'MMMM');
      case 'xtmonthnumeric': return String(date.getUTCMonth() + 1);
      case 'xtday': return String(date.getUTCDate());
      case 'xtdayofweek': return formatPatternDate(date, 'dddd');
      case 'xtshortdate': return formatPatternDate(date, 'M/d/yyyy');
      case 'xtlongdate': return formatPatternDate(date, 'dddd, MMMM d, yyyy');
      case 'view_email_url': case 'viewemailurl': return 'https://view.exacttarget.com/?qs=preview';
      case 'unsub_center_url': case 'subscription_center_url': return 'https://pub.s10.exacttarget.com/unsubscribe?qs=preview';
      case 'profile_center_url': return 'https://pub.s10.exacttarget.com/profile?qs=preview';
      default: return `(${name})`;
    }
  }
}

function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
  if (typeof value === 'number') return value !== 0;
  return false;
}

/** AMPscript compares text without regard to case, and numbers as numbers. */
function compare(a: unknown, b: unknown): number {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined && typeof a !== 'boolean' && typeof b !== 'boolean') return x - y;
  const s = textOf(a).toLowerCase();
  const t = textOf(b).toLowerCase();
  return s < t ? -1 : s > t ? 1 : 0;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return formatPatternDate(value, 'M/d/yyyy h:mm:ss tt');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  if (Array.isArray(value)) return '';
  if (typeof value === 'object') return '';
  return String(value);
}
