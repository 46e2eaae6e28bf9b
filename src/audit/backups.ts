import type { Config } from '../config/config';
import { authenticationStatus } from '../snapshot/authentication';
import { listSnapshots } from '../snapshot/catalog';
import { backupRepository } from '../snapshot/repository';
import type { ObjectStore } from '../store/types';

/**
 * What the audit needs to know about the backups under the configured location, read
 * through the snapshot catalog (src/snapshot): a backup with a manifest is complete; one
 * with only a pending marker was interrupted and protects nothing.
 */
export interface BackupSummary {
  /** The source table's readable name. */
  table: string;
  /** The source table's location, s3://bucket/prefix/: backups are matched to tables by it. */
  source: string;
  id: string;
  /** s3://bucket/prefix/ of the backup. */
  uri: string;
  prefix: string;
  complete: boolean;
  at?: Date;
  /** Retain-until recorded in the manifest when the backup was locked. */
  lockedUntil?: Date;
  /** With a manifest key configured: whether it authenticates the backup's manifest. */
  authenticated?: boolean;
  reason?: string;
  /** Where the data files it references are stored (an incremental backup points into earlier ones). */
  objects?: { bucket: string; key: string }[];
}

function date(text: string | undefined): Date | undefined {
  const d = text ? new Date(text) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

export async function listBackups(store: ObjectStore, config: Pick<Config, 'backups' | 'manifestKey'>): Promise<BackupSummary[]> {
  const repo = backupRepository(config);
  const entries = await listSnapshots(store, repo);
  return entries.map((entry) => {
    const at = repo.snapshotLocation(entry.series, entry.id);
    const when = date(entry.manifest?.createdAt ?? entry.pending?.createdAt);
    const lockedUntil = date(entry.manifest?.lock?.retainUntil);
    return {
      table: entry.table,
      source: entry.source.uri,
      id: entry.id,
      uri: `s3://${at.bucket}/${at.prefix}`,
      prefix: at.prefix,
      complete: entry.manifest !== undefined,
      ...(when ? { at: when } : {}),
      ...(lockedUntil ? { lockedUntil } : {}),
      ...(entry.manifest && repo.key ? { authenticated: authenticationStatus(entry.manifest, repo.key) === 'authentic' } : {}),
      ...(entry.manifest ? { objects: entry.manifest.files.filter((f) => f.kind !== 'metadata').map((f) => ({ bucket: f.bucket, key: f.key })) } : { reason: 'interrupted (pending marker, no manifest)' }),
    };
  });
}

/**
 * The newest complete backup of each table, by the table's location (s3://bucket/prefix/).
 * A backup the configured key does not authenticate is left out: restore refuses it, so it
 * protects nothing.
 */
export function newestComplete(backups: BackupSummary[]): Map<string, BackupSummary> {
  const newest = new Map<string, BackupSummary>();
  for (const backup of backups) {
    if (!backup.complete || backup.authenticated === false) continue;
    const current = newest.get(backup.source);
    const time = (b: BackupSummary) => b.at?.getTime() ?? 0;
    if (!current || time(backup) > time(current) || (time(backup) === time(current) && backup.id > current.id)) newest.set(backup.source, backup);
  }
  return newest;
}

/**
 * Complete backups whose manifest the configured manifest key does not authenticate — no
 * MAC, another key's, or a wrong one (restore and recover refuse them); none when no key
 * is configured.
 */
export async function unauthenticatedBackups(store: ObjectStore, config: Pick<Config, 'backups' | 'manifestKey'>): Promise<BackupSummary[]> {
  return (await listBackups(store, config)).filter((backup) => backup.complete && backup.authenticated === false);
}
