import type { Config } from '../config/config';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { restoreSnapshot, type RestoreOptions, type RestoreResult } from '../restore/restore';
import { listSnapshots, requireCompleteSnapshot, summarize, type SnapshotSummary } from '../snapshot/catalog';
import { createSnapshot, type CreateSnapshotOptions, type CreateSnapshotResult } from '../snapshot/create';
import { deleteSnapshot, type DeleteSnapshotOptions, type DeleteSnapshotResult } from '../snapshot/delete';
import type { SnapshotManifest } from '../snapshot/manifest';
import { backupRepository } from '../snapshot/repository';
import { pruneSnapshots, type PruneOptions, type PruneResult } from './prune';

/**
 * Backups as a library: the same functions the `lakevault backup` commands use, over the
 * repository the configuration names (s3://lake-backups by default, or `to`).
 */
export interface BackupOptions extends Omit<CreateSnapshotOptions, 'concurrency'> {
  concurrency?: number;
  /** Another repository, s3://bucket/prefix. */
  to?: string;
  /** Copy every file even when an earlier backup holds the same content. */
  full?: boolean;
}

export function createBackup(store: ObjectStore, config: Config, table: TableRef, options: BackupOptions = {}): Promise<CreateSnapshotResult> {
  const { to, full, concurrency, ...rest } = options;
  const repo = { ...backupRepository(config, to ? { to } : {}), ...(full ? { incremental: false } : {}) };
  return createSnapshot(store, repo, table, { ...rest, concurrency: concurrency ?? config.concurrency });
}

export async function listBackups(store: ObjectStore, config: Config, table?: string): Promise<SnapshotSummary[]> {
  const repo = backupRepository(config);
  return (await listSnapshots(store, repo, table)).map((entry) => summarize(repo, entry));
}

/** A complete backup's manifest by `<id>` or `<table>/<id>`; incomplete or unknown → NotFoundError. */
export function getBackup(store: ObjectStore, config: Config, id: string): Promise<SnapshotManifest> {
  return requireCompleteSnapshot(store, backupRepository(config), id);
}

export function deleteBackup(store: ObjectStore, config: Config, id: string, options: DeleteSnapshotOptions = {}): Promise<DeleteSnapshotResult> {
  return deleteSnapshot(store, backupRepository(config), id, options);
}

export function pruneBackups(store: ObjectStore, config: Config, table: string, options: PruneOptions): Promise<PruneResult> {
  return pruneSnapshots(store, backupRepository(config), table, options);
}

export async function restoreBackup(store: ObjectStore, config: Config, id: string, target: TableRef, options: Partial<RestoreOptions> = {}): Promise<RestoreResult> {
  const repo = backupRepository(config);
  const manifest = await requireCompleteSnapshot(store, repo, id);
  return restoreSnapshot(store, repo, manifest, target, { force: false, concurrency: config.concurrency, ...options });
}

export type { CreateSnapshotResult as BackupResult, SnapshotSummary as BackupSummary, PruneOptions, PruneResult, RestoreResult, DeleteSnapshotResult };
