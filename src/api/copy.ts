import { NotFoundError } from '../errors';
import { formatS3Uri, parseS3Uri, type Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { refuseOverlap } from '../store/overlap';
import { copyPrefix, type CopiedObject } from '../store/prefix-copy';
import type { ApiContext, CallOptions } from './context';
import { formatBytes, formatCount } from '../util/units';
import { report, type Report } from './report';

export type CopyReport = Report<{
  source: string;
  destination: string;
  objects: number;
  bytes: number;
  elapsedMs: number;
  objectsPerSecond: number;
  /** Requests the SDK retried during this copy. */
  retries: number;
  copied: CopiedObject[];
}>;

export interface CopyOptions extends CallOptions {
  /** An empty or missing source copies nothing and succeeds (by default it is an error). */
  allowEmpty?: boolean;
}

/** Copies every object under one s3:// prefix to another, server-side. */
export async function copy(context: ApiContext, source: string, destination: string, options: CopyOptions = {}): Promise<CopyReport> {
  const from = parseS3Uri(source);
  const to = parseS3Uri(destination);
  refuseOverlap([{ name: 'the source', location: from }, { name: 'the destination', location: to }]);
  const { config, store } = context;
  const retriesBefore = store.stats.retries;
  const progress = context.progress('copy', options.onProgress);
  // A typo in the source would otherwise "succeed" with nothing copied.
  if (!options.allowEmpty && !(await holdsObjects(store, from))) {
    throw new NotFoundError(`nothing to copy: no objects under ${formatS3Uri(from)} (the bucket or prefix does not exist or is empty); --allow-empty accepts that`);
  }
  await store.ensureBucket(to.bucket);
  const result = await copyPrefix(store, from, to, {
    concurrency: config.concurrency,
    onProgress: (p) => progress(`copy: ${formatCount(p.objects)} objects, ${formatBytes(p.bytes)}`, { ...p }),
  });
  const seconds = result.elapsedMs / 1000;
  return report({
    source: formatS3Uri(from),
    destination: formatS3Uri(to),
    objects: result.objects.length,
    bytes: result.totalBytes,
    elapsedMs: result.elapsedMs,
    objectsPerSecond: seconds > 0 ? Math.round(result.objects.length / seconds) : result.objects.length,
    retries: store.stats.retries - retriesBefore,
    copied: result.objects,
  });
}

/** Whether anything is stored under a prefix (a missing bucket holds nothing). */
async function holdsObjects(store: ObjectStore, at: Location): Promise<boolean> {
  if (!(await store.bucketExists(at.bucket))) return false;
  for await (const _object of store.list(at.bucket, at.prefix)) return true;
  return false;
}
