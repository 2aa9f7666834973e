/** The SQL engines `mergewise audience --emit-sql` writes for. */
import { bigquery } from './bigquery';
import type { EngineId, SqlDialect } from './dialect';
import { duckdb } from './duckdb';
import { postgres } from './postgres';
import { snowflake } from './snowflake';
import { spark } from './spark';

export type { EngineId, SqlDialect, SqlType } from './dialect';
export { duckdb } from './duckdb';

export const SQL_DIALECTS: Readonly<Record<EngineId, SqlDialect>> = { duckdb, postgres, bigquery, snowflake, spark };

export function sqlDialect(id: string): SqlDialect | undefined {
  return Object.prototype.hasOwnProperty.call(SQL_DIALECTS, id) ? SQL_DIALECTS[id as EngineId] : undefined;
}
