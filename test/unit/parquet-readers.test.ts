import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawTableDigester } from '../../src/digest/raw-digester';
import { readFfiBatch } from '../../src/parquet/ffi-columns';
import { loadHyparquet } from '../../src/parquet/hyparquet';
import { arrowFields, rawFromValues, readRowsWithHyparquet } from '../../src/parquet/second-reader';
import { parquet } from '../../src/parquet/wasm';
import { corpusDir, corpusFiles } from '../support/parquet-corpus';

/*
 * The second reader must digest what the first digests: for every file of the Parquet
 * test corpus both readers can read, every column hyparquet's values can be laid out for
 * gets the digest parquet-wasm's decoding gets. A file parquet-wasm cannot read is then
 * digested as it would have been.
 */
const dir = corpusDir();
// Files no reader here can read whole: 2 GB of strings, and a dictionary page longer than its chunk.
const UNREADABLE = new Set(['data/large_string_map.brotli.parquet', 'data/nation.dict-malformed.parquet']);
// Files parquet-wasm cannot decode (what the second reader is for).
const FIRST_READER_GAPS = new Set(['data/dict-page-offset-zero.parquet', 'data/repeated_no_annotation.parquet']);

async function firstReader(bytes: Uint8Array) {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const schema = file.schema();
    const fields = arrowFields(schema.intoIPCStream());
    const reader = (await file.stream({ batchSize: 1_000 })).getReader();
    const digester = new RawTableDigester(fields.map((field) => field.name));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const ffi = value.intoFFI();
      const batch = readFfiBatch(parquet.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(), ffi.schemaAddr());
      digester.update(batch.columns, batch.length);
      ffi.free();
    }
    return { fields, digest: digester.result() };
  } finally {
    file.free();
  }
}

async function secondReader(bytes: Uint8Array, fields: ReturnType<typeof arrowFields>) {
  const hyparquet = await loadHyparquet();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const file = { byteLength: buffer.byteLength, slice: async (start: number, end?: number) => buffer.slice(start, end) };
  const metadata = hyparquet.core.parquetMetadata(buffer, { geoparquet: false });
  const rows = metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0);
  const names = fields.map((field) => field.name);
  const values = await readRowsWithHyparquet(hyparquet, file, metadata, names, 0, rows);
  const digester = new RawTableDigester(names);
  digester.update(fields.map((field, i) => rawFromValues(values[i]!, field.type) ?? { format: '+?', length: rows, offset: 0, nullCount: 0, validity: null, buffers: [] }), rows);
  return digester.result();
}

describe('the second reader (hyparquet) against the first (parquet-wasm) on the Parquet test corpus', () => {
  const files = corpusFiles(dir).filter((file) => file.startsWith('data/') && !UNREADABLE.has(file) && !FIRST_READER_GAPS.has(file));

  it('digests every column it can lay out exactly as parquet-wasm does', async () => {
    let compared = 0;
    let nested = 0;
    const mismatches: string[] = [];
    for (const name of files) {
      const bytes = readFileSync(join(dir, name));
      const first = await firstReader(bytes);
      const second = await secondReader(bytes, first.fields);
      expect({ name, rows: second.rows }).toEqual({ name, rows: first.digest.rows });
      for (const [column, digest] of Object.entries(second.columns)) {
        compared += 1;
        const type = first.fields.find((field) => field.name === column)!.type;
        if (type.children?.length) nested += 1;
        if (first.digest.columns[column] !== digest) mismatches.push(`${name} column "${column}" (${String(type)})`);
      }
    }
    expect(mismatches).toEqual([]);
    // Most columns of the corpus, nested ones among them, are laid out by the second reader.
    expect(compared).toBeGreaterThan(250);
    expect(nested).toBeGreaterThan(20);
  });
});
