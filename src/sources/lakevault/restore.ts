import { ConflictError, IntegrityError } from '../../errors';
import type { SnapshotManifest } from '../../snapshot/manifest';
import type { ObjectStore } from '../../store/types';
import { tableFileSet } from '../../table/file-set';
import { readTableManifest, writeTableManifest, TABLE_FORMAT_VERSION, type DataFile, type TableManifest } from '../../table/manifest';
import { newId } from '../../table/naming';
import type { TableRef } from '../../table/table-ref';
import { TOOL_VERSION } from '../../version';
import type { RestoreCommit, RestoredFile, SnapshotRestorer } from '../table-source';
import { generationKey } from './keys';

/**
 * A snapshot of a lakevault table goes back as a new generation of the target table. Into
 * an empty prefix (or one that an interrupted restore of this snapshot left, see occupant)
 * the files keep their keys. Over an existing table (in place, or forced) nothing current
 * is deleted or overwritten until every file has been copied under new generation-named
 * keys and checked; the switch is the manifest write; only then are the keys the replaced
 * manifest listed removed. A failure before the switch leaves the table as it was.
 */
export const lakevaultRestorer: SnapshotRestorer = {
  async plan(store, _repo, snapshot, target, { force }) {
    const current = await readTableManifest(store, target.location).catch((error: unknown) => {
      // An unreadable manifest is part of what a forced restore replaces (its files are unknown).
      if (error instanceof IntegrityError && force) return undefined;
      throw error;
    });
    const occupied = await occupant(store, target, current, snapshot);
    const generation = newId();
    const renamed = (key: string) => (current ? generationKey(key, snapshot.source.generation, generation) : key);
    return {
      ...(occupied !== undefined ? { occupied } : {}),
      mode: current ? 'replace' : 'new',
      copies: snapshot.files.map((file) => ({ file, key: renamed(file.relativeKey) })),
      writes: [],
      // A forced restore into a prefix that held no table may have overwritten keys: left as they are.
      undoOnFailure: current !== undefined || !force,
      checkUnchanged: () => checkGenerationUnchanged(store, target, current),
      commit: (restored) => switchGeneration(store, target, current, generation, restored, {
        schema: snapshot.schema,
        contentDigest: snapshot.contentDigest,
        source: { ...(snapshot.source.origin ?? {}), restoredFrom: { kind: snapshot.kind, id: snapshot.id, table: snapshot.source.table, generation: snapshot.source.generation } },
      }),
    };
  },
};

/** Just before a switch: no other writer switched the table since `current` was read. */
export async function checkGenerationUnchanged(store: ObjectStore, target: TableRef, current: TableManifest | undefined): Promise<void> {
  const now = await readTableManifest(store, target.location).catch(() => undefined);
  if ((now?.generation ?? undefined) !== (current?.generation ?? undefined)) {
    throw new ConflictError(`table ${target.uri} was changed by another writer during the restore (generation ${current?.generation ?? 'none'} → ${now?.generation ?? 'none'}); nothing was switched`);
  }
}

/**
 * The switch of a restore into a lakevault table: the manifest of the new generation, listing
 * the restored files, is written; only then are the replaced generation's files removed.
 */
export async function switchGeneration(
  store: ObjectStore, target: TableRef, current: TableManifest | undefined, generation: string, restored: RestoredFile[],
  content: Pick<TableManifest, 'schema' | 'contentDigest' | 'source'>,
): Promise<RestoreCommit> {
  const files: DataFile[] = restored.map(({ file, key, etag }) => ({
    key, rows: file.rows, bytes: file.size, etag, digest: file.digest, columnDigests: file.columnDigests, rowGroups: file.rowGroups,
  }));
  const manifest: TableManifest = {
    format: 'lakevault.table',
    formatVersion: TABLE_FORMAT_VERSION,
    name: target.name,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema: content.schema,
    files,
    totals: { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) },
    contentDigest: content.contentDigest,
    ...(content.source ? { source: content.source } : {}),
  };
  await writeTableManifest(store, target.location, manifest); // the switch

  let removedObjects = 0;
  if (current) {
    const keep = new Set(files.map((f) => f.key));
    const stale = current.files.map((f) => f.key).filter((key) => !keep.has(key)).map((key) => target.location.prefix + key);
    const removed = await store.deleteKeys(target.location.bucket, stale);
    removedObjects = removed.deleted.length; // a failed removal leaves an unreferenced file, never a broken table
  }
  return {
    generation,
    ...(current ? { replacedGeneration: current.generation } : {}),
    removedObjects,
    rows: manifest.totals.rows,
    objects: manifest.totals.files,
    bytes: manifest.totals.bytes,
    restored: tableFileSet(target, manifest),
  };
}

/**
 * What stands where a restore would write, as the reason a restore without --force refuses
 * it; undefined when the target is free: an empty prefix, or one holding nothing but what an
 * interrupted restore of this same snapshot left — no table manifest, and only the
 * snapshot's own files under their own keys with their sizes (a kill -9 mid-copy), so the
 * rerun completes without --force.
 */
async function occupant(store: ObjectStore, target: TableRef, current: TableManifest | undefined, snapshot: SnapshotManifest): Promise<string | undefined> {
  if (current) return `table ${target.uri} exists (generation ${current.generation}, ${current.totals.rows} rows); use --force to replace it`;
  const { prefix } = target.location;
  const files = new Map(snapshot.files.map((file) => [prefix + file.relativeKey, file]));
  for await (const object of store.list(target.location.bucket, prefix)) {
    const file = files.get(object.key);
    if (!file || !leftByRestore(object, file)) return `${target.uri} is not empty (found ${object.key}); use --force to restore into it anyway`;
  }
  return undefined;
}

/**
 * Is this object a copy of the snapshot file a restore writes under its key? Same size, and
 * the same ETag — or a multipart ETag ("…-N"): a copy above the multipart threshold gets a new one.
 */
function leftByRestore(object: { size: number; etag: string }, file: { size: number; etag: string }): boolean {
  return object.size === file.size && (object.etag === file.etag || /-\d+$/.test(object.etag));
}
