import {
  Binary, Bool, DateDay, DateMillisecond, Decimal, Dictionary, FixedSizeBinary, Float32, Float64, Int16, Int32, Int64, Int8,
  LargeUtf8, List, Field, makeData, SparseUnion, TimestampMicrosecond, Uint32, Uint64, Utf8, vectorFromArray, type Table, type Vector,
} from 'apache-arrow';
import { addDigests, formatDigest } from '../../src/digest/bag';
import { rawFromData } from '../../src/digest/arrow-columns';
import { rowDigests, type RowDigests } from '../../src/digest/row-digests';
import { checkTakeable, takeRows } from '../../src/diff/take';
import { generateSalesBatch } from '../../src/datagen/sales';
import { digestOf, tableOf } from '../support/digest-fixtures';

/** Per-row digests of a one-batch table, as the diff computes them. */
function digestsOf(table: Table): RowDigests {
  const batch = table.batches[0]!;
  const result = rowDigests(batch.data.children.map((child) => rawFromData(child)), batch.numRows);
  if ('unsupported' in result) throw new Error(`unsupported columns ${result.unsupported.join(', ')}`);
  return result;
}

function sumAt(digests: RowDigests, indexes: number[]): string {
  let a = 0;
  let b = 0;
  for (const i of indexes) { a = (a + digests.a[i]!) | 0; b = (b + digests.b[i]!) | 0; }
  return formatDigest({ a, b });
}

const N = 200;
const at = (i: number) => (i % 7 === 3 ? null : i);

/** Every flat type the row digest reads, with nulls (every 7th row) and multi-byte values. */
function everyType(): Table {
  const strings = Array.from({ length: N }, (_, i) => (at(i) === null ? null : `valor ${i} ☕ ${'x'.repeat(i % 13)}`));
  const columns: Record<string, Vector> = {
    i8: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : (i % 250) - 125)), new Int8()),
    i16: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i * 101 - 9000)), new Int16()),
    i32: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i * 1_000_003 - 7)), new Int32()),
    u32: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i * 21_000_000)), new Uint32()),
    i64: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : BigInt(i) * 9_000_000_000_007n - 5n)), new Int64()),
    u64: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : BigInt(i) * 18_000_000_000_000_000n / 200n)), new Uint64()),
    f32: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i / 3)), new Float32()),
    f64: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i * Math.PI)), new Float64()),
    bool: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : i % 3 === 0)), new Bool()),
    utf8: vectorFromArray(strings, new Utf8()),
    large: vectorFromArray(strings, new LargeUtf8()),
    binary: vectorFromArray(strings.map((s) => (s === null ? null : Buffer.from(s))), new Binary()),
    day: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : new Date(Date.UTC(2024, 0, 1 + i)))), new DateDay()),
    ms: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : new Date(Date.UTC(2024, 0, 1, 0, 0, i)))), new DateMillisecond()),
    micros: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : 1_700_000_000_000 + i)), new TimestampMicrosecond()),
    decimal: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : Uint32Array.from([i, i * 3, 0, 0]))), new Decimal(2, 18, 128)),
    fixed: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : Uint8Array.from([i, i >> 1, 7]))), new FixedSizeBinary(3)),
    dictionary: vectorFromArray(Array.from({ length: N }, (_, i) => (at(i) === null ? null : ['Café', 'Arroz', 'Queijo'][i % 3]!)), new Dictionary(new Utf8(), new Int32())),
  };
  return tableOf(columns);
}

describe('takeRows', () => {
  const picks = [0, 3, 4, 10, 17, 17, 199, 1, 64, 65, 66, 198];

  it('copies every flat type value for value: the taken rows digest as those rows of the source', () => {
    const table = everyType();
    const taken = takeRows(table.batches[0]!, picks);
    expect(taken.numRows).toBe(picks.length);
    const source = digestsOf(table);
    const copy = digestsOf(tableOf(Object.fromEntries(taken.schema.fields.map((f, i) => [f.name, taken.getChildAt(i)!]))));
    picks.forEach((index, j) => expect([copy.a[j], copy.b[j]]).toEqual([source.a[index], source.b[index]]));
    // And column by column, through Arrow's own reader, where its get() is exact.
    for (const field of table.schema.fields) {
      const from = table.getChild(field.name)!;
      const to = taken.getChild(field.name)!;
      picks.forEach((index, j) => expect([field.name, j, String(to.get(j))]).toEqual([field.name, j, String(from.get(index))]));
      expect(to.nullCount).toBe(picks.filter((i) => at(i) === null).length);
    }
  });

  it('reads sliced data at its offset (bitmaps are not sliced, values are)', () => {
    const table = everyType();
    const sliced = table.slice(5, 150);
    const local = [0, 1, 2, 9, 140, 144];
    const taken = takeRows(sliced.batches[0]!, local);
    const source = digestsOf(table);
    const copy = digestsOf(tableOf(Object.fromEntries(taken.schema.fields.map((f, i) => [f.name, taken.getChildAt(i)!]))));
    local.forEach((index, j) => expect([copy.a[j], copy.b[j]]).toEqual([source.a[index + 5], source.b[index + 5]]));
  });

  it('of the sales rows: the digest of the taken rows is the sum of their row digests', () => {
    const sales = generateSalesBatch(3, 1, 5_000);
    const digests = digestsOf(sales);
    const indexes = Array.from({ length: 50 }, (_, i) => i * 97);
    const taken = takeRows(sales.batches[0]!, indexes);
    expect(digestOf(tableOf(Object.fromEntries(taken.schema.fields.map((f, i) => [f.name, taken.getChildAt(i)!])))).digest).toBe(sumAt(digests, indexes));
  });

  it('refuses nested columns with their name, before any row is read (checkTakeable) or when asked to copy them', () => {
    const list = vectorFromArray([[1], [2, 3]], new List(new Field('item', new Int32(), true)));
    const table = tableOf({ k: vectorFromArray([1, 2], new Int32()), l: list });
    expect(() => takeRows(table.batches[0]!, [1])).toThrow(/column "l" .*flat types only/);
    expect(() => checkTakeable(table.schema)).toThrow(/column "l" .*flat types only/);
    expect(() => checkTakeable(everyType().schema)).not.toThrow();
  });
});

describe('row digests', () => {
  it('add up to the bag digest of the rows (the digest files and manifests record)', () => {
    const sales = generateSalesBatch(5, 1, 3_000);
    const digests = digestsOf(sales);
    expect(sumAt(digests, Array.from({ length: 3_000 }, (_, i) => i))).toBe(digestOf(sales).digest);
    expect(addDigests([sumAt(digests, [0, 1]), sumAt(digests, [2])])).toBe(digestOf(sales.slice(0, 3)).digest);
  });

  it('are equal for equal rows and differ when one value differs', () => {
    const table = tableOf({ k: vectorFromArray([1, 2, 1], new Int32()), s: vectorFromArray(['a', 'b', 'a'], new Utf8()) });
    const d = digestsOf(table);
    expect([d.a[0], d.b[0]]).toEqual([d.a[2], d.b[2]]);
    expect([d.a[0], d.b[0]]).not.toEqual([d.a[1], d.b[1]]);
  });

  it('name the columns they cannot read instead of skipping them', () => {
    const union = makeData({ type: new SparseUnion([0], [new Field('i', new Int32())]), length: 2, nullCount: 0, typeIds: Int8Array.from([0, 0]), children: [makeData({ type: new Int32(), length: 2, nullCount: 0, data: Int32Array.from([1, 2]) })] });
    const columns = [rawFromData(vectorFromArray([1, 2], new Int32()).data[0]!), rawFromData(union)];
    expect(rowDigests(columns, 2)).toEqual({ unsupported: [1] });
  });
});
