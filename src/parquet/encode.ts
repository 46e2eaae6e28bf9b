import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { parquet } from './wasm';
import { TableDigester, combineColumnDigests, combineDigests, type TableDigest } from '../digest/column-digest';

/** Parquet key-value metadata keys lakevault writes into every data file's footer. */
export const META_DIGEST = 'lakevault.digest';
export const META_COLUMN_DIGESTS = 'lakevault.column_digests';
export const META_ROW_GROUP_DIGESTS = 'lakevault.row_group_digests';
export const META_ROWS = 'lakevault.rows';

export interface EncodeOptions {
  /** Rows per row group (parquet-wasm splits at this count). */
  rowGroupRows: number;
  createdBy: string;
  /** Default zstd. 'none' writes pages as they are (tests corrupt them byte by byte). */
  compression?: 'zstd' | 'none';
  /** Dictionary encoding (default: the writer's, on). */
  dictionary?: boolean;
}

export interface EncodedFile {
  bytes: Uint8Array;
  rows: number;
  digest: TableDigest;
  rowGroupDigests: Record<string, string>[];
}

/**
 * Encodes one Arrow table as a zstd Parquet file whose footer records the content
 * digest of its rows (bag1, see src/digest/bag.ts): per column for the whole file and per
 * row group, so a validator can name the row group and column that changed.
 */
export function encodeParquet(table: Table, options: EncodeOptions): EncodedFile {
  return encodeWithIpc(table, tableToIPC(table, 'stream'), options);
}

/**
 * The same as encodeParquet for a table handed over as one Arrow IPC stream (by another
 * thread: see encode-pool.ts). The table is read as views into `ipc`, not copied.
 */
export function encodeIpc(ipc: Uint8Array, options: EncodeOptions): EncodedFile {
  return encodeWithIpc(tableFromIPC(ipc), ipc, options);
}

function encodeWithIpc(table: Table, ipc: Uint8Array, options: EncodeOptions): EncodedFile {
  // Digests add up (src/digest/bag.ts): digest each row group once, the file is their sum.
  const rowGroupDigests: Record<string, string>[] = [];
  const rowsDigests: string[] = [];
  for (let start = 0; start < table.numRows; start += options.rowGroupRows) {
    const part = new TableDigester(table.schema);
    part.update(table.slice(start, start + options.rowGroupRows));
    const result = part.result();
    rowGroupDigests.push(result.columns);
    rowsDigests.push(result.digest);
  }
  const digest: TableDigest = {
    digest: combineDigests(rowsDigests),
    columns: combineColumnDigests(rowGroupDigests),
    rows: table.numRows,
  };
  const metadata = new Map<string, string>([
    [META_DIGEST, digest.digest],
    [META_COLUMN_DIGESTS, JSON.stringify(digest.columns)],
    [META_ROW_GROUP_DIGESTS, JSON.stringify(rowGroupDigests)],
    [META_ROWS, String(table.numRows)],
  ]);
  let builder = new parquet.WriterPropertiesBuilder()
    .setCompression(options.compression === 'none' ? parquet.Compression.UNCOMPRESSED : parquet.Compression.ZSTD);
  if (options.dictionary !== undefined) builder = builder.setDictionaryEnabled(options.dictionary);
  const properties = builder
    .setMaxRowGroupSize(options.rowGroupRows)
    .setCreatedBy(options.createdBy)
    .setKeyValueMetadata(metadata)
    .build();
  let bytes: Uint8Array;
  try {
    // The wasm table is consumed by writeParquet (no free needed); properties are too.
    bytes = parquet.writeParquet(parquet.Table.fromIPCStream(ipc), properties);
  } catch (error) {
    // A trap ("unreachable") is a panic inside the writer, e.g. on a type it cannot write.
    throw new Error(`the Parquet writer (parquet-wasm) failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { bytes, rows: table.numRows, digest, rowGroupDigests };
}
