import { ConflictError, IntegrityError, UsageError } from '../errors';
import { copyObjects, type CopyItem } from '../store/prefix-copy';
import { formatS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { snapshotFileSet } from '../snapshot/file-set';
import type { SnapshotManifest } from '../snapshot/manifest';
import type { SnapshotRepository } from '../snapshot/repository';
import { compareFileSets } from '../validate';
import { keyUnder } from '../store/key-boundary';
import { refuseOtherSource, type RestoreOptions, type RestoreResult } from '../restore/restore';
import { DELTA_LOG, parseLogFile } from './delta/log-files';
import { describePrefix } from './describe';
import { foreignOrigin } from './snapshot-source';

/**
 * Restores a snapshot of a prefix lakevault did not write: every object back under its
 * own key, byte for byte (server-side copies pinned to the snapshot's ETags), and NO
 * lakevault manifest — the restored prefix is what the engine wrote, nothing more.
 * The target must be empty, or --force: then objects with the same keys are overwritten
 * and nothing is deleted. A Delta target whose log already runs past the snapshot's
 * version is refused (its newer commits would hide the restored version).
 * Ends with a validation: the snapshot against a fresh description of the target.
 */
export async function restoreForeignSnapshot(store: ObjectStore, repo: SnapshotRepository, snapshot: SnapshotManifest, target: TableRef, options: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const origin = foreignOrigin(snapshot)!;
  const { bucket, prefix } = target.location;
  refuseInsideSource(snapshot, target);
  await store.ensureBucket(bucket);
  const occupied = await firstObjects(store, bucket, prefix);
  if (occupied.length && !options.force) {
    throw new ConflictError(`${target.uri} is not empty (found ${occupied[0]!.slice(prefix.length)}); use --force to restore into it anyway`);
  }
  refuseOtherSource(snapshot, target, occupied.length > 0, options.allowOtherSource);
  if (occupied.length && origin.deltaVersion !== undefined) await refuseNewerDeltaLog(store, target, origin.deltaVersion);

  const items: CopyItem[] = snapshot.files.map((file) => ({
    source: { bucket: file.bucket, key: file.key, size: file.size, etag: file.etag },
    dstBucket: bucket,
    dstKey: keyUnder(prefix, file.relativeKey, `${snapshot.kind} ${snapshot.id}`),
    relativeKey: file.relativeKey,
  }));
  const copied = await copyObjects(store, items, {
    concurrency: options.concurrency,
    onProgress: (p) => options.onProgress?.({ ...p, totalObjects: items.length }),
  });
  const byKey = new Map(copied.objects.map((object) => [object.relativeKey, object]));
  for (const file of snapshot.files) {
    const object = byKey.get(file.relativeKey)!;
    if (object.size !== file.size || (!object.multipart && object.etag !== file.etag)) {
      throw new IntegrityError(`restored copy of ${file.relativeKey} does not match the ${snapshot.kind} (size ${object.size}/${file.size}, ETag ${object.etag}/${file.etag})`);
    }
  }

  const expected = snapshotFileSet(repo, snapshot);
  const restored = await describePrefix(store, target.location);
  const validation = await compareFileSets(store, expected, restored.fileSet, { level: options.level ?? 'quick' });
  return {
    snapshot: { kind: snapshot.kind, id: snapshot.id, uri: expected.uri, table: snapshot.source.table },
    table: target.name,
    uri: target.uri,
    mode: occupied.length ? 'replace' : 'new',
    inPlace: target.uri === snapshot.source.uri,
    generation: snapshot.source.generation,
    rows: snapshot.totals.rows,
    objects: snapshot.files.length,
    bytes: snapshot.totals.bytes,
    removedObjects: 0,
    validation,
    ok: validation.ok,
    elapsedMs: Date.now() - started,
  };
}

/** A restore into a sub-prefix of the source would put files inside the source table, where its engines read them. */
function refuseInsideSource(snapshot: SnapshotManifest, target: TableRef): void {
  const source = snapshot.source.uri;
  if (target.uri !== source && target.uri.startsWith(source)) {
    throw new UsageError(`restoring into ${target.uri} would put files inside the source table ${source} (its engines would read them): choose a prefix outside it`);
  }
}

async function firstObjects(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  for await (const object of store.list(bucket, prefix)) return [object.key];
  return [];
}

async function refuseNewerDeltaLog(store: ObjectStore, target: TableRef, version: number): Promise<void> {
  const log = { bucket: target.location.bucket, prefix: target.location.prefix + DELTA_LOG };
  for await (const object of store.list(log.bucket, log.prefix)) {
    const file = parseLogFile(object.key.slice(target.location.prefix.length));
    if (file.kind === 'commit' && file.version! > version) {
      throw new ConflictError(`${formatS3Uri(target.location)} is a Delta table at version ${file.version} or later; restoring version ${version} over it would leave its newer commits in charge — restore to a new prefix instead`);
    }
  }
}
