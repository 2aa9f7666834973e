import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fake, isPersonal, nextPickSql, plain, seeded, FAKE_FIRST_NAMES, FAKE_LAST_NAMES } from '../../server/src/core/audience/pick';

describe('audience --pick, pure parts', () => {
  test('fakes keep the shape and are the same for the same seed', () => {
    const one = (value: unknown, path: string) => fake(value, path, seeded(`7:${path}`));
    assert.equal(one('Ana', 'customer.first_name'), one('Ana', 'customer.first_name'));
    assert.ok(FAKE_FIRST_NAMES.includes(one('Ana', 'customer.first_name') as string));
    assert.ok(FAKE_LAST_NAMES.includes(one('Reyes', 'customer.last_name') as string));
    assert.match(one('ana@studio.test', 'customer.email') as string, /^[a-z]+\.[a-z]+\d*@example\.com$/);
    const number = one(412, 'customer.bookings') as number;
    assert.ok(Number.isInteger(number) && number !== 412 && Math.abs(number - 412) <= 83, String(number));
    const decimal = one(0.18, 'customer.score') as number;
    assert.ok(decimal !== 0.18 && String(decimal).split('.')[1]!.length <= 2);
    const date = one('2026-11-25', 'customer.birthday') as string;
    assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
    assert.notEqual(date, '2026-11-25');
    const stamp = one('2026-11-25T17:30:00Z', 'customer.seen_at') as string;
    assert.match(stamp, /^\d{4}-\d{2}-\d{2}T17:30:00Z$/);
    const phone = one('+1 510 555-0134', 'customer.phone') as string;
    assert.match(phone, /^\+\d \d{3} \d{3}-\d{4}$/);
    assert.notEqual(phone, '+1 510 555-0134');
    assert.deepEqual((one([{ street: 'Main St 1' }], 'customer.addresses') as { street: string }[]).map((a) => a.street.length), [9]);
    assert.equal(one('', 'customer.first_name'), '');
  });

  test('values from DuckDB as JSON holds them', () => {
    assert.equal(plain(12n), 12);
    assert.equal(plain(new Date('2026-01-02T00:00:00Z')), '2026-01-02');
    assert.equal(plain(new Date('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05Z');
    assert.deepEqual(plain([{ a: 1n, b: null }]), [{ a: 1, b: null }]);
    assert.equal(plain(undefined), null);
  });

  test('personal or above', () => {
    assert.deepEqual(['none', 'personal', 'sensitive', 'special-category', undefined].map((s) => isPersonal(s as never)), [false, true, true, true, false]);
  });

  test('a greedy step leaves out what is covered and what is picked', () => {
    const sql = nextPickSql([1, 3], [7]);
    assert.match(sql, /list_contains\(\[1, 3\]::INTEGER\[\], x\)/);
    assert.match(sql, /mw_rid NOT IN \(7\)/);
    assert.match(sql, /ORDER BY len\(gains\) DESC, mw_rid LIMIT 1/);
  });
});
