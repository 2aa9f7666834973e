import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadrantsHtml } from '../../client/src/quadrants-view';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { liquid } from '../../server/src/core/dialects/liquid';
import { quadrantUses } from '../../server/src/core/ide';
import { NOW, schemaOf } from '../helpers/schema';

test('the quadrants view names the fields in no quadrant, and why, instead of four empty boxes (a schema init wrote has no sources)', () => {
  const schema = schemaOf({ fields: { 'customer.first_name': { type: 'string', source: 'declared' }, 'customer.city': {}, 'cart.total': { type: 'number' } } });
  const text = '{{ customer.first_name }} {{ customer.city }} {{ customer.city }} {{ cart.total }}';
  const analysis = analyzeTemplate({ text, relativePath: 'emails/a.liquid', dialect: liquid, schema, now: NOW });
  const uses = quadrantUses({ dialect: liquid, dialectChoice: { id: 'liquid', reason: 'file extension' }, schema, analysis });
  assert.deepEqual(uses.map((u) => u.field), ['customer.first_name', 'customer.city', 'customer.city', 'cart.total']);
  assert.ok(uses[0].quadrant, 'a declared field has its quadrant');
  assert.deepEqual(uses.slice(1).map((u) => u.quadrant), [undefined, undefined, undefined], 'fields without a source are listed, in none');
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const html = quadrantsHtml('a.liquid', uses.map(({ span: _span, ...entry }) => ({ ...entry, range })));
  assert.match(html, /In no quadrant, since mergewise\.json gives them no <code>source<\/code>.*<code>customer\.city<\/code>, <code>cart\.total<\/code>\./);
  assert.equal(html.match(/customer\.city/g)?.length, 1, 'each field once');
});
