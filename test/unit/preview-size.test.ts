/**
 * Gmail clips a message whose HTML is over 102 KB: the preview gives each recipient's rendered size
 * (UTF-8, as sent, without the preview's marks) and marks the ones over the limit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { liquid } from '../../server/src/core/dialects/liquid';
import { markedEmailHtml, recipientPage } from '../../server/src/core/preview/html';
import { previewTemplate, type RecipientPreview } from '../../server/src/core/preview/preview';
import { parseRecipients } from '../../server/src/core/preview/recipients';
import { emailSizeText, formatEmailSize, GMAIL_CLIP_BYTES, isClipped, utf8Length } from '../../protocol/src/email-size';
import { previewContentHtml } from '../../client/src/preview/panel-html';
import type { PreviewRecipient } from '../../protocol/src/requests';
import { NOW, schemaOf } from '../helpers/schema';

const SCHEMA = schemaOf({
  fields: {
    'customer.first_name': { type: 'string', fallback: 'there' },
    'cart.items': { type: 'array', items: { fields: { title: { type: 'string' } } } },
  },
});

/** A cart email: each item is a ~400-byte table row, so 300 items are well over 102 KB and 3 are far under. */
const CART = `<!doctype html><html><body>
<p>Hi {{ customer.first_name | default: "there" }}, you left these behind:</p>
<table>{% for item in cart.items %}
<tr><td style="padding:12px 16px;border-bottom:1px solid #e9ecef;font:14px/1.4 Helvetica,Arial,sans-serif;color:#212529">{{ item.title }}</td>
<td style="padding:12px 16px;border-bottom:1px solid #e9ecef;font:14px/1.4 Helvetica,Arial,sans-serif;color:#868e96;text-align:right">in your cart</td>
<td style="padding:12px 16px;border-bottom:1px solid #e9ecef"><a href="https://shop.example/cart" style="color:#1971c2">View</a></td></tr>{% endfor %}
</table></body></html>`;

function cart(name: string, items: number): RecipientPreview {
  const data = { $name: name, customer: { first_name: name }, cart: { items: Array.from({ length: items }, (_, i) => ({ title: `Item ${i + 1}` })) } };
  const recipient = parseRecipients(JSON.stringify(data), `/ws/recipients/${name}.json`).recipients[0];
  return previewTemplate({ text: CART, dialect: liquid, scan: liquid.scan(CART), schema: SCHEMA, recipient, now: NOW });
}

describe('preview: rendered size and Gmail clipping', () => {
  test('the threshold is 102 × 1024 bytes', () => {
    assert.equal(GMAIL_CLIP_BYTES, 104_448);
    assert.equal(isClipped(104_448), false);
    assert.equal(isClipped(104_449), true);
  });

  test('a recipient with 300 items in the loop is clipped; one with 3 is not', () => {
    const many = cart('Ana', 300);
    const few = cart('Ben', 3);
    assert.ok(many.size! > GMAIL_CLIP_BYTES, `${many.size}`);
    assert.equal(many.clipped, true);
    assert.ok(few.size! < 5 * 1024, `${few.size}`);
    assert.equal(few.clipped, false);
    assert.match(emailSizeText(many.size!), /^1\d\d\.\d KB — Gmail clips this$/);
    assert.match(emailSizeText(few.size!), /^\d\.\d KB$/);
  });

  test('the size is the UTF-8 of the HTML as sent, without the preview marks', () => {
    const text = '<p>Hi {{ customer.first_name | default: "there" }} — {{ customer.first_name }}</p>';
    const recipient = parseRecipients(JSON.stringify({ $name: 'Zoë', customer: { first_name: 'Zoë 😀' } }), '/ws/r.json').recipients[0];
    const result = previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient, now: NOW });
    const sent = '<p>Hi Zoë 😀 — Zoë 😀</p>';
    assert.equal(result.segments.map((s) => s.text).join(''), sent);
    assert.equal(result.size, Buffer.byteLength(sent, 'utf8'));
    // The marked HTML the panel shows is longer: its marks are not counted.
    assert.ok(markedEmailHtml(result, { plainText: false }).length > sent.length);
  });

  test('an aborted send has no size', () => {
    const text = '{% abort_message("no cart") %}Hi';
    const recipient = parseRecipients('{"$name":"Ana"}', '/ws/r.json').recipients[0];
    const result = previewTemplate({ text, dialect: liquid, scan: liquid.scan(text), schema: SCHEMA, recipient, now: NOW });
    assert.equal(result.aborted, 'no cart');
    assert.equal(result.size, undefined);
    assert.equal(result.clipped, undefined);
  });

  test('utf8Length counts as Buffer.byteLength does, surrogate pairs and lone surrogates included', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a\uD800b', '\uDC00', 'x'.repeat(1000) + '日本語']) {
      assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'), JSON.stringify(text));
    }
  });

  test('sizes in words are rounded up to a tenth of a KB', () => {
    assert.equal(formatEmailSize(612), '612 bytes');
    assert.equal(formatEmailSize(1024), '1.0 KB');
    assert.equal(formatEmailSize(1025), '1.1 KB');
    assert.equal(formatEmailSize(104_448), '102.0 KB');
    assert.equal(emailSizeText(104_449), '102.1 KB — Gmail clips this');
  });

  test('the standalone page says the size', () => {
    const page = recipientPage(cart('Ana', 300), 'cart.liquid', { plainText: false });
    assert.match(page.slice(0, page.indexOf('</div>') + 6), /· 1\d\d\.\d KB — Gmail clips this<\/div>/);
  });

  test('the panel shows each recipient\'s size, and marks the clipped tab', () => {
    const asSent = (preview: RecipientPreview): PreviewRecipient => ({
      name: preview.recipient.name, file: preview.recipient.file, summary: preview.summary, counts: preview.counts,
      size: preview.size!, clipped: preview.clipped!, html: markedEmailHtml(preview, { plainText: false }),
    });
    const html = previewContentHtml({
      uri: 'file:///ws/cart.liquid', version: 1, template: 'cart.liquid', plainText: false, problems: [],
      recipients: [asSent(cart('Ana', 300)), asSent(cart('Ben', 3))],
    }, { remoteContent: false });
    const card = (name: string) => html.slice(html.indexOf(`<h2>${name}</h2>`), html.indexOf('<div class="actions">', html.indexOf(`<h2>${name}</h2>`)));
    assert.match(card('Ana'), /<p class="size clipped" title="[\d,]+ bytes of HTML[^"]*104,448 bytes\)[^"]*">1\d\d\.\d KB — Gmail clips this<\/p>/);
    assert.match(card('Ben'), /<p class="size" title="[^"]*">\d\.\d KB<\/p>/);
    const tabs = html.slice(0, html.indexOf('</nav>'));
    assert.match(tabs, />Ana <span class="badge clipped"[^>]*>clipped<\/span><\/button>/);
    assert.match(tabs, />Ben<\/button>/);
  });
});
