import { Int32, Int64, LargeUtf8, Utf8, Dictionary, vectorFromArray, makeVector } from 'apache-arrow';
import { generateSalesBatch } from '../../src/datagen/sales';
import { combineDigests, combineColumnDigests } from '../../src/digest/column-digest';
import { addDigests, EMPTY_DIGEST, isBagDigest, parseDigest } from '../../src/digest/bag';
import { encodeParquet } from '../../src/parquet/encode';
import { digestOf, digestParquet, tableOf, withColumn } from '../support/digest-fixtures';

describe('bag1 content digests', () => {
  const sales = generateSalesBatch(3, 1, 20_000);

  it('do not depend on how rows are split into batches, row groups or files', async () => {
    const whole = digestOf(sales);
    expect(isBagDigest(whole.digest)).toBe(true);
    expect(whole.rows).toBe(20_000);
    expect(digestOf(sales.slice(0, 7), sales.slice(7, 12_345), sales.slice(12_345))).toEqual(whole);
    const files = [digestOf(sales.slice(0, 5_000)), digestOf(sales.slice(5_000))];
    expect(combineDigests(files.map((f) => f.digest))).toBe(whole.digest);
    expect(combineColumnDigests(files.map((f) => f.columns))).toEqual(whole.columns);
    const small = await encodeParquet(sales, { rowGroupRows: 1_000, createdBy: 't' });
    const large = await encodeParquet(sales, { rowGroupRows: 16_384, createdBy: 't' });
    expect(small.rowGroupDigests).toHaveLength(20);
    expect(large.rowGroupDigests).toHaveLength(2);
    expect(small.digest).toEqual(whole);
    expect(large.digest).toEqual(whole);
  });

  it('change with one value, in that column and the rows digest only', () => {
    const ids = sales.getChild('id')!.toArray() as BigInt64Array;
    const changed = BigInt64Array.from(ids);
    changed[9_999] = changed[9_999]! ^ 1n;
    const other = withColumn(sales, 'id', makeVector(changed));
    const before = digestOf(sales);
    const after = digestOf(other);
    expect(after.columns.id).not.toBe(before.columns.id);
    expect(after.digest).not.toBe(before.digest);
    for (const name of ['data_venda', 'categoria', 'produto', 'quantidade', 'preco_unitario', 'total']) expect(after.columns[name]).toBe(before.columns[name]);
  });

  it('see values moved between rows in the rows digest, though each column alone holds the same values', () => {
    const a = tableOf({ k: vectorFromArray([1, 2, 3], new Int32()), v: vectorFromArray(['x', 'y', 'z'], new Utf8()) });
    const b = tableOf({ k: vectorFromArray([1, 2, 3], new Int32()), v: vectorFromArray(['y', 'x', 'z'], new Utf8()) });
    const reordered = tableOf({ k: vectorFromArray([3, 1, 2], new Int32()), v: vectorFromArray(['z', 'x', 'y'], new Utf8()) });
    expect(digestOf(b).columns).toEqual(digestOf(a).columns);
    expect(digestOf(b).digest).not.toBe(digestOf(a).digest);
    // Row order is not content: the same rows in another order are the same table.
    expect(digestOf(reordered)).toEqual(digestOf(a));
  });

  it('hash logical values: widths, offset sizes and dictionary encoding do not matter; nulls do', () => {
    const ints32 = digestOf(tableOf({ n: vectorFromArray([1, -2, 3], new Int32()) }));
    const ints64 = digestOf(tableOf({ n: vectorFromArray([1n, -2n, 3n], new Int64()) }));
    expect(ints64.columns.n).toBe(ints32.columns.n);
    const words = ['café', 'chá', 'café', 'água'];
    const utf8 = digestOf(tableOf({ s: vectorFromArray(words, new Utf8()) }));
    expect(digestOf(tableOf({ s: vectorFromArray(words, new LargeUtf8()) })).columns.s).toBe(utf8.columns.s);
    expect(digestOf(tableOf({ s: vectorFromArray(words, new Dictionary(new Utf8(), new Int32())) })).columns.s).toBe(utf8.columns.s);
    const withNull = digestOf(tableOf({ s: vectorFromArray(['café', null, 'café', 'água'], new Utf8()) }));
    const withEmpty = digestOf(tableOf({ s: vectorFromArray(['café', '', 'café', 'água'], new Utf8()) }));
    expect(withNull.columns.s).not.toBe(withEmpty.columns.s);
    expect(withNull.columns.s).not.toBe(utf8.columns.s);
  });

  it('read back from Parquet through the C data interface equal what was written, plain or dictionary, any batch size', async () => {
    const written = await encodeParquet(sales, { rowGroupRows: 4_096, createdBy: 't' });
    expect(await digestParquet(written.bytes, 1_000)).toEqual(written.digest);
    const plain = await encodeParquet(sales, { rowGroupRows: 7_000, createdBy: 't', dictionary: false, compression: 'none' });
    expect(await digestParquet(plain.bytes, 65_536)).toEqual(written.digest);
    const nullable = tableOf({ s: vectorFromArray(['a', null, 'bb', null, 'ccc'], new Utf8()), n: vectorFromArray([null, 2, null, 4, 5], new Int32()) });
    const encoded = await encodeParquet(nullable, { rowGroupRows: 2, createdBy: 't' });
    expect(await digestParquet(encoded.bytes, 2)).toEqual(digestOf(nullable));
  });

  it('add in any order, with the empty digest as identity, and refuse other formats', () => {
    const parts = [digestOf(sales.slice(0, 10)).digest, digestOf(sales.slice(10, 20)).digest, digestOf(sales.slice(20, 30)).digest];
    expect(addDigests([parts[2]!, parts[0]!, parts[1]!])).toBe(addDigests(parts));
    expect(addDigests([EMPTY_DIGEST, parts[0]!])).toBe(parts[0]);
    expect(parseDigest('0123456789abcdef')).toBeUndefined();
    expect(() => addDigests(['sha256:abc'])).toThrow(/not a bag1: digest/);
  });
});
