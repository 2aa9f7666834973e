import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapColumns, sourceColumns, structMembers } from '../../server/src/core/audience/columns';
import { branchCondition, groupConditions, toSql, type OperandResolver } from '../../server/src/core/audience/conditions';
import { ConditionRegistry, planTemplate } from '../../server/src/core/audience/plan';
import { loadAudienceSnapshot, snapshotText, type AudienceReport } from '../../server/src/core/audience/snapshot';
import { getDialect } from '../../server/src/core/dialects/registry';
import type { DialectId } from '../../server/src/core/dialects/ids';
import { load, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  fields: {
    'customer.first_name': { type: 'string', aliases: { mailchimp: 'FNAME' } },
    'customer.plan': { type: 'string' },
    'customer.age': { type: 'number' },
    'company.name': { type: 'string' },
    'customer.name': { type: 'string' },
  },
});

const columns = (...list: [string, string][]) => sourceColumns(list.map(([name, type]) => ({ name, type })));

describe('audience column mapping', () => {
  test('exact path, alias, last segment and struct members', () => {
    const mapping = mapColumns(SCHEMA, columns(['customer.plan', 'VARCHAR'], ['FNAME', 'VARCHAR'], ['age', 'BIGINT'], ['company', 'STRUCT(name VARCHAR)'], ['zip', 'VARCHAR']));
    const by = Object.fromEntries(mapping.fields.map((f) => [f.field.path, [f.column, f.by]]));
    assert.deepEqual(by['customer.plan'], ['customer.plan', 'path']);
    assert.deepEqual(by['customer.first_name'], ['FNAME', 'alias']);
    assert.deepEqual(by['customer.age'], ['age', 'last segment']);
    assert.deepEqual(by['company.name'], ['company.name', 'struct']);
    assert.deepEqual(mapping.unusedColumns, ['zip']);
    assert.ok(mapping.unmappedFields.some((u) => u.field === 'customer.name'));
  });

  test('Braze\'s user export: a custom attribute under custom_attributes is the field templates read as custom_attribute.${plan}', () => {
    const braze = schemaOf({ fields: { plan: { type: 'string' }, 'loyalty.tier': { type: 'string' } } });
    const mapping = mapColumns(braze, columns(['external_id', 'VARCHAR'], ['custom_attributes', 'STRUCT(plan VARCHAR, loyalty STRUCT(tier VARCHAR))']));
    assert.deepEqual(mapping.fields.map((f) => [f.field.path, f.column, f.by]), [
      ['plan', 'custom_attributes.plan', 'struct'], ['loyalty.tier', 'custom_attributes.loyalty.tier', 'struct'],
    ]);
  });

  test('a last segment two fields share is not guessed', () => {
    const mapping = mapColumns(SCHEMA, columns(['name', 'VARCHAR']));
    assert.ok(!mapping.fields.some((f) => f.column === 'name'));
    assert.match(mapping.unmappedFields.find((u) => u.field === 'company.name')!.reason, /could be any/);
  });

  test('JSON columns and the explicit map', () => {
    const schema = schemaOf({ fields: { 'customer.first_name': { type: 'string' }, 'customer.plan': { type: 'string' } }, audience: { columns: { 'customer.plan': 'PLAN_CODE' } } });
    const mapping = mapColumns(schema, columns(['customer', 'JSON'], ['PLAN_CODE', 'VARCHAR']));
    const first = mapping.fields.find((f) => f.field.path === 'customer.first_name')!;
    assert.equal(first.by, 'json');
    assert.match(first.sql, /json_extract_string\("customer", '\$\."first_name"'\)/);
    assert.equal(mapping.fields.find((f) => f.field.path === 'customer.plan')!.by, 'audience.columns');
  });

  test('an explicit map to a missing column is a problem', () => {
    const schema = schemaOf({ fields: { 'customer.plan': { type: 'string' } }, audience: { columns: { 'customer.plan': 'NOPE' } } });
    assert.match(mapColumns(schema, columns(['plan', 'VARCHAR'])).problems[0], /NOPE/);
  });

  test('struct types are parsed, quoted member names included', () => {
    assert.deepEqual(structMembers('STRUCT("customer.job_title" DATE, a STRUCT(b VARCHAR))')?.map((m) => m.name), ['customer.job_title', 'a']);
  });

  test('the schema loader reads audience and reports bad input without failing', () => {
    const loaded = load(JSON.stringify({ fields: {}, audience: { columns: { a: 3 }, updatedAt: 5, other: true } }));
    assert.equal(loaded.diagnostics.filter((d) => d.severity === 'error').length >= 2, true);
    assert.ok(loaded.schema.audience);
  });
});

/** Resolves every reference to a text column named as written. */
const RESOLVER: OperandResolver = {
  resolve(_start, written) {
    if (written === 'local') return { reason: 'not a field' };
    return { sql: `"${written}"`, kind: 'text', fieldType: written.endsWith('age') ? 'number' : 'string' };
  },
};

function sqlOf(dialect: DialectId, tag: string): string {
  const condition = branchCondition(dialect, tag, { start: 0, end: tag.length });
  assert.ok(condition.expr, 'not else');
  const result = toSql(condition.expr, RESOLVER);
  assert.ok('sql' in result, `untranslated: ${'reason' in result ? result.reason : ''}`);
  return result.sql;
}

function reasonOf(dialect: DialectId, tag: string): string {
  const condition = branchCondition(dialect, tag, { start: 0, end: tag.length });
  const result = toSql(condition.expr!, RESOLVER);
  assert.ok('reason' in result, 'expected untranslatable');
  return result.reason;
}

describe('audience condition translation', () => {
  test('Liquid: equality, ordering, contains, blank, and/or right to left, unless', () => {
    assert.equal(sqlOf('liquid', "{% if plan == 'gold' %}"), `coalesce(CAST("plan" AS VARCHAR) = 'gold', false)`);
    assert.equal(sqlOf('liquid', '{% if age >= 18 %}'), 'coalesce(TRY_CAST("age" AS DOUBLE) >= 18, false)');
    assert.match(sqlOf('liquid', "{% if tags contains 'vip' %}"), /contains\(CAST\("tags" AS VARCHAR\), 'vip'\)/);
    assert.match(sqlOf('liquid', '{% if plan == blank %}'), /^\(NOT \(CASE WHEN .* THEN true ELSE coalesce\(regexp_matches/);
    assert.match(sqlOf('liquid', "{% if a and b or c %}"), /^\(.*"a".* AND \(.*"b".* OR .*"c".*\)\)$/);
    assert.match(sqlOf('liquid', "{% unless plan == 'gold' %}"), /^\(NOT coalesce/);
    assert.equal(branchCondition('liquid', '{% else %}', { start: 0, end: 10 }).expr, null);
  });

  test('Braze: attributes written ${city}, custom_attribute.${plan}, and either inside {{ }}', () => {
    assert.match(sqlOf('liquid', '{% if ${city} != blank %}'), /"city"/);
    assert.match(sqlOf('liquid', '{% if {{${city}}} != blank %}'), /"city"/);
    assert.equal(sqlOf('liquid', "{% if custom_attribute.${plan} == 'gold' %}"), `coalesce(CAST("plan" AS VARCHAR) = 'gold', false)`);
    assert.equal(sqlOf('liquid', "{% if {{ custom_attribute.${plan} }} == 'gold' %}"), `coalesce(CAST("plan" AS VARCHAR) = 'gold', false)`);
    const text = "{% case custom_attribute.${plan} %}{% when 'gold' %}g{% else %}o{% endcase %}";
    const [when] = groupConditions('liquid', text, getDialect('liquid').scan(text).branchGroups[0]);
    const result = toSql(when.expr!, RESOLVER);
    assert.ok('sql' in result && /"plan" AS VARCHAR\) = 'gold'/.test(result.sql), JSON.stringify(result));
  });

  test('Handlebars helpers, Django-style operators and Mailchimp conditionals', () => {
    assert.match(sqlOf('sendgrid', '{{#equals plan "gold"}}'), /= 'gold'/);
    assert.match(sqlOf('handlebars', '{{#if (eq plan "gold")}}'), /= 'gold'/);
    assert.match(sqlOf('hubl', "{% if not plan == 'gold' and age > 3 %}"), /^\(\(NOT .*'gold'.*\) AND .*> 3/);
    assert.match(sqlOf('mailchimp', '*|IF:FNAME=Bob|*'), /"FNAME" AS VARCHAR\) = 'Bob'/);
    assert.match(sqlOf('mailchimp', '*|IFNOT:FNAME|*'), /^\(NOT \(CASE WHEN .* THEN true ELSE coalesce\(regexp_matches/);
  });

  test('untranslatable conditions say why', () => {
    assert.match(reasonOf('liquid', '{% if local == 1 %}'), /not a field/);
    assert.match(reasonOf('liquid', '{% if (1..5) contains age %}'), /range/);
    assert.match(reasonOf('hubl', '{% if plan|lower == "x" %}'), /filter/);
    assert.match(reasonOf('handlebars', '{{#ifCustom plan "x"}}'), /helper/);
    assert.match(reasonOf('ampscript', '%%[ IF @x == "a" THEN ]%%'), /AMPscript/);
  });
});

describe('audience template plan', () => {
  test('branches after an untranslatable one have no share, with a reason', () => {
    const text = "{% if customer.plan == 'gold' %}a{% elsif customer.zzz %}b{% else %}c{% endif %}";
    const mapping = mapColumns(SCHEMA, columns(['plan', 'VARCHAR']));
    const dialect = getDialect('liquid');
    const plan = planTemplate({ path: 't.liquid', text, scan: dialect.scan(text), dialect, schema: SCHEMA, fields: mapping.fields, conditions: new ConditionRegistry() });
    assert.deepEqual(plan.branches.map((b) => b.sql === null), [false, true, true]);
    assert.match(plan.branches[1].reason!, /not a declared field/);
    assert.match(plan.branches[2].reason!, /earlier branch/);
  });
});

const REPORT: AudienceReport = {
  source: { description: 'a.csv', rows: 4, takenAt: '2026-11-30T08:00:00Z' },
  fields: { 'customer.plan': { column: 'plan', filled: 3, fillRate: 0.75, stale: 0, staleShare: 0 } },
  templates: [{
    path: 'emails/a.liquid', recipients: 4, seeFallback: 0.25, seeBlank: 0, seeStale: 0, aborted: 0,
    branches: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, condition: 'x', share: null }],
    untranslated: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, condition: 'x', reason: 'r' }],
  }],
};

describe('audience snapshot reader', () => {
  test('reads what the writer writes', () => {
    const result = loadAudienceSnapshot(snapshotText(REPORT));
    assert.ok(result.ok);
    assert.deepEqual(result.snapshot, REPORT);
  });

  test('refuses row values, bad shares, counts over the rows and broken JSON', () => {
    const withRow = { ...REPORT, fields: { 'customer.plan': { ...REPORT.fields['customer.plan'], sample: 'gold' } } };
    const refused = loadAudienceSnapshot(JSON.stringify(withRow));
    assert.ok(!refused.ok && /unknown key "sample"/.test(refused.error));
    const rows = loadAudienceSnapshot(JSON.stringify({ ...REPORT, rows: [{ plan: 'gold' }] }));
    assert.ok(!rows.ok && /unknown key "rows"/.test(rows.error));
    const share = loadAudienceSnapshot(JSON.stringify({ ...REPORT, templates: [{ ...REPORT.templates[0], seeBlank: 2 }] }));
    assert.ok(!share.ok && /seeBlank/.test(share.error));
    const over = loadAudienceSnapshot(JSON.stringify({ ...REPORT, fields: { a: { ...REPORT.fields['customer.plan'], filled: 9 } } }));
    assert.ok(!over.ok && /more than the source/.test(over.error));
    const broken = loadAudienceSnapshot('{');
    assert.ok(!broken.ok && /not valid JSON/.test(broken.error));
    const date = loadAudienceSnapshot(JSON.stringify({ ...REPORT, source: { ...REPORT.source, takenAt: 'yesterday' } }));
    assert.ok(!date.ok && /takenAt/.test(date.error));
  });
});
