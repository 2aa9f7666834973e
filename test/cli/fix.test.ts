import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffLines, splitLines, unifiedDiff } from '../../server/src/cli/diff';
import { temporaryPath, writeFileAtomically, type AtomicWriteFs } from '../../server/src/cli/fix';
import { DIALECT_IDS, type DialectId } from '../../server/src/core/dialects/ids';
import { cli, workspacesRemovedAfter, type CliRun } from '../helpers/workspace';

/** Every field has the spelling each platform uses; two have a fallback (safe to add), one has none. */
const FIELDS = {
  'customer.first_name': {
    type: 'string', source: 'declared', fallback: 'there',
    aliases: {
      sendgrid: 'firstName', iterable: 'firstName', postmark: 'FirstName', hml: 'Recipient.FirstName', klaviyo: 'first_name',
      hubl: 'contact.firstname', ampscript: 'FirstName', mailchimp: 'FNAME', marketo: 'lead.First Name',
    },
  },
  'customer.city': {
    type: 'string', source: 'declared', fallback: 'your area',
    aliases: {
      sendgrid: 'city', iterable: 'city', postmark: 'City', hml: 'Recipient.City', klaviyo: 'city',
      hubl: 'contact.city', ampscript: 'City', mailchimp: 'CITY', marketo: 'lead.City',
    },
  },
  'customer.last_name': { type: 'string', source: 'declared', aliases: { mailchimp: 'LNAME' } },
};

/** A mergewise.json where a missing fallback is an error, so that the exit code says whether any is left. */
function schema(extra: object = {}): string {
  return JSON.stringify({ fields: FIELDS, rules: { 'missing-fallback': 'error' }, ...extra }, null, 2);
}

interface DialectCase {
  /** Where the template goes: the extension picks some dialects. */
  file: string;
  /** How the dialect is chosen, which `--fix` must follow as `check` does. */
  chosenBy: 'file extension' | 'content' | 'schema default' | 'templates glob';
  schema: string;
  before: string;
  /** The template once every safe fix is made, in the dialect's own syntax. */
  fixed: string;
  /** Safe fixes made, and passes taken. */
  fixes: number;
  passes: number;
  /** missing-fallback findings left (on fields with no schema fallback: only suggested, never applied). */
  left: number;
}

const CASES: Record<DialectId, DialectCase> = {
  liquid: {
    file: 'emails/a.liquid', chosenBy: 'file extension', schema: schema(),
    before: 'Hi {{ customer.first_name }},\n{{ customer.city | upcase }} {{ customer.first_name }}\n',
    fixed: "Hi {{ customer.first_name | default: 'there' }},\n{{ customer.city | default: 'your area' | upcase }} {{ customer.first_name | default: 'there' }}\n",
    fixes: 3, passes: 1, left: 0,
  },
  handlebars: {
    file: 'emails/a.hbs', chosenBy: 'file extension', schema: schema(),
    before: 'Hi {{customer.first_name}},\n{{{customer.city}}}\n',
    fixed: 'Hi {{#if customer.first_name}}{{customer.first_name}}{{else}}there{{/if}},\n{{#if customer.city}}{{{customer.city}}}{{else}}your area{{/if}}\n',
    fixes: 2, passes: 1, left: 0,
  },
  sendgrid: {
    file: 'emails/a.html', chosenBy: 'schema default', schema: schema({ dialect: 'sendgrid' }),
    // Around another helper, the fallback is a wrapping `{{#if}}`.
    before: 'Hi {{firstName}},\n{{insert city}} {{formatDate firstName "MMMM D"}}\n',
    fixed: 'Hi {{insert firstName "default=there"}},\n{{insert city "default=your area"}} {{#if firstName}}{{formatDate firstName "MMMM D"}}{{else}}there{{/if}}\n',
    fixes: 3, passes: 1, left: 0,
  },
  iterable: {
    file: 'iterable/a.html', chosenBy: 'templates glob', schema: schema({ templates: { 'iterable/**': 'iterable' } }),
    before: 'Hi {{firstName}},\n{{capitalize city}} {{{firstName}}}\n',
    fixed: 'Hi {{defaultIfEmpty firstName "there"}},\n{{defaultIfEmpty (capitalize city) "your area"}} {{{defaultIfEmpty firstName "there"}}}\n',
    fixes: 3, passes: 1, left: 0,
  },
  postmark: {
    file: 'emails/a.mustache', chosenBy: 'file extension', schema: schema(),
    before: 'Hi {{FirstName}},\n{{{City}}}\n',
    fixed: 'Hi {{#FirstName}}{{.}}{{/FirstName}}{{^FirstName}}there{{/FirstName}},\n{{#City}}{{{.}}}{{/City}}{{^City}}your area{{/City}}\n',
    fixes: 2, passes: 1, left: 0,
  },
  hml: {
    file: 'emails/a.html', chosenBy: 'content', schema: schema(),
    before: '<p>Hi {{Recipient.FirstName}},</p>\n<p>{{Recipient.City}}</p>\n',
    fixed: '<p>Hi {{#if Recipient.FirstName}}{{Recipient.FirstName}}{{else}}there{{/if}},</p>\n<p>{{#if Recipient.City}}{{Recipient.City}}{{else}}your area{{/if}}</p>\n',
    fixes: 2, passes: 1, left: 0,
  },
  klaviyo: {
    file: 'emails/a.html', chosenBy: 'schema default', schema: schema({ dialect: 'klaviyo' }),
    before: "Hi {{ first_name }},\n{{ person.city|upper }} {{ person|lookup:'city' }}\n",
    fixed: "Hi {{ first_name|default:'there' }},\n{{ person.city|default:'your area'|upper }} {{ person|lookup:'city'|default:'your area' }}\n",
    fixes: 3, passes: 1, left: 0,
  },
  hubl: {
    file: 'emails/a.hubl', chosenBy: 'file extension', schema: schema(),
    before: "Hi {{ contact.firstname }},\n{{ personalization_token('contact.city') }} {{ contact.firstname|title }}\n",
    fixed: "Hi {{ contact.firstname|default('there') }},\n{{ personalization_token('contact.city', 'your area') }} {{ contact.firstname|default('there')|title }}\n",
    fixes: 3, passes: 1, left: 0,
  },
  ampscript: {
    // Both attributes in one expression: their fixes rewrite the same text, so the second waits a pass.
    file: 'emails/a.amp', chosenBy: 'file extension', schema: schema(),
    before: '%%[ SET @f = AttributeValue("FirstName") SET @c = AttributeValue("City") ]%%\nHi %%=v(@f)=%%, %%City%%\n%%=Concat(@f, " in ", @c)=%%\n',
    fixed: '%%[ SET @f = AttributeValue("FirstName") SET @c = AttributeValue("City") ]%%\n' +
      'Hi %%=IIF(Empty(@f), "there", v(@f))=%%, %%=IIF(Empty(AttributeValue("City")), "your area", AttributeValue("City"))=%%\n' +
      '%%=IIF(Empty(@c), "your area", IIF(Empty(@f), "there", Concat(@f, " in ", @c)))=%%\n',
    fixes: 4, passes: 2, left: 0,
  },
  mailchimp: {
    // Mailchimp keeps defaults in the audience: a field with a schema fallback has it already, so no
    // finding is safe to fix; LNAME has none, and its placeholder fix is only ever suggested.
    file: 'emails/a.html', chosenBy: 'content', schema: schema(),
    before: '<p>Hi *|FNAME|*,</p>\n<p>*|CITY|* *|LNAME|*</p>\n',
    fixed: '<p>Hi *|FNAME|*,</p>\n<p>*|CITY|* *|LNAME|*</p>\n',
    fixes: 0, passes: 0, left: 1,
  },
  marketo: {
    file: 'emails/a.html', chosenBy: 'content', schema: schema(),
    before: '<p>Hi {{lead.First Name}},</p>\n<p>{{lead.City}}</p>\n',
    fixed: '<p>Hi {{lead.First Name:default=there}},</p>\n<p>{{lead.City:default=your area}}</p>\n',
    fixes: 2, passes: 1, left: 0,
  },
};

interface JsonReport {
  files: {
    path: string;
    dialect: string | null;
    diagnostics: { rule: string; severity: string; message: string; field?: string }[];
    fields: unknown[];
    fixes?: { count: number; titles: { title: string; count: number }[]; passes: number; settled: boolean; written: boolean; error?: string };
  }[];
  summary: { errors: number; warnings: number };
  notices: string[];
}

function json(run: CliRun): JsonReport {
  return JSON.parse(run.stdout) as JsonReport;
}

const ws = workspacesRemovedAfter();

/** Every file under `dir`, by relative path, with its bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/**
 * Applies a unified diff to the files under `dir`, checking every context and removed line: an
 * independent reader of the format, so the test does not trust the writer's own idea of it.
 */
function applyUnifiedDiff(dir: string, diff: string): void {
  const records = splitLines(diff);
  let k = 0;
  while (k < records.length) {
    const from = /^--- a\/(.*)\n$/.exec(records[k]);
    const to = /^\+\+\+ b\/(.*)\n$/.exec(records[k + 1] ?? '');
    assert.ok(from && to && from[1] === to[1], `a file header, not ${JSON.stringify(records[k])}`);
    k += 2;
    const file = path.join(dir, from[1]);
    const old = splitLines(fs.readFileSync(file, 'utf8'));
    const result: string[] = [];
    let at = 0;
    while (k < records.length && records[k].startsWith('@@')) {
      const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@\n$/.exec(records[k++]);
      assert.ok(header, 'a hunk header');
      const [oldStart, oldCount, , newCount] = header.slice(1).map(Number);
      const start = oldCount === 0 ? oldStart : oldStart - 1;
      assert.ok(start >= at, 'hunks in order');
      result.push(...old.slice(at, start));
      at = start;
      let removed = 0;
      let added = 0;
      while (k < records.length && /^[ +-]/.test(records[k])) {
        const kind = records[k][0];
        let content = records[k].slice(1);
        if (records[k + 1]?.startsWith('\\ No newline at end of file')) {
          content = content.slice(0, -1);
          k++;
        }
        if (kind !== '+') {
          assert.equal(old[at], content, `line ${at + 1} of ${from[1]} as the diff says`);
          at++;
          removed++;
        }
        if (kind !== '-') {
          result.push(content);
          added++;
        }
        k++;
      }
      assert.equal(removed, oldCount, 'the hunk\'s old line count');
      assert.equal(added, newCount, 'the hunk\'s new line count');
    }
    result.push(...old.slice(at));
    fs.writeFileSync(file, result.join(''));
  }
}

const missingFallbacks = (report: JsonReport, file: string) =>
  report.files.find((f) => f.path === file)?.diagnostics.filter((d) => d.rule === 'missing-fallback') ?? [];

describe('mergewise check --fix, on every dialect', () => {
  test('every dialect has a case', () => {
    assert.deepEqual(Object.keys(CASES).sort(), [...DIALECT_IDS].sort());
  });

  for (const id of DIALECT_IDS) {
    const c = CASES[id];
    describe(`${id} (chosen by ${c.chosenBy})`, () => {
      test('--fix makes every safe fix in the dialect\'s syntax; the report and exit code are of what is left; a second --fix changes nothing', () => {
        const dir = ws({ 'mergewise.json': c.schema, [c.file]: c.before });
        const file = path.join(dir, c.file);

        const before = cli(['check', '--format', 'json'], dir);
        assert.equal(before.code, 1, 'a missing fallback is an error here');
        const found = missingFallbacks(json(before), c.file);
        assert.equal(json(before).files.find((f) => f.path === c.file)?.dialect, id);
        assert.equal(found.length, c.fixes + c.left, JSON.stringify(found));
        assert.equal(json(before).files[0].fixes, undefined, 'no fixes summary without --fix');

        const fixed = cli(['check', '--fix', '--format', 'json'], dir);
        assert.equal(fs.readFileSync(file, 'utf8'), c.fixed);
        assert.equal(fixed.code, c.left ? 1 : 0, fixed.stderr);
        const report = json(fixed).files.find((f) => f.path === c.file);
        assert.equal(report?.dialect, id);
        assert.equal(missingFallbacks(json(fixed), c.file).length, c.left, 'the report is of the fixed file');
        assert.deepEqual(report?.diagnostics.filter((d) => d.rule === 'syntax-error'), [], 'the fixes are valid syntax');
        assert.equal(report?.fixes?.count, c.fixes);
        assert.equal(report?.fixes?.passes, c.passes);
        assert.equal(report?.fixes?.settled, true);
        assert.equal(report?.fixes?.written, c.fixes > 0);
        if (c.fixes) assert.match(fixed.stderr, new RegExp(`^mergewise: fixed ${c.file.replace(/\./g, '\\.')}: ${c.fixes} fixes \\(Add fallback "`, 'm'));
        else assert.match(fixed.stderr, /^mergewise: no safe fixes to make\.$/m);

        // Checked afresh, as CI would: none of the fixed findings is back.
        const recheck = cli(['check', '--format', 'json'], dir);
        assert.equal(recheck.code, c.left ? 1 : 0);
        assert.deepEqual(missingFallbacks(json(recheck), c.file).map((d) => d.field),
          missingFallbacks(json(fixed), c.file).map((d) => d.field));
        assert.ok(missingFallbacks(json(recheck), c.file).every((d) => d.field === 'customer.last_name'), 'only the field with no schema fallback is left');

        const bytes = fs.readFileSync(file);
        const again = cli(['check', '--fix', '--format', 'json'], dir);
        assert.ok(fs.readFileSync(file).equals(bytes), 'byte-identical after a second --fix');
        assert.equal(json(again).files.find((f) => f.path === c.file)?.fixes?.count, 0);
        assert.match(again.stderr, /^mergewise: no safe fixes to make\.$/m);
        assert.equal(again.code, fixed.code);
      });

      test('--fix-dry-run writes nothing; its diff, applied, is what --fix writes; its exit code is of what would be left', () => {
        const dir = ws({ 'mergewise.json': c.schema, [c.file]: c.before });
        const files = snapshot(dir);
        const dry = cli(['check', '--fix-dry-run'], dir);
        assert.deepEqual(snapshot(dir), files, 'nothing written, no temporary file');
        assert.equal(dry.code, c.left ? 1 : 0);
        if (!c.fixes) {
          assert.equal(dry.stdout, '');
          return;
        }
        assert.equal(dry.stdout, unifiedDiff(c.file, c.before, c.fixed));
        assert.match(dry.stdout, new RegExp(`^--- a/${c.file}\n\\+\\+\\+ b/${c.file}\n@@ -1,\\d+ \\+1,\\d+ @@\n`));
        assert.match(dry.stderr, new RegExp(`^mergewise: would fix ${c.file.replace(/\./g, '\\.')}: ${c.fixes} fixes`, 'm'));
        applyUnifiedDiff(dir, dry.stdout);
        assert.equal(fs.readFileSync(path.join(dir, c.file), 'utf8'), c.fixed);
      });
    });
  }
});

describe('mergewise check --fix: what it fixes', () => {
  test('only safe fixes: a field with no schema fallback keeps its finding and gets no placeholder; the exit code says so', () => {
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': 'Hi {{ customer.first_name }} {{ customer.last_name }}\n' });
    const run = cli(['check', '--fix', '--format', 'json'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'a.liquid'), 'utf8'), "Hi {{ customer.first_name | default: 'there' }} {{ customer.last_name }}\n");
    assert.equal(run.code, 1);
    assert.deepEqual(missingFallbacks(json(run), 'a.liquid').map((d) => d.field), ['customer.last_name']);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'a.liquid'), 'utf8'), /FALLBACK/);
  });

  test('a rule turned off reports nothing, so fixes nothing: by --rule and by mergewise.json', () => {
    const text = 'Hi {{ customer.first_name }}\n';
    const byOption = ws({ 'mergewise.json': JSON.stringify({ fields: FIELDS }), 'a.liquid': text });
    const run = cli(['check', '--fix', '--rule', 'missing-fallback=off'], byOption);
    assert.equal(fs.readFileSync(path.join(byOption, 'a.liquid'), 'utf8'), text);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /no safe fixes to make/);

    const bySchema = ws({ 'mergewise.json': JSON.stringify({ fields: FIELDS, rules: { 'missing-fallback': 'off' } }), 'a.liquid': text });
    cli(['check', '--fix'], bySchema);
    assert.equal(fs.readFileSync(path.join(bySchema, 'a.liquid'), 'utf8'), text);
  });

  test('a finding lowered to a hint is still fixed: severity says how loud, not whether', () => {
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': 'Hi {{ customer.first_name }}\n' });
    cli(['check', '--fix', '--rule', 'missing-fallback=hint'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'a.liquid'), 'utf8'), "Hi {{ customer.first_name | default: 'there' }}\n");
  });

  test('a fix that would change which dialect the file is read as (chosen by content) is not made', () => {
    const fields = { 'customer.first_name': { type: 'string', source: 'declared', fallback: '100%%[sic]' } };
    const text = '<p>Hi {{ customer.first_name }}</p>\n';
    const dir = ws({ 'mergewise.json': JSON.stringify({ fields }), 'a.html': text });
    const run = cli(['check', '--fix', '--format', 'json'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'a.html'), 'utf8'), text);
    assert.match(json(run).notices.join('\n'), /a\.html: not fixed: the fixes would make it read as ampscript, not liquid/);
    assert.deepEqual(json(run).files[0].fixes, { count: 0, titles: [], passes: 0, settled: false, written: false });
  });

  test('without a mergewise.json nothing is fixed (no fallbacks are known)', () => {
    const dir = ws({ 'a.liquid': 'Hi {{ customer.first_name }}\n' });
    const run = cli(['check', '--fix'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'a.liquid'), 'utf8'), 'Hi {{ customer.first_name }}\n');
    assert.match(run.stderr, /no safe fixes to make/);
  });

  test('the text report: what changed on stderr, per file and in total, then the findings left on stdout', () => {
    const dir = ws({
      'mergewise.json': schema(),
      'emails/a.liquid': 'Hi {{ customer.first_name }} {{ customer.first_name }} {{ customer.city }} {{ customer.last_name }}\n',
      'emails/b.liquid': 'Hi {{ customer.first_name | default: "you" }}\n',
    });
    const run = cli(['check', '--fix'], dir);
    assert.equal(run.stderr.split('\n')[0], 'mergewise: fixed emails/a.liquid: 3 fixes (Add fallback "there" ×2, Add fallback "your area")');
    assert.match(run.stderr, /^mergewise: fixed 1 file \(3 fixes\)\.$/m);
    assert.match(run.stdout, /^emails\/a\.liquid:1:\d+  error  missing-fallback  `customer\.last_name` has no fallback/m);
    assert.doesNotMatch(run.stdout, /`customer\.(first_name|city)` has no fallback/);
    assert.equal(run.code, 1);
  });
});

describe('mergewise check --fix: the JSON report', () => {
  test('adds `fixes` after the existing keys of each template, and nothing to mergewise.json\'s entry', () => {
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': 'Hi {{ customer.first_name }}\n', 'b.liquid': 'Hi\n' });
    const report = json(cli(['check', '--fix', '--format', 'json'], dir));
    const [a, b, schemaFile] = report.files;
    assert.deepEqual(Object.keys(a), ['path', 'dialect', 'diagnostics', 'fields', 'includes', 'fixes']);
    assert.deepEqual(a.fixes, { count: 1, titles: [{ title: 'Add fallback "there"', count: 1 }], passes: 1, settled: true, written: true });
    assert.deepEqual(b.fixes, { count: 0, titles: [], passes: 0, settled: true, written: false });
    assert.deepEqual(Object.keys(schemaFile), ['path', 'dialect', 'diagnostics', 'fields']);
    assert.deepEqual(Object.keys(report), ['files', 'summary', 'notices']);
  });

  test('SARIF is the findings left, as ever', () => {
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': 'Hi {{ customer.first_name }} {{ customer.last_name }}\n' });
    const sarif = JSON.parse(cli(['check', '--fix', '--format', 'sarif'], dir).stdout);
    assert.deepEqual(sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'missing-fallback').map((r: { message: { text: string } }) => r.message.text.slice(0, 22)),
      ['`customer.last_name` h']);
  });
});

describe('mergewise check --fix: the bytes it keeps', () => {
  test('CRLF line endings and a UTF-8 BOM are kept; only the fixed spots change', () => {
    const before = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Grüße 👋\r\nHi {{ customer.first_name }},\r\n\r\n{{ customer.city }}', 'utf8')]);
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': before });
    assert.equal(cli(['check', '--fix'], dir).code, 0);
    const expected = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("Grüße 👋\r\nHi {{ customer.first_name | default: 'there' }},\r\n\r\n{{ customer.city | default: 'your area' }}", 'utf8')]);
    assert.ok(fs.readFileSync(path.join(dir, 'a.liquid')).equals(expected), fs.readFileSync(path.join(dir, 'a.liquid'), 'latin1'));
  });

  test('the dry run\'s diff of a CRLF file with no final newline shows the endings, and applies', () => {
    const before = '\uFEFFone\r\ntwo\r\nthree\r\nfour\r\nfive\r\nHi {{ customer.first_name }}';
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': before });
    const dry = cli(['check', '--fix-dry-run'], dir);
    assert.equal(dry.stdout,
      '--- a/a.liquid\n+++ b/a.liquid\n@@ -3,4 +3,4 @@\n three\r\n four\r\n five\r\n' +
      '-Hi {{ customer.first_name }}\n\\ No newline at end of file\n' +
      "+Hi {{ customer.first_name | default: 'there' }}\n\\ No newline at end of file\n");
    applyUnifiedDiff(dir, dry.stdout);
    const byFix = ws({ 'mergewise.json': schema(), 'a.liquid': before });
    cli(['check', '--fix'], byFix);
    assert.ok(fs.readFileSync(path.join(dir, 'a.liquid')).equals(fs.readFileSync(path.join(byFix, 'a.liquid'))));
  });

  test('a file that is not valid UTF-8 is not fixed: writing it back would change bytes no fix touches', () => {
    const before = Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' {{ customer.first_name }}\n')]);
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': before });
    const run = cli(['check', '--fix'], dir);
    assert.ok(fs.readFileSync(path.join(dir, 'a.liquid')).equals(before));
    assert.match(run.stderr, /a\.liquid: not fixed: it is not valid UTF-8/);
    assert.equal(run.code, 1, 'its finding is left');
  });

  test('the file keeps its permissions, and a link stays a link to the fixed file', () => {
    const dir = ws({ 'mergewise.json': schema(), 'real/a.liquid': 'Hi {{ customer.first_name }}\n' });
    const real = path.join(dir, 'real/a.liquid');
    fs.chmodSync(real, 0o640);
    fs.mkdirSync(path.join(dir, 'emails'));
    fs.symlinkSync(real, path.join(dir, 'emails/link.liquid'));
    const run = cli(['check', '--fix', 'emails/link.liquid'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.lstatSync(path.join(dir, 'emails/link.liquid')).isSymbolicLink());
    assert.equal(fs.readFileSync(real, 'utf8'), "Hi {{ customer.first_name | default: 'there' }}\n");
    assert.equal(fs.statSync(real).mode & 0o777, 0o640);
  });

  test('the dry run\'s diff applies with git apply, CRLF and BOM included', () => {
    const before = Buffer.from('\uFEFFHi {{ customer.first_name }},\r\na\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\n{{ customer.city }}\r\n', 'utf8');
    const dir = ws({ 'mergewise.json': schema(), 'emails/a.liquid': before });
    const dry = cli(['check', '--fix-dry-run'], dir);
    assert.equal((dry.stdout.match(/^@@ /gm) ?? []).length, 2, 'two hunks, the lines between them too many to join');
    fs.writeFileSync(path.join(dir, 'fix.patch'), dry.stdout);
    const applied = spawnSync('git', ['apply', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    const byFix = ws({ 'mergewise.json': schema(), 'emails/a.liquid': before });
    cli(['check', '--fix'], byFix);
    assert.ok(fs.readFileSync(path.join(dir, 'emails/a.liquid')).equals(fs.readFileSync(path.join(byFix, 'emails/a.liquid'))));
  });
});

describe('mergewise check --fix-dry-run: a path with a space', () => {
  test('the diff applies with git apply and with patch -p1 (the name ends in a tab, as git writes it)', () => {
    const dir = ws({ 'mergewise.json': schema(), 'old emails/a.liquid': 'Hi {{ customer.first_name }}\n' });
    const dry = cli(['check', '--fix-dry-run'], dir);
    assert.match(dry.stdout, /^--- a\/old emails\/a\.liquid\t\n\+\+\+ b\/old emails\/a\.liquid\t\n/);
    fs.writeFileSync(path.join(dir, 'fix.patch'), dry.stdout);
    const git = spawnSync('git', ['apply', '--check', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(git.status, 0, git.stderr);
    const patch = spawnSync('patch', ['-p1', '--dry-run', '-i', 'fix.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(patch.status, 0, patch.stdout + patch.stderr);
  });
});

describe('mergewise check --fix: a tag inside quotes', () => {
  test('a quoted front matter subject and a single-quoted attribute keep their quoting valid', () => {
    const dir = ws({
      'mergewise.json': schema(),
      'emails/a.liquid': "---\nsubject: 'Hi {{ customer.first_name }}, your month'\n---\n<img alt='{{ customer.first_name }}'>\n",
    });
    cli(['check', '--fix'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/a.liquid'), 'utf8'),
      "---\nsubject: 'Hi {{ customer.first_name | default: \"there\" }}, your month'\n---\n<img alt='{{ customer.first_name | default: \"there\" }}'>\n");
  });
});

describe('mergewise check --fix: a tag with a syntax error', () => {
  test('gets no fix applied unasked (where its value ends is a guess); the tags around it are fixed', () => {
    const dir = ws({ 'mergewise.json': schema(), 'emails/a.liquid': '<p>{{ customer.first_name Content }}</p>\n<p>{{ customer.first_name }}</p>\n' });
    const run = cli(['check', '--fix'], dir);
    assert.match(run.stderr, /fixed emails\/a\.liquid: 1 fix/);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/a.liquid'), 'utf8'), "<p>{{ customer.first_name Content }}</p>\n<p>{{ customer.first_name | default: 'there' }}</p>\n");
  });
});

describe('mergewise check --fix: a file that cannot be written', () => {
  test('is reported by name, left untouched, with no temporary file left; the others are fixed; exit code 3', () => {
    const dir = ws({
      'mergewise.json': schema(),
      'emails/a.liquid': 'Hi {{ customer.first_name }}\n',
      'emails/b.liquid': 'Hi {{ customer.first_name }}\n',
    });
    // Tests may run as root, whom permissions do not stop: a folder where the temporary file would go does.
    const blocked = temporaryPath(path.join(dir, 'emails/a.liquid'));
    fs.mkdirSync(blocked);
    const run = cli(['check', '--fix', '--format', 'json'], dir);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^mergewise: fix failed: emails\/a\.liquid: could not write the fixed file \(.*mergewise-fix-\d+\.tmp is in the way.*\); it is left as it was\.$/m);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/a.liquid'), 'utf8'), 'Hi {{ customer.first_name }}\n');
    assert.equal(fs.readFileSync(path.join(dir, 'emails/b.liquid'), 'utf8'), "Hi {{ customer.first_name | default: 'there' }}\n");
    assert.deepEqual(fs.readdirSync(path.join(dir, 'emails')).sort(), [path.basename(blocked), 'a.liquid', 'b.liquid'].sort());
    const a = json(run).files.find((f) => f.path === 'emails/a.liquid');
    assert.equal(a?.fixes?.written, false);
    assert.match(a?.fixes?.error ?? '', /is in the way/);
    assert.equal(a?.diagnostics.filter((d) => d.rule === 'missing-fallback').length, 1, 'reported as it is on disk');
    assert.doesNotMatch(run.stderr, /fixed emails\/a\.liquid/);
    assert.match(run.stderr, /^mergewise: fixed emails\/b\.liquid/m);
  });

  test('a read-only file (no write permission in its mode) is left as it was, even for root: exit code 3', () => {
    const dir = ws({ 'mergewise.json': schema(), 'emails/a.liquid': 'Hi {{ customer.first_name }}\n', 'emails/b.liquid': 'Hi {{ customer.first_name }}\n' });
    fs.chmodSync(path.join(dir, 'emails/a.liquid'), 0o444);
    const run = cli(['check', '--fix'], dir);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^mergewise: fix failed: emails\/a\.liquid: could not write the fixed file \(it is read-only: its permissions let nobody write it\); it is left as it was\.$/m);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/a.liquid'), 'utf8'), 'Hi {{ customer.first_name }}\n');
    assert.equal(fs.statSync(path.join(dir, 'emails/a.liquid')).mode & 0o777, 0o444);
    assert.equal(fs.readFileSync(path.join(dir, 'emails/b.liquid'), 'utf8'), "Hi {{ customer.first_name | default: 'there' }}\n");
    fs.chmodSync(path.join(dir, 'emails/a.liquid'), 0o644);
  });

  test('configuration errors still win: exit code 2', () => {
    const dir = ws({ 'mergewise.json': schema(), 'emails/a.liquid': 'Hi {{ customer.first_name }}\n' });
    fs.mkdirSync(temporaryPath(path.join(dir, 'emails/a.liquid')));
    assert.equal(cli(['check', '--fix', 'emails', 'nope.liquid'], dir).code, 2);
  });
});

describe('writeFileAtomically', () => {
  const failing = (step: keyof AtomicWriteFs): AtomicWriteFs => ({
    ...fs,
    [step]: () => { throw Object.assign(new Error(`${step} failed`), { code: 'EIO' }); },
  }) as AtomicWriteFs;

  for (const step of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
    test(`when ${step} fails, the original is untouched and the temporary file removed`, () => {
      const dir = ws({ 'a.liquid': 'old' });
      const file = path.join(dir, 'a.liquid');
      assert.throws(() => writeFileAtomically(file, Buffer.from('new'), Buffer.from('old'), failing(step)), new RegExp(`${step} failed`));
      assert.equal(fs.readFileSync(file, 'utf8'), 'old');
      assert.deepEqual(fs.readdirSync(dir), ['a.liquid']);
    });
  }

  test('a file changed since it was read is not overwritten', () => {
    const dir = ws({ 'a.liquid': 'changed by someone else' });
    const file = path.join(dir, 'a.liquid');
    assert.throws(() => writeFileAtomically(file, Buffer.from('new'), Buffer.from('old')), /changed on disk while it was being fixed/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'changed by someone else');
    assert.deepEqual(fs.readdirSync(dir), ['a.liquid']);
  });

  test('writes the bytes and leaves no temporary file', () => {
    const dir = ws({ 'a.liquid': 'old' });
    const file = path.join(dir, 'a.liquid');
    writeFileAtomically(file, Buffer.from('new ✓'), Buffer.from('old'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'new ✓');
    assert.deepEqual(fs.readdirSync(dir), ['a.liquid']);
  });
});

describe('mergewise check --fix and --fix-dry-run: usage', () => {
  test('together, a usage error', () => {
    const run = cli(['check', '--fix', '--fix-dry-run'], ws({ 'mergewise.json': schema() }));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--fix and --fix-dry-run cannot be used together/);
  });

  test('--fix-dry-run prints a diff, so a JSON or SARIF format is a usage error; the diff alone is on stdout', () => {
    const dir = ws({ 'mergewise.json': schema(), 'a.liquid': 'Hi {{ customer.first_name }} {{ customer.last_name }}\n' });
    for (const format of ['json', 'sarif']) {
      const run = cli(['check', '--fix-dry-run', '--format', format], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`--fix-dry-run prints a diff, not a ${format} report`));
    }
    const dry = cli(['check', '--fix-dry-run'], dir);
    assert.match(dry.stdout, /^--- a\/a\.liquid\n/);
    assert.doesNotMatch(dry.stdout, /missing-fallback|errors?,/, 'the findings that would be left go to stderr');
    assert.match(dry.stderr, /a\.liquid:1:\d+  error  missing-fallback  `customer\.last_name`/);
    assert.match(dry.stderr, /^mergewise: would fix 1 file \(1 fix\); nothing was written\.$/m);
    assert.equal(dry.code, 1, 'what would be left: customer.last_name');
  });

  test('--help names both', () => {
    const help = cli(['--help'], ws({})).stdout;
    assert.match(help, /--fix \| --fix-dry-run/);
    assert.match(help, /3 --fix could not write a file/);
  });
});

describe('unifiedDiff', () => {
  /** The diff's ops, checked: they turn `a` into `b`, and are as few as the longest common subsequence allows. */
  function checkOps(a: string[], b: string[]): void {
    const ops = diffLines(a, b);
    const out: string[] = [];
    let i = 0;
    let j = 0;
    for (const op of ops) {
      if (op === 0) { assert.equal(a[i], b[j]); out.push(a[i++]); j++; } else if (op === 1) i++; else out.push(b[j++]);
    }
    assert.deepEqual([i, j, out], [a.length, b.length, b]);
    const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let x = a.length - 1; x >= 0; x--) {
      for (let y = b.length - 1; y >= 0; y--) lcs[x][y] = a[x] === b[y] ? lcs[x + 1][y + 1] + 1 : Math.max(lcs[x + 1][y], lcs[x][y + 1]);
    }
    assert.equal(ops.filter((op) => op !== 0).length, a.length + b.length - 2 * lcs[0][0], `${a} -> ${b}`);
  }

  test('the shortest edit script, on seeded random line lists', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let run = 0; run < 3000; run++) {
      const letters = 1 + Math.floor(random() * 4);
      const lines = () => Array.from({ length: Math.floor(random() * 9) }, () => 'abcd'[Math.floor(random() * letters)]);
      checkOps(lines(), lines());
    }
  });

  test('past its search bound, a diff that still applies', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join('');
    const after = Array.from({ length: 3000 }, (_, i) => `line ${i} changed\n`).join('') + 'one more\n';
    const dir = ws({ 'a.txt': before });
    applyUnifiedDiff(dir, unifiedDiff('a.txt', before, after));
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), after);
  });

  test('nothing for equal texts; hunks that join when their context would touch', () => {
    assert.equal(unifiedDiff('a', 'x\n', 'x\n'), '');
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\n';
    assert.equal(unifiedDiff('f', before, before.replace('a', 'A').replace('h', 'H')),
      '--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n-a\n+A\n b\n c\n d\n e\n f\n g\n-h\n+H\n i\n');
    assert.equal(unifiedDiff('f', '', 'new\n'), '--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+new\n');
  });
});
