/**
 * The coverage query's facts and measures (core/audience/formula.ts, query.ts) and DuckDB's blank
 * test: formulas read, folded and printed; each distinct fact computed once; the fast path before
 * the regular expression gives the pattern's own answer on tricky values, in DuckDB itself.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { FactRegistry, parseFormula, printFormula, simplify, type Formula } from '../../server/src/core/audience/formula';
import { buildCoverageQuery } from '../../server/src/core/audience/query';
import { mapColumns, sourceColumns } from '../../server/src/core/audience/columns';
import { ConditionRegistry, type TemplatePlan } from '../../server/src/core/audience/plan';
import { duckdb } from '../../server/src/core/audience/sql';
import { schemaOf } from '../helpers/schema';

describe('measure formulas', () => {
  const facts = new FactRegistry();
  const flags: Record<string, Formula> = { f0: facts.fact('a IS NOT NULL'), f1: facts.fact('b IS NOT NULL'), s0: false, s1: true, c0: facts.fact('a = 1') };
  const read = (text: string) => printFormula(parseFormula(text, (name) => flags[name]));

  test('constants fold, nesting flattens, repeats and double negations go', () => {
    assert.equal(read('((true AND s0) OR (true AND f0)) AND NOT ((c0))'), 'x0 AND NOT x2');
    assert.equal(read('(c0 AND NOT f1) OR (c0 AND NOT f1) OR false'), 'x2 AND NOT x1');
    assert.equal(read('NOT NOT f0'), 'x0');
    assert.equal(read('s0 AND f0'), 'false');
    assert.equal(read('s1 OR f0'), 'true');
    assert.equal(read('NOT (f0 OR f1) AND c0'), 'NOT (x0 OR x1) AND x2');
    assert.equal(read('(f0 AND f1) OR c0'), '(x0 AND x1) OR x2');
  });

  test('one fact per distinct expression; true and false are constants', () => {
    const registry = new FactRegistry();
    assert.deepEqual(registry.fact('x = 1'), { t: 'fact', id: 0 });
    assert.deepEqual(registry.fact(' x = 1 '), { t: 'fact', id: 0 });
    assert.deepEqual(registry.fact('y = 2'), { t: 'fact', id: 1 });
    assert.equal(registry.fact('false'), false);
    assert.equal(registry.fact('true'), true);
    assert.deepEqual(registry.facts, ['x = 1', 'y = 2']);
  });

  test('anything but flags, constants, AND, OR, NOT and parentheses is refused', () => {
    assert.throws(() => parseFormula('f0 = 1', (name) => flags[name]));
    assert.throws(() => parseFormula('(f0', (name) => flags[name]));
    assert.equal(printFormula(simplify({ t: 'and', operands: [] })), 'true');
  });
});

describe('coverage query', () => {
  test('a condition that is a field\'s filled test is that fact, computed once; stale terms of fields without maxAgeDays fold away', () => {
    const schema = schemaOf({ fields: { 'customer.city': { type: 'string' }, 'customer.plan': { type: 'string', maxAgeDays: 30 } } });
    const mapping = mapColumns(schema, sourceColumns([{ name: 'city', type: 'VARCHAR' }, { name: 'plan', type: 'VARCHAR' }, { name: 'updated_at', type: 'TIMESTAMP WITH TIME ZONE' }]));
    const conditions = new ConditionRegistry();
    const cityFilled = conditions.alias(duckdb.textFilled('CAST("city" AS VARCHAR)'));
    const plan: TemplatePlan = {
      path: 'a.liquid',
      uses: [
        { field: 0, whenEmpty: 'blank', reach: { exact: 'true', upper: 'true' } },
        { field: 1, whenEmpty: 'fallback', reach: { exact: cityFilled, upper: cityFilled } },
      ],
      branches: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, condition: 'customer.city', sql: cityFilled }],
      aborts: [],
      unmeasured: [],
    };
    const query = buildCoverageQuery({ relation: 't', fields: mapping.fields, templates: [plan], conditions, now: new Date('2026-01-01T00:00:00Z') });
    assert.equal(query.sql.split('regexp_matches(CAST("city"').length - 1, 1, query.sql);
    assert.match(query.sql, /count_if\(x0 AND NOT x1\) AS "t0_fallback"/);
    assert.match(query.sql, /count_if\(NOT x0\) AS "t0_blank"/);
    assert.match(query.sql, /count_if\(x0 AND x1 AND x2\) AS "t0_stale"/);
    assert.match(query.sql, /count_if\(x1 AND x2\) AS "s1"/);
    assert.match(query.sql, /count_if\(x0\) AS "t0_b0"/);
    assert.deepEqual(query.columns, ['rows', 'f0', 'f1', 's1', 'k1', 't0_fallback', 't0_blank', 't0_stale', 't0_aborted', 't0_b0']);
  });
});

describe('DuckDB blank test', () => {
  test('the first-character fast path gives the regular expression\'s answer on tricky values', async () => {
    const values = ['', ' ', '  ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u2007', '\u202f', '\ufeff', ' \u00a0\t', '\u00a0a', ' a', 'a ', 'a',
      '!', '~', '\u007f', '\u0080', '\u009f', '\u00a1', 'é', 'Ωmega', '\u2003', '\u3000', '\u2028', '\u0085', '\u0001', '\u001f', ' \u0001',
      '0', '-', '"', "'", '日本', '😀', '\ufeffx', '\u202f\u2007'];
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const list = values.map((v, i) => `(${i}, ${duckdb.string(v)})`).join(', ');
      const pattern = "coalesce(regexp_matches(v, '[^\\s\\x{00A0}\\x{2007}\\x{202F}\\x{FEFF}]'), false)";
      const rows = (await connection.runAndReadAll(
        `SELECT i, ${duckdb.textFilled('v')} AS fast, ${pattern} AS slow FROM (VALUES ${list}, (${values.length}, NULL)) AS t(i, v) ORDER BY i`)).getRowObjectsJS();
      assert.equal(rows.length, values.length + 1);
      for (const row of rows) assert.equal(row.fast, row.slow, `value ${JSON.stringify(values[Number(row.i)] ?? null)}`);
      const filled = rows.filter((r) => r.fast).map((r) => values[Number(r.i)]);
      for (const blank of ['', ' ', '\t', '\u00a0', '\u2007', '\u202f', '\ufeff', ' \u00a0\t']) assert.ok(!filled.includes(blank), JSON.stringify(blank));
      for (const text of [' a', 'a ', '\u00a0a', 'é', '\u007f']) assert.ok(filled.includes(text), JSON.stringify(text));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
