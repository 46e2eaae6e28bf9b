import { tableFromIPC, tableFromArrays, vectorFromArray, Dictionary, Utf8, Int32, makeVector } from 'apache-arrow';
import { combineDigests, combineColumnDigests } from '../../src/digest/column-digest';
import { generateSalesBatch } from '../../src/datagen/sales';
import { encodeParquet, META_DIGEST, META_COLUMN_DIGESTS } from '../../src/parquet/encode';
import { parquet } from '../../src/parquet/wasm';
import { digestOf, tableOf, withColumn } from '../support/digest-fixtures';

describe('content digests', () => {
  const sales = generateSalesBatch(11, 1, 20_000);
  const whole = digestOf(sales);

  it('cover every row and every column', () => {
    expect(whole.rows).toBe(20_000);
    expect(Object.keys(whole.columns)).toEqual(['id', 'data_venda', 'categoria', 'produto', 'quantidade', 'preco_unitario', 'total']);
    expect(new Set(Object.values(whole.columns)).size).toBe(7);
  });

  it('do not depend on how rows are split into batches', () => {
    const sliced = digestOf(sales.slice(0, 1), sales.slice(1, 7777), sales.slice(7777, 20_000));
    expect(sliced).toEqual(whole);
    const regenerated = digestOf(generateSalesBatch(11, 1, 5000), generateSalesBatch(11, 5001, 15_000));
    expect(regenerated).toEqual(whole);
  });

  it('of pieces add up to the digest of the whole (files, row groups)', () => {
    const pieces = [sales.slice(0, 3000), sales.slice(3000, 12_000), sales.slice(12_000)].map((piece) => digestOf(piece));
    expect(combineDigests(pieces.map((p) => p.digest))).toBe(whole.digest);
    expect(combineDigests(pieces.map((p) => p.digest).reverse())).toBe(whole.digest);
    expect(combineColumnDigests(pieces.map((p) => p.columns))).toEqual(whole.columns);
  });

  it('change when one value changes, in that column and the rows digest only', () => {
    const quantities = Int32Array.from(sales.getChild('quantidade')!.toArray() as Int32Array);
    quantities[12_345] = quantities[12_345]! + 1;
    const changed = withColumn(sales, 'quantidade', makeVector(quantities));
    const after = digestOf(changed);
    expect(after.digest).not.toBe(whole.digest);
    expect(after.columns.quantidade).not.toBe(whole.columns.quantidade);
    for (const name of ['id', 'data_venda', 'categoria', 'produto', 'preco_unitario', 'total']) expect(after.columns[name]).toBe(whole.columns[name]);
  });

  it('a value moved to another row changes the rows digest, not the column digest', () => {
    const a = tableFromArrays({ k: Int32Array.from([1, 2]), v: Int32Array.from([10, 20]) });
    const b = tableFromArrays({ k: Int32Array.from([1, 2]), v: Int32Array.from([20, 10]) });
    expect(digestOf(b).columns.v).toBe(digestOf(a).columns.v);
    expect(digestOf(b).digest).not.toBe(digestOf(a).digest);
  });

  it('dictionary-encoded and plain strings with the same values digest the same', () => {
    const values = ['Café', 'Arroz', 'Café', 'Queijo', 'Arroz', 'Café'];
    const plain = tableOf({ s: vectorFromArray(values, new Utf8()) });
    const dictionary = tableOf({ s: vectorFromArray(values, new Dictionary(new Utf8(), new Int32())) });
    expect(dictionary.getChild('s')!.type).toBeInstanceOf(Dictionary);
    expect(digestOf(dictionary).columns.s).toBe(digestOf(plain).columns.s);
  });

  it('a null is not an empty string', () => {
    const withNull = tableOf({ s: vectorFromArray(['a', null, 'c'], new Utf8()) });
    const withEmpty = tableOf({ s: vectorFromArray(['a', '', 'c'], new Utf8()) });
    expect(digestOf(withNull).columns.s).not.toBe(digestOf(withEmpty).columns.s);
  });

  it('survive a Parquet round trip, and the footer records them', async () => {
    const encoded = await encodeParquet(sales, { rowGroupRows: 4096, createdBy: 'test' });
    expect(encoded.digest).toEqual(whole);
    expect(encoded.rowGroupDigests).toHaveLength(5);
    expect(combineColumnDigests(encoded.rowGroupDigests)).toEqual(whole.columns);

    const decoded = tableFromIPC(parquet.readParquet(encoded.bytes).intoIPCStream());
    expect(decoded.numRows).toBe(20_000);
    expect(digestOf(decoded)).toEqual(whole);
  });

  it('are written into the Parquet footer', async () => {
    const encoded = await encodeParquet(sales.slice(0, 1000), { rowGroupRows: 512, createdBy: 'test' });
    const blob = new Blob([encoded.bytes]);
    const file = await parquet.ParquetFile.fromFile(blob);
    const metadata = file.metadata();
    const fileMetadata = metadata.fileMetadata();
    const kv = Object.fromEntries([...fileMetadata.keyValueMetadata()].map(([k, v]) => [String(k), String(v)]));
    expect(kv[META_DIGEST]).toBe(encoded.digest.digest);
    expect(JSON.parse(kv[META_COLUMN_DIGESTS]!)).toEqual(encoded.digest.columns);
    expect(metadata.numRowGroups()).toBe(2);
    fileMetadata.free();
    metadata.free();
    file.free();
  });
});
