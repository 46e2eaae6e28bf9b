import { availableParallelism } from 'node:os';
import type { Schema } from 'apache-arrow';
import { IntegrityError, UnsupportedError } from '../errors';
import { formatDigest, isBagDigest } from '../digest/bag';
import { RowReaders, type RowStream } from '../rows/reader';
import type { FileSet, SnapshotFile } from '../model/file-set';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { schemaDifferences, type FieldDescription } from '../model/schema';
import { runPool } from '../util/pool';
import { diffFiles, type FileDifferences } from './files';
import { bagDifference, KeyCounts, KeyPartitions } from './keys';
import { ChangesWriter, checkChangesLocation, type ChangesTable, type ChangeType } from './output';
import { checkTakeable, takeRows } from './take';


export interface DiffOptions {
  /** Where to write the added and removed rows (an empty prefix), as a lakevault table. */
  out?: Location;
  /** What the row digests held in memory may take before they spill to disk, by hash partition. */
  memoryBudgetBytes?: number;
  /** Files read at once, one worker thread each (default min(2, CPUs)). */
  workers?: number;
  fileTimeoutMs?: number;
  onProgress?: (progress: { phase: 'digests' | 'rows'; rows: number; totalRows: number }) => void;
}

export const DEFAULT_MEMORY_BUDGET_BYTES = 256 * 1024 * 1024;

export interface DiffResult {
  a: Side;
  b: Side;
  /** The same rows on both sides (as a bag: duplicates count), whatever the files. */
  sameRows: boolean;
  /** The same keys holding the same content on both sides. */
  sameFiles: boolean;
  schema: { equal: boolean; differences: string[] };
  files: Omit<FileDifferences, 'readA' | 'readB'> & { readA: number; readB: number };
  rows: {
    /** False when the schemas differ: rows of different columns are not compared. */
    compared: boolean;
    a: number;
    b: number;
    /** Rows read (and digested) to compare: those of the files not matched by content. */
    read: number;
    added: number;
    removed: number;
    unchanged: number;
  };
  changes?: ChangesTable;
  memory: { budgetBytes: number; partitions: number; spilledBytes: number };
  notes: string[];
  elapsedMs: number;
  /** Rows read per second, both sides together. */
  rowsPerSecond: number;
}

export interface Side { label: string; uri: string; kind: FileSet['kind']; files: number; rows: number }

/**
 * Which files differ between two snapshots, then which rows were added and removed. Rows
 * are compared by their 64-bit row digests (the hashes whose sum is the bag digest), never
 * as whole rows in memory: files matched by content on the other side are not read at
 * all; the rest are digested in worker threads into hash partitions (spilled to disk past
 * the memory budget), and each partition is compared on its own as a bag — EXCEPT ALL
 * both ways. With `out`, the files are read once more to pick out the changed rows.
 */
export async function diffSnapshots(store: ObjectStore, a: FileSet, b: FileSet, options: DiffOptions = {}): Promise<DiffResult> {
  const started = Date.now();
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const workers = options.workers ?? Math.max(1, Math.min(2, availableParallelism()));
  const files = diffFiles(a, b);
  const schemaChanges = a.schema && b.schema ? columnDifferences(a.schema, b.schema) : [];
  const rowsOf = (list: SnapshotFile[]) => list.reduce((sum, file) => sum + (file.rows ?? 0), 0);
  const dataRows = (set: FileSet) => rowsOf(set.files.filter((file) => file.kind === 'data'));
  const notes: string[] = [];
  if (schemaChanges.length && options.out) throw new UnsupportedError(`the schemas differ (${schemaChanges.join('; ')}): rows of different columns cannot be compared, and no changes table is written`);
  if (options.out) await checkChangesLocation(store, options.out, [a, b]);

  const toRead = rowsOf(files.readA) + rowsOf(files.readB);
  const firstFile = files.readA[0] ?? files.readB[0];
  const keys = new KeyPartitions(partitionsFor(toRead, budget), budget);
  const changed = new KeyPartitions(keys.count, budget);
  const readers = new RowReaders(store, { workers, batchSize: 65_536, stallTimeoutMs: options.fileTimeoutMs ?? 60_000 });
  let writer: ChangesWriter | undefined;
  let added = 0;
  let removed = 0;
  let read = 0;
  let changes: ChangesTable | undefined;
  try {
    // The changes table's columns, checked before any row is read.
    const rowsSchema = options.out && firstFile ? await schemaOf(readers, firstFile) : undefined;
    if (rowsSchema) checkTakeable(rowsSchema);
    if (schemaChanges.length === 0 && toRead > 0) {
      read = await digestUnmatched(readers, keys, a, b, files, workers, notes, toRead, options);
      const counted = compareByPartition(keys, options.out ? changed : undefined);
      added = counted.added;
      removed = counted.removed;
      keys.close();
      if (options.out && added + removed > 0) {
        writer = new ChangesWriter(store, options.out, rowsSchema!, added + removed);
        await pickChangedRows(readers, changed, counted.perPartition, files, writer, budget, workers, toRead, options);
      }
    }
    if (options.out) {
      writer ??= new ChangesWriter(store, options.out, rowsSchema ?? await emptySchema(readers, a), 0);
      changes = await writer.finish({ diff: { a: a.uri, b: b.uri } });
    }
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    keys.close();
    changed.close();
    await Promise.all([readers.close(), writer?.close()]);
  }

  if (schemaChanges.length) notes.push(`the schemas differ: rows were not compared (${schemaChanges.join('; ')})`);
  if (keys.spilledBytes > 0) notes.push(`the row digests outgrew the memory budget (${Math.round(budget / 1024 / 1024)} MiB): ${Math.round(keys.spilledBytes / 1024 / 1024)} MiB were spilled to disk in ${keys.count} hash partitions`);
  const rowsA = dataRows(a);
  const rowsB = dataRows(b);
  const elapsedMs = Date.now() - started;
  return {
    a: side(a, rowsA),
    b: side(b, rowsB),
    sameRows: schemaChanges.length === 0 && added === 0 && removed === 0,
    sameFiles: files.changed.length === 0 && files.onlyInA.length === 0 && files.onlyInB.length === 0,
    schema: { equal: schemaChanges.length === 0, differences: schemaChanges },
    files: { same: files.same, changed: files.changed, onlyInA: files.onlyInA, onlyInB: files.onlyInB, matchedByContent: files.matchedByContent, readA: files.readA.length, readB: files.readB.length },
    rows: { compared: schemaChanges.length === 0, a: rowsA, b: rowsB, read, added, removed, unchanged: rowsA - removed },
    ...(changes ? { changes } : {}),
    memory: { budgetBytes: budget, partitions: keys.count, spilledBytes: keys.spilledBytes },
    notes,
    elapsedMs,
    rowsPerSecond: Math.round(read / Math.max(1, elapsedMs) * 1000),
  };
}

/**
 * Pass 1: the digest of every row of the unmatched files, into hash partitions by side
 * (0 = a, 1 = b). The digests of a file's rows must add up to the content digest its
 * manifest records: a file that reads otherwise is named in the notes. Returns the rows read.
 */
async function digestUnmatched(readers: RowReaders, keys: KeyPartitions, a: FileSet, b: FileSet, files: FileDifferences, workers: number, notes: string[], toRead: number, options: DiffOptions): Promise<number> {
  let read = 0;
  await runPool([...files.readA.map((file) => [0, file] as const), ...files.readB.map((file) => [1, file] as const)], workers, async ([side, file]) => {
    const stream = await readers.open(file, { digests: true });
    checkFileSchema(stream, (side === 0 ? a : b).schema);
    let sumA = 0;
    let sumB = 0;
    for await (const batch of stream) {
      const { a: lanesA, b: lanesB } = batch.digests!;
      keys.add(side, lanesA, lanesB);
      for (let i = 0; i < batch.length; i++) { sumA = (sumA + lanesA[i]!) | 0; sumB = (sumB + lanesB[i]!) | 0; }
      read += batch.length;
      options.onProgress?.({ phase: 'digests', rows: read, totalRows: toRead });
    }
    const content = formatDigest({ a: sumA, b: sumB });
    if (isBagDigest(file.digest) && content !== file.digest) {
      notes.push(`${file.key}: its rows read back as content ${content}, its manifest records ${file.digest} (lakevault validate --level full says more)`);
    }
  });
  return read;
}

/** Each partition compared on its own, as a bag; with `changed`, its changed keys kept for pass 2. */
function compareByPartition(keys: KeyPartitions, changed: KeyPartitions | undefined): { added: number; removed: number; perPartition: number[] } {
  let added = 0;
  let removed = 0;
  const perPartition = new Array<number>(keys.count).fill(0);
  for (let p = 0; p < keys.count; p++) {
    const [sideA, sideB] = keys.take(p);
    const difference = bagDifference(sideA, sideB);
    removed += difference.removed.length / 2;
    added += difference.added.length / 2;
    perPartition[p] = (difference.removed.length + difference.added.length) / 2;
    changed?.add(0, lane(difference.removed, 0), lane(difference.removed, 1));
    changed?.add(1, lane(difference.added, 0), lane(difference.added, 1));
  }
  return { added, removed, perPartition };
}

/**
 * Pass 2: the files are read again, rows and digests, and the rows whose digest is a
 * changed one are taken out — as many of each as changed (a bag). The changed digests are
 * held as lookup tables a round of partitions at a time, each round within the budget.
 */
async function pickChangedRows(readers: RowReaders, changed: KeyPartitions, perPartition: number[], files: FileDifferences, writer: ChangesWriter, budget: number, workers: number, toRead: number, options: DiffOptions): Promise<void> {
  let scanned = 0;
  for (const [first, end] of rounds(perPartition, budget)) {
    const parts: [Int32Array[], Int32Array[]] = [[], []];
    for (let p = first; p < end; p++) {
      const [removedKeys, addedKeys] = changed.take(p);
      parts[0].push(removedKeys);
      parts[1].push(addedKeys);
    }
    const counts = [new KeyCounts(concat(parts[0])), new KeyCounts(concat(parts[1]))] as const;
    const inRound = (key: number) => { const p = changed.partitionOf(key); return p >= first && p < end; };
    await runPool([...files.readA.map((file) => [0, file] as const), ...files.readB.map((file) => [1, file] as const)], workers, async ([side, file]) => {
      if (counts[side].size === 0) return;
      const stream = await readers.open(file, { digests: true, rows: true });
      for await (const batch of stream) {
        const { a, b } = batch.digests!;
        const picked: number[] = [];
        for (let i = 0; i < batch.length; i++) if (inRound(a[i]!) && counts[side].take(a[i]!, b[i]!)) picked.push(i);
        if (picked.length) await writeRows(writer, batch.table!, picked, side === 0 ? 'removed' : 'added');
        scanned += batch.length;
        options.onProgress?.({ phase: 'rows', rows: scanned, totalRows: toRead });
        if (counts[side].size === 0) { stream.close(); break; }
      }
    });
    if (counts[0].size || counts[1].size) throw new IntegrityError(`${counts[0].size + counts[1].size} changed row(s) were not found again on the second read: the snapshots changed while they were compared`);
  }
}

/** The picked rows of a batch (indexes ascending; the table may hold several record batches). */
async function writeRows(writer: ChangesWriter, table: import('apache-arrow').Table, picked: number[], change: ChangeType): Promise<void> {
  let offset = 0;
  let at = 0;
  for (const batch of table.batches) {
    const local: number[] = [];
    while (at < picked.length && picked[at]! < offset + batch.numRows) local.push(picked[at++]! - offset);
    if (local.length) await writer.add(takeRows(batch, local), change);
    offset += batch.numRows;
  }
}

/** Consecutive partitions whose changed keys' lookup tables (about 64 bytes a key) fit the budget together. */
function rounds(perPartition: number[], budget: number): [number, number][] {
  const out: [number, number][] = [];
  let first = 0;
  let keys = 0;
  perPartition.forEach((count, p) => {
    if (p > first && (keys + count) * 64 > budget) { out.push([first, p]); first = p; keys = 0; }
    keys += count;
  });
  out.push([first, perPartition.length]);
  return out.filter(([from, to]) => perPartition.slice(from, to).some((count) => count > 0));
}

/** Enough partitions that one partition's keys (both sides, and their table) stay a small part of the budget. */
function partitionsFor(rows: number, budget: number): number {
  let partitions = 256;
  while (partitions < 65_536 && (rows * 8 * 4) / partitions > budget / 4) partitions *= 2;
  return partitions;
}

function lane(pairs: Int32Array, which: 0 | 1): Int32Array {
  const out = new Int32Array(pairs.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = pairs[i * 2 + which]!;
  return out;
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

/** A file of one side whose schema is not the side's cannot be compared row for row. */
function checkFileSchema(stream: RowStream, schema: FieldDescription[] | undefined): void {
  if (!schema) return;
  const drift = columnDifferences(schema, stream.schema);
  if (drift.length) {
    stream.close();
    throw new UnsupportedError(`s3://${stream.file.bucket}/${stream.file.key} does not have its snapshot's schema (${drift.join('; ')}): rows of different columns cannot be compared`);
  }
}

/** The Arrow schema of a file's rows, from its footer. */
async function schemaOf(readers: RowReaders, file: SnapshotFile): Promise<Schema> {
  const stream = await readers.open(file, {});
  stream.close();
  return stream.arrowSchema;
}

/** No row changed: the changes table is empty, with the snapshots' columns (from a data file, if any). */
async function emptySchema(readers: RowReaders, set: FileSet): Promise<Schema> {
  const file = set.files.find((f) => f.kind === 'data');
  if (!file) throw new UnsupportedError(`${set.label} holds no data file: there is no schema to give an empty changes table`);
  return schemaOf(readers, file);
}

/**
 * What keeps rows from being compared value for value: other columns, types or order.
 * Nullability does not (DuckDB and Spark write every column nullable; lakevault's sales
 * columns are not).
 */
function columnDifferences(a: FieldDescription[], b: FieldDescription[]): string[] {
  return schemaDifferences(a.map((f) => ({ ...f, nullable: true })), b.map((f) => ({ ...f, nullable: true })));
}

function side(set: FileSet, rows: number): Side {
  return { label: set.label, uri: set.uri, kind: set.kind, files: set.files.length, rows };
}
