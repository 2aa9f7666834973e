/**
 * "Add sample recipient with missing data": the JSON drafted from the schema, and where it goes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { liquid } from '../../server/src/core/dialects/liquid';
import {
  emptyValue, globFolder, missingDataRecipient, newRecipientPath, recipientFileText,
} from '../../server/src/core/preview/missing-data';
import { previewTemplate } from '../../server/src/core/preview/preview';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  recipients: ['recipients/*.json'],
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'customer.email': { type: 'string', required: true, examples: ['ana@example.com'] },
    'customer.id': { type: 'number', required: true },
    'customer.signed_up': { type: 'date', required: true },
    'customer.vip': { type: 'boolean' },
    'customer.visits': { type: 'number' },
    customer_address: { type: 'object', fields: { city: { type: 'string' }, country: { type: 'string', required: true } } },
    'cart.items': { type: 'array', items: { fields: { title: { type: 'string', required: true } } } },
    orders: { type: 'array', required: true, items: { fields: { total: { type: 'number', required: true }, note: { type: 'string' } } } },
    tags: { type: 'array', required: true },
    prefs: { type: 'object' },
  },
});

describe('a sample recipient with missing data', () => {
  const drafted = missingDataRecipient(SCHEMA, NOW);

  test('every optional field is empty; every required one is filled', () => {
    assert.deepEqual(drafted, {
      $name: 'Missing data',
      customer: { first_name: '', email: 'ana@example.com', id: 0, signed_up: '2026-11-26', vip: null, visits: null },
      customer_address: { city: '', country: 'example' },
      cart: { items: [] },
      orders: [{ total: 0, note: '' }],
      tags: [],
      prefs: null,
    });
  });

  test('empty means a blank string, an empty list, otherwise null', () => {
    assert.equal(emptyValue('string'), '');
    assert.deepEqual(emptyValue('array'), []);
    for (const type of ['number', 'boolean', 'date', 'object'] as const) assert.equal(emptyValue(type), null);
  });

  test('the file reads back as one recipient, and the preview shows its fallbacks and blanks', () => {
    const text = recipientFileText(drafted);
    assert.ok(text.endsWith('}\n'));
    const { recipients, problems } = parseRecipients(text, 'recipients/missing-data.json');
    assert.deepEqual(problems, []);
    assert.equal(recipients[0].name, 'Missing data');
    const template = 'Hi {{ customer.first_name | default: "there" }} in {{ customer_address.city }}, {{ customer.email }}';
    const preview = previewTemplate({ text: template, dialect: liquid, scan: liquid.scan(template), schema: SCHEMA, recipient: recipients[0], now: NOW });
    assert.equal(preview.summary, '1 fallback, 1 blank, 0 stale');
  });

  test('a schema without fields gives a recipient with only its name', () => {
    assert.deepEqual(missingDataRecipient(schemaOf({ fields: {} }), NOW), { $name: 'Missing data' });
  });
});

describe('where the new recipient file goes', () => {
  test('in the folder of the first recipients glob, numbered when the name is taken', () => {
    assert.equal(newRecipientPath(SCHEMA, []), 'recipients/missing-data.json');
    assert.equal(newRecipientPath(SCHEMA, ['recipients/missing-data.json']), 'recipients/missing-data-2.json');
    assert.equal(newRecipientPath(SCHEMA, ['recipients/missing-data.json', 'recipients/missing-data-2.json']), 'recipients/missing-data-3.json');
  });

  test('a glob that would not select the name is skipped for the next one', () => {
    const schema = schemaOf({ recipients: ['!recipients/old/*.json', 'recipients/ana.json', 'samples/**/*.recipient.json', 'data/people/*.json'], fields: {} });
    assert.equal(newRecipientPath(schema, []), 'data/people/missing-data.json');
    assert.equal(newRecipientPath(schemaOf({ recipients: ['recipients/ana.json'], fields: {} }), []), undefined);
    assert.equal(newRecipientPath(schemaOf({ fields: {} }), []), undefined);
  });

  test('a glob\'s literal folder', () => {
    assert.equal(globFolder('recipients/*.json'), 'recipients/');
    assert.equal(globFolder('./recipients/**/*.json'), 'recipients/');
    assert.equal(globFolder('a/b/{x,y}/*.json'), 'a/b/');
    assert.equal(globFolder('**/*.json'), '');
    assert.equal(globFolder('*.json'), '');
  });
});
