import { Field, Int32, List, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { TableDigester } from '../../src/digest/column-digest';
import { RawTableDigester } from '../../src/digest/raw-digester';
import { readFfiBatch } from '../../src/parquet/ffi-columns';
import { parquet } from '../../src/parquet/wasm';

/** Fixture tables for the content-digest tests, and their digests. */

/** The digest of the pieces fed in order to one digester, as a reader streaming them would. */
export function digestOf(...pieces: Table[]) {
  const digester = new TableDigester(pieces[0]!.schema);
  for (const piece of pieces) digester.update(piece);
  return digester.result();
}

/** A one-batch table of these columns, in this order, each keeping its exact Arrow type (all nullable). */
export function tableOf(columns: Record<string, Vector>): Table {
  const fields = Object.entries(columns).map(([name, vector]) => new Field(name, vector.type, true));
  const schema = new Schema(fields);
  const length = Object.values(columns)[0]!.length;
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]!) });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** The same table with one column's values replaced (same position); a one-batch table, as tableOf makes. */
export function withColumn(table: Table, name: string, values: Vector): Table {
  const columns = Object.fromEntries(table.schema.fields.map((field) => [field.name, table.getChild(field.name)!]));
  return tableOf({ ...columns, [name]: values });
}

/** Decodes Parquet bytes with parquet-wasm and digests the batches read through the C data interface. */
export async function digestParquet(bytes: Uint8Array, batchSize: number) {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  const reader = (await file.stream({ batchSize })).getReader();
  let digester: RawTableDigester | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const ffi = value.intoFFI();
    const batch = readFfiBatch(parquet.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(), ffi.schemaAddr());
    digester ??= new RawTableDigester(batch.names);
    digester.update(batch.columns, batch.length);
    ffi.free();
  }
  file.free();
  return digester!.result();
}

/**
 * A table with a nested column, and the digests lakevault at ced7bb3 (before nested columns
 * were digested) computed for it: none for "tags", rows chained over id and name.
 */
export function tableBeforeNestedDigests() {
  const index = Array.from({ length: 1_000 }, (_, i) => i);
  const table = tableOf({
    id: vectorFromArray(index, new Int32()),
    tags: vectorFromArray(index.map((i) => (i % 3 ? [`t${i}`, 'x'] : null)), new List(new Field('item', new Utf8(), true))),
    name: vectorFromArray(index.map((i) => `n${i % 7}`), new Utf8()),
  });
  const old = { digest: 'bag1:92ec9e36a8e591fa', columns: { id: 'bag1:3976dce1d86ba996', name: 'bag1:d6f90be7fd9c68fa' } };
  return { table, old };
}
