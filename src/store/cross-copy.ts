import { createHash } from 'node:crypto';
import { IntegrityError, StoreError, UsageError } from '../errors';
import { ByteBudget } from '../util/byte-budget';
import { runPool } from '../util/pool';
import { choosePartSize } from './multipart-copy';
import { probeWriteIntegrity, type IntegrityChoice, type WriteIntegrity } from './write-integrity';
import type { EncryptionOptions, ObjectInfo, ObjectReadStream, ObjectStore, UploadedPart, WriteChecksums } from './types';

/*
 * Copies objects from one store to another when no server-side copy reaches (another
 * endpoint, another account): the bytes stream through this process, GET → PUT.
 *
 * - Bounded memory, whatever the object sizes. An object up to `partSize` is read into one
 *   buffer and written with one PutObject; a larger one is a multipart upload whose parts are
 *   read with ranged GETs, in parallel — or, when its ETag is the MD5 of its bytes (one PUT,
 *   no KMS or SSE-C) and it is at most `streamLimit`, streamed from its GET into one PutObject.
 *   Every buffer first takes its size from one budget (`bufferBytes`, default 16 parts; a
 *   stream takes 1 MiB), so the bytes held never exceed it.
 * - No hashing where the source already has the digest: a whole object whose ETag is its MD5
 *   is written with that ETag as Content-MD5, so the destination checks that it received
 *   exactly the source's bytes (both legs of the trip); other writes carry the MD5 computed
 *   here.
 * - Each byte crosses the client once: the parts' ranges tile each object exactly. (A streamed
 *   write the destination does not accept is copied again by parts: only then twice.)
 * - Pinned to the source's version: every GET carries If-Match with the ETag the caller
 *   gives, and its answer's ETag is checked too; a source that changes mid-copy fails that
 *   object with a ConflictError and its upload is aborted.
 * - Verified: each write carries Content-MD5 and, where the destination verifies them, a
 *   CRC32C or CRC64NVME too (write-integrity.ts); from a destination that checks no
 *   Content-MD5, the MD5 answered as the ETag must be the one sent.
 * - Resumable: a copy records its source's ETag in the destination object's metadata; an item
 *   whose destination the caller lists as present, with the source's size, is skipped once a
 *   HEAD shows that ETag. A failed multipart upload is aborted.
 */

/** Metadata key (x-amz-meta-…) holding the ETag of the object a copy was made from. */
export const SOURCE_ETAG_METADATA = 'lakevault-source-etag';

const MiB = 1024 * 1024;
/** S3's smallest part (but the last). */
const MIN_PART_SIZE = 5 * MiB;

export const CROSS_COPY_DEFAULTS = {
  concurrency: 64,
  partSize: 8 * MiB,
  /** Parts held at once by default: 16 × 8 MiB = 128 MiB of buffered bytes. */
  bufferParts: 16,
  /** Larger objects go by parallel parts even when they could stream: one connection is slower. */
  streamLimit: 64 * MiB,
} as const;

/** What a stream holds on its way (socket and stream buffers), taken from the budget. */
const STREAM_HOLD = MiB;

export interface CrossCopyItem {
  source: { bucket: string; key: string; size: number; etag: string };
  destination: { bucket: string; key: string };
}

export interface CrossCopyOptions {
  /** Objects in flight at once (default 64); the parts of large ones are bounded by bufferBytes. */
  concurrency?: number;
  /** Bytes per part, and the largest object copied with one GET and one PUT (default 8 MiB, at least 5 MiB). */
  partSize?: number;
  /** The most bytes held in buffers at once (default 16 parts); at least one part. */
  bufferBytes?: number;
  /** The largest object streamed from GET to PUT when its ETag is its MD5 (default 64 MiB; 0: never). */
  streamLimit?: number;
  /**
   * What the destination already holds, by destination key (from a listing the caller made).
   * An item found there with its source's size is HEADed and skipped when it was copied from
   * the same source ETag; without this map every item is copied.
   */
  present?: ReadonlyMap<string, ObjectInfo>;
  /** Which checksums the writes carry (default 'auto': probe the destination, write-integrity.ts). */
  integrity?: IntegrityChoice;
  /** Where the integrity probe may start (and abort) its uploads: a prefix the caller writes under. */
  probePrefix?: string;
  sourceEncryption?: EncryptionOptions;
  encryption?: EncryptionOptions;
  metadata?: (item: CrossCopyItem) => Record<string, string>;
  onProgress?: (progress: { objects: number; bytes: number }) => void;
}

export interface CrossCopied {
  source: CrossCopyItem['source'];
  destination: CrossCopyItem['destination'];
  /** ETag of the new copy (unquoted). */
  etag: string;
  parts: number;
}

export interface CrossCopyResult {
  copied: CrossCopied[];
  /** Destination keys that already held a copy of the same source version. */
  skipped: string[];
  /** Body bytes this run read from the source and wrote to the destination. */
  bytesRead: number;
  bytesWritten: number;
  /** The checks the writes carried, per destination bucket. */
  integrity: Record<string, WriteIntegrity>;
  elapsedMs: number;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

/** A stream of a known length into one buffer of that length. */
async function collect(stream: NodeJS.ReadableStream, length: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.length > length) throw new IntegrityError(`the source sent more than the ${length} bytes it announced`);
    chunk.copy(body, at);
    at += chunk.length;
  }
  if (at !== length) throw new StoreError(`the source's answer was cut short: ${at} of ${length} bytes`);
  return body;
}

/** An ETag that is the MD5 of the object's bytes: one PUT, unencrypted or SSE-S3 (S3's rule). */
function md5OfEtag(etag: string, encryption: string | undefined): Buffer | undefined {
  if (!/^[0-9a-f]{32}$/.test(etag) || (encryption !== undefined && encryption !== 'AES256')) return undefined;
  return Buffer.from(etag, 'hex');
}

/**
 * Copies `items` from `source` to `destination` (see the top of this file). The items may be
 * a streamed listing: it is consumed as the copy goes.
 */
export async function crossCopy(
  source: ObjectStore,
  destination: ObjectStore,
  items: Iterable<CrossCopyItem> | AsyncIterable<CrossCopyItem>,
  options: CrossCopyOptions = {},
): Promise<CrossCopyResult> {
  const started = Date.now();
  const partSize = options.partSize ?? CROSS_COPY_DEFAULTS.partSize;
  if (partSize < MIN_PART_SIZE) throw new UsageError(`the part size of a copy between endpoints must be at least 5 MiB, got ${partSize} bytes`);
  const budget = new ByteBudget(options.bufferBytes ?? CROSS_COPY_DEFAULTS.bufferParts * partSize);
  if (budget.total < partSize) throw new UsageError(`the buffer of a copy between endpoints must hold at least one part (${partSize} bytes), got ${budget.total}`);
  const streamLimit = options.streamLimit ?? CROSS_COPY_DEFAULTS.streamLimit;
  const result: CrossCopyResult = { copied: [], skipped: [], bytesRead: 0, bytesWritten: 0, integrity: {}, elapsedMs: 0 };
  const progress = { objects: 0, bytes: 0 };
  let reportedAt = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - reportedAt < 100)) return;
    reportedAt = now;
    options.onProgress({ ...progress });
  };

  const integrityFor = async (bucket: string): Promise<WriteIntegrity> => {
    const integrity = await probeWriteIntegrity(destination, bucket, options.probePrefix ?? '', options.integrity ?? 'auto');
    result.integrity[bucket] = integrity;
    return integrity;
  };

  const checksumsFor = (body: Uint8Array, integrity: WriteIntegrity): WriteChecksums => ({
    md5: md5(body),
    ...(integrity.flexible ? { flexible: { algorithm: integrity.flexible } } : {}),
  });

  /** From a destination that verifies no Content-MD5, the answered ETag must be the MD5 sent. */
  const checkAnswer = (what: string, sent: WriteChecksums, etag: string, integrity: WriteIntegrity) => {
    if (integrity.contentMd5 === 'server') return;
    const expected = Buffer.from(sent.md5).toString('hex');
    if (etag !== expected) {
      throw new IntegrityError(`${what}: the destination verifies no Content-MD5 and answered ETag ${etag || '(none)'} for bytes whose MD5 is ${expected}`);
    }
  };

  const metadataFor = (item: CrossCopyItem) => ({ ...options.metadata?.(item), [SOURCE_ETAG_METADATA]: item.source.etag });
  const where = (item: CrossCopyItem) => `s3://${item.destination.bucket}/${item.destination.key}`;

  async function alreadyCopied(item: CrossCopyItem): Promise<boolean> {
    const listed = options.present?.get(item.destination.key);
    if (!listed || listed.size !== item.source.size) return false;
    const head = await destination.head(item.destination.bucket, item.destination.key, options.encryption?.customerKey ? options.encryption : undefined);
    return head !== undefined && head.size === item.source.size && head.metadata[SOURCE_ETAG_METADATA] === item.source.etag;
  }

  /** Bytes [start, end) of the item's source, in a buffer the budget has room for; release when written. */
  async function read(item: CrossCopyItem, start: number, end: number): Promise<{ body: Uint8Array; release: () => void }> {
    const release = await budget.take(end - start);
    try {
      const body = end > start
        ? await source.getRange(item.source.bucket, item.source.key, start, end, {
          etag: item.source.etag,
          ...(options.sourceEncryption ? { encryption: options.sourceEncryption } : {}),
        })
        : new Uint8Array(0);
      result.bytesRead += body.length;
      return { body, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Writes one object's bytes with one PutObject; the checks of write-integrity.ts and the answer's. */
  async function putWhole(item: CrossCopyItem, body: Uint8Array, checksums: WriteChecksums, integrity: WriteIntegrity): Promise<CrossCopied> {
    const stored = await destination.put(item.destination.bucket, item.destination.key, body, {
      metadata: metadataFor(item),
      checksums,
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
    result.bytesWritten += body.length;
    try {
      checkAnswer(`copy to ${where(item)}`, checksums, stored.etag, integrity);
    } catch (error) {
      // Stored with its source's ETag in its metadata, a damaged copy would pass for done on a rerun.
      await destination.deleteKeys(item.destination.bucket, [item.destination.key]).catch(() => undefined);
      throw error;
    }
    progress.bytes += body.length;
    return { source: item.source, destination: item.destination, etag: stored.etag, parts: 1 };
  }

  /**
   * An object copied with one GET and one PutObject: read into one buffer when it is at most
   * a part, else streamed from the GET into the PUT. When its ETag is the MD5 of its bytes,
   * that ETag is the Content-MD5 (nothing hashed here, and the destination checks the bytes
   * against the source's own digest); otherwise the buffer's MD5 is. Undefined when it must
   * go by parts instead: too large to buffer and no MD5 to stream with (nothing written), or
   * a stream the destination did not take.
   */
  async function copyWhole(item: CrossCopyItem, integrity: WriteIntegrity): Promise<CrossCopied | undefined> {
    const buffered = item.source.size <= partSize;
    const release = await budget.take(buffered ? item.source.size : Math.min(item.source.size, STREAM_HOLD));
    try {
      if (item.source.size === 0) return await putWhole(item, new Uint8Array(0), checksumsFor(new Uint8Array(0), integrity), integrity);
      const read = await source.openRead(item.source.bucket, item.source.key, {
        etag: item.source.etag,
        ...(options.sourceEncryption ? { encryption: options.sourceEncryption } : {}),
      });
      const sourceMd5 = md5OfEtag(read.etag, read.encryption);
      if (read.size !== item.source.size || (!buffered && !sourceMd5)) {
        read.body.destroy();
        if (read.size !== item.source.size) throw new IntegrityError(`read s3://${item.source.bucket}/${item.source.key}: ${read.size} bytes, ${item.source.size} listed`);
        return undefined;
      }
      const flexible = integrity.flexible ? { flexible: { algorithm: integrity.flexible } } : {};
      if (buffered) {
        const body = await collect(read.body, read.size);
        result.bytesRead += body.length;
        return await putWhole(item, body, sourceMd5 ? { md5: sourceMd5, ...flexible } : checksumsFor(body, integrity), integrity);
      }
      return await putStreamed(item, read, { md5: sourceMd5!, ...flexible }, integrity);
    } finally {
      release();
    }
  }

  /** The stream of one GET as the body of one PutObject; undefined when the destination did not take it. */
  async function putStreamed(item: CrossCopyItem, read: ObjectReadStream, checksums: WriteChecksums, integrity: WriteIntegrity): Promise<CrossCopied | undefined> {
    let streamed = 0;
    read.body.on('data', (chunk: Buffer) => { streamed += chunk.length; });
    try {
      const stored = await destination.put(item.destination.bucket, item.destination.key, { stream: read.body, length: read.size }, {
        metadata: metadataFor(item),
        checksums,
        ...(options.encryption ? { encryption: options.encryption } : {}),
      });
      if (integrity.contentMd5 === 'etag' && stored.etag !== read.etag) {
        await destination.deleteKeys(item.destination.bucket, [item.destination.key]).catch(() => undefined);
        return undefined;
      }
      result.bytesWritten += read.size;
      progress.bytes += read.size;
      return { source: item.source, destination: item.destination, etag: stored.etag, parts: 1 };
    } catch {
      read.body.destroy();
      return undefined;
    } finally {
      result.bytesRead += streamed;
    }
  }

  async function copyInParts(item: CrossCopyItem, integrity: WriteIntegrity): Promise<CrossCopied> {
    const size = item.source.size;
    const part = choosePartSize(size, partSize);
    const count = Math.ceil(size / part);
    const upload = await destination.startMultipartUpload(item.destination.bucket, item.destination.key, {
      metadata: metadataFor(item),
      ...(integrity.flexible ? { checksum: integrity.flexible } : {}),
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
    try {
      const parts: UploadedPart[] = [];
      const numbers = Array.from({ length: count }, (_, i) => i + 1);
      await runPool(numbers, Math.max(1, Math.floor(budget.total / part)), async (partNumber) => {
        const start = (partNumber - 1) * part;
        const { body, release } = await read(item, start, Math.min(size, start + part));
        try {
          const checksums = checksumsFor(body, integrity);
          const uploaded = await upload.putPart(partNumber, body, checksums);
          result.bytesWritten += body.length;
          checkAnswer(`part ${partNumber} of ${where(item)}`, checksums, uploaded.etag, integrity);
          parts.push(uploaded);
          progress.bytes += body.length;
          report(false);
        } finally {
          release();
        }
      });
      const { etag } = await upload.complete(parts);
      return { source: item.source, destination: item.destination, etag, parts: count };
    } catch (error) {
      await upload.abort();
      throw error;
    }
  }

  await runPool(items, options.concurrency ?? CROSS_COPY_DEFAULTS.concurrency, async (item) => {
    if (await alreadyCopied(item)) {
      result.skipped.push(item.destination.key);
      return;
    }
    const integrity = await integrityFor(item.destination.bucket);
    const whole = item.source.size <= Math.max(partSize, streamLimit) ? await copyWhole(item, integrity) : undefined;
    const copied = whole ?? await copyInParts(item, integrity);
    result.copied.push(copied);
    progress.objects += 1;
    report(false);
  });
  report(true);
  result.elapsedMs = Date.now() - started;
  return result;
}
