import type { Config } from '../config/config';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { completeSnapshots, listRepository, summarize, type OrphanEntry, type SnapshotSummary } from '../snapshot/catalog';
import { createSnapshot, type CreateSnapshotOptions, type CreateSnapshotResult } from '../snapshot/create';
import type { SnapshotManifest } from '../snapshot/manifest';
import { checkpointRepository } from '../snapshot/repository';
import { NotFoundError } from '../errors';
import { openTableSource } from '../sources/registry';

/** A recovery point of a table in s3://lake-checkpoints: a self-contained snapshot. */
export function createCheckpoint(store: ObjectStore, config: Config, table: TableRef, options: Omit<CreateSnapshotOptions, 'concurrency'> & { concurrency?: number } = {}): Promise<CreateSnapshotResult> {
  return createSnapshot(store, checkpointRepository(config), table, openTableSource, { ...options, concurrency: options.concurrency ?? config.concurrency });
}

/** The checkpoints of one table (its location) or of all, oldest first, and orphaned checkpoint folders where they would be. */
export async function listCheckpoints(store: ObjectStore, config: Config, table?: TableRef): Promise<{ checkpoints: SnapshotSummary[]; orphaned: OrphanEntry[] }> {
  const repo = checkpointRepository(config);
  const { entries, orphans } = await listRepository(store, repo, table?.location);
  return { checkpoints: entries.map((entry) => summarize(repo, entry)), orphaned: orphans };
}

/** The newest complete checkpoint of this table — taken of its location — or a clear error when it has none. */
export async function latestCheckpoint(store: ObjectStore, config: Pick<Config, 'checkpoints' | 'manifestKey'>, table: TableRef): Promise<SnapshotManifest> {
  const [latest] = await completeSnapshots(store, checkpointRepository(config), table.location);
  if (!latest) throw new NotFoundError(`no complete checkpoint of ${table.uri} in s3://${config.checkpoints.bucket}/${config.checkpoints.prefix}${config.manifestKey ? ' that the manifest key authenticates' : ''}`);
  return latest;
}
