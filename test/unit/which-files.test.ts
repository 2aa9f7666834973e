/**
 * One rule for which templates are checked: the editor and the command line skip the same files for
 * the same reasons (over the size limit, counted in UTF-8 bytes as on disk; binary content), and
 * take the limit from the same places (`mergewise.json`'s `maxFileSize` before the editor setting).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { maxFileSizeFor, skipReason } from '../../server/src/core/workspace';
import { pathToUri } from '../../server/src/lsp/convert';
import { Project, DEFAULT_SETTINGS } from '../../server/src/lsp/project';
import { schemaOf } from '../helpers/schema';
import { cli, removeWorkspace, workspace } from '../helpers/workspace';
import { nodeFileSystem } from '../../server/src/node-fs';

describe('which templates are checked', () => {
  test('the limit: given for the run, else mergewise.json, else the editor setting, else 5 MB', () => {
    const withLimit = schemaOf({ maxFileSize: 100 });
    const without = schemaOf({});
    assert.equal(maxFileSizeFor(withLimit, 50, 70), 50);
    assert.equal(maxFileSizeFor(withLimit, undefined, 70), 100);
    assert.equal(maxFileSizeFor(without, undefined, 70), 70);
    assert.equal(maxFileSizeFor(undefined), 5 * 1024 * 1024);
  });

  test('size is counted in UTF-8 bytes, as on disk; binary content is skipped', () => {
    assert.deepEqual(skipReason({ bytes: 101 }, 100), { kind: 'too-large', bytes: 101, limit: 100 });
    assert.equal(skipReason({ bytes: 100, text: 'x' }, 100), undefined);
    assert.deepEqual(skipReason({ bytes: 10, text: 'GIF89a\u0000\u0001' }, 100), { kind: 'binary' });
  });

  test('the editor and the command line skip the same template under mergewise.json\'s maxFileSize', () => {
    // 70 characters, 110 bytes: under the limit in characters, over it in bytes.
    const text = `Hi {{ customer.first_name }} ${'é'.repeat(40)}\n`;
    const dir = workspace({
      'mergewise.json': JSON.stringify({ dialect: 'liquid', maxFileSize: 100, fields: { 'customer.first_name': { type: 'string', source: 'declared' } } }),
      'emails/big.liquid': text,
      'emails/small.liquid': 'Hi {{ customer.first_name }}\n',
    });
    try {
      const run = cli(['check', 'emails'], dir);
      assert.match(run.stderr, /emails\/big\.liquid: skipped, \d+ bytes is over the 100 bytes limit/);
      assert.doesNotMatch(run.stderr, /small\.liquid: skipped/);

      const open = (file: string, content: string) => TextDocument.create(pathToUri(path.join(dir, file)), 'liquid', 1, content);
      const big = open('emails/big.liquid', text);
      const small = open('emails/small.liquid', 'Hi {{ customer.first_name }}\n');
      const project = new Project(nodeFileSystem, () => [big, small], () => new Date());
      assert.equal(project.settings.maxFileSize, DEFAULT_SETTINGS.maxFileSize, 'the editor setting is the 5 MB default');
      const state = project.stateOf(big);
      assert.equal(state.kind, 'ignored');
      assert.match(state.kind === 'ignored' ? state.notice?.message ?? '' : '', /skipped big\.liquid: \d+ bytes is over the 100 bytes limit/);
      assert.equal(project.stateOf(small).kind, 'template');
    } finally {
      removeWorkspace(dir);
    }
  });
});
