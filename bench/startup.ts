/**
 * A short command's start-up (issue 19 item 4): `node dist/cli.js check one-small-file.html` as a whole
 * process, against `node -e 0` on the same machine, in pairs (A B A B ...) so that drift in the
 * machine's speed is shared by each ratio. Two workspaces in a temporary folder (not under bench/,
 * whose generated mergewise.json would govern them and bring thousands of templates along): the file
 * alone (syntax checks only) and the file beside an 8-field mergewise.json (every rule). Target: the
 * median ratio within 2x.
 *
 * Run after `npm run build`: `node --import tsx bench/startup.ts [--runs=N]`. Prints the figures;
 * removes the workspaces after.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-startup-'));
const TARGET_RATIO = 2;
const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 30);
const WARMUP = 3;

const TEMPLATE = `<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Your {{ plan.name }} plan renews on {{ plan.renews_at | date: "%B %-d" }}.</p>
{% if customer.city %}<p>Events near {{ customer.city }} this month.</p>{% endif %}
`;
const SCHEMA = {
  fields: {
    'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
    'customer.email': { type: 'string', source: 'declared', required: true },
    'customer.city': { type: 'string', source: 'declared' },
    'plan.name': { type: 'string', source: 'transactional', required: true },
    'plan.renews_at': { type: 'date', source: 'transactional', required: true },
    'plan.seats': { type: 'number', source: 'transactional' },
    'usage.last_login': { type: 'date', source: 'observed', maxAgeDays: 30 },
    'usage.projects': { type: 'number', source: 'observed' },
  },
};

function workspaces(): { name: string; dir: string }[] {
  const alone = path.join(DIR, 'alone');
  const withSchema = path.join(DIR, 'with-schema');
  for (const dir of [alone, withSchema]) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'one-small-file.html'), TEMPLATE);
  }
  fs.writeFileSync(path.join(withSchema, 'mergewise.json'), `${JSON.stringify(SCHEMA, null, 2)}\n`);
  return [{ name: 'one small file, no mergewise.json', dir: alone }, { name: 'one small file beside an 8-field mergewise.json', dir: withSchema }];
}

function wall(args: string[], cwd: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'ignore'] });
  const ms = performance.now() - started;
  if (child.error) throw child.error;
  return ms;
}

if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
for (let up = DIR; path.dirname(up) !== up; up = path.dirname(up)) {
  if (fs.existsSync(path.join(up, 'mergewise.json'))) throw new Error(`a mergewise.json above ${DIR} (in ${up}) would govern the workspaces`);
}
process.on('exit', () => fs.rmSync(DIR, { recursive: true, force: true }));
for (const { name, dir } of workspaces()) {
  const cli = [CLI, 'check', 'one-small-file.html'];
  const bare = ['-e', '0'];
  for (let i = 0; i < WARMUP; i++) { wall(cli, dir); wall(bare, dir); }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so that neither always follows the other.
    let cliMs: number, bareMs: number;
    if (i % 2) { bareMs = wall(bare, dir); cliMs = wall(cli, dir); } else { cliMs = wall(cli, dir); bareMs = wall(bare, dir); }
    a.push(cliMs);
    b.push(bareMs);
    ratios.push(cliMs / bareMs);
  }
  const ratio = median(ratios);
  console.log(`${name}: mergewise check median ${median(a).toFixed(0)} ms, node -e 0 median ${median(b).toFixed(0)} ms; ` +
    `paired ratio median ${ratio.toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}, ${runs} pairs); ` +
    `target within ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`);
}
