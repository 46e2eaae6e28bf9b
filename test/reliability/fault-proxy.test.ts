import { randomBytes } from 'node:crypto';
import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import { startFaultProxy, mixedFaults, type FaultKind, type FaultProxy } from '../support/fault-proxy';
import type { OpenStore } from '../../src/store/open';

/**
 * The fault proxy itself: it forwards byte-exact when told to inject nothing, each fault
 * kind reaches the SDK as the failure it imitates, decisions repeat with the seed, and
 * the SDK's retries (counted by store.stats) ride through a 30% fault rate.
 */
describe(`fault proxy in front of ${TARGET}`, () => {
  const upstream = process.env.S3_ENDPOINT!;
  const bucket = uniqueBucket('faultproxy');
  let direct: OpenStore;
  const proxies: FaultProxy[] = [];
  const stores: OpenStore[] = [];

  async function through(rates: Partial<Record<FaultKind, number>>, env: Record<string, string> = {}, seed = 1) {
    const proxy = await startFaultProxy({ upstream, seed, rates });
    proxies.push(proxy);
    const open = await openTestStore({ S3_ENDPOINT: proxy.endpoint, ...env });
    stores.push(open);
    return { proxy, open };
  }

  beforeAll(async () => {
    direct = await openTestStore();
    await direct.store.ensureBucket(bucket);
    await direct.store.put(bucket, 'fixed/object.bin', randomBytes(64 * 1024));
  });
  afterAll(async () => {
    for (const open of stores) await open.close();
    for (const proxy of proxies) await proxy.close();
    await removeBucket(direct, bucket);
    await direct.close();
  });

  it('forwards every request intact at rate 0 (signatures, bodies, listings)', async () => {
    const { proxy, open } = await through({});
    const body = randomBytes(300 * 1024);
    await open.store.put(bucket, 'clean/a.bin', body);
    expect(Buffer.from(await open.store.getBytes(bucket, 'clean/a.bin')).equals(body)).toBe(true);
    const listed = [];
    for await (const object of open.store.list(bucket, 'clean/')) listed.push(object.key);
    expect(listed).toEqual(['clean/a.bin']);
    expect(proxy.totalInjected()).toBe(0);
    expect(proxy.stats.forwarded).toBe(proxy.stats.requests);
    expect(proxy.stats.byOperation.ListObjectsV2?.requests).toBe(1);
    expect(open.store.stats.retries).toBe(0);
  });

  // With retries off, each kind surfaces as the failure it imitates.
  const cases: [FaultKind, RegExp, string][] = [
    ['slowdown', /SlowDown/, 'STORE'],
    ['internal', /InternalError/, 'STORE'],
    // Under jest, Node's socket errors come from another realm and the SDK re-wraps them
    // without their code (the CLI tests see "cannot reach … (ECONNRESET)"): either is a reset.
    ['reset', /ECONNRESET|socket hang up/, 'UNREACHABLE|STORE'],
    ['stall', /cannot reach .*timed out/, 'UNREACHABLE'],
  ];
  it.each(cases)('%s reaches the SDK as that failure', async (kind, message, code) => {
    const { proxy, open } = await through({ [kind]: 1 }, { LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_REQUEST_TIMEOUT_MS: '700' });
    const error = await open.store.getBytes(bucket, 'fixed/object.bin').then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(error).toBeDefined();
    expect(error!.message).toMatch(message);
    expect(error!.code).toMatch(new RegExp(`^(${code})$`));
    expect(proxy.stats.injected[kind]).toBe(1);
  });

  it('an error answer without a body (HEAD) is reported with its HTTP status, not "Unknown: UnknownError"', async () => {
    const { open } = await through({ internal: 1 }, { LAKEVAULT_MAX_ATTEMPTS: '1' });
    await expect(open.store.head(bucket, 'fixed/object.bin')).rejects.toMatchObject({ code: 'STORE', message: expect.stringMatching(/^head s3:\/\/.*failed: HTTP 500 with no error details from http:\/\/127\.0\.0\.1:\d+$/) });
  });

  it('truncate relays half the body with the full length: the read fails, never returns short bytes', async () => {
    const { proxy, open } = await through({ truncate: 1 }, { LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_REQUEST_TIMEOUT_MS: '2000' });
    // getRange checks the length it asked for; a cut body must fail or be re-read whole.
    const result = await open.store.getRange(bucket, 'fixed/object.bin', 0, 64 * 1024).then((bytes) => bytes.length, (e: Error) => e.message);
    expect(proxy.stats.injected.truncate).toBeGreaterThanOrEqual(1);
    if (typeof result === 'number') expect(result).toBe(64 * 1024);
    else expect(result).toMatch(/read bytes 0-65535|aborted|premature|ECONNRESET|short read/i);
  });

  it('makes the same decisions for the same seed and request sequence', async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const { proxy, open } = await through(mixedFaults(0.3), { LAKEVAULT_REQUEST_TIMEOUT_MS: '1000' }, 4242);
      // Six faults in a row exhaust the SDK's attempts now and then: that is an outcome too.
      for (let i = 0; i < 40; i++) await open.store.head(bucket, 'fixed/object.bin').catch(() => undefined);
      runs.push(proxy.stats.events.map((e) => `${e.index}:${e.kind}`));
    }
    expect(runs[0]!.length).toBeGreaterThan(3);
    expect(runs[1]).toEqual(runs[0]);
  });

  it('a long run at a high fault rate: no request gives up before its last attempt (the retry quota is per request)', async () => {
    // 40% of answers are 500s: with one retry quota for the whole client (the SDK's default)
    // it ran dry after ~160 requests and later faults failed at their first attempt.
    const { proxy, open } = await through({ internal: 0.4 }, {}, 7);
    const givenUpAt: number[] = [];
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(Array.from({ length: 8 }, () => open.store.head(bucket, 'fixed/object.bin').catch((error: Error) => {
        givenUpAt.push((error.cause as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 0);
      })));
    }
    expect(proxy.stats.injected.internal).toBeGreaterThan(150);
    expect(givenUpAt.filter((attempts) => attempts < 6)).toEqual([]);
  }, 120_000);

  it('at a 30% fault rate the SDK retries through: 30 round-trips byte-exact, retries counted', async () => {
    const { proxy, open } = await through(mixedFaults(0.3), { LAKEVAULT_REQUEST_TIMEOUT_MS: '1000' }, 99);
    const bodies = Array.from({ length: 30 }, (_, i) => randomBytes(1024 + i * 97));
    let readFailures = 0;
    for (let i = 0; i < bodies.length; i++) {
      await open.store.put(bucket, `retry/${i}.bin`, bodies[i]!);
      const back = await open.store.getBytes(bucket, `retry/${i}.bin`).catch(() => { readFailures += 1; return undefined; });
      if (back) expect(Buffer.from(back).equals(bodies[i]!)).toBe(true);
    }
    // Everything the proxy stored is exactly what was sent (read directly, past the proxy).
    for (let i = 0; i < bodies.length; i++) {
      expect(Buffer.from(await direct.store.getBytes(bucket, `retry/${i}.bin`)).equals(bodies[i]!)).toBe(true);
    }
    expect(proxy.totalInjected()).toBeGreaterThan(5);
    expect(open.store.stats.retries).toBeGreaterThan(0);
    expect(readFailures).toBe(0);
  });
});
