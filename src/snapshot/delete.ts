import { ConflictError, NotFoundError, StoreError } from '../errors';
import { deleteObjectVersions } from '../store/object-lock';
import type { DeleteResult, ObjectStore } from '../store/types';
import { findSnapshot, listTableSnapshots, type SnapshotEntry } from './catalog';
import {
  readRetainedMarker, writeJson, SNAPSHOT_MANIFEST, SNAPSHOT_PENDING, SNAPSHOT_RETAINED, type RetainedMarker,
} from './manifest';
import { childNames } from './children';
import { isSnapshotId, type SnapshotRepository } from './repository';

export interface DeleteSnapshotOptions {
  /** Override GOVERNANCE retention (needs s3:BypassGovernanceRetention); never COMPLIANCE. */
  bypassGovernance?: boolean;
  now?: Date;
}

export interface DeleteSnapshotResult {
  kind: SnapshotRepository['kind'];
  id: string;
  table: string;
  state: 'complete' | 'incomplete';
  deletedObjects: number;
  /** Files kept because other snapshots reference them (removed once none does). */
  keptForOthers: number;
  /** Files of earlier deleted snapshots freed (no longer referenced) and removed now. */
  collected: number;
}

const objectId = (bucket: string, key: string) => `${bucket}\u0000${key}`;

/**
 * Every file that the table's snapshots (other than `except`) need: complete ones' files
 * and the references of snapshots in progress. Built from a full listing or not at all —
 * a failed listing throws, so nothing is deleted on the strength of a partial one.
 */
async function referencedFiles(store: ObjectStore, repo: SnapshotRepository, table: string, except?: string): Promise<Set<string>> {
  const referenced = new Set<string>();
  const entries = await listTableSnapshots(store, repo, table);
  // The snapshot being deleted was read directly: a listing that misses it is incomplete
  // (empty, partial, or from a server that lies) and cannot be trusted to show its referrers.
  if (except !== undefined && !entries.some((entry) => entry.id === except)) {
    throw new ConflictError(`the listing of ${repo.kind}s of table ${table} does not show ${except}, which exists: the listing is incomplete, so nothing was deleted`);
  }
  for (const entry of entries) {
    if (entry.id === except) continue;
    for (const file of entry.manifest?.files ?? []) referenced.add(objectId(file.bucket, file.key));
    for (const ref of entry.pending?.references ?? []) referenced.add(objectId(ref.bucket, ref.key));
  }
  return referenced;
}

/** The retention still in force on a snapshot, from the server (HEAD of its manifest) or its manifest. */
async function activeLock(store: ObjectStore, repo: SnapshotRepository, entry: SnapshotEntry, now: Date): Promise<{ mode: string; until: Date } | undefined> {
  if (!entry.manifest) return undefined;
  const at = repo.snapshotLocation(entry.table, entry.id);
  const head = await store.head(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
  const until = head?.objectLockRetainUntil ?? (entry.manifest.lock ? new Date(entry.manifest.lock.retainUntil) : undefined);
  const mode = head?.objectLockMode ?? entry.manifest.lock?.mode ?? 'GOVERNANCE';
  return until && until.getTime() > now.getTime() ? { mode, until } : undefined;
}

/**
 * Deletes one snapshot. Only keys the snapshot itself recorded are deleted (its manifest's
 * own files, or an incomplete one's pending marker), never keys found by listing, and
 * never a file another snapshot references: those stay, named in a retained marker, until
 * the last snapshot referencing them is gone. A locked snapshot is refused before anything
 * is touched.
 */
export async function deleteSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: string, options: DeleteSnapshotOptions = {}): Promise<DeleteSnapshotResult> {
  const entry = await findSnapshot(store, repo, reference);
  if (!entry) throw new NotFoundError(`${repo.kind} "${reference}" not found in s3://${repo.root.bucket}/${repo.root.prefix}`);
  const now = options.now ?? new Date();
  const lock = await activeLock(store, repo, entry, now);
  if (lock && (lock.mode === 'COMPLIANCE' || !options.bypassGovernance)) {
    throw new ConflictError(`${repo.kind} ${entry.id} is locked until ${lock.until.toISOString()} (${lock.mode} retention); it cannot be deleted before then` +
      (lock.mode === 'GOVERNANCE' ? ' (--bypass-governance overrides GOVERNANCE retention, if your credentials allow it)' : ''));
  }
  const at = repo.snapshotLocation(entry.table, entry.id);
  const own = entry.manifest
    ? entry.manifest.files.filter((f) => !f.reusedFrom && f.bucket === at.bucket && f.key.startsWith(at.prefix)).map((f) => f.key)
    : entry.pending!.ownKeys.filter((key) => key.startsWith(at.prefix));
  const referenced = await referencedFiles(store, repo, entry.table, entry.id);
  let keep = own.filter((key) => referenced.has(objectId(at.bucket, key)));
  let remove = own.filter((key) => !referenced.has(objectId(at.bucket, key)));
  const retain = async (keys: string[]) => {
    const marker: RetainedMarker = { format: 'lakevault.snapshot.retained', id: entry.id, deletedAt: now.toISOString(), keys };
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, marker);
  };

  // Retained marker first, then the manifest (the snapshot is gone), then its files.
  if (keep.length) await retain(keep);
  const erase = (keys: string[]) => (lock || options.bypassGovernance
    ? deleteObjectVersions(store, at.bucket, at.prefix, keys, { bypassGovernance: true })
    : store.deleteKeys(at.bucket, keys));
  const markers = [at.prefix + SNAPSHOT_MANIFEST, at.prefix + SNAPSHOT_PENDING];
  check(await erase(markers.slice(0, 1)), entry.id);
  // A second listing, now that no new backup can choose this one to reuse: a backup that
  // chose it between the first listing and the manifest's removal shows up here. (This
  // snapshot is no longer listed; the listing can only keep more files, never delete more.)
  const referencedNow = await referencedFiles(store, repo, entry.table);
  const late = remove.filter((key) => referencedNow.has(objectId(at.bucket, key)));
  if (late.length) {
    keep = [...keep, ...late];
    remove = remove.filter((key) => !referencedNow.has(objectId(at.bucket, key)));
    await retain(keep);
  }
  const removed = await erase(remove);
  check(removed, entry.id);
  check(await erase(markers.slice(1)), entry.id);
  const collected = await collectRetained(store, repo, entry.table);
  return {
    kind: repo.kind, id: entry.id, table: entry.table, state: entry.manifest ? 'complete' : 'incomplete',
    deletedObjects: removed.deleted.length, keptForOthers: keep.length, collected,
  };
}

function check(result: DeleteResult, id: string): void {
  if (result.errors.length) {
    const first = result.errors[0]!;
    throw new StoreError(`deleting snapshot ${id}: ${result.errors.length} objects could not be deleted, first ${first.key}: ${first.code} ${first.message}`.trim());
  }
}

/**
 * Removes files that deleted snapshots kept for others once no snapshot references them
 * any more; drops a retained marker when none of its files is left.
 */
export async function collectRetained(store: ObjectStore, repo: SnapshotRepository, table: string): Promise<number> {
  const root = repo.tableRoot(table);
  const ids = (await childNames(store, root.bucket, root.prefix)).filter(isSnapshotId);
  let collected = 0;
  let referenced: Set<string> | undefined;
  for (const id of ids) {
    const marker = await readRetainedMarker(store, repo, table, id);
    if (!marker) continue;
    referenced ??= await referencedFiles(store, repo, table);
    const at = repo.snapshotLocation(table, id);
    const free = marker.keys.filter((key) => !referenced!.has(objectId(at.bucket, key)));
    if (free.length === 0) continue;
    const result = await store.deleteKeys(at.bucket, free);
    check(result, id);
    collected += result.deleted.length;
    const left = marker.keys.filter((key) => referenced!.has(objectId(at.bucket, key)));
    if (left.length) await writeJson(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, { ...marker, keys: left });
    else await store.deleteKeys(at.bucket, [at.prefix + SNAPSHOT_RETAINED]);
  }
  return collected;
}
