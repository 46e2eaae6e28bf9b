import {
  Binary, Bool, DateDay, Decimal, Dictionary, DurationSecond, FixedSizeBinary, Float16, Float32, Int8, Int32, IntervalYearMonth, LargeUtf8,
  TimestampMillisecond, Uint16, Uint64, Utf8, vectorFromArray, type DataType,
} from 'apache-arrow';
import { generateSalesBatch } from '../../src/datagen/sales';
import { ColumnwiseDigester, RawTableDigester } from '../../src/digest/raw-digester';
import { rawFromData } from '../../src/digest/arrow-columns';
import { digestOf, tableBeforeNestedDigests, tableOf } from '../support/digest-fixtures';

/*
 * Tables written by earlier versions carry these digests in their footers and manifests:
 * the digests of flat columns must never change. The expected values were computed by
 * lakevault at ced7bb3 (before nested columns were digested) from the same tables.
 */
const column = (values: unknown[], type: DataType) => vectorFromArray(values as never[], type as never);

function flatTable() {
  const index = Array.from({ length: 300 }, (_, i) => i);
  const words = (bits: number) => index.map((i) => { const w = new Uint32Array(bits / 32); w[0] = i * 7919; if (i % 2) w.fill(0xffffffff, 1); return w; });
  return tableOf({
    i8: column(index.map((i) => (i % 7 ? (i % 256) - 128 : null)), new Int8()),
    u16: column(index.map((i) => i * 3), new Uint16()),
    u64: column(index.map((i) => BigInt(i) * 123456789n), new Uint64()),
    f32: column(index.map((i) => (i % 5 ? i / 3 : NaN)), new Float32()),
    f16: column(index.map((i) => i / 8), new Float16()),
    b: column(index.map((i) => (i % 3 ? i % 2 === 0 : null)), new Bool()),
    d128: column(words(128), new Decimal(2, 20, 128)),
    d256: column(words(256), new Decimal(2, 50, 256)),
    day: column(index.map((i) => new Date(86_400_000 * i)), new DateDay()),
    ts: column(index.map((i) => 1_700_000_000_000 + i), new TimestampMillisecond('UTC')),
    dur: column(index.map((i) => BigInt(i)), new DurationSecond()),
    ls: column(index.map((i) => (i % 4 ? 'x'.repeat(i % 17) : null)), new LargeUtf8()),
    bin: column(index.map((i) => Uint8Array.of(i & 255, i >> 8)), new Binary()),
    fsb: column(index.map((i) => Uint8Array.of(i & 255, 1, 2)), new FixedSizeBinary(3)),
    dict: column(index.map((i) => ['a', 'bb', null][i % 3]), new Dictionary(new Utf8(), new Int32())),
    ivm: column(index, new IntervalYearMonth()),
  });
}

describe('digests of flat columns', () => {
  it('are byte-identical to the ones earlier versions wrote', () => {
    expect(digestOf(generateSalesBatch(3, 1, 5_000))).toEqual({
      digest: 'bag1:244ba8ae2e89b7e0',
      columns: {
        id: 'bag1:6207b341d416255d', data_venda: 'bag1:bed175cf909cb85a', categoria: 'bag1:1bc08e0e30811740', produto: 'bag1:1390e4a551994245',
        quantidade: 'bag1:e80515f846b36167', preco_unitario: 'bag1:8ce8b2ce84f1d5be', total: 'bag1:820839f65b9f500a',
      },
      rows: 5_000,
    });
    expect(digestOf(flatTable())).toEqual({
      digest: 'bag1:d58f55b3dd3424fc',
      columns: {
        i8: 'bag1:ae3012591d1a779a', u16: 'bag1:bc2b967b643ffa0a', u64: 'bag1:e2b474d2f66d12e8', f32: 'bag1:a7d2d51aeb584db5',
        f16: 'bag1:8a401dba475b9df7', b: 'bag1:7ade51b035dd7c94', d128: 'bag1:a82f74eb12245126', d256: 'bag1:0bd6b7d3e9cb5ea9',
        day: 'bag1:04e1276d267b8d85', ts: 'bag1:81bf05024636bd34', dur: 'bag1:04e1276d267b8d85', ls: 'bag1:fbcb3c23631aef1a',
        bin: 'bag1:2344dee5cb3ab3d0', fsb: 'bag1:a08276347d951450', dict: 'bag1:1744aaa49ca43684', ivm: 'bag1:101563e45a59e33c',
      },
      rows: 300,
    });
  });
});

describe('files written before nested columns were digested', () => {
  const { table, old } = tableBeforeNestedDigests();
  const columns = table.batches[0]!.data.children.map((child) => rawFromData(child));

  it('get the rows digest their writer recorded, over the columns it digested, beside the new one', () => {
    const digester = new RawTableDigester(['id', 'tags', 'name'], { legacyColumns: Object.keys(old.columns) });
    digester.update(columns, 1_000);
    const result = digester.result();
    expect(result.legacyDigest).toBe(old.digest);
    expect(result.columns).toMatchObject(old.columns);
    expect(result.digest).not.toBe(old.digest);
    // Digested a column at a time (a row group too large to decode whole), the same.
    const columnwise = new ColumnwiseDigester(['id', 'tags', 'name'], 1_000, { legacyColumns: Object.keys(old.columns) });
    columns.forEach((raw, i) => { columnwise.updateColumn(i, raw, 0); columnwise.endColumn(i); });
    columnwise.finish(1_000);
    expect(columnwise.result()).toEqual(result);
  });
});
