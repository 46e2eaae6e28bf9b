import { NotFoundError } from '../errors';
import type { ObjectStore } from '../store/types';
import {
  readPendingMarker, readRetainedMarker, readSnapshotManifest,
  type PendingMarker, type SnapshotManifest,
} from './manifest';
import { childNames } from './children';
import { idTime, isSnapshotId, snapshotUri, type SnapshotRepository } from './repository';

/** One snapshot as `backup list` / `checkpoint list` show it. */
export interface SnapshotSummary {
  id: string;
  kind: SnapshotRepository['kind'];
  table: string;
  uri: string;
  state: 'complete' | 'incomplete';
  createdAt: string;
  label?: string;
  tags?: string[];
  rows?: number;
  objects?: number;
  bytes?: number;
  lockedUntil?: string;
  lockMode?: string;
  /** Files referenced from earlier snapshots (incremental). */
  reusedObjects?: number;
  generation?: string;
}

/** A snapshot found in a repository, with its manifest or (when incomplete) its marker. */
export interface SnapshotEntry {
  table: string;
  id: string;
  manifest?: SnapshotManifest;
  pending?: PendingMarker;
}

/** The table names that have snapshots in the repository. */
export async function listSnapshotTables(store: ObjectStore, repo: SnapshotRepository): Promise<string[]> {
  if (!(await store.bucketExists(repo.root.bucket))) return [];
  return childNames(store, repo.root.bucket, repo.root.prefix);
}

/**
 * Every snapshot of a table, oldest first: complete ones (manifest) and incomplete ones
 * (pending marker, no manifest). Prefixes of deleted snapshots that only keep files for
 * others (retained marker) are not snapshots and are not listed.
 */
export async function listTableSnapshots(store: ObjectStore, repo: SnapshotRepository, table: string): Promise<SnapshotEntry[]> {
  if (!(await store.bucketExists(repo.root.bucket))) return [];
  const root = repo.tableRoot(table);
  const ids = (await childNames(store, root.bucket, root.prefix)).filter(isSnapshotId);
  const entries: SnapshotEntry[] = [];
  for (const id of ids) {
    const manifest = await readSnapshotManifest(store, repo, table, id);
    if (manifest) { entries.push({ table, id, manifest }); continue; }
    const pending = await readPendingMarker(store, repo, table, id);
    if (pending) entries.push({ table, id, pending });
    // Neither: a retained prefix (files other snapshots reference) or foreign objects.
  }
  return entries;
}

export async function listSnapshots(store: ObjectStore, repo: SnapshotRepository, table?: string): Promise<SnapshotEntry[]> {
  const tables = table ? [table] : await listSnapshotTables(store, repo);
  const all: SnapshotEntry[] = [];
  for (const name of tables) all.push(...(await listTableSnapshots(store, repo, name)));
  return all;
}

export function summarize(repo: SnapshotRepository, entry: SnapshotEntry): SnapshotSummary {
  const base = { id: entry.id, kind: repo.kind, table: entry.table, uri: snapshotUri(repo, entry.table, entry.id) };
  const m = entry.manifest;
  if (m) {
    return {
      ...base,
      state: 'complete',
      createdAt: m.createdAt,
      ...(m.label ? { label: m.label } : {}),
      ...(m.tags?.length ? { tags: m.tags } : {}),
      rows: m.totals.rows,
      objects: m.totals.files,
      bytes: m.totals.bytes,
      reusedObjects: m.transfer.reusedObjects,
      generation: m.source.generation,
      ...(m.lock ? { lockedUntil: m.lock.retainUntil, lockMode: m.lock.mode } : {}),
    };
  }
  const p = entry.pending!;
  return { ...base, state: 'incomplete', createdAt: p.createdAt, ...(p.label ? { label: p.label } : {}), ...(p.tags?.length ? { tags: p.tags } : {}), generation: p.source.generation };
}

/** Complete snapshots of a table, newest first. */
export async function completeSnapshots(store: ObjectStore, repo: SnapshotRepository, table: string): Promise<SnapshotManifest[]> {
  const entries = await listTableSnapshots(store, repo, table);
  return entries.flatMap((entry) => (entry.manifest ? [entry.manifest] : [])).reverse();
}

/**
 * Finds a snapshot by id: `<id>` (searched across the repository's tables) or
 * `<table>/<id>`. Returns the entry whether complete or not; callers decide.
 */
export async function findSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: string): Promise<SnapshotEntry | undefined> {
  const slash = reference.lastIndexOf('/');
  const id = slash >= 0 ? reference.slice(slash + 1) : reference;
  if (!isSnapshotId(id)) return undefined;
  const tables = slash >= 0 ? [reference.slice(0, slash)] : await listSnapshotTables(store, repo);
  for (const table of tables) {
    const manifest = await readSnapshotManifest(store, repo, table, id);
    if (manifest) return { table, id, manifest };
    const pending = await readPendingMarker(store, repo, table, id);
    if (pending) return { table, id, pending };
    if (await readRetainedMarker(store, repo, table, id)) return undefined;
  }
  return undefined;
}

/** A complete snapshot by id, or a clear error: not found, or incomplete (never usable). */
export async function requireCompleteSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: string): Promise<SnapshotManifest> {
  const entry = await findSnapshot(store, repo, reference);
  if (!entry) throw new NotFoundError(`${repo.kind} "${reference}" not found in s3://${repo.root.bucket}/${repo.root.prefix}`);
  if (!entry.manifest) {
    throw new NotFoundError(`${repo.kind} ${entry.id} of table ${entry.table} is incomplete (no manifest: it was interrupted); it cannot be used — resume it with \`${repo.kind} create ${entry.table} --resume ${entry.id}\` or delete it`);
  }
  return entry.manifest;
}

/** Age of a snapshot at a moment, in ms (its id's timestamp when createdAt is unreadable). */
export function snapshotAgeMs(manifest: SnapshotManifest, at: Date): number {
  const created = Date.parse(manifest.createdAt);
  return at.getTime() - (Number.isNaN(created) ? idTime(manifest.id).getTime() : created);
}
