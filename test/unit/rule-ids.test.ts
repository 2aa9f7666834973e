/**
 * One source of truth for rule ids: the rules' own `meta`. Everywhere else a user meets the ids (the
 * VS Code setting, the JSON Schema of mergewise.json, the README's table and sections) is checked
 * against it, so that a new or renamed rule cannot be forgotten in one of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS } from '../../server/src/core/model';
import { ALL_RULES } from '../../server/src/core/rules';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];

test('every rule has meta, and the id list is theirs', () => {
  assert.deepEqual(ALL_RULES.map((rule) => rule.id), [...RULE_IDS]);
});

test('the VS Code setting mergewise.rules names every rule, with every severity', () => {
  const properties = JSON.parse(read('package.json')).contributes.configuration.properties['mergewise.rules'].properties;
  assert.deepEqual(Object.keys(properties), [...RULE_IDS]);
  for (const id of RULE_IDS) assert.deepEqual(properties[id].enum, SEVERITIES, id);
});

test('the JSON Schema of mergewise.json names every rule, with every severity and its default', () => {
  const schema = JSON.parse(read('schemas/mergewise.schema.json'));
  const properties = schema.properties.rules.properties;
  assert.deepEqual(Object.keys(properties), [...RULE_IDS]);
  assert.deepEqual(schema.definitions.severity.enum, SEVERITIES);
  for (const rule of ALL_RULES) {
    assert.equal(properties[rule.id].$ref, '#/definitions/severity', rule.id);
    assert.match(properties[rule.id].description, new RegExp(`Default: ${rule.defaultSeverity}\\.$`), rule.id);
  }
});

test('the README lists every rule with its default severity, and has a section on each', () => {
  const readme = read('README.md');
  const rows = [...readme.matchAll(/^\| \[`([a-z-]+)`\]\(#\1\) \| (\w+) \|/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(rows, ALL_RULES.map((rule) => [rule.id, rule.defaultSeverity]));
  const rulesChapter = readme.slice(readme.indexOf('\n## Rules\n'), readme.indexOf('\n## ', readme.indexOf('\n## Rules\n') + 1));
  assert.deepEqual([...rulesChapter.matchAll(/^### (.+)$/gm)].map((m) => m[1]), [...RULE_IDS]);
});
