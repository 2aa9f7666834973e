/**
 * The VS Code offer to create mergewise.json, without VS Code: when it is shown, and what the
 * summary after it says.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INIT_COMMAND, INIT_TITLE, initOffer, initSummaryMessage } from '../../client/src/init-offer';
import type { InitResult } from '../../protocol/src/requests';

const ROOT = path.resolve(__dirname, '../..');

describe('the offer to create mergewise.json', () => {
  test('offered once: not again in this session, nor once turned down in this workspace', () => {
    assert.equal(initOffer({ schemaExists: false, dismissed: false, offeredThisSession: false }), 'offer');
    assert.equal(initOffer({ schemaExists: false, dismissed: false, offeredThisSession: true }), 'nothing');
    assert.equal(initOffer({ schemaExists: false, dismissed: true, offeredThisSession: false }), 'nothing');
  });

  test('not offered when the folder has a mergewise.json: the plain notice instead, once', () => {
    assert.equal(initOffer({ schemaExists: true, dismissed: false, offeredThisSession: false }), 'notice');
    assert.equal(initOffer({ schemaExists: true, dismissed: true, offeredThisSession: false }), 'notice');
    assert.equal(initOffer({ schemaExists: true, dismissed: false, offeredThisSession: true }), 'nothing');
  });

  test('the command is contributed with the offer\'s title', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const command = manifest.contributes.commands.find((c: { command: string }) => c.command === INIT_COMMAND);
    assert.deepEqual(command, { command: 'mergewise.init', title: INIT_TITLE, category: 'Mergewise' });
  });
});

describe('the summary after creating the files', () => {
  const result: InitResult = {
    folder: 'file:///w',
    files: [],
    kept: ['recipients/sample-empty.json'],
    summary: { templates: 8, fields: 12, proposals: ['a', 'b', 'c'], typeUnknown: ['x'], findings: { 'missing-fallback': 4, 'syntax-error': 1 } },
    notices: [],
  };

  test('fields found, proposals to review, untyped fields, findings, files kept', () => {
    assert.equal(initSummaryMessage(result, ['mergewise.json', 'recipients/sample-complete.json']),
      'Mergewise: created mergewise.json and 1 sample recipient: 12 fields from 8 templates. ' +
      '3 source or sensitivity proposals to review (marked in mergewise.json). 1 field left untyped (the templates do not tell). ' +
      'Checks now report 5 findings in the templates. Kept as they were: recipients/sample-empty.json.');
  });

  test('says only what applies', () => {
    const plain = { ...result, kept: [], summary: { ...result.summary, fields: 1, templates: 1, proposals: [], typeUnknown: [], findings: {} } };
    assert.equal(initSummaryMessage(plain, ['mergewise.json']), 'Mergewise: created mergewise.json: 1 field from 1 template.');
  });
});
