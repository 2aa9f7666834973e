/**
 * Shared inputs and checks for the robustness fuzz suite (issue 8): every dialect's scanner and the
 * whole analysis, fed random and mutated templates, hostile repetitions and deep nesting.
 *
 * `npm test` runs each property briefly with a fixed seed; `npm run fuzz` (or FUZZ_RUNS=N) runs
 * them at length with a random seed, which is printed so that a failure can be replayed with
 * FUZZ_SEED=S. fast-check prints the seed and the shrunk counterexample of any failure itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Dialect, TemplateScan } from '../../server/src/core/dialects/dialect';
import type { Span } from '../../server/src/core/model';
import { loadSchema } from '../../server/src/core/schema/load';
import type { Schema } from '../../server/src/core/schema/types';
import { chooseDialect, toPosix } from '../../server/src/core/workspace';

const ROOT = path.resolve(__dirname, '../..');
export const EXAMPLES = path.join(ROOT, 'examples');

// ---- Run length and seed --------------------------------------------------------------------------

/** At length when run as `npm run fuzz`, or when FUZZ_RUNS is set. */
export const LONG = Boolean(process.env.FUZZ_RUNS) || process.env.npm_lifecycle_event === 'fuzz';
/** Fixed inside `npm test`, so a failure there always reproduces; random at length, and printed. */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED)
  : LONG ? Math.floor(Math.random() * 0x7fffffff) : 0x6d657267;

/** fast-check parameters: `short` runs inside `npm test`, FUZZ_RUNS (or 100 times as many) at length. */
export function runs(short: number): fc.Parameters<unknown> {
  const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : LONG ? short * 100 : short;
  return { seed: SEED, numRuns, endOnFailure: true };
}

// ---- Inputs ---------------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The example workspace's schema: every dialect has aliases in it, so resolution is exercised too. */
export const EXAMPLE_SCHEMA: Schema = loadSchema(
  fs.readFileSync(path.join(EXAMPLES, 'mergewise.json'), 'utf8'), path.join(EXAMPLES, 'mergewise.json'), EXAMPLES).schema;

export interface Template {
  /** Relative to examples/, or `fixture:<file>#<n>` for a string taken from a unit test. */
  name: string;
  text: string;
}

/** Every example template, with the dialect the example schema gives it. */
export const EXAMPLE_TEMPLATES: (Template & { dialect: string })[] = filesUnder(EXAMPLES)
  .filter((file) => !file.endsWith('.json') && !file.endsWith('.md'))
  .map((file) => {
    const name = toPosix(path.relative(EXAMPLES, file));
    const text = fs.readFileSync(file, 'utf8');
    return { name, text, dialect: chooseDialect(EXAMPLE_SCHEMA, name, text).id };
  });

/** Template strings written in the unit tests: small, and full of the edge cases each dialect cares about. */
export const FIXTURE_TEMPLATES: Template[] = (() => {
  const dir = path.join(ROOT, 'test/unit');
  const found = new Map<string, Template>();
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.test.ts')).sort()) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    // Plain string literals (no `${}` interpolation) that hold merge syntax of some dialect.
    for (const match of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)`/g)) {
      const raw = match[1] ?? match[2] ?? match[3] ?? '';
      if (!/\{\{|\{%|\*\||%%|\{#/.test(raw)) continue;
      const text = raw.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\(['"`\\])/g, '$1');
      if (!found.has(text)) found.set(text, { name: `fixture:${file}#${found.size}`, text });
    }
  }
  return [...found.values()];
})();

export const CORPUS: Template[] = [...EXAMPLE_TEMPLATES, ...FIXTURE_TEMPLATES];

/** Delimiters of every dialect, and the pieces of tags that open and close blocks. */
export const DELIMITERS = [
  '{{', '}}', '{%', '%}', '{#', '#}', '*|', '|*', '%%[', ']%%', '%%=', '=%%', '%%',
  '{{{', '}}}', '{{{{', '}}}}', '{{#', '{{/', '{{^', '{{>', '{{!', '{{!--', '--}}', '{{~', '~}}', '{%-', '-%}', '{{-', '-}}',
  '(', ')', '[', ']', '{', '}', '"', "'", '|', ':', ',', '.', '=', '==', '@', '$', '${', '\\', '/*', '*/', '<!--', '-->',
  '{% if a %}', '{% elsif b %}', '{% elif b %}', '{% else %}', '{% endif %}', '{% for x in a.b %}', '{% endfor %}',
  '{% comment %}', '{% endcomment %}', '{% raw %}', '{% endraw %}', '{% case a %}', '{% when 1 %}', '{% endcase %}',
  '{% unless a %}', '{% capture c %}', '{% with a=b %}', '{% set a = b %}', '{% assign a = b.c %}',
  '{{#if a}}', '{{else}}', '{{else if b}}', '{{/if}}', '{{#each a}}', '{{/each}}', '{{#with a}}', '{{#a}}', '{{/a}}', '{{^a}}',
  '*|IF:A|*', '*|ELSEIF:B|*', '*|ELSE:|*', '*|END:IF|*', '*|FNAME|*',
  '%%[ IF @a == 1 THEN ]%%', '%%[ ELSE ]%%', '%%[ ENDIF ]%%', 'IF', 'THEN', 'ELSEIF', 'ENDIF', 'FOR @i = 1 TO 2 DO', 'NEXT @i',
  '%%=v(@a)=%%', '%%FirstName%%', '{{lead.First Name}}', '{{my.Token}}', ':default=',
  'mergewise purpose: p', '\n', '\r\n', '\t', ' ', '\u0000', '\uD800', '\uDBFF', '\uDC00', '\uFFFF', '\u2028', '😀',
];

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** A short piece of text: a delimiter, raw UTF-16 code units (lone surrogates, NULs), or a word. */
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...DELIMITERS) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z_][\w.]{0,12}$/) },
);

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete-delimiter'; delimiter: string; nth: number }
  | { kind: 'delete-range'; at: number; length: number }
  | { kind: 'swap'; a: number; b: number; length: number }
  | { kind: 'repeat'; at: number; length: number; times: number };

const position = fc.nat({ max: 1_000_000 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, text: piece }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-delimiter' as const), delimiter: fc.constantFrom(...DELIMITERS.slice(0, 30)), nth: fc.nat({ max: 50 }) }) },
  fc.record({ kind: fc.constant('delete-range' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: position, b: position, length: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 30 }), times: fc.integer({ min: 2, max: 60 }) }),
);

export function mutate(text: string, mutations: Mutation[]): string {
  for (const m of mutations) {
    const at = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
    switch (m.kind) {
      case 'truncate':
        text = text.slice(0, at(m.at));
        break;
      case 'insert': {
        const p = at(m.at);
        text = text.slice(0, p) + m.text + text.slice(p);
        break;
      }
      case 'delete-delimiter': {
        let index = -1;
        for (let i = 0, from = 0; i <= m.nth; i++, from = index + 1) {
          const next = text.indexOf(m.delimiter, from);
          if (next === -1) break;
          index = next;
        }
        if (index !== -1) text = text.slice(0, index) + text.slice(index + m.delimiter.length);
        break;
      }
      case 'delete-range': {
        const p = at(m.at);
        text = text.slice(0, p) + text.slice(p + m.length);
        break;
      }
      case 'swap': {
        // Two substrings of the same length trade places (when they do not overlap).
        let a = at(m.a);
        let b = at(m.b);
        if (a > b) [a, b] = [b, a];
        const length = Math.min(m.length, b - a, text.length - b);
        if (length > 0) {
          text = text.slice(0, a) + text.slice(b, b + length) + text.slice(a + length, b) + text.slice(a, a + length) + text.slice(b + length);
        }
        break;
      }
      case 'repeat': {
        const p = at(m.at);
        text = text.slice(0, p) + text.slice(p, p + m.length).repeat(m.times) + text.slice(p + m.length);
        break;
      }
    }
  }
  return text;
}

/** A template from the examples or the unit tests, with one to eight mutations. */
export const mutatedTemplate: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([template, mutations]) => mutate(template.text, mutations));

/** Random text built from delimiters and code units, with no template behind it. */
export const randomTemplate: fc.Arbitrary<string> = fc.array(piece, { maxLength: 80 }).map((pieces) => pieces.join(''));

/** Every dialect's opening delimiters, and quotes and brackets, none of them closed. */
const OPEN_DELIMITERS = '{{ {% {# *| %%[ %%= {{{ {{# {{/ <!-- /* " \' ( [ ';

/**
 * Fragments that, repeated, made a scanner quadratic (issue 13): each tag left open searched the
 * rest of the text for a closer that never came (Liquid, `{%`), or its string for a quote that
 * never came (Handlebars and HubL, `{{ \"`), or each tag hidden in the strings of the one before
 * retraced its search (HubL, `{{ '\'`); and the openers of every other dialect.
 */
export const HOSTILE_FRAGMENTS = [
  '{%', '{{', '{{{', '{%-', '*/{%-*/{', '{% "', "{{ '", '{{lead.', OPEN_DELIMITERS,
  '{{ \\"', '{% \\"', "{{ '\\'", "{% '\\'",
  '{#', '{{!', '%%[', '%%=', '*|',
];

/** Fragments repeated to half the text, then spaces: each unclosed tag's span ended after the spaces, and trimmed them (Liquid, HubL, Postmark). */
const FRAGMENTS_BEFORE_SPACES = ['{%', '{% {{ ', '{% \\"', '{{ \\"'];

/** `fragment` repeated to exactly `size` code units. */
export function repeatTo(fragment: string, size: number): string {
  return fragment.repeat(Math.ceil(size / fragment.length)).slice(0, size);
}

/** A hostile shape: its name, and its text at a given size. */
export type HostileShape = [name: string, build: (size: number) => string];

/** Every hostile shape. Every dialect is timed on each of them. */
export const HOSTILE_SHAPES: HostileShape[] = [
  ...HOSTILE_FRAGMENTS.map((fragment): HostileShape => [JSON.stringify(fragment), (size) => repeatTo(fragment, size)]),
  ...FRAGMENTS_BEFORE_SPACES.map((fragment): HostileShape =>
    [`${JSON.stringify(fragment)}, then spaces`, (size) => repeatTo(fragment, size / 2) + ' '.repeat(size / 2)]),
];

/**
 * A short fragment (delimiters, a known hostile one, or a snippet of a real template) repeated to
 * `size` characters: the shape of input that turns a scanner's accidental rescans into quadratic time.
 */
export function repeatedFragment(size: number): fc.Arbitrary<{ fragment: string; text: string }> {
  const snippet = fc.tuple(fc.constantFrom(...CORPUS), fc.nat(), fc.integer({ min: 1, max: 40 }))
    .map(([template, at, length]) => template.text.slice(at % Math.max(1, template.text.length), (at % Math.max(1, template.text.length)) + length));
  const fragment = fc.oneof(fc.array(piece, { minLength: 1, maxLength: 5 }).map((pieces) => pieces.join('')), snippet, fc.constantFrom(...HOSTILE_FRAGMENTS))
    .filter((text) => text.length > 0);
  return fragment.map((text) => ({ fragment: text, text: repeatTo(text, size) }));
}

// ---- Checks ---------------------------------------------------------------------------------------

function spanProblem(what: string, span: Span | undefined, length: number): string | undefined {
  if (!span || !Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.start > span.end || span.end > length) {
    return `${what} ${JSON.stringify(span)} is outside the document (length ${length})`;
  }
  return undefined;
}

/** Every span in a scan, each checked to lie inside a document of `length` code units. */
export function scanSpanProblems(scan: TemplateScan, length: number): string[] {
  const problems: (string | undefined)[] = [];
  scan.uses.forEach((use, i) => {
    problems.push(spanProblem(`uses[${i}].span`, use.span, length), spanProblem(`uses[${i}].tagSpan`, use.tagSpan, length));
  });
  scan.syntaxErrors.forEach((error, i) => problems.push(spanProblem(`syntaxErrors[${i}].span`, error.span, length)));
  scan.branchGroups.forEach((group, i) => {
    problems.push(spanProblem(`branchGroups[${i}].tagSpan`, group.tagSpan, length));
    group.branches.forEach((branch, j) => {
      problems.push(spanProblem(`branchGroups[${i}].branches[${j}].tagSpan`, branch.tagSpan, length));
      problems.push(spanProblem(`branchGroups[${i}].branches[${j}].body`, branch.body, length));
    });
  });
  scan.purposeDirectives.forEach((directive, i) => problems.push(spanProblem(`purposeDirectives[${i}].span`, directive.span, length)));
  (scan.loopScopes ?? []).forEach((scope, i) => problems.push(spanProblem(`loopScopes[${i}].body`, scope.body, length)));
  return problems.filter((p): p is string => p !== undefined).slice(0, 5);
}

export function spanProblems(what: string, spans: Span[], length: number): string[] {
  return spans.map((span, i) => spanProblem(`${what}[${i}]`, span, length)).filter((p): p is string => p !== undefined).slice(0, 5);
}

/** The input as a failure message shows it: short ones whole, long ones by their start and size. */
export function describeInput(text: string): string {
  return text.length <= 300 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 200))}… (${text.length} code units)`;
}

// ---- Time -----------------------------------------------------------------------------------------

/**
 * Milliseconds of CPU time `run` takes; the best of `tries`, so that one garbage collection does not
 * count. CPU time, not the clock's: the budgets compare it with a baseline timed in this process,
 * and another process taking the core mid-run lengthens the clock's time, not the work.
 */
export function timeOf(run: () => void, tries = 1): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const start = cpuMs();
    run();
    best = Math.min(best, cpuMs() - start);
  }
  return best;
}

/** CPU time used by this process so far, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A benign template of `size` code units in the dialect's own syntax: its examples, repeated. */
export function benignTemplate(dialect: Dialect, size: number): string {
  const own = EXAMPLE_TEMPLATES.filter((t) => t.dialect === dialect.id).map((t) => t.text);
  const source = (own.length ? own : EXAMPLE_TEMPLATES.map((t) => t.text)).join('\n');
  return source.repeat(Math.ceil(size / source.length)).slice(0, size);
}

/**
 * How long a scan (or an analysis) may take for a text of a given size: a generous multiple of the
 * time per code unit of a benign template of that dialect, measured in this process, plus a floor
 * for timer noise and garbage collection. Dialects whose examples hold few tags (Marketo's, where
 * a benign unit costs a few nanoseconds) are measured against Liquid's examples instead, whichever
 * is slower, since hostile input is all tags. A superlinear scanner still blows through the bound
 * at the sizes used here (hundreds of kilobytes to a megabyte).
 */
export class TimeBudget {
  private readonly perUnit = new Map<string, number>();

  constructor(readonly factor: number, readonly floorMs: number, private readonly run: (dialect: Dialect, text: string) => void,
    private readonly reference: Dialect) {}

  /** Milliseconds per code unit of a benign 256 KB template of the dialect. */
  baselinePerUnit(dialect: Dialect): number {
    let perUnit = this.perUnit.get(dialect.id);
    if (perUnit === undefined) {
      const size = 256 * 1024;
      const text = benignTemplate(dialect, size);
      this.run(dialect, text); // warm up
      perUnit = timeOf(() => this.run(dialect, text), 3) / size;
      this.perUnit.set(dialect.id, perUnit);
    }
    return perUnit;
  }

  limitMs(dialect: Dialect, length: number): number {
    return this.floorMs + this.factor * Math.max(this.baselinePerUnit(dialect), this.baselinePerUnit(this.reference)) * length;
  }

  /**
   * Runs `run` and says whether it kept within the limit for `length` code units; a run over it is
   * repeated (twice at most) and the best time counts, so that one pause of a busy machine does not fail the suite.
   */
  check(dialect: Dialect, length: number, run: () => void): { ok: boolean; ms: number; limitMs: number } {
    const limitMs = this.limitMs(dialect, length);
    let ms = Infinity;
    for (let attempt = 0; attempt < 3 && !(ms <= limitMs); attempt++) ms = Math.min(ms, timeOf(run));
    return { ok: ms <= limitMs, ms, limitMs };
  }
}

// ---- Targeted hostile inputs ----------------------------------------------------------------------

export const DEPTH = 10_000;

/** Blocks and expressions nested DEPTH levels deep, in the syntax of every dialect, closed and left open. */
export function deepNesting(depth = DEPTH): Record<string, string> {
  const nest = (open: string, close: string, inner = 'x') => open.repeat(depth) + inner + close.repeat(depth);
  return {
    'liquid if': nest('{% if a %}', '{% endif %}'),
    'liquid if, never closed': '{% if a %}'.repeat(depth),
    'liquid for': nest('{% for x in a.b %}{{ x.c }}', '{% endfor %}'),
    'liquid case/when': '{% case a %}{% when 1 %}'.repeat(depth),
    'django with': nest('{% with a=b %}', '{% endwith %}'),
    'jinja set block': nest('{% set a %}', '{% endset %}'),
    'handlebars if': nest('{{#if a}}', '{{/if}}'),
    'handlebars if, never closed': '{{#if a}}'.repeat(depth),
    'handlebars each': nest('{{#each a}}{{b}}', '{{/each}}'),
    'mustache section': nest('{{#a}}', '{{/a}}'),
    'handlebars else if chain': `{{#if a}}${'{{else if b}}x'.repeat(depth)}{{/if}}`,
    'handlebars sub-expressions': `{{f ${'(f '.repeat(depth)}a${')'.repeat(depth)}}}`,
    'handlebars sub-expressions, never closed': `{{f ${'(f '.repeat(depth)}}}`,
    'mailchimp IF': nest('*|IF:A|*', '*|END:IF|*'),
    'mailchimp IF, never closed': '*|IF:A|*'.repeat(depth),
    'ampscript IF in one block': `%%[ ${'IF @a == 1 THEN '.repeat(depth)}${'ENDIF '.repeat(depth)}]%%`,
    'ampscript IF across blocks': nest('%%[ IF @a == 1 THEN ]%%', '%%[ ENDIF ]%%'),
    'ampscript IF, never closed': `%%[ ${'IF @a == 1 THEN '.repeat(depth)}]%%`,
    'ampscript FOR': `%%[ ${'FOR @i = 1 TO 2 DO '.repeat(depth)}${'NEXT @i '.repeat(depth)}]%%`,
    'ampscript nested calls': `%%=${'Concat('.repeat(depth)}@a${')'.repeat(depth)}=%%`,
    'ampscript parentheses': `%%[ SET @a = ${'('.repeat(depth)}1${')'.repeat(depth)} ]%%`,
    'ampscript NOT': `%%[ IF ${'NOT '.repeat(depth)}@a THEN ENDIF ]%%`,
    'ampscript AND chain': `%%[ IF @a == 1${' AND @a == 1'.repeat(depth)} THEN ENDIF ]%%`,
    'parentheses in an output': `{{ ${'('.repeat(depth)}a${')'.repeat(depth)} }}`,
    'parentheses, never closed': `{{ ${'('.repeat(depth)} }}`,
    'parentheses in a condition': `{% if ${'('.repeat(depth)}a${')'.repeat(depth)} %}x{% endif %}`,
    'not not not': `{% if ${'not '.repeat(depth)}a %}x{% endif %}`,
    'unary minus': `{{ ${'-'.repeat(depth)}1 }}`,
    'brackets': `{{ a${'['.repeat(depth)} }}`,
    'index chain': `{{ a${'[b'.repeat(depth)}${']'.repeat(depth)} }}`,
    'list literals': `{{ ${'['.repeat(depth)}${']'.repeat(depth)} }}`,
    'dict literals': `{{ ${'{'.repeat(depth)} }}`,
    'power chain': `{{ a${' ** a'.repeat(depth)} }}`,
    'inline if chain': `{{ a${' if b else a'.repeat(depth)} }}`,
    'or chain': `{% if a${' or a'.repeat(depth)} %}x{% endif %}`,
    'and chain': `{% if a${' and a.b'.repeat(depth)} %}x{% endif %}`,
    'comparison chain': `{% if a${' == a'.repeat(depth)} %}x{% endif %}`,
    'plus chain': `{{ a${' + a'.repeat(depth)} }}`,
    'filter chain': `{{ a${' | f'.repeat(depth)} }}`,
    'filter chain in a condition': `{% if a${'|length'.repeat(depth)} %}x{% endif %}`,
    'dot chain': `{{ a${'.b'.repeat(depth)} }}`,
    'call chain': `{{ a${'()'.repeat(depth)} }}`,
    'handlebars parent chain': `{{${'../'.repeat(depth)}a}}`,
    'marketo tokens left open': '{{lead.'.repeat(depth),
  };
}

const NULS_AND_SURROGATES = '{{ a\u0000b }}\uD800{% if \uDC00 %}\u0000*|\uDBFF|*%%[ \uD800 ]%%';

/**
 * One line of a megabyte: benign copy and merge tags, a pile of unclosed delimiters of every
 * dialect, NULs and lone surrogates between tags, and all three mixed (what `npm test` runs).
 */
export function megabyteLines(dialect: Dialect, size = 1 << 20): Record<string, string> {
  const fill = (unit: string) => repeatTo(unit, size);
  const own = benignTemplate(dialect, size).replace(/[\r\n]/g, ' ');
  let mixed = '';
  for (let i = 0; mixed.length < size; i += 2048) mixed += own.slice(i, i + 2048) + OPEN_DELIMITERS + NULS_AND_SURROGATES;
  return {
    'a 1 MB line of the dialect\'s own template': own,
    'a 1 MB line of open delimiters': fill(OPEN_DELIMITERS),
    'a 1 MB line of NULs and lone surrogates between tags': fill(NULS_AND_SURROGATES),
    'a 1 MB line of template, open delimiters, NULs and lone surrogates': mixed.slice(0, size),
  };
}
