import { Int32, makeData, makeVector, SparseUnion, Field, Table, Utf8, tableFromIPC, vectorFromArray } from 'apache-arrow';
import { availableParallelism } from 'node:os';
import { generateSalesBatch } from '../../src/datagen/sales';
import { encodeParquet } from '../../src/parquet/encode';
import { encodeWorkers, fileEncoder } from '../../src/parquet/encode-pool';
import { fileFooter } from '../../src/parquet/file-footer';
import { parquet } from '../../src/parquet/wasm';
import { digestOf, tableOf } from '../support/digest-fixtures';

const options = { rowGroupRows: 4_096, createdBy: 'lakevault tests' };

/**
 * What a written file holds: its footer, and the digest of the rows read back from it.
 * (Not its bytes: parquet-wasm writes key-value metadata in a different order each time.)
 */
async function readBack(bytes: Uint8Array) {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  const { schemaIpc, ...footer } = fileFooter(file);
  file.free();
  const rows = tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  return { footer, schema: Buffer.from(schemaIpc).toString('hex'), content: rows.numRows > 0 ? digestOf(rows) : undefined };
}

/** A table parquet-wasm cannot write: its writer traps ("unreachable") on a union column. */
function unionTable(): Table {
  const type = new SparseUnion([0, 1], [new Field('a', new Int32()), new Field('b', new Int32())]);
  const child = () => makeData({ type: new Int32(), data: new Int32Array([1, 2]) });
  return new Table({ u: makeVector(makeData({ type, length: 2, nullCount: 0, typeIds: new Int8Array([0, 1]), children: [child(), child()] })) });
}

describe('file encoder (worker threads)', () => {
  const tables = [
    generateSalesBatch(5, 1, 10_000),
    generateSalesBatch(5, 10_001, 3),
    tableOf({ k: vectorFromArray([1, null, 3], new Int32()), v: vectorFromArray(['x', null, 'é'], new Utf8()) }),
    generateSalesBatch(5, 1, 0),
  ];

  it.each([1, 2])('writes with %i worker(s) byte for byte what this thread writes, digests included', async (workers) => {
    const encoder = fileEncoder(workers);
    try {
      expect(encoder.parallel).toBe(workers);
      // All at once, as a table writer keeps them in flight; the rows are not consumed.
      const encoded = await Promise.all(tables.map((table) => encoder.encode(table, options)));
      for (const [index, file] of encoded.entries()) {
        const inline = await encodeParquet(tables[index]!, options);
        expect(file.rows).toBe(tables[index]!.numRows);
        expect(file.digest).toEqual(inline.digest);
        expect(file.rowGroupDigests).toEqual(inline.rowGroupDigests);
        const [fromWorker, fromThisThread] = [await readBack(file.bytes), await readBack(inline.bytes)];
        expect(fromWorker).toEqual(fromThisThread);
        expect(fromWorker.footer.keyValueMetadata['lakevault.digest']).toBe(inline.digest.digest);
        if (fromWorker.content) expect(fromWorker.content.digest).toBe(file.digest.digest);
      }
      // The tables handed over are intact (serialised into the pool's buffers, not transferred).
      expect(tables[0]!.getChild('id')!.get(9_999)).toBe(10_000n);
    } finally {
      await encoder.close();
    }
  });

  it('reuses its IPC buffers: 30 files through 2 workers encode like the first', async () => {
    const encoder = fileEncoder(2);
    try {
      const table = generateSalesBatch(9, 1, 2_000);
      const expected = await encodeParquet(table, options);
      for (let round = 0; round < 15; round++) {
        const pair = await Promise.all([encoder.encode(table, options), encoder.encode(table.slice(0, 1_000), options)]);
        expect(pair[0].digest).toEqual(expected.digest);
        expect(pair[1].rows).toBe(1_000);
      }
    } finally {
      await encoder.close();
    }
  });

  it('fails the file the writer cannot encode, and everything after it, without hanging', async () => {
    const encoder = fileEncoder(1);
    try {
      await expect(encoder.encode(unionTable(), options)).rejects.toThrow(/the Parquet writer \(parquet-wasm\) failed: unreachable/);
      // The worker that trapped has ended: the pool refuses more work with the cause.
      await expect(encoder.encode(tables[1]!, options)).rejects.toThrow(/parquet-wasm\) failed/);
    } finally {
      await encoder.close();
    }
    await expect(encodeParquet(unionTable(), options)).rejects.toThrow(/the Parquet writer \(parquet-wasm\) failed/);
  });

  it('takes its worker count from LAKEVAULT_ENCODE_WORKERS, refusing a bad value', () => {
    const saved = process.env.LAKEVAULT_ENCODE_WORKERS;
    try {
      delete process.env.LAKEVAULT_ENCODE_WORKERS;
      expect(encodeWorkers(1, 1_000_000)).toBe(0); // one file: this thread
      expect(encodeWorkers(10, 10_000)).toBe(0); // too few rows to repay starting workers
      expect(encodeWorkers(1_000, 1_000_000)).toBe(0); // files too small to repay handing over
      expect(encodeWorkers(10, 10_000_000)).toBe(Math.min(10, availableParallelism(), 4) >= 2 ? Math.min(10, availableParallelism(), 4) : 0);
      process.env.LAKEVAULT_ENCODE_WORKERS = '3';
      expect(encodeWorkers(1, 10)).toBe(3);
      process.env.LAKEVAULT_ENCODE_WORKERS = '0';
      expect(encodeWorkers(10, 10_000_000)).toBe(0);
      for (const bad of ['two', '-1', '1.5', '99']) {
        process.env.LAKEVAULT_ENCODE_WORKERS = bad;
        expect(() => encodeWorkers(10, 10_000_000)).toThrow(`LAKEVAULT_ENCODE_WORKERS must be an integer from 0 to 16, got "${bad}"`);
      }
    } finally {
      if (saved === undefined) delete process.env.LAKEVAULT_ENCODE_WORKERS;
      else process.env.LAKEVAULT_ENCODE_WORKERS = saved;
    }
  });
});
