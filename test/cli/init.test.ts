import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DialectId } from '../../server/src/core/dialects/ids';
import { loadSchema } from '../../server/src/core/schema/load';
import { resolveField } from '../../server/src/core/schema/resolve';
import type { Schema } from '../../server/src/core/schema/types';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const ws = workspacesRemovedAfter();

interface CheckJson {
  files: { path: string; dialect: string | null; diagnostics: { rule: string; message: string }[]; fields: { path: string; fallback: string | null }[] }[];
}

function checkJson(dir: string): CheckJson {
  const run = cli(['check', '--format', 'json'], dir);
  assert.ok(run.code !== 2, run.stderr);
  return JSON.parse(run.stdout) as CheckJson;
}

function rulesIn(report: CheckJson): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of report.files) for (const d of file.diagnostics) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  return counts;
}

function schemaIn(dir: string): Schema {
  const file = path.join(dir, 'mergewise.json');
  const loaded = loadSchema(fs.readFileSync(file, 'utf8'), file, dir);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], 'the written mergewise.json loads without errors');
  return loaded.schema;
}

/** A copy of examples/ without its mergewise.json and sample recipients. */
function examplesWithoutSchema(): string {
  const dir = ws({});
  fs.cpSync(EXAMPLES, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'mergewise.json'));
  fs.rmSync(path.join(dir, 'recipients'), { recursive: true });
  return dir;
}

function initJson(args: string[], dir: string): { code: number; report: any; stderr: string } {
  const run = cli(['init', ...args, '--format', 'json'], dir);
  return { code: run.code, report: run.code === 0 ? JSON.parse(run.stdout) : undefined, stderr: run.stderr };
}

describe('mergewise init on the examples', () => {
  const original = checkJson(EXAMPLES);
  const originalSchema = loadSchema(fs.readFileSync(path.join(EXAMPLES, 'mergewise.json'), 'utf8'), path.join(EXAMPLES, 'mergewise.json'), EXAMPLES).schema;
  const dir = examplesWithoutSchema();
  const run = cli(['init'], dir);
  const schema = schemaIn(dir);

  test('exits 0 and writes mergewise.json and two sample recipients', () => {
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Wrote: mergewise\.json, recipients\/sample-complete\.json, recipients\/sample-empty\.json/);
    assert.ok(fs.existsSync(path.join(dir, 'recipients/sample-complete.json')));
    assert.ok(fs.existsSync(path.join(dir, 'recipients/sample-empty.json')));
  });

  test('declares every field path the examples use, as check reports them with the original schema', () => {
    const missing: string[] = [];
    for (const file of original.files) {
      if (!file.dialect) continue;
      for (const use of file.fields) {
        if (resolveField(schema, file.dialect as DialectId, use.path).kind === 'unknown') missing.push(`${file.path}: ${use.path}`);
      }
    }
    // But the draft's misspelling, which init lists as a suspected typo instead of declaring it.
    assert.deepEqual(missing, ['emails/drafts/stylist-spotlight.liquid: customer.frist_name']);
    assert.match(run.stdout, /Suspected typos[^\n]*: 1\n {2}customer\.frist_name \(1 use\) ~ customer\.first_name\n/);
  });

  test('gives the types of the original schema where the uses show them', () => {
    const expected: Record<string, string> = {
      'cart.items': 'array', 'cart.total': 'number', 'subscription.price': 'number', 'trial.ends_at': 'date',
      'subscription.renews_at': 'date', 'event.Items': 'array',
    };
    for (const [field, type] of Object.entries(expected)) assert.equal(schema.fields.get(field)?.type, type, field);
    // Every type told by use agrees with the original schema's field, wherever that resolves.
    const unknown = new Set<string>(JSON.parse(cli(['init', '--dry-run', '--format', 'json'], examplesWithoutSchema()).stdout).summary.typeUnknown.map((f: { path: string }) => f.path));
    const disagree: string[] = [];
    for (const file of original.files) {
      if (!file.dialect) continue;
      for (const use of file.fields) {
        const was = resolveField(originalSchema, file.dialect as DialectId, use.path);
        const now = resolveField(schema, file.dialect as DialectId, use.path);
        if (was.kind !== 'field' || now.kind !== 'field' || unknown.has(now.field.path) || was.field.path !== use.path && !use.path.includes('[]') && was.field.aliases[file.dialect as DialectId] !== use.path) continue;
        if (now.field.open || was.field.open) continue;
        if (was.field.type !== now.field.type) disagree.push(`${use.path}: ${now.field.type}, was ${was.field.type}`);
      }
    }
    assert.deepEqual([...new Set(disagree)], []);
  });

  test('writes the fallback every use agrees on, and lists the ones that differ', () => {
    assert.equal(schema.fields.get('customer.first_name')?.fallback, 'there');
    assert.equal(schema.fields.get('customer.city')?.fallback, undefined);
    assert.match(run.stdout, /Fallbacks that differ between uses \(none written\): 1\n {2}customer\.city: "your area" ×3, "your city" ×1/);
  });

  test('check right after reports no unknown-field but the suspected typo, and every template keeps the dialect init read it in', () => {
    const after = checkJson(dir);
    // The suspected typo alone, which check reports with the name it likely meant.
    const unknown = after.files.flatMap((file) => file.diagnostics.filter((d) => d.rule === 'unknown-field').map((d) => d.message));
    assert.equal(unknown.length, 1);
    assert.match(unknown[0], /`customer\.frist_name`.*Did you mean `customer\.first_name`/);
    assert.equal(rulesIn(after).get('type-mismatch'), undefined);
    const report = initJson(['--dry-run'], examplesWithoutSchema()).report;
    assert.deepEqual(report.findings.dialectChanged, []);
    assert.equal(report.findings.counts['unknown-field'], 1);
    // The summary's counts are check's own (hints aside).
    const counts = rulesIn(after);
    for (const [rule, count] of Object.entries(report.findings.counts)) assert.equal(counts.get(rule), count, rule);
  });

  test('proposes source and sensitivity in descriptions, never as values', () => {
    const health = schema.fields.get('customer.health_notes')!;
    assert.equal(health.sensitivity, undefined);
    assert.equal(health.source, undefined);
    assert.match(health.description ?? '', /^proposed: review — sensitivity special-category/);
    assert.match(run.stdout, /Proposals to review[^\n]*: 2\n/);
  });

  test('the sample recipients have every field: filled, and empty', () => {
    const complete = JSON.parse(fs.readFileSync(path.join(dir, 'recipients/sample-complete.json'), 'utf8'));
    const empty = JSON.parse(fs.readFileSync(path.join(dir, 'recipients/sample-empty.json'), 'utf8'));
    assert.equal(complete.customer.first_name, 'Ana');
    assert.equal(typeof complete.cart.total, 'number');
    assert.equal(complete.cart.items.length, 2);
    assert.equal(typeof complete.cart.items[0].title, 'string');
    assert.match(complete.trial.ends_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(empty.customer.first_name, '');
    assert.deepEqual(empty.cart.items, []);
    assert.equal(empty.cart.total, null);
  });
});

describe('mergewise init: one field written per platform', () => {
  const files = {
    'emails/welcome.liquid': "Hi {{ customer.first_name | default: 'there' }}!\n",
    'mailchimp/welcome.html': '<p>Hi *|FNAME|*!</p>\n',
    'sfmc/welcome.amp': '%%[ SET @n = AttributeValue("FirstName") ]%%\nHi %%=v(@n)=%%!\n',
  };

  test('without --alias, two spellings stay two fields, and the summary lists them as alias candidates', () => {
    const dir = ws(files);
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    const schema = schemaIn(dir);
    assert.deepEqual([...schema.fields.keys()].sort(), ['FNAME', 'FirstName', 'customer.first_name']);
    assert.match(run.stdout, /Alias candidates[^\n]*: 1\n {2}customer\.first_name ~ (mailchimp FNAME ~ ampscript FirstName|ampscript FirstName ~ mailchimp FNAME)\n/);
    assert.match(run.stdout, /--alias customer\.first_name=mailchimp:FNAME/);
    assert.equal(rulesIn(checkJson(dir)).get('unknown-field'), undefined);
  });

  test('with --alias, they become one field with aliases', () => {
    const dir = ws(files);
    const run = cli(['init', '--alias', 'customer.first_name=mailchimp:FNAME', '--alias', 'customer.first_name=ampscript:FirstName'], dir);
    assert.equal(run.code, 0, run.stderr);
    const schema = schemaIn(dir);
    assert.deepEqual([...schema.fields.keys()], ['customer.first_name']);
    assert.deepEqual(schema.fields.get('customer.first_name')!.aliases, { ampscript: 'FirstName', mailchimp: 'FNAME' });
    const after = checkJson(dir);
    assert.equal(rulesIn(after).get('unknown-field'), undefined);
    assert.deepEqual(after.files.filter((f) => f.dialect).map((f) => `${f.path} ${f.dialect}`).sort(),
      ['emails/welcome.liquid liquid', 'mailchimp/welcome.html mailchimp', 'sfmc/welcome.amp ampscript']);
  });

  test('a malformed --alias is a usage error', () => {
    const dir = ws(files);
    const run = cli(['init', '--alias', 'customer.first_name=FNAME'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--alias takes FIELD=dialect:NAME/);
    assert.equal(cli(['init', '--alias', 'a=nowhere:B'], dir).code, 2);
    assert.ok(!fs.existsSync(path.join(dir, 'mergewise.json')));
  });
});

/** A small deterministic generator of real-world-shaped templates in several dialects. */
function generatedWorkspace(count: number): Record<string, string> {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const people = ['customer.first_name', 'customer.last_name', 'customer.city', 'customer.company', 'account.plan', 'account.owner.name'];
  const money = ['order.total', 'order.shipping', 'account.balance'];
  const dates = ['order.placed_at', 'account.renews_at', 'trial.ends_at'];
  const folders = ['onboarding', 'lifecycle', 'transactional', 'promotions', 'newsletters', 'drafts'];
  const files: Record<string, string> = {};
  files['snippets/line.liquid'] = '{% comment %}@param {object} line{% endcomment %}<td>{{ line.sku }}</td><td>{{ line.name | default: "item" }}</td>\n';
  for (let i = 0; i < count; i++) {
    const folder = pick(folders);
    const kind = i % 5;
    let text = '';
    if (kind <= 2) {
      text += `<p>Hi {{ ${pick(people)} | default: "there" }},</p>\n`;
      text += `{% if ${pick(people)} %}<p>From {{ ${pick(people)} }}</p>{% endif %}\n`;
      text += `<p>Total: \${{ ${pick(money)} }} on {{ ${pick(dates)} | date: "%b %d" }}</p>\n`;
      text += '{% for line in order.lines %}{% render "line", line: line %}<td>{{ line.price | money }}</td>{% endfor %}\n';
      text += `{% if account.score > 50 %}<p>{{ account.segment }}</p>{% endif %}\n`;
      if (i % 17 === 0) text += '{% if customer.vip %}<b>VIP {{ customer.first_name\n'; // broken
      files[`${folder}/email-${i}.liquid`] = text;
    } else if (kind === 3) {
      text += `<p>Hello {{#if ${pick(people)}}}{{${pick(people)}}}{{else}}there{{/if}}</p>\n`;
      text += '{{#each order.lines}}<td>{{this.name}}</td>{{/each}}\n';
      files[`ses/${folder}/email-${i}.hbs`] = text;
    } else {
      text += '<p>Hi *|FNAME|*, your plan is *|PLAN|*.</p>\n*|IF:CITY|*<p>See you in *|CITY|*</p>*|END:IF|*\n';
      files[`mailchimp/${folder}/email-${i}.html`] = text;
    }
  }
  return files;
}

describe('mergewise init on a generated workspace of 200 templates', () => {
  test('check right after reports no unknown-field, and no template changes dialect', () => {
    const dir = ws(generatedWorkspace(200));
    const { code, report, stderr } = initJson([], dir);
    assert.equal(code, 0, stderr);
    assert.equal(report.written, true);
    assert.equal(report.summary.templates, 201);
    assert.deepEqual(report.findings.dialectChanged, []);
    const after = checkJson(dir);
    const rules = rulesIn(after);
    assert.equal(rules.get('unknown-field'), undefined);
    assert.equal(rules.get('type-mismatch'), undefined);
    assert.ok(rules.get('syntax-error'), 'the broken templates still show their syntax errors');
    const schema = schemaIn(dir);
    assert.equal(schema.fields.get('order.lines')?.type, 'array');
    assert.equal(schema.fields.get('order.lines[].price')?.type, 'number');
    assert.equal(schema.fields.get('order.total')?.type, 'number');
    assert.equal(schema.fields.get('trial.ends_at')?.type, 'date');
    assert.equal(schema.fields.get('account.score')?.type, 'number');
    assert.match(schema.fields.get('account.score')?.description ?? '', /proposed: review — source inferred/);
    assert.ok(schema.fields.has('order.lines[].sku'), 'a partial\'s uses are read through the templates that render it');
    assert.ok(!schema.fields.has('line.sku'));
    // Each dialect kept.
    const dialects = new Set(after.files.map((f) => `${f.path.split('/')[0]}:${f.dialect}`));
    assert.ok(dialects.has('mailchimp:mailchimp'));
    assert.ok(dialects.has('ses:handlebars'));
  });
});

const EXISTING = `{
  // Our fields. Keep this comment.
  "dialect": "liquid",
  "fields": {
    "customer.first_name": { "type": "string", "fallback": "there" }, // one line each
    "cart.items": {
      "type": "array",
      "items": { "fields": { "title": { "type": "string" } } }
    }
  }
}
`;
const USES = '{{ customer.first_name }} {{ customer.city | default: "your area" }}\n{% for i in cart.items %}{{ i.title }} {{ i.price | money }}{% endfor %}\n';

describe('mergewise init with a mergewise.json already there', () => {
  test('without --merge it shows what it would add and writes nothing', () => {
    const dir = ws({ 'mergewise.json': EXISTING, 'emails/a.liquid': USES });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'), EXISTING);
    assert.match(run.stdout, /^\+.*"customer\.city"/m);
    assert.match(run.stdout, /Run again with --merge/);
    assert.match(run.stdout, /Fields to add: 2\n {2}cart\.items\[\]\.price\n {2}customer\.city\n/);
    assert.ok(!fs.existsSync(path.join(dir, 'recipients')));
  });

  test('--merge adds only the missing fields, keeping comments and formatting', () => {
    const dir = ws({ 'mergewise.json': EXISTING, 'emails/a.liquid': USES });
    const run = cli(['init', '--merge'], dir);
    assert.equal(run.code, 0, run.stderr);
    const text = fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8');
    for (const line of EXISTING.split('\n').slice(0, 5)) assert.ok(text.includes(line), `kept: ${line}`);
    const schema = schemaIn(dir);
    assert.deepEqual([...schema.fields.keys()].sort(), ['cart.items', 'cart.items[].price', 'cart.items[].title', 'customer.city', 'customer.first_name']);
    assert.equal(schema.fields.get('cart.items[].price')!.type, 'number');
    assert.equal(schema.fields.get('customer.city')!.fallback, 'your area');
    assert.equal(rulesIn(checkJson(dir)).get('unknown-field'), undefined);
    // Nothing left to add: a second merge changes nothing.
    const again = cli(['init', '--merge'], dir);
    assert.equal(again.code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'), text);
    assert.match(again.stdout, /already declares every field/);
  });

  test('--merge --dry-run prints the diff and writes nothing', () => {
    const dir = ws({ 'mergewise.json': EXISTING, 'emails/a.liquid': USES });
    const run = cli(['init', '--merge', '--dry-run'], dir);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^--- a\/mergewise\.json/m);
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'), EXISTING);
  });
});

describe('mergewise init leaves the type out where the uses do not tell it', () => {
  test('an `{% if x %}` field is written untyped and listed; check right after finds no unknown-field', () => {
    const dir = ws({ 'emails/a.liquid': '{% if customer.vip %}VIP {{ customer.first_name }}{% endif %} {{ trial.ends_at | date: "%b" }}' });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Type not told by the uses \(left out[^\n]*\): 2\n {2}customer\.first_name\n {2}customer\.vip \(only tested with if/);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.equal('type' in written.fields['customer.vip'], false);
    assert.equal('type' in written.fields['customer.first_name'], false);
    assert.equal(written.fields['trial.ends_at'].type, 'date');
    assert.equal(schemaIn(dir).fields.get('customer.vip')!.type, undefined);
    const check = cli(['check', '--format', 'json'], dir);
    assert.ok(check.code === 0 || check.code === 1, check.stderr);
    const rules = rulesIn(JSON.parse(check.stdout) as CheckJson);
    assert.equal(rules.get('unknown-field'), undefined);
    assert.equal(rules.get('type-mismatch'), undefined);
    assert.equal(rules.get('schema-error'), undefined);
  });
});

describe('mergewise init on a list whose items have nested objects', () => {
  test('check right after finds no unknown-field on the nested object tested on its own', () => {
    const dir = ws({ 'emails/a.liquid': '{% for line in order.lines %}{% if line.plan %}{{ line.plan.name | default: "Plan" }}{% endif %}{% endfor %}' });
    assert.equal(cli(['init'], dir).code, 0);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.deepEqual(Object.keys(written.fields['order.lines'].items.fields), ['plan.name']);
    const rules = rulesIn(checkJson(dir));
    assert.equal(rules.get('unknown-field'), undefined);
  });
});

describe('mergewise init with a fallback that is another field', () => {
  test('only text is written as a fallback; explain shows each recipient the other field\'s value', () => {
    const dir = ws({
      'emails/a.liquid': '<p>Hi {{ customer.first_name | default: billing_address.first_name }},</p>',
      'emails/b.liquid': '<p>{{ customer.first_name | default: "there" }}</p>',
    });
    assert.equal(cli(['init'], dir).code, 0);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.equal(written.fields['customer.first_name'].fallback, 'there');
    fs.writeFileSync(path.join(dir, 'recipients/bo.json'), JSON.stringify({ $name: 'Bo', billing_address: { first_name: 'Bob' } }));
    const explained = cli(['explain', 'emails/a.liquid:1:10'], dir);
    assert.match(explained.stdout, /^Bo: "Bob" \(fallback\)$/m);
    assert.match(explained.stdout, /^Sample recipient \(optional fields empty\): \(blank\)$/m);
  });
});

describe('mergewise init on a path written in a shape no platform reads', () => {
  test('`{{a[0]}}` declares no field with an empty name: check right after runs', () => {
    const dir = ws({ 'emails/a.hbs': '{{a[0]}} {{#if b}}{{b}}{{/if}}' });
    assert.equal(cli(['init'], dir).code, 0);
    schemaIn(dir);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8')).fields), ['b']);
    assert.notEqual(cli(['check'], dir).code, 2);
  });
});

describe('mergewise init on a list of lists', () => {
  test('the outer list is declared open, and check right after runs without a configuration error or unknown-field', () => {
    const dir = ws({ 'emails/a.hbs': '{{#each pages}}{{#each this}}<p>{{#if title}}{{title}}{{else}}Untitled{{/if}}</p>{{/each}}{{/each}}' });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.deepEqual(written.fields, { pages: { type: 'array' } });
    schemaIn(dir);
    assert.equal(rulesIn(checkJson(dir)).get('unknown-field'), undefined);
  });
});

describe('mergewise init reads the files an existing mergewise.json names', () => {
  test('a `templates` glob makes any extension a template for init, as for check', () => {
    const dir = ws({ 'emails/a.pug': 'p Hi *|FNAME|*', 'mergewise.json': '{ "templates": { "**/*.pug": "mailchimp" } }\n' });
    const run = cli(['init', '--merge'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 new field from 1 template in \. \(mailchimp 1\)/);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8')).fields), ['FNAME']);
    assert.equal(rulesIn(checkJson(dir)).get('unknown-field'), undefined);
  });
});

describe('mergewise init on Shopify notifications', () => {
  test('Shopify\'s own names make it write "liquid": {"platform": "shopify"} and declare none of them; check right after agrees', () => {
    const dir = ws({
      'notifications/order.liquid': '<img src="{{ shop.email_logo_url }}" width="{{ shop.email_logo_width }}"><h1>{{ email_title }}</h1>' +
        '<a href="{{ order_status_url }}">View</a><p>Hi {{ customer.first_name | default: "there" }}, from {{ shop.name }}</p>',
    });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Shopify notifications: written with "liquid": \{"platform": "shopify"\}[^\n]*: 5\n {2}email_title\n/);
    assert.match(run.stdout, /mergewise check reports no findings/);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.deepEqual(written.liquid, { platform: 'shopify' });
    assert.deepEqual(Object.keys(written.fields), ['customer.first_name']);
    assert.equal(rulesIn(checkJson(dir)).get('unknown-field'), undefined);
  });

  test('one Shopify-looking name alone is not enough: a Braze template with a `shop` field stays Braze', () => {
    const dir = ws({ 'emails/a.liquid': '{{ shop.name | default: "us" }} {{ customer.first_name | default: "there" }}' });
    assert.equal(cli(['init'], dir).code, 0);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.equal(written.liquid, undefined);
    assert.deepEqual(Object.keys(written.fields), ['customer.first_name', 'shop.name']);
  });
});

describe('mergewise init never overwrites', () => {
  test('--dry-run prints the files and writes nothing', () => {
    const dir = ws({ 'emails/a.liquid': USES });
    const run = cli(['init', '--dry-run'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /=== mergewise\.json \(would create\) ===\n\{\n {2}"templates"/);
    assert.match(run.stdout, /=== recipients\/sample-empty\.json \(would create\) ===/);
    assert.deepEqual(fs.readdirSync(dir), ['emails']);
  });

  test('a sample recipient file already there is kept as it is', () => {
    const mine = '{ "$name": "mine" }\n';
    const dir = ws({ 'emails/a.liquid': USES, 'recipients/sample-complete.json': mine });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'recipients/sample-complete.json'), 'utf8'), mine);
    assert.ok(fs.existsSync(path.join(dir, 'recipients/sample-empty.json')));
    assert.match(run.stdout, /Kept as they are \(never replaced\): recipients\/sample-complete\.json/);
  });

  test('a second run writes nothing', () => {
    const dir = ws({ 'emails/a.liquid': USES });
    assert.equal(cli(['init'], dir).code, 0);
    const before = fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'emails/b.liquid'), '{{ customer.zip }}');
    assert.equal(cli(['init'], dir).code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'), before);
  });
});

describe('mergewise init: bad input', () => {
  test('a template with syntax errors is still mined and listed', () => {
    const dir = ws({ 'emails/a.liquid': '{% if customer.vip %}Hi {{ customer.first_name }}, {{ customer.\n', 'emails/b.liquid': '{{ order.total | plus: 1 }}' });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    const schema = schemaIn(dir);
    assert.ok(schema.fields.has('customer.vip'));
    assert.ok(schema.fields.has('customer.first_name'));
    assert.match(run.stdout, /Templates with syntax errors \(their fields were still read\): 1\n {2}emails\/a\.liquid: /);
    assert.match(run.stdout, /syntax-error \d/);
  });

  test('a folder that cannot be written: exit 2, naming the path, and nothing written', () => {
    // Root can write anywhere: a regular file where the recipients folder goes fails for anyone.
    const dir = ws({ 'emails/a.liquid': USES, recipients: 'not a folder' });
    const run = cli(['init'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`mergewise: cannot write ${escape(path.join(dir, 'recipients'))}`));
    assert.match(run.stderr, /EEXIST|ENOTDIR/);
    assert.ok(!fs.existsSync(path.join(dir, 'mergewise.json')), 'no mergewise.json without its recipients');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['emails', 'recipients']);
  });

  test('a path that does not exist is a usage error', () => {
    const dir = ws({ 'emails/a.liquid': USES });
    const run = cli(['init', 'nowhere'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /nowhere: no such file or folder/);
  });

  test('an existing mergewise.json that is not JSON: exit 2, nothing written', () => {
    const dir = ws({ 'emails/a.liquid': USES, 'mergewise.json': '{ "fields": ' });
    const run = cli(['init', '--merge'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /mergewise\.json is not valid JSON/);
    assert.equal(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'), '{ "fields": ');
  });
});

describe('mergewise init is deterministic', () => {
  test('the same templates written in another order give byte-identical files', () => {
    const files = generatedWorkspace(40);
    const entries = Object.entries(files);
    const shuffled = Object.fromEntries(entries.map((e, i) => [i, e] as const).sort((a, b) => ((a[0] * 7919) % 41) - ((b[0] * 7919) % 41)).map(([, e]) => e));
    const [a, b] = [ws(files), ws(shuffled)];
    assert.equal(cli(['init'], a).code, 0);
    assert.equal(cli(['init'], b).code, 0);
    for (const file of ['mergewise.json', 'recipients/sample-complete.json', 'recipients/sample-empty.json']) {
      assert.equal(fs.readFileSync(path.join(a, file), 'utf8'), fs.readFileSync(path.join(b, file), 'utf8'), file);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


describe('init: templates whose syntax tells no platform', () => {
  test('are read in the one platform the others tell (a Postmark repository is not split into Liquid and Postmark)', () => {
    const dir = ws({
      'a/welcome.html': '<p>Hi {{name}}</p>\n{{{ pm:unsubscribe }}}\n',
      'a/receipt.html': '<p>Receipt {{receipt_id}} for {{name}}</p>\n',
      'b/plain.html': '<p>{{name}}</p>\n',
    });
    const run = cli(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8'));
    assert.deepEqual(written.templates, { '**/*.html': 'postmark' });
    assert.deepEqual([...new Set(checkJson(dir).files.filter((file) => file.path.endsWith('.html')).map((file) => file.dialect))], ['postmark']);
  });

  test('a filter in an output tells Liquid: such a template is not read as the Handlebars beside it', () => {
    const dir = ws({
      'a.html': '{{#if name}}Hi {{name}}{{/if}}\n{{> footer}}\n',
      'b.html': '<p>Hi {{ customer.first_name | default: "there" }}, your order {{ order.name | upcase }}</p>\n',
      'footer.html': '<p>{{ unsubscribe_url }}</p>\n',
    });
    assert.equal(cli(['init'], dir).code, 0);
    const dialects = new Map(checkJson(dir).files.map((file) => [file.path, file.dialect]));
    assert.deepEqual([dialects.get('a.html'), dialects.get('b.html'), dialects.get('footer.html')], ['handlebars', 'liquid', 'handlebars']);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'mergewise.json'), 'utf8')).fields['customer.first_name'].fallback, 'there');
  });

  test('stay Liquid, the default, when the others tell two platforms', () => {
    const dir = ws({
      'a/welcome.html': '{{{ pm:unsubscribe }}}\n',
      'b/promo.html': '{% if x %}{{ x }}{% endif %}\n',
      'c/plain.html': '<p>{{name}}</p>\n',
    });
    assert.equal(cli(['init'], dir).code, 0);
    const dialects = new Map(checkJson(dir).files.map((file) => [file.path, file.dialect]));
    assert.deepEqual([dialects.get('a/welcome.html'), dialects.get('b/promo.html'), dialects.get('c/plain.html')], ['postmark', 'liquid', 'liquid']);
  });
});

describe('init: which files it reads', () => {
  test('as check does: a dist folder a templates glob names is read, a page Mergewise wrote is not', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ templates: { 'dist/emails/*.html': 'liquid' }, fields: {} }),
      'dist/emails/built.html': '<p>{{ customer.city }}</p>',
      'mergewise-report/report.html': '<!doctype html><html><head><meta charset="utf-8">\n<meta name="generator" content="mergewise"></head><body>Add `{{ customer.quoted_in_a_message }}`</body></html>',
    });
    const { report } = initJson(['--dry-run'], dir);
    assert.deepEqual(report.summary.fields, ['customer.city']);
  });
});
