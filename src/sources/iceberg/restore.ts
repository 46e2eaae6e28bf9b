import { ConflictError, IntegrityError } from '../../errors';
import { icebergTableOf, isMetadataJsonKey, joinLocation, metadataBytes, pinToSnapshot, planTableRewrite, type IcebergTable } from '../../lake/iceberg';
import type { FileSet } from '../../model/file-set';
import type { SnapshotFileRecord, SnapshotManifest } from '../../snapshot/manifest';
import type { ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import { firstObject, refuseInsideSource } from '../foreign/restore';
import type { RestorePlan, SnapshotRestorer } from '../table-source';
import { icebergOrigin, type IcebergOrigin } from './origin';
import { listTable } from './version';

/**
 * A snapshot of an Iceberg table goes back as a working Iceberg table. Its metadata file is
 * written anew, holding the backed-up snapshot as current (unless the whole history was
 * backed up): the other snapshots' files are not in the backup. At the table's own prefix
 * every other file goes back under its key, byte for byte; at a NEW location every path
 * the table records is rewritten for it (metadata files, manifest lists with the
 * rewritten manifests' lengths, manifests, position delete files and deletion vectors),
 * the rest copied. Nothing is deleted: a target that holds objects needs --force, and one
 * whose metadata runs past the restored one is refused (its newer commits would stay current).
 */
export const icebergRestorer: SnapshotRestorer = {
  async plan(store, _repo, snapshot, target) {
    refuseInsideSource(snapshot, target);
    const origin = icebergOrigin(snapshot)!;
    const files = new Map(snapshot.files.map((file) => [file.relativeKey, file]));
    const read = (relativeKey: string) => {
      const file = files.get(relativeKey);
      if (!file) throw new IntegrityError(`${snapshot.kind} ${snapshot.id} does not hold ${relativeKey}, which its Iceberg metadata needs`);
      return store.getBytes(file.bucket, file.key);
    };
    const table = pinned(icebergTableOf(target.location, origin.metadataKey, origin.foundBy, await read(origin.metadataKey)), origin, files);
    const inPlace = target.uri === snapshot.source.uri;
    const { writes, metadataLocation } = inPlace ? inPlaceWrites(table, origin, files) : await movedWrites(store, table, origin, target, read, files);
    const written = new Set(writes.map((w) => w.key));
    const occupant = await firstObject(store, target);
    const plan: RestorePlan = {
      ...(occupant !== undefined ? { occupied: `${target.uri} is not empty (found ${occupant.slice(target.location.prefix.length)}); use --force to restore into it anyway` } : {}),
      mode: occupant !== undefined ? 'replace' : 'new',
      ...(occupant !== undefined ? { checkReplace: () => refuseNewerMetadata(store, target, origin, files) } : {}),
      copies: snapshot.files.filter((file) => !written.has(file.relativeKey)).map((file) => ({ file, key: file.relativeKey })),
      writes,
      // Into a prefix that held objects, a key may have been overwritten: nothing is undone there.
      undoOnFailure: occupant === undefined,
      async commit() {
        return {
          generation: snapshot.source.generation, removedObjects: 0,
          rows: snapshot.totals.rows, objects: snapshot.files.length, bytes: snapshot.totals.bytes,
          restored: await restoredFileSet(store, target, snapshot),
          metadataLocation,
        };
      },
    };
    return plan;
  },
};

/** The table as restored: its metadata pinned to the backed-up snapshot, its metadata-log cut to the files the backup holds. */
function pinned(table: IcebergTable, origin: IcebergOrigin, files: ReadonlyMap<string, SnapshotFileRecord>): IcebergTable {
  if (origin.history || origin.snapshotId === undefined) return table;
  const held = (path: string) => {
    const resolved = table.paths.resolve(path);
    return resolved.inside === true && files.has(resolved.relativeKey);
  };
  const document = pinToSnapshot(table.document, BigInt(origin.snapshotId), held);
  return icebergTableOf(table.location, table.metadataKey, table.foundBy, metadataBytes(document));
}

type Writes = { writes: RestorePlan['writes']; metadataLocation: string };

/** At the table's own prefix: only the metadata file is written (pinned); paths stay as they were. */
function inPlaceWrites(table: IcebergTable, origin: IcebergOrigin, files: ReadonlyMap<string, SnapshotFileRecord>): Writes {
  const metadataLocation = joinLocation(table.metadata.location, table.metadataKey);
  if (origin.history || origin.snapshotId === undefined) return { writes: [], metadataLocation };
  return { writes: [{ file: files.get(table.metadataKey)!, key: table.metadataKey, bytes: metadataBytes(table.document) }], metadataLocation };
}

/** At a new location: every file that records a path, rewritten for it (src/lake/iceberg/rewrite.ts). */
async function movedWrites(store: ObjectStore, table: IcebergTable, origin: IcebergOrigin, target: TableRef, read: (key: string) => Promise<Uint8Array>, files: ReadonlyMap<string, SnapshotFileRecord>): Promise<Writes> {
  const targetLocation = `s3://${target.location.bucket}/${target.location.prefix.replace(/\/+$/, '')}`;
  const plan = await planTableRewrite(store, table, {
    targetLocation,
    read,
    ...(origin.history || origin.snapshotId === undefined ? { allSnapshots: true } : { snapshotId: BigInt(origin.snapshotId) }),
  });
  const writes = plan.rewritten.map((rewritten) => {
    const file = files.get(rewritten.relativeKey);
    if (!file) throw new IntegrityError(`the rewrite of the Iceberg table needs ${rewritten.relativeKey}, which the backup does not hold`);
    return { file, key: rewritten.relativeKey, bytes: rewritten.bytes };
  });
  return { writes, metadataLocation: plan.metadataLocation };
}

/**
 * A target whose metadata directory holds a metadata file the backup does not — a later
 * commit — would keep that commit current (engines read the newest metadata, or the
 * version hint): restoring over it would seem to work and change nothing.
 */
async function refuseNewerMetadata(store: ObjectStore, target: TableRef, origin: IcebergOrigin, files: ReadonlyMap<string, SnapshotFileRecord>): Promise<void> {
  const others = (await listTable(store, target))
    .map((object) => object.key.slice(target.location.prefix.length))
    .filter((key) => isMetadataJsonKey(key) && !files.has(key));
  if (others.length) {
    throw new ConflictError(`${target.uri} holds Iceberg metadata the backup does not (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}): its commits after ${origin.metadataKey} would stay current over the restored snapshot — restore to a new prefix instead`);
  }
}

/** The target's objects under the snapshot's keys, as restored (written files have their new sizes and ETags). */
async function restoredFileSet(store: ObjectStore, target: TableRef, snapshot: SnapshotManifest): Promise<FileSet> {
  const objects = new Map((await listTable(store, target)).map((o) => [o.key.slice(target.location.prefix.length), o]));
  const files = snapshot.files.map((file) => {
    const object = objects.get(file.relativeKey);
    const kind = file.kind ?? 'data';
    return {
      relativeKey: file.relativeKey, bucket: target.location.bucket, key: target.location.prefix + file.relativeKey,
      size: object?.size ?? file.size, etag: object?.etag ?? '', kind,
      ...(kind === 'data' ? { rows: file.rows, rowGroups: file.rowGroups } : {}),
      ...(file.schema ? { schema: file.schema } : {}),
    };
  });
  return {
    kind: 'prefix',
    label: `iceberg table ${target.uri}`,
    uri: target.uri,
    hasManifest: false,
    partial: true,
    files,
    schema: snapshot.schema,
    totals: { files: files.length, rows: snapshot.totals.rows, bytes: files.reduce((sum, file) => sum + file.size, 0) },
  };
}
