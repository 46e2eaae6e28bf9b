import { hostname } from 'node:os';
import { ConflictError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import { acquireLock, LOCKS_FOLDER, type LockTiming } from '../../src/snapshot/locks';
import { snapshotRepository } from '../../src/snapshot/repository';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';

/**
 * Repository locks on a real server: write-then-check, shared vs exclusive, per series and
 * for the whole repository, stale locks (by age on the server's clock, or a dead process of
 * this host), and a holder that lost its lock.
 */
describe(`repository locks on ${TARGET}`, () => {
  const bucket = uniqueBucket('locks');
  const repo = snapshotRepository('backup', { bucket, prefix: 'repo/' }, true);
  const fast: LockTiming = { staleMs: 30 * 60_000, refreshMs: 60_000, attempts: 1 };
  let open: OpenStore;

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
  });
  afterAll(async () => {
    await removeBucket(open, bucket);
    await open.close();
  });

  async function locksLeft(): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of open.store.list(bucket, repo.root.prefix + LOCKS_FOLDER)) keys.push(o.key);
    return keys;
  }

  const request = (mode: 'shared' | 'exclusive', scope: string) => ({ mode, scope, operation: `test ${mode} ${scope}` });

  it('shared locks share; exclusive excludes its series (and "*" the whole repository); other series are free', async () => {
    const a = await acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast);
    const b = await acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast);
    const refused = await acquireLock(open.store, repo, request('exclusive', 'vendas-111111111111'), fast).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(new RegExp(`locked by \`test shared vendas-111111111111\` \\(shared, host ${hostname()}, pid ${process.pid}`));
    await expect(acquireLock(open.store, repo, request('exclusive', '*'), fast)).rejects.toBeInstanceOf(ConflictError);
    const other = await acquireLock(open.store, repo, request('exclusive', 'clientes-222222222222'), fast);
    await Promise.all([a.release(), b.release(), other.release()]);
    const whole = await acquireLock(open.store, repo, request('exclusive', '*'), fast);
    await expect(acquireLock(open.store, repo, request('shared', 'anything-333333333333'), fast)).rejects.toThrow(/locked by `test exclusive \*`/);
    await whole.release();
    expect(await locksLeft()).toEqual([]);
  });

  it('a lock of a process of this host that is gone is stale at once; another host\'s only once it ages', async () => {
    const key = (name: string) => `${repo.root.prefix}${LOCKS_FOLDER}${name}.json`;
    const lock = (host: string, pid: number) => JSON.stringify({
      format: 'lakevault.lock', formatVersion: 1, mode: 'exclusive', scope: '*', operation: 'backup delete x', host, pid, createdAt: new Date().toISOString(), toolVersion: '0.1.0',
    });
    // pid 2^22 + 1 is above Linux's pid_max: no such process.
    await open.store.put(bucket, key('killed'), lock(hostname(), 4_194_305));
    const taken = await acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast);
    await taken.release();
    expect(await locksLeft()).toEqual([]); // the dead process's lock was removed

    await open.store.put(bucket, key('elsewhere'), lock('another-host', 1));
    await expect(acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast)).rejects.toThrow(/host another-host, pid 1/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // Seconds later by the server's clock, a lock not refreshed for a second is stale.
    const later = await acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), { ...fast, staleMs: 1_000 });
    await later.release();
    expect(await locksLeft()).toEqual([]);

    await open.store.put(bucket, key('garbled'), 'not a lock');
    await expect(acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast)).rejects.toThrow(/cannot be read/);
    await open.store.deleteKeys(bucket, [key('garbled')]);
  });

  it('a holder whose lock was removed (taken for stale) stops at its commit point', async () => {
    const held = await acquireLock(open.store, repo, request('shared', 'vendas-111111111111'), fast);
    await held.check();
    await open.store.deleteKeys(bucket, await locksLeft());
    await expect(held.check()).rejects.toThrow(/is gone .*stopped before changing anything more/);
    await held.release();
  });
});
