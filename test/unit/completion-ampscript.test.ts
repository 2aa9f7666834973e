import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { completionsAt } from '../../server/src/core/ide';
import type { DocumentAnalysis } from '../../server/src/core/workspace';
import { NOW, schemaOf } from '../helpers/schema';

const schema = schemaOf({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { ampscript: 'FirstName' } },
    'customer.city': { type: 'string', source: 'declared' },
    'cart.items[].title': { type: 'string', source: 'transactional' },
  },
});

/** The completion at `█`: what is replaced, and each option's label with what it writes. */
function at(textWithCursor: string) {
  const offset = textWithCursor.indexOf('█');
  const text = textWithCursor.replace('█', '');
  const analysis = analyzeTemplate({ text, relativePath: 'emails/a.amp', dialect: ampscript, schema, now: NOW });
  const document: DocumentAnalysis = { dialect: ampscript, dialectChoice: { id: 'ampscript', reason: 'file extension' }, schema, analysis };
  const answer = completionsAt(document, text, offset);
  if (!answer) return undefined;
  return {
    replaced: text.slice(answer.span.start, answer.span.end),
    kinds: new Set(answer.options.map((o) => o.kind)),
    writes: new Map(answer.options.map((o) => [o.label, o.insert])),
  };
}

describe('AMPscript completion follows where the cursor is', () => {
  test('in a personalization string: attribute names only, by the platform\'s name, closed when not yet closed', () => {
    const open = at('<p>Hi %%Fir█</p>')!;
    assert.equal(open.replaced, 'Fir');
    assert.deepEqual([...open.kinds], ['field']);
    assert.equal(open.writes.get('FirstName'), 'FirstName%%');
    assert.equal(open.writes.get('customer.city'), 'customer.city%%');
    assert.equal(open.writes.has('customer.first_name'), false, 'a field with an AMPscript name is offered by it alone');
    assert.equal(at('<p>Hi %%█%%</p>')!.writes.get('FirstName'), 'FirstName');
    assert.equal(at('<p>Hi %%FirstName%%, and█</p>'), undefined, 'plain text after a closed string');
  });

  test('in an expression: functions, the template\'s variables and fields read with AttributeValue, no statements', () => {
    const inline = at('%%[ SET @greeting = "Hi" ]%%<p>%%=v(█)=%%</p>')!;
    assert.deepEqual([...inline.kinds].sort(), ['field', 'filter', 'variable']);
    assert.equal(inline.writes.get('FirstName'), 'AttributeValue("FirstName")');
    assert.equal(inline.writes.get('@greeting'), '@greeting');
    assert.equal(inline.writes.get('IIF'), 'IIF(Empty(@firstName), "there", @firstName)');
    assert.equal(at('%%[ SET @x = █ ]%%')!.kinds.has('tag'), false);
    const typing = at('<p>%%=v(@ci█)=%%</p> %%[ SET @city = "x" ]%%')!;
    assert.deepEqual([...typing.writes.keys()].filter((label) => label.startsWith('@')), ['@city'], 'not the variable being typed');
  });

  test('where a statement may start: statements too', () => {
    assert.equal(at('%%[ █ ]%%')!.writes.get('SET'), 'SET @name = AttributeValue("FirstName")');
    assert.ok(at('%%[\nIF @x == 1 THEN\n  SE█\nENDIF ]%%')!.kinds.has('tag'));
    assert.ok(at('%%[ IF @x == 1 THEN █')!.kinds.has('tag'));
  });

  test('inside AttributeValue("…") or [ … ]: the name alone; in other strings and comments, nothing', () => {
    const quoted = at('%%=AttributeValue("Fi█")=%%')!;
    assert.equal(quoted.replaced, 'Fi');
    assert.equal(quoted.writes.get('FirstName'), 'FirstName');
    assert.equal(at('%%[ SET @n = [Fi█ ]%%')!.writes.get('FirstName'), 'FirstName');
    assert.equal(at('%%=Concat("Hi █")=%%'), undefined);
    assert.equal(at('%%[ /* say hi to █ */ ]%%'), undefined);
    assert.equal(at('%%[ SET @a = "it""s" SET @b = █ ]%%')!.kinds.has('filter'), true, 'a doubled quote stays inside its string');
  });

  test('after a closed block, nothing', () => {
    assert.equal(at('%%[ SET @a = 1 ]%% <p>Dear █</p>'), undefined);
    assert.equal(at('%%=v(@a)=%% <p>Dear █</p>'), undefined);
  });
});
