import { ConflictError, IntegrityError } from '../errors';
import { putInPlace, restoreOutcome, restoreSnapshot, type RestoreOptions, type RestoreResult } from '../restore/restore';
import type { SnapshotFileRecord } from '../snapshot/manifest';
import { sameLocation } from '../snapshot/identity';
import { generationKey } from '../sources/lakevault/keys';
import { checkGenerationUnchanged, switchGeneration } from '../sources/lakevault/restore';
import type { RestorerOf } from '../sources/table-source';
import { refuseOverlap } from '../store/overlap';
import type { ObjectStore } from '../store/types';
import { readTableManifest, type DataFile } from '../table/manifest';
import { newId } from '../table/naming';
import type { TableRef } from '../table/table-ref';
import { validateFileSet } from '../validate';
import type { HeldPoint } from './history';

/**
 * Brings a point of a table's history back into `target`: a backup or checkpoint as
 * `backup restore` does; the table's own generation (current, or an earlier one held as
 * object versions) by server-side copies of those files — of those versions — under new
 * generation keys, switched at the manifest like any restore of a lakevault table, then
 * validated against the digests the generation's manifest records. Returns undefined when
 * the target already is that generation (nothing to do).
 */
export async function restorePoint(
  store: ObjectStore, table: TableRef, held: HeldPoint, target: TableRef, restorerOf: RestorerOf, options: RestoreOptions,
): Promise<RestoreResult | undefined> {
  const source = held.source!;
  if (source.kind === 'snapshot') return restoreSnapshot(store, source.repo, source.manifest, target, restorerOf, options);
  const started = Date.now();
  const inPlace = sameLocation(table.location, target.location);
  if (!inPlace) refuseOverlap([{ name: 'the restore target', location: target.location }, { name: `table ${table.name}`, location: table.location }]);
  const current = await readTableManifest(store, target.location).catch((error: unknown) => {
    // An unreadable manifest is part of what a forced restore replaces (its files are unknown).
    if (error instanceof IntegrityError && options.force) return undefined;
    throw error;
  });
  const from = source.manifest;
  if (current?.generation === from.generation) return undefined;
  if (current && !options.force) throw new ConflictError(`table ${target.uri} exists (generation ${current.generation}, ${current.totals.rows} rows); use --force to replace it`);
  if (!current && !options.force) await refuseNonEmpty(store, target);
  await store.ensureBucket(target.location.bucket);

  const generation = newId();
  const where = `${held.point.kind} ${held.point.id} of ${table.uri}`;
  const restored = await putInPlace(store, where, target, {
    copies: from.files.map((file) => ({
      file: recordOf(table, file),
      key: generationKey(file.key, from.generation, generation),
      ...(source.kind === 'version' ? { versionId: source.versionIds.get(file.key)! } : {}),
    })),
    writes: [],
    undoOnFailure: current !== undefined || !options.force,
    checkUnchanged: () => checkGenerationUnchanged(store, target, current),
  }, options);
  const commit = await switchGeneration(store, target, current, generation, restored, {
    schema: from.schema,
    contentDigest: from.contentDigest,
    source: { ...(from.source ?? {}), restoredFrom: { kind: held.point.kind, id: held.point.id, table: table.uri, generation: from.generation } },
  });
  // The copies are held to what the old manifest records of each file (size, ETag, and at
  // the full level every row group's digest): the versions are not read again.
  const validation = await validateFileSet(store, commit.restored, { level: options.level ?? 'quick' });
  return restoreOutcome({ kind: held.point.kind, id: held.point.id, uri: table.uri, table: table.name }, target, current ? 'replace' : 'new', inPlace, commit, validation, started);
}

/** A table file as the restore engine copies it: from the table's own key (of some version). */
function recordOf(table: TableRef, file: DataFile): SnapshotFileRecord {
  return {
    relativeKey: file.key, bucket: table.location.bucket, key: table.location.prefix + file.key, size: file.bytes, etag: file.etag, sourceEtag: file.etag,
    digest: file.digest, columnDigests: file.columnDigests, rows: file.rows, rowGroups: file.rowGroups,
  };
}

/** A prefix without a manifest is written into only with --force (it may be another engine's table). */
async function refuseNonEmpty(store: ObjectStore, target: TableRef): Promise<void> {
  for await (const object of store.list(target.location.bucket, target.location.prefix)) {
    throw new ConflictError(`${target.uri} is not empty (found ${object.key}); use --force to restore into it anyway`);
  }
}
