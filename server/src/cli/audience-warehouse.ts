/**
 * `mergewise audience --emit-sql ENGINE` and `--import-result FILE`: the coverage query for a
 * warehouse, and its result read back. The options are checked here; `audience.ts` builds the query
 * (through the engine's `SqlDialect`) from the same templates, `mergewise.json` and `--data` columns
 * as a local run, and prints it, or reads the result into the same report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCoverageResult, ResultError } from '../core/audience/result';
import { SQL_DIALECTS, sqlDialect, type SqlDialect } from '../core/audience/sql';
import { toPosix } from '../core/workspace';

/** A wrong option or an unreadable result: reported as it is, exit 2. */
export class WarehouseError extends Error {}

export interface Warehouse {
  /** The engine the query is written for: DuckDB for `--import-result` (only the column names matter). */
  engine: SqlDialect;
  /** `--emit-sql`: print the query instead of running it. */
  emit: boolean;
  /** `--table`: the table the emitted query reads, in the warehouse (or, for DuckDB, a table of yours). */
  table?: string;
  /** `--import-result FILE`, as given. */
  importResult?: string;
  /** `--taken-at`: the date the data was taken (stale values are measured against it). */
  takenAt?: Date;
}

export const WAREHOUSE_USAGE = `  mergewise audience [TEMPLATE...] --data SAMPLE --emit-sql duckdb|postgres|bigquery|snowflake|spark
      [--table NAME] [--taken-at DATE]
      prints the coverage query in that engine's SQL, to run where the audience lives: --table names
      the table there (required but for duckdb); --data gives its columns (a sample export, or the
      source itself for duckdb)
  mergewise audience [TEMPLATE...] --data SAMPLE --import-result FILE [--taken-at DATE] [--format text|json] [--snapshot]
      the report (and --snapshot) from the query's result as the warehouse exported it (CSV, a JSON
      array or JSON lines), for the same templates, mergewise.json and --data`;

export interface WarehouseOptions {
  'emit-sql'?: string;
  'import-result'?: string;
  'taken-at'?: string;
  table?: string;
  snapshot?: boolean;
}

/** The mode the options ask for: undefined for a local run; a message on a wrong combination. */
export function warehouseMode(values: WarehouseOptions): Warehouse | undefined {
  const emitSql = values['emit-sql'];
  const importResult = values['import-result'];
  if (emitSql === undefined && importResult === undefined) {
    if (values['taken-at'] !== undefined) throw new WarehouseError('--taken-at goes with --emit-sql or --import-result (a local run is taken now).');
    return undefined;
  }
  if (emitSql !== undefined && importResult !== undefined) throw new WarehouseError('--emit-sql and --import-result are separate runs: emit the query, run it in the warehouse, then import its result.');
  let takenAt: Date | undefined;
  if (values['taken-at'] !== undefined) {
    const given = values['taken-at'];
    takenAt = new Date(/^\d{4}-\d{2}-\d{2}$/.test(given) ? `${given}T00:00:00Z` : given);
    if (!/^\d{4}-\d{2}-\d{2}/.test(given) || Number.isNaN(takenAt.getTime())) throw new WarehouseError(`--taken-at takes an ISO 8601 date or time (2026-11-30, 2026-11-30T08:00:00Z), not "${given}".`);
  }
  if (emitSql !== undefined) {
    const engine = sqlDialect(emitSql);
    if (!engine) throw new WarehouseError(`--emit-sql takes one of ${Object.keys(SQL_DIALECTS).join(', ')}, not "${emitSql}".`);
    if (values.snapshot) throw new WarehouseError('--emit-sql prints the query; --snapshot goes with --import-result, once the warehouse has run it.');
    if (engine.id !== 'duckdb' && values.table === undefined) {
      throw new WarehouseError(`--emit-sql ${engine.id} needs --table NAME, the audience's table in the warehouse (as you would write it in a query there); --data gives its columns.`);
    }
    if (values.table !== undefined && !values.table.trim()) throw new WarehouseError('--table is empty.');
    if (values.table !== undefined && /[;\n\r]|--|\/\*/.test(values.table)) throw new WarehouseError(`--table "${values.table}" is not a table name.`);
    return { engine, emit: true, ...(values.table !== undefined ? { table: values.table } : {}), ...(takenAt ? { takenAt } : {}) };
  }
  return { engine: SQL_DIALECTS.duckdb, emit: false, importResult, ...(takenAt ? { takenAt } : {}) };
}

/** The imported row of counts and the source's description, `imported from FILE`. */
export function readImportedResult(file: string, columns: readonly string[], cwd: string): { row: Record<string, number>; description: string } {
  const absolute = path.resolve(cwd, file);
  const shown = toPosix(path.relative(cwd, absolute)) || path.basename(absolute);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch {
    throw new WarehouseError(`--import-result ${file}: no such file.`);
  }
  const extension = path.extname(absolute).toLowerCase();
  const format = extension === '.csv' || extension === '.tsv' ? 'csv' : ['.json', '.jsonl', '.ndjson'].includes(extension) ? 'json' : undefined;
  try {
    return { row: parseCoverageResult(text, format, columns), description: `imported from ${shown}` };
  } catch (error) {
    if (error instanceof ResultError) throw new WarehouseError(`--import-result ${shown}: ${error.message}`);
    throw error;
  }
}
