import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql } from './lake-fixtures';

/**
 * Delta checkpoints written the way Spark and delta-rs write them: a Parquet file with one
 * struct column per action type, one action per row, the other columns null. DuckDB reads
 * the actions as newline-delimited JSON (the commit format) into the protocol's struct
 * schema — partitionValues and configuration as MAP(VARCHAR, VARCHAR), partitionColumns
 * as a list — and writes that Parquet.
 */
const MAP = 'MAP(VARCHAR, VARCHAR)';
const DV = 'STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, "offset" INTEGER, sizeInBytes INTEGER, cardinality BIGINT)';
const COLUMNS: Record<string, string> = {
  txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues ${MAP}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags ${MAP}, deletionVector ${DV})`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues ${MAP}, size BIGINT, deletionVector ${DV})`,
  metaData: `STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options ${MAP}), schemaString VARCHAR, partitionColumns VARCHAR[], configuration ${MAP}, createdTime BIGINT)`,
  protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
};
/** V2 checkpoints add these two action types. */
const V2_COLUMNS: Record<string, string> = {
  checkpointMetadata: 'STRUCT(version BIGINT, tags MAP(VARCHAR, VARCHAR))',
  sidecar: 'STRUCT(path VARCHAR, sizeInBytes BIGINT, modificationTime BIGINT, tags MAP(VARCHAR, VARCHAR))',
};

let counter = 0;

/** The bytes of a checkpoint (or sidecar) Parquet file holding these actions. */
export async function checkpointParquet(db: DuckDBConnection, dir: string, actions: object[], options: { v2?: boolean } = {}): Promise<Buffer> {
  const name = `checkpoint-${process.pid}-${counter++}`;
  const json = join(dir, `${name}.json`);
  const out = join(dir, `${name}.parquet`);
  writeFileSync(json, actions.map((action) => JSON.stringify(action)).join('\n') + '\n');
  const columns = { ...COLUMNS, ...(options.v2 ? V2_COLUMNS : {}) };
  const spec = `{${Object.entries(columns).map(([column, type]) => `${sql(column)}: ${sql(type)}`).join(', ')}}`;
  await db.run(`COPY (select * from read_json(${sql(json)}, format = 'newline_delimited', columns = ${spec})) TO ${sql(out)} (FORMAT parquet)`);
  return readFileSync(out);
}

/** A classic checkpoint file name: 10 → _delta_log/00000000000000000010.checkpoint.parquet; with parts: …checkpoint.0000000001.0000000002.parquet */
export function checkpointKey(version: number, part?: { part: number; parts: number }): string {
  const v = String(version).padStart(20, '0');
  return part ? `_delta_log/${v}.checkpoint.${String(part.part).padStart(10, '0')}.${String(part.parts).padStart(10, '0')}.parquet` : `_delta_log/${v}.checkpoint.parquet`;
}
