import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceColumns } from '../../server/src/core/audience/columns';
import { dataFields, looksPersonal, mayShowExamples, suggestMaxAgeDays, valueLooksIdentifying } from '../../server/src/core/init/from-data';
import { readProposal } from '../../server/src/core/rules/schema-proposal';

describe('init --from-data, pure parts', () => {
  test('column types to field types: structs as dotted paths, lists of structs with item fields; updated-at left out', () => {
    const fields = dataFields(sourceColumns([
      { name: 'customer', type: 'STRUCT(first_name VARCHAR, visits BIGINT, seen DATE)' },
      { name: 'cart_items', type: 'STRUCT(title VARCHAR, price DOUBLE)[]' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'vip', type: 'BOOLEAN' },
      { name: 'at', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'extra', type: 'JSON' },
      { name: 'updated_at', type: 'TIMESTAMP' },
    ]));
    assert.deepEqual(fields.map((f) => [f.path, f.type]), [
      ['at', 'date'], ['cart_items', 'array'], ['cart_items[].price', 'number'], ['cart_items[].title', 'string'],
      ['customer.first_name', 'string'], ['customer.seen', 'date'], ['customer.visits', 'number'],
      ['extra', 'object'], ['tags', 'array'], ['vip', 'boolean'],
    ]);
    assert.deepEqual(fields.filter(mayShowExamples).map((f) => f.path), ['at', 'customer.seen', 'customer.visits']);
  });

  test('names that look personal', () => {
    assert.match(looksPersonal('customer.email')!, /email/);
    assert.match(looksPersonal('FNAME')!, /name/);
    assert.match(looksPersonal('lead.phone_number')!, /phone/);
    assert.match(looksPersonal('billing_street')!, /address/);
    assert.equal(looksPersonal('product_name'), undefined);
    assert.equal(looksPersonal('plan'), undefined);
    for (const name of ['Vorname', 'Nachname', 'Geburtsdatum', 'PLZ', 'Strasse', 'msisdn', 'whatsapp', 'iban', 'credit_card', 'national_id', 'device_id', 'idfa', 'push_token', 'twitter_handle', 'linkedin_url', 'gender', 'salary', 'notes', 'comments']) {
      assert.ok(looksPersonal(name), name);
    }
    assert.match(looksPersonal('ip_address')!, /IP address/);
    assert.equal(looksPersonal('Account.Name'), undefined);
  });

  test('values that are never examples, whatever their column is called', () => {
    for (const value of ['ana@gmail.com', '+1 555 0100', '(030) 1234567', 'u812002', '1,250,000', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'c0ffee00c0ffee00c0ffee', 1234567]) {
      assert.ok(valueLooksIdentifying(value), String(value));
    }
    for (const value of ['gold', 'Europe/Paris', '2026-11-30', '2026-11-30T08:00:00Z', 'SUMMER24', 42, 19.99]) assert.equal(valueLooksIdentifying(value), undefined, String(value));
  });

  test('maxAgeDays rounding, and the schema-proposal rule reads it', () => {
    assert.deepEqual([0.2, 12.5, 30, 31, 56, 365.4].map(suggestMaxAgeDays), [1, 13, 30, 60, 60, 390]);
    const read = readProposal('proposed: review — sensitivity personal (name looks like a name); maxAgeDays 60 (95% of rows were updated in the last 56 days)');
    assert.deepEqual(read?.proposals.map((p) => [p.property, p.value]), [['sensitivity', 'personal'], ['maxAgeDays', '60']]);
  });
});
