import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  UploadPartCopyCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { runPool } from '../util/pool';
import { checkSourceEtag, currentEtag, discardCopy } from './copy-pinning';
import type { EncryptionOptions } from './types';

const MAX_PARTS = 10_000;
const MIN_PART = 5 * 1024 * 1024;
const MAX_PART = 5 * 1024 * 1024 * 1024;

/**
 * CopySource must be URL-encoded per key segment, or keys with '+', '%', '?', spaces or
 * unicode break. With a version id, that version is the source (a noncurrent one too).
 */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId === undefined ? source : `${source}?versionId=${encodeURIComponent(versionId)}`;
}

/** Part size for a copy: the configured size, grown so that the part count stays ≤ 10,000. */
export function choosePartSize(size: number, preferred: number): number {
  let part = Math.min(Math.max(preferred, MIN_PART), MAX_PART);
  while (Math.ceil(size / part) > MAX_PARTS) part *= 2;
  return Math.min(part, MAX_PART);
}

export interface MultipartCopyRequest {
  srcBucket: string;
  srcKey: string;
  dstBucket: string;
  dstKey: string;
  size: number;
  sourceEtag?: string;
  /** Copy this version of the source; a version never changes, so it needs no ETag pin. */
  sourceVersionId?: string;
  partSize: number;
  partConcurrency: number;
  encryption?: EncryptionOptions;
  metadata?: Record<string, string>;
}

/**
 * CreateMultipartUpload → UploadPartCopy (parallel, each part pinned to the source ETag)
 * → CompleteMultipartUpload; aborted on any failure so no orphan parts stay billed.
 * lib-storage has no managed multipart copy, hence this. Returns the new ETag.
 */
export async function multipartCopy(client: S3Client, req: MultipartCopyRequest): Promise<string> {
  const encryption = req.encryption?.customerKey
    ? undefined // SSE-C destinations need per-part keys; callers refuse them earlier
    : req.encryption;
  // UploadPartCopy's CopySourceIfMatch is ignored by some servers (Ceph RGW 16.2):
  // check the pin ourselves before starting and again once the object is assembled.
  if (req.sourceEtag) await checkSourceEtag(client, req.srcBucket, req.srcKey, req.sourceEtag);
  const created = await client.send(new CreateMultipartUploadCommand({
    Bucket: req.dstBucket,
    Key: req.dstKey,
    ...(req.metadata ? { Metadata: req.metadata } : {}),
    ...(encryption?.sse ? { ServerSideEncryption: encryption.sse } : {}),
    ...(encryption?.kmsKeyId ? { SSEKMSKeyId: encryption.kmsKeyId } : {}),
  }));
  const uploadId = created.UploadId!;
  const partSize = choosePartSize(req.size, req.partSize);
  const partCount = Math.max(1, Math.ceil(req.size / partSize));
  try {
    const etags = new Array<string>(partCount);
    await runPool(Array.from({ length: partCount }, (_, i) => i), req.partConcurrency, async (index) => {
      const start = index * partSize;
      const end = Math.min(req.size, start + partSize) - 1;
      const out = await client.send(new UploadPartCopyCommand({
        Bucket: req.dstBucket,
        Key: req.dstKey,
        UploadId: uploadId,
        PartNumber: index + 1,
        CopySource: copySource(req.srcBucket, req.srcKey, req.sourceVersionId),
        CopySourceRange: `bytes=${start}-${end}`,
        ...(req.sourceEtag ? { CopySourceIfMatch: `"${req.sourceEtag}"` } : {}),
      }));
      etags[index] = out.CopyPartResult!.ETag!;
    });
    const completedEtag = await completeUpload(client, req, uploadId, etags);
    if (req.sourceEtag) {
      try {
        await checkSourceEtag(client, req.srcBucket, req.srcKey, req.sourceEtag);
      } catch (error) {
        await discardCopy(client, req.dstBucket, req.dstKey);
        throw error;
      }
    }
    const etag = completedEtag.replace(/^"|"$/g, '');
    // Ceph RGW answers CompleteMultipartUpload with an empty ETag; the object's HEAD has it.
    return etag || (await currentEtag(client, req.dstBucket, req.dstKey)) || '';
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: req.dstBucket, Key: req.dstKey, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}

/**
 * CompleteMultipartUpload is not idempotent: when its answer is lost (a reset, a cut body)
 * after the server assembled the object, the SDK sends it again and the server answers
 * NoSuchUpload (RGW) or 500 (s3rver) about an object that is there. So when it fails, the
 * destination is checked: the ETag these parts make (S3, RGW), or the source's own ETag
 * (s3rver stores the whole object's MD5), means it holds the copy.
 */
async function completeUpload(client: S3Client, req: MultipartCopyRequest, uploadId: string, etags: string[]): Promise<string> {
  try {
    const done = await client.send(new CompleteMultipartUploadCommand({
      Bucket: req.dstBucket,
      Key: req.dstKey,
      UploadId: uploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }));
    return done.ETag ?? '';
  } catch (error) {
    const found = await currentEtag(client, req.dstBucket, req.dstKey).catch(() => undefined);
    if (found !== undefined && (found === multipartEtag(etags) || found === req.sourceEtag)) return found;
    throw error;
  }
}

/** S3's ETag of a multipart object: MD5 of the parts' binary MD5s, then "-<part count>". */
export function multipartEtag(partEtags: string[]): string {
  const md5s = Buffer.concat(partEtags.map((etag) => Buffer.from(etag.replace(/"/g, ''), 'hex')));
  return `${createHash('md5').update(md5s).digest('hex')}-${partEtags.length}`;
}
