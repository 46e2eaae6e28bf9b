import { createHash } from 'node:crypto';
import { itWith, openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import type { OpenStore } from '../../src/store/open';
import { copyPrefix } from '../../src/store/prefix-copy';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * The direct CopyObject path (src/store/direct-copy.ts): copies go out without the SDK's
 * client.send, land byte-identical with the source's ETag, and anything other than a clean
 * success is sent again through the SDK — so errors, pins and faults behave as before.
 */
describe(`direct CopyObject path on ${TARGET}`, () => {
  const bucket = uniqueBucket('directcopy');
  const KEYS = ['plain', 'with space/and+plus', 'ünïcødé/ключ', "paren(1)!'*", 'pct%20x?q=1&b', 'a~b_c-d.e', 'deep/a/b/c/d'];
  let open: OpenStore;
  const proxies: FaultProxy[] = [];
  const stores: OpenStore[] = [];

  /** A store opened with the direct path switched off (read when the store is built). */
  async function openWithoutDirectCopy(): Promise<OpenStore> {
    const saved = process.env.LAKEVAULT_DIRECT_COPY;
    process.env.LAKEVAULT_DIRECT_COPY = 'off';
    try {
      const store = await openTestStore();
      stores.push(store);
      return store;
    } finally {
      if (saved === undefined) delete process.env.LAKEVAULT_DIRECT_COPY;
      else process.env.LAKEVAULT_DIRECT_COPY = saved;
    }
  }

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    for (const key of KEYS) await open.store.put(bucket, `src/${key}`, `body of ${key}`);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const proxy of proxies) await proxy.close();
    await removeBucket(open, bucket);
    await open.close();
  });

  it('copies special-character keys without client.send, byte-identical, ETags equal to the source', async () => {
    const send = jest.spyOn(open.store.client, 'send');
    const before = { ...open.store.stats };
    try {
      for (const key of KEYS) {
        const result = await open.store.copy(bucket, `src/${key}`, bucket, `dst/${key}`, { sourceSize: `body of ${key}`.length, sourceEtag: md5(`body of ${key}`) });
        expect(result).toEqual({ key: `dst/${key}`, size: `body of ${key}`.length, etag: md5(`body of ${key}`), multipart: false });
      }
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
    expect(open.store.stats.requests - before.requests).toBe(KEYS.length);
    expect(open.store.stats.retries - before.retries).toBe(0);
    for (const key of KEYS) {
      expect(Buffer.from(await open.store.getBytes(bucket, `dst/${key}`)).toString()).toBe(`body of ${key}`);
    }
  });

  itWith('copy-if-match')('a copy pinned to a stale ETag fails exactly as through the SDK, and writes nothing', async () => {
    const off = await openWithoutDirectCopy();
    const pinned = { sourceSize: 10, sourceEtag: '0123456789abcdef0123456789abcdef' };
    const viaSdk = await off.store.copy(bucket, 'src/plain', bucket, 'stale/sdk', pinned).then(() => undefined, (e: Error & { code?: string }) => e);
    const viaDirect = await open.store.copy(bucket, 'src/plain', bucket, 'stale/direct', pinned).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(viaSdk).toBeInstanceOf(Error);
    expect(viaDirect?.code).toBe(viaSdk!.code);
    expect(viaDirect?.constructor).toBe(viaSdk!.constructor);
    expect(await open.store.head(bucket, 'stale/direct')).toBeUndefined();
    expect(await open.store.head(bucket, 'stale/sdk')).toBeUndefined();
  });

  it('LAKEVAULT_DIRECT_COPY=off sends copies through the SDK', async () => {
    const off = await openWithoutDirectCopy();
    const send = jest.spyOn(off.store.client, 'send');
    try {
      await off.store.copy(bucket, 'src/plain', bucket, 'off/plain', { sourceSize: 'body of plain'.length });
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
  });

  // The fault proxy relays plain HTTP: it needs the real server's http:// origin.
  const overPlainHttp = process.env.S3_ENDPOINT?.startsWith('http:') ? it : it.skip;
  overPlainHttp('a prefix copy through 503s, 500s and connection resets completes, verified, with the failed attempts counted as retries', async () => {
    const upstream = process.env.S3_ENDPOINT!;
    for (let i = 0; i < 60; i++) await open.store.put(bucket, `faults/src/${String(i).padStart(3, '0')}`, `object ${i}`);
    const proxy = await startFaultProxy({ upstream, seed: 7, rates: { slowdown: 0.1, internal: 0.1, reset: 0.1 }, eligible: (r) => r.method === 'PUT' });
    proxies.push(proxy);
    const faulty = await openTestStore({ S3_ENDPOINT: proxy.endpoint });
    stores.push(faulty);
    const result = await copyPrefix(faulty.store, { bucket, prefix: 'faults/src/' }, { bucket, prefix: 'faults/dst/' }, { concurrency: 8 });
    expect(result.objects).toHaveLength(60);
    expect(proxy.totalInjected()).toBeGreaterThan(0);
    expect(faulty.store.stats.retries).toBeGreaterThan(0);
    for (const copied of result.objects) expect(copied.etag).toBe(copied.sourceEtag);
    const listed: string[] = [];
    for await (const object of open.store.list(bucket, 'faults/dst/')) {
      listed.push(object.key);
      expect(object.etag).toBe(md5(`object ${Number(object.key.slice(-3))}`));
    }
    expect(listed).toHaveLength(60);
  }, 120_000);
});
