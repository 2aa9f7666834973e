/**
 * A throwaway PostgreSQL server for tests: Debian's binaries (`/usr/lib/postgresql/N/bin`), a cluster
 * made with initdb in a temporary folder, listening only on a Unix socket in that folder (so no port
 * is shared with anything), run as the `postgres` user when the tests run as root (initdb refuses
 * root). Missing binaries fail the test with what to install; it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Postgres {
  /** Runs SQL through `psql` (stops at the first error); returns its output. */
  psql(sql: string, options?: { csv?: boolean }): string;
  stop(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): these tests run the emitted query in a real PostgreSQL. Install it: apt-get install -y postgresql');
  }
  return path.join(root, versions[0], 'bin');
}

export function startPostgres(): Postgres {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb and the server refuse to run as root: they run as postgres, owning the folder.
  const run = (command: string, args: string[]) => {
    const file = path.join(bin, command);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir, stdio: 'pipe' })
      : execFileSync(file, args, { cwd: dir, stdio: 'pipe' });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  let started = false;
  const stop = () => {
    try {
      if (started) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      started = false;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    started = true;
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o',
      `-k ${dir} -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c timezone=UTC`, 'start']);
  } catch (error) {
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    stop();
    throw new Error(`PostgreSQL could not start: ${(error as Error).message}\n${stderr}\n${log}`);
  }
  const psql = (sql: string, options: { csv?: boolean } = {}) => {
    try {
      return execFileSync(path.join(bin, 'psql'), ['-X', '-q', '-h', dir, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
        ...(options.csv ? ['--csv'] : ['-At']), '-f', '-'], { input: sql, stdio: 'pipe', env: { ...process.env, PGTZ: 'UTC' } }).toString();
    } catch (error) {
      throw new Error(`psql failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? (error as Error).message}`);
    }
  };
  return { psql, stop };
}
