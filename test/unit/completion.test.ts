import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import type { Dialect } from '../../server/src/core/dialects/dialect';
import { handlebars } from '../../server/src/core/dialects/handlebars';
import { klaviyo } from '../../server/src/core/dialects/klaviyo';
import { completionsAt } from '../../server/src/core/ide';
import type { DocumentAnalysis } from '../../server/src/core/workspace';
import { NOW, schemaOf } from '../helpers/schema';

const schema = schemaOf({ fields: { first_name: { type: 'string', fallback: 'there', aliases: { klaviyo: 'first_name' } }, city: { type: 'string' } } });

/** The labels completion offers at `█`, by kind. */
function labelsAt(dialect: Dialect, textWithCursor: string): Record<string, string[]> {
  const offset = textWithCursor.indexOf('█');
  const text = textWithCursor.replace('█', '');
  const analysis = analyzeTemplate({ text, relativePath: 'emails/a.html', dialect, schema, now: NOW });
  const document: DocumentAnalysis = { dialect, dialectChoice: { id: dialect.id, reason: 'schema default' }, schema, analysis };
  const labels: Record<string, string[]> = {};
  for (const option of completionsAt(document, text, offset)?.options ?? []) (labels[option.kind] ??= []).push(option.label);
  return labels;
}

test('Handlebars: block helpers first in a tag, inline helpers there or in a subexpression, and only fields where an argument goes', () => {
  assert.ok(labelsAt(handlebars, '{{█').tag?.includes('if'));
  assert.ok(labelsAt(handlebars, '{{#█').tag?.includes('each'));
  const argument = labelsAt(handlebars, '{{#if fi█');
  assert.deepEqual([argument.tag, argument.filter], [undefined, undefined]);
  assert.ok(argument.field?.includes('first_name'));
  const subexpression = labelsAt(handlebars, '{{#if (█');
  assert.equal(subexpression.tag, undefined);
  assert.ok((subexpression.filter?.length ?? 0) > 0, 'inline helpers in a subexpression');
});

test('a field whose alias is its own path is offered once', () => {
  assert.deepEqual(labelsAt(klaviyo, '{{ fi█').field?.filter((label) => label === 'first_name'), ['first_name']);
});
