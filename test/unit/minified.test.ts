import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { liquid } from '../../server/src/core/dialects/liquid';
import { NOW, schemaOf } from '../helpers/schema';
import { timeAgainst } from '../helpers/timing';

const schema = schemaOf({ fields: { 'customer.first_name': { type: 'string' }, 'customer.city': { type: 'string' } } });
const ROW = '<tr><td><a href="https://x.example/p/{{ customer.city }}?u={{ customer.first_name }}">{{ customer.first_name }}</a>' +
  '{% if customer.city %}{{ customer.city }}{% endif %}</td></tr>';
const ROWS = Math.ceil(400_000 / ROW.length);

const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'emails/minified.html', dialect: liquid, schema, now: NOW });

test('a minified template (400 KB on one line, a finding every few tags) takes about as long as the same rows on lines of their own', () => {
  // What looks back along the line for a tag's surroundings must not read back to the line's start.
  const oneLine = ROW.repeat(ROWS);
  const onLines = `${ROW}\n`.repeat(ROWS);
  const { value, ratio, text } = timeAgainst(() => analyze(onLines), () => analyze(oneLine), 3);
  assert.equal(value.diagnostics.length, analyze(onLines).diagnostics.length, 'the same findings either way');
  assert.ok(ratio < 3, `one line against one row a line: ${text}`);
});
