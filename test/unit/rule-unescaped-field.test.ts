/**
 * unescaped-field: declared or observed data written without HTML escaping, in realistic templates
 * of several platforms, with its message and the escaped form as the fix.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixed, found } from '../helpers/dialect-rules';

const RULE = 'unescaped-field';

describe('unescaped-field', () => {
  test('Liquid: | raw on declared and observed data; transactional and inferred data are not the recipient\'s', () => {
    const text = [
      '<p>About you: {{ customer.bio | raw }}</p>',
      '<h1>What\'s on in {{ customer.city | default: \'your area\' | raw }}</h1>',
      '<p>Code {{ customer.ref_code | raw }}, segment {{ customer.segment | raw }}, bio {{ customer.bio | escape }}</p>',
    ].join('\n');
    const { analysis, findings, written } = found('liquid', text, RULE);
    assert.deepEqual(written, ['customer.bio', 'customer.city']);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /`customer\.bio` is written with `\| raw`, without HTML escaping/);
    assert.match(findings[0].message, /typed in by the recipient/);
    assert.match(findings[0].message, /becomes live HTML in the email and its web view/);
    assert.match(findings[0].message, /Write `\{\{ customer\.bio \}\}`\./);
    assert.match(findings[1].message, /observed from what the recipient did or sent/);
    assert.equal(fixed(analysis, findings[1], true).split('\n')[1], '<h1>What\'s on in {{ customer.city | default: \'your area\' }}</h1>');
  });

  test('Handlebars family: {{{x}}} and {{&x}} become {{x}}', () => {
    const ses = found('handlebars', '<p>{{{customer.bio}}} · {{& customer.first_name}} · {{{customer.ref_code}}}</p>', RULE);
    assert.deepEqual(ses.written, ['customer.bio', 'customer.first_name']);
    assert.match(ses.findings[0].message, /written with `\{\{\{…\}\}\}`.*Write `\{\{customer\.bio\}\}`\./s);
    assert.equal(fixed(ses.analysis, ses.findings[0], true), '<p>{{customer.bio}} · {{& customer.first_name}} · {{{customer.ref_code}}}</p>');
    assert.equal(fixed(ses.analysis, ses.findings[1], true), '<p>{{{customer.bio}}} · {{ customer.first_name}} · {{{customer.ref_code}}}</p>');
    for (const dialect of ['sendgrid', 'postmark', 'hml'] as const) {
      const run = found(dialect, '<p>{{{customer.bio}}}</p>', RULE);
      assert.deepEqual(run.written, ['customer.bio'], dialect);
      assert.equal(fixed(run.analysis, run.findings[0], true), '<p>{{customer.bio}}</p>', dialect);
    }
    const iterable = found('iterable', '<p>{{{bio}}}</p>', RULE);
    assert.equal(fixed(iterable.analysis, iterable.findings[0], true), '<p>{{bio}}</p>');
  });

  test('HubL and Klaviyo: |safe is dropped', () => {
    const hubl = found('hubl', '<p>{{ contact.bio|safe }} {{ contact.segment|safe }}</p>', RULE);
    assert.deepEqual(hubl.written, ['contact.bio']);
    assert.equal(fixed(hubl.analysis, hubl.findings[0], true), '<p>{{ contact.bio }} {{ contact.segment|safe }}</p>');
    const klaviyo = found('klaviyo', '<p>{{ city|default:\'x\'|safe }}</p>', RULE);
    assert.equal(fixed(klaviyo.analysis, klaviyo.findings[0], true), '<p>{{ city|default:\'x\' }}</p>');
  });

  test('AMPscript: TreatAsContent on a variable that carries a field; v() only suggested', () => {
    const text = '%%[ SET @bio = AttributeValue("Bio") ]%%\n<p>%%=TreatAsContent(@bio)=%%</p>';
    const { analysis, findings, written } = found('ampscript', text, RULE);
    assert.deepEqual(written, ['@bio']);
    assert.match(findings[0].message, /`TreatAsContent\(…\)`/);
    assert.equal(fixed(analysis, findings[0], true), '%%[ SET @bio = AttributeValue("Bio") ]%%\n<p>%%=v(@bio)=%%</p>');
  });

  test('Mailchimp: *|HTML:…|* becomes the plain tag', () => {
    const { analysis, findings, written } = found('mailchimp', '<p>*|HTML:BIO|*</p>', RULE);
    assert.deepEqual(written, ['BIO']);
    assert.equal(fixed(analysis, findings[0], true), '<p>*|BIO|*</p>');
  });

  test('the fix is offered, never applied unasked', () => {
    const { analysis, findings } = found('liquid', '<p>{{ customer.bio | raw }}</p>', RULE);
    assert.throws(() => fixed(analysis, findings[0]), /no safe fix/);
  });

  test('escaped outputs are fine', () => {
    assert.deepEqual(found('liquid', '<p>{{ customer.bio }}</p>', RULE).findings, []);
    assert.deepEqual(found('handlebars', '<p>{{customer.bio}}</p>', RULE).findings, []);
    assert.deepEqual(found('mailchimp', '<p>*|BIO|*</p>', RULE).findings, []);
  });
});
