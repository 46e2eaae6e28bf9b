import type { Table } from 'apache-arrow';
import { ConflictError, UsageError } from '../errors';
import { combineDigests } from '../digest/column-digest';
import { encodeParquet } from '../parquet/encode';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import { readTableManifest, writeTableManifest, type DataFile, type TableManifest } from '../table/manifest';
import { newId } from '../table/naming';
import { describeSchema } from '../table/schema';
import type { TableRef } from '../table/table-ref';
import { runPool } from '../util/pool';
import { TOOL_VERSION } from '../version';

export interface WriteArrowOptions {
  rowsPerFile: number;
  rowGroupRows: number;
  overwrite: boolean;
  encryption?: EncryptionOptions;
  source?: Record<string, unknown>;
  onProgress?: (progress: { files: number; rows: number; totalRows: number }) => void;
}

export interface WriteTableResult {
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

/**
 * Writes a caller's Arrow table as a lakevault table, the way `table create` writes the
 * generated one: generation-named Parquet files with digests in their footers, the
 * manifest written last (the switch), the replaced generation's files removed after.
 */
export async function writeArrowTable(store: ObjectStore, ref: TableRef, table: Table, options: WriteArrowOptions): Promise<WriteTableResult> {
  checkSplit(options);
  const started = Date.now();
  const { bucket, prefix } = ref.location;
  await store.ensureBucket(bucket);
  const previous = await readTableManifest(store, ref.location);
  if (previous && !options.overwrite) throw new ConflictError(`table "${ref.name}" already exists at ${ref.uri} (use overwrite to replace it)`);
  if (!previous && !options.overwrite) {
    for await (const object of store.list(bucket, prefix)) {
      throw new ConflictError(`${ref.uri} is not empty (found ${object.key}) but holds no lakevault table; use overwrite to write there anyway`);
    }
  }

  const generation = newId();
  // An empty table is one file of zero rows: its schema must still be recorded and readable.
  const fileCount = Math.max(1, Math.ceil(table.numRows / options.rowsPerFile));
  const files: DataFile[] = new Array(fileCount);
  let rowsWritten = 0;
  await runPool(Array.from({ length: fileCount }, (_, i) => i), 2, async (index) => {
    const part = table.slice(index * options.rowsPerFile, (index + 1) * options.rowsPerFile);
    const encoded = encodeParquet(part, { rowGroupRows: options.rowGroupRows, createdBy: `lakevault ${TOOL_VERSION}` });
    const key = `data/part-${String(index).padStart(5, '0')}-${generation}.parquet`;
    const putOptions = { contentType: 'application/vnd.apache.parquet', ...(options.encryption ? { encryption: options.encryption } : {}) };
    // Large files go up in parts (lib-storage); small ones in one PUT, as `table create` does.
    const stored = encoded.bytes.length > 16 * 1024 * 1024
      ? await store.upload(bucket, prefix + key, Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength), putOptions)
      : await store.put(bucket, prefix + key, encoded.bytes, putOptions);
    files[index] = {
      key, rows: part.numRows, bytes: encoded.bytes.length, etag: stored.etag,
      digest: encoded.digest.digest, columnDigests: encoded.digest.columns, rowGroups: encoded.rowGroupDigests.length,
    };
    rowsWritten += part.numRows;
    options.onProgress?.({ files: files.filter(Boolean).length, rows: rowsWritten, totalRows: table.numRows });
  });

  const manifest: TableManifest = {
    format: 'lakevault.table',
    formatVersion: 1,
    name: ref.name,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema: describeSchema(table.schema),
    files,
    totals: { files: files.length, rows: table.numRows, bytes: files.reduce((sum, file) => sum + file.bytes, 0) },
    contentDigest: combineDigests(files.map((file) => file.digest)),
    source: options.source ?? { writer: 'arrow' },
  };
  await writeTableManifest(store, ref.location, manifest);

  let removedFiles = 0;
  if (previous) {
    const current = new Set(files.map((file) => file.key));
    const stale = previous.files.map((file) => file.key).filter((key) => !current.has(key));
    removedFiles = (await store.deleteKeys(bucket, stale.map((key) => prefix + key))).deleted.length;
  }
  return {
    table: ref.name, uri: ref.uri, generation,
    rows: manifest.totals.rows, files: manifest.totals.files, bytes: manifest.totals.bytes, contentDigest: manifest.contentDigest,
    ...(previous ? { replacedGeneration: previous.generation } : {}),
    removedFiles,
    elapsedMs: Date.now() - started,
  };
}

function checkSplit(options: Pick<WriteArrowOptions, 'rowsPerFile' | 'rowGroupRows'>): void {
  for (const [name, value, max] of [['rowsPerFile', options.rowsPerFile, 2_000_000], ['rowGroupRows', options.rowGroupRows, 1_048_576]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new UsageError(`${name} must be an integer from 1 to ${max.toLocaleString('en')}, got ${value}`);
  }
}
