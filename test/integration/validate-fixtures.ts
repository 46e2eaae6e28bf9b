import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Int64, RecordBatch, Schema, Struct, Table, makeData, type Vector } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateSalesBatch } from '../../src/datagen/sales';
import { combineDigests } from '../../src/digest/column-digest';
import { encodeParquet } from '../../src/parquet/encode';
import type { ObjectStore } from '../../src/store/types';
import { writeTableManifest, type DataFile, type TableManifest } from '../../src/table/manifest';
import { describeSchema } from '../../src/model/schema';
import type { TableRef } from '../../src/table/table-ref';

/**
 * Writes a table file by file the way `table create` does (data files, then the manifest
 * last), but from any Arrow tables and with any row-group size, compression or encoding:
 * the validator's tests need layouts and schemas the generator does not make.
 */
export async function writeTable(store: ObjectStore, ref: TableRef, parts: Table[], options: { rowGroupRows: number; compression?: 'zstd' | 'none'; dictionary?: boolean }): Promise<TableManifest> {
  const { bucket, prefix } = ref.location;
  await store.ensureBucket(bucket);
  const files: DataFile[] = [];
  for (const [index, part] of parts.entries()) {
    const encoded = await encodeParquet(part, { rowGroupRows: options.rowGroupRows, createdBy: 'lakevault tests', ...(options.compression ? { compression: options.compression } : {}), ...(options.dictionary !== undefined ? { dictionary: options.dictionary } : {}) });
    const key = `data/part-${String(index).padStart(5, '0')}.parquet`;
    const stored = await store.put(bucket, prefix + key, encoded.bytes);
    files.push({ key, rows: part.numRows, bytes: encoded.bytes.length, etag: stored.etag, digest: encoded.digest.digest, columnDigests: encoded.digest.columns, rowGroups: encoded.rowGroupDigests.length });
  }
  const manifest: TableManifest = {
    format: 'lakevault.table', formatVersion: 1, name: ref.name, generation: 'test', createdAt: new Date().toISOString(), toolVersion: 'test',
    schema: describeSchema(parts[0]!.schema), files,
    totals: { files: files.length, rows: files.reduce((sum, file) => sum + file.rows, 0), bytes: files.reduce((sum, file) => sum + file.bytes, 0) },
    contentDigest: combineDigests(files.map((file) => file.digest)),
  };
  await writeTableManifest(store, ref.location, manifest);
  return manifest;
}

/** Rows 1..rows of the sales table split into files of `rowsPerFile`. */
export function salesParts(rows: number, rowsPerFile: number, seed = 7): Table[] {
  const parts: Table[] = [];
  for (let first = 1; first <= rows; first += rowsPerFile) parts.push(generateSalesBatch(seed, first, Math.min(rowsPerFile, rows - first + 1)));
  return parts;
}

/** The same table with its columns changed: renamed or replaced (e.g. with another type). */
export function withColumns(table: Table, change: (field: Field, column: Vector, index: number) => { field: Field; data?: ReturnType<typeof makeData> }): Table {
  const fields: Field[] = [];
  const children: ReturnType<typeof makeData>[] = [];
  table.schema.fields.forEach((field, index) => {
    const column = table.getChildAt(index)!;
    const changed = change(field, column, index);
    fields.push(changed.field);
    children.push(changed.data ?? column.data[0]!);
  });
  const schema = new Schema(fields);
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: table.numRows, nullCount: 0, children }))]);
}

export function int64Column(column: Vector): ReturnType<typeof makeData> {
  const values = new BigInt64Array(column.length);
  for (let i = 0; i < column.length; i++) values[i] = BigInt(column.get(i) as number);
  return makeData({ type: new Int64(), data: values });
}

/** Sum of `total` in cents, computed from the generator (the expected value). */
export function expectedTotalCents(parts: Table[]): bigint {
  let cents = 0n;
  for (const part of parts) {
    const totals = part.getChild('total')!;
    for (let i = 0; i < totals.length; i++) cents += BigInt(Math.round((totals.get(i) as number) * 100));
  }
  return cents;
}

/** DuckDB's count(*) and sum(total) in cents over local copies of the given objects. */
export async function duckdbCountAndSum(store: ObjectStore, objects: { bucket: string; key: string }[]): Promise<{ rows: bigint; cents: bigint }> {
  const dir = mkdtempSync(join(tmpdir(), 'lakevault-duckdb-'));
  const paths: string[] = [];
  for (const [index, object] of objects.entries()) {
    const path = join(dir, `f${index}.parquet`);
    writeFileSync(path, await store.getBytes(object.bucket, object.key));
    paths.push(path);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const list = paths.map((path) => `'${path}'`).join(', ');
  const reader = await connection.runAndReadAll(`select count(*)::BIGINT as n, sum(round(total * 100))::BIGINT as cents from read_parquet([${list}])`);
  const [row] = reader.getRows();
  connection.closeSync();
  instance.closeSync();
  return { rows: BigInt(row![0] as bigint), cents: BigInt(row![1] as bigint) };
}
