import { diffSnapshots, DEFAULT_MEMORY_BUDGET_BYTES, type DiffResult } from '../diff';
import { UsageError } from '../errors';
import { resolveFileSet } from './subjects';
import { fileSetAsOf } from '../timeline/read';
import { isS3Uri, parseS3Uri } from '../store/location';
import type { ApiContext, CallOptions } from './context';
import { formatCount } from '../util/units';
import { report, type Report } from './report';

export type DiffReport = Report<DiffResult>;

export interface DiffOptions extends CallOptions {
  /** s3:// prefix (empty) to write the added and removed rows to, as a table with a `_change_type` column. */
  out?: string;
  /** MiB the row digests may take in memory before they spill to disk (default 256). */
  memoryMb?: number;
  /** Files read at once, one worker thread each (default min(2, CPUs)). */
  workers?: number;
  /** Fail a file whose reader makes no progress for this long (default 60 s). */
  fileTimeoutMs?: number;
  /** Read `a`, a table, as of this time (or point of its history): `diff t t --as-of T` is what changed since T. */
  asOf?: string;
}

export const MAX_MEMORY_MB = 65_536;

/** `diff <a> <b>`: which files differ between two snapshots, then which rows were added and removed. */
export async function diff(context: ApiContext, a: string, b: string, options: DiffOptions = {}): Promise<DiffReport> {
  if (options.out !== undefined && !isS3Uri(options.out)) throw new UsageError(`--out must be an s3:// prefix, got "${options.out}"`);
  const out = options.out !== undefined ? parseS3Uri(options.out) : undefined;
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_BUDGET_BYTES / 1024 / 1024;
  if (!Number.isSafeInteger(memoryMb) || memoryMb < 16 || memoryMb > MAX_MEMORY_MB) throw new UsageError(`the memory budget must be a whole number of MiB from 16 to ${formatCount(MAX_MEMORY_MB)}, got ${memoryMb}`);
  if (options.workers !== undefined && (!Number.isSafeInteger(options.workers) || options.workers < 1 || options.workers > 64)) throw new UsageError(`workers must be a whole number from 1 to 64, got ${options.workers}`);
  const { config, store } = context;
  const setA = options.asOf !== undefined ? await fileSetAsOf(store, config, a, options.asOf) : await resolveFileSet(store, config, a);
  const setB = await resolveFileSet(store, config, b);
  const progress = context.progress('diff', options.onProgress);
  return report(await diffSnapshots(store, setA, setB, {
    ...(out ? { out } : {}),
    memoryBudgetBytes: memoryMb * 1024 * 1024,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.fileTimeoutMs !== undefined ? { fileTimeoutMs: options.fileTimeoutMs } : {}),
    onProgress: (p) => progress(`diff: ${p.phase === 'digests' ? 'digesting' : 'picking changed'} rows ${formatCount(p.rows)}/${formatCount(p.totalRows)}`, p),
  }));
}
