import { randomBytes } from 'node:crypto';
import { Int32, Utf8, vectorFromArray } from 'apache-arrow';
import { Lakevault } from '../../src/api/client';
import { encodeParquet } from '../../src/parquet/encode';
import { META_DIGEST, META_ROW_GROUP_DIGESTS } from '../../src/parquet/footer-keys';
import { parquet } from '../../src/parquet/wasm';
import { tableBeforeNestedDigests, tableOf } from '../support/digest-fixtures';
import { removeBucket, testConfig, TARGET, uniqueBucket } from '../support/target';

/*
 * The full level within a memory budget, on files lakevault wrote (their footers carry the
 * digests each row group must give): a row group too large to decode whole is decoded
 * column by column and still gives its digests; one whose column cannot fit is refused
 * naming row group, column and sizes. And a file written before nested columns were
 * digested still validates against the digests its footer recorded.
 */
describe(`full validation within a memory budget (${TARGET})`, () => {
  jest.setTimeout(300_000);
  let lv: Lakevault;
  const bucket = uniqueBucket('budget');
  // Random text compresses to about half: these columns are ~5 MB each in the file.
  const text = (rows: number, bytes: number) => Array.from({ length: rows }, () => randomBytes(bytes / 2).toString('hex'));

  beforeAll(async () => {
    lv = await Lakevault.open({ config: testConfig() });
    await lv.context.store.ensureBucket(bucket);
  });
  afterAll(async () => { await removeBucket(lv.context.open, bucket); await lv.close(); });

  async function put(prefix: string, bytes: Uint8Array): Promise<string> {
    await lv.context.store.put(bucket, `${prefix}/part-0.parquet`, bytes);
    return `s3://${bucket}/${prefix}/`;
  }

  it('decodes a row group larger than a worker may hold one column at a time, with the digests written with it', async () => {
    const rows = 100_000;
    const table = tableOf({ a: vectorFromArray(text(rows, 100), new Utf8()), b: vectorFromArray(text(rows, 100), new Utf8()), c: vectorFromArray(text(rows, 100), new Utf8()) });
    const file = await encodeParquet(table, { rowGroupRows: rows, createdBy: 't' });
    const uri = await put('wide', file.bytes);
    // 220 MB with one worker leaves it 48 MB, of which 12 MB fetched ahead: less than the row group's ~15 MB.
    const report = await lv.validate(uri, undefined, { level: 'full', workers: 1, memoryBudgetMb: 220 });
    expect({ ok: report.ok, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ ok: true, differences: [], fileErrors: [] });
    expect(report.subjects[0]!.contentDigest).toBe(file.digest.digest);
    expect(report.subjects[0]!.columnDigests).toEqual(file.digest.columns);
    // The same file, whole, under the default budget: the same digests.
    const whole = await lv.validate(uri, undefined, { level: 'full', workers: 1 });
    expect(whole.subjects[0]!.contentDigest).toBe(file.digest.digest);
  });

  it('refuses a column that cannot be held within the budget, in one line naming row group, column and sizes', async () => {
    const rows = 200_000;
    const table = tableOf({ id: vectorFromArray(Array.from({ length: rows }, (_, i) => i), new Int32()), blob: vectorFromArray(text(rows, 200), new Utf8()) });
    const uri = await put('big', (await encodeParquet(table, { rowGroupRows: rows, createdBy: 't' })).bytes);
    const report = await lv.validate(uri, undefined, { level: 'full', workers: 1, memoryBudgetMb: 220 });
    expect(report.ok).toBe(false);
    expect(report.fileErrors).toHaveLength(1);
    expect(report.fileErrors[0]!.error).toMatch(/^row group 0 column "blob": [\d.]+ MB compressed \([\d.]+ MB uncompressed\) cannot be held within the decode budget \([\d.]+ MB of fetched bytes per worker, of 220 MB in all\)$/);
    expect(report.memory).toMatchObject({ budgetMb: 220, perWorkerMb: 48 });
  });

  it('refuses a budget too small for its workers before decoding anything; quick, which decodes nothing, goes on', async () => {
    const table = tableOf({ id: vectorFromArray([1, 2, 3], new Int32()) });
    const uri = await put('small', (await encodeParquet(table, { rowGroupRows: 3, createdBy: 't' })).bytes);
    await expect(lv.validate(uri, undefined, { level: 'full', workers: 2, memoryBudgetMb: 300 })).rejects.toThrow(/a memory budget of 300 MB is too small for 2 decode worker\(s\): at least \d+ MB/);
    const quick = await lv.validate(uri, undefined, { level: 'quick', workers: 8 });
    expect(quick.ok).toBe(true);
  });

  it('validates a file whose footer holds the digests written before nested columns were digested', async () => {
    const { table, old: oldDigests } = tableBeforeNestedDigests();
    const properties = new parquet.WriterPropertiesBuilder()
      .setKeyValueMetadata(new Map([[META_DIGEST, oldDigests.digest], [META_ROW_GROUP_DIGESTS, JSON.stringify([oldDigests.columns])]]))
      .build();
    const { tableToIPC } = await import('apache-arrow');
    const uri = await put('old-nested', parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), properties));
    const report = await lv.validate(uri, undefined, { level: 'full', workers: 1 });
    expect({ ok: report.ok, differences: report.differences.map((d) => d.message) }).toEqual({ ok: true, differences: [] });
    expect(Object.keys(report.subjects[0]!.columnDigests!)).toEqual(['id', 'tags', 'name']);
  });
});
