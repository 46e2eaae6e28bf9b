import type { OpenStore } from '../../src/store/open';
import { readTableManifest } from '../../src/table/manifest';
import { requireCompleteSnapshot } from '../../src/snapshot/catalog';
import { createSnapshot } from '../../src/snapshot/create';
import { confirmRecorded, objectId, type RecordedObject } from '../../src/snapshot/reuse-check';
import { restoreSnapshot } from '../../src/restore/restore';
import { resolveTable } from '../../src/table/table-ref';
import { backupRepository } from '../../src/snapshot/repository';
import { openTestStore, TARGET } from '../support/target';
import { giveSpecialKeys, makeTable, testBuckets } from './backup-support';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

jest.setTimeout(300_000);

/**
 * An incremental backup of a table whose files an earlier backup already holds. Each reused
 * file must still be proven to be there with the recorded size and ETag, but by listing the
 * earlier backup's keys (1,000 a page), not by a request per file: a table of many small
 * files paid a HEAD per file, and its incremental backup took longer than a full one.
 */
describe(`incremental backup requests on ${TARGET}`, () => {
  const env = testBuckets('increq');
  const repo = backupRepository(env.config);
  let open: OpenStore;
  /** Requests sent through the SDK, by command, while `counting` is on. */
  let sent = new Map<string, number>();
  let counting = false;

  beforeAll(async () => {
    open = await openTestStore();
    open.store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (counting) sent.set(context.commandName!, (sent.get(context.commandName!) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'testRequestCounter' },
    );
  });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; requests: Map<string, number>; total: number }> {
    sent = new Map();
    counting = true;
    try {
      const result = await work();
      return { result, requests: sent, total: [...sent.values()].reduce((a, b) => a + b, 0) };
    } finally {
      counting = false;
    }
  }

  /** A full backup, then an incremental one that reuses every file: the latter's requests. */
  async function reuseAll(name: string, files: number) {
    const table = await makeTable(open.store, env.config, name, files * 50, 50);
    const first = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 8 });
    expect(first.copied.objects).toBe(files);
    const second = await counted(() => createSnapshot(open.store, repo, table, openTableSource, { concurrency: 8 }));
    expect(second.result.reused.objects).toBe(files);
    expect(second.result.copied.objects).toBe(0);
    return { table, first, second };
  }

  it('proves reused files by listing, not by a request per file', async () => {
    const small = await reuseAll('few', 5);
    const large = await reuseAll('many', 40);
    // Both tables' files fit in one listing page: eight times the files, the same requests.
    expect(Object.fromEntries(large.second.requests)).toEqual(Object.fromEntries(small.second.requests));
    expect(large.second.requests.get('ListObjectsV2Command')).toBeGreaterThanOrEqual(1);
    expect(large.second.requests.get('HeadObjectCommand') ?? 0).toBeLessThan(10);
    expect(large.second.total).toBeLessThan(30);
  });

  it('still copies a reused file that was deleted or rewritten since the earlier backup', async () => {
    const { table, first } = await reuseAll('damaged', 6);
    const manifest = await requireCompleteSnapshot(open.store, repo, { id: first.id });
    const [gone, rewritten, resized] = manifest.files;
    await open.store.deleteKeys(gone!.bucket, [gone!.key]);
    // Same size, other bytes: only the ETag tells.
    const bytes = await open.store.getBytes(rewritten!.bucket, rewritten!.key);
    bytes[bytes.length >> 1] ^= 0xff;
    await open.store.put(rewritten!.bucket, rewritten!.key, bytes);
    await open.store.put(resized!.bucket, resized!.key, 'not parquet');

    const third = await counted(() => createSnapshot(open.store, repo, table, openTableSource, { concurrency: 8 }));
    expect(third.result.copied.objects).toBe(3);
    expect(third.result.reused.objects).toBe(3);
    const taken = await requireCompleteSnapshot(open.store, repo, { id: third.result.id });
    const copiedAgain = taken.files.filter((file) => !file.reusedFrom).map((file) => file.relativeKey).sort();
    expect(copiedAgain).toEqual([gone!, rewritten!, resized!].map((file) => file.relativeKey).sort());
    const restored = await restoreSnapshot(open.store, repo, taken, resolveTable(env.config, 'damaged_restored'), snapshotRestorer, { force: false, concurrency: 4, level: 'full' });
    expect(restored.validation.differences).toEqual([]);
    expect(restored.ok).toBe(true);
    expect((await readTableManifest(open.store, table.location))!.files).toHaveLength(6);
  });

  it('reuses files whose keys need care in a request (spaces, +, %, ?, unicode) as found by the listing', async () => {
    const table = await makeTable(open.store, env.config, 'special', 30_000, 12_000);
    await giveSpecialKeys(open.store, table);
    const first = await createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 });
    expect(first.copied.objects).toBe(3);
    const second = await counted(() => createSnapshot(open.store, repo, table, openTableSource, { concurrency: 4 }));
    expect(second.result.reused.objects).toBe(3);
    expect(second.result.copied.objects).toBe(0);
  });

  it('asks by HEAD for a few files of a folder whose listing would take more requests', async () => {
    const bucket = env.backups;
    const keys = ['big/a.parquet', 'big/b.parquet'];
    const objects: RecordedObject[] = [];
    for (const key of keys) {
      const { size, etag } = await open.store.put(bucket, key, `bytes of ${key}`);
      objects.push({ bucket, key, size, etag });
    }
    // 2,500 keys recorded in that folder: three pages to list, two HEADs to ask.
    const recorded = Array.from({ length: 2500 }, (_, i) => ({ bucket, key: `big/f${i}.parquet` }));
    const wrong = { ...objects[1]!, etag: '0'.repeat(32) };
    const found = await counted(() => confirmRecorded(open.store, [objects[0]!, wrong], recorded, 4));
    expect([...found.result]).toEqual([objectId(objects[0]!)]);
    expect(Object.fromEntries(found.requests)).toEqual({ HeadObjectCommand: 2 });

    const listed = await counted(() => confirmRecorded(open.store, [objects[0]!, wrong], recorded.slice(0, 10), 4));
    expect([...listed.result]).toEqual([objectId(objects[0]!)]);
    expect(Object.fromEntries(listed.requests)).toEqual({ ListObjectsV2Command: 1 });
  });
});
