import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTemplate } from '../../server/src/core/analyze';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { DEFAULT_RENDER_LIMITS, MARK_END, MARK_SEPARATOR, MARK_START, type FieldUse, type RenderResult, type TemplateScan } from '../../server/src/core/dialects/dialect';
import { applyEdits } from '../../server/src/core/dialects/edits';
import { getDialect } from '../../server/src/core/dialects/registry';
import { detectDialect } from '../../server/src/core/dialects/registry';
import { marked } from '../helpers/cursor';
import { load, NOW, schemaOf } from '../helpers/schema';
import { hoverAt } from '../../server/src/core/ide';
import type { DocumentAnalysis } from '../../server/src/core/workspace';

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

  test('Lookup, LookupRows, Row and Field read data extensions: connected data, not fields', () => {
    const scan = ampscript.scan(`%%[
SET @next = Lookup("Appointments", "ServiceName", "SubscriberKey", _subscriberkey)
SET @rows = LookupRows("Cart_Items", "SubscriberKey", _subscriberkey)
FOR @i = 1 TO RowCount(@rows) DO
  SET @row = Row(@rows, @i)
]%%<li>%%=v(Field(@row, "Title"))=%%</li>%%[
NEXT @i ]%%`);
    assert.deepEqual(scan.uses, []);
    assert.deepEqual(scan.connected!.sources.map((source) => [source.kind, source.object]), [['data-extension', 'Appointments'], ['data-extension', 'Cart_Items']]);
    assert.deepEqual(scan.connected!.uses.map((use) => [use.source, use.written, use.property ?? null, use.context]), [
      [0, 'Appointments', null, 'argument'], [0, 'ServiceName', 'ServiceName', 'argument'], [0, 'SubscriberKey', 'SubscriberKey', 'argument'],
      [1, 'Cart_Items', null, 'argument'], [1, 'SubscriberKey', 'SubscriberKey', 'argument'], [1, 'Title', 'Title', 'output'],
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

  test('AttributeValue of a system string reads the system string, as the bare name does: no field', () => {
    const text = '%%[ SET @k = AttributeValue("_subscriberkey") SET @j = AttributeValue("jobid") SET @c = AttributeValue("City") ]%%%%=v(@k)=%% %%=v(@j)=%% %%=v(@c)=%%';
    const scan = ampscript.scan(text);
    assert.deepEqual([...new Set(scan.uses.map((use) => use.path))], ['City']);
    assert.deepEqual(scan.systemUses?.map((use) => use.name), ['_subscriberkey', 'jobid']);
    assert.equal(shown(render(text, { City: 'Lyon' })).replace(/\[\w+:([^\]]*)\]/g, '$1'), '(_subscriberkey) (jobid) Lyon');
  });

  test('Redirect (for landing pages) and RedirectTo are functions', () => {
    assert.deepEqual(errors('%%[ Redirect("https://example.com") ]%%<a href="%%=RedirectTo(@url)=%%">x</a>'), []);
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

  test('reads data extensions from the recipient\'s mocks, loops over rows, formats numbers, and Concat', () => {
    const text = `%%[ SET @rows = LookupRows("Cart_Items", "SubscriberKey", _subscriberkey)
FOR @i = 1 TO RowCount(@rows) DO SET @row = Row(@rows, @i) ]%%<li>%%=Concat(@i, ". ", Field(@row, "Title"))=%% %%=FormatCurrency(Field(@row, "Price"))=%%</li>%%[ NEXT @i ]%%`;
    const scan = ampscript.scan(text);
    const connected = { Cart_Items: [{ Title: 'Tap reader', Price: 89 }, { Title: 'SMS bundle', Price: 1240.5 }] };
    const result = ampscript.render({ text, scan, data: {}, connected, schemaPathOf: () => undefined, limits: DEFAULT_RENDER_LIMITS });
    // Outputs of data-extension data are marked, as connected data, so the preview can say where they come from.
    assert.equal(shown(result), '<li>[value:1. Tap reader] [value:$89.00]</li><li>[value:2. SMS bundle] [value:$1,240.50]</li>');
    assert.ok(result.values.every((value) => value.useIndex === -1 && value.connected !== undefined));
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
    // A variable is named with the field it holds; an attribute by its own name.
    assert.match(missing[0].message, /^`@first` \(which holds `customer\.first_name`\) has no fallback/);
    assert.match(missing[1].message, /^`City` has no fallback/);
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

  test('a content block with personalization strings alone is AMPscript too; a percentage or Account Engagement\'s lower-case tags are not', () => {
    assert.equal(detectDialect('<p>Hi %%FirstName%%,</p>'), 'ampscript');
    assert.equal(detectDialect('<a href="%%unsub_center_url%%">Unsubscribe</a>'), 'ampscript');
    assert.equal(detectDialect('<td width="100%">{{ name }}</td><p>50%% off%</p>'), undefined, 'not AMPscript');
    assert.equal(detectDialect('<title>%%title%%</title><div>%%content%%</div><p>%%first_name%%</p>'), undefined);
  });
});

/** A Marketing Cloud loyalty email, as Content Builder holds it: data extensions, branches, tracked links. */
const LOYALTY = `%%[
/* Loyalty statement. Sendable DE: Loyalty_Members (SubscriberKey). */
VAR @name, @points, @tier, @coupon, @orders, @row, @url
IF NOT Empty(AttributeValue("FirstName")) THEN
  SET @name = ProperCase(AttributeValue("FirstName"))
ELSE
  SET @name = "there"
ENDIF
SET @points = Lookup("Loyalty_Members", "Points", "SubscriberKey", _subscriberkey)
SET @tier = Lookup("Loyalty_Members", "Tier", "SubscriberKey", _subscriberkey)
SET @coupon = ClaimRow("Loyalty_Coupons", "IsClaimed", "SubscriberKey", _subscriberkey)
SET @orders = LookupOrderedRows("Loyalty_Orders", 3, "OrderDate DESC", "SubscriberKey", _subscriberkey)
SET @url = Concat("https://shearly.example/rewards?tier=", @tier, "&e=", AttributeValue("EmailAddress"))
]%%
<p>Hi %%=v(@name)=%%, you have %%=FormatNumber(@points, "N0")=%% points.</p>
<p>Your code: %%=Field(@coupon, "CouponCode")=%%</p>
%%[ FOR @i = 1 TO RowCount(@orders) DO
  SET @row = Row(@orders, @i) ]%%
<li>%%=Field(@row, "OrderName")=%%: %%=FIELD(@row, Concat("Line", @i))=%%</li>
%%[ NEXT @i ]%%
<a href="%%=RedirectTo(@url)=%%">See your rewards</a>
<a href="%%=RedirectTo(Concat("https://shearly.example/u?e=", URLEncode(AttributeValue("EmailAddress"))))=%%">Update your details</a>`;

describe('AMPscript data flow: branches, data extensions, links (issue 18 item 3)', () => {
  const fields = {
    'customer.first_name': { type: 'string', source: 'declared', aliases: { ampscript: 'FirstName' } },
    'customer.nickname': { type: 'string', source: 'declared', aliases: { ampscript: 'Nickname' } },
    'customer.last_name': { type: 'string', source: 'declared', aliases: { ampscript: 'LastName' } },
    'customer.email': { type: 'string', source: 'declared', aliases: { ampscript: 'EmailAddress' } },
  };
  const analyze = (text: string, extra: object = {}) =>
    analyzeTemplate({ text, relativePath: 'sfmc/loyalty.html', dialect: ampscript, schema: schemaOf({ fields, ...extra }), now: NOW });
  const rules = (text: string, rule: string, extra: object = {}) =>
    analyze(text, extra).diagnostics.filter((d) => d.rule === rule).map((d) => [d.field, text.slice(d.span.start, d.span.end)]);

  test('a variable set in IF and ELSE carries its field, with the ELSE text as fallback', () => {
    const [name] = outputs(ampscript.scan(LOYALTY)).filter((use) => use.written === '@name');
    assert.deepEqual([name.path, name.fallback, name.filters], ['FirstName', 'there', ['ProperCase']]);
    assert.deepEqual(rules(LOYALTY, 'missing-fallback').filter(([, written]) => written === '@name'), []);
  });

  test('branches that set different fields carry each origin; missing-fallback only where a path can show nothing', () => {
    const both = `%%[
IF NOT Empty(FirstName) THEN
  SET @name = FirstName
ELSEIF NOT Empty(Nickname) THEN
  SET @name = Nickname
ELSE
  SET @name = "there"
ENDIF
]%%<p>Hi %%=v(@name)=%%</p>`;
    assert.deepEqual(outputs(ampscript.scan(both)).map((use) => [use.path, use.fallback]), [['FirstName', 'there'], ['Nickname', 'there']]);
    assert.deepEqual(rules(both, 'missing-fallback'), []);
    // Every path guarded, no ELSE needed text: each output is guarded on its own path.
    const guarded = `%%[ IF NOT Empty(FirstName) THEN SET @name = FirstName ELSE SET @name = "friend" ENDIF
IF @formal == "yes" AND NOT Empty(LastName) THEN SET @name = LastName ENDIF ]%%Dear %%=v(@name)=%%`;
    assert.deepEqual(rules(guarded, 'missing-fallback'), []);
    // A branch that sets an unchecked field: that field can be empty there, the other cannot.
    const unchecked = `%%[
IF @formal == "yes" THEN
  SET @name = LastName
ELSEIF NOT Empty(FirstName) THEN
  SET @name = FirstName
ELSE
  SET @name = "there"
ENDIF ]%%Dear %%=v(@name)=%%`;
    assert.deepEqual(rules(unchecked, 'missing-fallback'), [['customer.last_name', '@name']]);
    // No ELSE: the variable is empty when neither condition held.
    const noElse = `%%[ IF NOT Empty(FirstName) THEN SET @name = FirstName ELSEIF NOT Empty(Nickname) THEN SET @name = Nickname ENDIF ]%%Hi %%=v(@name)=%%`;
    assert.deepEqual(rules(noElse, 'missing-fallback'), [['customer.first_name', '@name'], ['customer.nickname', '@name']]);
  });

  test('RedirectTo(@x), RedirectTo(URLEncode(@x)) and links in attributes are outputs', () => {
    const text = `%%[ SET @url = Concat("https://shearly.example/p?e=", AttributeValue("EmailAddress")) ]%%
<a href="%%=RedirectTo(@url)=%%">Plain</a> <a href="%%=RedirectTo(URLEncode(@url))=%%">Encoded</a>`;
    assert.deepEqual(outputs(ampscript.scan(text)).map((use) => [use.path, use.written, use.filters]), [
      ['EmailAddress', '@url', ['RedirectTo']], ['EmailAddress', '@url', ['URLEncode', 'RedirectTo']],
    ]);
    const links = outputs(ampscript.scan(LOYALTY)).filter((use) => use.filters.includes('RedirectTo')).map((use) => [use.path, use.written]);
    assert.deepEqual(links, [['EmailAddress', '@url'], ['EmailAddress', 'EmailAddress']]);
    // The same link carries the tier, from the data extension.
    const tier = ampscript.scan(LOYALTY).connected!.uses.find((use) => use.written === '@url')!;
    assert.deepEqual([tier.property, tier.context], ['Tier', 'output']);
  });

  test('data extension names and columns are connected data, not fields: no unknown-field', () => {
    const scan = ampscript.scan(LOYALTY);
    assert.deepEqual(scan.uses.map((use) => use.path).filter((path) => !['FirstName', 'EmailAddress'].includes(path)), []);
    assert.deepEqual(scan.connected!.sources.map((source) => [source.kind, source.object]), [
      ['data-extension', 'Loyalty_Members'], ['data-extension', 'Loyalty_Members'], ['data-extension', 'Loyalty_Coupons'], ['data-extension', 'Loyalty_Orders'],
    ]);
    const reads = scan.connected!.uses.filter((use) => use.context === 'output').map((use) => [scan.connected!.sources[use.source].object, use.written, use.property ?? null]);
    assert.deepEqual(reads, [
      ['Loyalty_Members', '@points', 'Points'], ['Loyalty_Coupons', 'CouponCode', 'CouponCode'], ['Loyalty_Orders', 'OrderName', 'OrderName'],
      ['Loyalty_Members', '@url', 'Tier'],
    ]);
    assert.deepEqual(analyze(LOYALTY).diagnostics.filter((d) => d.rule === 'unknown-field' || d.rule === 'syntax-error'), []);
  });

  test('FIELD(@row, Concat("Name", @i)) reads the row\'s data extension, not a field', () => {
    const text = `%%[ SET @rows = LookupRows("Wishlist", "SubscriberKey", _subscriberkey)
FOR @i = 1 TO 3 DO SET @row = Row(@rows, 1) SET @item = FIELD(@row, Concat("Name", @i)) ]%%<li>%%=v(@item)=%%</li>%%[ NEXT @i ]%%`;
    const scan = ampscript.scan(text);
    assert.deepEqual(scan.uses, []);
    const read = scan.connected!.uses.find((use) => use.written === '@item')!;
    assert.deepEqual([scan.connected!.sources[read.source].object, read.property, read.context], ['Wishlist', undefined, 'output']);
  });

  test('with "dataExtensions" declared, an unknown data extension or column is reported, with the closest names', () => {
    const dataExtensions = {
      Loyalty_Members: { columns: { SubscriberKey: { type: 'string' }, Points: { type: 'number' }, Tier: { type: 'string' } } },
      Loyalty_Coupons: { columns: { SubscriberKey: {}, IsClaimed: { type: 'boolean' }, CouponCode: {} } },
      Loyalty_Orders: { description: 'Orders, newest first', columns: { SubscriberKey: {}, OrderDate: { type: 'date' }, OrderName: {} } },
    };
    assert.deepEqual(rules(LOYALTY, 'unknown-field', { dataExtensions }), []);
    const typos = LOYALTY.replace('"Points"', '"Pionts"').replace('"Loyalty_Coupons"', '"Loyalty_Coupon"');
    const found = analyze(typos, { dataExtensions }).diagnostics.filter((d) => d.rule === 'unknown-field');
    assert.deepEqual(found.map((d) => [d.field, typos.slice(d.span.start, d.span.end), d.data?.suggestions]), [
      ['Loyalty_Members.Pionts', 'Pionts', ['Points']],
      ['Loyalty_Coupon', 'Loyalty_Coupon', ['Loyalty_Coupons']],
    ]);
    assert.match(found[0].message, /`Pionts` is not a column of the data extension `Loyalty_Members` in mergewise\.json/);
    assert.match(found[1].message, /`Loyalty_Coupon` is not a data extension in mergewise\.json/);
    // Names compare without case, as Marketing Cloud does.
    assert.deepEqual(rules(LOYALTY.replace('"Points"', '"POINTS"'), 'unknown-field', { dataExtensions }), []);
  });

  test('"dataExtensions" in mergewise.json: mistakes are reported where written', () => {
    const loaded = load(JSON.stringify({ dataExtensions: { Loyalty_Members: { columns: { Points: { type: 'integer' } }, key: 'x' } } }));
    assert.deepEqual(loaded.diagnostics.map((d) => d.message).sort(), [
      'Data extension "Loyalty_Members": column "Points": "type" must be one of string, number, boolean, date, array, object; found "integer".',
      'Unknown property "key" in data extension "Loyalty_Members"; expected one of columns, description, rows.',
    ].sort());
    assert.equal(loaded.schema.dataExtensions?.get('loyalty_members')?.columns.has('points'), true);
  });

  test('the hover says which data extension and column a value comes from', () => {
    const analysis = analyze(LOYALTY);
    const document = { dialect: ampscript, schema: analysis.context.schema, analysis } as unknown as DocumentAnalysis;
    const hover = hoverAt(document, LOYALTY.indexOf('@points, "N0"') + 2, [], NOW);
    assert.match(hover!.markdown, /^\*\*@points\*\*: data extension `Loyalty_Members`, column `Points`\. Read by the platform at send time, so neither a recipient field nor an unknown one/);
    const name = hoverAt(document, LOYALTY.indexOf('Loyalty_Coupons') + 2, [], NOW);
    assert.match(name!.markdown, /^\*\*Loyalty_Coupons\*\*: data extension `Loyalty_Coupons`\./);
  });
});

describe('AMPscript TreatAsContent: a string rendered as content is read for its fields', () => {
  /** Shaped like a real campaign's link tracking: personalization strings inside TreatAsContent's literal. */
  const TRACKING = `%%[
VAR @query, @expires
SET @expires = [Offer_Expires]
/* SET @x = TreatAsContent("%%Commented_Out%%") */
SET @query = Concat(TreatAsContent("?channel=email&brand=%%Brand%%&pid=%%Program_ID%%&sub=%%_subscriberkey%%"), @adid)
SET @note = TreatAsContent("<strong>VALID THROUGH %%=v(@expires)=%%</strong> for %%=ProperCase(AttributeValue(""First Name""))=%%")
SET @area = TreatAsContentArea("promo", 'Hi %%Nickname%%', "Region1")
SET @plain = TreatAsContent("no personalization here %%")
]%%
<a href="%%=RedirectTo(@query)=%%">Shop</a>`;

  test('its %%Attribute%% strings and inline AMPscript are fields where written; system strings and comments are not', () => {
    const scan = ampscript.scan(TRACKING);
    const found = scan.uses.map((use) => `${use.path} ${use.context} ${TRACKING.slice(use.span.start, use.span.end)}`);
    assert.deepEqual(found, [
      'Offer_Expires assign Offer_Expires',
      'Brand output Brand',
      'Program_ID output Program_ID',
      'Offer_Expires output @expires',
      'First Name output First Name',
      'Nickname output Nickname',
    ]);
    assert.deepEqual(scan.syntaxErrors, []);
  });

  test('a field inside the literal is checked against mergewise.json like any other', () => {
    const result = analyzeTemplate({
      text: TRACKING, relativePath: 'sfmc/offer.html', dialect: ampscript, now: NOW,
      schema: schemaOf({ fields: { brand: { type: 'string', source: 'declared', aliases: { ampscript: 'Brand' } } } }),
    });
    const unknown = result.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field);
    assert.ok(unknown.includes('Program_ID') && unknown.includes('Nickname'), unknown.join(', '));
    assert.ok(!unknown.includes('Brand') && !unknown.some((name) => /subscriberkey|Commented_Out/i.test(name ?? '')), unknown.join(', '));
  });
});
