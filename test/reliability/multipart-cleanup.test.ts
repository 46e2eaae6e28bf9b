import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig, itWith, targetHas } from '../support/target';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { runCli } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { abortUploads, findStaleUploads, lakevaultLocations, listIncompleteUploads } from '../../src/store/multipart-uploads';
import { parseS3Uri } from '../../src/store/location';

/**
 * Incomplete multipart uploads: failed multipart copies abort their upload, and the stale
 * ones a killed process leaves under lakevault's prefixes are found and aborted — never
 * anyone else's, never a young one that may still be running.
 */
describe(`incomplete multipart uploads on ${TARGET}`, () => {
  const bucket = uniqueBucket('multipart');
  let open: OpenStore;
  const canList = targetHas('multipart-listing');
  const config = testConfig({ LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}/bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}/cp` });

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
  });
  afterAll(async () => {
    if (canList) await abortUploads(open.store, (await findStaleUploads(open.store, [{ bucket, prefix: '' }], { olderThanMs: -1e12 })).stale);
    await removeBucket(open, bucket);
    await open.close();
  });

  async function startUpload(key: string): Promise<string> {
    const created = await open.store.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await open.store.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId!, PartNumber: 1, Body: Buffer.alloc(1024, 7) }));
    return created.UploadId!;
  }

  itWith('multipart-listing')('finds stale uploads under lakevault\'s prefixes only, leaves young and foreign ones, aborts them', async () => {
    const ours = [await startUpload('wh/t/data/part-00000-x.parquet'), await startUpload('bk/t/20261129T000000Z-aaaaaa/data/part-00000-x.parquet')];
    const foreign = await startUpload('someone-else/big.bin');
    const later = new Date(Date.now() + 3_600_000);

    const young = await findStaleUploads(open.store, lakevaultLocations(config), { olderThanMs: 24 * 3_600_000 });
    expect(young.stale).toEqual([]);
    expect(young.recent).toBe(2);

    const found = await findStaleUploads(open.store, lakevaultLocations(config), { olderThanMs: 60_000, now: later });
    expect(found.stale.map((u) => u.uploadId).sort()).toEqual([...ours].sort());
    const result = await abortUploads(open.store, found.stale);
    expect(result.errors).toEqual([]);
    expect(result.aborted).toHaveLength(2);

    const left: string[] = [];
    for await (const upload of listIncompleteUploads(open.store, { bucket, prefix: '' })) left.push(upload.uploadId);
    expect(left).toEqual([foreign]);
  });

  it('a multipart copy that fails midway aborts its upload (no parts left behind)', async () => {
    // Every UploadPartCopy fails (500, retries off): the copy must fail and abort.
    const proxy: FaultProxy = await startFaultProxy({
      upstream: process.env.S3_ENDPOINT!, seed: 3, rates: { internal: 1 },
      eligible: (r) => r.method === 'PUT' && /partNumber=/.test(r.url),
    });
    const faulty = await openTestStore({ S3_ENDPOINT: proxy.endpoint, LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_MULTIPART_THRESHOLD: '1' });
    try {
      await open.store.put(bucket, 'src/object.bin', Buffer.alloc(64 * 1024, 1));
      await expect(faulty.store.copy(bucket, 'src/object.bin', bucket, 'wh/copy/object.bin')).rejects.toThrow(/InternalError/);
      expect(proxy.stats.byOperation.AbortMultipartUpload?.requests).toBe(1);
      if (canList) {
        const left: string[] = [];
        for await (const upload of listIncompleteUploads(open.store, { bucket, prefix: 'wh/copy/' })) left.push(upload.key);
        expect(left).toEqual([]);
      }
      expect(await open.store.head(bucket, 'wh/copy/object.bin')).toBeUndefined();
    } finally {
      await faulty.close();
      await proxy.close();
    }
  });

  it('a CompleteMultipartUpload whose answer is lost after the server applied it counts as completed', async () => {
    // The first Complete is applied and its answer cut short; the SDK sends it again and the
    // server no longer knows the upload (RGW: NoSuchUpload, s3rver: 500). The copy checks the
    // destination's ETag against the one its parts make, and succeeds.
    let completes = 0;
    const proxy: FaultProxy = await startFaultProxy({
      upstream: process.env.S3_ENDPOINT!, seed: 4, rates: { truncate: 1 },
      eligible: (r) => r.method === 'POST' && /uploadId=/.test(r.url) && ++completes === 1,
    });
    const faulty = await openTestStore({ S3_ENDPOINT: proxy.endpoint, LAKEVAULT_MAX_ATTEMPTS: '3', LAKEVAULT_MULTIPART_THRESHOLD: '1' });
    try {
      const body = Buffer.alloc(64 * 1024, 3);
      const source = await open.store.put(bucket, 'src/complete.bin', body);
      const copied = await faulty.store.copy(bucket, 'src/complete.bin', bucket, 'wh/complete/object.bin', { sourceSize: body.length, sourceEtag: source.etag });
      expect(proxy.stats.injected.truncate).toBe(1);
      expect(completes).toBeGreaterThanOrEqual(2);
      expect(copied).toMatchObject({ multipart: true, size: body.length });
      expect(copied.etag).toBe((await open.store.head(bucket, 'wh/complete/object.bin'))!.etag);
      expect(Buffer.from(await open.store.getBytes(bucket, 'wh/complete/object.bin')).equals(body)).toBe(true);
    } finally {
      await faulty.close();
      await proxy.close();
    }
  });

  it('reports a location it could not scan as skipped, never as "none found"', async () => {
    const missing = parseS3Uri(`s3://${uniqueBucket('absent')}/x`);
    const report = await findStaleUploads(open.store, [missing], { olderThanMs: 0 });
    expect(report.skipped).toEqual([{ location: `s3://${missing.bucket}/x/`, reason: 'bucket does not exist' }]);
    expect(report.scanned).toEqual([]);
  });
});

describe(`lakevault doctor reports and cleans stale multipart uploads on ${TARGET}`, () => {
  const bucket = uniqueBucket('doctor-mpu');
  const env = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}/bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}/cp` };
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  itWith('multipart-listing')('doctor lists the stale upload under the warehouse; --clean-multipart aborts it and leaves the foreign one', async () => {
    const start = async (key: string) => (await open.store.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    const ours = await start('wh/t/data/part-00000-killed.parquet');
    const foreign = await start('elsewhere/upload.bin');
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const report = await runCli(['doctor', '--json', '--multipart-age-hours', '0'], env, 120_000);
    const seen = JSON.parse(report.stdout).multipartUploads;
    expect(seen.stale.map((u: { uploadId: string }) => u.uploadId)).toEqual([ours]);
    expect(seen.cleaned).toBeUndefined();

    const cleaned = await runCli(['doctor', '--json', '--multipart-age-hours', '0', '--clean-multipart'], env, 120_000);
    expect(JSON.parse(cleaned.stdout).multipartUploads.cleaned.aborted.map((u: { uploadId: string }) => u.uploadId)).toEqual([ours]);
    const left: string[] = [];
    for await (const upload of listIncompleteUploads(open.store, { bucket, prefix: '' })) left.push(upload.uploadId);
    expect(left).toEqual([foreign]);
    await abortUploads(open.store, [{ bucket, key: 'elsewhere/upload.bin', uploadId: foreign }]);
  }, 300_000);
});
