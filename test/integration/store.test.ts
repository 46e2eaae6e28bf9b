import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutBucketPolicyCommand, DeleteBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { openTestStore, uniqueBucket, removeBucket, itWith, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { S3Store } from '../../src/store/s3-store';
import { runPool } from '../../src/util/pool';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** n small objects under `prefix`, keys in listing (byte) order. */
async function putMany(open: OpenStore, bucket: string, prefix: string, n: number): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}obj-${String(i).padStart(5, '0')}`);
  await runPool(keys, 32, async (key) => { await open.store.put(bucket, key, `body of ${key}`); });
  return keys;
}

async function listKeys(open: OpenStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of open.store.list(bucket, prefix)) keys.push(object.key);
  return keys;
}

describe(`object store on ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('store');
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  describe('2,500 objects: three list pages, then one DeleteObjects per 1,000', () => {
    let keys: string[];
    beforeAll(async () => { keys = await putMany(open, bucket, 'many/', 2500); }, 600_000);

    it('lists streamed: the first key arrives after one page request, all keys after three', async () => {
      const before = open.store.stats.requests;
      const iterator = open.store.list(bucket, 'many/')[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value?.key).toBe(keys[0]);
      // One ListObjectsV2 request so far: the other 1,500 keys have not been asked for.
      expect(open.store.stats.requests - before).toBe(1);
      const rest: string[] = [first.value!.key];
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest.push(step.value.key);
      expect(rest).toEqual(keys);
      expect(open.store.stats.requests - before).toBe(3);
    });

    it('lists sizes and ETags as the writes returned them', async () => {
      const seen = new Map<string, { size: number; etag: string }>();
      for await (const object of open.store.list(bucket, 'many/obj-0000')) seen.set(object.key, object);
      expect([...seen.keys()]).toEqual(keys.slice(0, 10));
      const head = await open.store.head(bucket, keys[3]!);
      expect(seen.get(keys[3]!)).toMatchObject({ size: `body of ${keys[3]}`.length, etag: head!.etag });
    });

    it('lists common prefixes with a delimiter', async () => {
      await open.store.put(bucket, 'tree/a/1', '1');
      await open.store.put(bucket, 'tree/a/2', '2');
      await open.store.put(bucket, 'tree/b/1', '3');
      await open.store.put(bucket, 'tree/top', '4');
      const prefixes: string[] = [];
      for await (const prefix of open.store.listCommonPrefixes(bucket, 'tree/')) prefixes.push(prefix);
      expect(prefixes).toEqual(['tree/a/', 'tree/b/']);
    });

    it('deletes 2,500 keys in three DeleteObjects requests and leaves none', async () => {
      const before = open.store.stats.requests;
      const result = await open.store.deleteKeys(bucket, keys);
      expect(open.store.stats.requests - before).toBe(3);
      expect(result.errors).toEqual([]);
      expect(new Set(result.deleted)).toEqual(new Set(keys));
      expect(await listKeys(open, bucket, 'many/')).toEqual([]);
    }, 300_000);
  });

  describe('streamed uploads store the exact bytes', () => {
    it.each([
      ['a small stream (one PUT)', 300 * 1024],
      ['a 12 MiB stream (multipart, parts of 8 MiB)', 12 * MiB + 12345],
    ])('%s', async (_label, size) => {
      const bytes = randomBytes(size);
      // Uneven chunks, as a real producer would emit them; the length is unknown to the SDK.
      const chunks = [] as Buffer[];
      for (let at = 0; at < size; at += 700_001) chunks.push(bytes.subarray(at, Math.min(size, at + 700_001)));
      const key = `upload/stream-${size}.bin`;
      const stored = await open.store.upload(bucket, key, Readable.from(chunks));
      expect(stored.size).toBe(size);
      const head = await open.store.head(bucket, key);
      expect(head?.size).toBe(size);
      expect(head?.etag).toBe(stored.etag);
      // Read back: aws-chunked framing or a trailer stored inside the object would show here.
      expect(sha256(await open.store.getBytes(bucket, key))).toBe(sha256(bytes));
    });

    it('a buffer put stores the exact bytes and a range read returns the slice', async () => {
      const bytes = randomBytes(64 * 1024);
      await open.store.put(bucket, 'upload/buffer.bin', bytes);
      expect(sha256(await open.store.getBytes(bucket, 'upload/buffer.bin'))).toBe(sha256(bytes));
      expect(Buffer.from(await open.store.getRange(bucket, 'upload/buffer.bin', 1000, 5000)).equals(bytes.subarray(1000, 5000))).toBe(true);
    });
  });

  it('head of a missing object is undefined; reading it is a NotFoundError naming it', async () => {
    expect(await open.store.head(bucket, 'no/such/key')).toBeUndefined();
    await expect(open.store.getBytes(bucket, 'no/such/key')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no/such/key') });
  });

  it('listing a bucket that does not exist is a NotFoundError, not an empty listing', async () => {
    const missing = uniqueBucket('missing');
    await expect(listKeys(open, missing, '')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(missing) });
  });

  itWith('bucket-policy')('reports the keys DeleteObjects refused, and deletes the others', async () => {
    const policed = uniqueBucket('policed');
    await open.store.ensureBucket(policed);
    try {
      await open.store.put(policed, 'keep/locked.txt', 'locked');
      await open.store.put(policed, 'free.txt', 'free');
      await open.store.client.send(new PutBucketPolicyCommand({
        Bucket: policed,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${policed}/keep/*` }],
        }),
      }));
      const result = await open.store.deleteKeys(policed, ['keep/locked.txt', 'free.txt']);
      expect(result.deleted).toEqual(['free.txt']);
      expect(result.errors).toEqual([{ key: 'keep/locked.txt', code: 'AccessDenied', message: expect.any(String) }]);
      expect(await listKeys(open, policed, '')).toEqual(['keep/locked.txt']);
    } finally {
      await open.store.client.send(new DeleteBucketPolicyCommand({ Bucket: policed })).catch(() => undefined);
      await removeBucket(open, policed);
    }
  });
});

describe('per-key DeleteObjects errors (any server: the SDK parses a canned S3 answer)', () => {
  it('returns each refused key with its code and counts only the others as deleted', async () => {
    const answer = `<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted><Key>a</Key></Deleted>
  <Error><Key>b c+d</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
  <Error><Key>e</Key><Code>InternalError</Code><Message>try again</Message></Error>
</DeleteResult>`;
    const requests: string[] = [];
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      requestHandler: {
        handle: async (request: { method: string; path: string }) => {
          requests.push(`${request.method} ${request.path}`);
          // An HttpResponse look-alike: what the SDK's XML deserializer reads.
          return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(answer)]) } };
        },
      } as never,
    });
    const store = new S3Store(client, { endpoint: 'canned', multipartThreshold: 5 * MiB, multipartPartSize: 5 * MiB });
    const result = await store.deleteKeys('bucket', ['a', 'b c+d', 'e']);
    expect(requests).toEqual([expect.stringMatching(/^POST \/bucket\/?$/)]);
    expect(result.deleted).toEqual(['a']);
    expect(result.errors).toEqual([
      { key: 'b c+d', code: 'AccessDenied', message: 'Access Denied' },
      { key: 'e', code: 'InternalError', message: 'try again' },
    ]);
  });
});
