import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, NotFoundError, StoreError } from '../../src/errors';
import type {
  Body, CopyOptions, CopyResult, DeleteResult, EncryptionOptions, HeadResult, MultipartOptions, MultipartUpload, ObjectInfo,
  ObjectReadStream, ObjectStore, PutOptions, SizedStream, UploadedPart, WriteChecksums,
} from '../../src/store/types';

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/**
 * An ObjectStore in memory that answers the way S3Store does: listings in key order (UTF-8
 * bytes), missing objects and buckets as NotFoundError, ETag preconditions as ConflictError,
 * ETags as MD5 hex without quotes. For unit tests of code that only needs the interface.
 */
export class MemoryStore implements ObjectStore {
  readonly endpoint = 'memory://';
  /** Requests by operation: what a test can count. */
  readonly requests: Record<string, number> = {};
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  private count(operation: string): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1;
  }

  private bucket(name: string, what: string): Map<string, StoredObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new NotFoundError(`${what}: bucket does not exist`);
    return bucket;
  }

  private object(bucket: string, key: string, what: string): StoredObject {
    const object = this.bucket(bucket, what).get(key);
    if (!object) throw new NotFoundError(`${what}: object not found`);
    return object;
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectInfo> {
    this.count('list');
    const objects = this.bucket(bucket, `list s3://${bucket}/${prefix}`);
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(byteOrder);
    for (const key of keys) {
      const object = objects.get(key);
      if (object) yield info(key, object);
    }
  }

  async *listCommonPrefixes(bucket: string, prefix: string, delimiter = '/'): AsyncIterable<string> {
    this.count('list');
    const seen = new Set<string>();
    const keys = [...this.bucket(bucket, `list s3://${bucket}/${prefix}`).keys()].filter((key) => key.startsWith(prefix)).sort(byteOrder);
    for (const key of keys) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at < 0) continue;
      const common = key.slice(0, at + delimiter.length);
      if (!seen.has(common)) { seen.add(common); yield common; }
    }
  }

  async head(bucket: string, key: string): Promise<HeadResult | undefined> {
    this.count('head');
    const object = this.bucket(bucket, `head s3://${bucket}/${key}`).get(key);
    return object ? { ...info(key, object), metadata: { ...object.metadata } } : undefined;
  }

  async getBytes(bucket: string, key: string): Promise<Uint8Array> {
    this.count('get');
    return Uint8Array.from(this.object(bucket, key, `get s3://${bucket}/${key}`).bytes);
  }

  async getRange(bucket: string, key: string, start: number, endExclusive: number, options: { etag?: string; encryption?: EncryptionOptions } = {}): Promise<Uint8Array> {
    if (endExclusive <= start) return new Uint8Array(0);
    this.count('get');
    const what = `read bytes ${start}-${endExclusive - 1} of s3://${bucket}/${key}`;
    const object = this.object(bucket, key, what);
    if (options.etag && options.etag !== object.etag) throw new ConflictError(`${what}: the object is not the version expected (PreconditionFailed)`);
    if (endExclusive > object.bytes.length) throw new Error(`${what}: short read: asked ${endExclusive - start} bytes at ${start}, the object has ${object.bytes.length}`);
    return Uint8Array.from(object.bytes.subarray(start, endExclusive));
  }

  async openRead(bucket: string, key: string, options: { etag?: string } = {}): Promise<ObjectReadStream> {
    this.count('get');
    const what = `read s3://${bucket}/${key}`;
    const object = this.object(bucket, key, what);
    if (options.etag && options.etag !== object.etag) throw new ConflictError(`${what}: the object is not the version expected (PreconditionFailed)`);
    return { body: Readable.from([Buffer.from(object.bytes)]), size: object.bytes.length, etag: object.etag };
  }

  async put(bucket: string, key: string, body: Uint8Array | string | SizedStream, options: PutOptions = {}): Promise<ObjectInfo> {
    this.count('put');
    const objects = this.bucket(bucket, `put s3://${bucket}/${key}`);
    if (options.ifNoneMatch && objects.has(key)) throw new ConflictError(`put s3://${bucket}/${key}: the key already exists (PreconditionFailed)`);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? Uint8Array.from(body) : await collect(body.stream);
    if (options.checksums) verifyMd5(bytes, options.checksums, `put s3://${bucket}/${key}`);
    const object = stored(bytes, options.metadata);
    objects.set(key, object);
    return info(key, object);
  }

  async upload(bucket: string, key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    const bytes = body instanceof Uint8Array ? body : await collect(body);
    return this.put(bucket, key, bytes, options);
  }

  /** Parts kept until complete; Content-MD5 verified as S3 does (a 400 BadDigest), flexible checksums ignored. */
  async startMultipartUpload(bucket: string, key: string, options: MultipartOptions = {}): Promise<MultipartUpload> {
    this.count('startMultipart');
    this.bucket(bucket, `start a multipart upload to s3://${bucket}/${key}`);
    const parts = new Map<number, Uint8Array>();
    const uploadId = `upload-${Math.random().toString(36).slice(2)}`;
    return {
      uploadId,
      putPart: async (partNumber: number, body: Uint8Array, checksums: WriteChecksums): Promise<UploadedPart> => {
        this.count('putPart');
        verifyMd5(body, checksums, `upload part ${partNumber} of s3://${bucket}/${key}`);
        parts.set(partNumber, Uint8Array.from(body));
        return { partNumber, etag: createHash('md5').update(body).digest('hex') };
      },
      complete: async (done: UploadedPart[]) => {
        this.count('completeMultipart');
        const bytes = Buffer.concat([...done].sort((a, b) => a.partNumber - b.partNumber).map((p) => parts.get(p.partNumber)!));
        const object = stored(bytes, options.metadata);
        this.bucket(bucket, `complete s3://${bucket}/${key}`).set(key, object);
        return { etag: object.etag };
      },
      abort: async () => { this.count('abortMultipart'); parts.clear(); },
    };
  }

  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    this.count('copy');
    const what = `copy s3://${srcBucket}/${srcKey} to s3://${dstBucket}/${dstKey}`;
    const source = this.object(srcBucket, srcKey, what);
    if (options.sourceEtag && options.sourceEtag !== source.etag) throw new ConflictError(`${what}: the object is not the version expected (PreconditionFailed)`);
    const copied = stored(source.bytes, options.metadata ?? source.metadata);
    this.bucket(dstBucket, what).set(dstKey, copied);
    return { key: dstKey, size: copied.bytes.length, etag: copied.etag, multipart: false };
  }

  async deleteKeys(bucket: string, keys: string[]): Promise<DeleteResult> {
    this.count('delete');
    const objects = this.bucket(bucket, `delete in s3://${bucket}`);
    for (const key of keys) objects.delete(key);
    return { deleted: [...keys], errors: [] };
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return this.buckets.has(bucket);
  }

  async ensureBucket(bucket: string): Promise<void> {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  async deleteBucket(bucket: string): Promise<void> {
    const objects = this.bucket(bucket, `delete bucket ${bucket}`);
    if (objects.size) throw new ConflictError(`delete bucket ${bucket}: the bucket is not empty (BucketNotEmpty)`);
    this.buckets.delete(bucket);
  }

  /** Puts every file under a local folder at `prefix` + its relative path (a fixture table). */
  async loadFolder(bucket: string, prefix: string, folder: string): Promise<number> {
    await this.ensureBucket(bucket);
    let count = 0;
    for (const relative of walk(folder)) {
      await this.put(bucket, prefix + relative, readFileSync(join(folder, relative)));
      count++;
    }
    return count;
  }
}

function verifyMd5(body: Uint8Array, checksums: WriteChecksums, what: string): void {
  if (!createHash('md5').update(body).digest().equals(Buffer.from(checksums.md5))) {
    throw new StoreError(`${what} failed: BadDigest`, { cause: { name: 'BadDigest', $metadata: { httpStatusCode: 400 } } });
  }
}

function stored(bytes: Uint8Array, metadata: Record<string, string> = {}): StoredObject {
  return { bytes, etag: createHash('md5').update(bytes).digest('hex'), lastModified: new Date(), metadata: { ...metadata } };
}

function info(key: string, object: StoredObject): ObjectInfo {
  return { key, size: object.bytes.length, etag: object.etag, lastModified: object.lastModified };
}

/** S3 lists keys in the order of their UTF-8 bytes, not of JavaScript's UTF-16 code units. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function collect(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function* walk(folder: string, relative = ''): Generator<string> {
  for (const name of readdirSync(join(folder, relative)).sort()) {
    const path = relative ? `${relative}/${name}` : name;
    if (statSync(join(folder, path)).isDirectory()) yield* walk(folder, path);
    else yield path;
  }
}
