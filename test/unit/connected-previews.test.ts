/**
 * Connected data in the AMPscript and Iterable previews, hovers and inlay hints: what `SET @offer =
 * HTTPGet(…)` keeps, an Iterable data feed's `[[field]]`, and a Marketing Cloud data extension's
 * columns come from the sample recipient's `$connected` mocks (and, for data extensions, from the
 * sample `rows` mergewise.json declares), the same way Braze's `connected_content` does. Nothing is fetched.
 */
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { analyzeTemplate } from '../../server/src/core/analyze';
import type { Dialect } from '../../server/src/core/dialects/dialect';
import { ampscript } from '../../server/src/core/dialects/ampscript';
import { iterable } from '../../server/src/core/dialects/iterable';
import { hoverAt, shownHints } from '../../server/src/core/ide';
import { previewTemplate, type RecipientPreview } from '../../server/src/core/preview/preview';
import { parseRecipients, type Recipient } from '../../server/src/core/preview/recipients';
import type { Schema } from '../../server/src/core/schema/types';
import type { DocumentAnalysis } from '../../server/src/core/workspace';
import { load, NOW, schemaOf } from '../helpers/schema';

function recipient(data: object): Recipient {
  const parsed = parseRecipients(JSON.stringify(data), 'recipients/sample.json');
  assert.deepEqual(parsed.problems, []);
  return parsed.recipients[0];
}

function preview(text: string, dialect: Dialect, who: Recipient, schema?: Schema): RecipientPreview {
  const result = previewTemplate({ text, dialect, scan: dialect.scan(text), schema, recipient: who, now: NOW });
  assert.equal(result.error, undefined);
  return result;
}

const shown = (result: RecipientPreview) => result.segments.map((segment) => segment.text).join('');
const connectedMarks = (result: RecipientPreview) =>
  result.segments.filter((segment) => segment.mark?.connected).map((segment) => [segment.text, segment.mark!.kind, segment.mark!.connected!.mocked]);

function document(text: string, dialect: Dialect, schema: Schema | undefined): DocumentAnalysis {
  const analysis = analyzeTemplate({ text, relativePath: 'emails/t.html', dialect, schema, now: NOW });
  return { dialect, schema, analysis } as unknown as DocumentAnalysis;
}

const hoverTable = (doc: DocumentAnalysis, offset: number, who: Recipient[]) => hoverAt(doc, offset, who, NOW)?.markdown ?? '';
const hintLabels = (doc: DocumentAnalysis, text: string, who: Recipient) => shownHints(doc, 0, text.length, who, NOW).map((hint) => hint.label);

let calls: string[] = [];
beforeEach(() => {
  calls = [];
  const refuse = (name: string) => () => { calls.push(name); throw new Error(`${name} called during a preview`); };
  mock.method(globalThis, 'fetch', refuse('fetch'));
  mock.method(http, 'request', refuse('http.request'));
  mock.method(https, 'request', refuse('https.request'));
  mock.method(net, 'connect', refuse('net.connect'));
});
afterEach(() => {
  mock.restoreAll();
  assert.deepEqual(calls, [], 'nothing is fetched');
});

const OFFER = `%%[
SET @offer = HTTPGet(Concat("https://api.example.com/offer?id=", AttributeValue("SubscriberKey")))
]%%
<p>Your offer: %%=v(@offer)=%%</p>`;

describe('AMPscript: HTTPGet reads the sample recipient\'s mock', () => {
  test('the preview shows the mock for the variable, keyed with or without its @, marked as a mock', () => {
    for (const key of ['@offer', 'offer']) {
      const result = preview(OFFER, ampscript, recipient({ $name: 'Ana', SubscriberKey: 'a1', $connected: { [key]: 'SAVE10' } }));
      assert.match(shown(result), /Your offer: SAVE10/, key);
      assert.deepEqual(connectedMarks(result), [['SAVE10', 'value', true]], key);
    }
  });

  test('a JSON mock is the response text, as HTTPGet returns it', () => {
    const result = preview(OFFER, ampscript, recipient({ $connected: { '@offer': { code: 'SAVE10' } } }));
    assert.match(shown(result), /Your offer: \{"code":"SAVE10"\}/);
  });

  test('without a mock the output is blank and says it was not fetched', () => {
    const result = preview(OFFER, ampscript, recipient({ $name: 'Ben', SubscriberKey: 'b2' }));
    assert.deepEqual(connectedMarks(result), [['', 'blank', false]]);
  });

  test('hover and inlay hint show the same mock', () => {
    const doc = document(OFFER, ampscript, undefined);
    const ana = recipient({ $name: 'Ana', $connected: { '@offer': 'SAVE10' } });
    const ben = recipient({ $name: 'Ben' });
    const hover = hoverTable(doc, OFFER.lastIndexOf('@offer') + 1, [ana, ben]);
    assert.match(hover, /HTTP response saved as `@offer`/);
    assert.match(hover, /\| Ana \| SAVE10 \|/);
    assert.match(hover, /\| Ben \| blank \(no mock: add "\$connected" to the recipient file\) \|/);
    assert.deepEqual(hintLabels(doc, OFFER, ana), ['→ SAVE10']);
  });
});

const LOYALTY = `%%[
SET @points = Lookup("loyalty_members", "Points", "SubscriberKey", _subscriberkey)
SET @orders = LookupRows("Loyalty_Orders", "SubscriberKey", _subscriberkey)
]%%
<p>You have %%=v(@points)=%% points.</p>
%%[ FOR @i = 1 TO RowCount(@orders) DO SET @row = Row(@orders, @i) ]%%
<li>%%=Field(@row, "OrderName")=%%</li>
%%[ NEXT @i ]%%`;

const DECLARED = {
  fields: {},
  dataExtensions: {
    Loyalty_Members: { columns: { SubscriberKey: {}, Points: { type: 'number' } }, rows: [{ SubscriberKey: 'any', Points: 900 }] },
    Loyalty_Orders: { columns: { SubscriberKey: {}, OrderName: {} }, rows: [{ OrderName: 'Boots' }, { OrderName: 'Scarf' }] },
  },
};

describe('AMPscript data extensions: the recipient\'s mock, else the rows mergewise.json declares', () => {
  const pointsAt = LOYALTY.indexOf('v(@points)') + 3;

  test('a recipient\'s "$connected" rows (name in any case) fill the preview, hover and hint', () => {
    const ana = recipient({ $name: 'Ana', $connected: { Loyalty_Members: { Points: 1200 }, loyalty_orders: [{ ordername: 'Hat' }] } });
    const result = preview(LOYALTY, ampscript, ana);
    assert.match(shown(result), /You have 1200 points/);
    assert.match(shown(result), /<li>Hat<\/li>/);
    assert.deepEqual(connectedMarks(result)[0], ['1200', 'value', true]);
    const doc = document(LOYALTY, ampscript, undefined);
    assert.match(hoverTable(doc, pointsAt, [ana]), /data extension `loyalty_members`, column `Points`[\s\S]*\| Ana \| 1200 \|/);
    assert.ok(hintLabels(doc, LOYALTY, ana).includes('→ 1200'));
  });

  test('without one, the declared sample rows: Lookup takes the first row, LookupRows all of them', () => {
    const schema = schemaOf(DECLARED);
    const ben = recipient({ $name: 'Ben' });
    const text = shown(preview(LOYALTY, ampscript, ben, schema));
    assert.match(text, /You have 900 points/);
    assert.match(text, /<li>Boots<\/li>[\s\S]*<li>Scarf<\/li>/);
    const doc = document(LOYALTY, ampscript, schema);
    assert.match(hoverTable(doc, pointsAt, [ben]), /\| Ben \| 900 \|/);
    assert.ok(hintLabels(doc, LOYALTY, ben).includes('→ 900'));
  });

  test('a recipient\'s own mock wins over the declared rows', () => {
    const ana = recipient({ $name: 'Ana', $connected: { LOYALTY_MEMBERS: [{ Points: 50 }] } });
    assert.match(shown(preview(LOYALTY, ampscript, ana, schemaOf(DECLARED))), /You have 50 points/);
  });

  test('with neither, the hover says where a sample goes', () => {
    const doc = document(LOYALTY, ampscript, schemaOf({ fields: {} }));
    assert.match(hoverTable(doc, pointsAt, [recipient({ $name: 'Cy' })]),
      /\| Cy \| blank \(no sample: add "\$connected" to the recipient file, or "rows" to the data extension in mergewise\.json\) \|/);
  });

  test('"rows" that are not a list of objects are reported where they are written', () => {
    const bad = load(JSON.stringify({ fields: {}, dataExtensions: { Loyalty_Members: { rows: { Points: 1 } }, Loyalty_Orders: { rows: [{ OrderName: 'Boots' }, 'Scarf'] } } }));
    const messages = bad.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0], /Data extension "Loyalty_Members": "rows" must be an array, found an object/);
    assert.match(messages[1], /Data extension "Loyalty_Orders": "rows"\[1\] must be an object/);
    assert.deepEqual(bad.schema.dataExtensions?.get('loyalty_orders')?.rows, [{ OrderName: 'Boots' }]);
  });
});

const FEED = `<h1>{{defaultIfEmpty firstName "there"}}, [[productName]] is back</h1>
{{#if [[onSale]]}}<p>Now [[ price ]]</p>{{else}}<p>Soon.</p>{{/if}}
<p>{{defaultIfEmpty [[subtitle]] "New arrivals"}}</p>`;

describe('Iterable data feeds: [[field]] reads the mock under "dataFeed"', () => {
  test('in the text a read is output, in a block tag a condition, in a helper an argument', () => {
    assert.deepEqual(iterable.scan(FEED).connected?.uses.map((use) => [use.written, use.context]),
      [['productName', 'output'], ['onSale', 'condition'], ['price', 'output'], ['subtitle', 'argument']]);
  });

  test('the preview puts the mocked values in, inside tags too, before Handlebars runs', () => {
    const ana = recipient({ $name: 'Ana', firstName: 'Ana', $connected: { dataFeed: { productName: 'Boots', onSale: true, price: '$40', subtitle: 'Winter <b>sale</b>' } } });
    const result = preview(FEED, iterable, ana);
    assert.match(shown(result), /<h1>Ana, Boots is back<\/h1>/);
    assert.match(shown(result), /<p>Now \$40<\/p>/);
    assert.match(shown(result), /<p>Winter &lt;b&gt;sale&lt;\/b&gt;<\/p>/);
    assert.deepEqual(connectedMarks(result), [['Boots', 'value', true], ['$40', 'value', true]]);
  });

  test('without a mock the reads are blank, marked as not fetched, and the condition is false', () => {
    const result = preview(FEED, iterable, recipient({ $name: 'Ben', firstName: 'Ben' }));
    assert.match(shown(result), /<h1>Ben,  is back<\/h1>/);
    assert.match(shown(result), /<p>Soon\.<\/p>/);
    assert.match(shown(result), /<p>New arrivals<\/p>/);
    assert.deepEqual(connectedMarks(result), [['', 'blank', false]]);
  });

  test('hover and inlay hints show the mocked feed value', () => {
    const doc = document(FEED, iterable, undefined);
    const ana = recipient({ $name: 'Ana', $connected: { dataFeed: { productName: 'Boots', price: '$40' } } });
    assert.match(hoverTable(doc, FEED.indexOf('productName') + 2, [ana]), /data feed saved as `dataFeed`[\s\S]*\| Ana \| Boots \|/);
    assert.deepEqual(hintLabels(doc, FEED, ana), ['→ "there" (fallback)', '→ Boots', '→ $40']);
  });
});
