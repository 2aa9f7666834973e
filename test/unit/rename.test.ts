import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextEdit } from '../../server/src/core/dialects/dialect';
import { renameInRecipients, renameInSchema } from '../../server/src/core/rename';
import { schemaOf } from '../helpers/schema';

/** The text with the edits applied, last first. */
function applied(text: string, edits: TextEdit[]): string {
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

describe('renaming a field in mergewise.json', () => {
  const text = JSON.stringify({
    fields: {
      'customer.city': { type: 'string', deprecated: 'use customer.city_name; customer.city_code is the code' },
      'customer.city_name': { type: 'string' },
      'customer.region': { type: 'string', deprecated: 'customer.city_name, as customer.city_name.short was' },
    },
    purposes: { local: { segment: 's', tactic: 't', metric: 'm', fields: ['customer.city_name'] } },
    audience: { columns: { 'customer.city_name': 'CITY', 'customer.city_name_x': 'X' }, updatedAtColumns: { 'customer.city_name': 'city_updated' } },
  }, null, 2);

  test('renames its key, the purposes that list it, its audience columns and the deprecation notes that send readers to it', () => {
    const schema = schemaOf(text);
    const outcome = renameInSchema(schema, text, schema.fields.get('customer.city_name')!, 'customer.town');
    assert.ok('edits' in outcome);
    const renamed = JSON.parse(applied(text, outcome.edits));
    assert.deepEqual(Object.keys(renamed.fields), ['customer.city', 'customer.town', 'customer.region']);
    assert.equal(renamed.fields['customer.city'].deprecated, 'use customer.town; customer.city_code is the code');
    assert.equal(renamed.fields['customer.region'].deprecated, 'customer.town, as customer.city_name.short was', 'a longer path that starts with it is another field');
    assert.deepEqual(renamed.purposes.local.fields, ['customer.town']);
    assert.deepEqual(renamed.audience, { columns: { 'customer.town': 'CITY', 'customer.city_name_x': 'X' }, updatedAtColumns: { 'customer.town': 'city_updated' } });
  });
});

describe('renaming a field in sample recipients', () => {
  test('moves the value under its new name, nested, dotted or both, in each recipient, and its $updatedAt date', () => {
    const text = JSON.stringify([
      { $name: 'Ana', customer: { first_name: 'Ana', city: 'Lisbon' }, $updatedAt: { 'customer.city': '2026-01-01', 'customer.cityx': '2026-01-01' } },
      { $name: 'Ben', 'customer.city': 'Porto' },
      { $name: 'Cy', customer: { 'address.city': 'x' }, city: 'not the field' },
      { $name: 'Di' },
    ], null, 2);
    const renamed = JSON.parse(applied(text, renameInRecipients(text, 'customer.city', 'customer.town')));
    assert.deepEqual(renamed[0], { $name: 'Ana', customer: { first_name: 'Ana', town: 'Lisbon' }, $updatedAt: { 'customer.town': '2026-01-01', 'customer.cityx': '2026-01-01' } });
    assert.deepEqual(renamed[1], { $name: 'Ben', 'customer.town': 'Porto' });
    assert.deepEqual(renamed[2], { $name: 'Cy', customer: { 'address.city': 'x' }, city: 'not the field' });
  });

  test('an item field of a list is renamed in every item', () => {
    const text = '{"cart": {"items": [{"title": "Cut", "price": 3}, {"title": "Dye"}]}, "cart.items": []}';
    const renamed = JSON.parse(applied(text, renameInRecipients(text, 'cart.items[].title', 'cart.items[].name')));
    assert.deepEqual(renamed.cart.items, [{ name: 'Cut', price: 3 }, { name: 'Dye' }]);
  });

  test('a file that is not a recipient object is left as it is', () => {
    assert.deepEqual(renameInRecipients('not json', 'a.b', 'a.c'), []);
    assert.deepEqual(renameInRecipients('"text"', 'a.b', 'a.c'), []);
  });
});
