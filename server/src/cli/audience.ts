/**
 * `mergewise audience [TEMPLATE...] --data SOURCE`: measures the templates' coverage against an
 * audience export with embedded DuckDB. The only module that touches DuckDB: it describes the
 * source, runs the core's coverage query (rows stream through DuckDB; only aggregates come back)
 * and, with `--snapshot`, writes `mergewise.audience.json` atomically.
 *
 * Privacy: no message, output or file here holds a row value. DuckDB's own error texts can quote
 * the data (a malformed JSON line, a CSV row), so they are never shown as they are: each failure
 * is described here, with file names and line numbers only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { getDialect } from '../core/dialects/registry';
import { chooseDialect, SchemaIndex, toPosix } from '../core/workspace';
import { nodeFileSystem } from '../node-fs';
import { GENERATED_COLUMN_NAME, mapColumns, quoteIdentifier, quoteString, sourceColumns, type ColumnMapping } from '../core/audience/columns';
import { ConditionRegistry, planTemplate, type TemplatePlan } from '../core/audience/plan';
import { buildCoverageQuery, readCoverage, type CoverageInput } from '../core/audience/query';
import { duckdb } from '../core/audience/sql';
import { readImportedResult, WAREHOUSE_USAGE, WarehouseError, warehouseMode, type Warehouse } from './audience-warehouse';
import { AUDIENCE_SNAPSHOT_FILE_NAME, snapshotText, type AudienceReport } from '../core/audience/snapshot';
import { collectTemplates } from './collect';
import { PickRefused, runPick, type PickOptions, type PickSession } from './audience-pick';

export interface AudienceIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  now?: Date;
  /** Aborted on SIGINT: the running query is interrupted and nothing is written. */
  signal?: AbortSignal;
  /** Called before each DuckDB statement, with what it does (for tests of cancellation). */
  onStage?: (stage: 'describe' | 'malformed' | 'coverage') => void;
}

export const AUDIENCE_USAGE = `  mergewise audience [TEMPLATE...] --data SOURCE [--table NAME] [--format text|json] [--snapshot]
      coverage of the templates' fields, fallbacks and branches in an audience export (CSV, JSONL or
      Parquet files or globs of them, or a DuckDB database); --snapshot writes mergewise.audience.json
      (counts and shares only) beside mergewise.json
${WAREHOUSE_USAGE}
  mergewise audience [TEMPLATE...] --data SOURCE --pick N --out DIR [--keep-values] [--format text|json]
      writes up to N real rows that together show every fallback, blank, stale value and branch, as
      sample recipients DIR/audience-01.json, …; personal values are replaced by fakes unless
      --keep-values; never replaces a file`;

/** A failure that stops the run: reported as it is, exit 2. */
export class AudienceError extends Error {}
class Cancelled extends Error {}

type SourceKind = 'csv' | 'json' | 'parquet' | 'duckdb';

const KINDS: Record<string, SourceKind> = {
  '.csv': 'csv', '.tsv': 'csv', '.txt': 'csv',
  '.jsonl': 'json', '.ndjson': 'json', '.json': 'json',
  '.parquet': 'parquet', '.pq': 'parquet',
  '.duckdb': 'duckdb', '.db': 'duckdb', '.ddb': 'duckdb',
};

/** Compressions DuckDB reads by the file name's extension: the kind is the name's before it (`audience.csv.gz`). */
const COMPRESSED = new Set(['.gz', '.zst']);

function kindOf(file: string): SourceKind | undefined {
  const extension = path.extname(file).toLowerCase();
  if (!COMPRESSED.has(extension)) return KINDS[extension];
  const inner = KINDS[path.extname(file.slice(0, -extension.length)).toLowerCase()];
  return inner === 'csv' || inner === 'json' ? inner : undefined;
}

/** Runs the command; resolves to its exit code (0, 2 on bad input, 130 when cancelled). */
export async function runAudience(args: string[], io: AudienceIo): Promise<number> {
  let values: { data?: string[]; table?: string; format?: string; snapshot?: boolean; 'emit-sql'?: string; 'import-result'?: string; 'taken-at'?: string; pick?: string; out?: string; 'keep-values'?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        data: { type: 'string', multiple: true },
        table: { type: 'string' },
        format: { type: 'string', default: 'text' },
        snapshot: { type: 'boolean', default: false },
        'emit-sql': { type: 'string' },
        'import-result': { type: 'string' },
        'taken-at': { type: 'string' },
        pick: { type: 'string' },
        out: { type: 'string' },
        'keep-values': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.stderr(`mergewise audience: ${(error as Error).message}\n\nUsage:\n${AUDIENCE_USAGE}\n`);
    return 2;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') {
    io.stderr(`mergewise audience: --format must be text or json, not "${format}".\n`);
    return 2;
  }
  if (!values.data?.length) {
    io.stderr(`mergewise audience: --data SOURCE is required: a CSV, JSONL or Parquet file (or a glob of them), or a DuckDB database.\n\nUsage:\n${AUDIENCE_USAGE}\n`);
    return 2;
  }
  let warehouse: Warehouse | undefined;
  try {
    warehouse = warehouseMode(values);
  } catch (error) {
    if (!(error instanceof WarehouseError)) throw error;
    io.stderr(`mergewise audience: ${error.message}\n`);
    return 2;
  }
  let pick: PickOptions | undefined;
  if (values.pick !== undefined || values.out !== undefined || values['keep-values']) {
    const count = Number(values.pick);
    if (values.pick === undefined || !Number.isInteger(count) || count < 1 || count > 1000) {
      io.stderr(`mergewise audience: --pick takes a number of rows from 1 to 1000${values.pick === undefined ? ' (--out and --keep-values go with it)' : `, not "${values.pick}"`}.\n`);
      return 2;
    }
    if (values.out === undefined) {
      io.stderr('mergewise audience: --pick needs --out DIR, the folder the picked rows are written to (e.g. --out recipients).\n');
      return 2;
    }
    if (values.snapshot) {
      io.stderr('mergewise audience: --pick and --snapshot are separate runs.\n');
      return 2;
    }
    pick = { count, out: values.out, keepValues: values['keep-values'] ?? false, format };
  }
  try {
    if (pick) {
      const options = pick;
      return await measure({ data: values.data, table: values.table, templates: positionals, pick: (session) => runPick(session, options, io) }, io) as number;
    }
    const report = await measure({ data: values.data, table: values.table, templates: positionals, warehouse }, io) as Measured;
    if ('emitted' in report) {
      io.stdout(report.emitted);
      return 0;
    }
    if (values.snapshot) {
      const target = path.join(report.schemaDir, AUDIENCE_SNAPSHOT_FILE_NAME);
      writeAtomically(target, snapshotText(report.snapshot));
      io.stderr(`Wrote ${toPosix(path.relative(io.cwd, target)) || AUDIENCE_SNAPSHOT_FILE_NAME} (counts and shares only).\n`);
    }
    io.stdout(format === 'json' ? `${JSON.stringify(report.output, null, 2)}\n` : textReport(report.output));
    return 0;
  } catch (error) {
    if (error instanceof Cancelled) {
      io.stderr('mergewise audience: cancelled; nothing was written.\n');
      return 130;
    }
    if (error instanceof AudienceError || error instanceof WarehouseError || error instanceof PickRefused) {
      io.stderr(`mergewise audience: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** `--emit-sql`: the query, printed instead of a report. */
type Measured = MeasuredReport | { emitted: string };

interface MeasuredReport {
  output: AudienceReport;
  /** Template paths relative to mergewise.json's folder, for the snapshot the editor reads. */
  snapshot: AudienceReport;
  schemaDir: string;
}

interface MeasureRequest {
  /** The source's files (or globs), as given to --data. */
  data: string[];
  table: string | undefined;
  /** The templates' paths as given; the working folder when none. */
  templates: string[];
  /** Emitting or importing a warehouse's query instead of running it here. */
  warehouse?: Warehouse;
  /** --pick: run on the source once the templates are planned, instead of measuring. */
  pick?: (session: PickSession) => Promise<number>;
}

/** The coverage report; or, given `pick`, what it returns, run on the source once the templates are planned. */
async function measure(request: MeasureRequest, io: AudienceIo): Promise<Measured | number> {
  const { data, table, templates: templateArgs, warehouse, pick } = request;
  const { signal } = io;
  if (signal?.aborted) throw new Cancelled();
  const engine = warehouse?.engine ?? duckdb;
  // Templates and the schema that governs them.
  const index = new SchemaIndex(nodeFileSystem);
  const collected = collectTemplates(templateArgs.length ? templateArgs : ['.'], io.cwd, index);
  if (collected.problems.length) throw new AudienceError(collected.problems.join(' '));
  const schemaFiles = new Set<string>();
  for (const file of collected.templates) {
    const found = index.schemaFileFor(file);
    if (found) schemaFiles.add(found);
  }
  for (const file of collected.schemas) schemaFiles.add(file);
  if (!schemaFiles.size) {
    const above = index.schemaFileFor(path.join(io.cwd, 'x'));
    if (above) schemaFiles.add(above);
  }
  if (schemaFiles.size === 0) throw new AudienceError('no mergewise.json governs these templates: the fields to measure come from it. Create one (mergewise init) or run in its folder.');
  if (schemaFiles.size > 1) throw new AudienceError(`these templates are governed by ${schemaFiles.size} mergewise.json files (${[...schemaFiles].map((f) => toPosix(path.relative(io.cwd, f))).join(', ')}): measure one at a time.`);
  const schemaFile = [...schemaFiles][0];
  const loaded = index.load(schemaFile);
  if (!loaded.result) throw new AudienceError(loaded.readError ?? `${schemaFile} could not be read.`);
  const schema = loaded.result.schema;

  const { files, kind, instance, connection } = await openSources(data, io);
  const onAbort = () => connection.interrupt();
  signal?.addEventListener('abort', onAbort);
  try {
    // --emit-sql with --table reads that table, not the sample (for DuckDB, a database's --table is its own table, as in a local run).
    const tableRelation = warehouse?.table !== undefined && (engine.id !== 'duckdb' || kind !== 'duckdb') ? engine.table(warehouse.table) : undefined;
    const source = await describeSource(connection, kind, files, tableRelation !== undefined ? undefined : table, io);
    const columns = sourceColumns(source.columns);
    const mapping = mapColumns(schema, columns, engine);
    for (const problem of mapping.problems) io.stderr(`mergewise audience: warning: ${problem}\n`);
    if (!mapping.fields.length) {
      throw new AudienceError(`no column of ${source.description} maps to a field of ${toPosix(path.relative(io.cwd, schemaFile))} ` +
        `(columns: ${columns.slice(0, 20).map((c) => c.name).join(', ')}${columns.length > 20 ? ', …' : ''}). ` +
        'Name columns as the fields\' paths or last segments, or map them in mergewise.json\'s "audience": {"columns": {…}}.');
    }

    const conditions = new ConditionRegistry();
    const plans: { plan: TemplatePlan; file: string }[] = [];
    for (const file of collected.templates) {
      const text = fs.readFileSync(file, 'utf8');
      const relative = toPosix(path.relative(schema.dir, file));
      const dialect = getDialect(chooseDialect(schema, relative, text).id, schema);
      plans.push({ file, plan: planTemplate({ path: relative, text, scan: dialect.scan(text), dialect, schema, fields: mapping.fields, conditions, sql: engine }) });
    }

    const malformed = kind === 'json' ? await malformedJsonLines(connection, files, io) : undefined;
    if (pick) {
      const code = await pick({
        query: (sql) => run(connection, sql, source.description, io),
        relation: source.relation,
        where: malformedWhere(malformed, columns),
        description: source.description, schema, mapping, plans, conditions, now: io.now ?? new Date(), cwd: io.cwd,
      });
      const rejects = kind === 'csv' ? await csvRejects(connection, io) : malformed;
      throwIfNotUtf8(rejects);
      if (rejects?.count) io.stderr(`mergewise audience: ${skippedRows(rejects)}.\n`);
      return code;
    }
    const input: CoverageInput = {
      relation: tableRelation ?? source.relation,
      // Malformed JSON lines are read as rows of nulls: leave them out.
      where: tableRelation === undefined ? malformedWhere(malformed, columns) : undefined,
      fields: mapping.fields,
      templates: plans.map((p) => p.plan),
      conditions,
      now: warehouse?.takenAt ?? io.now ?? new Date(),
      sql: engine,
    };
    const query = buildCoverageQuery(input);
    if (warehouse?.emit) return { emitted: `${query.sql};\n` };
    const imported = warehouse?.importResult !== undefined ? readImportedResult(warehouse.importResult, query.columns, io.cwd) : undefined;
    io.onStage?.('coverage');
    if (signal?.aborted) throw new Cancelled();
    const result = imported ? [imported.row] : await run(connection, query.sql, source.description, io);
    const row = result[0] as Record<string, number | bigint | null>;
    const rejects = imported ? undefined : kind === 'csv' ? await csvRejects(connection, io) : malformed;
    throwIfNotUtf8(rejects);
    const description = imported?.description ?? source.description;
    const takenAt = `${input.now.toISOString().slice(0, 19)}Z`;
    const fileOf = new Map(plans.map((p) => [p.plan, p.file]));
    const output = readCoverage(input, row, { description, takenAt }, (plan) => toPosix(path.relative(io.cwd, fileOf.get(plan)!)) || plan.path);
    addExtras(output, mapping, rejects);
    const snapshot: AudienceReport = { ...output, templates: output.templates.map((t, i) => ({ ...t, path: input.templates[i].path })) };
    if (output.source.rows === 0) throw new AudienceError(`${description} has no rows${rejects?.count ? ` it could read (${rejects.count} malformed)` : ''}.`);
    return { output, snapshot, schemaDir: schema.dir };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    connection.closeSync();
    instance.closeSync();
  }
}

function addExtras(report: AudienceReport, mapping: ColumnMapping, rejects: Rejects | undefined): void {
  if (mapping.unmappedFields.length) report.unmappedFields = mapping.unmappedFields;
  if (mapping.unusedColumns.length) report.unusedColumns = mapping.unusedColumns;
  if (rejects?.count) report.malformedRows = rejects;
}

interface SourceFile {
  path: string;
  shown: string;
  kind: SourceKind;
  /** A JSON file holding one array of objects, not JSON lines. */
  jsonArray?: boolean;
}

/** The file's first 4 KB, as stored (a compressed file's are compressed: nothing is recognised in them). */
function firstBytes(file: string): Buffer {
  const handle = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, fs.readSync(handle, buffer, 0, buffer.length, 0));
  } finally {
    fs.closeSync(handle);
  }
}

/** A UTF-16 byte order mark, or the zero bytes UTF-16 puts beside every ASCII character (Excel's "Unicode text"). */
function looksUtf16(start: Buffer): boolean {
  if (start.length >= 2 && ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff))) return true;
  const zeros = start.reduce((n, byte) => n + (byte === 0 ? 1 : 0), 0);
  return start.length >= 4 && zeros * 4 >= start.length;
}

/** Each `--data` argument: a file, or a glob expanded here (so a missing file is named, not a DuckDB error). */
function resolveSources(data: string[], cwd: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const given of data) {
    const absolute = path.resolve(cwd, given);
    const matches = /[*?[{]/.test(given) ? expandGlob(absolute) : [absolute];
    if (!matches.length) throw new AudienceError(`--data ${given}: no file matches.`);
    for (const file of matches) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        throw new AudienceError(`--data ${given}: no such file.`);
      }
      if (!stat.isFile()) throw new AudienceError(`--data ${given}: not a file.`);
      const kind = kindOf(file);
      const shown = toPosix(path.relative(cwd, file)) || path.basename(file);
      if (!kind) throw new AudienceError(`--data ${shown}: unknown kind of file; use .csv, .tsv, .jsonl, .ndjson, .json, .parquet, .duckdb or .db (CSV and JSON also compressed, .gz or .zst).`);
      if (kind !== 'duckdb' && kind !== 'parquet' && stat.size === 0) throw new AudienceError(`--data ${shown}: the file is empty.`);
      const source: SourceFile = { path: file, shown, kind };
      if (kind === 'csv' || kind === 'json') {
        const start = firstBytes(file);
        if (looksUtf16(start)) throw new AudienceError(`${shown} is UTF-16 encoded: convert it to UTF-8 (for example with iconv -f UTF-16 -t UTF-8).`);
        if (kind === 'json' && start.toString('latin1').trimStart().startsWith('[')) source.jsonArray = true;
      }
      files.push(source);
    }
  }
  return files;
}

/** `*`, `?` and `**` in the file name and folders of a path. */
function expandGlob(pattern: string): string[] {
  const root = path.parse(pattern).root;
  const parts = pattern.slice(root.length).split(/[\\/]/);
  let current = [root];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!/[*?[{]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      const regex = new RegExp(`^${part.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.').replace(/\{([^}]*)\}/g, (_, alts: string) => `(?:${alts.split(',').join('|')})`)}$`);
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (regex.test(entry.name) && (last ? entry.isFile() : entry.isDirectory())) next.push(path.join(dir, entry.name));
      }
    }
    current = next;
  }
  return current.sort();
}

interface DescribedSource {
  relation: string;
  description: string;
  columns: { name: string; type: string }[];
}

async function describeSource(connection: DuckDBConnection, kind: SourceKind, files: SourceFile[], table: string | undefined, io: AudienceIo): Promise<DescribedSource> {
  const list = `[${files.map((f) => quoteString(f.path)).join(', ')}]`;
  const description = files.length === 1 ? files[0].shown : `${files[0].shown} and ${files.length - 1} more`;
  let relation: string;
  switch (kind) {
    case 'csv':
      relation = csvRelation(files, await dayMonthDates(connection, files, io));
      break;
    case 'json': {
      const arrays = files.filter((f) => f.jsonArray).length;
      if (arrays && arrays < files.length) throw new AudienceError('--data mixes JSON lines and JSON array files: give one kind at a time.');
      // A malformed line is counted and left out (malformedJsonLines); an array is one value: it reads whole or not at all.
      relation = arrays ? `read_json(${list}, format = 'array', union_by_name = true)` : `read_json(${list}, format = 'newline_delimited', union_by_name = true, ignore_errors = true)`;
      break;
    }
    case 'parquet':
      relation = `read_parquet(${list}, union_by_name = true)`;
      break;
    case 'duckdb': {
      io.onStage?.('describe');
      try {
        await connection.run(`ATTACH ${quoteString(files[0].path)} AS audience_source (READ_ONLY)`);
      } catch (error) {
        throw failure(error, `${files[0].shown} is not a DuckDB database Mergewise can open`);
      }
      const tables = (await run(connection, "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'audience_source' ORDER BY 1, 2", description, io))
        .map((row) => ({ schema: String(row.schema_name), name: String(row.table_name) }));
      const chosen = table !== undefined ? tables.find((t) => t.name === table || `${t.schema}.${t.name}` === table) : tables.length === 1 ? tables[0] : undefined;
      if (!chosen) {
        throw new AudienceError(table !== undefined
          ? `${files[0].shown} has no table "${table}" (tables: ${tables.map((t) => t.name).join(', ') || 'none'}).`
          : tables.length ? `${files[0].shown} has ${tables.length} tables (${tables.map((t) => t.name).join(', ')}): choose one with --table NAME.`
            : `${files[0].shown} has no table.`);
      }
      relation = `audience_source.${quoteIdentifier(chosen.schema)}.${quoteIdentifier(chosen.name)}`;
      return timestampsAsUtc({ relation, description: `${description} (table ${chosen.name})`, columns: await describe(connection, relation, description, io) });
    }
  }
  if (table !== undefined) throw new AudienceError('--table only applies to a DuckDB database.');
  const columns = await describeNamingTheFile(connection, relation, kind, files, description, io);
  if (kind === 'csv' && columns.length === 1 && columns[0].name === 'column0') {
    throwIfNotUtf8(await csvRejects(connection, io));
    throw new AudienceError(`${description} has no header row and no columns Mergewise can read: is it empty?`);
  }
  if (kind === 'csv' && headerLooksLikeData(columns.map((c) => c.name))) {
    // The names are the first row's values: never shown.
    throw new AudienceError(`${description} seems to have no header row: its first line holds values (email addresses, phone numbers, numbers or dates), not column names. ` +
      'Export it with a header row (Snowflake: COPY INTO … FILE_FORMAT = (TYPE = CSV) HEADER = TRUE; BigQuery and Spark write one by default).');
  }
  return timestampsAsUtc({ relation, description, columns });
}

/**
 * Whether a CSV's column names are a row of data: DuckDB takes the first line as the header when its
 * cells read as text, so a file without one has values as names. A name shaped like an email address
 * or a phone number, names that are mostly numbers or dates, or only generated names (DuckDB found no
 * header row) say so.
 */
export function headerLooksLikeData(names: readonly string[]): boolean {
  if (names.every((name) => GENERATED_COLUMN_NAME.test(name))) return true;
  if (names.some((name) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(name.trim()) || (/^\+?[\d\s()./-]+$/.test(name.trim()) && name.replace(/\D/g, '').length >= 7))) return true;
  const valueShaped = names.filter((name) => /^[-+]?\d+(?:[.,]\d+)?$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$/.test(name.trim()));
  return valueShaped.length * 2 >= names.length;
}

/**
 * TIMESTAMP columns (no time zone) read as TIMESTAMPTZ in UTC, once per row, by the source's relation.
 * The coverage query compares update times as TIMESTAMPTZ, and DuckDB's cast from TIMESTAMP goes
 * through ICU's calendar for every value: 6 such casts per row cost more than reading the whole
 * row (10 million rows, 3 fields with maxAgeDays: 5.6 s of CPU). `make_timestamptz(epoch_us(…))`
 * gives the same instant (the session's time zone is UTC) without ICU; a TIMESTAMPTZ needs no cast.
 */
function timestampsAsUtc(source: DescribedSource): DescribedSource {
  const local = source.columns.filter((c) => c.type === 'TIMESTAMP');
  if (!local.length) return source;
  const replaced = local.map((c) => `make_timestamptz(epoch_us(${quoteIdentifier(c.name)})) AS ${quoteIdentifier(c.name)}`).join(', ');
  return {
    ...source,
    relation: `(SELECT * REPLACE (${replaced}) FROM ${source.relation})`,
    columns: source.columns.map((c) => (c.type === 'TIMESTAMP' ? { ...c, type: 'TIMESTAMP WITH TIME ZONE' } : c)),
  };
}

/**
 * How CSV files are read: each sniffed on its own (files of a glob can differ in columns, their order
 * and delimiter) and put together by column name. Rows that do not fit are recorded (`csvRejects`),
 * never quoted. `NULL`, `null` and `\\N`, as databases export an empty value, are empty.
 */
function csvRelation(files: SourceFile[], dates: ReadonlyMap<SourceFile, DayMonthDates> = new Map()): string {
  const read = (file: SourceFile) => {
    const options = `auto_detect = true, store_rejects = true, rejects_limit = 0, nullstr = ['', 'NULL', 'null', '\\N']`;
    const columns = dates.get(file)?.columns;
    if (!columns?.length) return `read_csv([${quoteString(file.path)}], ${options})`;
    return `(SELECT * REPLACE (${columns.map((c) => `${parseDayMonth(c, dates.get(file)!.formats)} AS ${quoteIdentifier(c.name)}`).join(', ')}) ` +
      `FROM read_csv([${quoteString(file.path)}], ${options}, types = {${columns.map((c) => `${quoteString(c.name)}: 'VARCHAR'`).join(', ')}}))`;
  };
  if (files.length === 1) return read(files[0]);
  // read_csv's own union_by_name cannot record rejected rows: one read per file, in one scan of the query.
  return `(${files.map((file) => `SELECT * FROM ${read(file)}`).join('\n  UNION ALL BY NAME ')})`;
}

/** A CSV file's date columns in a day/month or month/day order, read as text and parsed value by value. */
interface DayMonthDates {
  columns: { name: string; type: string }[];
  /** strptime formats, in the order the whole file's values tell. */
  formats: string[];
}

/** The value parsed by the formats (or as ISO 8601), NULL when it reads as none: a value that does not read never drops its row. */
function parseDayMonth(column: { name: string; type: string }, formats: string[]): string {
  const text = quoteIdentifier(column.name);
  const parsed = `coalesce(try_strptime(trim(${text}), [${formats.map(quoteString).join(', ')}]), TRY_CAST(${text} AS TIMESTAMP))`;
  return column.type === 'DATE' ? `CAST(${parsed} AS DATE)` : parsed;
}

/**
 * DuckDB's sniffer fixes one date format from the first rows: on 01/02/2026 it may choose day/month,
 * and then drops every row holding 12/25/2026 as malformed. Where it chose a day/month or month/day
 * format, the file's date columns are read as text and parsed per value, in the order all the
 * file's values tell (a first number over 12: day first; a second one: month first; else as sniffed).
 * Only the largest first and second numbers come back.
 */
async function dayMonthDates(connection: DuckDBConnection, files: SourceFile[], io: AudienceIo): Promise<Map<SourceFile, DayMonthDates>> {
  const found = new Map<SourceFile, DayMonthDates>();
  for (const file of files) {
    const [sniffed] = await run(connection, `SELECT DateFormat AS d, TimestampFormat AS t, Columns AS c FROM sniff_csv(${quoteString(file.path)})`, file.shown, io);
    const formats = [sniffed?.d, sniffed?.t].filter((f): f is string => typeof f === 'string' && /^%[dm]\W%[md]\W/.test(f));
    if (!formats.length) continue;
    const columns = ((sniffed.c ?? []) as { name: string; type: string }[]).filter((c) => c.type === 'DATE' || c.type === 'TIMESTAMP');
    if (!columns.length) continue;
    const part = (n: 1 | 2, c: { name: string }) => `max(TRY_CAST(regexp_extract(${quoteIdentifier(c.name)}, '^\\s*(\\d{1,2})\\D(\\d{1,2})\\D', ${n}) AS INTEGER))`;
    const [largest] = await run(connection, `SELECT greatest(${columns.map((c) => part(1, c)).join(', ')}) AS first, greatest(${columns.map((c) => part(2, c)).join(', ')}) AS second ` +
      `FROM read_csv([${quoteString(file.path)}], auto_detect = true, ignore_errors = true, types = {${columns.map((c) => `${quoteString(c.name)}: 'VARCHAR'`).join(', ')}})`, file.shown, io);
    const dayFirst = Number(largest?.first ?? 0) > 12 ? true : Number(largest?.second ?? 0) > 12 ? false : formats[0].startsWith('%d');
    const ordered = formats.map((f) => (f.startsWith('%d') === dayFirst ? f : f.replace(/^%([dm])(\W)%([md])/, '%$3$2%$1')));
    found.set(file, { columns, formats: ordered });
  }
  return found;
}

/** The columns; when several files cannot be read together, the first that cannot be read alone is named. */
async function describeNamingTheFile(connection: DuckDBConnection, relation: string, kind: SourceKind, files: SourceFile[], description: string, io: AudienceIo): Promise<{ name: string; type: string }[]> {
  try {
    return await describe(connection, relation, description, io);
  } catch (error) {
    if (!(error instanceof AudienceError) || files.length === 1 || kind !== 'csv') throw error;
    for (const file of files) await describe(connection, csvRelation([file]), file.shown, io);
    throw error;
  }
}

async function describe(connection: DuckDBConnection, relation: string, description: string, io: AudienceIo): Promise<{ name: string; type: string }[]> {
  io.onStage?.('describe');
  const rows = await run(connection, `DESCRIBE SELECT * FROM ${relation}`, description, io);
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

async function run(connection: DuckDBConnection, sql: string, description: string, io: AudienceIo): Promise<Record<string, unknown>[]> {
  if (io.signal?.aborted) throw new Cancelled();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } catch (error) {
    if (io.signal?.aborted) throw new Cancelled();
    throw failure(error, `${description} could not be read`);
  }
}

/** DuckDB's error, described without quoting it: its text can hold row values. */
function failure(error: unknown, fallback: string): AudienceError {
  const message = error instanceof Error ? error.message : String(error);
  if (/INTERRUPT/i.test(message)) return new Cancelled() as unknown as AudienceError;
  if (/No files found that match/i.test(message)) return new AudienceError(`${fallback}: no such file.`);
  if (/not utf-8|invalid unicode/i.test(message)) return new AudienceError(`${fallback}: it is not UTF-8 encoded; convert it to UTF-8 (for example with iconv).`);
  if (/magic bytes|parquet/i.test(message)) return new AudienceError(`${fallback}: it is not a Parquet file.`);
  if (/malformed json|json/i.test(message)) return new AudienceError(`${fallback}: it is not JSON lines or a JSON array of objects.`);
  if (/sniff|CSV Error|dialect/i.test(message)) return new AudienceError(`${fallback}: its CSV layout could not be detected (check the delimiter, quotes and header).`);
  const kind = /^([A-Za-z ]+ Error):/.exec(message)?.[1];
  return new AudienceError(`${fallback}${kind ? ` (DuckDB: ${kind})` : ''}.`);
}

interface Rejects {
  count: number;
  first: { file: string; line: number }[];
  encoding?: { file: string; line: number };
}

/** A source file that is not UTF-8 stops the run, naming the file and line. */
function throwIfNotUtf8(rejects: Rejects | undefined): void {
  if (rejects?.encoding) throw new AudienceError(`${rejects.encoding.file} is not UTF-8 encoded (line ${rejects.encoding.line}): convert it to UTF-8 (for example with iconv).`);
}

/** `N malformed rows skipped, first at FILE:LINE, …` (no row value). */
function skippedRows(rejects: Pick<Rejects, 'count' | 'first'>): string {
  return `${rejects.count} malformed row${rejects.count === 1 ? '' : 's'} skipped, first at ${rejects.first.map((m) => `${m.file}:${m.line}`).join(', ')}`;
}

/** Malformed JSON lines are read as rows of nulls: the condition that leaves them out, when there are any. */
function malformedWhere(malformed: Rejects | undefined, columns: readonly { name: string }[]): string | undefined {
  return malformed?.count ? columns.map((c) => `${quoteIdentifier(c.name)} IS NOT NULL`).join(' OR ') : undefined;
}

/** CSV rows DuckDB rejected in the last scan: how many, and the first five by file and line (never their content). */
async function csvRejects(connection: DuckDBConnection, io: AudienceIo): Promise<Rejects | undefined> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await connection.runAndReadAll(
      `SELECT DISTINCT s.file_path AS file, e.line AS line, min(e.error_type) OVER (PARTITION BY s.file_path, e.line) AS kind
       FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
       WHERE e.scan_id = (SELECT max(scan_id) FROM reject_errors)
       ORDER BY 1, 2 LIMIT 5`)).getRowObjectsJS() as Record<string, unknown>[];
  } catch {
    return undefined; // No rejects table: nothing was rejected.
  }
  if (!rows.length) return { count: 0, first: [] };
  const shown = (file: unknown) => toPosix(path.relative(io.cwd, String(file))) || String(file);
  const first = rows.map((row) => ({ file: shown(row.file), line: Number(row.line) }));
  const encoding = rows.find((row) => String(row.kind).includes('ENCODING'));
  // Rows with more than one error are counted once.
  const distinct = await connection.runAndReadAll(
    'SELECT count(DISTINCT (file_id, line)) AS n FROM reject_errors WHERE scan_id = (SELECT max(scan_id) FROM reject_errors)');
  const count = Number((distinct.getRowObjectsJS()[0] as { n: bigint }).n);
  return { count, first, ...(encoding ? { encoding: { file: shown(encoding.file), line: Number(encoding.line) } } : {}) };
}

/** JSON lines that do not parse: a streaming pass over each JSON lines file's lines (line numbers only come back). */
async function malformedJsonLines(connection: DuckDBConnection, files: SourceFile[], io: AudienceIo): Promise<Rejects> {
  const rejects: Rejects = { count: 0, first: [] };
  for (const file of files.filter((f) => !f.jsonArray)) {
    io.onStage?.('malformed');
    const rows = await run(connection,
      `SELECT count(*) FILTER (WHERE NOT json_valid(line)) AS bad, min(n, 5) FILTER (WHERE NOT json_valid(line)) AS lines
       FROM (SELECT line, row_number() OVER () AS n FROM read_csv(${quoteString(file.path)}, header = false, columns = {'line': 'VARCHAR'},
         delim = chr(1), quote = '', escape = '', auto_detect = false, strict_mode = false, null_padding = true))
       WHERE line IS NOT NULL AND trim(line) <> ''`, file.shown, io);
    const bad = Number(rows[0]?.bad ?? 0);
    rejects.count += bad;
    const lines = (rows[0]?.lines as (number | bigint)[] | null) ?? [];
    for (const line of [...lines].map(Number).sort((a, b) => a - b)) if (rejects.first.length < 5) rejects.first.push({ file: file.shown, line });
  }
  return rejects;
}

function writeAtomically(target: string, text: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, target);
  } catch (error) {
    try { fs.rmSync(temporary, { force: true }); } catch { /* already gone */ }
    throw new AudienceError(`${target} could not be written (${(error as Error).message}); nothing was changed.`);
  }
}

const percent = (share: number | null) => (share === null ? '   n/a' : `${(share * 100).toFixed(1).padStart(5)}%`);

function textReport(report: AudienceReport): string {
  const out: string[] = [];
  out.push(`${report.source.description}: ${report.source.rows} rows (taken ${report.source.takenAt})`);
  if (report.malformedRows?.count) {
    out.push(`  ${skippedRows(report.malformedRows)}`);
  }
  out.push('', 'Fields');
  const names = Object.keys(report.fields);
  const width = Math.max(5, ...names.map((n) => n.length));
  out.push(`  ${'field'.padEnd(width)}  ${'filled'.padStart(6)}  ${'stale'.padStart(6)}  column`);
  for (const name of names) {
    const f = report.fields[name];
    const extra = [f.unparsable ? `${f.unparsable} unparsable` : '', f.staleUnknown ? `${f.staleUnknown} with no readable update date` : ''].filter(Boolean).join(', ');
    out.push(`  ${name.padEnd(width)}  ${percent(f.fillRate)}  ${percent(f.staleShare)}  ${f.column}${extra ? `  (${extra})` : ''}`);
  }
  if (report.unmappedFields?.length) out.push(`  Not in the source: ${report.unmappedFields.map((u) => u.field).join(', ')}`);
  if (report.unusedColumns?.length) out.push(`  Columns no field reads: ${report.unusedColumns.join(', ')}`);
  for (const t of report.templates) {
    out.push('', `${t.path}${t.approximate ? ' (upper bounds: some conditions could not be translated)' : ''}`);
    out.push(`  see a fallback ${percent(t.seeFallback)}   see a blank ${percent(t.seeBlank)}   see stale data ${percent(t.seeStale)}   aborted ${percent(t.aborted)}`);
    for (const b of t.branches) out.push(`  ${percent(b.share)}  line ${b.range.start.line + 1}: ${b.condition}`);
    for (const u of t.untranslated) out.push(`  not translated, line ${u.range.start.line + 1}: ${u.reason}`);
    if (t.unmeasuredFields?.length) out.push(`  not measured (no column): ${t.unmeasuredFields.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** A source opened for another command (`mergewise init --from-data`): its columns, and queries over it. */
export interface OpenedSource {
  relation: string;
  /** Rows to leave out (malformed JSON lines), as a SQL condition. */
  where?: string;
  description: string;
  columns: { name: string; type: string }[];
  query: (sql: string) => Promise<Record<string, unknown>[]>;
}

/** The `--data` files (of one kind) and an embedded DuckDB connection, in UTC, to read them; the caller closes both. */
async function openSources(data: string[], io: AudienceIo) {
  const files = resolveSources(data, io.cwd);
  const kinds = new Set(files.map((f) => f.kind));
  if (kinds.size > 1) throw new AudienceError(`--data mixes kinds of files (${[...kinds].join(', ')}): give one kind at a time.`);
  const kind = files[0].kind;
  if (kind === 'duckdb' && files.length > 1) throw new AudienceError('--data names more than one DuckDB database: give one.');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return { files, kind, instance, connection };
}

/**
 * Opens `--data` (and `--table`) as `mergewise audience` does, runs `use` on it, and closes it. Bad
 * input throws an `AudienceError` whose message names what and where, never a row value.
 */
export async function readSource<T>(data: string[], table: string | undefined, io: AudienceIo, use: (source: OpenedSource) => Promise<T>): Promise<T> {
  const { files, kind, instance, connection } = await openSources(data, io);
  try {
    const source = await describeSource(connection, kind, files, table, io);
    if (!source.columns.length) throw new AudienceError(`${source.description} has no columns.`);
    const malformed = kind === 'json' ? await malformedJsonLines(connection, files, io) : undefined;
    const result = await use({
      relation: source.relation,
      where: malformedWhere(malformed, source.columns),
      description: source.description,
      columns: source.columns,
      query: (sql) => run(connection, sql, source.description, io),
    });
    const rejects = kind === 'csv' ? await csvRejects(connection, io) : malformed;
    throwIfNotUtf8(rejects);
    if (rejects?.count) io.stderr(`mergewise: ${skippedRows(rejects)}.\n`);
    return result;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
