import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RULE_IDS, type RuleId } from '../../server/src/core/model';
import { ALL_RULES } from '../../server/src/core/rules';
import { expectAt, expectMessage, expectNone } from '../helpers/expect';
import { analyze, findings, schemaFindings, schemaOf } from '../helpers/schema';

/** Fields of every source, sensitivity and shape the rules care about. */
const FIELDS = {
  'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
  'customer.last_name': { type: 'string', source: 'declared' },
  'customer.email': { type: 'string', source: 'declared', required: true },
  'customer.city': { type: 'string', source: 'observed' },
  'customer.industry': { type: 'string', source: 'declared', required: true },
  'customer.favorite_service': { type: 'string', source: 'inferred', fallback: 'a fresh cut' },
  'customer.income_bracket': { type: 'string', source: 'third-party', sensitivity: 'sensitive' },
  'customer.health_notes': { type: 'string', source: 'declared', sensitivity: 'special-category' },
  'customer.churn_score': { type: 'number', source: 'inferred', sensitivity: 'sensitive', expected: true },
  'customer.job_title': { type: 'string', source: 'declared', maxAgeDays: 365, fallback: 'stylist' },
  'customer.nickname': { type: 'string', source: 'declared', deprecated: 'use customer.first_name' },
  'customer.pager': { type: 'string', source: 'declared', deprecated: true },
  'customer.prefs': { type: 'object', source: 'declared' },
  'customer.address': { type: 'object', source: 'declared', fields: { street: { type: 'string' } } },
  'customer.plan': { type: 'string', source: 'transactional', required: true },
  'customer.bookings': { type: 'number', source: 'observed' },
  'customer.tags': { type: 'array', source: 'declared' },
  'customer.mystery': { type: 'string' },
  'trial.ends_at': { type: 'date', source: 'transactional' },
  'cart.items': { type: 'array', source: 'transactional', items: { fields: { title: { type: 'string', required: true }, price: { type: 'number' } } } },
  'cart.total': { type: 'number', source: 'transactional' },
  first_name: { type: 'string', source: 'declared', aliases: { liquid: 'fname' } },
};

const PURPOSE = {
  segment: 'Hair salons in their trial',
  tactic: 'Name the service they are known for',
  metric: 'Trial-to-paid conversion',
};

/** The test schema, with optional purposes and rules. */
function schemaWith(extra: { purposes?: object; rules?: object } = {}) {
  return schemaOf({ fields: FIELDS, ...extra });
}

const SCHEMA = schemaWith();

describe('every rule in the README exists with its default severity', () => {
  const expected: Record<RuleId, string> = {
    'syntax-error': 'error',
    'unknown-field': 'error',
    'missing-fallback': 'warning',
    'subject-fallback': 'error',
    'broken-link-field': 'error',
    'unencoded-url-field': 'warning',
    'unescaped-field': 'warning',
    'quadrant-unexpected-unhelpful': 'warning',
    'quadrant-unexpected-helpful': 'information',
    'quadrant-expected-unhelpful': 'hint',
    'sensitive-data': 'warning',
    'stale-data': 'warning',
    'deprecated-field': 'warning',
    'type-mismatch': 'warning',
    'purpose-incomplete': 'warning',
    'schema-proposal': 'hint',
    'duplicate-branches': 'information',
    'rare-branch': 'information',
    'unknown-partial': 'error',
    'partial-cycle': 'error',
    'partial-parameter': 'warning',
  };
  test('ids and severities', () => {
    assert.deepEqual([...RULE_IDS].sort(), Object.keys(expected).sort());
    assert.deepEqual(Object.fromEntries(ALL_RULES.map((rule) => [rule.id, rule.defaultSeverity])), expected);
  });
});

describe('syntax-error', () => {
  test('fires at a malformed tag, with the error severity, even without a schema', () => {
    const [diagnostic] = expectAt('<p>Hi █{{ customer.first_name </p>', undefined, 'syntax-error');
    assert.equal(diagnostic.severity, 'error');
    expectMessage(diagnostic.message, { wrong: /never closed/, recipient: /recipient would see this raw merge syntax/, fix: /Close the tag with `\}\}`/ });
  });

  test('fires on an unbalanced block at its opening tag', () => {
    const [diagnostic] = expectAt('█{% if customer.vip %}VIP', SCHEMA, 'syntax-error');
    expectMessage(diagnostic.message, { wrong: /never closed/, recipient: /recipient would get raw merge syntax, or no email/, fix: /Add `\{% endif %\}`/ });
  });

  test('does not fire on valid Liquid', () => {
    expectNone('{% if customer.first_name %}Hi {{ customer.first_name }}{% endif %}', SCHEMA, 'syntax-error');
  });

  test('without a schema, only schema-free rules run', () => {
    const rules = new Set(analyze('{{ a }} {{ b', undefined).diagnostics.map((d) => d.rule));
    assert.deepEqual([...rules], ['syntax-error']);
  });
});

describe('unknown-field', () => {
  test('fires on a typo and names the closest fields', () => {
    const [diagnostic] = expectAt('Hi {{ █customer.frist_name }}', SCHEMA, 'unknown-field');
    assert.equal(diagnostic.severity, 'error');
    assert.equal(diagnostic.field, 'customer.frist_name');
    expectMessage(diagnostic.message, {
      wrong: /`customer.frist_name` is not a field in mergewise.json/,
      recipient: /every recipient would get nothing, leaving a gap/,
      fix: /Did you mean `customer.first_name`/,
    });
    assert.equal(diagnostic.data?.suggestions?.[0], 'customer.first_name');
  });

  test('suggestions inside a loop are written with the loop variable', () => {
    const [diagnostic] = expectAt('{% for item in cart.items %}{{ █item.titel }}{% endfor %}', SCHEMA, 'unknown-field');
    assert.equal(diagnostic.field, 'cart.items[].titel');
    assert.match(diagnostic.message, /Did you mean `item.title`/);
    assert.deepEqual(diagnostic.data?.suggestions?.[0], 'item.title');
  });

  test('suggestions for Braze `${…}` references keep the Braze form', () => {
    const [plain, custom] = expectAt('{{█${frist_name}}} {{ █custom_attribute.${frist_name} }}', SCHEMA, 'unknown-field');
    assert.deepEqual(plain.data?.suggestions?.[0], '${first_name}');
    assert.match(plain.message, /Did you mean `\$\{first_name\}`/);
    assert.deepEqual(custom.data?.suggestions?.[0], 'custom_attribute.${first_name}');
  });

  test('with nothing close, it says to declare the field', () => {
    const [diagnostic] = expectAt('{{ █zzz.qqq }}', SCHEMA, 'unknown-field');
    assert.deepEqual(diagnostic.data?.suggestions, []);
    assert.match(diagnostic.message, /Declare it under "fields" in mergewise.json, or fix the name/);
  });

  test('fires in conditions and loop sources too', () => {
    expectAt('{% if █customer.vip %}{% endif %}{% for x in █customer.orders %}{% endfor %}', SCHEMA, 'unknown-field');
  });

  test('fires on a sub-field that a closed object does not declare', () => {
    expectNone('{{ customer.address.street }}', SCHEMA, 'unknown-field');
    expectAt('{{ █customer.address.zip }}', SCHEMA, 'unknown-field');
  });

  test('does not fire on declared fields, loop item fields, locals, forloop, or namespaces', () => {
    expectNone([
      '{{ customer.first_name }}',
      '{% for item in cart.items %}{{ item.title }} {{ forloop.index }}{% endfor %}',
      '{% assign greeting = "Hi" %}{{ greeting }}',
      '{% capture block %}x{% endcapture %}{{ block }}',
      '{% if customer %}{% endif %}',
      '{{ cart.items.size }} {{ cart.items.first.title }}',
    ].join('\n'), SCHEMA, 'unknown-field');
  });

  test('does not fire on sub-fields of an object without declared sub-fields', () => {
    expectNone('{{ customer.prefs.color }}', SCHEMA, 'unknown-field');
  });

  test('does not fire on Braze `${…}` forms that name a field or its Liquid alias', () => {
    expectNone('{{${first_name}}} {{custom_attribute.${first_name}}} {{ fname }}', SCHEMA, 'unknown-field');
  });
});

describe('missing-fallback', () => {
  test('fires on a bare optional field in the copy', () => {
    const [diagnostic] = expectAt('<p>Hi {{ █customer.first_name }},</p>', SCHEMA, 'missing-fallback');
    assert.equal(diagnostic.severity, 'warning');
    assert.equal(diagnostic.field, 'customer.first_name');
    expectMessage(diagnostic.message, {
      wrong: /`customer.first_name` has no fallback/,
      recipient: /recipient without it would see nothing, leaving a gap in the copy \(as in "Hi ,"\)/,
      fix: /Add `\| default: 'there'` \(the schema's fallback\)/,
    });
    assert.match(diagnostic.message, /or show it only inside a conditional/);
    assert.equal(diagnostic.data?.fallback, 'there');
  });

  test('without a schema fallback, it asks for a sensible default', () => {
    const [diagnostic] = expectAt('{{ █customer.last_name }}', SCHEMA, 'missing-fallback');
    assert.match(diagnostic.message, /with a sensible default/);
    assert.equal(diagnostic.data?.fallback, null);
  });

  test('fires inside a loop on an optional item field', () => {
    expectAt('{% for item in cart.items %}{{ item.title }} {{ █item.price }}{% endfor %}', SCHEMA, 'missing-fallback');
  });

  test('fires on the first item of a list outside a loop: the list may be empty', () => {
    expectAt('{{ █customer.tags.first }}', SCHEMA, 'missing-fallback');
  });

  test('does not fire on the loop item itself: the body only runs for items that exist', () => {
    expectNone('{% for t in customer.tags %}{{ t }}{% endfor %}', SCHEMA, 'missing-fallback');
  });

  test('does not fire with `| default:`', () => {
    expectNone(`{{ customer.first_name | default: 'there' }} {{ customer.last_name | upcase | default: '' }}`, SCHEMA, 'missing-fallback');
  });

  test('does not fire when guarded', () => {
    expectNone([
      '{% if customer.first_name %}{{ customer.first_name }}{% endif %}',
      '{% if customer.first_name != blank %}{{ customer.first_name }}{% endif %}',
      '{% unless customer.first_name == blank %}{{ customer.first_name }}{% endunless %}',
      '{% if customer.first_name == blank %}Hi{% else %}{{ customer.first_name }}{% endif %}',
    ].join('\n'), SCHEMA, 'missing-fallback');
  });

  test('does not fire for `required: true` fields', () => {
    expectNone('{{ customer.email }} {% for item in cart.items %}{{ item.title }}{% endfor %}', SCHEMA, 'missing-fallback');
  });

  test('does not fire in conditions or loop sources', () => {
    expectNone('{% if customer.city == "Oakland" %}x{% endif %}{% for t in customer.tags %}{% endfor %}', SCHEMA, 'missing-fallback');
  });

  test('does not fire on unknown fields (unknown-field covers them)', () => {
    expectNone('{{ customer.frist_name }}', SCHEMA, 'missing-fallback');
  });
});

describe('quadrants', () => {
  const coveringService = (templates: string[]) => schemaWith({
    purposes: { 'service-spotlight': { ...PURPOSE, fields: ['customer.favorite_service'], templates } },
  });

  describe('quadrant-unexpected-unhelpful', () => {
    test('fires on inferred or third-party data that no purpose covers, in copy and in conditions', () => {
      const [output, condition] = expectAt(
        'We noticed you love {{ █customer.favorite_service | default: "cuts" }}{% if █customer.income_bracket == "high" %}{% endif %}',
        SCHEMA, 'quadrant-unexpected-unhelpful');
      assert.equal(output.severity, 'warning');
      assert.equal(condition.field, 'customer.income_bracket');
      expectMessage(output.message, {
        wrong: /did not knowingly give you, and no purpose justifies it here \(surveillance\)/,
        recipient: /recipient would wonder how you know and feel watched/,
        fix: /Remove it, or add a purpose with a segment, tactic and metric that lists it and covers this template/,
      });
    });

    test('fires when the purpose covers a different template', () => {
      expectAt('{{ █customer.favorite_service }}', coveringService(['emails/win-back/**']), 'quadrant-unexpected-unhelpful',
        { relativePath: 'emails/spotlight.liquid' });
    });

    test('fires when the covering purpose is incomplete: an incomplete purpose covers nothing', () => {
      const schema = schemaWith({
        purposes: { draft: { segment: 'everyone', tactic: 'show it', fields: ['customer.favorite_service'], templates: ['**'] } },
      });
      expectAt('{{ █customer.favorite_service }}', schema, 'quadrant-unexpected-unhelpful');
      expectNone('{{ customer.favorite_service }}', schema, 'quadrant-unexpected-helpful');
    });

    test('fires when the purpose does not list the field', () => {
      const schema = schemaWith({ purposes: { p: { ...PURPOSE, fields: ['customer.city'], templates: ['**'] } } });
      expectAt('{{ █customer.favorite_service }}', schema, 'quadrant-unexpected-unhelpful');
    });

    test('does not fire when a purpose covers the template by a `templates` glob', () => {
      expectNone('{{ customer.favorite_service }}', coveringService(['emails/**']), 'quadrant-unexpected-unhelpful',
        { relativePath: 'emails/win-back.liquid' });
    });

    test('does not fire on expected data, on `"expected": true`, or on fields of unknown source', () => {
      expectNone('{{ customer.city }} {{ customer.churn_score }} {{ customer.mystery }}', SCHEMA, 'quadrant-unexpected-unhelpful');
    });

    test('does not fire on a filter argument', () => {
      expectNone('{{ customer.first_name | default: customer.favorite_service }}', SCHEMA, 'quadrant-unexpected-unhelpful');
    });
  });

  describe('quadrant-unexpected-helpful', () => {
    test('fires, as information, when a glob-matched purpose covers unexpected data', () => {
      const [diagnostic] = expectAt('{{ █customer.favorite_service }}', coveringService(['emails/*.liquid']),
        'quadrant-unexpected-helpful', { relativePath: 'emails/win-back.liquid' });
      assert.equal(diagnostic.severity, 'information');
      expectMessage(diagnostic.message, {
        wrong: /did not knowingly give you, used for "service-spotlight" \(genuine delight\)/,
        recipient: /welcome surprise if it helps them/,
        fix: /Check that the purpose's metric is being measured/,
      });
    });

    test('fires when a directive comment names the purpose, and that comment is not a field use', () => {
      const schema = coveringService([]);
      const source = '{% comment %}mergewise purpose: service-spotlight{% endcomment %}\nWe love your {{ █customer.favorite_service }}';
      expectAt(source, schema, 'quadrant-unexpected-helpful');
      expectNone(source.replace('█', ''), schema, 'quadrant-unexpected-unhelpful');
    });

    test('fires with a `{% # %}` inline directive too', () => {
      expectAt('{% # mergewise purpose: service-spotlight %}{{ █customer.favorite_service }}', coveringService([]), 'quadrant-unexpected-helpful');
    });

    test('a purpose that lists the parent array covers its item fields', () => {
      const schema = schemaWith({
        purposes: {
          p: { ...PURPOSE, fields: ['cart.items'], templates: ['**'] },
          q: { ...PURPOSE, fields: ['customer.income_bracket'], templates: ['**'] },
        },
      });
      expectNone('{% for i in cart.items %}{{ i.title }}{% endfor %}', schema, 'quadrant-expected-unhelpful');
    });

    test('does not fire when the directive names a purpose that does not exist, or an incomplete one', () => {
      const schema = schemaWith({ purposes: { draft: { segment: 's', fields: ['customer.favorite_service'] } } });
      for (const id of ['no-such-purpose', 'draft']) {
        const source = `{% comment %}mergewise purpose: ${id}{% endcomment %}{{ customer.favorite_service }}`;
        expectNone(source, schema, 'quadrant-unexpected-helpful');
        assert.equal(findings(source, schema, 'quadrant-unexpected-unhelpful').length, 1);
      }
    });

    test('does not fire on unexpected data without a purpose', () => {
      expectNone('{{ customer.favorite_service }}', SCHEMA, 'quadrant-unexpected-helpful');
    });
  });

  describe('quadrant-expected-unhelpful', () => {
    test('fires, as a hint, on expected data that no purpose covers', () => {
      const [diagnostic] = expectAt('Hi {{ █customer.first_name | default: "there" }}', SCHEMA, 'quadrant-expected-unhelpful');
      assert.equal(diagnostic.severity, 'hint');
      expectMessage(diagnostic.message, {
        wrong: /data the recipient expects you to have, but no purpose covers its use here \(self-centered flex\)/,
        recipient: /shows you know them without helping them/,
        fix: /Add a purpose that lists it, or drop it/,
      });
    });

    test('fires on `"expected": true` data even if inferred', () => {
      expectAt('{% if █customer.churn_score > 0.5 %}{% endif %}', SCHEMA, 'quadrant-expected-unhelpful');
    });

    test('does not fire when a purpose covers it (par for the course): nothing fires then', () => {
      const schema = schemaWith({ purposes: { p: { ...PURPOSE, fields: ['customer.city'], templates: ['**'] } } });
      const text = '{{ customer.city | default: "your area" }}';
      assert.deepEqual(analyze(text, schema).diagnostics, []);
    });

    test('does not fire on unexpected data or on fields of unknown source', () => {
      expectNone('{{ customer.favorite_service }} {{ customer.mystery }}', SCHEMA, 'quadrant-expected-unhelpful');
    });
  });
});

describe('sensitive-data', () => {
  test('fires on sensitive and special-category fields in the copy', () => {
    const [sensitive, special] = expectAt('{{ █customer.income_bracket }} {{ █customer.health_notes }}', SCHEMA, 'sensitive-data');
    assert.equal(sensitive.severity, 'warning');
    expectMessage(sensitive.message, {
      wrong: /`customer.income_bracket` is sensitive data/,
      recipient: /can be read by anyone who sees the inbox, and it tells the recipient you hold it/,
      fix: /Remove it from the copy; if the email must depend on it, use it only in a condition/,
    });
    assert.match(special.message, /special-category data \(health/);
  });

  test('fires with a fallback too: the value still reaches the inbox', () => {
    expectAt('{{ █customer.health_notes | default: "none" }}', SCHEMA, 'sensitive-data');
  });

  test('does not fire in conditions, or on personal data', () => {
    expectNone('{% if customer.health_notes contains "allergy" %}Patch test first.{% endif %}{{ customer.first_name }}', SCHEMA, 'sensitive-data');
  });
});

describe('stale-data', () => {
  test('fires on a field with maxAgeDays used without fallback or guard', () => {
    const [diagnostic] = expectAt('As a {{ █customer.job_title }}, you', SCHEMA, 'stale-data');
    assert.equal(diagnostic.severity, 'warning');
    expectMessage(diagnostic.message, {
      wrong: /`customer.job_title` goes out of date after 365 days/,
      recipient: /recipient whose data is older would read a stale value as if it were current/,
      fix: /Add `\| default: 'stylist'`, or show it only inside a conditional/,
    });
  });

  test('does not fire with a fallback, when guarded, or in a condition', () => {
    expectNone([
      '{{ customer.job_title | default: "stylist" }}',
      '{% if customer.job_title != blank %}{{ customer.job_title }}{% endif %}',
      '{% if customer.job_title == "Owner" %}x{% endif %}',
    ].join(''), SCHEMA, 'stale-data');
  });

  test('does not fire on a field without maxAgeDays', () => {
    expectNone('{{ customer.last_name }}', SCHEMA, 'stale-data');
  });
});

describe('deprecated-field', () => {
  test('fires with the schema\'s deprecation message, tagged deprecated', () => {
    const [diagnostic] = expectAt('Hi {{ █customer.nickname | default: "there" }}', SCHEMA, 'deprecated-field');
    assert.equal(diagnostic.severity, 'warning');
    assert.deepEqual(diagnostic.tags, ['deprecated']);
    expectMessage(diagnostic.message, {
      wrong: /`customer.nickname` is deprecated/,
      recipient: /recipients would then get nothing/,
      fix: /The schema says: use customer.first_name\./,
    });
  });

  test('`"deprecated": true` asks for the replacement', () => {
    const [diagnostic] = expectAt('{% if █customer.pager %}{% endif %}', SCHEMA, 'deprecated-field');
    assert.match(diagnostic.message, /Use its replacement\./);
  });

  test('does not fire on fields that are not deprecated', () => {
    expectNone('{{ customer.first_name }}', SCHEMA, 'deprecated-field');
  });
});

describe('type-mismatch', () => {
  test('fires on a date filter on a string', () => {
    const [diagnostic] = expectAt('{{ █customer.plan | date: "%B %-d" }}', SCHEMA, 'type-mismatch');
    assert.equal(diagnostic.severity, 'warning');
    expectMessage(diagnostic.message, {
      wrong: /`date` expects a date, but `customer.plan` is a string/,
      recipient: /recipient would see the value unchanged, blank, or an error/,
      fix: /Declare the field's real type in mergewise.json, or use a filter meant for strings/,
    });
  });

  test('fires on a loop over something that is not a list', () => {
    const [diagnostic] = expectAt('{% for x in █customer.city %}{{ x }}{% endfor %}', SCHEMA, 'type-mismatch');
    expectMessage(diagnostic.message, { wrong: /is a string, not a list/, recipient: /recipient would see missing or garbled content/, fix: /Loop over an array field/ });
  });

  test('fires on a list or object output as it is', () => {
    const [list] = expectAt('{{ █cart.items }} {{ █customer.address }}', SCHEMA, 'type-mismatch');
    expectMessage(list.message, { wrong: /is a list/, recipient: /recipient would see its items run together/, fix: /Loop over it, or output one of its fields/ });
  });

  test('fires on a number filter on a string and a list filter on a string', () => {
    expectAt('{{ █customer.city | plus: 1 }} {{ █customer.city | join: ", " }}', SCHEMA, 'type-mismatch');
  });

  test('does not fire on matching types', () => {
    expectNone([
      '{{ trial.ends_at | date: "%B %-d" }}',
      '{{ cart.total | plus: 5 | round }}',
      '{{ customer.tags | join: ", " }}',
      '{{ cart.items | size | plus: 1 }}',
      '{{ cart.items.size | plus: 1 }}',
      '{{ cart.items | map: "title" | join: ", " }}',
      '{% for item in cart.items %}{{ item.title }}{% endfor %}',
      '{% for t in customer.tags %}{{ t }} {{ t.name }} {{ t | plus: 1 }}{% endfor %}',
      '{{ customer.prefs.color }} {{ customer.prefs.colors | join: ", " }}',
      '{{ customer.city | upcase }}',
    ].join('\n'), SCHEMA, 'type-mismatch');
  });

  test('does not fire on a field mergewise.json gives no type: it is taken as it is', () => {
    const untyped = schemaOf({ fields: { 'customer.vip': {}, 'customer.since': { description: 'x' } } });
    expectNone([
      '{% if customer.vip %}VIP{% endif %}',
      '{% for x in customer.vip %}{{ x }}{% endfor %}',
      '{{ customer.since | date: "%B %-d" }} {{ customer.since | plus: 1 }} {{ customer.vip }}',
    ].join('\n'), untyped, 'type-mismatch');
    assert.deepEqual(analyze('{{ customer.vip | join: ", " }}', untyped).diagnostics.filter((d) => d.rule === 'internal-error' || d.rule === 'unknown-field'), []);
  });

  test('a filter named like an object\'s built-in property is an unknown filter, not a crash', () => {
    const analysis = analyze('{{ customer.city | toString }} {{ cart.total | constructor }} {{ cart.total | __proto__ }}', SCHEMA);
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'internal-error' || d.rule === 'type-mismatch'), []);
  });
});

describe('duplicate-branches', () => {
  test('fires on an else that renders the same content as the if, at the later branch', () => {
    const text = [
      "{% if customer.industry == 'hair' %}",
      '  <a href="/book">Book now</a>',
      '█{% else %}',
      '<a href="/book">Book   now</a>',
      '{% endif %}',
    ].join('\n');
    const [diagnostic] = expectAt(text, SCHEMA, 'duplicate-branches');
    assert.equal(diagnostic.severity, 'information');
    expectMessage(diagnostic.message, {
      wrong: /The branch `\{% else %\}` renders the same content as the branch on line 1/,
      recipient: /recipients in both segments read the same email/,
      fix: /Give each segment its own content, or merge the branches/,
    });
  });

  test('fires on case/when branches, and runs without a schema', () => {
    expectAt('{% case p %}{% when "a" %}Same{% when "b" %}Other█{% when "c" %}Same{% endcase %}', undefined, 'duplicate-branches');
  });

  test('does not fire on different content, or on an if without else', () => {
    expectNone('{% if a %}Hair{% else %}Nails{% endif %}{% if b %}Same{% endif %}Same', SCHEMA, 'duplicate-branches');
  });

  test('names the line of the earlier branch for each of many findings, whatever the line ends', () => {
    // Each block takes five lines: its `{% if %}` is on line 1, 6, 11, …
    const block = (i: number, eol: string) => [`{% if a == ${i} %}`, `Same ${i}`, '{% else %}', `Same ${i}`, '{% endif %}'].join(eol);
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = Array.from({ length: 40 }, (_, i) => block(i, eol)).join(eol);
      const lines = analyze(text, SCHEMA).diagnostics.filter((d) => d.rule === 'duplicate-branches')
        .map((d) => Number(/on line (\d+)/.exec(d.message)?.[1]));
      assert.deepEqual(lines, Array.from({ length: 40 }, (_, i) => 5 * i + 1), JSON.stringify(eol));
    }
  });
});

describe('purpose-incomplete', () => {
  const text = (purpose: object) => JSON.stringify({ fields: FIELDS, purposes: { loyalty: purpose } }, null, 2);

  test('fires at the purpose\'s key when it lacks a segment, tactic or metric', () => {
    const source = text({ segment: 'customer.bookings >= 100', tactic: 'Celebrate', fields: ['customer.bookings'] });
    const found = schemaFindings(source).filter((d) => d.rule === 'purpose-incomplete');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'warning');
    assert.equal(source.slice(found[0].span.start, found[0].span.end), '"loyalty"');
    expectMessage(found[0].message, {
      wrong: /Purpose "loyalty" has no metric, so it is not a testable hypothesis and covers no field/,
      recipient: /recipients would get its fields with nothing to justify them/,
      fix: /Add "metric" \(how success is measured\)/,
    });
  });

  test('lists every missing part, and treats blank text as missing', () => {
    const [diagnostic] = schemaFindings(text({ segment: '  ', fields: [] })).filter((d) => d.rule === 'purpose-incomplete');
    assert.match(diagnostic.message, /has no segment, tactic, metric/);
    assert.match(diagnostic.message, /Add "segment" \(who it is for\) and "tactic" \(what changes in the email\) and "metric"/);
  });

  test('does not fire on a complete purpose', () => {
    assert.deepEqual(schemaFindings(text({ ...PURPOSE, fields: ['customer.city'] })), []);
  });
});

describe('severities', () => {
  const text = '{{ customer.first_name }}';

  test('mergewise.json `rules` changes a severity', () => {
    const schema = schemaWith({ rules: { 'missing-fallback': 'error' } });
    assert.equal(findings(text, schema, 'missing-fallback')[0].severity, 'error');
  });

  test('severityOverrides (editor settings, --rule) change a severity', () => {
    assert.equal(findings(text, SCHEMA, 'missing-fallback', { severityOverrides: { 'missing-fallback': 'hint' } })[0].severity, 'hint');
  });

  test('mergewise.json wins over the editor settings, so the editor agrees with CI', () => {
    const schema = schemaWith({ rules: { 'missing-fallback': 'error' } });
    assert.equal(findings(text, schema, 'missing-fallback', { severityOverrides: { 'missing-fallback': 'hint' } })[0].severity, 'error');
  });

  test('"off" turns a rule off, in either place', () => {
    assert.deepEqual(findings(text, schemaWith({ rules: { 'missing-fallback': 'off' } }), 'missing-fallback'), []);
    assert.deepEqual(findings(text, SCHEMA, 'missing-fallback', { severityOverrides: { 'missing-fallback': 'off' } }), []);
    assert.deepEqual(findings('{{ a', undefined, 'syntax-error', { severityOverrides: { 'syntax-error': 'off' } }), []);
  });

  test('other rules keep their defaults', () => {
    const schema = schemaWith({ rules: { 'missing-fallback': 'off' } });
    assert.equal(findings(text, schema, 'quadrant-expected-unhelpful')[0].severity, 'hint');
  });

  test('purpose-incomplete follows `rules` and the overrides too', () => {
    const incomplete = (rules?: object) => JSON.stringify({ fields: {}, purposes: { p: { segment: 's' } }, ...(rules ? { rules } : {}) });
    assert.equal(schemaFindings(incomplete({ 'purpose-incomplete': 'error' }))[0].severity, 'error');
    assert.equal(schemaFindings(incomplete(), { 'purpose-incomplete': 'information' })[0].severity, 'information');
    assert.deepEqual(schemaFindings(incomplete({ 'purpose-incomplete': 'off' })), []);
  });
});

describe('analysis as a whole', () => {
  test('diagnostics come sorted by position', () => {
    const { diagnostics } = analyze('{{ customer.income_bracket }} {{ customer.frist_name }} {{ a', SCHEMA);
    const starts = diagnostics.map((d) => d.span.start);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  });

  test('a clean template has nothing to report', () => {
    const schema = schemaWith({ purposes: { p: { ...PURPOSE, fields: ['customer.first_name', 'customer.favorite_service'], templates: ['**'] } } });
    const diagnostics = analyze([
      'Hi {{ customer.first_name | default: "there" }},',
      '{% if customer.favorite_service != blank %}We know you for {{ customer.favorite_service }}.{% endif %}',
    ].join('\n'), schema).diagnostics;
    assert.deepEqual(diagnostics.filter((d) => d.rule !== 'quadrant-unexpected-helpful'), []);
  });
});
