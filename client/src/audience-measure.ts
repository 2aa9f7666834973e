/**
 * The pure parts of "Mergewise: Measure audience coverage…" and of the status bar's coverage line:
 * where DuckDB is, the child process to run, what its exit means, and the tooltip's words. No
 * `vscode` here, so the unit tests run them as they are.
 *
 * DuckDB is a native module and the extension does not ship it (a .vsix per platform would): the
 * command runs the extension's own command line bundle (dist/cli.js) in a child process, with
 * `@duckdb/node-api` taken from a `node_modules` that holds it (the workspace's, found from
 * mergewise.json's folder upwards, else the extension's own when run from a checkout).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AudienceInfo } from '../../protocol/src/requests';

export const DUCKDB_PACKAGE = '@duckdb/node-api';
/** What the file picker offers: the kinds `mergewise audience --data` reads. */
export const AUDIENCE_FILE_FILTERS: Record<string, string[]> = {
  'Audience export (CSV, JSON lines, Parquet, DuckDB)': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet', 'duckdb', 'db'],
};
export const INSTALL_DUCKDB = `npm install --save-dev ${DUCKDB_PACKAGE}`;

/**
 * The `node_modules` folder holding `@duckdb/node-api`, looked for in each start folder and its
 * parents, in order; undefined when none has it.
 */
export function findDuckdb(startDirs: string[], exists: (file: string) => boolean): string | undefined {
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      const modules = path.join(dir, 'node_modules');
      if (exists(path.join(modules, ...DUCKDB_PACKAGE.split('/'), 'package.json'))) return modules;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

export interface MeasureProcess {
  /** The program: the extension host's own executable, run as Node. */
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

/**
 * The `--import` module that points the bundle's `import('@duckdb/node-api')` at `duckdbEntry` (the
 * package's main file, found in the workspace). An ES module import ignores NODE_PATH, so the
 * child resolves it through a module resolution hook (`module.register`, Node 20.6 and later).
 */
export function duckdbHook(duckdbEntry: string): string {
  const target = pathToFileURL(duckdbEntry).href;
  const hooks = `export async function resolve(specifier, context, next) { return specifier === ${JSON.stringify(DUCKDB_PACKAGE)} ? { url: ${JSON.stringify(target)}, shortCircuit: true } : next(specifier, context); }`;
  const registration = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return `data:text/javascript,${encodeURIComponent(registration)}`;
}

/** The child process that measures `dataFile` for the mergewise.json in `schemaDir` and writes the snapshot. */
export function measureProcess(options: { nodeExecutable: string; cliBundle: string; dataFile: string; schemaDir: string; duckdbEntry: string; env: Record<string, string | undefined> }): MeasureProcess {
  return {
    command: options.nodeExecutable,
    args: ['--import', duckdbHook(options.duckdbEntry), options.cliBundle, 'audience', '--data', options.dataFile, '--snapshot'],
    cwd: options.schemaDir,
    // VS Code's executable is Electron: ELECTRON_RUN_AS_NODE makes it plain Node for the child.
    env: { ...options.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
  };
}

export type MeasureOutcome =
  | { kind: 'written'; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'failed'; message: string };

/**
 * What the run's end means, in words. The command line's messages hold no row value (it says so
 * of itself), so its last lines of standard error are shown as they are.
 */
export function measureOutcome(code: number | null, signal: string | null, stderr: string, cancelled: boolean): MeasureOutcome {
  if (cancelled || code === 130 || signal === 'SIGINT') return { kind: 'cancelled', message: 'Mergewise: measuring audience coverage was cancelled; nothing was written.' };
  const said = stderr.trim().split('\n').map((line) => line.replace(/^mergewise audience: /, '').trim()).filter(Boolean);
  if (code === 0) {
    const wrote = said.find((line) => line.startsWith('Wrote '));
    return { kind: 'written', message: `Mergewise: ${wrote ?? 'wrote mergewise.audience.json (counts and shares only).'} Hovers, missing-fallback and rare-branch now use it.` };
  }
  if (/Cannot find (module|package) '@duckdb\//.test(stderr)) {
    return { kind: 'failed', message: `Mergewise could not load DuckDB: run \`${INSTALL_DUCKDB}\` in the folder of mergewise.json, then measure again.` };
  }
  const reason = said.slice(-3).join(' ') || (signal ? `it was stopped (${signal})` : `it exited with code ${code}`);
  return { kind: 'failed', message: `Mergewise could not measure audience coverage: ${reason}` };
}

/** Keeps the last `max` characters of a stream's output: enough for its messages, bounded whatever it prints. */
export function keepTail(kept: string, chunk: string, max = 8192): string {
  const joined = kept + chunk;
  return joined.length > max ? joined.slice(joined.length - max) : joined;
}

function percent(share: number): string {
  const p = share * 100;
  if (p === 0) return '0%';
  return `${p >= 1 ? Number(p.toFixed(1)) : Number(p.toPrecision(2))}%`;
}

/** The status bar tooltip's lines on audience coverage (markdown), or none without a snapshot. */
export function coverageTooltip(audience: AudienceInfo | undefined): string {
  if (!audience) return '';
  if (audience.problem !== undefined) return `Audience snapshot: ${audience.problem}`;
  const of = `audience of ${audience.date}, ${audience.rows.toLocaleString('en-US')} recipients${audience.old ? ', **old**: measure again' : ''}`;
  const t = audience.template;
  if (!t) return `Audience coverage: this template was not measured (${of}).`;
  const upTo = t.approximate ? 'up to ' : '';
  const lines = [
    `Audience coverage (${of}):`,
    `- ${upTo}${percent(t.seeFallback)} see a fallback`,
    `- ${upTo}${percent(t.seeBlank)} see a blank`,
    `- ${upTo}${percent(t.seeStale)} see stale data`,
  ];
  if (t.aborted) lines.push(`- ${percent(t.aborted)} are not sent it (aborted)`);
  return lines.join('\n');
}
