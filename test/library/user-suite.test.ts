/**
 * A test suite written the way a lakevault user writes one: only the public packages
 * (`lakevault`, `lakevault/testing`) and apache-arrow for the user's own data. It runs
 * against whatever S3 target the suite's globalSetup chose (embedded, MinIO, RGW).
 */
import { tableFromArrays } from 'apache-arrow';
import { ConfigError, ConflictError, Lakevault, NotFoundError, reportSchemas, type ProgressEvent } from 'lakevault';
import { createArrowTable, createSalesTable, createTestBucket, expectTablesEqual, matchers, TablesDifferError, type TestBucket } from 'lakevault/testing';

expect.extend(matchers);

/** The user's own table: 3,000 orders; `change` alters one row's total. */
function orders(change?: { row: number; total: number }) {
  const id = Int32Array.from({ length: 3000 }, (_, i) => i + 1);
  const customer = Array.from({ length: 3000 }, (_, i) => `customer-${i % 97}`);
  const total = Float64Array.from({ length: 3000 }, (_, i) => (i * 37 % 1000) / 10);
  if (change) total[change.row] = change.total;
  return tableFromArrays({ id, customer, total });
}

describe('lakevault in a user\'s integration tests', () => {
  let lv: Lakevault;
  let bucket: TestBucket;
  let setup: Lakevault;

  beforeAll(async () => {
    setup = await Lakevault.open();
    bucket = await createTestBucket(setup, 'user-suite');
    lv = await Lakevault.open({ warehouse: bucket.uri('warehouse'), backups: bucket.uri('backups'), checkpoints: bucket.uri('checkpoints') });
  });

  afterAll(async () => {
    await lv?.close();
    await bucket?.remove();
    await setup?.close();
  });

  it('backs up and restores a table; the restore matches the original row for row', async () => {
    const original = await createSalesTable(lv, { at: 'vendas', rows: 20_000, rowsPerFile: 6_000 });
    const backup = await lv.backup.create(original.uri, { label: 'before-migration' });
    expect(reportSchemas['backup-create'].parse(backup)).toEqual(backup);
    const restore = await lv.backup.restore(backup.id, { to: 'vendas-restored' });
    expect(restore).toMatchObject({ ok: true, rows: 20_000, objects: 4, mode: 'new' });

    await expect(restore.uri).toMatchTable(original, { client: lv });
    await expect(restore.uri).toMatchTable(original, { client: lv, level: 'quick' });
    // A backup is a table too, as far as the assertions go.
    await expect(backup.id).toMatchTable(original, { client: lv });
  });

  it('compares content, not layout: the same rows split differently match at full level', async () => {
    const a = await createArrowTable(lv, orders(), { rowsPerFile: 1_000, rowGroupRows: 500 });
    const b = await createArrowTable(lv, orders(), { rowsPerFile: 3_000 });
    await expect(b).toMatchTable(a);
    const equal = await expectTablesEqual(a, b);
    expect(equal.ok).toBe(true);
    expect(equal.layoutDifferences.length).toBeGreaterThan(0); // reported, not failed
  });

  it('a deliberately different table fails toMatchTable with a message naming file, row group and column', async () => {
    const expected = await createArrowTable(lv, orders(), { rowsPerFile: 1_000, rowGroupRows: 500 });
    const actual = await createArrowTable(lv, orders({ row: 1_700, total: -1 }), { rowsPerFile: 1_000, rowGroupRows: 500 });

    let message = '';
    try {
      await expect(actual).toMatchTable(expected);
    } catch (error) {
      message = (error as Error).message;
    }
    // Row 1,700 is the 700th row of the second file: its second row group of 500.
    expect(message).toMatch(/file data\/part-00001-\S+\.parquet.*row group 1, column "total"/);
    expect(message).not.toMatch(/column "(id|customer)"/);
    expect(message).not.toMatch(/part-00000|part-00002/);

    await expect(actual).not.toMatchTable(expected);
    // Quick level reads no rows; the digests the manifests recorded still name file and column.
    await expect(expect(actual).toMatchTable(expected, { level: 'quick' })).rejects.toThrow(/file data\/part-00001-\S+\.parquet.*column "total"/);
    const thrown = await expectTablesEqual(expected, actual).then(() => undefined, (error: unknown) => error);
    expect(thrown).toBeInstanceOf(TablesDifferError);
    expect((thrown as TablesDifferError).report.differences.some((d) => d.column === 'total' && d.rowGroup === 1)).toBe(true);
  });

  it('reports progress as events and prints nothing', async () => {
    const events: ProgressEvent[] = [];
    const listener = (event: ProgressEvent) => events.push(event);
    lv.on('progress', listener);
    const writes: string[] = [];
    const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')].map((spy) =>
      spy.mockImplementation(((chunk: string | Uint8Array) => { writes.push(String(chunk)); return true; }) as never));
    try {
      const fixture = await createSalesTable(lv, { rows: 4_000, rowsPerFile: 1_000 });
      const own: ProgressEvent[] = [];
      await lv.checkpoint.create(fixture.uri, { onProgress: (event) => own.push(event) });
      expect(own.length).toBeGreaterThan(0);
      expect(own.at(-1)).toMatchObject({ operation: 'checkpoint.create', detail: { objects: 4, totalObjects: 4 } });
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      lv.off('progress', listener);
    }
    expect(writes).toEqual([]);
    expect(events.map((e) => e.operation)).toEqual(expect.arrayContaining(['table.create', 'checkpoint.create']));
    expect(events.find((e) => e.operation === 'table.create')!.message).toMatch(/rows/);
  });

  it('fails with typed errors that carry stable codes', async () => {
    await createArrowTable(lv, orders(), { at: 'taken' });
    const conflict = await lv.table.write('taken', orders()).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ code: 'CONFLICT' });

    const missing = await lv.backup.restore('20200101T000000Z-000000', { to: 'nowhere' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
    expect(await lv.table.list()).toMatchObject({ tables: expect.not.arrayContaining([expect.objectContaining({ name: 'nowhere' })]) });

    await expect(Lakevault.open({ env: { S3_ENDPOINT: 'ftp://example.com' } })).rejects.toThrow(ConfigError);
    await expect(Lakevault.open({ env: { S3_ENDPOINT: 'ftp://example.com' } })).rejects.toMatchObject({ code: 'CONFIG', exitCode: 2 });
    await expect(lv.validate('taken', undefined, { level: 'deep' as never })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
