/**
 * broken-link-field: a field with no fallback or guard that makes up a link's or image's address,
 * in realistic templates of several platforms, with its message, its fix in the dialect's syntax,
 * and the hand-over from missing-fallback (one finding per use).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixed, found } from '../helpers/dialect-rules';

const RULE = 'broken-link-field';

describe('broken-link-field', () => {
  test('Liquid: the path of a referral link; the message quotes the link the recipient would get', () => {
    const text = [
      '<p>Hi {{ customer.first_name | default: "there" }},</p>',
      '<a href="https://shop.example/r/{{ customer.ref_code }}" class="button">Claim your discount</a>',
      '<img src="{{ customer.avatar_url }}" width="48" alt="">',
    ].join('\n');
    const { analysis, findings, written } = found('liquid', text, RULE);
    assert.deepEqual(written, ['customer.ref_code', 'customer.avatar_url']);
    assert.equal(findings[0].severity, 'error');
    assert.match(findings[0].message, /a recipient without it would get a link to `https:\/\/shop\.example\/r\/`, which leads nowhere/);
    assert.match(findings[0].message, /Add `\| default: 'welcome'` \(the schema's fallback\)/);
    assert.match(findings[1].message, /a broken image \(`src=""`\)/);
    assert.match(findings[1].message, /with a working default/);
    // The fix is missing-fallback's: the schema's fallback is safe, a placeholder only suggested.
    assert.match(fixed(analysis, findings[0]), /\{\{ customer\.ref_code \| default: 'welcome' \}\}/);
    assert.match(fixed(analysis, findings[1], true), /src="\{\{ customer\.avatar_url \| default: 'FALLBACK' \}\}"/);
    // missing-fallback leaves both to this rule.
    assert.deepEqual(analysis.diagnostics.filter((d) => d.rule === 'missing-fallback'), []);
  });

  test('Liquid: the query string and the fragment stay with missing-fallback; guards, fallbacks and required fields are fine', () => {
    const text = [
      '<a href="https://shop.example/offers?ref={{ customer.ref_code }}">Offers</a>',
      '{% if customer.avatar_url != blank %}<img src="{{ customer.avatar_url }}">{% endif %}',
      '<a href="https://shop.example/r/{{ customer.ref_code | default: "welcome" }}">Claim</a>',
      '<a href="https://shop.example/u/{{ customer.id }}">Account</a>',
      '<p>Your code: {{ customer.ref_code }}</p>',
    ].join('\n');
    const { analysis, findings } = found('liquid', text, RULE);
    assert.deepEqual(findings, []);
    const missing = analysis.diagnostics.filter((d) => d.rule === 'missing-fallback').map((d) => text.slice(d.span.start, d.span.end));
    assert.deepEqual(missing, ['customer.ref_code', 'customer.ref_code']);
  });

  test('Handlebars (SES): an avatar with no address; the fix is the dialect\'s {{#if}} fallback', () => {
    const text = '<td><img src="{{customer.avatar_url}}" width="48"></td>\n<a href="https://shop.example/r/{{customer.ref_code}}">Claim</a>';
    const { analysis, findings, written } = found('handlebars', text, RULE);
    assert.deepEqual(written, ['customer.avatar_url', 'customer.ref_code']);
    assert.match(findings[0].message, /`src=""`/);
    assert.equal(fixed(analysis, findings[1]), '<td><img src="{{customer.avatar_url}}" width="48"></td>\n<a href="https://shop.example/r/{{#if customer.ref_code}}{{customer.ref_code}}{{else}}welcome{{/if}}">Claim</a>');
  });

  test('SendGrid: the fix is {{insert … "default=…"}}', () => {
    const text = '<a href="https://shop.example/r/{{customer.ref_code}}">Claim</a>';
    const { analysis, findings } = found('sendgrid', text, RULE);
    assert.equal(findings.length, 1);
    assert.equal(fixed(analysis, findings[0]), '<a href="https://shop.example/r/{{insert customer.ref_code "default=welcome"}}">Claim</a>');
  });

  test('AMPscript: a personalization string in the path', () => {
    const text = '<a href="https://shop.example/r/%%RefCode%%" alias="referral">Claim</a>';
    const { analysis, findings, written } = found('ampscript', text, RULE);
    assert.deepEqual(written, ['RefCode']);
    assert.match(findings[0].message, /a link to `https:\/\/shop\.example\/r\/`/);
    // The fixed text keeps AMPscript's quotes inside the attribute value: still one link, now with a fallback.
    assert.equal(fixed(analysis, findings[0]), '<a href="https://shop.example/r/%%=IIF(Empty(AttributeValue("RefCode")), "welcome", AttributeValue("RefCode"))=%%" alias="referral">Claim</a>');
    assert.deepEqual(found('ampscript', fixed(analysis, findings[0]), RULE).findings, []);
  });

  test('AMPscript: a field joined after a link\'s query by Concat leaves a link that opens; one joined after its host does not', () => {
    const text = [
      '<a href="%%=RedirectTo(Concat(\'https://x.example/?e=\', AttributeValue("City")))=%%">A</a>',
      '<a href="%%=Concat("https://x.example/r/", AttributeValue("RefCode"))=%%">B</a>',
      '%%[ SET @url = Concat("https://x.example/?r=", AttributeValue("RefCode")) ]%%<a href="%%=RedirectTo(@url)=%%">C</a>',
    ].join('\n');
    const { analysis, findings, written } = found('ampscript', text, RULE);
    assert.deepEqual(written, ['RefCode']);
    assert.match(findings[0].message, /a link to `https:\/\/x\.example\/r\/`/);
    // The fallback goes around the field's reference, inside the Concat: the rest of the link stays.
    assert.equal(fixed(analysis, findings[0]).split('\n')[1],
      '<a href="%%=Concat("https://x.example/r/", IIF(Empty(AttributeValue("RefCode")), "welcome", AttributeValue("RefCode")))=%%">B</a>');
  });

  test('the address quoted leaves out the other merge tags, whose values the message cannot know', () => {
    const text = '<a href="{{#if reset}}{{customer.ref_code}}/settings{{else}}https://x.example/{{/if}}">Go</a>';
    const { findings } = found('handlebars', text, RULE);
    assert.match(findings[0].message, /a link to `\/settingshttps:\/\/x\.example\/`/);
  });

  test('HubL: |default(…) in the image address', () => {
    const text = '<img src="https://cdn.example/avatars/{{ contact.avatar_url }}" alt="">\n<a href="https://shop.example/r/{{ contact.ref_code }}">Claim</a>';
    const { analysis, findings, written } = found('hubl', text, RULE);
    assert.deepEqual(written, ['contact.avatar_url', 'contact.ref_code']);
    assert.match(findings[0].message, /a broken image \(`src="https:\/\/cdn\.example\/avatars\/"`\)/);
    assert.match(fixed(analysis, findings[1]), /\{\{ contact\.ref_code\|default\('welcome'\) \}\}/);
  });

  test('Mailchimp: a merge field with no audience default (the schema\'s fallback stands for it)', () => {
    const text = '<a href="https://shop.example/r/*|REFCODE|*">Claim</a>\n<img src="*|AVATAR|*" alt="">';
    const { analysis, findings, written } = found('mailchimp', text, RULE);
    // REFCODE has an audience default (the schema's fallback); AVATAR has none.
    assert.deepEqual(written, ['AVATAR']);
    assert.match(findings[0].message, /`src=""`/);
    assert.match(fixed(analysis, findings[0], true), /\*\|IF:AVATAR\|\*/);
  });

  test('plain text: no HTML, no finding (missing-fallback reports it)', () => {
    const text = 'Claim your discount: https://shop.example/r/{{ customer.ref_code }}';
    const { analysis, findings } = found('liquid', text, RULE);
    assert.deepEqual(findings, []);
    assert.equal(analysis.diagnostics.filter((d) => d.rule === 'missing-fallback').length, 1);
  });
});
