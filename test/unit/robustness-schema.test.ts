/**
 * Issue 8, part 2: bad `mergewise.json` and recipient files. Wrong types everywhere, 100,000 fields,
 * invalid JSON, duplicate keys, deep nesting, huge strings, 10,000 recipients, invalid UTF-8 and
 * binary content: each gets clear diagnostics on the file, nothing throws, and while the schema
 * does not parse, the last one that did keeps serving its templates.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSchema, analyzeTemplate } from '../../server/src/core/analyze';
import { liquid } from '../../server/src/core/dialects/liquid';
import { nodeFileSystem } from '../../server/src/node-fs';
import { SCHEMA_ERROR, type Diagnostic } from '../../server/src/core/model';
import { LineIndex } from '../../server/src/core/positions';
import { loadRecipients, parseRecipients } from '../../server/src/core/preview/recipients';
import { loadSchema } from '../../server/src/core/schema/load';
import type { Schema } from '../../server/src/core/schema/types';
import { analyzeDocument, SchemaIndex, schemaDiagnostics } from '../../server/src/core/workspace';
import { memoryFs } from '../helpers/memory-fs';
import { cli, removeWorkspace, workspace } from '../helpers/workspace';
import { NOW, SCHEMA_DIR, SCHEMA_PATH } from '../helpers/schema';
import { bestOf, timeAgainst } from '../helpers/timing';

const DEPTH = 10_000;

/**
 * No time limits here, which a slow or busy machine would break: an operation on ten times the input
 * may take at most this many times as long as on the input itself, measured in the same run. Linear
 * work takes about 10 times as long (a little more, for the garbage collector), quadratic work 100 times.
 */
const TEN_TIMES_THE_INPUT = 40;

/** Loads and checks a schema text as the editor and the CLI do: never throws, every span inside the file. */
function loadChecked(text: string) {
  const loaded = loadSchema(text, SCHEMA_PATH, SCHEMA_DIR);
  const diagnostics = analyzeSchema(loaded);
  for (const d of diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `span ${JSON.stringify(d.span)} outside ${text.length}: ${d.message}`);
    assert.ok(d.message.length > 0 && d.message.length <= 2000, `message of ${d.message.length} characters`);
  }
  return { loaded, diagnostics };
}

function errors(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

function analyze(text: string, schema: Schema | undefined) {
  return analyzeTemplate({ text, relativePath: 'emails/test.liquid', dialect: liquid, schema, now: NOW });
}

describe('bad mergewise.json files', () => {
  test('wrong types everywhere: one error at each wrong value, naming its key, and the rest still loads', () => {
    const text = JSON.stringify({
      $schema: 1,
      dialect: 5,
      templates: ['emails/**'],
      recipients: 'recipients.json',
      fields: {
        'customer.first_name': { type: 'string', fallback: 'there' },
        a: 7,
        b: {
          type: 3, source: true, sensitivity: [], description: {}, expected: 'yes', required: 1, fallback: {}, examples: 'x',
          maxAgeDays: '365', deprecated: 5, aliases: [], items: 1,
        },
        c: { type: 'object', fields: 2 },
      },
      purposes: { p: 1, q: { segment: 1, tactic: [], metric: null, fields: 'a', templates: 3 } },
      rules: { 'missing-fallback': 1, 'unknown-field': 'loud' },
      maxFileSize: -5,
    }, null, 2);
    const { loaded, diagnostics } = loadChecked(text);
    const expected: [key: string, value: string][] = [
      ['$schema', '1'], ['dialect', '5'], ['templates', '["emails/**"]'], ['recipients', '"recipients.json"'], ['a', '7'],
      ['type', '3'], ['source', 'true'], ['sensitivity', '[]'], ['description', '{}'], ['expected', '"yes"'], ['required', '1'],
      ['fallback', '{}'], ['examples', '"x"'], ['maxAgeDays', '"365"'], ['deprecated', '5'], ['aliases', '[]'], ['items', '1'],
      ['fields', '2'], ['p', '1'], ['segment', '1'], ['tactic', '[]'], ['metric', 'null'], ['fields', '"a"'], ['templates', '3'],
      ['missing-fallback', '1'], ['unknown-field', '"loud"'], ['maxFileSize', '-5'],
    ];
    const compact = (s: string) => s.replace(/\s+/g, '');
    for (const [key, value] of expected) {
      const found = diagnostics.find((d) => d.severity === 'error' && compact(text.slice(d.span.start, d.span.end)) === value &&
        // The value sits right after its key in the text, and the message names the key (or, for a field or purpose, its name).
        compact(text.slice(0, d.span.start)).endsWith(`"${key}":`));
      assert.ok(found, `no error at ${key}: ${value}; got ${diagnostics.map((d) => `${compact(text.slice(d.span.start, d.span.end))} ${d.message}`).join('\n')}`);
      assert.ok(found.message.toLowerCase().includes(key.toLowerCase()) || /field "[abc]"|purpose "[pq]"/i.test(found.message),
        `the message should say where: ${found.message}`);
    }
    assert.equal(loaded.schema.fields.get('customer.first_name')?.fallback, 'there', 'the good field still loads');
    const analysis = analyze('Hi {{ customer.first_name }}, {{ customer.nope }}', loaded.schema);
    assert.ok(analysis.diagnostics.some((d) => d.rule === 'unknown-field' && d.field === 'customer.nope'));
    const missing = analysis.diagnostics.find((d) => d.rule === 'missing-fallback');
    assert.equal(missing?.data?.fallback, 'there', 'the good field loaded with its fallback, which the quick fix offers');
  });

  test('100,000 fields load in linear time, and a template analysis with them stays correct and quick', () => {
    const fieldsOf = (count: number) => {
      const fields: Record<string, object> = {};
      for (let i = 0; i < count; i++) {
        fields[`f${i}`] = i % 3 === 0
          ? { type: 'string', source: 'declared', fallback: `value ${i}` }
          : i % 3 === 1 ? { type: 'number', source: 'inferred', aliases: { mailchimp: `F${i}` } } : { type: 'array', items: { fields: { title: { type: 'string' } } } };
      }
      return fields;
    };
    const schemaText = (fields: Record<string, object>) =>
      JSON.stringify({ dialect: 'liquid', fields, purposes: { p: { segment: 's', tactic: 't', metric: 'm', fields: ['f1', 'f99999'] } } });
    const fields = fieldsOf(100_000);
    const text = schemaText(fields);
    const tenth = schemaText(fieldsOf(10_000));
    const load = timeAgainst(() => loadChecked(tenth), () => loadChecked(text), TEN_TIMES_THE_INPUT);
    const result = load.value;
    assert.equal(errors(result.diagnostics).length, 0, JSON.stringify(result.diagnostics.slice(0, 3)));
    assert.equal(result.loaded.schema.fields.size, 100_000 + 33_333, 'every field, and the item fields of the 33,333 lists');
    assert.ok(result.loaded.schema.fields.has('f99998[].title'), 'nested item fields load too');
    assert.ok(load.ratio < TEN_TIMES_THE_INPUT, `loading 100,000 fields against 10,000: ${load.text}`);

    const template = [
      'Hi {{ f3 }} and {{ f12346 }},', // f3 has a fallback in the schema (offered by the quick fix); f12346 has none
      '{% for item in f99998 %}{{ item.title }}{% endfor %}',
      '{{ f100000 }} {{ f4 | default: 0 }} {% if f7 %}{{ f7 }}{% endif %}',
    ].join('\n');
    // The first analysis builds what it needs to look names up among 100,000: that costs less than loading them did.
    const big = bestOf(1, () => analyze(template, result.loaded.schema));
    assert.ok(big.ms < load.ms, `the first analysis with 100,000 fields took ${big.ms.toFixed(1)} ms, loading them ${load.ms.toFixed(1)} ms`);
    // The same template against a schema of only the fields it uses gives the same findings.
    const used = ['f3', 'f12346', 'f99998', 'f4', 'f7'];
    const small = loadSchema(JSON.stringify({
      dialect: 'liquid', fields: Object.fromEntries(used.map((f) => [f, fields[f]])),
      purposes: { p: { segment: 's', tactic: 't', metric: 'm', fields: ['f1', 'f99999'] } },
    }), SCHEMA_PATH, SCHEMA_DIR).schema;
    // Each analysis after it, as on every keystroke, costs about what it costs with only those five fields.
    const keystroke = timeAgainst(() => analyze(template, small), () => analyze(template, result.loaded.schema), 20, { baselineRuns: 5, runs: 5, maxRuns: 10 });
    assert.ok(keystroke.ratio < 20, `analysis with 100,000 fields against 5: ${keystroke.text}`);
    const key = (d: Diagnostic) => `${d.rule} ${d.span.start}-${d.span.end} ${d.field ?? ''}`;
    assert.deepEqual(big.value.diagnostics.map(key), analyze(template, small).diagnostics.map(key));
    const unknown = big.value.diagnostics.find((d) => d.rule === 'unknown-field');
    assert.equal(unknown?.field, 'f100000');
    assert.equal(unknown?.data?.suggestions?.[0], 'f10000', 'the closest of 100,000 names is suggested');
    assert.ok(big.value.diagnostics.some((d) => d.rule === 'missing-fallback' && d.field === 'f12346'));
    assert.ok(!big.value.diagnostics.some((d) => d.rule === 'missing-fallback' && (d.field === 'f4' || d.field === 'f7')), 'a written fallback and a guard count');
    assert.equal(big.value.diagnostics.find((d) => d.rule === 'missing-fallback' && d.field === 'f3')?.data?.fallback, 'value 3');
  });

  test('invalid JSON: positioned errors, and the last good schema keeps serving its templates', () => {
    const good = JSON.stringify({
      dialect: 'liquid',
      fields: { 'customer.first_name': { type: 'string', source: 'declared' }, 'customer.city': { type: 'string', source: 'inferred', fallback: 'your city' } },
    }, null, 2);
    const files: Record<string, string | Error> = { '/repo/mergewise.json': good };
    const index = new SchemaIndex(memoryFs(files));
    const template = 'Hi {{ customer.first_name }} in {{ customer.city }} {{ customer.frist_name }}';
    const analysisNow = () => {
      const { analysis } = analyzeDocument(index, '/repo/emails/welcome.liquid', template, undefined, NOW);
      return analysis.diagnostics.map((d) => `${d.rule} ${d.span.start} ${d.message}`);
    };
    const before = analysisNow();
    assert.ok(before.some((d) => d.startsWith('unknown-field')) && before.some((d) => d.startsWith('missing-fallback')), before.join('\n'));
    const goodSchema = index.schemaFor('/repo/emails/welcome.liquid')?.result?.schema;

    const broken: Record<string, string> = {
      'cut short': good.slice(0, good.length / 2),
      'a value missing': good.replace('"liquid"', ''),
      'trailing garbage': `${good} }`,
      'single quotes': good.replace(/"dialect"/, "'dialect'"),
      'binary bytes': good.slice(0, 40) + '\u0000\u0001\uFFFD\u0007' + good.slice(40),
      'nested 10,000 levels deep': `{"fields": ${'{"a": '.repeat(DEPTH)}`,
      'empty': '',
      'a list at the top': '[1, 2, 3]',
    };
    for (const [name, text] of Object.entries(broken)) {
      files['/repo/mergewise.json'] = text;
      index.invalidate('/repo/mergewise.json');
      const loaded = index.schemaFor('/repo/emails/welcome.liquid');
      assert.ok(loaded?.result, `${name}: the file was read`);
      const diagnostics = schemaDiagnostics(loaded);
      assert.ok(errors(diagnostics).length > 0, `${name}: the broken file gets an error`);
      for (const d of diagnostics) assert.ok(d.span.start >= 0 && d.span.end <= text.length && d.rule === SCHEMA_ERROR, `${name}: ${JSON.stringify(d)}`);
      assert.equal(loaded.result.schema, goodSchema, `${name}: the last good schema keeps serving`);
      assert.deepEqual(analysisNow(), before, `${name}: the template's analysis is unchanged`);
    }
    // Line and column of a JSON error, as the problem list shows them.
    files['/repo/mergewise.json'] = '{\n  "fields": {\n    "a": { "type": "string" },,\n  }\n}';
    index.invalidate('/repo/mergewise.json');
    const comma = schemaDiagnostics(index.schemaFor('/repo/emails/welcome.liquid')!)[0];
    assert.deepEqual(new LineIndex(files['/repo/mergewise.json'] as string).range(comma.span).start, { line: 2, character: 30 });
    assert.match(comma.message, /^Invalid JSON: /);

    files['/repo/mergewise.json'] = JSON.stringify({ fields: { 'customer.frist_name': { type: 'string' } } });
    index.invalidate('/repo/mergewise.json');
    assert.notDeepEqual(analysisNow(), before, 'once the file parses again, its new contents count');
  });

  test('duplicate keys: a warning at the repeated key, and the last one wins', () => {
    const text = '{\n  "dialect": "handlebars",\n  "dialect": "liquid",\n  "fields": {\n    "a": { "type": "string" },\n    "a": { "type": "number", "type": "date" }\n  },\n  "fields": { "b": { "type": "string" } }\n}';
    const { loaded, diagnostics } = loadChecked(text);
    const repeated = diagnostics.filter((d) => /appears twice/.test(d.message));
    assert.deepEqual(repeated.map((d) => text.slice(d.span.start, d.span.end)), ['"dialect"', '"a"', '"type"', '"fields"']);
    assert.ok(repeated.every((d) => d.severity === 'warning'));
    assert.equal(loaded.schema.dialect, 'liquid');
    assert.equal(loaded.schema.fields.get('a')?.type, 'date');
    assert.ok(loaded.schema.fields.has('b'));
  });

  test('JSON nested 10,000 levels deep anywhere gets one clear error, never a crash', () => {
    const cases = {
      'nested fields': `{"fields": ${'{"a": {"type": "object", "fields": '.repeat(DEPTH)}{}${'}}'.repeat(DEPTH)}}`,
      'nested examples': `{"fields": {"a": {"type": "string", "examples": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}}`,
      'an unknown key': `{"x": ${'{"y": '.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`,
      'never closed': '['.repeat(DEPTH),
    };
    for (const [name, text] of Object.entries(cases)) {
      const { diagnostics, loaded } = loadChecked(text);
      assert.equal(errors(diagnostics).length, 1, `${name}: ${diagnostics.map((d) => d.message)}`);
      assert.match(diagnostics[0].message, /nested too deeply/, name);
      assert.equal(loaded.parsed, false, name);
    }
    // Fifty levels of fields is deep, but fine.
    const fifty = loadChecked(`{"fields": ${'{"a": {"type": "object", "fields": '.repeat(50)}{}${'}}'.repeat(50)}}`);
    assert.equal(errors(fifty.diagnostics).length, 0);
    assert.ok(fifty.loaded.schema.fields.has(Array(50).fill('a').join('.')));
  });

  test('huge strings: loaded or reported in a message of readable length, in linear time', () => {
    const size = 5_000_000;
    // Each shape at 5,000,000 characters, timed against the same shape at 500,000.
    const shapes: [name: string, text: (huge: string) => string][] = [
      ['description and fallback', (huge) => JSON.stringify({ fields: { a: { type: 'string', description: huge, fallback: huge } } })],
      ['type', (huge) => JSON.stringify({ fields: { a: { type: huge } } })],
      ['dialect', (huge) => JSON.stringify({ dialect: huge })],
      ['rule name', (huge) => JSON.stringify({ rules: { [huge]: 'off' } })],
      ['unknown key', (huge) => JSON.stringify({ [huge]: 1 })],
      ['purpose and field', (huge) => JSON.stringify({ purposes: { [huge]: { fields: [huge] } } })],
    ];
    for (const [name, shape] of shapes) {
      const text = shape('x'.repeat(size));
      const tenth = shape('x'.repeat(size / 10));
      const { value, ratio, text: timing } = timeAgainst(() => loadChecked(tenth), () => loadChecked(text), TEN_TIMES_THE_INPUT);
      if (name === 'description and fallback') {
        assert.equal(value.diagnostics.length, 0);
        assert.equal(value.loaded.schema.fields.get('a')?.description?.length, size);
      } else {
        assert.ok(value.diagnostics.length > 0 && value.diagnostics.every((d) => d.message.length < 1000), `${name}: ${value.diagnostics.map((d) => d.message.length).join()}`);
      }
      assert.ok(ratio < TEN_TIMES_THE_INPUT, `${name}, 5,000,000 characters against 500,000: ${timing}`);
    }
  });

  test('hostile globs: reported on the file, matching nothing, never hanging or crashing an analysis', () => {
    const globs = {
      tooLong: `emails/${'a'.repeat(70_000)}`, // picomatch throws past 64 KB: the analysis of every template threw with it
      stars: '*a*a*a*a*a*a*b', // seconds of backtracking against one long file name
      globstars: '**/a/**/a/**/a/**/b', // twenty seconds against a deep path
      extglob: '+(a|aa)+(b)', // exponential backtracking
    };
    const text = JSON.stringify({
      templates: { [globs.tooLong]: 'handlebars', [globs.stars]: 'handlebars', [globs.globstars]: 'handlebars', [globs.extglob]: 'handlebars' },
      recipients: [globs.stars],
      purposes: { p: { segment: 's', tactic: 't', metric: 'm', fields: [], templates: [globs.globstars, '(a+)+$'] } },
      fields: { 'customer.first_name': { type: 'string' } },
    });
    const { diagnostics } = loadChecked(text);
    const tooComplex = diagnostics.filter((d) => /too complex a glob/.test(d.message));
    assert.deepEqual(tooComplex.map((d) => text.slice(d.span.start + 1, d.span.start + 8)), ['emails/', '*a*a*a*', '**/a/**', '*a*a*a*', '**/a/**']);
    const index = new SchemaIndex(memoryFs({ '/repo/mergewise.json': text }));
    // The same schema with plain globs in their places: what an analysis costs when no glob is hostile.
    const plain = JSON.stringify({
      templates: { 'emails/*.hbs': 'handlebars', 'drafts/*.hbs': 'handlebars', 'emails/**/b.hbs': 'handlebars', 'partials/*.hbs': 'handlebars' },
      recipients: ['recipients/*.json'],
      purposes: { p: { segment: 's', tactic: 't', metric: 'm', fields: [], templates: ['emails/**/b.hbs', 'emails/**'] } },
      fields: { 'customer.first_name': { type: 'string' } },
    });
    const plainIndex = new SchemaIndex(memoryFs({ '/repo/mergewise.json': plain }));
    for (const file of [`/repo/${'a'.repeat(200)}b.liquid`, `/repo/${'a/'.repeat(60)}c.liquid`, `/repo/${'a'.repeat(40)}c.html`, '/repo/emails/welcome.liquid']) {
      assert.equal(analyzeDocument(index, file, 'Hi {{ customer.first_name }}', undefined, NOW).dialect.id, 'liquid', 'no hostile glob matched');
      // Backtracking would take seconds or forever; twenty analyses cost about what they cost with plain globs.
      const twenty = (at: SchemaIndex) => () => { for (let i = 0; i < 20; i++) analyzeDocument(at, file, 'Hi {{ customer.first_name }}', undefined, NOW); };
      const { ratio, text: timing } = timeAgainst(twenty(plainIndex), twenty(index), 20, { runs: 3, maxRuns: 6 });
      assert.ok(ratio < 20, `${file.slice(0, 40)}…, hostile globs against plain ones: ${timing}`);
    }
  });

  test('invalid UTF-8 and binary files, read from disk as the editor and the CLI read them', () => {
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    const dir = workspace({
      'utf8/mergewise.json': Buffer.concat([Buffer.from('{"fields": {"a": {"type": "string", "description": "caf'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}}}')]),
      'utf8/emails/welcome.liquid': 'Hi {{ a }}\n',
      'binary/mergewise.json': bytes,
      'binary/emails/welcome.liquid': 'Hi {{ a }}\n',
      'binary/emails/image.html': bytes,
    });
    try {
      const index = new SchemaIndex(nodeFileSystem);
      const utf8 = index.schemaFor(path.join(dir, 'utf8/emails/welcome.liquid'))!;
      assert.equal(errors(schemaDiagnostics(utf8)).length, 0, 'invalid UTF-8 inside a string reads as U+FFFD');
      assert.match(utf8.result!.schema.fields.get('a')!.description!, /caf\uFFFD\(\uFFFD\uFFFD/);

      const binary = index.schemaFor(path.join(dir, 'binary/emails/welcome.liquid'))!;
      const diagnostics = schemaDiagnostics(binary);
      assert.ok(diagnostics.length > 0 && diagnostics.length <= 52, `${diagnostics.length} diagnostics for a binary file`);
      assert.match(diagnostics.map((d) => d.message).join('\n'), /Invalid JSON/);
      // The command line says what is wrong and where, and checks the templates without a schema.
      const run = cli(['check', '--format', 'json', path.join(dir, 'binary')], dir);
      assert.ok(run.code === 1 || run.code === 2, `exit code ${run.code}: ${run.stderr}`);
      assert.match(run.stdout + run.stderr, /mergewise\.json/);
      assert.doesNotMatch(run.stderr, /TypeError|RangeError|at .*\.ts:\d+/);
    } finally {
      removeWorkspace(dir);
    }
  });
});

describe('bad recipient files', () => {
  test('an array of 10,000 recipients loads in linear time, each named', () => {
    const recipients = Array.from({ length: 10_000 }, (_, i) => ({
      $name: `Recipient ${i}`, $updatedAt: { 'customer.first_name': '2026-01-01' }, customer: { first_name: `Name ${i}` }, 'cart.total': i,
    }));
    const text = JSON.stringify(recipients);
    const tenth = JSON.stringify(recipients.slice(0, 1_000));
    const { value, ratio, text: timing } = timeAgainst(() => parseRecipients(tenth, 'recipients/all.json'), () => parseRecipients(text, 'recipients/all.json'), TEN_TIMES_THE_INPUT);
    assert.deepEqual(value.problems, []);
    assert.equal(value.recipients.length, 10_000);
    assert.equal(value.recipients[9_999].name, 'Recipient 9999');
    assert.deepEqual(value.recipients[42].data, { customer: { first_name: 'Name 42' }, cart: { total: 42 } });
    assert.ok(ratio < TEN_TIMES_THE_INPUT, `10,000 recipients against 1,000: ${timing}`);
    // Through the schema's `recipients` globs, as the editor loads them.
    const schema = loadSchema(JSON.stringify({ recipients: ['recipients/*.json'], fields: {} }), '/repo/mergewise.json', '/repo').schema;
    const loaded = loadRecipients(schema, memoryFs({ '/repo/mergewise.json': '{}', '/repo/recipients/all.json': text, '/repo/recipients/bad.json': '{' }));
    assert.equal(loaded.recipients.length, 10_000);
    assert.equal(loaded.problems.length, 1);
    assert.match(loaded.problems[0], /^\/repo\/recipients\/bad\.json:1:2: invalid JSON/);
  });

  test('each problem names the file and where in it; nothing throws', () => {
    const cases: [name: string, text: string, problem: RegExp, recipients: number][] = [
      ['invalid JSON', '{\n  "customer": {\n    "first_name": "Ana",\n  ,}\n}', /^r\.json:4:3: invalid JSON \(property name expected\)\.$/, 0],
      ['a number', '42', /^r\.json: expected a recipient object/, 0],
      ['a list of wrong things', '[{"$name": "Ana"}, 1, "x", null, [1]]', /^r\.json \(recipient 2\): expected a recipient object/, 1],
      ['bad $updatedAt', '{"$updatedAt": {"customer.city": "yesterday", "a": 5}}', /^r\.json: "\$updatedAt"\."customer\.city" is not an ISO date/, 1],
      ['$updatedAt not an object', '{"$updatedAt": [1]}', /^r\.json: "\$updatedAt" must map field paths to ISO dates/, 1],
      ['nested 10,000 levels deep', `{"a": ${'{"a": '.repeat(DEPTH)}1${'}'.repeat(DEPTH + 1)}`, /^r\.json: nested too deeply to read/, 0],
      ['binary', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) % 256)).toString('utf8'), /^r\.json:\d+:\d+: invalid JSON/, 0],
    ];
    for (const [name, text, problem, count] of cases) {
      const result = parseRecipients(text, 'r.json');
      assert.ok(result.problems.length > 0, `${name}: no problem reported`);
      assert.match(result.problems[0], problem, name);
      assert.equal(result.recipients.length, count, name);
    }
    const named = parseRecipients('{"$name": 5, "$jurisdiction": ["DE"], "customer": {"first_name": "Ana"}}', 'recipients/ana.json');
    assert.equal(named.recipients[0].name, 'ana', 'a $name that is no text falls back to the file name');
    assert.equal(named.recipients[0].jurisdiction, undefined);
  });

  test('invalid UTF-8 in a recipient file reads as U+FFFD', () => {
    const dir = workspace({ 'r.json': Buffer.concat([Buffer.from('{"customer": {"first_name": "An'), Buffer.from([0xe1, 0x80]), Buffer.from('a"}}')]) });
    try {
      const text = nodeFileSystem.readText(path.join(dir, 'r.json'))!;
      const result = parseRecipients(text, 'r.json');
      assert.deepEqual(result.problems, []);
      assert.equal((result.recipients[0].data.customer as { first_name: string }).first_name, 'An\uFFFDa');
    } finally {
      removeWorkspace(dir);
    }
  });

  test('dotted keys cannot write into Object.prototype', () => {
    const result = parseRecipients('{"a.__proto__.polluted": 1, "__proto__.polluted2": 2, "constructor.prototype.polluted3": 3, "b": {"__proto__": {"x": 1}}}', 'r.json');
    assert.deepEqual(result.problems, []);
    const probe = {} as Record<string, unknown>;
    assert.equal(probe.polluted, undefined);
    assert.equal(probe.polluted2, undefined);
    assert.equal(probe.polluted3, undefined);
    const data = result.recipients[0].data as Record<string, Record<string, unknown>>;
    assert.equal(Object.getOwnPropertyDescriptor(data.a, '__proto__')?.value?.polluted, 1, 'kept as data, as JSON.parse keeps it');
    assert.equal(Object.getPrototypeOf(data.a), Object.prototype);
  });
});

test('the example workspace still loads cleanly (a sanity check for the fixes above)', () => {
  const text = fs.readFileSync(path.resolve(__dirname, '../../examples/mergewise.json'), 'utf8');
  assert.equal(errors(loadChecked(text).diagnostics).length, 0);
});
