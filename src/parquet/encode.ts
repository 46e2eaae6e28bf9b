import { Table, tableFromIPC, tableToIPC, type Schema } from 'apache-arrow';
import { parquet, type WriterProperties } from './wasm';
import { IpcBuffers } from './ipc-buffers';
import { TableDigester, combineColumnDigests, combineDigests, type TableDigest } from '../digest/column-digest';

import { META_COLUMN_DIGESTS, META_DIGEST, META_ROW_GROUP_DIGESTS, META_ROWS } from './footer-keys';

export { META_COLUMN_DIGESTS, META_DIGEST, META_ROW_GROUP_DIGESTS, META_ROWS };

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
 *
 * Rows reach parquet-wasm's streaming writer one row group at a time, each serialised
 * (Arrow IPC) into the same recycled buffer when the writer asks for it, rather than as
 * one IPC copy of the whole file. The buffers on both sides of the WebAssembly boundary
 * stay a row group's worth and are reused from piece to piece: a WebAssembly instance
 * grows to ~53 MB for 1M-row files instead of ~145 MB (`table create` of 10M rows peaks at
 * ~0.55 GB instead of 0.83), and first-touching fresh memory is what costs on the VMs
 * measured here (3–4 ms per MB).
 */
export async function encodeParquet(table: Table, options: EncodeOptions, buffers = new IpcBuffers(1)): Promise<EncodedFile> {
  const rowGroups = rowGroupSlices(table, options.rowGroupRows);
  let held: Uint8Array | undefined;
  try {
    return await writeFile(digestRowGroups(rowGroups), table.schema, options, rowGroups.length, async (index) => {
      if (held) buffers.recycle(held.buffer as ArrayBuffer); // the writer has copied it by now
      held = await buffers.serialize(rowGroups[index]!);
      return held;
    });
  } finally {
    if (held) buffers.recycle(held.buffer as ArrayBuffer);
  }
}

/**
 * Encodes one file handed over as row-group pieces (the IPC streams of rowGroupSlices,
 * serialised by another thread: see encode-pool.ts) exactly as encodeParquet encodes the
 * table they were cut from.
 */
export function encodePieces(pieces: Uint8Array[], options: EncodeOptions): Promise<EncodedFile> {
  const rowGroups = pieces.map((piece) => tableFromIPC(piece)); // views into the pieces, no copy
  return writeFile(digestRowGroups(rowGroups), rowGroups[0]!.schema, options, pieces.length, async (index) => pieces[index]!);
}

/** The table's rows cut at row-group boundaries; a table without rows is one empty piece (its schema). */
export function rowGroupSlices(table: Table, rowGroupRows: number): Table[] {
  if (table.numRows === 0) return [table];
  const slices: Table[] = [];
  for (let start = 0; start < table.numRows; start += rowGroupRows) slices.push(table.slice(start, start + rowGroupRows));
  return slices;
}

/**
 * Fails now, with the writer's reason, on a schema the writer cannot write. Why: the
 * streaming writer runs inside WebAssembly futures, and a panic there (a trap) escapes as
 * an uncaught exception instead of rejecting; writing no rows traps synchronously instead.
 * Checked once per schema (a table's files share one).
 */
function checkWritable(schema: Schema): void {
  const fingerprint = schema.fields.map((field) => `${field.name}:${field.type}:${field.nullable}`).join('|');
  if (writableSchemas.has(fingerprint)) return;
  try {
    parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(new Table(schema), 'stream')));
  } catch (error) {
    throw writerFailure(error);
  }
  if (writableSchemas.size >= 64) writableSchemas.clear();
  writableSchemas.add(fingerprint);
}

const writableSchemas = new Set<string>();

function writerFailure(error: unknown): Error {
  // A trap ("unreachable") is a panic inside the writer, e.g. on a type it cannot write.
  return new Error(`the Parquet writer (parquet-wasm) failed: ${error instanceof Error ? error.message : String(error)}`);
}

interface FileDigests {
  digest: TableDigest;
  rowGroupDigests: Record<string, string>[];
}

/**
 * Digests add up (src/digest/bag.ts): each row group is digested once, the file is their
 * sum. An empty piece (a table without rows) is no row group.
 */
function digestRowGroups(rowGroups: Table[]): FileDigests {
  const rowGroupDigests: Record<string, string>[] = [];
  const rowsDigests: string[] = [];
  let rows = 0;
  for (const rowGroup of rowGroups) {
    if (rowGroup.numRows === 0) continue;
    rows += rowGroup.numRows;
    const digester = new TableDigester(rowGroup.schema);
    digester.update(rowGroup);
    const result = digester.result();
    rowGroupDigests.push(result.columns);
    rowsDigests.push(result.digest);
  }
  return {
    digest: { digest: combineDigests(rowsDigests), columns: combineColumnDigests(rowGroupDigests), rows },
    rowGroupDigests,
  };
}

/** The footer's digests go into the writer's properties, so they are computed before writing. */
async function writeFile({ digest, rowGroupDigests }: FileDigests, schema: Schema, options: EncodeOptions, pieceCount: number, piece: (index: number) => Promise<Uint8Array>): Promise<EncodedFile> {
  const metadata = new Map<string, string>([
    [META_DIGEST, digest.digest],
    [META_COLUMN_DIGESTS, JSON.stringify(digest.columns)],
    [META_ROW_GROUP_DIGESTS, JSON.stringify(rowGroupDigests)],
    [META_ROWS, String(digest.rows)],
  ]);
  let builder = new parquet.WriterPropertiesBuilder()
    .setCompression(options.compression === 'none' ? parquet.Compression.UNCOMPRESSED : parquet.Compression.ZSTD);
  if (options.dictionary !== undefined) builder = builder.setDictionaryEnabled(options.dictionary);
  const properties = builder
    .setMaxRowGroupSize(options.rowGroupRows)
    .setCreatedBy(options.createdBy)
    .setKeyValueMetadata(metadata)
    .build();
  // One row group (or none): nothing to stream, and the whole-file writer costs less per
  // file (a table of many small files) and fails synchronously (no checkWritable needed).
  if (pieceCount > 1) checkWritable(schema);
  let bytes: Uint8Array;
  try {
    // parquet-wasm's writers consume what they are given (tables, batches, properties).
    bytes = pieceCount === 1
      ? parquet.writeParquet(parquet.Table.fromIPCStream(await piece(0)), properties)
      : await streamPieces(pieceCount, piece, properties);
  } catch (error) {
    throw writerFailure(error);
  }
  return { bytes, rows: digest.rows, digest, rowGroupDigests };
}

/** Feeds the pieces to the streaming writer as it asks for them; returns the whole file. */
async function streamPieces(pieceCount: number, piece: (index: number) => Promise<Uint8Array>, properties: WriterProperties): Promise<Uint8Array> {
  let next = 0;
  const batches = new ReadableStream({
    async pull(controller) {
      if (next >= pieceCount) { controller.close(); return; }
      // fromIPCStream copies the piece into WebAssembly memory: the piece is free after it.
      // The batches are the writer's to consume; the table holding them is freed here, or
      // its columns would stay in WebAssembly memory until a garbage collection.
      const rowGroup = parquet.Table.fromIPCStream(await piece(next++));
      try {
        for (const batch of rowGroup.recordBatches()) controller.enqueue(batch);
      } finally {
        rowGroup.free();
      }
    },
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (await parquet.transformParquetStream(batches, properties)) as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) { bytes.set(chunk, at); at += chunk.length; }
  return bytes;
}
