import { runPool } from '../util/pool';
import type { Location } from './location';
import type { CopyOptions, ObjectInfo, ObjectStore } from './types';

export interface CopiedObject {
  /** Key relative to the source prefix (= relative to the destination prefix). */
  relativeKey: string;
  size: number;
  /** ETag of the source at listing time and of the new copy (they differ for multipart). */
  sourceEtag: string;
  etag: string;
  multipart: boolean;
}

export interface CopyProgress {
  objects: number;
  bytes: number;
}

export interface PrefixCopyOptions {
  concurrency: number;
  onProgress?: (progress: CopyProgress) => void;
  /** Per-object options (encryption, metadata). */
  copyOptions?: (object: ObjectInfo) => CopyOptions;
}

export interface PrefixCopyResult {
  objects: CopiedObject[];
  totalBytes: number;
  elapsedMs: number;
}

/** One object to copy: where it is and where it goes. */
export interface CopyItem {
  /** A versionId names one version of the source object (a noncurrent one too). */
  source: ObjectInfo & { bucket: string; versionId?: string };
  dstBucket: string;
  dstKey: string;
  relativeKey: string;
}

/**
 * Copies a list of objects server-side with bounded concurrency. The items may be a
 * streamed listing: at most `concurrency` of them are held at once beyond the results.
 */
export async function copyObjects(store: ObjectStore, items: Iterable<CopyItem> | AsyncIterable<CopyItem>, options: PrefixCopyOptions): Promise<PrefixCopyResult> {
  const started = Date.now();
  const objects: CopiedObject[] = [];
  const progress: CopyProgress = { objects: 0, bytes: 0 };
  // Progress at most ten times a second, and once at the end: a listener that formats a
  // line per object would cost more CPU than the copies themselves.
  let reportedAt = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - reportedAt < 100)) return;
    reportedAt = now;
    options.onProgress({ ...progress });
  };
  await runPool(items, options.concurrency, async (item) => {
    const extra = options.copyOptions?.(item.source) ?? {};
    const copied = await store.copy(item.source.bucket, item.source.key, item.dstBucket, item.dstKey, {
      sourceEtag: item.source.etag,
      sourceSize: item.source.size,
      ...(item.source.versionId !== undefined ? { sourceVersionId: item.source.versionId } : {}),
      ...extra,
    });
    objects.push({ relativeKey: item.relativeKey, size: copied.size, sourceEtag: item.source.etag, etag: copied.etag, multipart: copied.multipart });
    progress.objects += 1;
    progress.bytes += copied.size;
    report(false);
  });
  report(true);
  objects.sort((a, b) => (a.relativeKey < b.relativeKey ? -1 : a.relativeKey > b.relativeKey ? 1 : 0));
  return { objects, totalBytes: progress.bytes, elapsedMs: Date.now() - started };
}

/** list → copy: every object under `from` lands at the same relative key under `to`. */
export async function copyPrefix(store: ObjectStore, from: Location, to: Location, options: PrefixCopyOptions): Promise<PrefixCopyResult> {
  async function* items(): AsyncIterable<CopyItem> {
    for await (const object of store.list(from.bucket, from.prefix)) {
      const relativeKey = object.key.slice(from.prefix.length);
      yield { source: { ...object, bucket: from.bucket }, dstBucket: to.bucket, dstKey: to.prefix + relativeKey, relativeKey };
    }
  }
  return copyObjects(store, items(), options);
}
