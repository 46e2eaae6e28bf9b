import type { Config } from '../config/config';

import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { readTableManifest } from '../table/manifest';
import { requireCompleteSnapshot, snapshotAgeMs } from '../snapshot/catalog';
import { endpointIdentity } from '../snapshot/identity';
import { folderOf, type SnapshotManifest } from '../snapshot/manifest';
import { checkpointRepository, snapshotUri } from '../snapshot/repository';
import type { ValidationLevel } from '../validate';
import { refuseOtherSource, restoreSnapshot, type RestoreOptions, type RestoreResult } from '../restore/restore';
import { snapshotRestorer } from '../sources/registry';
import { latestCheckpoint } from './checkpoint';

export interface RecoverOptions {
  /** A checkpoint id; without it, the latest complete checkpoint of this table. */
  checkpoint?: string;
  /** Let a checkpoint of another table (location) replace this one: only with an explicit checkpoint id. */
  allowOtherSource?: boolean;
  /** When the disaster was detected (RPO = checkpoint age then); default: now. */
  detectedAt?: Date;
  level?: ValidationLevel;
  concurrency?: number;
  /** The checkpoints' store when they live on another endpoint: the recovery streams from there. */
  repositoryStore?: ObjectStore;
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
  onValidated?: RestoreOptions['onValidated'];
  onValidate?: () => void;
}

export interface RecoverResult {
  table: string;
  uri: string;
  checkpoint_id: string;
  checkpoint_timestamp: number;
  checkpoint_location: string;
  /** The endpoint the checkpoint is kept on (snapshot/identity.ts): off-site when it is not the table's. */
  checkpoint_endpoint: string;
  /** Wall time of the recovery: finding the checkpoint, copying, switching, validating. */
  rto_ms: number;
  /** Of rto_ms, the time the closing validation took (the rest is finding, copying, switching). */
  validation_ms: number;
  /** Age of the checkpoint when the disaster was detected: the data at risk. */
  rpo_ms: number;
  recovered_records: number;
  recovery_valid: boolean;
  /** What was where the table should be, before the recovery replaced it. */
  table_before: TableBefore;
  restore: RestoreResult;
}

/**
 * What a recovery found at the table: nothing, a damaged table (manifest unreadable or
 * missing beside other objects, or a file it lists absent or of another size), or an intact
 * one — its manifest and every file it lists present with their sizes (contents are not
 * read: a corrupted byte of the same length counts as intact).
 */
export type TableBefore = 'missing' | 'damaged' | 'intact';

async function tableBefore(store: ObjectStore, table: TableRef): Promise<TableBefore> {
  const { bucket, prefix } = table.location;
  if (!(await store.bucketExists(bucket))) return 'missing';
  const manifest = await readTableManifest(store, table.location).catch(() => null);
  const sizes = new Map<string, number>();
  for await (const object of store.list(bucket, prefix)) sizes.set(object.key, object.size);
  if (!manifest) return manifest === undefined && sizes.size === 0 ? 'missing' : 'damaged';
  return manifest.files.every((file) => sizes.get(prefix + file.key) === file.bytes) ? 'intact' : 'damaged';
}

/**
 * Returns a table to a checkpoint — whatever is left of it: a missing bucket is created,
 * a missing or damaged table is replaced (never deleting anything before the recovered
 * copy is complete and checked). The latest checkpoint is the newest taken of this table's
 * location; a checkpoint of another location replaces it only when asked for by id with
 * allowOtherSource.
 */
export async function recoverTable(store: ObjectStore, config: Config, table: TableRef, options: RecoverOptions = {}): Promise<RecoverResult> {
  const started = Date.now();
  const detectedAt = options.detectedAt ?? new Date(started);
  const repo = checkpointRepository(config);
  const checkpoints = options.repositoryStore ?? store;
  const checkpoint: SnapshotManifest = options.checkpoint
    ? await requireCompleteSnapshot(checkpoints, repo, { id: options.checkpoint })
    : await latestCheckpoint(checkpoints, config, table);
  refuseOtherSource(checkpoint, table, true, options.allowOtherSource);
  const before = await tableBefore(store, table);
  const restore = await restoreSnapshot(store, repo, checkpoint, table, snapshotRestorer, {
    force: true,
    allowOtherSource: options.allowOtherSource === true,
    concurrency: options.concurrency ?? config.concurrency,
    level: options.level ?? 'quick',
    ...(options.repositoryStore ? { repositoryStore: options.repositoryStore } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onValidated ? { onValidated: options.onValidated } : {}),
    ...(options.onValidate ? { onValidate: options.onValidate } : {}),
  });
  return {
    table: table.name,
    uri: table.uri,
    checkpoint_id: checkpoint.id,
    checkpoint_timestamp: Math.floor(Date.parse(checkpoint.createdAt) / 1000),
    checkpoint_location: snapshotUri(repo, folderOf(checkpoint), checkpoint.id),
    checkpoint_endpoint: endpointIdentity(checkpoints),
    rto_ms: Date.now() - started,
    validation_ms: restore.validation.elapsedMs,
    rpo_ms: Math.max(0, snapshotAgeMs(checkpoint, detectedAt)),
    recovered_records: restore.rows,
    recovery_valid: restore.ok,
    table_before: before,
    restore,
  };
}
