import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getDialect } from '../../server/src/core/dialects/registry';
import type { DialectId } from '../../server/src/core/dialects/ids';
import { proposeSchema, PROPOSAL_MARKER, type InitTemplate } from '../../server/src/core/init';
import { aliasCandidates, similarNames } from '../../server/src/core/init/aliases';
import { templateGlobs } from '../../server/src/core/init/globs';
import { sampleValue } from '../../server/src/core/init/recipients';
import { PROPOSAL_MARKER as MARKER, proposalDescription, proposeFor } from '../../server/src/core/init/proposals';
import { readProposal } from '../../server/src/core/rules/schema-proposal';
import { loadSchema } from '../../server/src/core/schema/load';
import { chooseDialect } from '../../server/src/core/workspace';

/** A template as the command line hands it to the core: scanned in its dialect, no partials. */
function template(path: string, dialect: DialectId, text: string): InitTemplate {
  const scan = getDialect(dialect).scan(text);
  return { path, dialect, sources: [{ dialect, text, uses: scan.uses }], syntaxErrors: scan.syntaxErrors };
}

function fieldsOf(text: string) {
  const loaded = loadSchema(text, '/w/mergewise.json', '/w');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.schema.fields;
}

describe('init: proposals', () => {
  test('the marker is exported from core/init/proposals.ts, as the schema-proposal rule imports it', () => {
    assert.equal(MARKER, 'proposed: review');
    assert.equal(PROPOSAL_MARKER, MARKER);
  });

  const cases: [string, string | undefined, string | undefined][] = [
    ['customer.predicted_churn_score', 'inferred', undefined],
    ['customer.engagementScore', 'inferred', undefined],
    ['customer.propensity_to_buy', 'inferred', undefined],
    ['customer.segment', 'inferred', undefined],
    ['customer.persona', 'inferred', undefined],
    ['customer.last_viewed_product', 'observed', undefined],
    ['browse.items', 'observed', undefined],
    ['clicked_links', 'observed', undefined],
    ['abandoned_cart.total', 'observed', undefined],
    ['order.total', 'transactional', undefined],
    ['invoice_number', 'transactional', undefined],
    ['receipt.url', 'transactional', undefined],
    ['customer.income_bracket', undefined, 'special-category'],
    ['customer.health_notes', undefined, 'special-category'],
    ['customer.religion', undefined, 'special-category'],
    ['customer.ethnicity', undefined, 'special-category'],
    ['customer.sexual_orientation', undefined, 'special-category'],
    ['customer.union_membership', undefined, 'special-category'],
    ['customer.political_party', undefined, 'special-category'],
    ['customer.biometric_id', undefined, 'special-category'],
    ['customer.first_name', undefined, undefined],
    ['customer.scoreboard_rank', undefined, undefined],
    ['customer.border_color', undefined, undefined],
  ];
  for (const [path, source, sensitivity] of cases) {
    test(`${path}: ${source ?? 'no source'}, ${sensitivity ?? 'no sensitivity'}`, () => {
      const proposal = proposeFor(path);
      assert.equal(proposal.source?.value, source);
      assert.equal(proposal.sensitivity?.value, sensitivity);
    });
  }

  test('a proposal is written in the description in the form the schema-proposal rule reads', () => {
    const description = proposalDescription(proposeFor('orders.health_score'))!;
    assert.ok(description.startsWith(`${PROPOSAL_MARKER} — `));
    const read = readProposal(description)!;
    assert.deepEqual(read.proposals.map((p) => `${p.property}=${p.value}`), ['source=inferred', 'sensitivity=special-category']);
  });
});

describe('init: alias candidates', () => {
  test('names platforms shorten alike are similar', () => {
    assert.ok(similarNames('customer.first_name', 'FNAME'));
    assert.ok(similarNames('customer.first_name', 'FirstName'));
    assert.ok(similarNames('customer.email', 'emailaddr'));
    assert.ok(similarNames('trial.ends_at', 'trialEndsAt'));
    assert.ok(!similarNames('customer.first_name', 'customer.city'));
    assert.ok(!similarNames('customer.plan', 'PRICE'));
  });

  test('only fields of different dialects are paired, and the most structured spelling leads', () => {
    const candidates = aliasCandidates([
      { path: 'FNAME', dialects: ['mailchimp'], uses: 2 },
      { path: 'customer.first_name', dialects: ['liquid'], uses: 10 },
      { path: 'FirstName', dialects: ['ampscript'], uses: 1 },
      { path: 'first_name', dialects: ['liquid'], uses: 1 },
    ]);
    assert.equal(candidates.length, 1);
    assert.equal(candidates[0].field, 'customer.first_name');
    assert.deepEqual(candidates[0].others.map((o) => `${o.dialect} ${o.path}`).sort(), ['ampscript FirstName', 'mailchimp FNAME']);
    assert.deepEqual(candidates[0].options.sort(), ['--alias customer.first_name=ampscript:FirstName', '--alias customer.first_name=mailchimp:FNAME']);
  });
});

describe('init: templates globs', () => {
  test('one glob per folder of one dialect; files of a mixed folder one by one; every template keeps its dialect', () => {
    const templates = [
      { path: 'emails/a.html', dialect: 'liquid' as const },
      { path: 'emails/sub/b.html', dialect: 'liquid' as const },
      { path: 'mailchimp/c.html', dialect: 'mailchimp' as const },
      { path: 'mixed/d.html', dialect: 'handlebars' as const },
      { path: 'mixed/e [1].html', dialect: 'sendgrid' as const },
      { path: 'x.liquid', dialect: 'liquid' as const },
    ];
    const globs = templateGlobs(templates);
    assert.deepEqual(globs.map((g) => `${g.glob} ${g.dialect}`), [
      '**/*.liquid liquid', 'emails/**/*.html liquid', 'mailchimp/**/*.html mailchimp', 'mixed/d.html handlebars', 'mixed/e \\[1\\].html sendgrid',
    ]);
    const schema = loadSchema(JSON.stringify({ templates: Object.fromEntries(globs.map((g) => [g.glob, g.dialect])), fields: {} }), '/w/mergewise.json', '/w').schema;
    for (const t of templates) assert.equal(chooseDialect(schema, t.path, '').id, t.dialect, t.path);
  });
});

describe('init: proposeSchema', () => {
  const templates = [
    template('emails/a.liquid', 'liquid', [
      "Hi {{ customer.first_name | default: 'there' }}, {{ customer.city | default: 'your area' }}",
      '{% for item in cart.items %}{{ item.title }} {{ item.price | money }}{% endfor %}',
      '{% if customer.vip %}VIP{% endif %}{% if customer.orders_count > 3 %}loyal{% endif %}',
      '{{ trial.ends_at | date: "%b %d" }} {% for tag in customer.tags %}{{ tag }}{% endfor %}',
      '{% if customer %}{{ customer.predicted_ltv_score }}{% endif %}',
    ].join('\n')),
    template('emails/b.liquid', 'liquid', "{{ customer.first_name | default: 'there' }} {{ customer.city | default: 'your city' }}"),
  ];
  const proposal = proposeSchema({ templates });
  const fields = fieldsOf(proposal.schemaText);

  test('declares every path used, list items under their lists, and no namespace', () => {
    assert.deepEqual([...fields.keys()].sort(), [
      'cart.items', 'cart.items[].price', 'cart.items[].title', 'customer.city', 'customer.first_name', 'customer.orders_count',
      'customer.predicted_ltv_score', 'customer.tags', 'customer.vip', 'trial.ends_at',
    ]);
    assert.match(proposal.schemaText, /"cart\.items": \{\n {6}"type": "array",\n {6}"items": \{\n {8}"fields": \{\n {10}"price"/);
  });

  test('types from use: iterated, date filter, money filter, numeric comparison; unknown ones listed', () => {
    assert.equal(fields.get('cart.items')!.type, 'array');
    assert.equal(fields.get('customer.tags')!.type, 'array');
    assert.equal(fields.get('trial.ends_at')!.type, 'date');
    assert.equal(fields.get('cart.items[].price')!.type, 'number');
    assert.equal(fields.get('customer.orders_count')!.type, 'number');
    assert.deepEqual(proposal.summary.typeUnknown, [
      { path: 'cart.items[].title', conditionOnly: false },
      { path: 'customer.city', conditionOnly: false },
      { path: 'customer.first_name', conditionOnly: false },
      { path: 'customer.predicted_ltv_score', conditionOnly: false },
      { path: 'customer.vip', conditionOnly: true },
    ]);
  });

  test('where the uses do not tell the type, it is left out: the field is untyped', () => {
    for (const path of proposal.summary.typeUnknown.map((f) => f.path)) assert.equal(fields.get(path)!.type, undefined, path);
    assert.match(proposal.schemaText, /"customer\.vip": \{\n {6}"description"|"customer\.vip": \{\}/);
    const ambiguous = proposeSchema({ templates: [template('a.liquid', 'liquid', '{% if x %}yes{% endif %}')] });
    assert.deepEqual(JSON.parse(ambiguous.schemaText).fields, { x: {} });
    assert.deepEqual(ambiguous.summary.typeUnknown, [{ path: 'x', conditionOnly: true }]);
    assert.deepEqual(loadSchema(ambiguous.schemaText, '/w/mergewise.json', '/w').diagnostics, []);
  });

  test('a fallback every use agrees on is written; differing ones are listed, not written', () => {
    assert.equal(fields.get('customer.first_name')!.fallback, 'there');
    assert.equal(fields.get('customer.city')!.fallback, undefined);
    assert.deepEqual(proposal.summary.fallbackConflicts, [{ path: 'customer.city', values: [{ value: 'your area', uses: 1 }, { value: 'your city', uses: 1 }] }]);
  });

  test('proposals go in the description, never in source or sensitivity', () => {
    const score = fields.get('customer.predicted_ltv_score')!;
    assert.equal(score.source, undefined);
    assert.match(score.description!, /^proposed: review — source inferred/);
    assert.doesNotMatch(proposal.schemaText, /"source"|"sensitivity"/);
    assert.match(fields.get('customer.orders_count')!.description!, /source transactional/);
  });

  test('sample recipients: every field filled with its type, and every optional one empty', () => {
    const [complete, empty] = proposal.recipients.map((r) => JSON.parse(r.text));
    assert.deepEqual(proposal.recipients.map((r) => r.path), ['recipients/sample-complete.json', 'recipients/sample-empty.json']);
    assert.equal(complete.customer.first_name, 'Ana');
    assert.equal(typeof complete.cart.items[1].price, 'number');
    assert.equal(typeof complete.customer.orders_count, 'number');
    assert.equal(complete.customer.tags.length, 2);
    assert.match(complete.trial.ends_at, /^2026-/);
    assert.equal(empty.customer.first_name, '');
    assert.deepEqual(empty.cart.items, []);
    assert.equal(empty.customer.orders_count, null);
  });

  test('a sample value follows a name\'s last word: an address, a colour, a size, a count, a shop\'s or an order\'s name', () => {
    const sample = (path: string) => sampleValue({ path });
    assert.equal(sample('shop.email_logo_url'), 'https://example.com/img/sample-1.png');
    assert.equal(sample('shop.url'), 'https://example.com/shop-url/1');
    assert.equal(sample('customer.email'), 'ana@example.com');
    assert.equal(sample('contact_email_address'), 'ana@example.com');
    assert.equal(sample('email_title'), 'Your order is confirmed');
    assert.equal(sample('shop.email_accent_color'), '#2b6cb0');
    assert.equal(sample('shop.email_logo_width'), '200');
    assert.equal(sample('item_count'), '2');
    assert.equal(sample('shop.name'), 'Shearly');
    assert.equal(sample('order_name'), '#1001');
    assert.equal(sample('image_alt'), 'Sample image alt');
  });

  test('existing sample recipients are kept', () => {
    const kept = proposeSchema({ templates, exists: (p) => p === 'recipients/sample-empty.json' });
    assert.deepEqual(kept.recipients.map((r) => r.path), ['recipients/sample-complete.json']);
    assert.deepEqual(kept.recipientsKept, ['recipients/sample-empty.json']);
  });

  test('deterministic: templates and uses in any order give the same bytes', () => {
    const shuffled = [...templates].reverse().map((t) => ({ ...t, sources: t.sources.map((s) => ({ ...s, uses: [...s.uses].reverse() })) }));
    const again = proposeSchema({ templates: shuffled });
    assert.equal(again.schemaText, proposal.schemaText);
    assert.deepEqual(again.recipients, proposal.recipients);
    assert.deepEqual(again.summary, proposal.summary);
  });

  test('a name a path cannot hold gets a path and the name as its alias', () => {
    const marketo = proposeSchema({ templates: [template('m/a.html', 'marketo', '{{lead.First Name:default=there}}')] });
    const declared = fieldsOf(marketo.schemaText).get('lead.First_Name')!;
    assert.deepEqual(declared.aliases, { marketo: 'lead.First Name' });
    assert.equal(declared.fallback, 'there');
  });

  test('a confirmed alias of a list carries its items', () => {
    const both = [
      template('l/a.liquid', 'liquid', '{% for i in cart.items %}{{ i.title }}{% endfor %}'),
      template('k/a.html', 'klaviyo', '{% for i in event.Items %}{{ i.ProductName }}{% endfor %}'),
    ];
    const merged = fieldsOf(proposeSchema({ templates: both, aliases: [{ field: 'cart.items', dialect: 'klaviyo', name: 'event.Items' }] }).schemaText);
    assert.deepEqual(merged.get('cart.items')!.aliases, { klaviyo: 'event.Items' });
    assert.deepEqual(merged.get('cart.items[].ProductName')!.aliases, { klaviyo: 'event.Items[].ProductName' });
    assert.ok(!merged.has('event.Items'));
  });
});

describe('init: merging into an existing mergewise.json', () => {
  const existingText = '{\n  // keep me\n  "fields": {\n    "customer.first_name": { "type": "string" },\n    "cart.items": { "type": "array", "items": { "fields": { "title": { "type": "string" } } } }\n  }\n}\n';
  const existing = { text: existingText, schema: loadSchema(existingText, '/w/mergewise.json', '/w').schema };
  const templates = [template('a.liquid', 'liquid', '{{ customer.first_name }} {{ FNAME }} {% for i in cart.items %}{{ i.title }}{{ i.sku }}{% endfor %}')];

  test('adds only what is missing, in place, with the comments kept', () => {
    const merged = proposeSchema({ templates, existing });
    assert.ok(merged.merged && merged.changed);
    assert.ok(merged.schemaText.startsWith('{\n  // keep me\n  "fields": {\n    "customer.first_name": { "type": "string" },'));
    assert.deepEqual(merged.summary.fields, ['FNAME', 'cart.items[].sku']);
    assert.deepEqual([...fieldsOf(merged.schemaText).keys()].sort(), ['FNAME', 'cart.items', 'cart.items[].sku', 'cart.items[].title', 'customer.first_name']);
    assert.deepEqual(merged.recipients, []);
  });

  test('a confirmed alias is added to the declared field', () => {
    const merged = proposeSchema({ templates, existing, aliases: [{ field: 'customer.first_name', dialect: 'liquid', name: 'FNAME' }] });
    const fields = fieldsOf(merged.schemaText);
    assert.ok(!fields.has('FNAME'));
    assert.deepEqual(fields.get('customer.first_name')!.aliases, { liquid: 'FNAME' });
    assert.deepEqual(merged.summary.aliasesAdded, ['customer.first_name: liquid "FNAME"']);
  });

  test('nothing missing: unchanged', () => {
    const complete = proposeSchema({ templates: [template('a.liquid', 'liquid', '{{ customer.first_name }}')], existing });
    assert.equal(complete.changed, false);
    assert.equal(complete.schemaText, existingText);
  });
});

describe('init: the recipient\'s own email address', () => {
  test('is written required (every platform needs it to send), in each platform\'s spelling; someone else\'s is not', () => {
    const proposal = proposeSchema({ templates: [
      template('emails/a.html', 'mailchimp', '<p>Sent to *|EMAIL|* by *|FNAME|*</p>'),
      template('emails/b.liquid', 'liquid', '{{ customer.email }} {{ referrer.email }} {% for r in friends %}{{ r.email }}{% endfor %}'),
      template('emails/c.hbs', 'handlebars', '{{email}}'),
    ] });
    const fields = fieldsOf(proposal.schemaText);
    const required = [...fields.values()].filter((f) => f.required).map((f) => f.path).sort();
    assert.deepEqual(required, ['EMAIL', 'customer.email', 'email']);
    assert.equal(fields.get('FNAME')?.required, false);
  });
});

describe('init: suspected typos', () => {
  test('a name a letter or two from a field used more often (or declared) is not declared, and is listed', () => {
    const proposal = proposeSchema({ templates: [
      template('emails/a.liquid', 'liquid', '{{ customer.first_name }} {{ customer.first_name }} {{ customer.address_1 }} {{ customer.address_2 }}'),
      template('emails/b.liquid', 'liquid', "{{ customer.frist_name | default: 'there' }} {{ order.product_id }} {{ order.product_ids }} {{ FNAME }} {{ LNAME }}"),
      // One letter for another makes other words: distinct fields, not typos.
      template('emails/c.liquid', 'liquid', '{{ order_name }} {{ order_name }} {{ order_date }} {{ ship_rate }} {{ ship_rate }} {{ ship_date }} {{ expires_at }} {{ expires_at }} {{ expired_at }} {{ recipientName }} {{ recipientName }} {{ recipientNote }}'),
    ] });
    assert.deepEqual(proposal.summary.suspectedTypos, [{ path: 'customer.frist_name', uses: 1, like: 'customer.first_name' }]);
    const declared = [...fieldsOf(proposal.schemaText).keys()];
    assert.ok(!declared.includes('customer.frist_name'));
    for (const kept of ['customer.address_1', 'customer.address_2', 'order.product_id', 'order.product_ids', 'FNAME', 'LNAME', 'order_date', 'ship_date', 'expired_at', 'recipientNote']) {
      assert.ok(declared.includes(kept), kept);
    }
  });

  test('a letter left out or doubled is a slip too', () => {
    const proposal = proposeSchema({ templates: [template('emails/a.liquid', 'liquid', '{{ customer.address }} {{ customer.address }} {{ customer.adress }} {{ customer.firstname }} {{ customer.firstname }} {{ customer.firstnamee }}')] });
    assert.deepEqual(proposal.summary.suspectedTypos.map((t) => [t.path, t.like]), [['customer.adress', 'customer.address'], ['customer.firstnamee', 'customer.firstname']]);
  });

  test('merging: a misspelling of a declared field is not added', () => {
    const existingText = JSON.stringify({ fields: { 'customer.first_name': { type: 'string' } } });
    const existing = { text: existingText, schema: loadSchema(existingText, '/w/mergewise.json', '/w').schema };
    const proposal = proposeSchema({ templates: [template('emails/f.liquid', 'liquid', '{{ customer.frist_name }} {{ customer.city }}')], existing });
    assert.deepEqual(proposal.summary.fields, ['customer.city']);
    assert.deepEqual(proposal.summary.suspectedTypos.map((t) => t.like), ['customer.first_name']);
  });
});
