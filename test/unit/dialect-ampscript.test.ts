import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { NOW, schemaOf } from '../helpers/schema';

function outputs(scan: TemplateScan): FieldUse[] {
  return scan.uses.filter((use) => use.context === 'output');
}

function shown(result: RenderResult): string {
  const pattern = new RegExp(`${MARK_START}(\\d+)${MARK_SEPARATOR}([^${MARK_END}]*)${MARK_END}`, 'g');
  return result.output.replace(pattern, (_, id: string, text: string) => `[${result.values[Number(id)].kind}:${text}]`);
}

function render(text: string, data: Record<string, unknown>, schemaPathOf: (index: number) => string | undefined = () => undefined, limits = DEFAULT_RENDER_LIMITS): RenderResult {
  return ampscript.render({ text, scan: ampscript.scan(text), data, schemaPathOf, limits });
}

function errors(text: string): string[] {
  return ampscript.scan(text).syntaxErrors.map((problem) => `${text.slice(problem.span.start, problem.span.end)} :: ${problem.message}`);
}

/** A Marketing Cloud renewal email, as the Shearly team builds it in Content Builder. */
const RENEWAL = marked(`%%[
/* Journey "Renewals", 7 days before RenewsAt. mergewise purpose: renewal-clarity */
VAR @firstName, @renewsAt, @plan
SET @firstName = ProperCase(AttributeValue("█FirstName"))
IF Empty(@firstName) THEN
  SET @firstName = "there"
ENDIF
SET @renewsAt = AttributeValue("█RenewsAt")
SET @plan = [█Shearly Plan]
]%%
<p>Hi %%=v(█@firstName)=%%,</p>
<p>Your plan renews %%=IIF(Empty(@renewsAt), "next week", FormatDate(█@renewsAt, "MMMM d"))=%%.</p>
%%[ IF @plan == "trial" THEN ]%%
  <p>This is your first payment.</p>
%%[ ELSEIF @plan == "studio" THEN ]%%
  <p>Studio renews monthly.</p>
%%[ ELSE ]%%
  <p>Thanks for staying with Shearly, %%█LastName%%.</p>
%%[ ENDIF ]%%
<p>Sent to %%█emailaddr%%. <a href="%%profile_center_url%%">Preferences</a> %%member_busname%%</p>`);

describe('AMPscript scanning', () => {
  test('finds personalization strings, AttributeValue names, bracketed attributes and variable outputs at exact ranges', () => {
    const scan = ampscript.scan(RENEWAL.text);
    assert.deepEqual(scan.syntaxErrors, []);
    assert.deepEqual(scan.uses.map((use) => use.span.start).sort((a, b) => a - b), RENEWAL.offsets);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.written, use.context]), [
      ['FirstName', 'FirstName', 'assign'],
      ['RenewsAt', 'RenewsAt', 'assign'],
      ['Shearly Plan', 'Shearly Plan', 'assign'],
      ['FirstName', '@firstName', 'output'],
      ['RenewsAt', '@renewsAt', 'output'],
      ['LastName', 'LastName', 'output'],
      ['emailaddr', 'emailaddr', 'output'],
    ]);
  });

  test('a variable remembers its attribute: IF Empty(…) THEN SET … gives it a fallback', () => {
    const [firstName] = outputs(ampscript.scan(RENEWAL.text));
    assert.equal(firstName.fallback, 'there');
    assert.deepEqual(firstName.filters, ['ProperCase']);
    assert.equal(firstName.guarded, false);
  });

  test('IIF(Empty(@x), "…", @x) is a fallback, and its other side is guarded', () => {
    // Conditions read through a variable are not uses of their own: the SET is.
    const [, formatted] = outputs(ampscript.scan(RENEWAL.text));
    assert.equal(formatted.written, '@renewsAt');
    assert.equal(formatted.fallback, 'next week');
    assert.equal(formatted.guarded, true);
    assert.deepEqual(formatted.filters, ['FormatDate']);
  });

  test('an ELSE branch with text is a fallback too; a branch that leaves the variable empty is not', () => {
    const withElse = ampscript.scan(`%%[ SET @n = AttributeValue("FirstName")
IF NOT Empty(@n) THEN SET @greeting = Concat("Hi ", @n) ELSE SET @greeting = "Hello" ENDIF ]%%%%=v(@greeting)=%%`);
    assert.deepEqual(outputs(withElse).map((use) => [use.path, use.fallback]), [['FirstName', 'Hello']]);
    const leftEmpty = ampscript.scan(`%%[ SET @n = AttributeValue("FirstName") IF Empty(@n) THEN SET @x = 1 ENDIF ]%%%%=v(@n)=%%`);
    assert.deepEqual(outputs(leftEmpty).map((use) => [use.path, use.fallback, use.guarded]), [['FirstName', null, false]]);
  });

  test('a condition around HTML, across blocks, guards what it checks', () => {
    const scan = ampscript.scan(`%%[ IF NOT Empty([City]) THEN ]%%<p>Clients in %%City%% can book you.</p>%%[ ENDIF ]%%`);
    assert.deepEqual(scan.uses.map((use) => [use.context, use.guarded]), [['condition', false], ['output', true]]);
  });

  test('Lookup, LookupRows, Row and Field name data extension columns', () => {
    const scan = ampscript.scan(`%%[
SET @next = Lookup("Appointments", "ServiceName", "SubscriberKey", _subscriberkey)
SET @rows = LookupRows("Cart_Items", "SubscriberKey", _subscriberkey)
FOR @i = 1 TO RowCount(@rows) DO
  SET @row = Row(@rows, @i)
]%%<li>%%=v(Field(@row, "Title"))=%%</li>%%[
NEXT @i ]%%`);
    assert.deepEqual(scan.uses.map((use) => [use.path, use.context]), [
      ['Appointments.ServiceName', 'assign'], ['Cart_Items', 'loop'], ['Cart_Items[].Title', 'output'],
    ]);
  });

  test('branch groups span blocks; purpose directives live in /* */ comments', () => {
    const scan = ampscript.scan(RENEWAL.text);
    const [group] = scan.branchGroups;
    assert.deepEqual(group.branches.map((branch) => RENEWAL.text.slice(branch.tagSpan.start, branch.tagSpan.end)),
      ['IF @plan == "trial" THEN', 'ELSEIF @plan == "studio" THEN', 'ELSE']);
    assert.match(RENEWAL.text.slice(group.branches[1].body.start, group.branches[1].body.end), /Studio renews monthly/);
    assert.deepEqual(scan.purposeDirectives.map((d) => d.purpose), ['renewal-clarity']);
    assert.equal(ampscript.purposeDirective(['a']), '%%[ /* mergewise purpose: a */ ]%%');
  });
});

describe('AMPscript syntax errors', () => {
  test('unclosed delimiters', () => {
    assert.match(errors('<p>%%[ SET @a = 1 </p>\n')[0], /never closed with `\]%%`/);
    assert.match(errors('<p>Hi %%=v(@a) </p>\n%%[ SET @b = 2 ]%%')[0], /never closed with `=%%`/);
    assert.match(errors('<p>Hi %%FirstName, welcome</p>')[0], /^%%FirstName :: .*never closed with `%%`/);
    assert.match(errors('<p>done ]%%</p>')[0], /closes no `%%\[` block/);
  });

  test('unbalanced IF and FOR, across blocks', () => {
    assert.match(errors('%%[ IF @a == 1 THEN ]%%<p>x</p>')[0], /never closed with `ENDIF`/);
    assert.match(errors('%%[ ENDIF ]%%')[0], /`ENDIF` has no matching `IF`/);
    assert.match(errors('<p>x</p>%%[ ELSE ]%%')[0], /`ELSE` has no matching `IF`/);
    assert.match(errors('%%[ FOR @i = 1 TO 3 DO ]%%x')[0], /never closed with `NEXT`/);
    assert.match(errors('%%[ IF @a == 1 ]%%x%%[ ENDIF ]%%')[0], /missing `THEN`/);
    assert.match(errors('%%[ IF @a == 1 THEN ELSE ELSE ENDIF ]%%')[0], /second `ELSE`/);
  });

  test('statement and expression mistakes; scanning goes on after them', () => {
    assert.match(errors('%%[ IF @plan = "trial" THEN ENDIF ]%%')[0], /compares with `==`/);
    assert.match(errors('%%[ SET @a = Propercase(AttributeValue("FirstName")) SET @b = AttribueValue("LastName") ]%%')[0], /`AttribueValue` is not an AMPscript function.*Did you mean `AttributeValue`\?/);
    assert.match(errors('%%[ SET @a = "unterminated ]%%')[0], /missing its closing quote/);
    assert.match(errors('%%[ SET = 1 ]%%')[0], /`SET` needs a variable/);
    assert.match(errors('%%[ @a = 1 ]%%')[0], /Assign with `SET @a = …`/);
    const scan = ampscript.scan('%%[ SET = 1 ]%% %%LastName %% %%FirstName%%');
    assert.deepEqual(scan.uses.map((use) => use.path), ['FirstName']);
  });

  test('a clean template has none', () => {
    assert.deepEqual(errors(RENEWAL.text), []);
  });
});

describe('AMPscript fallback quick fix', () => {
  test('wraps an inline expression in IIF(Empty(…)), and turns a personalization string into one', () => {
    const text = '<p>Hi %%=ProperCase(@firstName)=%% %%LastName%%, %%=AttributeValue("City")=%%</p>';
    const scan = ampscript.scan(`%%[ SET @firstName = AttributeValue("FirstName") ]%%${text}`);
    const shift = '%%[ SET @firstName = AttributeValue("FirstName") ]%%'.length;
    const full = `%%[ SET @firstName = AttributeValue("FirstName") ]%%${text}`;
    const edits = outputs(scan).map((use) => ampscript.fallbackEdit(full, use, 'there')!);
    assert.equal(applyEdits(full, edits).slice(shift),
      '<p>Hi %%=IIF(Empty(@firstName), "there", ProperCase(@firstName))=%% ' +
      '%%=IIF(Empty(AttributeValue("LastName")), "there", AttributeValue("LastName"))=%%, ' +
      '%%=IIF(Empty(AttributeValue("City")), "there", AttributeValue("City"))=%%</p>');
    const fixed = ampscript.scan(applyEdits(full, edits));
    assert.deepEqual(outputs(fixed).map((use) => [use.path, use.fallback]), [['FirstName', 'there'], ['LastName', 'there'], ['City', 'there']]);
  });

  test('a doubled quote inside a string is one quote of its value', () => {
    const fallbackOf = (literal: string) => outputs(ampscript.scan(
      `%%[ SET @n = AttributeValue("FirstName") IF Empty(@n) THEN SET @n = ${literal} ENDIF ]%%Hi %%=v(@n)=%%`))[0].fallback;
    assert.equal(fallbackOf('"the ""best"" team"'), 'the "best" team');
    assert.equal(fallbackOf("'it''s you'"), "it's you");
    assert.equal(fallbackOf('"""quoted"""'), '"quoted"');
    assert.equal(fallbackOf('"plain"'), 'plain');
  });

  test('quotes are doubled inside AMPscript strings', () => {
    const text = '%%FirstName%%';
    assert.equal(ampscript.fallbackEdit(text, ampscript.scan(text).uses[0], 'the "team"')!.newText,
      '%%=IIF(Empty(AttributeValue("FirstName")), "the ""team""", AttributeValue("FirstName"))=%%');
  });
});

describe('AMPscript preview rendering', () => {
  test('evaluates SET, IF/ELSEIF/ELSE, IIF, ProperCase and FormatDate, marking each output', () => {
    const data = { FirstName: 'ana', RenewsAt: '2026-12-03', 'Shearly Plan': 'studio', LastName: 'Reyes', emailaddr: 'ana@example.com' };
    const out = shown(render(RENEWAL.text, data));
    assert.match(out, /<p>Hi \[value:Ana\],<\/p>/);
    assert.match(out, /renews \[value:December 3\]\./);
    assert.match(out, /Studio renews monthly/);
    assert.doesNotMatch(out, /first payment|Thanks for staying/);
    assert.match(out, /Sent to \[value:ana@example\.com\]\. <a href="https:\/\/[^"]+">Preferences<\/a> \(member_busname\)/);
  });

  test('a missing attribute shows the fallback the script set, or nothing', () => {
    const out = shown(render(RENEWAL.text, { 'Shearly Plan': 'salon' }));
    assert.match(out, /<p>Hi \[fallback:there\],<\/p>/);
    assert.match(out, /renews \[fallback:next week\]\./);
    assert.match(out, /Thanks for staying with Shearly, \[blank:\]\./);
  });

  test('reads data by schema path, loops over rows, formats numbers, and Concat', () => {
    const text = `%%[ SET @rows = LookupRows("Cart_Items", "SubscriberKey", _subscriberkey)
FOR @i = 1 TO RowCount(@rows) DO SET @row = Row(@rows, @i) ]%%<li>%%=Concat(@i, ". ", Field(@row, "Title"))=%% %%=FormatCurrency(Field(@row, "Price"))=%%</li>%%[ NEXT @i ]%%`;
    const scan = ampscript.scan(text);
    const schemaPaths: Record<string, string> = { Cart_Items: 'cart.items', 'Cart_Items[].Title': 'cart.items[].title', 'Cart_Items[].Price': 'cart.items[].price' };
    const data = { cart: { items: [{ title: 'Tap reader', price: 89 }, { title: 'SMS bundle', price: 1240.5 }] } };
    const result = ampscript.render({ text, scan, data, schemaPathOf: (i) => schemaPaths[scan.uses[i].path], limits: DEFAULT_RENDER_LIMITS });
    assert.equal(shown(result), '<li>[value:1. Tap reader] [value:$89.00]</li><li>[value:2. SMS bundle] [value:$1,240.50]</li>');
  });

  test('RaiseError stops the send for this recipient', () => {
    const result = render('%%[ IF Empty(AttributeValue("Plan")) THEN RaiseError("No plan on file", true) ENDIF ]%%Hello', {});
    assert.equal(result.aborted, 'No plan on file');
  });

  test('a loop that never ends is stopped by the limits', () => {
    const result = render('%%[ FOR @i = 1 TO 100000000 DO SET @x = Concat(@x, "a") NEXT @i ]%%', {}, () => undefined, { ...DEFAULT_RENDER_LIMITS, memory: 100_000 });
    assert.match(result.error ?? '', /too much memory|took longer/);
  });
});

describe('AMPscript analysis, end to end', () => {
  const schema = schemaOf({
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { ampscript: 'FirstName' } },
      'customer.city': { type: 'string', source: 'observed', aliases: { ampscript: 'City' } },
      'customer.email': { type: 'string', source: 'declared', required: true, aliases: { ampscript: 'emailaddr' } },
      'customer.plan': { type: 'string', source: 'transactional', required: true, aliases: { ampscript: 'Plan' } },
    },
  });
  const analyze = (text: string) => analyzeTemplate({ text, relativePath: 'salesforce-mc/welcome.html', dialect: ampscript, schema, now: NOW });

  test('missing-fallback fires on a variable output through its attribute; unknown-field on a misspelled attribute', () => {
    const text = `%%[ SET @first = AttributeValue("FirstName") SET @city = AttributeValue("Cty") ]%%
<p>Hi %%=v(@first)=%%, from %%City%% (%%emailaddr%%), on %%=FormatDate(AttributeValue("Plan"), "d")=%%</p>`;
    const diagnostics = analyze(text).diagnostics;
    const missing = diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.deepEqual(missing.map((d) => [d.field, text.slice(d.span.start, d.span.end)]), [['customer.first_name', '@first'], ['customer.city', 'City']]);
    assert.match(missing[0].message, /`IIF\(Empty\(@first\), "there", v\(@first\)\)` \(the schema's fallback\)/);
    const unknown = diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(unknown.map((d) => [d.field, d.data?.suggestions]), [['Cty', ['City']]]);
    assert.deepEqual(diagnostics.filter((d) => d.rule === 'type-mismatch').map((d) => d.field), ['customer.plan']);
  });

  test('the guarded form is clean', () => {
    const text = `%%[ SET @first = AttributeValue("FirstName") IF Empty(@first) THEN SET @first = "there" ENDIF ]%%Hi %%=v(@first)=%%`;
    assert.deepEqual(analyze(text).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
  });

  test('the dialect is registered, and detected from AMPscript delimiters', () => {
    assert.equal(getDialect('ampscript'), ampscript);
    assert.equal(detectDialect('<p>%%=v(@x)=%%</p>'), 'ampscript');
  });
});
