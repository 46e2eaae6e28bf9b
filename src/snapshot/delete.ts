import { ConflictError, NotFoundError, StoreError } from '../errors';
import { deleteObjectVersions } from '../store/object-lock';
import type { DeleteResult, ObjectStore } from '../store/types';
import { TOOL_VERSION } from '../version';
import { findSnapshot, listSeries, readSeries, type FoundSnapshot, type SeriesContents, type SnapshotEntry, type SnapshotReference } from './catalog';
import { sameFamily, seriesName } from './identity';
import { withLock, type HeldLock } from './locks';
import {
  writeJson, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MANIFEST, SNAPSHOT_PENDING, SNAPSHOT_RETAINED, type RetainedMarker,
} from './manifest';
import type { SnapshotRepository } from './repository';
import { refuseDuringUpgrade } from './repository-format';

export interface DeleteSnapshotOptions {
  /** Override GOVERNANCE retention (needs s3:BypassGovernanceRetention); never COMPLIANCE. */
  bypassGovernance?: boolean;
  now?: Date;
}

export interface DeleteSnapshotResult {
  kind: SnapshotRepository['kind'];
  id: string;
  table: string;
  /** The source location (unknown for an orphaned snapshot). */
  source?: string;
  state: 'complete' | 'incomplete' | 'orphaned';
  deletedObjects: number;
  /** Files kept because other snapshots reference them (removed once none does). */
  keptForOthers: number;
  /** Files of earlier deleted snapshots freed (no longer referenced) and removed now. */
  collected: number;
}

const objectId = (bucket: string, key: string) => `${bucket}\u0000${key}`;

/**
 * Everything a delete must know, read before anything is deleted: the series folders of the
 * snapshot's family (snapshot/identity.ts) — every snapshot that may reference its files,
 * and every retained marker. A read that fails, or a stored key that leaves its prefix,
 * throws here, before any write.
 */
async function readFamily(store: ObjectStore, repo: SnapshotRepository, folder: string): Promise<SeriesContents[]> {
  const folders = (await listSeries(store, repo)).filter((name) => sameFamily(name, folder));
  if (!folders.includes(folder)) folders.push(folder);
  const family: SeriesContents[] = [];
  for (const series of folders) family.push(await readSeries(store, repo, series));
  return family;
}

/** Files the family's snapshots (but `except`) need: complete ones' files, and what those in progress reference. */
function referencedFiles(family: SeriesContents[], except?: { series: string; id: string }): Set<string> {
  const referenced = new Set<string>();
  for (const entry of family.flatMap((contents) => contents.entries)) {
    if (except && entry.series === except.series && entry.id === except.id) continue;
    for (const file of entry.manifest?.files ?? []) referenced.add(objectId(file.bucket, file.key));
    for (const ref of entry.pending?.references ?? []) referenced.add(objectId(ref.bucket, ref.key));
  }
  return referenced;
}

/** The retention still in force on a snapshot, from the server (HEAD of its manifest) or its manifest. */
async function activeLock(store: ObjectStore, repo: SnapshotRepository, entry: SnapshotEntry, now: Date): Promise<{ mode: string; until: Date } | undefined> {
  if (!entry.manifest) return undefined;
  const at = repo.snapshotLocation(entry.series, entry.id);
  const head = await store.head(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
  const until = head?.objectLockRetainUntil ?? (entry.manifest.lock ? new Date(entry.manifest.lock.retainUntil) : undefined);
  const mode = head?.objectLockMode ?? entry.manifest.lock?.mode ?? 'GOVERNANCE';
  return until && until.getTime() > now.getTime() ? { mode, until } : undefined;
}

/** The lock a delete takes: exclusive on the snapshot's series (an orphan's folder, whose source is unknown). */
function deleteScope(found: FoundSnapshot): string {
  return found.entry ? seriesName(found.entry.source) : found.orphan.series;
}

/**
 * Deletes one snapshot, holding the series' exclusive lock (no backup can choose its files
 * meanwhile). Only keys the snapshot itself recorded are deleted (its manifest's own files,
 * or an incomplete one's pending keys, each checked to lie inside its own prefix when read) —
 * or, for an orphaned snapshot (no manifest or marker left), the objects under its own
 * prefix. Never a file another snapshot references: those stay, named in a retained
 * marker, until the last snapshot referencing them is gone. A locked snapshot is refused
 * before anything is touched.
 */
export async function deleteSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: SnapshotReference, options: DeleteSnapshotOptions = {}): Promise<DeleteSnapshotResult> {
  const first = await findSnapshot(store, repo, reference);
  if (!first) throw new NotFoundError(`${repo.kind} "${reference.id}" not found in s3://${repo.root.bucket}/${repo.root.prefix}`);
  await refuseDuringUpgrade(store, repo);
  return withLock(store, repo, { mode: 'exclusive', scope: deleteScope(first), operation: `${repo.kind} delete ${reference.id}` }, async (held) => {
    const found = await findSnapshot(store, repo, reference); // again, now that nothing else changes it
    if (!found) throw new NotFoundError(`${repo.kind} "${reference.id}" was deleted meanwhile`);
    return deleteFound(store, repo, found, held, options);
  });
}

/** Deletes a snapshot found in the repository; the caller holds the exclusive lock of its series. */
export async function deleteFound(store: ObjectStore, repo: SnapshotRepository, found: FoundSnapshot, held: HeldLock, options: DeleteSnapshotOptions = {}): Promise<DeleteSnapshotResult> {
  const now = options.now ?? new Date();
  const folder = found.entry?.series ?? found.orphan!.series;
  const id = found.entry?.id ?? found.orphan!.id;
  const entry = found.entry;
  const lock = entry ? await activeLock(store, repo, entry, now) : undefined;
  if (lock && (lock.mode === 'COMPLIANCE' || !options.bypassGovernance)) {
    throw new ConflictError(`${repo.kind} ${id} is locked until ${lock.until.toISOString()} (${lock.mode} retention); it cannot be deleted before then` +
      (lock.mode === 'GOVERNANCE' ? ' (--bypass-governance overrides GOVERNANCE retention, if your credentials allow it)' : ''));
  }
  const family = await readFamily(store, repo, folder);
  const contents = family.find((c) => c.series === folder)!;
  // The snapshot was read directly: a listing that misses it is incomplete (empty, partial,
  // or from a server that lies) and cannot be trusted to show who references its files.
  const listed = entry ? contents.entries.some((e) => e.id === id) : contents.orphans.some((o) => o.id === id);
  if (!listed) throw new ConflictError(`the listing of ${repo.kind}s under ${folder} does not show ${id}, which exists: the listing is incomplete, so nothing was deleted`);

  const at = repo.snapshotLocation(folder, id);
  const own = entry?.manifest
    ? entry.manifest.files.filter((f) => !f.reusedFrom).map((f) => f.key)
    : entry?.pending ? entry.pending.ownKeys : await orphanKeys(store, at);
  const referenced = referencedFiles(family, { series: folder, id });
  const keep = own.filter((key) => referenced.has(objectId(at.bucket, key)));
  const remove = own.filter((key) => !referenced.has(objectId(at.bucket, key)));
  await held.check();

  // Retained marker first, then the manifest (the snapshot is gone), then its files.
  if (keep.length) {
    const marker: RetainedMarker = {
      format: 'lakevault.snapshot.retained', formatVersion: SNAPSHOT_FORMAT_VERSION, toolVersion: TOOL_VERSION, id, deletedAt: now.toISOString(),
      ...(entry ? { source: { uri: entry.source.uri, location: { endpoint: entry.source.endpoint ?? 'unknown', bucket: entry.source.bucket, prefix: entry.source.prefix } } } : {}),
      keys: keep,
    };
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, marker);
  }
  const erase = (keys: string[]) => (lock || options.bypassGovernance
    ? deleteObjectVersions(store, at.bucket, at.prefix, keys, { bypassGovernance: true })
    : store.deleteKeys(at.bucket, keys));
  const markers = [at.prefix + SNAPSHOT_MANIFEST, at.prefix + SNAPSHOT_PENDING];
  if (entry) check(await erase(markers.slice(0, 1)), id);
  const removed = await erase(remove.filter((key) => !markers.includes(key)));
  check(removed, id);
  check(await erase(markers.slice(1)), id);
  const collected = await collectRetained(store, repo, family.map((c) => (c.series === folder ? { ...c, entries: c.entries.filter((e) => e.id !== id) } : c)));
  return {
    kind: repo.kind, id, table: entry?.table ?? folder, ...(entry ? { source: entry.source.uri } : {}),
    state: entry?.manifest ? 'complete' : entry ? 'incomplete' : 'orphaned',
    deletedObjects: removed.deleted.length, keptForOthers: keep.length, collected,
  };
}

/** An orphan's objects: every key under its own prefix (the listing of a prefix no manifest or marker names). */
async function orphanKeys(store: ObjectStore, at: { bucket: string; prefix: string }): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(at.bucket, at.prefix)) keys.push(object.key);
  return keys;
}

function check(result: DeleteResult, id: string): void {
  if (result.errors.length) {
    const first = result.errors[0]!;
    throw new StoreError(`deleting snapshot ${id}: ${result.errors.length} objects could not be deleted, first ${first.key}: ${first.code} ${first.message}`.trim());
  }
}

/**
 * Removes files that deleted snapshots kept for others once no snapshot of the family
 * references them any more; drops a retained marker when none of its files is left.
 */
async function collectRetained(store: ObjectStore, repo: SnapshotRepository, family: SeriesContents[]): Promise<number> {
  const referenced = referencedFiles(family);
  let collected = 0;
  for (const contents of family) {
    for (const { id, marker } of contents.retained) {
      const at = repo.snapshotLocation(contents.series, id);
      const free = marker.keys.filter((key) => !referenced.has(objectId(at.bucket, key)));
      if (free.length === 0) continue;
      const result = await store.deleteKeys(at.bucket, free);
      check(result, id);
      collected += result.deleted.length;
      const left = marker.keys.filter((key) => referenced.has(objectId(at.bucket, key)));
      if (left.length) await writeJson(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, { ...marker, keys: left });
      else await store.deleteKeys(at.bucket, [at.prefix + SNAPSHOT_RETAINED]);
    }
  }
  return collected;
}
