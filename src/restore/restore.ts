import { ConflictError, IntegrityError } from '../errors';
import { keyUnder } from '../store/key-boundary';
import { copyObjects, type CopyItem } from '../store/prefix-copy';
import type { ObjectStore } from '../store/types';
import { refuseOverlap } from '../store/overlap';
import { readTableManifest, writeTableManifest, TABLE_FORMAT_VERSION, type DataFile, type TableManifest } from '../table/manifest';
import { newId } from '../table/naming';
import type { TableRef } from '../table/table-ref';
import { TOOL_VERSION } from '../version';
import { snapshotFileSet } from '../snapshot/file-set';
import { tableFileSet } from '../table/file-set';
import { type FileSet } from '../model/file-set';
import { sameLocation } from '../snapshot/identity';
import { sourceOf, type SnapshotManifest } from '../snapshot/manifest';
import type { SnapshotRepository } from '../snapshot/repository';
import { compareFileSets, type ValidationLevel, type ValidationReport } from '../validate';
import { copiedEtag } from '../snapshot/copied-etag';
import { generationKey } from './keys';
import { foreignOrigin } from '../lake/snapshot-source';
import { restoreForeignSnapshot } from '../lake/restore';

export interface RestoreOptions {
  /** Replace a table that exists, or write into a non-empty prefix. */
  force: boolean;
  /** Let a snapshot of another table replace this one (a snapshot replaces only its own table otherwise). */
  allowOtherSource?: boolean;
  concurrency: number;
  level?: ValidationLevel;
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
}

export interface RestoreResult {
  snapshot: { kind: string; id: string; uri: string; table: string };
  table: string;
  uri: string;
  /** 'new' into an empty prefix; 'replace' over an existing table (in place when it is the source). */
  mode: 'new' | 'replace';
  inPlace: boolean;
  generation: string;
  replacedGeneration?: string;
  rows: number;
  objects: number;
  bytes: number;
  removedObjects: number;
  validation: ValidationReport;
  ok: boolean;
  elapsedMs: number;
}

/**
 * Restores a snapshot into a table, server-side. Into an empty prefix (or one that an
 * interrupted restore of this snapshot left, see refuseOccupied) the files keep their
 * keys. Over an existing table (in place, or --force), nothing current is deleted or
 * overwritten until every file has been copied under new generation-named keys and
 * checked; the switch is the manifest write; only then are the keys the replaced
 * manifest listed removed. A failure before the switch leaves the table as it was.
 * Ends with a validation of the restored table against the snapshot's manifest.
 */
export async function restoreSnapshot(store: ObjectStore, repo: SnapshotRepository, snapshot: SnapshotManifest, target: TableRef, options: RestoreOptions): Promise<RestoreResult> {
  refuseOverlap([{ name: `the restore target`, location: target.location }, { name: `the ${repo.kind} location`, location: repo.root }]);
  // A snapshot of a prefix lakevault did not write goes back key for key, without a manifest (src/lake).
  if (foreignOrigin(snapshot)) return restoreForeignSnapshot(store, repo, snapshot, target, options);
  const started = Date.now();
  const { bucket, prefix } = target.location;
  await store.ensureBucket(bucket);
  const current = await readTableManifest(store, target.location).catch((error: unknown) => {
    // An unreadable manifest is part of what a forced restore replaces (its files are unknown).
    if (error instanceof IntegrityError && options.force) return undefined;
    throw error;
  });
  const occupied = await occupant(store, target, current, snapshot);
  if (!options.force && occupied) throw new ConflictError(occupied);
  refuseOtherSource(snapshot, target, occupied !== undefined, options.allowOtherSource);

  const generation = newId();
  const renamed = (key: string) => (current ? generationKey(key, snapshot.source.generation, generation) : key);
  const where = `${snapshot.kind} ${snapshot.id}`;
  const items: CopyItem[] = snapshot.files.map((file) => ({
    source: { bucket: file.bucket, key: file.key, size: file.size, etag: file.etag },
    dstBucket: bucket,
    dstKey: keyUnder(prefix, renamed(file.relativeKey), where),
    relativeKey: renamed(file.relativeKey),
  }));
  const written = items.map((item) => item.dstKey);
  let files: DataFile[];
  try {
    const copied = await copyObjects(store, items, {
      concurrency: options.concurrency,
      onProgress: (p) => options.onProgress?.({ ...p, totalObjects: items.length }),
    });
    const byKey = new Map(copied.objects.map((object) => [object.relativeKey, object]));
    files = [];
    for (const file of snapshot.files) {
      const object = byKey.get(renamed(file.relativeKey))!;
      // Checked before the switch: a single-part copy keeps the ETag, any copy keeps the size.
      if (object.size !== file.size || (!object.multipart && object.etag !== file.etag)) {
        throw new IntegrityError(`restored copy of ${file.relativeKey} does not match the ${snapshot.kind} (size ${object.size}/${file.size}, ETag ${object.etag}/${file.etag})`);
      }
      const etag = await copiedEtag(store, bucket, prefix + renamed(file.relativeKey), object.etag, file.size);
      files.push({ key: renamed(file.relativeKey), rows: file.rows, bytes: file.size, etag, digest: file.digest, columnDigests: file.columnDigests, rowGroups: file.rowGroups });
    }
    const now = await readTableManifest(store, target.location).catch(() => undefined);
    if ((now?.generation ?? undefined) !== (current?.generation ?? undefined)) {
      throw new ConflictError(`table ${target.uri} was changed by another writer during the restore (generation ${current?.generation ?? 'none'} → ${now?.generation ?? 'none'}); nothing was switched`);
    }
  } catch (error) {
    // Before the switch: remove only what this restore wrote (new keys), never the current
    // table's. A forced restore into a foreign prefix may have overwritten keys: left as is.
    if (current || !options.force) await store.deleteKeys(bucket, written).catch(() => undefined);
    throw error;
  }

  const manifest: TableManifest = {
    format: 'lakevault.table',
    formatVersion: TABLE_FORMAT_VERSION,
    name: target.name,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema: snapshot.schema,
    files,
    totals: { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) },
    contentDigest: snapshot.contentDigest,
    source: { ...(snapshot.source.origin ?? {}), restoredFrom: { kind: snapshot.kind, id: snapshot.id, table: snapshot.source.table, generation: snapshot.source.generation } },
  };
  await writeTableManifest(store, target.location, manifest); // the switch

  let removedObjects = 0;
  if (current) {
    const keep = new Set(files.map((f) => f.key));
    const stale = current.files.map((f) => f.key).filter((key) => !keep.has(key)).map((key) => prefix + key);
    const removed = await store.deleteKeys(bucket, stale);
    removedObjects = removed.deleted.length; // a failed removal leaves an unreferenced file, never a broken table
  }

  const expected = renamedFileSet(snapshotFileSet(repo, snapshot), renamed);
  const validation = await compareFileSets(store, expected, tableFileSet(target, manifest), { level: options.level ?? 'quick' });
  return {
    snapshot: { kind: snapshot.kind, id: snapshot.id, uri: expected.uri, table: snapshot.source.table },
    table: target.name,
    uri: target.uri,
    mode: current ? 'replace' : 'new',
    inPlace: target.uri === snapshot.source.uri,
    generation,
    ...(current ? { replacedGeneration: current.generation } : {}),
    rows: manifest.totals.rows,
    objects: manifest.totals.files,
    bytes: manifest.totals.bytes,
    removedObjects,
    validation,
    ok: validation.ok,
    elapsedMs: Date.now() - started,
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
 * A snapshot replaces a table — or writes into a prefix that holds anything — only when it
 * was taken of that location, unless the caller chose otherwise (--allow-other-source).
 * Restoring into a free prefix is an ordinary restore to a new table.
 */
export function refuseOtherSource(snapshot: SnapshotManifest, target: TableRef, replacing: boolean, allowed: boolean | undefined): void {
  if (!replacing || allowed) return;
  const source = sourceOf(snapshot);
  if (sameLocation(source, target.location)) return;
  throw new ConflictError(`${snapshot.kind} ${snapshot.id} was taken of ${source.uri}, not of ${target.uri}: replacing a table with another table's ${snapshot.kind} needs --allow-other-source`);
}

/**
 * Is this object a copy of the snapshot file a restore writes under its key? Same size, and
 * the same ETag — or a multipart ETag ("…-N"): a copy above the multipart threshold gets a new one.
 */
function leftByRestore(object: { size: number; etag: string }, file: { size: number; etag: string }): boolean {
  return object.size === file.size && (object.etag === file.etag || /-\d+$/.test(object.etag));
}

/** The snapshot's files under the keys the restore gave them: what the restored table must equal. */
function renamedFileSet(set: FileSet, renamed: (key: string) => string): FileSet {
  return { ...set, files: set.files.map((file) => ({ ...file, relativeKey: renamed(file.relativeKey) })) };
}
