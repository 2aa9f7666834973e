/**
 * `schema-proposal`: fields of mergewise.json whose source or sensitivity `mergewise init` proposed
 * in the description, behind the marker, and the Confirm and Dismiss fixes that settle them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type ParseError } from 'jsonc-parser';
import { analyzeSchema } from '../../server/src/core/analyze';
import { applyEdits, schemaFixesFor } from '../../server/src/core/fixes';
import { PROPOSAL_MARKER } from '../../server/src/core/init/proposals';
import type { Diagnostic } from '../../server/src/core/model';
import { descriptionWithoutProposal, readProposal } from '../../server/src/core/rules/schema-proposal';
import { load } from '../helpers/schema';

const SCHEMA = `{
  // Written by mergewise init.
  "fields": {
    "customer": {
      "type": "object",
      "fields": {
        "first_name": { "type": "string", "source": "declared" },
        "predicted_churn_score": {
          "type": "number",
          "description": "proposed: review — source inferred (name looks like a model score)" // keep this comment
        },
        "income_bracket": {
          "type": "string",
          "description": "Bracket from the CRM. proposed: review — source third-party (name looks bought); sensitivity special-category (name looks like income)",
          "fallback": ""
        }
      }
    },
    "cart": {
      "type": "array",
      "items": { "fields": { "title": { "type": "string", "description": "proposed: review — whatever the model says" } } }
    }
  }
}
`;

function proposals(text: string): Diagnostic[] {
  return analyzeSchema(load(text)).filter((d) => d.rule === 'schema-proposal');
}

function finding(text: string, field: string): Diagnostic {
  const found = proposals(text).find((d) => d.field === field);
  assert.ok(found, `no schema-proposal on ${field}`);
  return found;
}

/** The text with the fix titled `title` (by its start) made, checked to be valid JSON with comments. */
function fixed(text: string, diagnostic: Diagnostic, title: string): string {
  const { fix, suggestions } = schemaFixesFor(text, diagnostic);
  assert.equal(fix, undefined, 'a proposal is for a person to review: never a safe fix');
  const chosen = suggestions.find((s) => s.title.startsWith(title));
  assert.ok(chosen, `no "${title}" among ${suggestions.map((s) => s.title)}`);
  const result = applyEdits(text, chosen.edits);
  const errors: ParseError[] = [];
  parse(result, errors, { allowTrailingComma: true, disallowComments: false });
  assert.deepEqual(errors, [], result);
  return result;
}

function fieldOf(text: string, ...path: string[]): Record<string, unknown> {
  let value: any = parse(text, [], { allowTrailingComma: true });
  for (const key of path) value = value[key];
  return value;
}

describe('schema-proposal findings', () => {
  test('the marker is the init engineer\'s constant', () => {
    assert.equal(PROPOSAL_MARKER, 'proposed: review');
  });

  test('one hint per marked field, on its description\'s value, and none elsewhere', () => {
    const found = proposals(SCHEMA);
    assert.deepEqual(found.map((d) => d.field), ['customer.predicted_churn_score', 'customer.income_bracket', 'cart[].title']);
    for (const diagnostic of found) {
      assert.equal(diagnostic.severity, 'hint');
      const written = SCHEMA.slice(diagnostic.span.start, diagnostic.span.end);
      assert.match(written, /^"[^"]*proposed: review[^"]*"$/, written);
    }
    assert.equal(SCHEMA.slice(found[0].span.start, found[0].span.end), '"proposed: review — source inferred (name looks like a model score)"');
  });

  test('one proposal: what is proposed, why, and how to confirm it', () => {
    assert.equal(finding(SCHEMA, 'customer.predicted_churn_score').message,
      'Field "customer.predicted_churn_score": proposed source "inferred" (name looks like a model score) is waiting for review. ' +
      'Confirm it to set "source": "inferred", or edit the description.');
  });

  test('two proposals separated by "; " are both read', () => {
    assert.equal(finding(SCHEMA, 'customer.income_bracket').message,
      'Field "customer.income_bracket": proposed source "third-party" (name looks bought) and sensitivity "special-category" (name looks like income) are waiting for review. ' +
      'Confirm them to set "source": "third-party" and "sensitivity": "special-category", or edit the description.');
  });

  test('text after the marker that cannot be read still reports the field as marked for review', () => {
    const { message } = finding(SCHEMA, 'cart[].title');
    assert.match(message, /^Field "cart\[\]\.title" is marked "proposed: review" in its description, but what is proposed cannot be read/);
    assert.match(message, /remove the marker from the description\.$/);
  });

  test('the rule can be turned off, in mergewise.json or the settings', () => {
    assert.deepEqual(analyzeSchema(load(SCHEMA), { 'schema-proposal': 'off' }).filter((d) => d.rule === 'schema-proposal'), []);
    const off = SCHEMA.replace('"fields": {\n    "customer"', '"rules": { "schema-proposal": "off" },\n  "fields": {\n    "customer"');
    assert.deepEqual(proposals(off), []);
  });

  test('a description without the marker is not reported', () => {
    assert.deepEqual(proposals('{ "fields": { "a": { "type": "string", "description": "proposed by marketing, reviewed" } } }'), []);
  });
});

describe('reading the proposal', () => {
  test('both forms, with the reason in parentheses (nested ones too)', () => {
    assert.deepEqual(readProposal('proposed: review — source inferred (name looks like a model score)')?.proposals,
      [{ property: 'source', value: 'inferred', reason: 'name looks like a model score' }]);
    assert.deepEqual(readProposal('proposed: review — sensitivity special-category (name (income) looks like it)')?.proposals,
      [{ property: 'sensitivity', value: 'special-category', reason: 'name (income) looks like it' }]);
    assert.deepEqual(readProposal('proposed: review — source inferred (a); sensitivity personal (b)')?.proposals.map((p) => [p.property, p.value]),
      [['source', 'inferred'], ['sensitivity', 'personal']]);
  });

  test('tolerant: no reason, another dash, a value outside the schema\'s list', () => {
    assert.deepEqual(readProposal('proposed: review - source observed')?.proposals, [{ property: 'source', value: 'observed' }]);
    assert.deepEqual(readProposal('proposed: review — source guessed (x)')?.proposals, []);
    assert.deepEqual(readProposal('proposed: review — source inferred (x); sensitivity very (y)')?.proposals.map((p) => p.value), ['inferred']);
    assert.equal(readProposal('nothing to review'), undefined);
  });

  test('what is left of the description without the marker\'s text', () => {
    const without = (description: string) => descriptionWithoutProposal(description, readProposal(description)!);
    assert.equal(without('proposed: review — source inferred (x)'), '');
    assert.equal(without('Churn score from the model. proposed: review — source inferred (x)'), 'Churn score from the model.');
    assert.equal(without('Churn score — proposed: review — source inferred (x)'), 'Churn score');
    assert.equal(without('proposed: review — source inferred (x). Refreshed nightly.'), 'Refreshed nightly.');
  });
});

describe('schema-proposal fixes', () => {
  test('Confirm sets the source and removes the description that was only the marker, keeping comments', () => {
    const result = fixed(SCHEMA, finding(SCHEMA, 'customer.predicted_churn_score'), 'Confirm');
    assert.deepEqual(fieldOf(result, 'fields', 'customer', 'fields', 'predicted_churn_score'), { type: 'number', source: 'inferred' });
    assert.match(result, /\/\/ Written by mergewise init\./);
    assert.match(result, /\/\/ keep this comment/);
    assert.ok(!result.includes('name looks like a model score'));
    // Everything outside the field is as it was.
    assert.equal(result.slice(0, result.indexOf('"predicted_churn_score"')), SCHEMA.slice(0, SCHEMA.indexOf('"predicted_churn_score"')));
    assert.equal(result.slice(result.indexOf('"income_bracket"')), SCHEMA.slice(SCHEMA.indexOf('"income_bracket"')));
    assert.deepEqual(proposals(result).map((d) => d.field), ['customer.income_bracket', 'cart[].title']);
  });

  test('Confirm sets both proposals and keeps the rest of the description', () => {
    const result = fixed(SCHEMA, finding(SCHEMA, 'customer.income_bracket'), 'Confirm');
    assert.deepEqual(fieldOf(result, 'fields', 'customer', 'fields', 'income_bracket'), {
      type: 'string', description: 'Bracket from the CRM.', source: 'third-party', sensitivity: 'special-category', fallback: '',
    });
    assert.match(result, /\n {10}"source": "third-party",\n/, 'indented as the file is');
  });

  test('Dismiss removes the marker\'s text and sets nothing', () => {
    const churn = fixed(SCHEMA, finding(SCHEMA, 'customer.predicted_churn_score'), 'Dismiss proposal');
    assert.deepEqual(fieldOf(churn, 'fields', 'customer', 'fields', 'predicted_churn_score'), { type: 'number' });
    assert.match(churn, /\/\/ keep this comment/);
    const income = fixed(SCHEMA, finding(SCHEMA, 'customer.income_bracket'), 'Dismiss proposal');
    assert.deepEqual(fieldOf(income, 'fields', 'customer', 'fields', 'income_bracket'), { type: 'string', description: 'Bracket from the CRM.', fallback: '' });
  });

  test('an unreadable proposal offers only Dismiss, which removes the marker', () => {
    const diagnostic = finding(SCHEMA, 'cart[].title');
    assert.deepEqual(schemaFixesFor(SCHEMA, diagnostic).suggestions.map((s) => s.title), ['Dismiss proposal']);
    const result = fixed(SCHEMA, diagnostic, 'Dismiss proposal');
    assert.deepEqual(fieldOf(result, 'fields', 'cart', 'items', 'fields', 'title'), { type: 'string', description: 'whatever the model says' });
  });

  test('Confirm replaces a source already set, and works with tabs and CRLF line ends', () => {
    const text = '{\r\n\t"fields": {\r\n\t\t"score": {\r\n\t\t\t"type": "number",\r\n\t\t\t"source": "observed",\r\n\t\t\t"description": "proposed: review — source inferred (x)"\r\n\t\t}\r\n\t}\r\n}\r\n';
    const diagnostic = finding(text, 'score');
    assert.match(diagnostic.message, /proposed source "inferred" \(x\) \(now "observed"\)/);
    const result = fixed(text, diagnostic, 'Confirm');
    assert.equal(result, '{\r\n\t"fields": {\r\n\t\t"score": {\r\n\t\t\t"type": "number",\r\n\t\t\t"source": "inferred"\r\n\t\t}\r\n\t}\r\n}\r\n');
  });

  test('a finding whose description has changed since gets no fixes', () => {
    const diagnostic = finding(SCHEMA, 'customer.predicted_churn_score');
    const changed = SCHEMA.replace('proposed: review — source inferred', 'reviewed: source inferred');
    assert.deepEqual(schemaFixesFor(changed, diagnostic).suggestions, []);
  });
});
