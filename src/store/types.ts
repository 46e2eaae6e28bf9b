import type { Readable } from 'node:stream';

/** What a listing says about one object. */
export interface ObjectInfo {
  key: string;
  size: number;
  etag: string; // without quotes
  lastModified?: Date;
}

/** Server-side encryption to request on writes (and to present on reads, for SSE-C). */
export interface EncryptionOptions {
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  /** SSE-C: the raw 32-byte key. Never printed. */
  customerKey?: Buffer;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  encryption?: EncryptionOptions;
  /** Write only if the key does not exist yet (If-None-Match: *), where the server supports it. */
  ifNoneMatch?: boolean;
  /** Checksums of the body for the server to verify (put only; upload streams without them). */
  checksums?: WriteChecksums;
}

/** Flexible checksums S3 can verify on a write besides Content-MD5 (store/write-integrity.ts). */
export type ChecksumAlgorithm = 'CRC32C' | 'CRC64NVME';

/** What a write carries for the server to check the bytes it received against. */
export interface WriteChecksums {
  /** MD5 of the body (16 bytes), sent as Content-MD5. */
  md5: Uint8Array;
  /** A flexible checksum too: its algorithm (the SDK computes it), or the value (base64) to send as given. */
  flexible?: { algorithm: ChecksumAlgorithm; value?: string };
}

/** A part the server accepted: what completing the upload names it by. */
export interface UploadedPart {
  partNumber: number;
  /** Without quotes; the part's MD5 on servers whose ETags are MD5s. */
  etag: string;
  /** The flexible checksum the server answered with, when one was sent (base64). */
  checksum?: string;
}

/** One multipart upload in progress: parts in any order, then complete or abort. */
export interface MultipartUpload {
  readonly uploadId: string;
  putPart(partNumber: number, body: Uint8Array, checksums: WriteChecksums): Promise<UploadedPart>;
  /** Assembles the parts (in part-number order) into the object; its ETag, without quotes. */
  complete(parts: UploadedPart[]): Promise<{ etag: string }>;
  /** Drops the parts; never throws (a failed abort leaves what doctor --clean-multipart finds). */
  abort(): Promise<void>;
}

export interface MultipartOptions extends Omit<PutOptions, 'checksums' | 'ifNoneMatch'> {
  /** The flexible checksum every part carries (declared when the upload starts, as S3 requires). */
  checksum?: ChecksumAlgorithm;
}

export interface CopyOptions {
  /** The source ETag the copy is pinned to (CopySourceIfMatch). */
  sourceEtag?: string;
  /** Copy this version of the source (a noncurrent one too); needs sourceSize. */
  sourceVersionId?: string;
  /** Source size; when known, saves a HeadObject before choosing CopyObject vs multipart. */
  sourceSize?: number;
  encryption?: EncryptionOptions;
  sourceEncryption?: EncryptionOptions;
  metadata?: Record<string, string>;
}

export interface CopyResult {
  key: string;
  size: number;
  etag: string;
  multipart: boolean;
}

export interface DeleteResult {
  deleted: string[];
  errors: { key: string; code: string; message: string }[];
}

export interface HeadResult extends ObjectInfo {
  metadata: Record<string, string>;
  serverSideEncryption?: string;
  kmsKeyId?: string;
  sseCustomerAlgorithm?: string;
  objectLockMode?: string;
  objectLockRetainUntil?: Date;
  versionId?: string;
}

export type Body = Uint8Array | Readable;

/** A body of known length that arrives as a stream (an object read on its way to another store). */
export interface SizedStream {
  stream: Readable;
  length: number;
}

/** An object being read: its bytes as a stream, and what the answer said about them. */
export interface ObjectReadStream {
  body: Readable;
  size: number;
  /** Without quotes. */
  etag: string;
  /** Server-side encryption the answer reported ('aws:kms', 'AES256'…; SSE-C as 'SSE-C'): the ETag is then no MD5 of the bytes, except for AES256. */
  encryption?: string;
}

/**
 * Everything lakevault does to an object store. One implementation talks to S3
 * (S3Store); wrappers (fault counting, dry runs) can stand in front of it.
 */
export interface ObjectStore {
  readonly endpoint: string;
  /**
   * The store's endpoint as snapshots record it, when the URL is not stable (the embedded
   * server's port changes every run): see snapshot/identity.ts.
   */
  readonly identity?: string | undefined;
  list(bucket: string, prefix: string): AsyncIterable<ObjectInfo>;
  listCommonPrefixes(bucket: string, prefix: string, delimiter?: string): AsyncIterable<string>;
  head(bucket: string, key: string, encryption?: EncryptionOptions): Promise<HeadResult | undefined>;
  getBytes(bucket: string, key: string, encryption?: EncryptionOptions): Promise<Uint8Array>;
  getRange(bucket: string, key: string, start: number, endExclusive: number, options?: { etag?: string; encryption?: EncryptionOptions }): Promise<Uint8Array>;
  /** The whole object as a stream, pinned to an ETag when given (If-Match, and the answer's ETag checked). */
  openRead(bucket: string, key: string, options?: { etag?: string; encryption?: EncryptionOptions }): Promise<ObjectReadStream>;
  /** One PutObject: bytes, text, or a stream of known length (sent as it arrives; never retried by the store). */
  put(bucket: string, key: string, body: Uint8Array | string | SizedStream, options?: PutOptions): Promise<ObjectInfo>;
  upload(bucket: string, key: string, body: Body, options?: PutOptions): Promise<ObjectInfo>;
  /** Starts a multipart upload whose parts the caller sends (a copy between endpoints: store/cross-copy.ts). */
  startMultipartUpload(bucket: string, key: string, options?: MultipartOptions): Promise<MultipartUpload>;
  copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, options?: CopyOptions): Promise<CopyResult>;
  deleteKeys(bucket: string, keys: string[]): Promise<DeleteResult>;
  bucketExists(bucket: string): Promise<boolean>;
  ensureBucket(bucket: string, options?: { objectLock?: boolean }): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
}
