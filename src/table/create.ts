import { ConflictError, UsageError } from '../errors';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import { generateSalesBatch } from '../datagen/sales';
import { encodeParquet } from '../parquet/encode';
import { combineDigests } from '../digest/column-digest';
import { runPool } from '../util/pool';
import { TOOL_VERSION } from '../version';
import { describeSchema } from './schema';
import { readTableManifest, writeTableManifest, type DataFile, type TableManifest } from './manifest';
import { newId } from './naming';
import type { TableRef } from './table-ref';

export const MAX_ROWS = 1_000_000_000;
export const MAX_ROWS_PER_FILE = 2_000_000;

export interface CreateTableOptions {
  rows: number;
  seed: number;
  rowsPerFile: number;
  rowGroupRows: number;
  overwrite: boolean;
  encryption?: EncryptionOptions;
  onProgress?: (progress: { files: number; rows: number; totalRows: number }) => void;
}

export interface CreateTableResult {
  table: string;
  uri: string;
  generation: string;
  rows: number;
  files: number;
  bytes: number;
  contentDigest: string;
  replacedGeneration?: string;
  removedFiles: number;
  elapsedMs: number;
}

export function checkCreateOptions(options: Pick<CreateTableOptions, 'rows' | 'rowsPerFile' | 'rowGroupRows' | 'seed'>): void {
  const integer = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`${name} must be an integer from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got ${value}`);
    }
  };
  integer('--rows', options.rows, 1, MAX_ROWS);
  integer('--rows-per-file', options.rowsPerFile, 1, MAX_ROWS_PER_FILE);
  integer('--row-group-rows', options.rowGroupRows, 1, 1_048_576);
  integer('--seed', options.seed, 0, 2 ** 31 - 1);
}

/**
 * Writes a generated sales table. Data files carry the generation id in their names, so
 * an overwrite never touches the files the current manifest lists; the new manifest is
 * written last (the switch), and only then are the old generation's files removed.
 */
export async function createSalesTable(store: ObjectStore, table: TableRef, options: CreateTableOptions): Promise<CreateTableResult> {
  checkCreateOptions(options);
  const started = Date.now();
  const { bucket, prefix } = table.location;
  await store.ensureBucket(bucket);
  const previous = await readTableManifest(store, table.location);
  if (previous && !options.overwrite) {
    throw new ConflictError(`table "${table.name}" already exists at ${table.uri} (use --overwrite to replace it)`);
  }
  if (!previous && !options.overwrite) {
    for await (const object of store.list(bucket, prefix)) {
      throw new ConflictError(`${table.uri} is not empty (found ${object.key}) but holds no lakevault table; use --overwrite to write there anyway`);
    }
  }

  const generation = newId();
  const fileCount = Math.ceil(options.rows / options.rowsPerFile);
  const files: DataFile[] = new Array(fileCount);
  let schema = describeSchema(generateSalesBatch(options.seed, 1, 1).schema);
  let rowsWritten = 0;
  let filesWritten = 0;
  // Two files in flight: one encoding (CPU) while the other uploads (network).
  await runPool(Array.from({ length: fileCount }, (_, i) => i), 2, async (index) => {
    const firstRow = index * options.rowsPerFile;
    const rows = Math.min(options.rowsPerFile, options.rows - firstRow);
    const batch = generateSalesBatch(options.seed, firstRow + 1, rows);
    schema = describeSchema(batch.schema);
    const encoded = encodeParquet(batch, { rowGroupRows: options.rowGroupRows, createdBy: `lakevault ${TOOL_VERSION}` });
    const key = `data/part-${String(index).padStart(5, '0')}-${generation}.parquet`;
    const putOptions = { contentType: 'application/vnd.apache.parquet', ...(options.encryption ? { encryption: options.encryption } : {}) };
    const stored = encoded.bytes.length > 16 * 1024 * 1024
      ? await store.upload(bucket, prefix + key, Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength), putOptions)
      : await store.put(bucket, prefix + key, encoded.bytes, putOptions);
    files[index] = {
      key,
      rows,
      bytes: encoded.bytes.length,
      etag: stored.etag,
      digest: encoded.digest.digest,
      columnDigests: encoded.digest.columns,
      rowGroups: encoded.rowGroupDigests.length,
    };
    rowsWritten += rows;
    filesWritten += 1;
    options.onProgress?.({ files: filesWritten, rows: rowsWritten, totalRows: options.rows });
  });

  const manifest: TableManifest = {
    format: 'lakevault.table',
    formatVersion: 1,
    name: table.name,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema,
    files,
    totals: { files: files.length, rows: options.rows, bytes: files.reduce((sum, file) => sum + file.bytes, 0) },
    contentDigest: combineDigests(files.map((file) => file.digest)),
    source: { generator: 'sales', seed: options.seed },
  };
  await writeTableManifest(store, table.location, manifest);

  let removedFiles = 0;
  if (previous) {
    const current = new Set(files.map((file) => file.key));
    const stale = previous.files.map((file) => file.key).filter((key) => !current.has(key));
    const deleted = await store.deleteKeys(bucket, stale.map((key) => prefix + key));
    removedFiles = deleted.deleted.length;
    // A failed removal leaves an unreferenced file behind, never a broken table.
  }
  return {
    table: table.name,
    uri: table.uri,
    generation,
    rows: manifest.totals.rows,
    files: manifest.totals.files,
    bytes: manifest.totals.bytes,
    contentDigest: manifest.contentDigest,
    ...(previous ? { replacedGeneration: previous.generation } : {}),
    removedFiles,
    elapsedMs: Date.now() - started,
  };
}
