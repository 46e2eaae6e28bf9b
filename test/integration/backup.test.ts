import { ConflictError, NotFoundError, UnsupportedError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { readTableManifest, writeTableManifest } from '../../src/table/manifest';
import { createSalesTable } from '../../src/table/create';
import { combineDigests } from '../../src/digest/column-digest';
import { listSnapshots, requireCompleteSnapshot, summarize } from '../../src/snapshot/catalog';
import { createSnapshot } from '../../src/snapshot/create';
import { deleteSnapshot } from '../../src/snapshot/delete';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { SNAPSHOT_MANIFEST, writeJson } from '../../src/snapshot/manifest';
import { seriesName } from '../../src/snapshot/identity';
import { backupRepository } from '../../src/snapshot/repository';
import { compareFileSets } from '../../src/validate';
import { restoreSnapshot } from '../../src/restore/restore';
import { pruneSnapshots } from '../../src/backup/prune';
import { resolveTable } from '../../src/table/table-ref';
import { itWith, openTestStore, TARGET, uniqueBucket, removeBucket } from '../support/target';
import { CopyHookStore, giveSpecialKeys, makeTable, testBuckets } from './backup-support';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

async function keysUnder(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  if (!(await store.bucketExists(bucket))) return keys;
  for await (const object of store.list(bucket, prefix)) keys.push(object.key);
  return keys.sort();
}

jest.setTimeout(300_000); // shared 2-core machine: table writes and full validations take a while under load

describe(`backups on ${TARGET}`, () => {
  const env = testBuckets('backup');
  const repo = backupRepository(env.config);
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('backup and restore reproduce every object byte-identically, with special-character keys and a multipart copy', async () => {
    const table = await makeTable(open.store, env.config, 'special', 30_000, 12_000);
    await giveSpecialKeys(open.store, table);
    const source = (await readTableManifest(open.store, table.location))!;
    const sizes = source.files.map((f) => f.bytes).sort((a, b) => a - b);
    // A threshold between the smallest and largest file: the largest goes by UploadPartCopy.
    const multipart = await openTestStore({ LAKEVAULT_MULTIPART_THRESHOLD: String(sizes[sizes.length - 1]! - 1) });
    try {
      const watched = new CopyHookStore(multipart.store);
      const backup = await createSnapshot(watched, repo, table, openTableSource, { concurrency: 4 });
      expect(backup.copied.objects).toBe(3);
      expect(watched.multipartCopies).toBe(1);
      const manifest = await requireCompleteSnapshot(open.store, repo, { id: backup.id });
      if (TARGET !== 'embedded') {
        // Real servers give a multipart object a "…-N" ETag (s3rver an MD5 of the whole).
        const multipartFiles = manifest.files.filter((f) => f.etag !== f.sourceEtag);
        expect(multipartFiles).toHaveLength(1);
        expect(multipartFiles[0]!.etag).toMatch(/-\d+$/);
      }

      const target = resolveTable(env.config, 'special_restored');
      const restored = await restoreSnapshot(multipart.store, repo, manifest, target, snapshotRestorer, { force: false, concurrency: 4, level: 'full' });
      expect(restored.ok).toBe(true);
      expect(restored.mode).toBe('new');
      const restoredManifest = (await readTableManifest(open.store, target.location))!;

      for (const file of source.files) {
        const inBackup = manifest.files.find((f) => f.relativeKey === file.key)!;
        const inRestore = restoredManifest.files.find((f) => f.key === file.key)!;
        const original = Buffer.from(await open.store.getBytes(table.location.bucket, table.location.prefix + file.key));
        const backedUp = Buffer.from(await open.store.getBytes(inBackup.bucket, inBackup.key));
        const back = Buffer.from(await open.store.getBytes(target.location.bucket, target.location.prefix + inRestore.key));
        expect(backedUp.equals(original)).toBe(true);
        expect(back.equals(original)).toBe(true);
        expect([inBackup.size, inRestore.bytes]).toEqual([file.bytes, file.bytes]);
        expect([inBackup.digest, inRestore.digest]).toEqual([file.digest, file.digest]);
        if (inBackup.etag === inBackup.sourceEtag) expect(inRestore.etag).toBe(file.etag);
      }
      const originalVsBackup = await compareFileSets(open.store, tableFileSet(table, source), snapshotFileSet(repo, manifest), { level: 'full' });
      expect(originalVsBackup.differences).toEqual([]);
      expect(originalVsBackup.ok).toBe(true);
    } finally {
      await multipart.close();
    }
  });

  it('a backup interrupted after k copies is incomplete, refused by restore, and --resume copies only the rest', async () => {
    const table = await makeTable(open.store, env.config, 'interrupted', 25_000, 5_000);
    const crashing = new CopyHookStore(open.store, { failAfter: 2 });
    await expect(createSnapshot(crashing, repo, table, openTableSource, { concurrency: 1, tags: ['weekly'] })).rejects.toThrow(/simulated crash/);
    const [entry] = await listSnapshots(open.store, repo, table.location);
    expect(summarize(repo, entry!)).toMatchObject({ state: 'incomplete', tags: ['weekly'] });
    await expect(requireCompleteSnapshot(open.store, repo, { id: entry!.id })).rejects.toThrow(/incomplete/);
    await expect(requireCompleteSnapshot(open.store, repo, { id: entry!.id })).rejects.toBeInstanceOf(NotFoundError);

    const counting = new CopyHookStore(open.store);
    const resumed = await createSnapshot(counting, repo, table, openTableSource, { id: entry!.id, resume: true, concurrency: 4 });
    expect(resumed.skipped.objects).toBe(2);
    expect(resumed.copied.objects).toBe(3);
    expect(counting.copies).toBe(3);
    const manifest = await requireCompleteSnapshot(open.store, repo, { id: entry!.id });
    // The resumed run was given no tags: it keeps those the interrupted one recorded.
    expect(manifest.tags).toEqual(['weekly']);
    const report = await compareFileSets(open.store, tableFileSet(table, (await readTableManifest(open.store, table.location))!), snapshotFileSet(repo, manifest), { level: 'quick' });
    expect(report.ok).toBe(true);
    await expect(createSnapshot(open.store, repo, table, openTableSource, { id: entry!.id, resume: true, concurrency: 4 })).rejects.toBeInstanceOf(ConflictError);
  });

  it('a table overwritten while its backup runs yields one generation, never a mix', async () => {
    const table = await makeTable(open.store, env.config, 'overwritten', 20_000, 4_000, 1);
    const before = (await readTableManifest(open.store, table.location))!;
    const racing = new CopyHookStore(open.store, {
      afterCopy: async (count) => {
        // After the second copy, a writer replaces the table (new generation, new files, old ones removed).
        if (count === 2) await createSalesTable(open.store, table, { rows: 20_000, seed: 2, rowsPerFile: 4_000, rowGroupRows: 4096, overwrite: true });
      },
    });
    const backup = await createSnapshot(racing, repo, table, openTableSource, { concurrency: 1 });
    const after = (await readTableManifest(open.store, table.location))!;
    expect(after.generation).not.toBe(before.generation);
    expect(backup.attempts).toBe(2);
    expect(backup.generation).toBe(after.generation);
    const manifest = await requireCompleteSnapshot(open.store, repo, { id: backup.id });
    expect(manifest.files.map((f) => f.sourceEtag).sort()).toEqual(after.files.map((f) => f.etag).sort());
    expect(manifest.contentDigest).toBe(after.contentDigest);
    // No copy of the first generation is left in the backup's prefix.
    const at = repo.snapshotLocation(seriesName(table.location), backup.id);
    const keys = await keysUnder(open.store, at.bucket, at.prefix);
    expect(keys.filter((k) => k.includes(before.generation))).toEqual([]);
    const report = await compareFileSets(open.store, tableFileSet(table, after), snapshotFileSet(repo, manifest), { level: 'full' });
    expect(report.ok).toBe(true);
  });

  it('incremental: copies only changed files; deleting the older backup leaves the newer restorable', async () => {
    const table = await makeTable(open.store, env.config, 'incremental', 30_000, 10_000, 42);
    const first = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    expect(first.copied.objects).toBe(3);

    // Change one file: take file 0 from a table of other rows.
    const other = await makeTable(open.store, env.config, 'incremental_other', 30_000, 10_000, 7);
    const otherManifest = (await readTableManifest(open.store, other.location))!;
    const manifest = (await readTableManifest(open.store, table.location))!;
    const changed = { ...otherManifest.files[0]!, key: 'data/part-00000-changed.parquet' };
    const copied = await open.store.copy(other.location.bucket, other.location.prefix + otherManifest.files[0]!.key, table.location.bucket, table.location.prefix + changed.key);
    changed.etag = copied.etag;
    manifest.files[0] = changed;
    manifest.contentDigest = combineDigests(manifest.files.map((f) => f.digest));
    manifest.totals = { files: 3, rows: manifest.files.reduce((n, f) => n + f.rows, 0), bytes: manifest.files.reduce((n, f) => n + f.bytes, 0) };
    await writeTableManifest(open.store, table.location, manifest);

    const second = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    expect(second.copied.objects).toBe(1);
    expect(second.reused.objects).toBe(2);

    const deleted = await deleteSnapshot(open.store, repo, { id: first.id });
    expect(deleted.keptForOthers).toBe(2);
    expect(deleted.deletedObjects).toBe(1);
    expect((await listSnapshots(open.store, repo, table.location)).map((e) => e.id)).toEqual([second.id]);

    const secondManifest = await requireCompleteSnapshot(open.store, repo, { id: second.id });
    const target = resolveTable(env.config, 'incremental_restored');
    const restored = await restoreSnapshot(open.store, repo, secondManifest, target, snapshotRestorer, { force: false, concurrency: 4, level: 'full' });
    expect(restored.validation.differences).toEqual([]);
    expect(restored.validation.fileErrors).toEqual([]);
    expect(restored.ok).toBe(true);
    const vsTable = await compareFileSets(open.store, tableFileSet(table, manifest), tableFileSet(target, (await readTableManifest(open.store, target.location))!), { level: 'full' });
    expect(vsTable.differences).toEqual([]);
    expect(vsTable.ok).toBe(true);

    // Deleting the last backup frees the files the first one kept for it.
    const last = await deleteSnapshot(open.store, repo, { id: second.id });
    expect(last.collected).toBe(2);
    expect(await keysUnder(open.store, repo.root.bucket, `${seriesName(table.location)}/`)).toEqual([]);
  });

  it('prune keeps what the policy keeps, deletes the rest, and cleans up stale incomplete backups', async () => {
    const table = await makeTable(open.store, env.config, 'pruned', 5_000, 5_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 2 })).id);
    await expect(createSnapshot(new CopyHookStore(open.store, { failAfter: 0 }), { ...repo, incremental: false }, table, openTableSource, { concurrency: 1, maxAttempts: 1 })).rejects.toThrow(/simulated crash/);

    const dry = await pruneSnapshots(open.store, repo, table, { policy: { last: 1 }, dryRun: true, graceMs: 3_600_000 });
    expect(dry.decisions.filter((d) => d.action === 'remove').map((d) => d.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(dry.decisions.find((d) => d.state === 'incomplete')!.action).toBe('keep');
    expect(await listSnapshots(open.store, repo, table.location)).toHaveLength(4);

    const future = new Date(Date.now() + 2 * 3_600_000);
    const done = await pruneSnapshots(open.store, repo, table, { policy: { last: 1 }, dryRun: false, graceMs: 3_600_000, now: future });
    expect(done.decisions.find((d) => d.id === ids[2])!.reasons).toEqual(['last snapshot']);
    expect(done.removed).toBe(3);
    const left = await listSnapshots(open.store, repo, table.location);
    expect(left.map((e) => e.id)).toEqual([ids[2]]);
    // Backups share files (incremental): the kept one must still be whole.
    const keptManifest = await requireCompleteSnapshot(open.store, repo, { id: ids[2]! });
    expect((await compareFileSets(open.store, tableFileSet(table, (await readTableManifest(open.store, table.location))!), snapshotFileSet(repo, keptManifest), { level: 'quick' })).ok).toBe(true);
    await expect(pruneSnapshots(open.store, repo, table, { policy: {}, dryRun: false, graceMs: 0 })).rejects.toThrow(/no retention rule/);
  });

  it('prune and hand-edited manifests: an unreadable createdAt falls back to the id\'s time; malformed tags delete nothing', async () => {
    const table = await makeTable(open.store, env.config, 'edited', 1_000, 1_000);
    const older = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 2 });
    const newer = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 2 });
    const at = repo.snapshotLocation(seriesName(table.location), older.id);
    const manifest = await requireCompleteSnapshot(open.store, repo, { id: older.id });
    await writeJson(open.store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, { ...manifest, createdAt: 'last tuesday' });
    const dry = await pruneSnapshots(open.store, repo, table, { policy: { last: 1 }, dryRun: true, graceMs: 0 });
    expect(dry.decisions.map((d) => [d.id, d.action])).toEqual([[newer.id, 'keep'], [older.id, 'remove']]);

    await writeJson(open.store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, { ...manifest, tags: 'legal' });
    const before = await keysUnder(open.store, at.bucket, repo.seriesLocation(seriesName(table.location)).prefix);
    await expect(pruneSnapshots(open.store, repo, table, { policy: { last: 1 }, dryRun: false, graceMs: 0 })).rejects.toThrow(/snapshot\.json is invalid: tags/);
    expect(await keysUnder(open.store, at.bucket, repo.seriesLocation(seriesName(table.location)).prefix)).toEqual(before);
  });

  it('asking for a lock where the bucket has no object lock is a clear error, and nothing is copied', async () => {
    const table = await makeTable(open.store, env.config, 'nolock', 5_000, 5_000);
    await expect(createSnapshot(open.store, repo, table, openTableSource, { concurrency: 2, lock: { days: 1, mode: 'governance' } })).rejects.toBeInstanceOf(UnsupportedError);
    await expect(createSnapshot(open.store, repo, table, openTableSource, { concurrency: 2, lock: { days: 1, mode: 'governance' } })).rejects.toThrow(/object lock/);
    expect(await keysUnder(open.store, repo.root.bucket, `${seriesName(table.location)}/`)).toEqual([]);
  });

  itWith('object-lock')('an object-locked backup cannot be deleted before its retention date; delete says why', async () => {
    const lockedBucket = uniqueBucket('locked-bak');
    const lockedRepo = backupRepository({ backups: { bucket: lockedBucket, prefix: '' } });
    const table = await makeTable(open.store, env.config, 'locked', 10_000, 5_000);
    try {
      const backup = await createSnapshot(open.store, lockedRepo, table, openTableSource, { concurrency: 2, lock: { days: 1, mode: 'governance' } });
      expect(backup.lock?.mode).toBe('GOVERNANCE');
      const at = lockedRepo.snapshotLocation(seriesName(table.location), backup.id);
      const head = await open.store.head(at.bucket, `${at.prefix}_lakevault/snapshot.json`);
      expect(head?.objectLockRetainUntil?.getTime()).toBeGreaterThan(Date.now());
      await expect(deleteSnapshot(open.store, lockedRepo, { id: backup.id })).rejects.toThrow(/locked until .*GOVERNANCE/);
      const [entry] = await listSnapshots(open.store, lockedRepo, table.location);
      expect(summarize(lockedRepo, entry!)).toMatchObject({ state: 'complete', lockMode: 'GOVERNANCE' });
      // Still whole and restorable.
      const manifest = await requireCompleteSnapshot(open.store, lockedRepo, { id: backup.id });
      expect((await compareFileSets(open.store, tableFileSet(table, (await readTableManifest(open.store, table.location))!), snapshotFileSet(lockedRepo, manifest), { level: 'quick' })).ok).toBe(true);
      // The operator's override removes every version.
      const bypassed = await deleteSnapshot(open.store, lockedRepo, { id: backup.id }, { bypassGovernance: true });
      expect(bypassed.deletedObjects).toBeGreaterThanOrEqual(2);
    } finally {
      await removeBucket(open, lockedBucket);
    }
  });
});
