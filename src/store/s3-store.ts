import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client,
  paginateListObjectsV2, type CopyObjectCommandInput, type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StoreError, UnsupportedError } from '../errors';
import { translateStoreError, isNotFound, errorName } from './errors';
import { copySource, multipartCopy } from './multipart-copy';
import { DirectCopier } from './direct-copy';
import { DirectReader } from './direct-read';
import { DirectWriter } from './direct-write';
import { checksumParams, S3MultipartUpload } from './multipart-upload';
import { withRgwCopyIfMatch, sourceChanged } from './copy-pinning';
import type {
  Body, CopyOptions, CopyResult, DeleteResult, EncryptionOptions, HeadResult, MultipartOptions, MultipartUpload, ObjectInfo,
  ObjectReadStream, ObjectStore, PutOptions, SizedStream,
} from './types';

export interface StoreSettings {
  endpoint: string;
  /** How snapshots record this store when its URL is not stable ('embedded', 'aws'). */
  identity?: string;
  multipartThreshold: number;
  multipartPartSize: number;
  /** Parts of one multipart copy in flight at once. */
  partConcurrency?: number;
}

/** Requests sent and retries the SDK made: the reliability reports count them. */
export interface StoreStats {
  requests: number;
  retries: number;
}

const DELETE_BATCH = 1000; // DeleteObjects' hard limit
/** Reads of a response body cut short (after the SDK's own retries of the request). */
const BODY_ATTEMPTS = 4;

export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Request parameters for server-side encryption, on writes. */
export function sseWriteParams(encryption?: EncryptionOptions): Partial<PutObjectCommandInput> {
  if (!encryption) return {};
  if (encryption.customerKey) return sseCustomerParams(encryption.customerKey);
  return {
    ...(encryption.sse ? { ServerSideEncryption: encryption.sse } : {}),
    ...(encryption.kmsKeyId ? { SSEKMSKeyId: encryption.kmsKeyId } : {}),
  };
}

function sseCustomerParams(key: Buffer) {
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}

function sseReadParams(encryption?: EncryptionOptions) {
  return encryption?.customerKey ? sseCustomerParams(encryption.customerKey) : {};
}

/** The object store over the AWS SDK: the only place lakevault sends S3 requests. */
export class S3Store implements ObjectStore {
  readonly stats: StoreStats = { requests: 0, retries: 0 };

  /** CopyObject without the SDK's per-request cost, where the endpoint allows (direct-copy.ts). */
  private readonly directCopier: DirectCopier | undefined;
  /** Ranged GETs the same way (direct-read.ts): a validation's footers and row groups. */
  private readonly directReader: DirectReader | undefined;
  /** PutObject and UploadPart the same way (direct-write.ts): the writes of a copy between endpoints. */
  private readonly directWriter: DirectWriter | undefined;

  constructor(readonly client: S3Client, private readonly settings: StoreSettings) {
    this.directCopier = DirectCopier.forClient(client);
    this.directReader = DirectReader.forClient(client);
    this.directWriter = DirectWriter.forClient(client);
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          this.count((out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts);
          return out;
        } catch (error) {
          this.count((error as { $metadata?: { attempts?: number } }).$metadata?.attempts);
          throw error;
        }
      },
      { step: 'initialize', name: 'lakevaultRequestCounter' },
    );
  }

  get endpoint(): string {
    return this.settings.endpoint;
  }

  get identity(): string | undefined {
    return this.settings.identity;
  }

  private count(attempts: number | undefined): void {
    this.stats.requests += 1;
    if (attempts && attempts > 1) this.stats.retries += attempts - 1;
  }

  private fail(error: unknown, what: string): never {
    throw translateStoreError(error, what, this.settings.endpoint);
  }

  /**
   * GetObject and its whole body. The SDK retries a request until its response headers
   * arrive; a body cut short after that (connection reset mid-stream) reaches us as a
   * stream error or a short body, and is retried here, a few times, as a new request.
   */
  private async readBody(command: () => GetObjectCommand, pinnedEtag?: string): Promise<Uint8Array> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(command());
      // Some servers (the embedded one) ignore If-Match: the answer's own ETag is checked too.
      if (pinnedEtag !== undefined && out.ETag !== undefined && unquote(out.ETag) !== pinnedEtag) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        const input = command().input;
        throw sourceChanged(input.Bucket!, input.Key!, pinnedEtag, unquote(out.ETag));
      }
      try {
        const bytes = await out.Body!.transformToByteArray();
        if (out.ContentLength !== undefined && bytes.length !== out.ContentLength) {
          throw new Error(`short body: ${bytes.length} of ${out.ContentLength} bytes`);
        }
        return bytes;
      } catch (error) {
        if (attempt >= BODY_ATTEMPTS) throw error;
        this.stats.retries += 1;
      }
    }
  }

  /** Every object under a prefix, page by page (1,000 keys a page), never all at once. */
  async *list(bucket: string, prefix: string): AsyncIterable<ObjectInfo> {
    try {
      const pages = paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix });
      for await (const page of pages) {
        // A page may be empty while IsTruncated is true: the paginator follows the token.
        for (const item of page.Contents ?? []) {
          yield {
            key: item.Key!,
            size: item.Size ?? 0,
            etag: unquote(item.ETag),
            ...(item.LastModified ? { lastModified: item.LastModified } : {}),
          };
        }
      }
    } catch (error) {
      this.fail(error, `list s3://${bucket}/${prefix}`);
    }
  }

  async *listCommonPrefixes(bucket: string, prefix: string, delimiter = '/'): AsyncIterable<string> {
    try {
      const pages = paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix, Delimiter: delimiter });
      for await (const page of pages) {
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) yield common.Prefix;
      }
    } catch (error) {
      this.fail(error, `list s3://${bucket}/${prefix}`);
    }
  }

  async head(bucket: string, key: string, encryption?: EncryptionOptions): Promise<HeadResult | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...sseReadParams(encryption) }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: unquote(out.ETag),
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        metadata: out.Metadata ?? {},
        ...(out.ServerSideEncryption ? { serverSideEncryption: out.ServerSideEncryption } : {}),
        ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}),
        ...(out.SSECustomerAlgorithm ? { sseCustomerAlgorithm: out.SSECustomerAlgorithm } : {}),
        ...(out.ObjectLockMode ? { objectLockMode: out.ObjectLockMode } : {}),
        ...(out.ObjectLockRetainUntilDate ? { objectLockRetainUntil: out.ObjectLockRetainUntilDate } : {}),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      this.fail(error, `head s3://${bucket}/${key}`);
    }
  }

  async getBytes(bucket: string, key: string, encryption?: EncryptionOptions): Promise<Uint8Array> {
    try {
      return await this.readBody(() => new GetObjectCommand({ Bucket: bucket, Key: key, ...sseReadParams(encryption) }));
    } catch (error) {
      this.fail(error, `get s3://${bucket}/${key}`);
    }
  }

  /** Bytes [start, endExclusive) of an object; pinned to an ETag when given (If-Match). */
  async getRange(bucket: string, key: string, start: number, endExclusive: number, options: { etag?: string; encryption?: EncryptionOptions } = {}): Promise<Uint8Array> {
    if (endExclusive <= start) return new Uint8Array(0);
    if (this.directReader && !options.encryption?.customerKey) {
      const direct = await this.directReader.read({ bucket, key, start, end: endExclusive, ...(options.etag ? { etag: options.etag } : {}) });
      this.stats.requests += 1;
      if (direct) return direct;
      // Not a clean answer: the SDK reads it again, retries and reports the error as usual.
      this.stats.retries += 1;
    }
    try {
      const bytes = await this.readBody(() => new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=${start}-${endExclusive - 1}`,
        ...(options.etag ? { IfMatch: `"${options.etag}"` } : {}),
        ...sseReadParams(options.encryption),
      }), options.etag);
      if (bytes.length !== endExclusive - start) {
        throw new Error(`short read: asked ${endExclusive - start} bytes at ${start}, got ${bytes.length}`);
      }
      return bytes;
    } catch (error) {
      this.fail(error, `read bytes ${start}-${endExclusive - 1} of s3://${bucket}/${key}`);
    }
  }

  async put(bucket: string, key: string, body: Uint8Array | string | SizedStream, options: PutOptions = {}): Promise<ObjectInfo> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const length = bytes instanceof Uint8Array ? bytes.length : bytes.length;
    const checksums = options.checksums;
    // Plain writes with Content-MD5 and no flexible checksum (the SDK computes those) go direct.
    if (this.directWriter && checksums && !checksums.flexible && !options.ifNoneMatch && !options.encryption) {
      const etag = await this.directWriter.put({
        bucket, key, body: bytes, md5: checksums.md5,
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.contentType ? { contentType: options.contentType } : {}),
      });
      this.stats.requests += 1;
      if (etag !== undefined) return { key, size: length, etag };
      // Not a clean answer: bytes go again through the SDK, which retries and reports; a stream cannot.
      this.stats.retries += 1;
      if (!(bytes instanceof Uint8Array)) throw new StoreError(`put s3://${bucket}/${key} failed: the streamed write was not accepted`);
    }
    try {
      const out = await this.client.send(new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes instanceof Uint8Array ? bytes : bytes.stream,
        ContentLength: length,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.metadata ? { Metadata: options.metadata } : {}),
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        ...checksumParams(options.checksums),
        ...sseWriteParams(options.encryption),
      }));
      return { key, size: length, etag: unquote(out.ETag) };
    } catch (error) {
      this.fail(error, `put s3://${bucket}/${key}`);
    }
  }

  /** The whole object as a stream (direct GET where it qualifies, else the SDK), pinned when asked. */
  async openRead(bucket: string, key: string, options: { etag?: string; encryption?: EncryptionOptions } = {}): Promise<ObjectReadStream> {
    if (this.directReader && !options.encryption?.customerKey) {
      const direct = await this.directReader.open({ bucket, key, ...(options.etag ? { etag: options.etag } : {}) });
      this.stats.requests += 1;
      if (direct) return direct;
      this.stats.retries += 1;
    }
    try {
      const out = await this.client.send(new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options.etag ? { IfMatch: `"${options.etag}"` } : {}),
        ...sseReadParams(options.encryption),
      }));
      const body = out.Body as unknown as Readable;
      if (options.etag !== undefined && unquote(out.ETag) !== options.etag) {
        body.destroy();
        throw sourceChanged(bucket, key, options.etag, unquote(out.ETag));
      }
      const encryption = out.SSECustomerAlgorithm ? 'SSE-C' : out.ServerSideEncryption;
      return { body, size: out.ContentLength ?? 0, etag: unquote(out.ETag), ...(encryption ? { encryption } : {}) };
    } catch (error) {
      this.fail(error, `read s3://${bucket}/${key}`);
    }
  }

  /** Streams a body of unknown length with lib-storage (multipart above 5 MiB). */
  async upload(bucket: string, key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    try {
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: bucket,
          Key: key,
          Body: body,
          ...(options.contentType ? { ContentType: options.contentType } : {}),
          ...(options.metadata ? { Metadata: options.metadata } : {}),
          ...sseWriteParams(options.encryption),
        },
        queueSize: 4,
        partSize: 8 * 1024 * 1024,
        leavePartsOnError: false, // failed uploads are aborted, not left to cost storage
      });
      await upload.done();
      // RGW answers Upload.done() with an empty ETag; the object's own HEAD has the real one.
      const head = await this.head(bucket, key, options.encryption);
      if (!head) throw new Error('object missing right after upload');
      return { key, size: head.size, etag: head.etag };
    } catch (error) {
      this.fail(error, `upload s3://${bucket}/${key}`);
    }
  }

  startMultipartUpload(bucket: string, key: string, options: MultipartOptions = {}): Promise<MultipartUpload> {
    if (options.encryption?.customerKey) {
      // Every part would need the key; nothing here sends parts that way yet.
      throw new UnsupportedError(`multipart upload to s3://${bucket}/${key}: SSE-C destinations are not supported for multipart uploads`);
    }
    const host = { client: this.client, fail: (error: unknown, what: string) => this.fail(error, what), ...(this.directWriter && !options.encryption ? { direct: this.directWriter } : {}) };
    return S3MultipartUpload.start(host, bucket, key, options, sseWriteParams(options.encryption));
  }

  /**
   * Server-side copy. CopyObject up to the multipart threshold; above it, UploadPartCopy
   * with parts in parallel. Both are pinned to the source ETag when one is given.
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    const what = `copy s3://${srcBucket}/${srcKey} to s3://${dstBucket}/${dstKey}`;
    try {
      let size = options.sourceSize;
      let etag = options.sourceEtag;
      const versionId = options.sourceVersionId;
      if (versionId !== undefined && size === undefined) throw new Error('a copy of an object version needs its size');
      if (size === undefined) {
        const head = await this.head(srcBucket, srcKey, options.sourceEncryption);
        if (!head) throw Object.assign(new Error('source object not found'), { name: 'NoSuchKey' });
        size = head.size;
        etag ??= head.etag;
      }
      if (size > this.settings.multipartThreshold) {
        const copied = await multipartCopy(this.client, {
          srcBucket, srcKey, dstBucket, dstKey, size,
          ...(versionId !== undefined ? { sourceVersionId: versionId } : etag ? { sourceEtag: etag } : {}),
          partSize: this.settings.multipartPartSize,
          partConcurrency: this.settings.partConcurrency ?? 8,
          ...(options.encryption ? { encryption: options.encryption } : {}),
          ...(options.metadata ? { metadata: options.metadata } : {}),
        });
        return { key: dstKey, size, etag: copied, multipart: true };
      }
      const plain = !options.metadata && Object.keys(sseWriteParams(options.encryption)).length === 0;
      if (plain && this.directCopier && versionId === undefined) {
        const copied = await this.directCopier.copy({ srcBucket, srcKey, dstBucket, dstKey, ...(etag ? { sourceEtag: etag } : {}) });
        this.stats.requests += 1;
        if (copied !== undefined) return { key: dstKey, size, etag: copied, multipart: false };
        // Not a clean success: the SDK sends it again, retries and reports the error as usual.
        this.stats.retries += 1;
      }
      const input: CopyObjectCommandInput = {
        Bucket: dstBucket,
        Key: dstKey,
        CopySource: copySource(srcBucket, srcKey, versionId),
        ...(etag ? { CopySourceIfMatch: `"${etag}"` } : {}),
        ...(options.metadata ? { Metadata: options.metadata, MetadataDirective: 'REPLACE' } : {}),
        ...sseWriteParams(options.encryption),
      };
      const out = await this.client.send(withRgwCopyIfMatch(new CopyObjectCommand(input), etag));
      return { key: dstKey, size, etag: unquote(out.CopyObjectResult?.ETag), multipart: false };
    } catch (error) {
      this.fail(error, what);
    }
  }

  /** Deletes in batches of 1,000; every per-key error is returned, none swallowed. */
  async deleteKeys(bucket: string, keys: string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], errors: [] };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      try {
        const out = await this.client.send(new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }));
        const failed = new Set<string>();
        for (const err of out.Errors ?? []) {
          failed.add(err.Key ?? '');
          result.errors.push({ key: err.Key ?? '', code: err.Code ?? 'Error', message: err.Message ?? '' });
        }
        for (const key of batch) if (!failed.has(key)) result.deleted.push(key);
      } catch (error) {
        this.fail(error, `delete ${batch.length} objects in s3://${bucket}`);
      }
    }
    return result;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      const name = errorName(error);
      if (name === 'NotFound' || name === 'NoSuchBucket') return false;
      this.fail(error, `check bucket s3://${bucket}`);
    }
  }

  async ensureBucket(bucket: string, options: { objectLock?: boolean } = {}): Promise<void> {
    if (await this.bucketExists(bucket)) return;
    try {
      await this.client.send(new CreateBucketCommand({
        Bucket: bucket,
        ...(options.objectLock ? { ObjectLockEnabledForBucket: true } : {}),
      }));
    } catch (error) {
      const name = errorName(error);
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
      this.fail(error, `create bucket s3://${bucket}`);
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
      this.fail(error, `delete bucket s3://${bucket}`);
    }
  }
}
