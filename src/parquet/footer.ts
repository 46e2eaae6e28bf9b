import { tableFromIPC } from 'apache-arrow';
import { IntegrityError } from '../errors';
import type { ObjectStore } from '../store/types';
import { describeSchema, type FieldDescription } from '../model/schema';
import { fileFooter, type FileFooter } from './file-footer';
import { rangedBlob } from './ranged-blob';
import { parquet } from './wasm';
import { loadHyparquet } from './hyparquet';
import { footerFromMetadata } from './second-reader';

export interface ParquetFooter {
  rows: number;
  rowGroups: number;
  rowGroupRows: number[];
  schema: FieldDescription[];
  keyValueMetadata: Record<string, string>;
  createdBy?: string;
  bytesRead: number;
}

const MAGIC = 'PAR1';

/**
 * Reads a Parquet file's footer with range GETs only: row counts, row groups, schema and
 * key-value metadata. The tail is checked by hand first, because parquet-wasm traps
 * (and never settles) on some malformed inputs instead of rejecting.
 */
export async function readFooter(store: ObjectStore, bucket: string, key: string, size: number, etag?: string, timeoutMs = 30_000): Promise<ParquetFooter> {
  const where = `s3://${bucket}/${key}`;
  if (size < 12) throw new IntegrityError(`${where} is not a Parquet file (${size} bytes, too short)`);
  const tail = await store.getRange(bucket, key, size - 8, size, etag ? { etag } : {});
  const footerLength = Buffer.from(tail).readUInt32LE(0);
  if (Buffer.from(tail.subarray(4)).toString('latin1') !== MAGIC) {
    throw new IntegrityError(`${where} is not a Parquet file (no PAR1 magic at the end: truncated or another format)`);
  }
  if (footerLength + 12 > size) {
    throw new IntegrityError(`${where} has a corrupt footer (footer length ${footerLength} exceeds the file's ${size} bytes)`);
  }
  const blob = rangedBlob(store, bucket, key, size, etag);
  const work = (async () => {
    const file = await parquet.ParquetFile.fromFile(blob as unknown as Blob);
    try {
      return described(fileFooter(file), 8 + blob.bytesRead);
    } finally {
      file.free();
    }
  })();
  try {
    return await withTimeout(work, timeoutMs, () => new IntegrityError(`${where}: reading the Parquet footer did not finish within ${timeoutMs} ms (corrupt footer or failed read)`));
  } catch (error) {
    // A footer parquet-wasm cannot read may still be sound (other readers read it): hyparquet's reading, else the error stands.
    if (!(error instanceof IntegrityError) || /did not finish/.test(error.message)) throw error;
    const footer = await footerByHyparquet(store, bucket, key, size, footerLength, etag).catch(() => undefined);
    if (!footer) throw error;
    return footer;
  }
}

async function footerByHyparquet(store: ObjectStore, bucket: string, key: string, size: number, footerLength: number, etag?: string): Promise<ParquetFooter> {
  const bytes = await store.getRange(bucket, key, size - footerLength - 8, size, etag ? { etag } : {});
  const hyparquet = await loadHyparquet();
  return described(footerFromMetadata(hyparquet.core.parquetMetadata(bytes, { geoparquet: false })), 8 + bytes.length);
}

function described(raw: FileFooter, bytesRead: number): ParquetFooter {
  return {
    rows: raw.rows,
    rowGroups: raw.rowGroupRows.length,
    rowGroupRows: raw.rowGroupRows,
    schema: describeSchema(tableFromIPC(raw.schemaIpc).schema),
    keyValueMetadata: raw.keyValueMetadata,
    bytesRead,
    ...(raw.createdBy ? { createdBy: raw.createdBy } : {}),
  };
}

export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); });
  return Promise.race([work.catch((error: unknown) => {
    throw error instanceof Error && /unreachable|RuntimeError|parquet/i.test(`${error.name} ${error.message}`)
      ? new IntegrityError(`corrupt Parquet data: ${error.message}`, { cause: error })
      : error;
  }), timeout]).finally(() => clearTimeout(timer));
}
