import { restoreSnapshot } from '../../src/restore/restore';
import { createSnapshot } from '../../src/snapshot/create';
import { readSnapshotManifest, folderOf, type SnapshotManifest } from '../../src/snapshot/manifest';
import { backupRepository } from '../../src/snapshot/repository';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';
import type { RestorerOf, SnapshotRestorer } from '../../src/sources/table-source';
import { createSalesTable } from '../../src/table/create';
import { resolveTable } from '../../src/table/table-ref';
import { MemoryStore } from '../support/memory-store';

/**
 * The restore engine (restore/restore.ts) with a kind of its own: the engine copies what a
 * plan copies, writes what it rewrites (a kind such as Iceberg rewrites metadata for the
 * new location), checks both, switches and validates — and undoes what it wrote when the
 * plan fails before its switch. No server: an ObjectStore in memory.
 */
describe('restore engine: a plan that rewrites a file instead of copying it', () => {
  const config = { warehouse: { bucket: 'lake', prefix: 'wh/' }, backups: { bucket: 'backups', prefix: '' } };
  const table = resolveTable(config, 'sales');

  async function backedUp(): Promise<{ store: MemoryStore; manifest: SnapshotManifest }> {
    const store = new MemoryStore();
    await store.ensureBucket('lake');
    await createSalesTable(store, table, { rows: 3_000, seed: 7, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false });
    const repo = backupRepository(config);
    const created = await createSnapshot(store, repo, table, openTableSource, { concurrency: 2 });
    const series = created.uri.slice('s3://backups/'.length).split('/')[0]!;
    return { store, manifest: (await readSnapshotManifest(store, repo, series, created.id))! };
  }

  /** Copies every file but the first, which it writes with the bytes it reads from the snapshot. */
  function rewriting(options: { failAtSwitch?: boolean } = {}): RestorerOf {
    const restorer: SnapshotRestorer = {
      async plan(store, repo, snapshot, target) {
        const [first, ...rest] = snapshot.files;
        const planned = await snapshotRestorer(snapshot).plan(store, repo, snapshot, target, { force: false });
        return {
          ...planned,
          copies: rest.map((file) => ({ file, key: file.relativeKey })),
          writes: [{ file: first!, key: first!.relativeKey, bytes: await store.getBytes(first!.bucket, first!.key) }],
          ...(options.failAtSwitch ? { checkUnchanged: async () => { throw new Error('changed under the restore'); } } : {}),
        };
      },
    };
    return () => restorer;
  }

  it('writes the rewritten file, copies the rest, and validates the table against the snapshot', async () => {
    const { store, manifest } = await backedUp();
    const target = resolveTable(config, 'rewritten');
    const copiesBefore = store.requests.copy ?? 0;
    const putsBefore = store.requests.put ?? 0;
    const result = await restoreSnapshot(store, backupRepository(config), manifest, target, rewriting(), { force: false, concurrency: 2, level: 'full' });
    expect(result.ok).toBe(true);
    expect(result.validation.differences).toEqual([]);
    expect(result.objects).toBe(manifest.files.length);
    expect((store.requests.copy ?? 0) - copiesBefore).toBe(manifest.files.length - 1);
    // The rewritten file and the table manifest are written, nothing else.
    expect((store.requests.put ?? 0) - putsBefore).toBe(2);
    expect(folderOf(manifest)).toMatch(/^sales-/);
  });

  it('removes what it copied and wrote when the plan fails before its switch', async () => {
    const { store, manifest } = await backedUp();
    const target = resolveTable(config, 'undone');
    await expect(restoreSnapshot(store, backupRepository(config), manifest, target, rewriting({ failAtSwitch: true }), { force: false, concurrency: 2 }))
      .rejects.toThrow('changed under the restore');
    const left: string[] = [];
    for await (const object of store.list('lake', target.location.prefix)) left.push(object.key);
    expect(left).toEqual([]);
  });
});
