import { createHash, randomBytes } from 'node:crypto';
import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import type { OpenStore } from '../../src/store/open';
import { ConflictError } from '../../src/errors';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/**
 * The direct ranged-GET path (src/store/direct-read.ts): reads go out without the SDK's
 * client.send and return exactly the bytes asked for; anything else (a stale ETag pin, a
 * fault, a body cut short) is read again through the SDK — so errors and faults behave as
 * they always did.
 */
describe(`direct ranged GET path on ${TARGET}`, () => {
  const bucket = uniqueBucket('directread');
  const body = randomBytes(200_000);
  const KEYS = ['plain.bin', 'with space/and+plus.bin', 'ünïcødé/ключ.bin', "paren(1)!'*.bin", 'pct%20x?q=1&b.bin'];
  let open: OpenStore;
  const proxies: FaultProxy[] = [];
  const stores: OpenStore[] = [];

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    for (const key of KEYS) await open.store.put(bucket, key, body);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const proxy of proxies) await proxy.close();
    await removeBucket(open, bucket);
    await open.close();
  });

  it('reads ranges of special-character keys without client.send, byte-exact, as plain Uint8Arrays', async () => {
    const send = jest.spyOn(open.store.client, 'send');
    const before = { ...open.store.stats };
    // (Not bytes=0-0: s3rver, the embedded server, answers it with the whole object.)
    const ranges: [number, number][] = [[0, 2], [0, body.length], [body.length - 65_536, body.length], [12_345, 54_321]];
    try {
      for (const key of KEYS) {
        for (const [start, end] of ranges) {
          const bytes = await open.store.getRange(bucket, key, start, end, { etag: md5(body) });
          expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
          expect(Buffer.compare(Buffer.from(bytes), body.subarray(start, end))).toBe(0);
        }
      }
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
    expect(open.store.stats.requests - before.requests).toBe(KEYS.length * ranges.length);
    expect(open.store.stats.retries - before.retries).toBe(0);
  });

  it('a read pinned to a stale ETag falls back to the SDK and fails as a conflict (the answer\'s ETag is checked where the server ignores If-Match)', async () => {
    const stale = open.store.getRange(bucket, 'plain.bin', 0, 100, { etag: '0123456789abcdef0123456789abcdef' });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
  });

  it('LAKEVAULT_DIRECT_READ=off reads through the SDK', async () => {
    const saved = process.env.LAKEVAULT_DIRECT_READ;
    process.env.LAKEVAULT_DIRECT_READ = 'off';
    let off: OpenStore;
    try {
      off = await openTestStore();
      stores.push(off);
    } finally {
      if (saved === undefined) delete process.env.LAKEVAULT_DIRECT_READ;
      else process.env.LAKEVAULT_DIRECT_READ = saved;
    }
    const send = jest.spyOn(off.store.client, 'send');
    try {
      const bytes = await off.store.getRange(bucket, 'plain.bin', 10, 20);
      expect(Buffer.compare(Buffer.from(bytes), body.subarray(10, 20))).toBe(0);
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
  });

  // The fault proxy relays plain HTTP: it needs the real server's http:// origin.
  const overPlainHttp = process.env.S3_ENDPOINT?.startsWith('http:') ? it : it.skip;
  overPlainHttp('through 503s, 500s, resets and bodies cut short every read returns the exact bytes, the failed attempts counted as retries', async () => {
    const upstream = process.env.S3_ENDPOINT!;
    const proxy = await startFaultProxy({ upstream, seed: 11, rates: { slowdown: 0.1, internal: 0.1, reset: 0.1, truncate: 0.15 }, eligible: (r) => r.method === 'GET' });
    proxies.push(proxy);
    const faulty = await openTestStore({ S3_ENDPOINT: proxy.endpoint });
    stores.push(faulty);
    for (let i = 0; i < 40; i++) {
      const start = (i * 4_999) % (body.length - 30_000);
      const bytes = await faulty.store.getRange(bucket, KEYS[i % KEYS.length]!, start, start + 30_000, { etag: md5(body) });
      expect(Buffer.compare(Buffer.from(bytes), body.subarray(start, start + 30_000))).toBe(0);
    }
    expect(proxy.totalInjected()).toBeGreaterThan(0);
    expect(faulty.store.stats.retries).toBeGreaterThan(0);
  }, 120_000);
});
