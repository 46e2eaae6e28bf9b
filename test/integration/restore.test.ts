import { ConflictError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { readTableManifest, TABLE_MANIFEST } from '../../src/table/manifest';
import { createSalesTable } from '../../src/table/create';
import { requireCompleteSnapshot } from '../../src/snapshot/catalog';
import { createSnapshot } from '../../src/snapshot/create';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { backupRepository } from '../../src/snapshot/repository';
import { compareFileSets, validateFileSet } from '../../src/validate';
import { restoreSnapshot } from '../../src/restore/restore';
import { resolveTable } from '../../src/table/table-ref';
import { openTestStore, TARGET } from '../support/target';
import { CopyHookStore, makeTable, testBuckets } from './backup-support';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

async function objectsUnder(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const object of store.list(bucket, prefix)) out.push(`${object.key} ${object.size} ${object.etag}`);
  return out.sort();
}

jest.setTimeout(300_000); // shared 2-core machine: table writes and full validations take a while under load

describe(`restore on ${TARGET}`, () => {
  const env = testBuckets('restore');
  const repo = backupRepository(env.config);
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('into a new table; a non-empty target is refused without --force and left untouched', async () => {
    const table = await makeTable(open.store, env.config, 'source', 20_000, 5_000);
    const backup = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    const manifest = await requireCompleteSnapshot(open.store, repo, { id: backup.id });

    const existing = await makeTable(open.store, env.config, 'occupied', 5_000, 5_000, 9);
    const before = await objectsUnder(open.store, existing.location.bucket, existing.location.prefix);
    await expect(restoreSnapshot(open.store, repo, manifest, existing, snapshotRestorer, { force: false, concurrency: 4 })).rejects.toBeInstanceOf(ConflictError);
    expect(await objectsUnder(open.store, existing.location.bucket, existing.location.prefix)).toEqual(before);

    const foreign = resolveTable(env.config, 'foreign');
    await open.store.put(foreign.location.bucket, foreign.location.prefix + 'notes.txt', 'not a table');
    await expect(restoreSnapshot(open.store, repo, manifest, foreign, snapshotRestorer, { force: false, concurrency: 4 })).rejects.toThrow(/not empty .*--force/);

    const fresh = resolveTable(env.config, 'fresh');
    const restored = await restoreSnapshot(open.store, repo, manifest, fresh, snapshotRestorer, { force: false, concurrency: 4 });
    expect(restored).toMatchObject({ ok: true, mode: 'new', inPlace: false, rows: 20_000, objects: 4 });
    expect(restored.validation.level).toBe('quick');
    const freshManifest = (await readTableManifest(open.store, fresh.location))!;
    expect(freshManifest.files.map((f) => f.key).sort()).toEqual(manifest.files.map((f) => f.relativeKey).sort());
    // A backup of another table replaces this one only when asked to, explicitly: its old
    // files are gone then, only the restored ones remain.
    await expect(restoreSnapshot(open.store, repo, manifest, existing, snapshotRestorer, { force: true, concurrency: 4 })).rejects.toThrow(/taken of .*\/source\/, not of .*\/occupied\/.*--allow-other-source/);
    expect(await objectsUnder(open.store, existing.location.bucket, existing.location.prefix)).toEqual(before);
    const replaced = await restoreSnapshot(open.store, repo, manifest, existing, snapshotRestorer, { force: true, allowOtherSource: true, concurrency: 4 });
    expect(replaced).toMatchObject({ ok: true, mode: 'replace', removedObjects: 1 });
    const keys = (await objectsUnder(open.store, existing.location.bucket, existing.location.prefix)).map((line) => line.split(' ')[0]!.slice(existing.location.prefix.length));
    const now = (await readTableManifest(open.store, existing.location))!;
    expect(keys.sort()).toEqual([TABLE_MANIFEST, ...now.files.map((f) => f.key)].sort());
  });

  it('in place: the table returns to the backup; only the replaced manifest\'s files are removed', async () => {
    const table = await makeTable(open.store, env.config, 'inplace', 20_000, 5_000, 1);
    const backup = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    await createSalesTable(open.store, table, { rows: 12_000, seed: 2, rowsPerFile: 4_000, rowGroupRows: 4096, overwrite: true });
    // An object the table does not list: a restore must not delete what it does not know.
    await open.store.put(table.location.bucket, table.location.prefix + 'README.txt', 'keep me');
    const changed = (await readTableManifest(open.store, table.location))!;

    const manifest = await requireCompleteSnapshot(open.store, repo, { id: backup.id });
    const restored = await restoreSnapshot(open.store, repo, manifest, table, snapshotRestorer, { force: true, concurrency: 4, level: 'full' });
    expect(restored).toMatchObject({ ok: true, mode: 'replace', inPlace: true, rows: 20_000, replacedGeneration: changed.generation, removedObjects: 3 });
    const after = (await readTableManifest(open.store, table.location))!;
    expect(after.contentDigest).toBe(manifest.contentDigest);
    const report = await compareFileSets(open.store, snapshotFileSet(repo, manifest), tableFileSet(table, after), { level: 'full' });
    // Keys differ (new generation names): the content, rows and schema are the same.
    expect(report.subjects.map((s) => s.contentDigest)).toEqual([report.subjects[0]!.contentDigest, report.subjects[0]!.contentDigest]);
    const keys = (await objectsUnder(open.store, table.location.bucket, table.location.prefix)).map((line) => line.split(' ')[0]!.slice(table.location.prefix.length));
    expect(keys.sort()).toEqual([TABLE_MANIFEST, 'README.txt', ...after.files.map((f) => f.key)].sort());
  });

  it('an in-place restore failing after k copies leaves the table exactly as before', async () => {
    const table = await makeTable(open.store, env.config, 'crashy', 20_000, 4_000, 3);
    const backup = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    await createSalesTable(open.store, table, { rows: 15_000, seed: 4, rowsPerFile: 3_000, rowGroupRows: 4096, overwrite: true });
    const before = await objectsUnder(open.store, table.location.bucket, table.location.prefix);
    const current = (await readTableManifest(open.store, table.location))!;

    const manifest = await requireCompleteSnapshot(open.store, repo, { id: backup.id });
    const crashing = new CopyHookStore(open.store, { failAfter: 3 });
    await expect(restoreSnapshot(crashing, repo, manifest, table, snapshotRestorer, { force: true, concurrency: 1 })).rejects.toThrow(/simulated crash/);
    expect(crashing.copies).toBe(3);

    expect(await objectsUnder(open.store, table.location.bucket, table.location.prefix)).toEqual(before);
    const still = (await readTableManifest(open.store, table.location))!;
    expect(still.generation).toBe(current.generation);
    const report = await validateFileSet(open.store, tableFileSet(table, still), { level: 'full' });
    expect(report.ok).toBe(true);
    expect(report.totals.rows).toBe(15_000);
  });
});
