import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { createSalesTable } from '../../src/table/create';
import { inspectTable } from '../../src/table/inspect';
import { dropTable, listTables } from '../../src/table/catalog';
import { readTableManifest, TABLE_MANIFEST } from '../../src/table/manifest';
import { resolveTable } from '../../src/table/table-ref';
import { readFooter } from '../../src/parquet/footer';
import { META_DIGEST, META_ROWS } from '../../src/parquet/encode';
import { parseS3Uri } from '../../src/store/location';

/** Writing a million rows is CPU work: generous limits for shared or slow machines (CI has 2 cores). */
const HEAVY = 600_000;

const options = (rows: number, rowsPerFile: number, overwrite = false) =>
  ({ rows, seed: 7, rowsPerFile, rowGroupRows: 262_144, overwrite });

async function keysUnder(open: OpenStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of open.store.list(bucket, prefix)) keys.push(object.key.slice(prefix.length));
  return keys.sort();
}

describe(`sales tables on ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('tables');
  const config = { warehouse: parseS3Uri(`s3://${bucket}/warehouse`) };
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('writes 1,000,000 rows in several files; the manifest totals match the Parquet footers', async () => {
    const table = resolveTable(config, 'million');
    const created = await createSalesTable(open.store, table, options(1_000_000, 300_000));
    expect(created).toMatchObject({ rows: 1_000_000, files: 4 });

    const manifest = (await readTableManifest(open.store, table.location))!;
    expect(manifest.totals).toEqual({ files: 4, rows: 1_000_000, bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0) });
    expect(manifest.files.map((f) => f.rows)).toEqual([300_000, 300_000, 300_000, 100_000]);

    // What is really stored, read back from the footers alone.
    const inspected = await inspectTable(open.store, table, 16);
    expect(inspected.problems).toEqual([]);
    expect(inspected.totals).toEqual(manifest.totals);
    expect(inspected.files.map((f) => f.key)).toEqual(manifest.files.map((f) => f.key));
    expect(inspected.schema.map((f) => f.name)).toEqual(['id', 'data_venda', 'categoria', 'produto', 'quantidade', 'preco_unitario', 'total']);
    for (const file of manifest.files) {
      const footer = await readFooter(open.store, bucket, table.location.prefix + file.key, file.bytes, file.etag);
      expect(footer.rows).toBe(file.rows);
      expect(footer.rowGroupRows.every((rows) => rows <= 262_144)).toBe(true);
      expect(footer.rowGroupRows.reduce((a, b) => a + b, 0)).toBe(file.rows);
      expect(footer.keyValueMetadata[META_DIGEST]).toBe(file.digest);
      expect(footer.keyValueMetadata[META_ROWS]).toBe(String(file.rows));
    }
    // The stored objects are exactly the manifest's files plus the manifest.
    expect(await keysUnder(open, bucket, table.location.prefix)).toEqual([TABLE_MANIFEST, ...manifest.files.map((f) => f.key)].sort());

    // Those files were encoded on worker threads (several files, enough rows); encoded on
    // this thread instead, the same rows give the same digests, file by file.
    const saved = process.env.LAKEVAULT_ENCODE_WORKERS;
    process.env.LAKEVAULT_ENCODE_WORKERS = '0';
    try {
      const inlineTable = resolveTable(config, 'million-inline');
      const inline = await createSalesTable(open.store, inlineTable, options(1_000_000, 300_000));
      expect(inline.contentDigest).toBe(created.contentDigest);
      const inlineManifest = (await readTableManifest(open.store, inlineTable.location))!;
      expect(inlineManifest.files.map((f) => [f.rows, f.digest, f.rowGroups])).toEqual(manifest.files.map((f) => [f.rows, f.digest, f.rowGroups]));
    } finally {
      if (saved === undefined) delete process.env.LAKEVAULT_ENCODE_WORKERS;
      else process.env.LAKEVAULT_ENCODE_WORKERS = saved;
    }
  }, HEAVY);

  it('content digests depend on the rows only: another file split gives the same digest, another seed does not', async () => {
    const a = await createSalesTable(open.store, resolveTable(config, 'seed-a'), options(50_000, 7_000));
    const b = await createSalesTable(open.store, resolveTable(config, 'seed-b'), options(50_000, 50_000));
    const c = await createSalesTable(open.store, resolveTable(config, 'seed-c'), { ...options(50_000, 7_000), seed: 8 });
    expect([a.files, b.files]).toEqual([8, 1]);
    expect(b.contentDigest).toBe(a.contentDigest);
    expect(c.contentDigest).not.toBe(a.contentDigest);
  }, HEAVY);

  it('refuses to overwrite without --overwrite, and an overwrite switches generations cleanly', async () => {
    const table = resolveTable(config, 'regen');
    const first = await createSalesTable(open.store, table, options(20_000, 10_000));
    await expect(createSalesTable(open.store, table, options(20_000, 10_000))).rejects.toMatchObject({ code: 'CONFLICT' });
    const second = await createSalesTable(open.store, table, { ...options(30_000, 10_000, true), seed: 8 });
    expect(second).toMatchObject({ replacedGeneration: first.generation, removedFiles: 2, rows: 30_000, files: 3 });
    const manifest = (await readTableManifest(open.store, table.location))!;
    expect(manifest.generation).toBe(second.generation);
    // Only the new generation's files remain.
    const keys = await keysUnder(open, bucket, table.location.prefix);
    expect(keys).toEqual([TABLE_MANIFEST, ...manifest.files.map((f) => f.key)].sort());
    expect(keys.filter((k) => k.includes(first.generation))).toEqual([]);
  }, HEAVY);

  it('keeps many uploads of a table of small files in flight (a PUT waits on the server far longer than a small file takes to encode)', async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: ObjectStore = Object.assign(Object.create(open.store) as ObjectStore, {
      put: async (...args: Parameters<ObjectStore['put']>) => {
        peak = Math.max(peak, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await open.store.put(...args);
        } finally {
          inFlight -= 1;
        }
      },
    });
    const table = resolveTable(config, 'many');
    const created = await createSalesTable(counting, table, options(6_000, 100));
    expect(created).toMatchObject({ rows: 6_000, files: 60 });
    expect(peak).toBeGreaterThanOrEqual(8);
    expect((await keysUnder(open, bucket, table.location.prefix)).filter((key) => key.startsWith('data/'))).toHaveLength(60);
  });

  it('will not write into a prefix that holds foreign objects unless told to', async () => {
    const table = resolveTable(config, 'occupied');
    await open.store.ensureBucket(bucket);
    await open.store.put(bucket, `${table.location.prefix}someone-elses.csv`, 'a,b\n');
    await expect(createSalesTable(open.store, table, options(1_000, 1_000))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await keysUnder(open, bucket, table.location.prefix)).toEqual(['someone-elses.csv']);
  });

  it('lists the warehouse tables and drops one completely', async () => {
    const names = (await listTables(open.store, config.warehouse)).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['million', 'seed-a', 'seed-b', 'seed-c', 'regen']));
    expect(names).not.toContain('occupied'); // no manifest, not a table

    const listed = (await listTables(open.store, config.warehouse)).find((t) => t.name === 'regen')!;
    expect(listed).toMatchObject({ rows: 30_000, files: 3 });

    const dropped = await dropTable(open.store, resolveTable(config, 'regen'));
    expect(dropped).toMatchObject({ deletedObjects: 4, errors: [] });
    expect(await keysUnder(open, bucket, resolveTable(config, 'regen').location.prefix)).toEqual([]);
    expect((await listTables(open.store, config.warehouse)).map((t) => t.name)).not.toContain('regen');
  });

  it('drop refuses a prefix without a manifest unless forced', async () => {
    const table = resolveTable(config, 'occupied');
    await expect(dropTable(open.store, table)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await keysUnder(open, bucket, table.location.prefix)).toEqual(['someone-elses.csv']);
    await expect(dropTable(open.store, table, { force: true })).resolves.toMatchObject({ deletedObjects: 1, errors: [] });
  });
});
