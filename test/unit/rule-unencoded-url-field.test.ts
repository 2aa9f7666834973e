/**
 * unencoded-url-field: a field in a URL's query string or path without the dialect's URL encoding,
 * in realistic templates of several platforms, with its message and the fix in the dialect's syntax.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixesFor } from '../../server/src/core/fixes';
import { fixed, found } from '../helpers/dialect-rules';

const RULE = 'unencoded-url-field';

describe('unencoded-url-field', () => {
  test('the fix is offered, never applied by --fix: encoding a field that holds a path or query string of its own breaks it', () => {
    const { analysis, findings } = found('liquid', '<a href="https://shop.example/sale?{{ customer.city }}">Sale</a>', RULE);
    assert.equal(findings.length, 1);
    const fixes = fixesFor(analysis, findings[0]);
    assert.equal(fixes.fix, undefined);
    assert.equal(fixes.suggestions[0].title, 'URL-encode with | url_encode');
  });

  test('Liquid: the query string; the fix appends | url_encode after the fallback', () => {
    const text = [
      '<a href="https://shop.example/stylists?city={{ customer.city | default: \'your area\' }}&amp;utm_source=email">Find a stylist</a>',
      '<a href="https://shop.example/hi?name={{ customer.first_name | url_encode }}&amp;c={{ customer.city | url_param_escape }}">Hi</a>',
      '<a href="https://shop.example/visits?n={{ customer.visits }}">Your visits</a>',
    ].join('\n');
    const { analysis, findings, written } = found('liquid', text, RULE);
    assert.deepEqual(written, ['customer.city']);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /`customer\.city` is written into this link's query string without URL encoding/);
    assert.match(findings[0].message, /a space, `&`/);
    assert.match(findings[0].message, /Encode it with `\| url_encode`\./);
    assert.equal(fixed(analysis, findings[0], true).split('\n')[0],
      '<a href="https://shop.example/stylists?city={{ customer.city | default: \'your area\' | url_encode }}&amp;utm_source=email">Find a stylist</a>');
  });

  test('Liquid: a path segment, with whitespace control kept; the host, the whole value and a mailto address are not paths', () => {
    const text = [
      '<a href="https://shop.example/c/{{- customer.city | default: \'all\' -}}/stylists">Stylists</a>',
      '<a href="{{ customer.avatar_url }}">Photo</a>',
      '<a href="https://{{ customer.ref_code | default: \'www\' }}.shop.example/">Shop</a>',
      '<a href="mailto:{{ customer.id }}">Write</a>',
      '<p>https://shop.example/?c={{ customer.city | default: \'x\' }}</p>',
    ].join('\n');
    const { analysis, findings, written } = found('liquid', text, RULE);
    assert.deepEqual(written, ['customer.city']);
    assert.match(findings[0].message, /link's path/);
    assert.equal(fixed(analysis, findings[0], true).split('\n')[0], '<a href="https://shop.example/c/{{- customer.city | default: \'all\' | url_encode -}}/stylists">Stylists</a>');
  });

  test('Iterable: {{urlEncode …}} and {{#urlEncode}} count; the fix wraps the value, or the helper call in parentheses', () => {
    const text = '<a href="https://x.example/?c={{city}}&n={{urlEncode firstName}}&r={{#urlEncode}}{{refCode}}{{/urlEncode}}&b={{defaultIfEmpty bio "none"}}">Go</a>';
    const { analysis, findings, written } = found('iterable', text, RULE);
    assert.deepEqual(written, ['city', 'bio']);
    assert.match(findings[0].message, /`\{\{urlEncode …\}\}`/);
    assert.match(fixed(analysis, findings[0], true), /\?c=\{\{urlEncode city\}\}&/);
    assert.match(fixed(analysis, findings[1], true), /&b=\{\{urlEncode \(defaultIfEmpty bio "none"\)\}\}"/);
  });

  test('SendGrid and plain Handlebars have no URL encoding: no finding', () => {
    const text = '<a href="https://x.example/?c={{customer.city}}">Go</a>';
    assert.deepEqual(found('sendgrid', text, RULE).findings, []);
    assert.deepEqual(found('handlebars', text, RULE).findings, []);
  });

  test('Klaviyo and HubL: |urlencode', () => {
    const klaviyo = found('klaviyo', '<a href="https://x.example/?c={{ city|default:\'x\' }}&n={{ first_name|urlencode }}">Go</a>', RULE);
    assert.deepEqual(klaviyo.written, ['city']);
    assert.equal(fixed(klaviyo.analysis, klaviyo.findings[0], true), '<a href="https://x.example/?c={{ city|default:\'x\'|urlencode }}&n={{ first_name|urlencode }}">Go</a>');
    const hubl = found('hubl', '<a href="https://x.example/stylists/{{ contact.city }}?v={{ contact.visits }}">Go</a>', RULE);
    assert.deepEqual(hubl.written, ['contact.city'], 'a number is exempt');
    assert.equal(fixed(hubl.analysis, hubl.findings[0], true), '<a href="https://x.example/stylists/{{ contact.city|urlencode }}?v={{ contact.visits }}">Go</a>');
  });

  test('AMPscript: URLEncode counts; the fix encodes every character', () => {
    const text = '<a href="https://x.example/?c=%%City%%&b=%%=URLEncode(AttributeValue("Bio"))=%%">Go</a>';
    const { analysis, findings, written } = found('ampscript', text, RULE);
    assert.deepEqual(written, ['City']);
    assert.equal(fixed(analysis, findings[0], true), '<a href="https://x.example/?c=%%=URLEncode(AttributeValue("City"), true, true)=%%&b=%%=URLEncode(AttributeValue("Bio"))=%%">Go</a>');
  });

  test('AMPscript: a field joined into a link by Concat sits where the joined text leaves it; the fix encodes the field alone', () => {
    const text = [
      '<a href="%%=RedirectTo(Concat(\'https://x.example/?e=\', AttributeValue("City")))=%%">A</a>',
      '<a href="%%=Concat("mailto:", AttributeValue("Bio"))=%%">B</a>',
      '<a href="%%=Concat("https://x.example/c/", [Bio], "/stylists")=%%">C</a>',
    ].join('\n');
    const { analysis, findings, written } = found('ampscript', text, RULE);
    assert.deepEqual(written, ['City', 'Bio'], 'a mailto address is no path');
    assert.match(findings[0].message, /query string/);
    assert.match(findings[1].message, /path/);
    assert.equal(fixed(analysis, findings[0], true).split('\n')[0],
      '<a href="%%=RedirectTo(Concat(\'https://x.example/?e=\', URLEncode(AttributeValue("City"), true, true)))=%%">A</a>');
    assert.equal(fixed(analysis, findings[1], true).split('\n')[2],
      '<a href="%%=Concat("https://x.example/c/", URLEncode([Bio], true, true), "/stylists")=%%">C</a>');
  });

  test('Mailchimp: *|URL:…|*; a tag with another modifier is reported without a fix', () => {
    const text = '<a href="https://x.example/?c=*|CITY|*&n=*|URL:FNAME|*&b=*|TITLE:BIO|*">Go</a>';
    const { analysis, findings, written } = found('mailchimp', text, RULE);
    assert.deepEqual(written, ['CITY', 'BIO']);
    assert.equal(fixed(analysis, findings[0], true), '<a href="https://x.example/?c=*|URL:CITY|*&n=*|URL:FNAME|*&b=*|TITLE:BIO|*">Go</a>');
    assert.throws(() => fixed(analysis, findings[1], true), /no suggestion/);
  });
});
