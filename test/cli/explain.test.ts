/** `mergewise explain FILE:LINE:COL`: the hover's content, as text, from the command line. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { cli, removeWorkspace, workspace } from '../helpers/workspace';

describe('mergewise explain', () => {
  let dir: string;
  before(() => {
    dir = workspace({ ...SMALL_WORKSPACE, 'emails/typo.liquid': 'Hi {{ customer.frist_name }}\n' });
  });
  after(() => removeWorkspace(dir));

  test('a field: its type, source, fallback, and what each sample recipient sees, in plain text', () => {
    const run = cli(['explain', 'emails/welcome.liquid:1:10'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^customer\.first_name · string/);
    assert.match(run.stdout, /^- Source: declared/m);
    assert.match(run.stdout, /^- Fallback: "there"$/m);
    assert.match(run.stdout, /^Ana: Ana$/m);
    assert.match(run.stdout, /^Ben: \(blank\)$/m);
    assert.doesNotMatch(run.stdout, /\*\*|`|\| --- \|/);
  });

  test('a partial\'s parameter is the field the templates that include it pass, as check reads it', () => {
    const partialDir = workspace({
      'mergewise.json': JSON.stringify({ recipients: ['recipients/*.json'], fields: { 'customer.first_name': { type: 'string', fallback: 'there' } } }),
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
      'snippets/greeting.liquid': '{% doc %}\n  @param {string} name\n{% enddoc %}\n<p>Hi {{ name }},</p>\n',
      'emails/welcome.liquid': '{% render "greeting", name: customer.first_name %}\n',
    });
    try {
      const run = cli(['explain', 'snippets/greeting.liquid:4:10'], partialDir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^customer\.first_name · string/);
      assert.match(run.stdout, /^Ana: Ana$/m);
    } finally {
      removeWorkspace(partialDir);
    }
  });

  test('an unknown name, with the closest known ones', () => {
    const run = cli(['explain', 'emails/typo.liquid:1:12'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'customer.frist_name is not in mergewise.json. Closest: customer.first_name.\n');
  });

  test('no merge field there: exit code 1 and why', () => {
    const run = cli(['explain', 'emails/welcome.liquid:1:1'], dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /no merge field at emails\/welcome\.liquid:1:1/);
  });

  test('a bad location or a missing file is a usage error that says what', () => {
    assert.match(cli(['explain', 'emails/welcome.liquid'], dir).stderr, /explain takes FILE:LINE:COL/);
    const missing = cli(['explain', 'emails/nope.liquid:1:1'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /emails\/nope\.liquid: no such file/);
  });

  test('line or column 0 is exit code 2, saying they start at 1, without the usage', () => {
    for (const place of ['emails/welcome.liquid:0:0', 'emails/welcome.liquid:1:0']) {
      const run = cli(['explain', place], dir);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `mergewise: ${place}: lines and columns start at 1, as check prints them.\n`);
    }
  });
});
