import { formatS3Uri, parseS3Uri } from '../store/location';
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

/** Copies every object under one s3:// prefix to another, server-side. */
export async function copy(context: ApiContext, source: string, destination: string, options: CallOptions = {}): Promise<CopyReport> {
  const from = parseS3Uri(source);
  const to = parseS3Uri(destination);
  refuseOverlap([{ name: 'the source', location: from }, { name: 'the destination', location: to }]);
  const { config, store } = context;
  const retriesBefore = store.stats.retries;
  const progress = context.progress('copy', options.onProgress);
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
