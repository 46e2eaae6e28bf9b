import type { Config } from '../config/config';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { completeSnapshots, listTableSnapshots, summarize, type SnapshotSummary } from '../snapshot/catalog';
import { createSnapshot, type CreateSnapshotOptions, type CreateSnapshotResult } from '../snapshot/create';
import type { SnapshotManifest } from '../snapshot/manifest';
import { checkpointRepository } from '../snapshot/repository';
import { NotFoundError } from '../errors';

/** A recovery point of a table in s3://lake-checkpoints: a self-contained snapshot. */
export function createCheckpoint(store: ObjectStore, config: Config, table: TableRef, options: Omit<CreateSnapshotOptions, 'concurrency'> & { concurrency?: number } = {}): Promise<CreateSnapshotResult> {
  return createSnapshot(store, checkpointRepository(config), table, { ...options, concurrency: options.concurrency ?? config.concurrency });
}

export async function listCheckpoints(store: ObjectStore, config: Config, table: string): Promise<SnapshotSummary[]> {
  const repo = checkpointRepository(config);
  return (await listTableSnapshots(store, repo, table)).map((entry) => summarize(repo, entry));
}

/** The table's newest complete checkpoint, or a clear error when it has none. */
export async function latestCheckpoint(store: ObjectStore, config: Config, table: string): Promise<SnapshotManifest> {
  const [latest] = await completeSnapshots(store, checkpointRepository(config), table);
  if (!latest) throw new NotFoundError(`table ${table} has no complete checkpoint in s3://${config.checkpoints.bucket}/${config.checkpoints.prefix}`);
  return latest;
}
