import type { Schema, Table } from 'apache-arrow';
import { ConflictError } from '../errors';
import { combineDigests } from '../digest/column-digest';
import { encodeWorkers, fileEncoder } from '../parquet/encode-pool';
import type { EncodedFile } from '../parquet/encode';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import { requireEncryption } from '../store/encryption-check';
import { Claims } from '../util/claim';
import { runPool } from '../util/pool';
import { TOOL_VERSION } from '../version';
import { readTableManifest, writeTableManifest, TABLE_FORMAT_VERSION, type DataFile, type TableManifest } from './manifest';
import { newId } from './naming';
import { describeSchema } from '../model/schema';
import type { TableRef } from './table-ref';

export interface WriteTableOptions {
  schema: Schema;
  totalRows: number;
  fileCount: number;
  /** The rows of data file `index` (0-based), produced when that file is written. */
  filePart: (index: number) => Table;
  rowGroupRows: number;
  overwrite: boolean;
  /** How the caller spells "overwrite" in its error messages (`--overwrite`, `overwrite`). */
  overwriteHint: string;
  /** Requested server-side encryption: each file is read back and must have it (else the write fails, leaving nothing). */
  encryption?: EncryptionOptions;
  source: Record<string, unknown>;
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

/** Large files go up in parts (lib-storage); small ones in one PUT. */
const MULTIPART_UPLOAD_ABOVE = 16 * 1024 * 1024;

/**
 * Stores one encoded data file at `prefix + key`, with the encryption asked for (read back:
 * a server that stored it otherwise fails the write); returns its manifest record.
 */
export async function putDataFile(store: ObjectStore, bucket: string, prefix: string, key: string, encoded: EncodedFile, encryption?: EncryptionOptions): Promise<DataFile> {
  const putOptions = { contentType: 'application/vnd.apache.parquet', ...(encryption ? { encryption } : {}) };
  const stored = encoded.bytes.length > MULTIPART_UPLOAD_ABOVE
    ? await store.upload(bucket, prefix + key, Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength), putOptions)
    : await store.put(bucket, prefix + key, encoded.bytes, putOptions);
  if (encryption) await requireEncryption(store, bucket, prefix + key, encryption);
  return {
    key,
    rows: encoded.rows,
    bytes: encoded.bytes.length,
    etag: stored.etag,
    digest: encoded.digest.digest,
    columnDigests: encoded.digest.columns,
    rowGroups: encoded.rowGroupDigests.length,
  };
}

/**
 * Uploads in flight, and the encoded bytes they may hold (an upload of a file larger than
 * that still goes, alone). A PUT waits on the server far longer than a small file takes to
 * encode: with only the files being encoded in flight, a table of many small files was
 * written at the server's latency, one file at a time.
 */
const UPLOADS = 16;
const UPLOAD_BYTES = 32 * 1024 * 1024;

/**
 * Writes a lakevault table: generation-named zstd Parquet files with content digests in
 * their footers, then the manifest (the switch), then — on overwrite — the replaced
 * generation's files, taken from its manifest (never from a listing). Because file names
 * carry the generation, an overwrite never touches a file the current manifest lists.
 */
export async function writeTable(store: ObjectStore, ref: TableRef, options: WriteTableOptions): Promise<WriteTableResult> {
  const started = Date.now();
  const workers = encodeWorkers(options.fileCount, options.totalRows);
  const { bucket, prefix } = ref.location;
  const bucketExisted = await store.bucketExists(bucket);
  await store.ensureBucket(bucket);
  const previous = await readTableManifest(store, ref.location);
  if (previous && !options.overwrite) {
    throw new ConflictError(`table "${ref.name}" already exists at ${ref.uri} (use ${options.overwriteHint} to replace it)`);
  }
  if (!previous && !options.overwrite) {
    for await (const object of store.list(bucket, prefix)) {
      throw new ConflictError(`${ref.uri} is not empty (found ${object.key}) but holds no lakevault table; use ${options.overwriteHint} to write there anyway`);
    }
  }

  const generation = newId();
  const files: DataFile[] = new Array(options.fileCount);
  let rowsWritten = 0;
  let filesWritten = 0;
  // Files are encoded on worker threads when there are several files and cores, as many at
  // once as the encoder runs. More would only hold more rows in memory (10M rows with two
  // workers and two files in flight peak at 0.58 GB). Encoded files then wait for their
  // upload within UPLOAD_BYTES: a file is encoded only while the uploads hold less.
  const encoder = fileEncoder(workers);
  const room = new Claims();
  let encoding = 0;
  let uploading = 0;
  const written: string[] = [];
  try {
    await runPool(Array.from({ length: options.fileCount }, (_, i) => i), Math.max(2, encoder.parallel, UPLOADS), async (index) => {
      await room.claim(() => encoding < Math.max(1, encoder.parallel) && uploading < UPLOAD_BYTES && ++encoding > 0);
      let encoded: EncodedFile;
      try {
        // The rows are not kept past the encoder (which copies or serialises them at once).
        encoded = await encoder.encode(options.filePart(index), { rowGroupRows: options.rowGroupRows, createdBy: `lakevault ${TOOL_VERSION}` });
      } finally {
        encoding -= 1;
        room.release();
      }
      const key = `data/part-${String(index).padStart(5, '0')}-${generation}.parquet`;
      // Recorded before the PUT: a PUT whose answer is lost may still have been stored.
      written.push(prefix + key);
      uploading += encoded.bytes.length;
      try {
        files[index] = await putDataFile(store, bucket, prefix, key, encoded, options.encryption);
      } finally {
        uploading -= encoded.bytes.length;
        room.release();
      }
      rowsWritten += encoded.rows;
      filesWritten += 1;
      options.onProgress?.({ files: filesWritten, rows: rowsWritten, totalRows: options.totalRows });
    });
  } catch (error) {
    // Before the manifest: these keys are this write's own generation, listed by no manifest.
    await store.deleteKeys(bucket, written).catch(() => undefined);
    if (!bucketExisted) await store.deleteBucket(bucket).catch(() => undefined);
    throw error;
  } finally {
    await encoder.close();
  }

  const manifest: TableManifest = {
    format: 'lakevault.table',
    formatVersion: TABLE_FORMAT_VERSION,
    name: ref.name,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema: describeSchema(options.schema),
    files,
    totals: { files: files.length, rows: options.totalRows, bytes: files.reduce((sum, file) => sum + file.bytes, 0) },
    contentDigest: combineDigests(files.map((file) => file.digest)),
    source: options.source,
  };
  await writeTableManifest(store, ref.location, manifest);

  let removedFiles = 0;
  if (previous) {
    const current = new Set(files.map((file) => file.key));
    const stale = previous.files.map((file) => file.key).filter((key) => !current.has(key));
    // A failed removal leaves an unreferenced file behind, never a broken table.
    removedFiles = (await store.deleteKeys(bucket, stale.map((key) => prefix + key))).deleted.length;
  }
  return {
    table: ref.name,
    uri: ref.uri,
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
