/**
 * A short command starts fast (issue 19 item 4): `mergewise check` on one small file loads the command
 * line's bundle and nothing else of Mergewise's: no template engine (dist/engines/), no DuckDB, no
 * language server. Counted from a child running the bundle, never timed (bench/startup.ts times it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workspacesRemovedAfter } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/cli.js');
const HOOK = path.join(ROOT, 'test/helpers/module-log.cjs');
const ws = workspacesRemovedAfter();

const SCHEMA = JSON.stringify({
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'plan.name': { type: 'string', source: 'transactional', required: true },
  },
});

/** Runs the bundled command line in `cwd` and says what it loaded. */
function loaded(args: string[], cwd: string): { requests: string[]; files: string[]; status: number | null } {
  assert.ok(fs.existsSync(BUNDLE), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-modules-')), 'log.json');
  const child = spawnSync(process.execPath, ['--require', HOOK, BUNDLE, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MERGEWISE_MODULE_LOG: log },
  });
  assert.ok(fs.existsSync(log), child.stderr);
  const { requests, files } = JSON.parse(fs.readFileSync(log, 'utf8')) as { requests: string[]; files: string[] };
  fs.rmSync(path.dirname(log), { recursive: true, force: true });
  return { requests, files, status: child.status };
}

/** Rarely needed code that a check of a small Liquid or HTML file must not load. */
const HEAVY = /liquidjs|handlebars|duckdb|vscode-languageserver|[\\/]server\.js$|render-worker|[\\/]engines[\\/]|^(node:)?crypto$/;

describe('mergewise check one-small-file.html: what it loads', () => {
  for (const [name, files] of [
    ['alone (syntax checks only)', { 'one-small-file.html': '<p>Hi {{ customer.first_name }}</p>\n' }],
    ['beside a mergewise.json (every rule)', { 'mergewise.json': SCHEMA, 'one-small-file.html': '<p>Hi {{ customer.first_name }}, your {{ plan.name }} plan</p>\n' }],
  ] as const) {
    test(name, () => {
      const run = loaded(['check', 'one-small-file.html'], ws(files));
      assert.equal(run.status, 0);
      // One JavaScript file: the bundle itself.
      assert.deepEqual(run.files, [BUNDLE]);
      assert.deepEqual(run.requests.filter((request) => HEAVY.test(request)), []);
      // Node's own modules, each counted once: a handful, not a library's worth.
      const builtins = new Set(run.requests.filter((request) => request !== BUNDLE));
      assert.ok(builtins.size <= 6, [...builtins].join(', '));
    });
  }

  test('the engines still load when they are needed: a preview renders with liquidjs', () => {
    const dir = ws({
      'mergewise.json': JSON.stringify({ ...JSON.parse(SCHEMA), recipients: ['recipients/*.json'] }),
      'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana' } }),
      'a.liquid': 'Hi {{ customer.first_name | default: "there" }}\n',
    });
    const run = loaded(['preview', 'a.liquid'], dir);
    assert.equal(run.status, 0);
    assert.deepEqual(run.files.filter((file) => file.includes(`${path.sep}engines${path.sep}`)), [path.join(ROOT, 'dist/engines/liquidjs.js')]);
  });

  test('and Handlebars\' parser confirms a clean Handlebars template', () => {
    const run = loaded(['check', 'a.hbs'], ws({ 'a.hbs': 'Hi {{firstName}}\n' }));
    assert.ok(run.files.includes(path.join(ROOT, 'dist/engines/handlebars.js')), run.files.join('\n'));
  });
});
