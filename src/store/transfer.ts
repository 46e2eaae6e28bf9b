import { crossCopy } from './cross-copy';
import { copyObjects, type CopyItem, type CopiedObject, type PrefixCopyOptions, type PrefixCopyResult } from './prefix-copy';
import type { Location } from './location';
import type { ObjectInfo, ObjectStore } from './types';

/**
 * Where a snapshot's bytes come from and where they go. One store: the copy stays on the
 * server (CopyObject, UploadPartCopy). Two stores (a repository or a table on another
 * endpoint): the bytes stream through this process (store/cross-copy.ts), verified on
 * their way.
 */
export interface StoreRoute {
  source: ObjectStore;
  destination: ObjectStore;
}

export function sameStore(route: StoreRoute): boolean {
  return route.source === route.destination;
}

export interface TransferOptions extends PrefixCopyOptions {
  /**
   * A rerun of an interrupted copy between endpoints: the destination is listed under this
   * location first, and what a previous run copied from the same source version is kept.
   */
  resumeUnder?: Location;
}

export interface Transferred extends PrefixCopyResult {
  /** Relative keys a previous, interrupted run had already copied (between endpoints). */
  resumed: Set<string>;
}

/**
 * Copies items along a route, with copyObjects' result either way: a copy between endpoints
 * reports each object's new ETag (a multipart upload's "…-N"), and the objects a resumed run
 * found already copied, read back with a HEAD.
 */
export async function transferObjects(route: StoreRoute, items: CopyItem[], options: TransferOptions): Promise<Transferred> {
  if (sameStore(route)) return { ...(await copyObjects(route.destination, items, options)), resumed: new Set() };
  const started = Date.now();
  const present = options.resumeUnder ? await listing(route.destination, options.resumeUnder) : undefined;
  const byDestination = new Map(items.map((item) => [`${item.dstBucket}/${item.dstKey}`, item]));
  const copied = await crossCopy(route.source, route.destination, items.map((item) => ({
    source: { bucket: item.source.bucket, key: item.source.key, size: item.source.size, etag: item.source.etag },
    destination: { bucket: item.dstBucket, key: item.dstKey },
  })), {
    concurrency: options.concurrency,
    ...(present ? { present } : {}),
    ...(options.resumeUnder ? { probePrefix: options.resumeUnder.prefix } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const objects: CopiedObject[] = copied.copied.map((object) => {
    const item = byDestination.get(`${object.destination.bucket}/${object.destination.key}`)!;
    // The bytes were checked on their way (Content-MD5, checksums); the new ETag differs from the
    // source's when it was written in parts or the source's was no MD5 (a multipart upload).
    return { relativeKey: item.relativeKey, size: object.source.size, sourceEtag: object.source.etag, etag: object.etag, multipart: object.etag !== object.source.etag };
  });
  const resumed = new Set<string>();
  const byKey = new Map(items.map((item) => [item.dstKey, item]));
  for (const key of copied.skipped) {
    const item = byKey.get(key)!;
    resumed.add(item.relativeKey);
    const head = await route.destination.head(item.dstBucket, item.dstKey);
    objects.push({ relativeKey: item.relativeKey, size: head?.size ?? -1, sourceEtag: item.source.etag, etag: head?.etag ?? '', multipart: (head?.etag ?? '').includes('-') });
  }
  return { objects, totalBytes: objects.reduce((sum, object) => sum + object.size, 0), elapsedMs: Date.now() - started, resumed };
}

async function listing(store: ObjectStore, under: Location): Promise<Map<string, ObjectInfo>> {
  const present = new Map<string, ObjectInfo>();
  for await (const object of store.list(under.bucket, under.prefix)) present.set(object.key, object);
  return present;
}
