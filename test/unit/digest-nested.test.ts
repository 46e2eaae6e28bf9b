import {
  Binary, Decimal, Dictionary, Field, FixedSizeList, Float16, Int32, Int64, LargeBinary, LargeList, LargeUtf8, List, Map_, Struct,
  TimestampMicrosecond, Utf8, vectorFromArray, type DataType, type Vector,
} from 'apache-arrow';
import { encodeParquet } from '../../src/parquet/encode';
import { digestOf, digestParquet, tableOf } from '../support/digest-fixtures';

const field = (name: string, type: DataType, nullable = true) => new Field(name, type, nullable);
const mapOf = (entries: Field) => new Map_(entries as Field<Struct<{ key: DataType; value: DataType }>>);
const listOf = (type: DataType) => new List(field('item', type));
const column = (values: unknown[], type: DataType): Vector => vectorFromArray(values as never[], type as never);

/** Every kind of nested column, with nulls at every level, over `rows` rows. */
function nestedTable(rows: number) {
  const pick = <T>(i: number, every: number, value: T): T | null => (i % every === 0 ? null : value);
  const index = Array.from({ length: rows }, (_, i) => i);
  const point = new Struct([field('x', new Int32()), field('tags', listOf(new Utf8()))]);
  return tableOf({
    id: column(index, new Int32()),
    ints: column(index.map((i) => pick(i, 7, i % 5 === 0 ? [] : [i, i % 3 === 0 ? null : -i, 2 * i])), listOf(new Int32())),
    big: column(index.map((i) => pick(i, 11, [BigInt(i) * 1_000_000_007n])), new LargeList(field('item', new Int64()))),
    pair: column(index.map((i) => pick(i, 13, [i, i % 4 === 0 ? null : i + 1])), new FixedSizeList(2, field('item', new Int32()))),
    point: column(index.map((i) => pick(i, 9, { x: i % 6 === 0 ? null : i, tags: i % 8 === 0 ? null : [`t${i}`, i % 10 === 0 ? null : 'u'] })), point),
    attrs: column(index.map((i) => pick(i, 5, new Map<string, number | null>([[`k${i % 3}`, i], ['z', i % 2 ? null : 1]]))), mapOf(field('entries', new Struct([field('key', new Utf8(), false), field('value', new Int32())]), false))),
    deep: column(index.map((i) => pick(i, 17, [[{ x: i, tags: [] }], i % 2 ? null : [], [null]])), listOf(listOf(point))),
  });
}

describe('content digests of nested columns', () => {
  it('digest every nested column, and Parquet round trips give the same digests whatever the row groups and batches', async () => {
    const table = nestedTable(3_000);
    const written = digestOf(table);
    expect(Object.keys(written.columns)).toEqual(['id', 'ints', 'big', 'pair', 'point', 'attrs', 'deep']);
    const small = await encodeParquet(table, { rowGroupRows: 700, createdBy: 't' });
    const large = await encodeParquet(table, { rowGroupRows: 3_000, createdBy: 't' });
    expect(small.digest).toEqual(written);
    expect(large.digest).toEqual(written);
    expect(await digestParquet(small.bytes, 256)).toEqual(written);
    expect(await digestParquet(large.bytes, 65_536)).toEqual(written);
    // Pieces add up (per row group digests of different layouts sum to the same whole).
    expect(digestOf(table.slice(0, 1_234), table.slice(1_234))).toEqual(written);
  });

  it('tell a null list from an empty one, a null element from a missing one, a null struct from one of null fields', () => {
    const digest = (values: unknown[], type: DataType) => digestOf(tableOf({ c: column(values, type) })).columns.c;
    const ints = listOf(new Int32());
    const distinct = [
      digest([null], ints), digest([[]], ints), digest([[null]], ints), digest([[0]], ints), digest([[0, null]], ints), digest([[null, 0]], ints),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    const point = new Struct([field('x', new Int32()), field('y', new Int32())]);
    const structs = [digest([null], point), digest([{ x: null, y: null }], point), digest([{ x: 1, y: null }], point), digest([{ x: null, y: 1 }], point)];
    expect(new Set(structs).size).toBe(structs.length);
    // A list of one struct is not the struct.
    expect(digest([[{ x: 1, y: 2 }]], listOf(point))).not.toBe(digest([{ x: 1, y: 2 }], point));
  });

  it('hash logical values: list, large list and fixed-size list alike; a map as its (key, value) entries', () => {
    const digest = (values: unknown[], type: DataType) => digestOf(tableOf({ c: column(values, type) })).columns.c;
    const values = [[1, 2], [3, null], null];
    const list = digest(values, listOf(new Int32()));
    expect(digest(values, new LargeList(field('item', new Int32())))).toBe(list);
    expect(digest(values, new FixedSizeList(2, field('item', new Int32())))).toBe(list);
    expect(digest(values.map((v) => (v === null ? null : v.map((n) => (n === null ? null : BigInt(n))))), listOf(new Int64()))).toBe(list);
    const entry = new Struct([field('key', new Utf8(), false), field('value', new Int32())]);
    const asMap = digest([new Map([['a', 1], ['b', null]]), null], mapOf(field('entries', entry, false)));
    const asList = digest([[{ key: 'a', value: 1 }, { key: 'b', value: null }], null], listOf(entry));
    expect(asMap).toBe(asList);
    expect(digest([new Map([['b', null], ['a', 1]])], mapOf(field('entries', entry, false)))).not.toBe(digest([new Map([['a', 1], ['b', null]])], mapOf(field('entries', entry, false))));
  });

  it('digest the flat types Parquet produces: decimals, float16, timestamps with zones, large and dictionary strings, binaries', async () => {
    const rows = 500;
    const index = Array.from({ length: rows }, (_, i) => i);
    const decimal = (bits: number) => {
      // Decimals as their unscaled two's-complement words (little-endian), one per row.
      const words = bits / 32;
      const out = new Uint32Array(rows * words);
      index.forEach((i) => { out[i * words] = i * 7919; if (i % 2) for (let w = 1; w < words; w++) out[i * words + w] = 0xffffffff; });
      return out;
    };
    const table = tableOf({
      d128: vectorFromArray(Array.from({ length: rows }, (_, i) => decimal(128).subarray(i * 4, i * 4 + 4)) as never, new Decimal(2, 20, 128) as never),
      half: column(index.map((i) => (i % 9 === 0 ? null : (i - 250) / 8)), new Float16()),
      at: column(index.map((i) => (i % 10 === 0 ? null : 1_700_000_000_000 + i)), new TimestampMicrosecond('Europe/Lisbon')),
      large: column(index.map((i) => (i % 6 === 0 ? null : `linha ${i}`)), new LargeUtf8()),
      dict: column(index.map((i) => ['norte', 'sul', null][i % 3]), new Dictionary(new Utf8(), new Int32())),
      bytes: column(index.map((i) => (i % 4 === 0 ? null : Uint8Array.of(i & 255, 0, i >> 8))), new Binary()),
      largeBytes: column(index.map((i) => Uint8Array.of(i & 255)), new LargeBinary()),
    });
    const written = digestOf(table);
    expect(Object.keys(written.columns).sort()).toEqual(['at', 'bytes', 'd128', 'dict', 'half', 'large', 'largeBytes']);
    const file = await encodeParquet(table, { rowGroupRows: 128, createdBy: 't' });
    const read = await digestParquet(file.bytes, 100);
    // Parquet may read a column back in another physical type (large string as string); the logical values, and so the digests, stay.
    expect(read.columns).toEqual(written.columns);
    expect(read.digest).toBe(written.digest);
  });
});
