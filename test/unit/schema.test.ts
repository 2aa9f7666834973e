import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DIALECT_IDS, HANDLEBARS_FLAVORS, LIQUID_PLATFORMS } from '../../server/src/core/dialects/ids';
import { RULE_IDS, SCHEMA_ERROR, type Diagnostic } from '../../server/src/core/model';
import { LineIndex } from '../../server/src/core/positions';
import { resolveField } from '../../server/src/core/schema/resolve';
import { analyzeDocument, SchemaIndex } from '../../server/src/core/workspace';
import { memoryFs } from '../helpers/memory-fs';
import { FIELD_TYPES, SENSITIVITIES, SOURCES } from '../../server/src/core/schema/types';
import { load, schemaOf } from '../helpers/schema';

const ROOT = path.resolve(__dirname, '../..');

/** Each diagnostic as [1-based line, severity, message], as a user reads it in the problem list. */
function problems(text: string): [number, string, string][] {
  const lines = new LineIndex(text);
  return load(text).diagnostics.map((d) => [lines.range(d.span).start.line + 1, d.severity, d.message]);
}

function only(text: string): Diagnostic {
  const { diagnostics } = load(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.map((d) => d.message)));
  return diagnostics[0];
}

function quoted(text: string, diagnostic: Diagnostic): string {
  return text.slice(diagnostic.span.start, diagnostic.span.end);
}

describe('schema loader: JSON with comments', () => {
  test('comments and trailing commas are allowed', () => {
    const text = `{
      // The default dialect
      "dialect": "liquid",
      /* fields */
      "fields": {
        "customer.first_name": { "type": "string", "fallback": "there", },
      },
    }`;
    const { schema, diagnostics } = load(text);
    assert.deepEqual(diagnostics, []);
    assert.equal(schema.dialect, 'liquid');
    assert.equal(schema.fields.get('customer.first_name')?.fallback, 'there');
  });

  test('the schema keeps its file and folder', () => {
    const { schema } = load('{}');
    assert.equal(schema.file, '/workspace/mergewise.json');
    assert.equal(schema.dir, '/workspace');
  });

  test('every field the README documents for mergewise.json is read', () => {
    const schema = schemaOf(`{
      "dialect": "liquid",
      "templates": { "sendgrid/**/*.html": "handlebars" },
      "recipients": ["recipients/*.json"],
      "fields": {
        "customer.first_name": {
          "type": "string", "description": "First name", "source": "declared", "fallback": "there",
          "examples": ["Ana"], "sensitivity": "personal", "maxAgeDays": 365, "deprecated": "use customer.given_name",
          "aliases": { "mailchimp": "FNAME", "marketo": "lead.First Name" }, "required": false, "expected": true
        }
      },
      "purposes": {
        "trial": { "segment": "s", "tactic": "t", "metric": "m", "description": "d", "fields": ["customer.first_name"], "templates": ["onboarding/**"] }
      },
      "rules": { "missing-fallback": "error" },
      "maxFileSize": 1000
    }`);
    assert.deepEqual(schema.templates, [{ glob: 'sendgrid/**/*.html', dialect: 'handlebars' }]);
    assert.deepEqual(schema.recipients, ['recipients/*.json']);
    const field = schema.fields.get('customer.first_name');
    assert.ok(field);
    assert.equal(field.type, 'string');
    assert.equal(field.source, 'declared');
    assert.equal(field.sensitivity, 'personal');
    assert.equal(field.maxAgeDays, 365);
    assert.equal(field.deprecated, 'use customer.given_name');
    assert.equal(field.expected, true);
    assert.deepEqual(field.examples, ['Ana']);
    assert.deepEqual(field.aliases, { mailchimp: 'FNAME', marketo: 'lead.First Name' });
    const purpose = schema.purposes.get('trial');
    assert.deepEqual(purpose?.templates, ['onboarding/**']);
    assert.equal(purpose?.metric, 'm');
    assert.deepEqual(schema.rules, { 'missing-fallback': 'error' });
    assert.equal(schema.maxFileSize, 1000);
  });

  test('the example workspace schema loads with no problems', () => {
    const text = fs.readFileSync(path.join(ROOT, 'examples/mergewise.json'), 'utf8');
    assert.deepEqual(load(text).diagnostics, []);
  });
});

describe('schema loader: invalid JSON', () => {
  test('a syntax error is reported where it is, saying what was expected', () => {
    const text = '{\n  "fields": {\n    "a": { "type": "string" }\n    "b": { "type": "number" }\n  }\n}';
    const [diagnostic] = load(text).diagnostics;
    assert.equal(diagnostic.rule, SCHEMA_ERROR);
    assert.equal(diagnostic.severity, 'error');
    assert.equal(new LineIndex(text).range(diagnostic.span).start.line, 3);
    assert.match(diagnostic.message, /^Invalid JSON: comma expected\.$/);
  });

  test('what parses before and after the error still loads', () => {
    const text = '{ "fields": { "a": { "type": "string" }, "b": { "type": "number", } "c": { "type": "date" } } }';
    const { schema, diagnostics } = load(text);
    assert.ok(diagnostics.length >= 1);
    assert.deepEqual([...schema.fields.keys()], ['a', 'b', 'c']);
  });

  test('an unclosed file says a closing brace is expected at its end', () => {
    const text = '{ "fields": {}';
    const [diagnostic] = load(text).diagnostics;
    assert.match(diagnostic.message, /close brace expected/);
    assert.equal(diagnostic.span.start, text.length);
  });

  test('an empty file says so', () => {
    for (const text of ['', '   \n']) {
      assert.equal(only(text).message, 'mergewise.json is empty: expected an object with "fields".');
    }
  });

  test('a top level that is not an object says what was found', () => {
    assert.match(only('["customer.first_name"]').message, /Expected an object with "fields" at the top of mergewise.json, found a list/);
    assert.match(only('42').message, /found 42/);
  });
});

describe('schema loader: each mistake on its own line, with what was expected', () => {
  const text = [
    '{',                                                             // 1
    '  "dialekt": "liquid",',                                        // 2
    '  "dialect": "liquidd",',                                       // 3
    '  "templates": { "sg/**": "mustache" },',                       // 4
    '  "recipients": "recipients/*.json",',                          // 5
    '  "fields": {',                                                 // 6
    '    "a": { "type": "strng" },',                                 // 7
    '    "b": { "type": "string", "souce": "declared" },',           // 8
    '    "c": { "type": "string", "source": "guessed" },',           // 9
    '    "d": { "type": 3 },',                                       // 10
    '    "e": "string",',                                            // 11
    '    "f": { "type": "string", "maxAgeDays": -1 },',              // 12
    '    "g": { "description": "no type" },',                        // 13
    '    "h": { "type": "string", "sensitivity": "secret" },',       // 14
    '    "i": { "type": "string", "required": "yes" },',             // 15
    '    "j": { "type": "string", "aliases": { "mailchimpp": "J" } },', // 16
    '    "k": { "type": "string", "fallback": { "text": "x" } },',   // 17
    '    "l": { "type": "string", "examples": "Ana" }',              // 18
    '  },',                                                          // 19
    '  "purposes": {',                                               // 20
    '    "p": { "segmnt": "s", "tactic": "t", "metric": "m",',       // 21
    '      "fields": ["a",',                                         // 22
    '        "customer.frist_name"] }',                              // 23
    '  },',                                                          // 24
    '  "rules": { "missing-fallbak": "error",',                      // 25
    '    "unknown-field": "fatal" },',                               // 26
    '  "maxFileSize": "5MB"',                                        // 27
    '}',
  ].join('\n');

  const expected: [number, 'error' | 'warning', RegExp][] = [
    [2, 'warning', /Unknown property "dialekt" in mergewise.json; did you mean "dialect"\?/],
    [3, 'error', /must be one of liquid, handlebars, .*; found "liquidd" \(did you mean "liquid"\?\)/],
    [4, 'error', /Templates\["sg\/\*\*"\] must be one of liquid, .*; found "mustache"/],
    [5, 'error', /Recipients must be an array, found "recipients\/\*.json"/],
    [7, 'error', /Field "a": "type" must be one of string, number, boolean, date, array, object; found "strng" \(did you mean "string"\?\)/],
    [8, 'warning', /Unknown property "souce" in field "b"; did you mean "source"\?/],
    [9, 'error', /Field "c": "source" must be one of declared, transactional, observed, inferred, third-party; found "guessed"/],
    [10, 'error', /Field "d": "type" must be one of .*; found 3/],
    [11, 'error', /Expected field "e" to be an object such as \{"type": "string"\}, found "string"/],
    [12, 'error', /Field "f": "maxAgeDays" must be a number of days above 0, found -1/],
    [14, 'error', /Field "h": "sensitivity" must be one of none, personal, sensitive, special-category; found "secret"/],
    [15, 'error', /Field "i": "required" must be a boolean, found "yes"/],
    [16, 'error', /unknown dialect "mailchimpp" in "aliases"; expected one of liquid/],
    [17, 'error', /Field "k": "fallback" must be text \(or a number\), found an object/],
    [18, 'error', /Field "l": "examples" must be an array, found "Ana"/],
    [21, 'warning', /Unknown property "segmnt" in purpose "p"; did you mean "segment"\?/],
    [23, 'warning', /Purpose "p" lists "customer.frist_name", which is not a declared field/],
    [25, 'error', /Unknown rule "missing-fallbak" in "rules"; did you mean "missing-fallback"\?/],
    [26, 'error', /Rules\["unknown-field"\] must be one of error, warning, information, hint, off; found "fatal"/],
    [27, 'error', /"maxFileSize" must be a positive whole number of bytes, found "5MB"/],
  ];

  test('every mistake is reported once, on its own line', () => {
    const found = problems(text);
    assert.deepEqual(found.map(([line]) => line).sort((a, b) => a - b), expected.map(([line]) => line),
      JSON.stringify(found, null, 1));
  });

  for (const [line, severity, message] of expected) {
    test(`line ${line}: ${message.source.slice(0, 60)}`, () => {
      const match = problems(text).find(([l]) => l === line);
      assert.ok(match, `nothing reported on line ${line}`);
      assert.equal(match[1], severity);
      assert.match(match[2], message);
    });
  }

  test('the span is the offending key or value itself', () => {
    const { diagnostics } = load(text);
    const quotes = diagnostics.map((d) => quoted(text, d));
    for (const expectedQuote of ['"dialekt"', '"liquidd"', '"strng"', '"souce"', '"guessed"', '3', '-1', '"customer.frist_name"', '"missing-fallbak"', '"fatal"']) {
      assert.ok(quotes.includes(expectedQuote), `no diagnostic spans ${expectedQuote}: ${JSON.stringify(quotes)}`);
    }
  });

  test('what is valid still loads', () => {
    const { schema } = load(text);
    assert.ok(schema.fields.has('b'));
    // A field with no "type" is untyped, not a mistake.
    assert.equal(schema.fields.get('g')?.type, undefined);
    assert.equal(schema.fields.get('g')?.description, 'no type');
    assert.equal(schema.fields.get('c')?.source, undefined);
    assert.equal(schema.purposes.get('p')?.tactic, 't');
    assert.deepEqual(schema.rules, {});
  });
});

describe('schema loader: wrong types of sections', () => {
  test('a section of the wrong type is one error at its value', () => {
    const text = '{ "fields": 5, "purposes": [], "rules": "strict" }';
    const messages = load(text).diagnostics.map((d) => [quoted(text, d), d.message]);
    assert.deepEqual(messages, [
      ['5', 'Expected fields to be an object, found 5.'],
      ['[]', 'Expected purposes to be an object, found a list.'],
      ['"strict"', 'Expected rules to be an object, found "strict".'],
    ]);
  });

  test('a purpose that is not an object says what it needs', () => {
    assert.match(only('{ "purposes": { "p": "grow" } }').message, /Expected purpose "p" to be an object with "segment", "tactic" and "metric", found "grow"/);
  });

  test('a non-string in a purpose\'s list is reported at that entry', () => {
    const text = '{ "fields": { "a": { "type": "string" } }, "purposes": { "p": { "fields": ["a", 7] } } }';
    const diagnostic = only(text);
    assert.equal(quoted(text, diagnostic), '7');
    assert.match(diagnostic.message, /Each entry of purpose "p": "fields" must be a string, found 7/);
  });

  test('"deprecated" takes a message or true', () => {
    assert.match(only('{ "fields": { "a": { "type": "string", "deprecated": 3 } } }').message, /"deprecated" must be a message such as "use customer.given_name", or true/);
    assert.equal(schemaOf('{ "fields": { "a": { "type": "string", "deprecated": false } } }').fields.get('a')?.deprecated, undefined);
  });
});

describe('schema loader: duplicates', () => {
  test('a key repeated in one object is reported once, at the later key, and the later one wins', () => {
    const text = '{\n "fields": {\n  "a": { "type": "string" },\n  "a": { "type": "number" }\n }\n}';
    const [line, severity, message] = problems(text)[0];
    assert.equal(problems(text).length, 1, JSON.stringify(problems(text)));
    assert.equal(line, 4);
    assert.equal(severity, 'warning');
    assert.match(message, /"a" appears twice in fields; only the last one counts/);
    assert.equal(load(text).schema.fields.get('a')?.type, 'number');
  });

  test('a repeated top-level key is reported', () => {
    assert.match(only('{ "dialect": "liquid", "dialect": "liquid" }').message, /"dialect" appears twice in mergewise.json/);
  });

  test('the same path declared both flat and nested is an error at the later one', () => {
    const text = '{ "fields": {\n "cart.total": { "type": "number" },\n "cart": { "type": "object", "fields": {\n  "total": { "type": "number" } } } } }';
    const found = problems(text);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual(found[0].slice(0, 2), [4, 'error']);
    assert.match(found[0][2], /Field "cart.total" is declared twice; the later declaration wins/);
  });
});

describe('schema loader: purposes and rules', () => {
  test('a purpose listing an unknown field suggests the closest declared one, at that entry', () => {
    const text = '{ "fields": { "customer.first_name": { "type": "string" } },\n "purposes": { "p": { "fields": [\n "customer.frist_name"] } } }';
    const diagnostic = only(text);
    assert.equal(diagnostic.severity, 'warning');
    assert.equal(quoted(text, diagnostic), '"customer.frist_name"');
    assert.match(diagnostic.message, /Purpose "p" lists "customer.frist_name", which is not a declared field; did you mean "customer.first_name"\?/);
  });

  test('purposes may be declared before the fields they list', () => {
    assert.deepEqual(load('{ "purposes": { "p": { "fields": ["a"] } }, "fields": { "a": { "type": "string" } } }').diagnostics, []);
  });

  test('an unknown rule id with nothing close lists the valid ids', () => {
    const diagnostic = only('{ "rules": { "zzzz": "off" } }');
    assert.match(diagnostic.message, /Unknown rule "zzzz" in "rules"; expected one of syntax-error, unknown-field/);
  });

  test('every rule id and every severity is accepted', () => {
    const rules = Object.fromEntries(RULE_IDS.map((id, i) => [id, ['error', 'warning', 'information', 'hint', 'off'][i % 5]]));
    assert.deepEqual(load(JSON.stringify({ rules })).diagnostics, []);
  });
});

describe('schema loader: nested fields', () => {
  const text = `{
    "fields": {
      "customer": { "type": "object", "source": "declared", "fields": {
        "first_name": { "type": "string" },
        "address": { "type": "object", "fields": { "city": { "type": "string" } } }
      } },
      "cart.items": { "type": "array", "items": { "fields": {
        "title": { "type": "string", "required": true },
        "variants": { "type": "array", "items": { "fields": { "sku": { "type": "string" } } } }
      } } },
      "customer.prefs": { "type": "object" }
    }
  }`;

  test('`fields` and `items.fields` flatten to dotted paths with `[]` for array items', () => {
    assert.deepEqual([...schemaOf(text).fields.keys()].sort(), [
      'cart.items', 'cart.items[].title', 'cart.items[].variants', 'cart.items[].variants[].sku',
      'customer', 'customer.address', 'customer.address.city', 'customer.first_name', 'customer.prefs',
    ]);
  });

  test('a field with declared sub-fields is closed; one without is open', () => {
    const schema = schemaOf(text);
    assert.equal(schema.fields.get('cart.items')?.open, false);
    assert.equal(schema.fields.get('customer.prefs')?.open, true);
    assert.equal(resolveField(schema, 'liquid', 'cart.items[].title').kind, 'field');
    assert.equal(resolveField(schema, 'liquid', 'cart.items[].colour').kind, 'unknown');
    assert.equal(resolveField(schema, 'liquid', 'customer.prefs.colour').kind, 'field');
    assert.equal(resolveField(schema, 'liquid', 'customer.address.zip').kind, 'unknown');
  });

  test('a dotted sub-field name makes its parent a namespace, inside a list item too (as init writes them)', () => {
    const schema = schemaOf('{ "fields": { "order.lines": { "type": "array", "items": { "fields": { "plan.name": {} } } }, "shop.name": {} } }');
    assert.equal(resolveField(schema, 'liquid', 'order.lines[].plan.name').kind, 'field');
    assert.equal(resolveField(schema, 'liquid', 'order.lines[].plan').kind, 'namespace');
    assert.equal(resolveField(schema, 'liquid', 'shop').kind, 'namespace');
    assert.equal(resolveField(schema, 'liquid', 'order.lines[].plan.price').kind, 'unknown');
    assert.equal(resolveField(schema, 'liquid', 'order.lines[].planet').kind, 'unknown');
  });

  test('a field with sub-fields of the wrong type says which type was expected', () => {
    const diagnostic = only('{ "fields": { "x": { "type": "string", "items": { "fields": {} } } } }');
    assert.match(diagnostic.message, /Field "x" has sub-fields but "type" is "string"; expected "array"/);
    assert.match(only('{ "fields": { "x": { "type": "array", "fields": {} } } }').message, /expected "object"/);
  });

  test('a field with no "type" is untyped and accepted; sub-fields tell the type when none is written', () => {
    const loaded = load('{ "fields": { "x": { "description": "?" }, "l": { "items": { "fields": { "t": {} } } }, "o": { "fields": { "m": {} } } } }');
    assert.deepEqual(loaded.diagnostics, []);
    assert.equal(loaded.schema.fields.get('x')?.type, undefined);
    assert.equal(loaded.schema.fields.get('l')?.type, 'array');
    assert.equal(loaded.schema.fields.get('o')?.type, 'object');
    assert.equal(loaded.schema.fields.get('l[].t')?.type, undefined);
    assert.equal(resolveField(loaded.schema, 'liquid', 'x').kind, 'field');
    assert.equal(resolveField(loaded.schema, 'liquid', 'x.y').kind, 'unknown');
  });

  test('`items` takes only `fields`', () => {
    assert.match(only('{ "fields": { "x": { "type": "array", "items": { "feilds": {} } } } }').message, /unknown property "feilds" in "items"; expected "fields"/);
    assert.match(only('{ "fields": { "x": { "type": "array", "items": [] } } }').message, /"items" must be an object such as \{"fields"/);
  });

  test('an empty field name is reported', () => {
    assert.match(only('{ "fields": { " ": { "type": "string" } } }').message, /A field name in fields is empty/);
  });
});

describe('schema loader: a broken schema never throws', () => {
  const example = fs.readFileSync(path.join(ROOT, 'examples/mergewise.json'), 'utf8');

  function loadsSafely(text: string): void {
    const { schema, diagnostics } = load(text);
    assert.ok(schema.fields instanceof Map);
    for (const d of diagnostics) {
      assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length + 1, `span ${JSON.stringify(d.span)} outside the text`);
      assert.ok(d.message.length > 0);
    }
  }

  test('every prefix of the example schema loads without throwing', () => {
    for (let cut = 0; cut < example.length; cut += 29) loadsSafely(example.slice(0, cut));
  });

  test('random JSON values in place of the example\'s sections load without throwing', () => {
    const parsed = JSON.parse(example.replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>;
    fc.assert(fc.property(fc.constantFrom(...Object.keys(parsed), 'fields', 'purposes'), fc.jsonValue(), (key, value) => {
      loadsSafely(JSON.stringify({ ...parsed, [key]: value }));
    }), { numRuns: 200 });
  });

  test('random field specs load without throwing', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (spec) => {
      loadsSafely(JSON.stringify({ fields: { a: spec, 'b.c': { type: 'array', items: spec } }, purposes: { p: spec } }));
    }), { numRuns: 200 });
  });

  test('random text loads without throwing', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '/', '*', 'a', ' ', '\n', '1', 't') }), loadsSafely), { numRuns: 300 });
  });
});

describe('finding the schema of a template', () => {
  const schema = '{ "fields": { "customer.first_name": { "type": "string" } } }';

  test('the nearest mergewise.json above a template governs it', () => {
    const index = new SchemaIndex(memoryFs({ '/repo/mergewise.json': schema, '/repo/brand-b/mergewise.json': schema }));
    assert.equal(index.schemaFileFor('/repo/brand-a/emails/x.liquid'), '/repo/mergewise.json');
    assert.equal(index.schemaFileFor('/repo/brand-b/emails/x.liquid'), '/repo/brand-b/mergewise.json');
    assert.equal(index.schemaFileFor('/elsewhere/x.liquid'), undefined);
  });

  test('an unreadable mergewise.json gives one clear message, and the syntax checks still run', () => {
    const index = new SchemaIndex(memoryFs({ '/repo/mergewise.json': Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }) }));
    const loaded = index.schemaFor('/repo/emails/x.liquid');
    assert.match(loaded?.readError ?? '', /^\/repo\/mergewise.json could not be read: EACCES: permission denied\.$/);
    const { analysis } = analyzeDocument(index, '/repo/emails/x.liquid', 'Hi {{ customer.frist_name }} {{ oops');
    assert.deepEqual(analysis.diagnostics.map((d) => d.rule), ['syntax-error']);
  });

  test('a broken mergewise.json still governs its templates with what could be read', () => {
    const index = new SchemaIndex(memoryFs({ '/repo/mergewise.json': '{ "fields": { "customer.first_name": { "type": "strng" } } }' }));
    const { analysis } = analyzeDocument(index, '/repo/x.liquid', '{{ customer.frist_name }}');
    const unknown = analysis.diagnostics.find((d) => d.rule === 'unknown-field');
    assert.match(unknown?.message ?? '', /Did you mean `customer.first_name`/);
  });
});

describe('"liquid": {"platform": …}', () => {
  test('is read, and absent means Braze (no platform)', () => {
    assert.equal(schemaOf({ dialect: 'liquid', liquid: { platform: 'shopify' }, fields: {} }).liquidPlatform, 'shopify');
    assert.equal(schemaOf({ dialect: 'liquid', liquid: { platform: 'braze' }, fields: {} }).liquidPlatform, 'braze');
    assert.equal(schemaOf({ dialect: 'liquid', fields: {} }).liquidPlatform, undefined);
  });

  test('an unknown platform or property is reported', () => {
    const text = JSON.stringify({ liquid: { platform: 'shopfy', flavor: 'x' }, fields: {} });
    const messages = load(text).diagnostics.map((d) => `${d.severity}: ${d.message}`);
    assert.ok(messages.some((m) => /^error: .*platform.* must be one of braze, shopify; found "shopfy" \(did you mean "shopify"\?\)/i.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^warning: Unknown property "flavor" in "liquid"/.test(m)), messages.join('\n'));
    assert.equal(load(text).schema.liquidPlatform, undefined);
  });

  test('chooses the system tags a template is checked with: `shop.name` is Shopify\'s, a field for Braze', () => {
    const text = '<p>{{ shop.name }} {{ customer.first_name }}</p>';
    const shopify = new SchemaIndex(memoryFs({ '/repo/mergewise.json': JSON.stringify({ dialect: 'liquid', liquid: { platform: 'shopify' }, fields: {} }) }));
    const braze = new SchemaIndex(memoryFs({ '/repo/mergewise.json': JSON.stringify({ dialect: 'liquid', fields: {} }) }));
    const onShopify = analyzeDocument(shopify, '/repo/emails/x.liquid', text);
    assert.equal(onShopify.dialect.id, 'liquid');
    assert.deepEqual(onShopify.analysis.scan.systemUses?.map((use) => use.written), ['shop.name']);
    assert.deepEqual(onShopify.analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['customer.first_name']);
    const onBraze = analyzeDocument(braze, '/repo/emails/x.liquid', text);
    assert.deepEqual(onBraze.analysis.scan.systemUses ?? [], []);
    assert.deepEqual(onBraze.analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['shop.name', 'customer.first_name']);
  });
});

describe('"handlebars": {"helpers": […]}', () => {
  test('names the application\'s own helpers; a name Handlebars cannot call is reported, the others kept', () => {
    assert.deepEqual(schemaOf({ handlebars: { helpers: ['currency', 'ifCond', 'format-date'] }, fields: {} }).handlebarsHelpers, ['currency', 'ifCond', 'format-date']);
    const loaded = load(JSON.stringify({ handlebars: { helpers: ['ok', 'bad name', 'a.b', 3] }, fields: {} }));
    assert.deepEqual(loaded.schema.handlebarsHelpers, ['ok']);
    assert.deepEqual(loaded.diagnostics.map((d) => d.message), [
      'Handlebars: "helpers": "bad name" is not a helper name: a name has no spaces, dots, slashes or quotes, as in "formatPrice".',
      'Handlebars: "helpers": "a.b" is not a helper name: a name has no spaces, dots, slashes or quotes, as in "formatPrice".',
      'Each entry of handlebars: "helpers" must be a string, found 3.',
    ]);
  });

  test('a template calling them is checked as the application renders it: no syntax error, its values are uses, the preview shows them', () => {
    const index = new SchemaIndex(memoryFs({ '/repo/mergewise.json': JSON.stringify({ handlebars: { helpers: ['currency', 'ifCond'] }, fields: { amount: { type: 'number' }, plan: {} } }) }));
    const text = '<p>{{currency amount code="USD"}}</p>{{#ifCond plan "gold"}}Gold{{else}}Other{{/ifCond}}';
    const analyzed = analyzeDocument(index, '/repo/emails/x.hbs', text);
    assert.deepEqual(analyzed.analysis.diagnostics.filter((d) => d.rule === 'syntax-error'), []);
    assert.deepEqual(analyzed.analysis.scan.uses.map((use) => [use.path, use.filters]), [['amount', ['currency']], ['plan', []]]);
    const plain = analyzeDocument(new SchemaIndex(memoryFs({ '/repo/mergewise.json': '{ "fields": {} }' })), '/repo/emails/x.hbs', text);
    assert.match(plain.analysis.diagnostics.find((d) => d.rule === 'syntax-error')!.message, /declare it in mergewise.json: "handlebars": \{"helpers": \["currency"\]\}/);
  });
});

describe('the shipped JSON Schema agrees with the loader', () => {
  const jsonSchema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/mergewise.schema.json'), 'utf8'));
  const definitions = jsonSchema.definitions;

  test('enums match the dialect ids, rule ids, field types, sources, sensitivities and severities', () => {
    assert.deepEqual(definitions.dialect.enum, [...DIALECT_IDS]);
    assert.deepEqual(Object.keys(jsonSchema.properties.rules.properties), [...RULE_IDS]);
    assert.deepEqual(definitions.field.properties.type.enum, [...FIELD_TYPES]);
    assert.deepEqual(definitions.field.properties.source.enum, [...SOURCES]);
    assert.deepEqual(definitions.field.properties.sensitivity.enum, [...SENSITIVITIES]);
    assert.deepEqual(definitions.severity.enum, ['error', 'warning', 'information', 'hint', 'off']);
    assert.deepEqual(jsonSchema.properties.handlebars.properties.flavor.enum, [...HANDLEBARS_FLAVORS]);
    assert.deepEqual(jsonSchema.properties.liquid.properties.platform.enum, [...LIQUID_PLATFORMS]);
  });

  test('every property the JSON Schema allows is accepted by the loader', () => {
    const fieldKeys = Object.keys(definitions.field.properties);
    const purposeKeys = Object.keys(definitions.purpose.properties);
    const topKeys = Object.keys(jsonSchema.properties);
    const text = JSON.stringify({
      ...Object.fromEntries(topKeys.map((k) => [k, {}])),
      fields: { a: Object.fromEntries(fieldKeys.map((k) => [k, null])) },
      purposes: { p: Object.fromEntries(purposeKeys.map((k) => [k, null])) },
    });
    const unknown = load(text).diagnostics.filter((d) => /Unknown property/i.test(d.message));
    assert.deepEqual(unknown.map((d) => d.message), []);
  });
});
