import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument, SchemaIndex, type DocumentAnalysis } from '../../server/src/core/workspace';
import { PartialWorkspace } from '../../server/src/core/partials/workspace';
import { MAX_INCLUDE_DEPTH } from '../../server/src/core/partials/limits';
import { usesThroughPartials } from '../../server/src/core/partials/analyze';
import { fixesFor } from '../../server/src/core/fixes';
import { memoryFs } from '../helpers/memory-fs';
import { NOW } from '../helpers/schema';

const SCHEMA = JSON.stringify({
  dialect: 'liquid',
  fields: {
    customer: {
      type: 'object',
      fields: {
        first_name: { type: 'string', source: 'declared' },
        city: { type: 'string', source: 'declared' },
        churn_score: { type: 'number', source: 'inferred' },
        orders_count: { type: 'number', source: 'transactional', required: true },
      },
    },
    cart: { type: 'object', fields: { items: { type: 'array', items: { fields: { title: { type: 'string', required: true }, price: { type: 'number', required: true } } } } } },
  },
  purposes: {
    winback: {
      segment: 'lapsed customers', tactic: 'churn-aware copy', metric: 'reactivation rate',
      fields: ['customer.churn_score'], templates: ['emails/winback.liquid'],
    },
  },
});

/** A Shopify/Braze-style program: shared snippets, two sending templates. */
const PROGRAM: Record<string, string> = {
  '/w/mergewise.json': SCHEMA,
  '/w/snippets/greeting.liquid': '{% doc %}\n  @param {string} name - The first name to greet\n{% enddoc %}\n<p>Hi {{ name }},</p>\n',
  '/w/snippets/city-line.liquid': '<p>Events near {{ customer.city }} this week.</p>\n',
  '/w/snippets/score.liquid': '<p>We miss you ({{ customer.churn_score }}).</p>\n',
  '/w/snippets/card.liquid': '<td>{{ item.title }}</td><td>{{ item.price }}</td>\n',
  '/w/emails/welcome.liquid': [
    '{% render \'greeting\', name: customer.first_name %}',
    '{% if customer.city %}{% render \'city-line\' %}{% endif %}',
    '{% render \'score\' %}',
    '<table>{% render \'card\' for cart.items as item %}</table>',
  ].join('\n'),
  '/w/emails/winback.liquid': [
    '{% assign first = customer.first_name | default: "there" %}',
    '{% render \'greeting\', name: first %}',
    '{% render \'city-line\' %}',
    '{% render \'score\' %}',
  ].join('\n'),
};

function graphOf(files: Record<string, string | Error>): { index: SchemaIndex; graph: PartialWorkspace; check(file: string): DocumentAnalysis } {
  const fs = memoryFs(files);
  const index = new SchemaIndex(fs);
  const templates = Object.keys(files).filter((file) => !file.endsWith('.json'));
  const graph = new PartialWorkspace(index, { read: (file) => fs.readText(file), templates: () => templates });
  return {
    index, graph,
    check: (file) => analyzeDocument(index, file, fs.readText(file) as string, undefined, NOW, graph),
  };
}

function messages(analysis: DocumentAnalysis, rule: string): string[] {
  return analysis.analysis.diagnostics.filter((d) => d.rule === rule).map((d) => d.message);
}

describe('partials: analysis across files', () => {
  test('a template\'s field uses include those of its partials, in its own terms', () => {
    const { graph } = graphOf(PROGRAM);
    const uses = usesThroughPartials(graph, '/w/emails/welcome.liquid').map(({ file, use }) => `${file.slice(3)} ${use.path}`);
    assert.deepEqual(uses.sort(), [
      'snippets/card.liquid cart.items[].price',
      'snippets/card.liquid cart.items[].title',
      'snippets/city-line.liquid customer.city',
      'snippets/greeting.liquid customer.first_name',
      'snippets/score.liquid customer.churn_score',
    ]);
  });

  test('a finding in a partial is reported once, in the partial, naming the templates it affects', () => {
    const { check } = graphOf(PROGRAM);
    const cityLine = check('/w/snippets/city-line.liquid');
    const missing = cityLine.analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1, 'once, not once per caller');
    // welcome.liquid guards the include with `{% if customer.city %}`; winback.liquid does not.
    assert.match(missing[0].message, /in 1 of the 2 templates that include it: emails\/winback\.liquid\)$/);
    assert.deepEqual(missing[0].includedBy, ['/w/emails/winback.liquid']);
    assert.deepEqual(cityLine.includedBy, ['/w/emails/welcome.liquid', '/w/emails/winback.liquid']);
  });

  test('parameters are mapped, and a fallback given to the value passed covers the partial', () => {
    const { check } = graphOf(PROGRAM);
    const greeting = check('/w/snippets/greeting.liquid');
    const missing = greeting.analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1);
    assert.equal(missing[0].field, 'customer.first_name', '`name` is customer.first_name for the caller');
    assert.deepEqual(missing[0].includedBy, ['/w/emails/welcome.liquid'], 'winback passes a local with `| default: "there"`');
    assert.deepEqual(messages(greeting, 'unknown-field'), [], '`name` is a parameter, not an unknown field');
  });

  test('loop scope carries over: `render ... for list as item` reads the list\'s items', () => {
    const { check } = graphOf(PROGRAM);
    const card = check('/w/snippets/card.liquid');
    assert.deepEqual(messages(card, 'unknown-field'), []);
    assert.deepEqual(card.analysis.scan.uses.map((use) => use.path), ['cart.items[].title', 'cart.items[].price']);
  });

  test('quadrants are judged per sending template: covered by one template\'s purpose, surveillance in the other', () => {
    const { check } = graphOf(PROGRAM);
    const score = check('/w/snippets/score.liquid');
    const surveillance = score.analysis.diagnostics.filter((d) => d.rule === 'quadrant-unexpected-unhelpful');
    const delight = score.analysis.diagnostics.filter((d) => d.rule === 'quadrant-unexpected-helpful');
    assert.deepEqual(surveillance.map((d) => d.includedBy), [['/w/emails/welcome.liquid']]);
    assert.deepEqual(delight.map((d) => d.includedBy), [['/w/emails/winback.liquid']]);
  });

  test('transitive includes map parameters through every level, and the caller\'s guard reaches the innermost partial', () => {
    const { check } = graphOf({
      '/w/mergewise.json': SCHEMA,
      '/w/snippets/header.liquid': '{% render \'salutation\', who: person %}',
      '/w/snippets/salutation.liquid': 'Dear {{ who }}',
      '/w/emails/a.liquid': '{% if customer.first_name %}{% render \'header\', person: customer.first_name %}{% endif %}',
      '/w/emails/b.liquid': '{% render \'header\', person: customer.first_name %}',
    });
    const salutation = check('/w/snippets/salutation.liquid');
    const missing = salutation.analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1);
    assert.equal(missing[0].field, 'customer.first_name');
    assert.deepEqual(missing[0].includedBy, ['/w/emails/b.liquid']);
  });

  test('each partial is analysed once per distinct call context, not once per template', () => {
    const files: Record<string, string> = { '/w/mergewise.json': SCHEMA, '/w/snippets/city-line.liquid': 'Near {{ customer.city }}' };
    for (let i = 0; i < 50; i++) files[`/w/emails/e${i}.liquid`] = i % 2 ? '{% render \'city-line\' %}' : '{% if customer.city %}{% render \'city-line\' %}{% endif %}';
    const { graph, check } = graphOf(files);
    assert.equal(graph.reachesOf('/w/snippets/city-line.liquid').length, 50);
    const missing = check('/w/snippets/city-line.liquid').analysis.diagnostics.filter((d) => d.rule === 'missing-fallback');
    assert.equal(missing.length, 1);
    assert.equal(missing[0].includedBy?.length, 25);
    assert.match(missing[0].message, /in 25 of the 50 templates that include it: emails\/e1\.liquid, emails\/e11\.liquid, emails\/e13\.liquid, and 22 more\)$/);
  });

  test('an include sees the caller\'s own variables: a plain local is no field, one that carries a field is that field', () => {
    const { check } = graphOf({
      '/w/mergewise.json': SCHEMA,
      '/w/snippets/footer.liquid': '<p>You get this because {{ reason }}. Bye {{ who }}.</p>',
      '/w/emails/a.liquid': '{% assign reason = "you signed up" %}{% assign who = customer.first_name %}{% include \'footer\' %}',
    });
    const footer = check('/w/snippets/footer.liquid');
    assert.deepEqual(footer.analysis.diagnostics.filter((d) => d.rule === 'unknown-field'), []);
    assert.deepEqual(footer.analysis.diagnostics.filter((d) => d.rule === 'missing-fallback').map((d) => d.field), ['customer.first_name']);
  });

  test('a partial is shown through the template last looked at, or else the first that sends it', () => {
    const fs = memoryFs(PROGRAM);
    const index = new SchemaIndex(fs);
    const graph = new PartialWorkspace(index, { read: (file) => fs.readText(file), templates: () => Object.keys(PROGRAM).filter((f) => f.endsWith('.liquid')) });
    const greeting = PROGRAM['/w/snippets/greeting.liquid'];
    const shown = (through?: string) => analyzeDocument(index, '/w/snippets/greeting.liquid', greeting, undefined, NOW, graph, through);
    assert.equal(shown().shownThrough, '/w/emails/welcome.liquid');
    assert.equal(shown().analysis.scan.uses[0].fallback, null);
    const viaWinback = shown('/w/emails/winback.liquid');
    assert.equal(viaWinback.shownThrough, '/w/emails/winback.liquid');
    assert.equal(viaWinback.analysis.scan.uses[0].path, 'customer.first_name');
    assert.equal(viaWinback.analysis.scan.uses[0].fallback, 'there', 'winback passes the first name with a fallback');
    assert.equal(viaWinback.analysis.diagnostics.length, shown().analysis.diagnostics.length, 'the findings are those of every context either way');
  });

  test('a partial opened on its own is checked against its declared parameters and the schema', () => {
    const { check } = graphOf({
      '/w/mergewise.json': SCHEMA,
      '/w/snippets/badge.liquid': '{% doc %} @param {string} label {% enddoc %}{{ label }} {{ customer.nickname }}',
    });
    const badge = check('/w/snippets/badge.liquid');
    assert.deepEqual(badge.includedBy, []);
    assert.deepEqual(badge.analysis.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.field), ['customer.nickname']);
  });
});

describe('partials: the include rules', () => {
  test('unknown-partial names the closest partials that exist', () => {
    const { check } = graphOf({ ...PROGRAM, '/w/emails/typo.liquid': '{% render \'greting\' %}' });
    const [finding] = check('/w/emails/typo.liquid').analysis.diagnostics.filter((d) => d.rule === 'unknown-partial');
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, /`greting` resolves to no snippet/);
    assert.deepEqual(finding.data?.suggestions, ['greeting']);
  });

  test('unknown-partial without a close name reads as one sentence after another', () => {
    const { check } = graphOf({ ...PROGRAM, '/w/emails/none.liquid': '{% render \'zzzzzz\' %}' });
    const [finding] = check('/w/emails/none.liquid').analysis.diagnostics.filter((d) => d.rule === 'unknown-partial');
    assert.match(finding.message, /^`zzzzzz` resolves to no snippet in this workspace \([^)]*\)\. The platform fails to send/);
    assert.doesNotMatch(finding.message, /  /);
  });

  test('a dynamic include is information saying it is not followed', () => {
    const { check } = graphOf({ ...PROGRAM, '/w/emails/dynamic.liquid': '{% include promo_name %}' });
    const [finding] = check('/w/emails/dynamic.liquid').analysis.diagnostics.filter((d) => d.rule === 'unknown-partial');
    assert.equal(finding.severity, 'information');
    assert.match(finding.message, /chosen when the message is sent.*does not follow it/);
  });

  test('partial-cycle: a loop is reported at the include, and analysis ends', () => {
    const { check } = graphOf({
      '/w/mergewise.json': SCHEMA,
      '/w/snippets/a.liquid': '{% render \'b\' %}',
      '/w/snippets/b.liquid': '{% render \'a\' %}',
      '/w/snippets/self.liquid': '{% render \'self\' %}',
    });
    const [loop] = check('/w/snippets/a.liquid').analysis.diagnostics.filter((d) => d.rule === 'partial-cycle');
    assert.match(loop.message, /`snippets\/b\.liquid` → `snippets\/a\.liquid` leads back here/);
    const [self] = check('/w/snippets/self.liquid').analysis.diagnostics.filter((d) => d.rule === 'partial-cycle');
    assert.match(self.message, /the file includes itself/);
  });

  test('a 10,000-deep include chain gives one clear diagnostic, and no stack overflow', () => {
    const files: Record<string, string> = { '/w/mergewise.json': SCHEMA };
    for (let i = 0; i < 10_000; i++) files[`/w/snippets/p${i}.liquid`] = i < 9_999 ? `{% render 'p${i + 1}' %}` : '{{ customer.city }}';
    const { check } = graphOf(files);
    const deep = check('/w/snippets/p0.liquid').analysis.diagnostics.filter((d) => d.rule === 'partial-cycle');
    assert.equal(deep.length, 1);
    assert.match(deep[0].message, new RegExp(`more than ${MAX_INCLUDE_DEPTH} deep`));
  });

  test('partial-parameter: a required parameter missing, an unknown one, a type that does not match', () => {
    const { check } = graphOf({
      ...PROGRAM,
      '/w/snippets/count.liquid': '{% doc %} @param {number} count @param {string} [label] {% enddoc %}{{ count }} {{ label }}',
      '/w/emails/params.liquid': [
        '{% render \'greeting\' %}',
        '{% render \'greeting\', name: customer.first_name, nmae: "x" %}',
        '{% render \'count\', count: customer.first_name %}',
        '{% render \'count\', count: "many" %}',
        '{% render \'count\', count: customer.orders_count %}',
      ].join('\n'),
    });
    const found = messages(check('/w/emails/params.liquid'), 'partial-parameter');
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(found[0], /requires `name`, which this include does not pass/);
    assert.match(found[1], /declares no parameter `nmae`.*Did you mean `name`/);
    assert.match(found[2], /expects `count` to be number, but `customer.first_name` is a string in mergewise.json/);
    assert.match(found[3], /expects `count` to be number, but a string is passed/);
  });

  test('a parameter a rendered snippet declares but an include does not pass is blank there, not a recipient field of that name', () => {
    const { check } = graphOf({
      ...PROGRAM,
      '/w/snippets/hello.liquid': '{% doc %} @param {string} name {% enddoc %}<p>Hi {{ name }}</p>',
      '/w/emails/passes.liquid': '{% render \'hello\', name: customer.first_name %}',
      '/w/emails/forgets.liquid': '{% render \'hello\', nam: customer.first_name %}',
    });
    const partial = check('/w/snippets/hello.liquid').analysis.diagnostics;
    assert.deepEqual(partial.filter((d) => d.rule === 'unknown-field'), []);
    assert.equal(messages(check('/w/emails/forgets.liquid'), 'partial-parameter').length, 2);
  });

  test('an unreadable or binary partial is one clear diagnostic at the include', () => {
    const { check } = graphOf({
      ...PROGRAM,
      '/w/snippets/locked.liquid': new Error('EACCES: permission denied'),
      '/w/snippets/logo.liquid': 'GIF89a\u0000\u0001',
      '/w/emails/broken.liquid': '{% render \'locked\' %}\n{% render \'logo\' %}',
    });
    const found = messages(check('/w/emails/broken.liquid'), 'unknown-partial');
    assert.equal(found.length, 2);
    assert.match(found[0], /resolves to snippets\/locked\.liquid, but it could not be read \(EACCES/);
    assert.match(found[1], /resolves to snippets\/logo\.liquid, but it looks like a binary file/);
  });
});

describe('partials: resolution', () => {
  test('names are looked up in folder listings, each folder read once, however many includes there are', () => {
    const files: Record<string, string> = {
      '/w/mergewise.json': SCHEMA,
      '/w/snippets/footer.liquid': 'Bye',
      '/w/emails/many.liquid': Array.from({ length: 2_000 }, (_, i) => `{% render 'missing-${i}' %}{% render 'footer' %}`).join('\n'),
    };
    const base = memoryFs(files);
    const listed: string[] = [];
    let stamps = 0;
    const fs = {
      ...base,
      stamp: (file: string) => { stamps++; return files[file] === undefined ? undefined : 'x'; },
      readDir: (dir: string) => {
        listed.push(dir);
        const names = Object.keys(files).filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]);
        return names.length ? [...new Set(names)] : undefined;
      },
    };
    const index = new SchemaIndex(fs);
    const graph = new PartialWorkspace(index, { read: (file) => base.readText(file), templates: () => ['/w/emails/many.liquid'] });
    const many = analyzeDocument(index, '/w/emails/many.liquid', files['/w/emails/many.liquid'], undefined, NOW, graph);
    assert.equal(many.analysis.diagnostics.filter((d) => d.rule === 'unknown-partial').length, 2_000);
    assert.equal(many.includes?.filter((i) => i.file === '/w/snippets/footer.liquid').length, 2_000);
    assert.equal(stamps, 0, 'no file is looked for one by one');
    assert.equal(listed.length, new Set(listed).size, `each folder is listed once: ${listed.join(', ')}`);
  });

  test('mergewise.json\'s partials section maps names, globs and AMPscript keys, names and ids', () => {
    const schema = JSON.parse(SCHEMA);
    schema.templates = { 'sfmc/**': 'ampscript' };
    schema.partials = {
      files: { greeting: 'shared/hello.liquid' },
      contentBlocks: { keys: { footer: 'blocks/footer.html' }, names: { 'Content Builder\\Footers\\Main': 'blocks/main-footer.html' }, ids: { 123: 'blocks/hero.html' } },
    };
    const { check } = graphOf({
      '/w/mergewise.json': JSON.stringify(schema),
      '/w/shared/hello.liquid': 'Hi',
      '/w/blocks/footer.html': 'f', '/w/blocks/main-footer.html': 'm', '/w/blocks/hero.html': 'h',
      '/w/emails/a.liquid': '{% render \'greeting\' %}',
      '/w/sfmc/a.amp': '%%=ContentBlockByKey("footer")=%% %%=ContentBlockByName("Content Builder\\Footers\\Main")=%% %%=ContentBlockByID(123)=%%',
    });
    assert.deepEqual(check('/w/emails/a.liquid').includes?.map((i) => i.shown), ['shared/hello.liquid']);
    assert.deepEqual(check('/w/sfmc/a.amp').includes?.map((i) => i.shown), ['blocks/footer.html', 'blocks/main-footer.html', 'blocks/hero.html']);
  });

  test('conventions per platform: Handlebars partials, Braze content blocks, HubL paths', () => {
    const { check } = graphOf({
      '/w/partials/footer.hbs': '{{company}}',
      '/w/content_blocks/promo.liquid': 'Sale!',
      '/w/hubspot/partials/footer.html': '{{ contact.firstname }}',
      '/w/sendgrid/receipt.hbs': '{{> footer}}',
      '/w/braze/offer.liquid': '{{content_blocks.${promo}}}',
      '/w/hubspot/email.html': '{% include "partials/footer.html" %}{{ contact.email }}',
    });
    assert.equal(check('/w/sendgrid/receipt.hbs').includes?.[0].file, '/w/partials/footer.hbs');
    assert.equal(check('/w/braze/offer.liquid').includes?.[0].file, '/w/content_blocks/promo.liquid');
    const hubl = check('/w/hubspot/email.html');
    assert.equal(hubl.dialect.id, 'hubl');
    assert.equal(hubl.includes?.[0].file, '/w/hubspot/partials/footer.html');
  });
});

describe('partials: what is kept between edits', () => {
  /** The program with versioned texts, as the editor gives them: a change shows as a new version. */
  function editable() {
    const texts = new Map(Object.entries(PROGRAM));
    const versions = new Map<string, number>();
    let reads = 0;
    const index = new SchemaIndex(memoryFs(PROGRAM));
    const graph = new PartialWorkspace(index, {
      read: (file) => { reads++; return texts.get(file); },
      version: (file) => String(versions.get(file) ?? 0),
      templates: () => [...texts.keys()].filter((file) => !file.endsWith('.json')),
    });
    const edit = (file: string, text: string) => {
      texts.set(file, text);
      versions.set(file, (versions.get(file) ?? 0) + 1);
      graph.contentChanged(file);
    };
    const check = (file: string) => analyzeDocument(index, file, texts.get(file)!, undefined, NOW, graph);
    return { edit, check, reads: () => reads };
  }
  const greeting = '/w/snippets/greeting.liquid';

  test('typing in a partial reads none of the templates that send it again', () => {
    const { edit, check, reads } = editable();
    check(greeting);
    const before = reads();
    for (let i = 0; i < 5; i++) {
      edit(greeting, PROGRAM[greeting].replace('Hi', i % 2 ? 'Hi' : 'Hello'));
      check(greeting);
    }
    assert.equal(reads() - before, 5, 'only the partial itself is read again, once per edit');
  });

  test('a sender that passes another field is read again, and the partial is judged by it', () => {
    const { edit, check } = editable();
    assert.deepEqual(messages(check(greeting), 'missing-fallback').length, 1);
    // welcome.liquid now renders the greeting only for recipients with a first name: none shows it bare.
    edit('/w/emails/welcome.liquid', PROGRAM['/w/emails/welcome.liquid'].replace(
      '{% render \'greeting\', name: customer.first_name %}', '{% if customer.first_name %}{% render \'greeting\', name: customer.first_name %}{% endif %}'));
    assert.deepEqual(messages(check(greeting), 'missing-fallback'), []);
  });
});

describe('partials: where a template includes one, for "included by" links', () => {
  test('the tag that includes it, or the partial that does; of two, the one passing the finding\'s field', () => {
    const text = "<p>x</p>\n{% if first_name %}{% render 'hello', name: first_name %}{% endif %}\n{% render 'hello', name: city %}\n{% render 'outer' %}";
    const { graph } = graphOf({
      '/w/mergewise.json': JSON.stringify({ fields: { first_name: { type: 'string' }, city: { type: 'string' } } }),
      '/w/snippets/hello.liquid': '<p>{{ name }}</p>',
      '/w/snippets/deep.liquid': '{{ x }}',
      '/w/snippets/outer.liquid': "{% render 'deep' %}",
      '/w/emails/two.liquid': text,
    });
    const tag = (span: { start: number; end: number } | undefined) => span && text.slice(span.start, span.end);
    assert.equal(tag(graph.includeSiteToward('/w/emails/two.liquid', '/w/snippets/hello.liquid', 'city')), "{% render 'hello', name: city %}");
    assert.equal(tag(graph.includeSiteToward('/w/emails/two.liquid', '/w/snippets/hello.liquid', 'first_name')), "{% render 'hello', name: first_name %}");
    assert.equal(tag(graph.includeSiteToward('/w/emails/two.liquid', '/w/snippets/deep.liquid')), "{% render 'outer' %}");
  });
});

describe('partials: the fixes of a finding from another caller than the one it is shown through', () => {
  test('are about the field that caller passes: its fallback, only offered; the purposes that list it', () => {
    const schema = {
      fields: {
        first_name: { type: 'string', source: 'declared', fallback: 'there' },
        job_title: { type: 'string', source: 'inferred', fallback: 'your role' },
      },
      purposes: {
        welcome: { segment: 's', tactic: 't', metric: 'm', fields: ['first_name'], templates: ['nothing/**'] },
        careers: { segment: 's', tactic: 't', metric: 'm', fields: ['job_title'], templates: ['nothing/**'] },
      },
    };
    const { check } = graphOf({
      '/w/mergewise.json': JSON.stringify(schema),
      '/w/snippets/hello.liquid': '<p>{{ name }}</p>',
      '/w/emails/welcome.liquid': "{% render 'hello', name: first_name %}",
      '/w/emails/winback.liquid': "{% render 'hello', name: job_title %}",
    });
    const { analysis } = check('/w/snippets/hello.liquid');
    const aboutJobTitle = analysis.diagnostics.filter((d) => d.field === 'job_title');
    const missing = aboutJobTitle.find((d) => d.rule === 'missing-fallback')!;
    const fallback = fixesFor(analysis, missing);
    assert.equal(fallback.fix, undefined, 'not applied unasked');
    assert.deepEqual(fallback.suggestions.map((s) => s.title), ['Add fallback "your role"']);
    const quadrant = aboutJobTitle.find((d) => d.rule === 'quadrant-unexpected-unhelpful')!;
    assert.deepEqual(fixesFor(analysis, quadrant).suggestions.map((s) => s.title), ['Cover with purpose "careers" (adds a directive comment)']);
  });
});
