import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig } from '../support/target';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest } from '../../src/table/manifest';
import { resolveTable } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { listSnapshots } from '../../src/snapshot/catalog';
import { deleteSnapshot } from '../../src/snapshot/delete';
import { writeJson, SNAPSHOT_MANIFEST, type SnapshotManifest } from '../../src/snapshot/manifest';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { seriesName } from '../../src/snapshot/identity';
import { backupRepository } from '../../src/snapshot/repository';
import { pruneSnapshots } from '../../src/backup/prune';
import { restoreSnapshot } from '../../src/restore/restore';
import { recoverTable } from '../../src/dr/recover';
import { createCheckpoint } from '../../src/dr/checkpoint';
import { compareFileSets, validateFileSet } from '../../src/validate';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

/**
 * Safety rails: nothing is deleted on the strength of an empty, partial or failed listing;
 * a delete never reaches past what the snapshot itself recorded; concurrent backups, and a
 * backup during an overwrite, are each consistent.
 */
const isList = (r: ProxiedRequest) => r.method === 'GET' && /[?&]list-type=2/.test(r.url);
const emptyListing = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>x</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>';

describe(`safety rails on ${TARGET}`, () => {
  const bucket = uniqueBucket('rails');
  const locations = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp` };
  const config = testConfig(locations);
  const backups = backupRepository(config);
  const full = { ...backups, incremental: false };
  const shape = { rows: 4_000, rowsPerFile: 1_000, rowGroupRows: 500 };
  let open: OpenStore;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => { open = await openTestStore(locations); });
  afterAll(async () => {
    for (const step of cleanup) await step();
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(open, b);
    await open.close();
  });

  /** A store whose listings fail (500, no retries) or come back empty (a server that lies). */
  async function withListings(mode: 'fail' | 'empty'): Promise<OpenStore> {
    const proxy: FaultProxy = await startFaultProxy({
      upstream: process.env.S3_ENDPOINT!, seed: 1,
      respond: (r) => (!isList(r) ? undefined : mode === 'empty' ? { status: 200, body: emptyListing }
        : { status: 500, body: '<Error><Code>InternalError</Code><Message>listing failed</Message></Error>' }),
    });
    const store = await openTestStore({ ...locations, S3_ENDPOINT: proxy.endpoint, LAKEVAULT_MAX_ATTEMPTS: '2' });
    cleanup.push(async () => { await store.close(); await proxy.close(); });
    return store;
  }

  /** Every object of the suite's buckets with size and ETag. */
  async function everything(): Promise<string[]> {
    const lines: string[] = [];
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) {
      if (!(await open.store.bucketExists(b))) continue;
      for await (const o of open.store.list(b, '')) lines.push(`${b}/${o.key} ${o.size} ${o.etag}`);
    }
    return lines.sort();
  }

  it('prune, delete and recover refuse — and delete nothing — when listings fail or come back empty', async () => {
    const table = resolveTable(config, 'guarded');
    await createSalesTable(open.store, table, { ...shape, seed: 1, overwrite: false });
    const first = await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 });
    await createSalesTable(open.store, table, { ...shape, seed: 2, overwrite: true });
    const second = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
    const third = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 }); // references second's files
    await createCheckpoint(open.store, config, table, { concurrency: 4 });
    const before = await everything();

    const failing = await withListings('fail');
    await expect(pruneSnapshots(failing.store, backups, table, { policy: { last: 1 }, dryRun: false, graceMs: 0 })).rejects.toMatchObject({ message: expect.stringMatching(/^list s3:\/\/.* failed: InternalError/) });
    await expect(deleteSnapshot(failing.store, backups, { id: second.id })).rejects.toMatchObject({ message: expect.stringMatching(/InternalError/) });
    await expect(deleteSnapshot(failing.store, backups, { id: second.id, of: table.location })).rejects.toMatchObject({ message: expect.stringMatching(/InternalError/) });
    await expect(recoverTable(failing.store, config, table, {})).rejects.toMatchObject({ message: expect.stringMatching(/InternalError/) });
    expect(await everything()).toEqual(before);

    const empty = await withListings('empty');
    // A listing that does not show the lock just written cannot show anyone else's: refused.
    await expect(pruneSnapshots(empty.store, backups, table, { policy: { last: 1 }, dryRun: false, graceMs: 0 })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/incomplete.*nothing was done/) });
    // The third backup references the second's files; a listing that shows neither must not let them go.
    await expect(deleteSnapshot(empty.store, backups, { id: second.id, of: table.location })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/incomplete.*nothing was done/) });
    await expect(recoverTable(empty.store, config, table, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await everything()).toEqual(before);

    // With honest listings the same delete keeps the referenced files, and every backup left validates.
    await deleteSnapshot(open.store, backups, { id: second.id, of: table.location });
    for (const entry of await listSnapshots(open.store, backups, table.location)) {
      const report = await validateFileSet(open.store, snapshotFileSet(backups, entry.manifest!), { level: 'quick' });
      expect({ id: entry.id, ok: report.ok }).toEqual({ id: entry.id, ok: true });
    }
    expect((await listSnapshots(open.store, backups, table.location)).map((e) => e.id)).toEqual([first.id, third.id]);
  }, 600_000);

  it('restore in place needs no listing and deletes only the files the replaced manifest listed', async () => {
    const table = resolveTable(config, 'inplace');
    await createSalesTable(open.store, table, { ...shape, seed: 3, overwrite: false });
    const backup = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
    await createSalesTable(open.store, table, { ...shape, seed: 4, overwrite: true });
    await open.store.put(bucket, `${table.location.prefix}data/someone-elses.parquet`, 'not ours');
    const manifest = (await listSnapshots(open.store, backups, table.location)).find((e) => e.id === backup.id)!.manifest!;

    const failing = await withListings('fail');
    const restored = await restoreSnapshot(failing.store, backups, manifest, table, snapshotRestorer, { force: true, concurrency: 4 });
    expect(restored).toMatchObject({ mode: 'replace', inPlace: true, removedObjects: shape.rows / shape.rowsPerFile });
    expect(await open.store.head(bucket, `${table.location.prefix}data/someone-elses.parquet`)).toBeDefined();
    const now = (await readTableManifest(open.store, table.location))!;
    const report = await compareFileSets(open.store, snapshotFileSet(backups, manifest), tableFileSet(table, now), { level: 'full' });
    expect(report.ok).toBe(true);
  }, 600_000);

  it('a snapshot manifest that names objects outside its own prefix is refused: delete removes nothing', async () => {
    const table = resolveTable(config, 'tampered');
    await createSalesTable(open.store, table, { ...shape, seed: 5, overwrite: false });
    const victim = await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 });
    const tampered = await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 });
    const entries = await listSnapshots(open.store, backups, table.location);
    const victimManifest = entries.find((e) => e.id === victim.id)!.manifest!;
    const manifest = entries.find((e) => e.id === tampered.id)!.manifest!;
    // Claim the victim's files and the live table's files as its own (no reusedFrom).
    const forged: SnapshotManifest = {
      ...manifest,
      files: [...manifest.files, ...victimManifest.files.map((f) => ({ ...f, relativeKey: `x/${f.relativeKey}` })),
        { ...manifest.files[0]!, relativeKey: 'y', bucket, key: `${table.location.prefix}${(await readTableManifest(open.store, table.location))!.files[0]!.key}` }],
    };
    const at = backups.snapshotLocation(seriesName(table.location), tampered.id);
    await writeJson(open.store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, forged);

    const before = await everything();
    await expect(deleteSnapshot(open.store, backups, { id: tampered.id })).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/outside/) });
    expect(await everything()).toEqual(before);
    const report = await validateFileSet(open.store, snapshotFileSet(backups, victimManifest), { level: 'quick' });
    expect(report.ok).toBe(true);
    const live = await validateFileSet(open.store, tableFileSet(table, (await readTableManifest(open.store, table.location))!), { level: 'quick' });
    expect(live.ok).toBe(true);
  }, 600_000);

  it('a backup started while a delete of the backup it would reuse runs is refused by the lock, and the delete completes', async () => {
    const table = resolveTable(config, 'raced');
    await createSalesTable(open.store, table, { ...shape, seed: 8, overwrite: false });
    const doomed = await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 });
    const at = backups.snapshotLocation(seriesName(table.location), doomed.id);
    // The race, made deterministic: after the delete has decided what to remove and just
    // before it removes the manifest, an incremental backup starts — it would see the
    // doomed backup complete and reuse every one of its files.
    let racer: unknown;
    const racing = new Proxy(open.store, {
      get(target, name, receiver) {
        if (name !== 'deleteKeys') {
          const value = Reflect.get(target, name, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (b: string, keys: string[]) => {
          if (!racer && keys.includes(at.prefix + SNAPSHOT_MANIFEST)) racer = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 }).catch((error: unknown) => error);
          return target.deleteKeys(b, keys);
        };
      },
    });
    const deleted = await deleteSnapshot(racing, backups, { id: doomed.id });
    expect(racer).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/locked by `backup delete/) });
    expect(deleted).toMatchObject({ deletedObjects: shape.rows / shape.rowsPerFile, keptForOthers: 0 });
    expect(await listSnapshots(open.store, backups, table.location)).toEqual([]);
    // Run again once the delete is over, the backup copies every file and validates.
    const after = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
    expect(after.copied.objects).toBe(shape.rows / shape.rowsPerFile);
    const [entry] = await listSnapshots(open.store, backups, table.location);
    const report = await validateFileSet(open.store, snapshotFileSet(backups, entry!.manifest!), { level: 'full' });
    expect({ ok: report.ok, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ ok: true, differences: [], fileErrors: [] });
  }, 600_000);

  it('two backups of the same table at once, and a backup during an overwrite, are each consistent', async () => {
    const table = resolveTable(config, 'busy');
    await createSalesTable(open.store, table, { ...shape, seed: 6, overwrite: false });
    const [a, b] = await Promise.all([createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 }), createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 })]);
    expect(a.id).not.toBe(b.id);
    const old = (await readTableManifest(open.store, table.location))!;

    // A backup racing an overwrite: it copies one generation whole (restarting if needed).
    const [during, overwrite] = await Promise.all([
      createSnapshot(open.store, full, table, openTableSource, { concurrency: 1 }),
      createSalesTable(open.store, table, { ...shape, seed: 7, overwrite: true }),
    ]);
    const generations = { [old.generation]: old, [overwrite.generation]: (await readTableManifest(open.store, table.location))! };
    for (const entry of (await listSnapshots(open.store, full, table.location)).filter((e) => [a.id, b.id, during.id].includes(e.id))) {
      const m = entry.manifest!;
      expect(Object.keys(generations)).toContain(m.source.generation);
      expect(m.contentDigest).toBe(generations[m.source.generation]!.contentDigest);
      const report = await validateFileSet(open.store, snapshotFileSet(full, m), { level: 'full' });
      expect({ id: m.id, ok: report.ok, differences: report.differences }).toEqual({ id: m.id, ok: true, differences: [] });
    }
  }, 600_000);
});
