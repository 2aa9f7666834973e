/**
 * Branch conditions to SQL: pure. The scan records each branch as the tag that opens it, so each
 * dialect family has one function reading its tags' condition into a small expression tree
 * (equality, ordering, contains, blank or empty, and/or/not, a bare field's truthiness); `toSql`
 * turns the tree into a boolean SQL expression over the source's columns. Anything else (filters,
 * helpers Mergewise does not know, ranges, lists, local variables, loop items, fields with no
 * column) is untranslatable, with the reason: its share is never guessed.
 */
import type { Branch, BranchGroup, TemplateScan } from '../dialects/dialect';
import type { DialectId } from '../dialects/ids';
import type { Span } from '../model';
import type { FieldType } from '../schema/types';
import { filledSql, type ValueKind } from './columns';
import type { SqlDialect } from './sql/dialect';
import { duckdb } from './sql/duckdb';

export type Literal = string | number | boolean | null;

export type Expr =
  | { t: 'ref'; written: string; start: number }
  | { t: 'lit'; value: Literal }
  /** Liquid's `blank` and `empty`. */
  | { t: 'blank' }
  | { t: 'cmp'; op: CompareOp; left: Expr; right: Expr }
  | { t: 'and' | 'or'; left: Expr; right: Expr }
  | { t: 'not'; operand: Expr }
  /** Python-style `x is defined`, `x is none`. */
  | { t: 'defined'; operand: Expr }
  | { t: 'bad'; reason: string };

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'contains';

/** One branch of a conditional: its tag, its condition as people read it, and the tree (null for `else`). */
export interface BranchCondition {
  tagSpan: Span;
  display: string;
  expr: Expr | null;
  /** The tag reads a field as a condition but opens no conditional (a loop's `where`, a tag Mergewise does not read as one). */
  notConditional?: true;
}

/** The value a reference in a condition names. */
export interface ResolvedOperand {
  sql: string;
  kind: ValueKind;
  /** Undefined for a field `mergewise.json` gives no type. */
  fieldType?: FieldType;
}

export interface OperandResolver {
  /** The value written at `start` (an offset into the template), or why it cannot be read from the source. */
  resolve(start: number, written: string): ResolvedOperand | { reason: string };
}

export type Translation = { sql: string } | { reason: string };

const LIQUID_LIKE: ReadonlySet<DialectId> = new Set(['liquid']);
const HANDLEBARS_LIKE: ReadonlySet<DialectId> = new Set(['handlebars', 'sendgrid', 'iterable', 'postmark', 'hml']);
const DJANGO_LIKE: ReadonlySet<DialectId> = new Set(['hubl', 'klaviyo']);

/** The conditions of a group's branches, in order, `else` included. */
export function groupConditions(dialect: DialectId, text: string, group: BranchGroup): BranchCondition[] {
  if (LIQUID_LIKE.has(dialect)) return liquidGroup(text, group);
  return group.branches.map((branch) => branchCondition(dialect, text, branch.tagSpan));
}

/** The condition of one branch tag (for conditionals the scan records no group for: an `if` without `else`). */
export function branchCondition(dialect: DialectId, text: string, tagSpan: Span): BranchCondition {
  if (LIQUID_LIKE.has(dialect)) return liquidBranch(text, tagSpan, undefined);
  if (HANDLEBARS_LIKE.has(dialect)) return handlebarsBranch(text, tagSpan);
  if (DJANGO_LIKE.has(dialect)) return djangoBranch(text, tagSpan);
  if (dialect === 'mailchimp') return mailchimpBranch(text, tagSpan);
  const display = text.slice(tagSpan.start, tagSpan.end).trim();
  const name = dialect === 'ampscript' ? 'AMPscript' : 'Marketo (Velocity)';
  return { tagSpan, display, expr: { t: 'bad', reason: `${name} conditions are not translated to SQL yet` } };
}

/** A conditional: a group of branches the scan recorded, or a lone `if` without `else` (its tag only). */
export interface Conditional {
  start: number;
  conditions: BranchCondition[];
  /** The scan's group, which gives each branch's body; undefined for a lone conditional. */
  group?: BranchGroup;
}

/**
 * A template's conditionals in text order, as `mergewise audience` measures them and the editor
 * matches them to the snapshot: each branch group, and each lone conditional, found as a tag holding
 * a condition use that belongs to no group. Tags that read a condition but open no conditional are left out.
 */
export function templateConditionals(dialect: DialectId, text: string, scan: Pick<TemplateScan, 'branchGroups' | 'uses'>): Conditional[] {
  const groupTags = new Set<number>();
  for (const group of scan.branchGroups) {
    groupTags.add(group.tagSpan.start);
    for (const branch of group.branches) groupTags.add(branch.tagSpan.start);
  }
  const lone = new Map<number, Span>();
  for (const use of scan.uses) {
    if (use.context === 'condition' && !groupTags.has(use.tagSpan.start)) lone.set(use.tagSpan.start, use.tagSpan);
  }
  const conditionals: Conditional[] = scan.branchGroups.map((group) => ({ start: group.tagSpan.start, conditions: groupConditions(dialect, text, group), group }));
  for (const tagSpan of lone.values()) {
    const condition = branchCondition(dialect, text, tagSpan);
    if (!condition.notConditional) conditionals.push({ start: tagSpan.start, conditions: [condition] });
  }
  return conditionals.sort((a, b) => a.start - b.start);
}

// ---- Tokens ---------------------------------------------------------------------------------------

interface Token {
  kind: 'str' | 'num' | 'word' | 'op' | 'lparen' | 'rparen' | 'comma' | 'pipe' | 'other' | 'end';
  value: string;
  start: number;
}

const BRAZE_ATTRIBUTE = /(?:\{\{\s*)?(?:custom_attribute\.)?\$\{\s*([^}\s]+)\s*\}(?:\s*\}\})?/y;
const WORD = /(?:\.\.\/)*[A-Za-z_$@][\w$@?-]*(?:\.[\w$@?-]+|\[[^\]]*\])*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?![\w.])/y;
const OPERATOR = /==|!=|<>|<=|>=|<|>|=/y;

function tokenize(text: string, from: number, to: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close === -1 || close >= to) { tokens.push({ kind: 'other', value: text.slice(i, to), start: i }); break; }
      tokens.push({ kind: 'str', value: text.slice(i + 1, close), start: i });
      i = close + 1;
      continue;
    }
    if (c === '(') { tokens.push({ kind: 'lparen', value: c, start: i++ }); continue; }
    if (c === ')') { tokens.push({ kind: 'rparen', value: c, start: i++ }); continue; }
    if (c === ',') { tokens.push({ kind: 'comma', value: c, start: i++ }); continue; }
    if (c === '|') { tokens.push({ kind: 'pipe', value: c, start: i++ }); continue; }
    // Braze names an attribute `${city}` or `custom_attribute.${plan}`, in a condition also inside `{{ }}`.
    BRAZE_ATTRIBUTE.lastIndex = i;
    const braze = c === '$' || c === '{' || c === 'c' ? BRAZE_ATTRIBUTE.exec(text) : null;
    if (braze && i + braze[0].length <= to) {
      tokens.push({ kind: 'word', value: braze[1], start: i });
      i += braze[0].length;
      continue;
    }
    let matched = false;
    for (const [kind, pattern] of [['num', NUMBER], ['word', WORD], ['op', OPERATOR]] as const) {
      pattern.lastIndex = i;
      const match = pattern.exec(text);
      if (match && i + match[0].length <= to) {
        tokens.push({ kind, value: match[0], start: i });
        i += match[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) tokens.push({ kind: 'other', value: c, start: i++ });
  }
  tokens.push({ kind: 'end', value: '', start: to });
  return tokens;
}

class Tokens {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(offset = 0): Token { return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]; }
  next(): Token { return this.tokens[Math.min(this.index++, this.tokens.length - 1)]; }
  word(value: string): boolean {
    const token = this.peek();
    if (token.kind === 'word' && token.value === value) { this.index++; return true; }
    return false;
  }
  atEnd(): boolean { return this.peek().kind === 'end'; }
}

function bad(reason: string): Expr {
  return { t: 'bad', reason };
}

function firstBad(...exprs: Expr[]): Expr | undefined {
  return exprs.find((e) => e.t === 'bad');
}

// ---- Liquid -----------------------------------------------------------------------------------------

/** The tag's name and where its markup starts and ends: `{%- if x -%}`, or a `{% liquid %}` line. */
function tagParts(text: string, span: Span, open: RegExp, close: RegExp): { name: string; start: number; end: number } {
  let start = span.start;
  let end = span.end;
  const head = open.exec(text.slice(start, Math.min(end, start + 8)));
  if (head) start += head[0].length;
  const tail = close.exec(text.slice(Math.max(start, end - 8), end));
  if (tail) end -= tail[0].length;
  while (start < end && /\s/.test(text[start])) start++;
  const nameMatch = /^[#^/]?[A-Za-z_]*/.exec(text.slice(start, end));
  const name = nameMatch ? nameMatch[0] : '';
  return { name, start: start + name.length, end };
}

function liquidTag(text: string, span: Span) {
  return tagParts(text, span, /^\{%-?/, /-?%\}$/);
}

function liquidGroup(text: string, group: BranchGroup): BranchCondition[] {
  const opener = liquidTag(text, group.tagSpan);
  let subject: Expr | undefined;
  if (opener.name === 'case') {
    const tokens = new Tokens(tokenize(text, opener.start, opener.end));
    subject = liquidOperand(tokens);
    if (!tokens.atEnd()) subject = bad('the `case` value is more than one value');
  }
  return group.branches.map((branch: Branch) => liquidBranch(text, branch.tagSpan, subject && { expr: subject, written: text.slice(opener.start, opener.end).trim() }));
}

function liquidBranch(text: string, tagSpan: Span, caseSubject: { expr: Expr; written: string } | undefined): BranchCondition {
  const { name, start, end } = liquidTag(text, tagSpan);
  const markup = text.slice(start, end).trim();
  switch (name) {
    case 'else':
      return { tagSpan, display: 'else', expr: null };
    case 'if':
    case 'elsif':
      return { tagSpan, display: markup, expr: liquidCondition(new Tokens(tokenize(text, start, end))) };
    case 'unless':
      return { tagSpan, display: `unless ${markup}`, expr: { t: 'not', operand: liquidCondition(new Tokens(tokenize(text, start, end))) } };
    case 'when': {
      if (!caseSubject) return { tagSpan, display: `when ${markup}`, expr: bad('a `when` outside a `case`') };
      const tokens = new Tokens(tokenize(text, start, end));
      let expr: Expr | undefined;
      const shown: string[] = [];
      do {
        const value = liquidOperand(tokens);
        shown.push(`${caseSubject.written} == ${text.slice(tokens.peek(-1).start, tokens.peek().start).trim() || '…'}`);
        const test: Expr = { t: 'cmp', op: '==', left: caseSubject.expr, right: value };
        expr = expr ? { t: 'or', left: expr, right: test } : test;
      } while (tokens.peek().kind === 'comma' ? tokens.next() : tokens.word('or'));
      if (!tokens.atEnd()) expr = bad(`unexpected \`${tokens.peek().value}\` in \`when\``);
      return { tagSpan, display: shown.join(' or '), expr: expr ?? bad('an empty `when`') };
    }
    default:
      return { tagSpan, display: text.slice(tagSpan.start, tagSpan.end), expr: bad(`\`${name}\` is not a condition Mergewise reads`), notConditional: true };
  }
}

/** Liquid has no parentheses and no precedence: `a and b or c` is `a and (b or c)`. */
function liquidCondition(tokens: Tokens): Expr {
  const left = liquidComparison(tokens);
  if (left.t === 'bad') return left;
  for (const op of ['and', 'or'] as const) {
    if (tokens.word(op)) return { t: op, left, right: liquidCondition(tokens) };
  }
  if (!tokens.atEnd()) return bad(`unexpected \`${tokens.peek().value}\``);
  return left;
}

function liquidComparison(tokens: Tokens): Expr {
  const left = liquidOperand(tokens);
  const token = tokens.peek();
  let op: CompareOp | undefined;
  if (token.kind === 'op' && token.value !== '=') op = token.value === '<>' ? '!=' : token.value as CompareOp;
  else if (token.kind === 'word' && token.value === 'contains') op = 'contains';
  if (!op) return left;
  tokens.next();
  return { t: 'cmp', op, left, right: liquidOperand(tokens) };
}

function liquidOperand(tokens: Tokens): Expr {
  const token = tokens.next();
  switch (token.kind) {
    case 'str': return { t: 'lit', value: token.value };
    case 'num': return { t: 'lit', value: Number(token.value) };
    case 'word':
      switch (token.value) {
        case 'true': return { t: 'lit', value: true };
        case 'false': return { t: 'lit', value: false };
        case 'nil': case 'null': return { t: 'lit', value: null };
        case 'blank': case 'empty': return { t: 'blank' };
        default: return { t: 'ref', written: token.value, start: token.start };
      }
    case 'lparen': return bad('a range `(a..b)`');
    case 'end': return bad('a condition with a value missing');
    default: return bad(`\`${token.value}\` is not a value Mergewise reads`);
  }
}

// ---- Handlebars and its flavors ---------------------------------------------------------------------

type HelperShape = 'truthy' | 'falsy' | CompareOp | 'and' | 'or' | 'not';

/** Helpers whose meaning is known, across SendGrid, Iterable, Mailgun and the handlebars-helpers names. */
const HANDLEBARS_HELPERS: Record<string, HelperShape> = {
  if: 'truthy', with: 'truthy', unless: 'falsy', not: 'not',
  equals: '==', eq: '==', is: '==', ifEq: '==', ifeq: '==',
  notEquals: '!=', ne: '!=', neq: '!=', isnt: '!=', ifNotEq: '!=',
  greaterThan: '>', gt: '>', ifGt: '>', gte: '>=', ifGte: '>=',
  lessThan: '<', lt: '<', ifLt: '<', lte: '<=', ifLte: '<=',
  contains: 'contains', includes: 'contains', ifContainsStr: 'contains',
  and: 'and', or: 'or',
};

function handlebarsBranch(text: string, tagSpan: Span): BranchCondition {
  let start = tagSpan.start;
  let end = tagSpan.end;
  while (start < end && (text[start] === '{' || text[start] === '~')) start++;
  while (end > start && (text[end - 1] === '}' || text[end - 1] === '~')) end--;
  while (start < end && /\s/.test(text[start])) start++;
  let display = text.slice(start, end).trim();
  if (text[start] === '^') {
    // `{{^}}` is `else`; `{{^x}}` a section shown when `x` is empty.
    const rest = text.slice(start + 1, end).trim();
    if (!rest) return { tagSpan, display: 'else', expr: null };
    const tokens = new Tokens(tokenize(text, start + 1, end));
    return { tagSpan, display, expr: { t: 'not', operand: handlebarsValue(tokens) } };
  }
  let sectionOnly = false;
  if (text[start] === '#') start++;
  else if (/^else\b/.test(text.slice(start, end))) {
    start += 4;
    while (start < end && /\s/.test(text[start])) start++;
    if (start >= end) return { tagSpan, display: 'else', expr: null };
    display = text.slice(start, end).trim();
  } else sectionOnly = true;
  const tokens = new Tokens(tokenize(text, start, end));
  const head = tokens.peek();
  if (head.kind === 'word' && (tokens.peek(1).kind !== 'end' || HANDLEBARS_HELPERS[head.value] !== undefined) && !sectionOnly) {
    tokens.next();
    return { tagSpan, display, expr: handlebarsCall(head.value, tokens, true) };
  }
  // `{{#x}}…{{/x}}`: a Mustache section, shown when `x` has a value.
  return { tagSpan, display, expr: { t: 'cmp', op: '!=', left: handlebarsValue(tokens), right: { t: 'blank' } } };
}

function handlebarsCall(name: string, tokens: Tokens, top: boolean): Expr {
  const shape = Object.prototype.hasOwnProperty.call(HANDLEBARS_HELPERS, name) ? HANDLEBARS_HELPERS[name] : undefined;
  if (!shape) return bad(`the helper \`${name}\` is not one Mergewise translates`);
  const args: Expr[] = [];
  while (!tokens.atEnd() && tokens.peek().kind !== 'rparen') {
    if (tokens.peek(1).kind === 'op' && tokens.peek(1).value === '=') return bad('a helper with hash arguments (`key=value`)');
    args.push(handlebarsValue(tokens));
  }
  if (top && !tokens.atEnd()) return bad(`unexpected \`${tokens.peek().value}\``);
  const problem = firstBad(...args);
  if (problem) return problem;
  switch (shape) {
    case 'truthy': return args.length === 1 ? truthy(args[0]) : bad(`\`${name}\` with ${args.length} values`);
    case 'falsy': return args.length === 1 ? { t: 'not', operand: truthy(args[0]) } : bad(`\`${name}\` with ${args.length} values`);
    case 'not': return args.length === 1 ? { t: 'not', operand: truthy(args[0]) } : bad(`\`${name}\` with ${args.length} values`);
    case 'and':
    case 'or':
      if (args.length < 2) return bad(`\`${name}\` with fewer than two values`);
      return args.map(truthy).reduce((left, right) => ({ t: shape, left, right }));
    default:
      return args.length === 2 ? { t: 'cmp', op: shape, left: args[0], right: args[1] } : bad(`\`${name}\` with ${args.length} values`);
  }
}

/** A value as a condition: a bare field is true when it has a value. */
function truthy(expr: Expr): Expr {
  return expr.t === 'ref' ? { t: 'cmp', op: '!=', left: expr, right: { t: 'blank' } } : expr;
}

function handlebarsValue(tokens: Tokens): Expr {
  const token = tokens.next();
  switch (token.kind) {
    case 'str': return { t: 'lit', value: token.value };
    case 'num': return { t: 'lit', value: Number(token.value) };
    case 'lparen': {
      const name = tokens.next();
      if (name.kind !== 'word') return bad('a sub-expression without a helper');
      const expr = handlebarsCall(name.value, tokens, false);
      if (tokens.peek().kind !== 'rparen') return bad('an unclosed sub-expression');
      tokens.next();
      return expr;
    }
    case 'word':
      if (token.value === 'true' || token.value === 'false') return { t: 'lit', value: token.value === 'true' };
      if (token.value === 'null' || token.value === 'undefined') return { t: 'lit', value: null };
      return { t: 'ref', written: token.value, start: token.start };
    default:
      return bad(`\`${token.value || 'nothing'}\` is not a value Mergewise reads`);
  }
}

// ---- Django-style: HubL and Klaviyo -----------------------------------------------------------------

function djangoBranch(text: string, tagSpan: Span): BranchCondition {
  const { name, start, end } = liquidTag(text, tagSpan);
  const markup = text.slice(start, end).trim();
  if (name === 'else') return { tagSpan, display: 'else', expr: null };
  if (name !== 'if' && name !== 'elif' && name !== 'unless') {
    return { tagSpan, display: text.slice(tagSpan.start, tagSpan.end), expr: bad(`\`${name}\` is not a condition Mergewise reads`), notConditional: true };
  }
  const tokens = new Tokens(tokenize(text, start, end));
  let expr = djangoOr(tokens);
  if (!tokens.atEnd()) expr = bad(tokens.peek().kind === 'pipe' ? 'a filter (`|`) in the condition' : `unexpected \`${tokens.peek().value}\``);
  return { tagSpan, display: name === 'unless' ? `unless ${markup}` : markup, expr: name === 'unless' ? { t: 'not', operand: expr } : expr };
}

function djangoOr(tokens: Tokens): Expr {
  let left = djangoAnd(tokens);
  while (tokens.word('or')) left = { t: 'or', left, right: djangoAnd(tokens) };
  return left;
}

function djangoAnd(tokens: Tokens): Expr {
  let left = djangoNot(tokens);
  while (tokens.word('and')) left = { t: 'and', left, right: djangoNot(tokens) };
  return left;
}

function djangoNot(tokens: Tokens): Expr {
  if (tokens.word('not')) return { t: 'not', operand: djangoNot(tokens) };
  return djangoComparison(tokens);
}

function djangoComparison(tokens: Tokens): Expr {
  const left = djangoPrimary(tokens);
  const token = tokens.peek();
  if (token.kind === 'op' && token.value !== '=') {
    tokens.next();
    return { t: 'cmp', op: token.value === '<>' ? '!=' : token.value as CompareOp, left, right: djangoPrimary(tokens) };
  }
  if (token.kind === 'word' && token.value === 'in') {
    tokens.next();
    return { t: 'cmp', op: 'contains', left: djangoPrimary(tokens), right: left };
  }
  if (token.kind === 'word' && token.value === 'not' && tokens.peek(1).value === 'in') {
    tokens.next();
    tokens.next();
    return { t: 'not', operand: { t: 'cmp', op: 'contains', left: djangoPrimary(tokens), right: left } };
  }
  if (token.kind === 'word' && token.value === 'is') {
    tokens.next();
    const negated = tokens.word('not');
    const test = tokens.next();
    let expr: Expr;
    if (test.value === 'defined') expr = { t: 'defined', operand: left };
    else if (test.value === 'none' || test.value === 'None') expr = { t: 'not', operand: { t: 'defined', operand: left } };
    else expr = bad(`the test \`is ${test.value}\``);
    return negated ? { t: 'not', operand: expr } : expr;
  }
  return truthy(left);
}

function djangoPrimary(tokens: Tokens): Expr {
  const token = tokens.next();
  switch (token.kind) {
    case 'lparen': {
      const expr = djangoOr(tokens);
      if (tokens.peek().kind !== 'rparen') return bad('an unclosed parenthesis');
      tokens.next();
      return expr;
    }
    case 'str': return { t: 'lit', value: token.value };
    case 'num': return { t: 'lit', value: Number(token.value) };
    case 'word': {
      if (['true', 'True'].includes(token.value)) return { t: 'lit', value: true };
      if (['false', 'False'].includes(token.value)) return { t: 'lit', value: false };
      if (['none', 'None', 'null'].includes(token.value)) return { t: 'lit', value: null };
      if (tokens.peek().kind === 'pipe') return bad('a filter (`|`) in the condition');
      if (tokens.peek().kind === 'lparen') return bad(`a call to \`${token.value}\``);
      return { t: 'ref', written: token.value, start: token.start };
    }
    default:
      return bad(`\`${token.value || 'nothing'}\` is not a value Mergewise reads`);
  }
}

// ---- Mailchimp ----------------------------------------------------------------------------------------

function mailchimpBranch(text: string, tagSpan: Span): BranchCondition {
  const tag = text.slice(tagSpan.start, tagSpan.end);
  const match = /^\*\|\s*(IF|IFNOT|ELSEIF|ELSE)\s*:\s*([\s\S]*?)\s*\|\*$/i.exec(tag);
  if (!match) return { tagSpan, display: tag, expr: bad('not a Mailchimp conditional Mergewise reads'), notConditional: true };
  const kind = match[1].toUpperCase();
  if (kind === 'ELSE') return { tagSpan, display: 'else', expr: null };
  const body = match[2];
  const bodyStart = tagSpan.start + tag.indexOf(body, tag.indexOf(':') + 1);
  const comparison = /^([A-Za-z0-9_]+)\s*(!=|>=|<=|=|>|<)?\s*([\s\S]*)$/.exec(body);
  let expr: Expr;
  if (!comparison) expr = bad('not a merge tag and a value');
  else {
    const ref: Expr = { t: 'ref', written: comparison[1], start: bodyStart };
    if (!comparison[2]) expr = truthy(ref);
    else {
      let raw = comparison[3].trim();
      if (/^(["']).*\1$/.test(raw)) raw = raw.slice(1, -1);
      const value: Literal = raw !== '' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
      expr = { t: 'cmp', op: comparison[2] === '=' ? '==' : comparison[2] as CompareOp, left: ref, right: value === '' ? { t: 'blank' } : { t: 'lit', value } };
    }
  }
  return { tagSpan, display: kind === 'IFNOT' ? `not ${body}` : body, expr: kind === 'IFNOT' ? { t: 'not', operand: expr } : expr };
}

// ---- SQL ----------------------------------------------------------------------------------------------

/** The condition as a boolean SQL expression that is never NULL, or why it cannot be. */
export function toSql(expr: Expr, resolver: OperandResolver, sql: SqlDialect = duckdb): Translation {
  try {
    return { sql: boolean(expr, resolver, sql) };
  } catch (error) {
    if (error instanceof Untranslatable) return { reason: error.message };
    throw error;
  }
}

class Untranslatable extends Error {}

function operand(expr: Expr & { t: 'ref' }, resolver: OperandResolver): ResolvedOperand {
  const resolved = resolver.resolve(expr.start, expr.written);
  if ('reason' in resolved) throw new Untranslatable(resolved.reason);
  return resolved;
}

function boolean(expr: Expr, resolver: OperandResolver, sql: SqlDialect): string {
  switch (expr.t) {
    case 'bad': throw new Untranslatable(expr.reason);
    case 'and': return `(${boolean(expr.left, resolver, sql)} AND ${boolean(expr.right, resolver, sql)})`;
    case 'or': return `(${boolean(expr.left, resolver, sql)} OR ${boolean(expr.right, resolver, sql)})`;
    case 'not': return `(NOT ${boolean(expr.operand, resolver, sql)})`;
    case 'defined': {
      if (expr.operand.t !== 'ref') throw new Untranslatable('`is defined` on something other than a field');
      return `(${operand(expr.operand, resolver).sql} IS NOT NULL)`;
    }
    case 'ref': {
      const value = operand(expr, resolver);
      // Liquid: everything but nil and false is true; a boolean field is read as one.
      if (value.fieldType === 'boolean' || value.kind === 'boolean') return `coalesce(${sql.tryCast(value.sql, 'boolean')}, false)`;
      return filledSql(value, sql);
    }
    case 'lit': return expr.value === null || expr.value === false ? 'false' : 'true';
    case 'blank': return 'false';
    case 'cmp': return comparison(expr.op, expr.left, expr.right, resolver, sql);
  }
}

const FLIPPED: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=', contains: 'contains' };

function comparison(op: CompareOp, left: Expr, right: Expr, resolver: OperandResolver, sql: SqlDialect): string {
  for (const side of [left, right]) if (side.t === 'bad') throw new Untranslatable(side.reason);
  if (left.t !== 'ref' && right.t === 'ref' && op !== 'contains') return comparison(FLIPPED[op], right, left, resolver, sql);
  if (left.t !== 'ref') throw new Untranslatable('a comparison of two constants, or of something other than a field');
  const value = operand(left, resolver);
  if (right.t === 'blank') {
    if (op === '==') return `(NOT ${filledSql(value, sql)})`;
    if (op === '!=') return filledSql(value, sql);
    throw new Untranslatable(`\`${op}\` against blank or empty`);
  }
  if (right.t === 'lit') return againstLiteral(op, value, right.value, sql);
  if (right.t === 'ref') {
    const other = operand(right, resolver);
    if (op === '==' || op === '!=') {
      const equal = `coalesce(${sql.cast(value.sql, 'text')} = ${sql.cast(other.sql, 'text')}, false)`;
      return op === '==' ? equal : `(NOT ${equal})`;
    }
    if (op === 'contains') {
      return value.kind === 'list'
        ? `coalesce(${sql.listContains(value.sql, other.sql, false)}, false)`
        : `coalesce(${sql.textContains(sql.cast(value.sql, 'text'), sql.cast(other.sql, 'text'))}, false)`;
    }
    if (isNumeric(value) && isNumeric(other)) return `coalesce(${sql.tryCast(value.sql, 'double')} ${op as string} ${sql.tryCast(other.sql, 'double')}, false)`;
    throw new Untranslatable('the order of two fields that are not both numbers depends on their types at send time');
  }
  throw new Untranslatable('a comparison Mergewise does not translate');
}

function isNumeric(value: ResolvedOperand): boolean {
  return value.kind === 'number' || value.fieldType === 'number';
}

function againstLiteral(op: CompareOp, value: ResolvedOperand, literal: Literal, sql: SqlDialect): string {
  if (literal === null) {
    if (op === '==') return `(${value.sql} IS NULL)`;
    if (op === '!=') return `(${value.sql} IS NOT NULL)`;
    throw new Untranslatable(`\`${op}\` against nil`);
  }
  if (op === 'contains') {
    if (typeof literal !== 'string') throw new Untranslatable('`contains` of something other than text');
    return value.kind === 'list'
      ? `coalesce(${sql.listContains(value.sql, sql.string(literal), true)}, false)`
      : `coalesce(${sql.textContains(sql.cast(value.sql, 'text'), sql.string(literal))}, false)`;
  }
  let left: string;
  let right: string;
  if (typeof literal === 'boolean') {
    if (op !== '==' && op !== '!=') throw new Untranslatable(`\`${op}\` against true or false`);
    left = sql.tryCast(value.sql, 'boolean');
    right = String(literal);
  } else if (typeof literal === 'number') {
    left = sql.tryCast(value.sql, 'double');
    right = String(literal);
  } else if (value.fieldType === 'date' && op !== '==' && op !== '!=') {
    left = sql.tryCast(value.sql, 'timestamp');
    right = sql.tryCast(sql.string(literal), 'timestamp');
  } else if (isNumeric(value) && op !== '==' && op !== '!=' && /^-?\d+(\.\d+)?$/.test(literal.trim())) {
    left = sql.tryCast(value.sql, 'double');
    right = literal.trim();
  } else {
    left = sql.cast(value.sql, 'text');
    right = sql.string(literal);
  }
  if (op === '!=') return `(NOT coalesce(${left} = ${right}, false))`;
  return `coalesce(${left} ${op === '==' ? '=' : op} ${right}, false)`;
}
