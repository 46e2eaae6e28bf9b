import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { openTestStore, uniqueBucket, removeBucket, itWith, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { copyPrefix, type CopyProgress } from '../../src/store/prefix-copy';
import { runPool } from '../../src/util/pool';
import { DirectCopier } from '../../src/store/direct-copy';

const MiB = 1024 * 1024;
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listing(open: OpenStore, bucket: string, prefix: string): Promise<Map<string, { size: number; etag: string }>> {
  const objects = new Map<string, { size: number; etag: string }>();
  for await (const object of open.store.list(bucket, prefix)) {
    objects.set(object.key.slice(prefix.length), { size: object.size, etag: object.etag });
  }
  return objects;
}

/** Names of the S3 commands a client sends from now on (what went over the wire, not how). */
function recordCommands(open: OpenStore): { names: string[]; count(name: string): number; stop(): void } {
  const names: string[] = [];
  const name = `recorder-${Math.random()}`;
  open.store.client.middlewareStack.add(
    (next, context) => async (args) => { names.push(String(context.commandName)); return next(args); },
    { step: 'initialize', name },
  );
  return { names, count: (command) => names.filter((n) => n === command).length, stop: () => { open.store.client.middlewareStack.remove(name); } };
}

/** Keys that break naive CopySource handling: every one must arrive under its exact name. */
const SPECIAL_KEYS = [
  'dir with spaces/file name.txt',
  'plus+sign+in+key.txt',
  'percent%20literal and 100%.txt',
  'question?mark.txt',
  'hash#tag.txt',
  'amp&and=equals.txt',
  'unicode/ação-日本語-Ünïcödé.txt',
  'emoji/😀 rocket 🚀.txt',
  "quote'apostrophe;semi,comma~tilde.txt",
  'zero-byte/empty.bin',
  'zero-byte/empty with space+plus.bin',
];

describe(`server-side copy on ${TARGET}`, () => {
  let open: OpenStore;
  const source = uniqueBucket('copy-src');
  const target = uniqueBucket('copy-dst');
  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(source);
    await open.store.ensureBucket(target);
  });
  afterAll(async () => {
    await removeBucket(open, source);
    await removeBucket(open, target);
    await open.close();
  });

  it('copies a prefix of 2,500 objects (three list pages): same keys, sizes and ETags, no data moved through the client', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `many/part-${String(i).padStart(4, '0')}.bin`);
    await runPool(keys, 32, async (key, i) => { await open.store.put(source, key, randomBytes((i % 9) * 97)); });
    await open.store.put(source, 'many-neighbour/not-under-the-prefix.bin', 'x'); // 'many/' must not match it
    const sourceObjects = await listing(open, source, 'many/');
    expect(sourceObjects.size).toBe(2500);

    const events: CopyProgress[] = [];
    const sent = recordCommands(open);
    const direct = jest.spyOn(DirectCopier.prototype, 'copy');
    const result = await copyPrefix(open.store, { bucket: source, prefix: 'many/' }, { bucket: target, prefix: 'copied/many/' }, {
      concurrency: 32,
      onProgress: (progress) => events.push({ ...progress }),
    });
    sent.stop();
    // CopyObjects the direct path (src/store/direct-copy.ts) completed never reach the SDK.
    const directCopies = (await Promise.all(direct.mock.results.map((r) => r.value))).filter((etag) => etag !== undefined).length;
    direct.mockRestore();
    // 3 ListObjectsV2 pages + one CopyObject per object: no HEAD, GET or PUT on the copy path.
    expect(sent.count('ListObjectsV2Command')).toBe(3);
    expect(sent.count('CopyObjectCommand') + directCopies).toBe(2500);
    expect(sent.names).toHaveLength(2503 - directCopies);

    const copied = await listing(open, target, 'copied/many/');
    expect([...copied.keys()].sort()).toEqual([...sourceObjects.keys()].sort());
    for (const [key, object] of sourceObjects) expect(copied.get(key)).toEqual(object);

    // The result names every object with its size and ETag.
    expect(result.objects.map((o) => o.relativeKey)).toEqual([...sourceObjects.keys()].sort());
    for (const object of result.objects) {
      const expected = sourceObjects.get(object.relativeKey)!;
      expect(object).toMatchObject({ size: expected.size, sourceEtag: expected.etag, etag: expected.etag, multipart: false });
    }
    const totalBytes = [...sourceObjects.values()].reduce((sum, o) => sum + o.size, 0);
    expect(result.totalBytes).toBe(totalBytes);
    // Progress is throttled (at most ten reports a second) but always ends with the totals,
    // and never goes backwards.
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(2500);
    expect(events[events.length - 1]).toEqual({ objects: 2500, bytes: totalBytes });
    for (let i = 1; i < events.length; i++) expect(events[i]!.objects).toBeGreaterThanOrEqual(events[i - 1]!.objects);
  }, 600_000);

  it('copies keys with spaces, +, %, ?, #, &, =, unicode and emoji, and zero-byte objects, byte for byte', async () => {
    const bodies = new Map<string, Buffer>();
    for (const key of SPECIAL_KEYS) {
      const body = key.startsWith('zero-byte/') ? Buffer.alloc(0) : Buffer.from(`content of ${key}`);
      bodies.set(key, body);
      await open.store.put(source, `special/${key}`, body);
    }
    const result = await copyPrefix(open.store, { bucket: source, prefix: 'special/' }, { bucket: target, prefix: 'special copy/' }, { concurrency: 4 });
    expect(result.objects.map((o) => o.relativeKey).sort()).toEqual([...SPECIAL_KEYS].sort());

    const copied = await listing(open, target, 'special copy/');
    expect([...copied.keys()].sort()).toEqual([...SPECIAL_KEYS].sort());
    for (const [key, body] of bodies) {
      const bytes = await open.store.getBytes(target, `special copy/${key}`);
      expect(Buffer.from(bytes).equals(body)).toBe(true);
      expect(copied.get(key)!.size).toBe(body.length);
    }
    expect(copied.get('zero-byte/empty.bin')).toEqual({ size: 0, etag: EMPTY_MD5 });
  });

  describe('multipart UploadPartCopy above a (small) threshold', () => {
    let small: OpenStore;
    const bytes = randomBytes(12 * MiB + 4321); // 5 + 5 + 2 MiB parts
    const key = 'large/twelve MiB + ação.bin';
    beforeAll(async () => {
      small = await openTestStore({ LAKEVAULT_MULTIPART_THRESHOLD: String(5 * MiB), LAKEVAULT_MULTIPART_PART_SIZE: String(5 * MiB) });
      await small.store.put(source, key, bytes);
    });
    afterAll(async () => { await small.close(); });

    it('yields a byte-identical object, assembled from three copied parts', async () => {
      const sent = recordCommands(small);
      const result = await small.store.copy(source, key, target, key);
      sent.stop();
      expect(sent.count('CreateMultipartUploadCommand')).toBe(1);
      expect(sent.count('UploadPartCopyCommand')).toBe(3);
      expect(sent.count('CompleteMultipartUploadCommand')).toBe(1);
      expect(sent.names.filter((n) => ['GetObjectCommand', 'PutObjectCommand', 'UploadPartCommand'].includes(n))).toEqual([]); // no bytes through the client
      expect(result.multipart).toBe(true);
      expect(result.size).toBe(bytes.length);
      const head = await small.store.head(target, key);
      expect(head?.size).toBe(bytes.length);
      expect(result.etag).toBe(head?.etag); // the new object's real ETag (RGW's Complete answer has none)
      // A multipart ETag names its part count (the embedded server hashes the whole object instead).
      if (TARGET !== 'embedded') expect(head?.etag).toMatch(/-3$/);
      expect(sha256(await small.store.getBytes(target, key))).toBe(sha256(bytes));
    });

    it('is used by the prefix copy too, and the result says so', async () => {
      const result = await copyPrefix(small.store, { bucket: source, prefix: 'large/' }, { bucket: target, prefix: 'large-copy/' }, { concurrency: 2 });
      expect(result.objects).toEqual([expect.objectContaining({ relativeKey: 'twelve MiB + ação.bin', size: bytes.length, multipart: true })]);
      expect(sha256(await small.store.getBytes(target, 'large-copy/twelve MiB + ação.bin'))).toBe(sha256(bytes));
    });

    itWith('if-match')('is pinned to the source ETag: a changed source fails the copy and leaves no upload behind', async () => {
      const stale = (await small.store.head(source, key))!.etag;
      await small.store.put(source, 'large/changing.bin', bytes);
      const changed = Buffer.from(bytes);
      changed[7 * MiB] ^= 0xff;
      await small.store.put(source, 'large/changing.bin', changed);
      await expect(small.store.copy(source, 'large/changing.bin', target, 'pinned/changing.bin', { sourceEtag: stale, sourceSize: bytes.length }))
        .rejects.toMatchObject({ message: expect.stringContaining('changing.bin') });
      expect(await small.store.head(target, 'pinned/changing.bin')).toBeUndefined();
      const uploads = await small.store.client.send(new ListMultipartUploadsCommand({ Bucket: target, Prefix: 'pinned/' }));
      expect(uploads.Uploads ?? []).toEqual([]);
    });
  });

  itWith('if-match')('CopyObject is pinned to the source ETag too', async () => {
    await open.store.put(source, 'pin/object.txt', 'first');
    const first = (await open.store.head(source, 'pin/object.txt'))!.etag;
    await open.store.put(source, 'pin/object.txt', 'second');
    await expect(open.store.copy(source, 'pin/object.txt', target, 'pin/object.txt', { sourceEtag: first, sourceSize: 5 }))
      .rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('PreconditionFailed') });
    expect(await open.store.head(target, 'pin/object.txt')).toBeUndefined();
  });

  it('copying a missing source is a NotFoundError naming it', async () => {
    await expect(open.store.copy(source, 'no/such key.txt', target, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no/such key.txt') });
  });
});
