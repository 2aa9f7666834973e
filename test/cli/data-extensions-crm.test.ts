/**
 * Issue 18, items 3 and 4: `mergewise check` and `explain` on a Marketing Cloud and HubSpot workspace
 * whose templates read data extensions and CRM objects: those names are never unknown fields; declared
 * data extensions are checked; a variable set in IF and ELSE is still a use of its field.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';

const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  templates: { 'sfmc/**': 'ampscript', 'hubspot/**': 'hubl' },
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', aliases: { ampscript: 'FirstName', hubl: 'contact.firstname' } },
  },
  dataExtensions: {
    Loyalty_Members: { columns: { SubscriberKey: { type: 'string' }, Points: { type: 'number' } } },
  },
}, null, 2);

const FILES = {
  'mergewise.json': SCHEMA,
  'sfmc/statement.html': `%%[
IF @greeting == "formal" THEN
  SET @name = FirstName
ELSE
  SET @name = "there"
ENDIF
SET @points = Lookup("Loyalty_Members", "Pionts", "SubscriberKey", _subscriberkey)
SET @tier = Lookup("Loyalty_Tiers", "Tier", "SubscriberKey", _subscriberkey)
]%%
<p>Hi %%=v(@name)=%%, you have %%=v(@points)=%% points (%%=v(@tier)=%%).</p>
`,
  'hubspot/deal.html': `{% set deal = crm_object("deal", module.deal_id, "amount") %}
<p>Hi {{ contact.firstname|default('there') }}, your deal is {{ deal.amount }}.</p>
`,
};

interface Report {
  files: { path: string; diagnostics: { rule: string; message: string; field?: string }[] }[];
}

describe('check and explain on data extensions and CRM objects', () => {
  test('an undeclared column and data extension are reported; CRM reads and module fields are not; IF/ELSE outputs are uses', () => {
    const dir = ws(FILES);
    const report = JSON.parse(cli(['check', '--format', 'json'], dir).stdout) as Report;
    const findings = (file: string, rule: string) =>
      report.files.find((each) => each.path.endsWith(file))!.diagnostics.filter((d) => d.rule === rule).map((d) => d.field);
    assert.deepEqual(findings('statement.html', 'unknown-field'), ['Loyalty_Members.Pionts', 'Loyalty_Tiers']);
    // @name is FirstName when formal, unchecked there: no fallback on that path.
    assert.deepEqual(findings('statement.html', 'missing-fallback'), ['customer.first_name']);
    assert.deepEqual(findings('deal.html', 'unknown-field'), []);
    assert.deepEqual(findings('deal.html', 'syntax-error'), []);
  });

  test('explain says where CRM data comes from', () => {
    const dir = ws(FILES);
    const run = cli(['explain', 'hubspot/deal.html:2:68'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /deal\.amount.*CRM deal, property .?amount.?, from .?crm_object\("deal", module\.deal_id, "amount"\)/);
  });
});
