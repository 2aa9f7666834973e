/**
 * `mergewise init --from-data SOURCE`: profiles the source through cli/audience.ts (the module that
 * runs DuckDB: one aggregate query, only counts, the 95th percentile age and a few frequent values
 * of fields whose names do not look personal come back), then runs `init` with the result.
 */
import { sourceColumns } from '../core/audience/columns';
import { loadSchema, SCHEMA_FILE_NAME } from '../core/schema/load';
import { dataFields, profileSql, readProfile, updatedAtColumn, type FromData } from '../core/init/from-data';
import { AudienceError, readSource } from './audience';
import { runInit, type InitOptions } from './init';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function runInitFromData(options: InitOptions, data: string[], table: string | undefined, out: Output): Promise<number> {
  let fromData: FromData;
  try {
    fromData = await readSource(data, table, { ...out, cwd: options.cwd }, async (source) => {
      const columns = sourceColumns(source.columns);
      const configured = configuredUpdatedAt(options);
      const updatedAt = updatedAtColumn(columns, configured);
      const fields = dataFields(columns, updatedAt?.name ?? configured);
      if (!fields.length) throw new AudienceError(`${source.description} has no column that could be a field (only ${columns.map((c) => c.name).join(', ') || 'none'}).`);
      const [row] = await source.query(profileSql(source.relation, source.where, fields, updatedAt, options.now ?? new Date()));
      const profile = readProfile(fields, row ?? {}, updatedAt);
      if (profile.rows === 0) throw new AudienceError(`${source.description} has no rows: types could be read, but not which fields are always filled.`);
      return { description: source.description, columns, profile };
    });
  } catch (error) {
    if (error instanceof AudienceError) {
      out.stderr(`mergewise init: --from-data: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return runInit({ ...options, fromData }, out);
}

/** `audience.updatedAt` of the mergewise.json already there, if any. */
function configuredUpdatedAt(options: InitOptions): string | undefined {
  const first = options.paths.length === 1 ? path.resolve(options.cwd, options.paths[0]) : undefined;
  const dir = first && fs.existsSync(first) && fs.statSync(first).isDirectory() ? first : options.cwd;
  const file = path.join(dir, SCHEMA_FILE_NAME);
  try {
    return loadSchema(fs.readFileSync(file, 'utf8'), file, dir).schema.audience?.updatedAt;
  } catch {
    return undefined;
  }
}
