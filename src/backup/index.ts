import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { restoreSnapshot, type RestoreOptions, type RestoreResult } from '../restore/restore';
import { listSnapshots, requireCompleteSnapshot, summarize, type SnapshotReference, type SnapshotSummary } from '../snapshot/catalog';
import { createSnapshot, type CreateSnapshotOptions, type CreateSnapshotResult } from '../snapshot/create';
import { deleteSnapshot, type DeleteSnapshotOptions, type DeleteSnapshotResult } from '../snapshot/delete';
import type { SnapshotManifest } from '../snapshot/manifest';
import { backupRepository, type KeyedConfig } from '../snapshot/repository';
import { pruneSnapshots, type PruneOptions, type PruneResult } from './prune';

/**
 * Backups as a library: the same functions the `lakevault backup` commands use, over the
 * repository the configuration names (s3://lake-backups by default, or `to`). Tables are
 * TableRefs (their location): snapshots are selected by it, never by a name.
 */
export interface BackupOptions extends Omit<CreateSnapshotOptions, 'concurrency'> {
  concurrency?: number;
  /** Another repository, s3://bucket/prefix. */
  to?: string;
  /** Copy every file even when an earlier backup holds the same content. */
  full?: boolean;
}

export function createBackup(store: ObjectStore, config: KeyedConfig, table: TableRef, options: BackupOptions = {}): Promise<CreateSnapshotResult> {
  const { to, full, concurrency, ...rest } = options;
  const repo = { ...backupRepository(config, to ? { to } : {}), ...(full ? { incremental: false } : {}) };
  return createSnapshot(store, repo, table, { ...rest, concurrency: concurrency ?? config.concurrency });
}

/** Backups of one table, or of every table, oldest first. */
export async function listBackups(store: ObjectStore, config: KeyedConfig, table?: TableRef): Promise<SnapshotSummary[]> {
  const repo = backupRepository(config);
  return (await listSnapshots(store, repo, table?.location)).map((entry) => summarize(repo, entry));
}

/** A complete backup's manifest by id (optionally of one table's location); incomplete or unknown → NotFoundError. */
export function getBackup(store: ObjectStore, config: KeyedConfig, reference: SnapshotReference): Promise<SnapshotManifest> {
  return requireCompleteSnapshot(store, backupRepository(config), reference);
}

export function deleteBackup(store: ObjectStore, config: KeyedConfig, reference: SnapshotReference, options: DeleteSnapshotOptions = {}): Promise<DeleteSnapshotResult> {
  return deleteSnapshot(store, backupRepository(config), reference, options);
}

export function pruneBackups(store: ObjectStore, config: KeyedConfig, table: TableRef, options: PruneOptions): Promise<PruneResult> {
  return pruneSnapshots(store, backupRepository(config), table, options);
}

export async function restoreBackup(store: ObjectStore, config: KeyedConfig, reference: SnapshotReference, target: TableRef, options: Partial<RestoreOptions> = {}): Promise<RestoreResult> {
  const repo = backupRepository(config);
  const manifest = await requireCompleteSnapshot(store, repo, reference);
  return restoreSnapshot(store, repo, manifest, target, { force: false, concurrency: config.concurrency, ...options });
}

export type { CreateSnapshotResult as BackupResult, SnapshotSummary as BackupSummary, PruneOptions, PruneResult, RestoreResult, DeleteSnapshotResult };
