import { ConflictError, IntegrityError } from '../errors';
import type { FileSet } from '../model/file-set';
import { snapshotFileSet } from '../snapshot/file-set';
import { sameLocation } from '../snapshot/identity';
import { sourceOf, type SnapshotManifest } from '../snapshot/manifest';
import type { SnapshotRepository } from '../snapshot/repository';
import { copiedEtag } from '../snapshot/copied-etag';
import type { RestoreCommit, RestoredFile, RestorePlan, RestorerOf } from '../sources/table-source';
import { keyUnder } from '../store/key-boundary';
import { refuseOverlap } from '../store/overlap';
import type { CopyItem } from '../store/prefix-copy';
import { sameStore, transferObjects, type StoreRoute } from '../store/transfer';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { compareFileSets, validateFileSet, type ValidationLevel, type ValidationReport } from '../validate';

export interface RestoreOptions {
  /** Replace a table that exists, or write into a non-empty prefix. */
  force: boolean;
  /** Let a snapshot of another table replace this one (a snapshot replaces only its own table otherwise). */
  allowOtherSource?: boolean;
  concurrency: number;
  level?: ValidationLevel;
  /** The snapshot repository's store when it is not the table's (another endpoint): the bytes then stream through this process. */
  repositoryStore?: ObjectStore;
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
  /** Called when the copy is done and the closing validation starts (a phase of its own on a terminal). */
  onValidate?: () => void;
  /** Given the two sets the closing validation compared (a caller may check them again at another level). */
  onValidated?: (sets: ValidatedSets) => void;
}

/** What a restore's closing validation compares: the snapshot's files under their restored keys, and the restored table. */
export interface ValidatedSets {
  expected: FileSet;
  restored: FileSet;
}

export interface RestoreResult {
  snapshot: { kind: string; id: string; uri: string; table: string };
  table: string;
  uri: string;
  /** 'new' into an empty prefix; 'replace' over an existing table (in place when it is the source). */
  mode: 'new' | 'replace';
  /** The table the snapshot was taken of was replaced where it stands (mode 'replace' into its own location). */
  inPlace: boolean;
  generation: string;
  replacedGeneration?: string;
  rows: number;
  objects: number;
  bytes: number;
  removedObjects: number;
  /** An Iceberg table's metadata file at the target: what a catalog's register_table takes. */
  metadataLocation?: string;
  validation: ValidationReport;
  ok: boolean;
  elapsedMs: number;
}

/**
 * Restores a snapshot into a table, server-side, the way the kind of table it was taken of
 * plans it (`restorerOf`: sources/registry.ts's snapshotRestorer): the target is refused when it is occupied
 * (unless forced) or holds another table than the snapshot's source (unless allowed); every
 * file is copied pinned to the snapshot's ETag (or written, where the plan rewrites it) and
 * checked; then the plan's switch; then a validation of the target against the snapshot.
 * A failure before the switch removes what this restore wrote when the plan allows it.
 */
export async function restoreSnapshot(store: ObjectStore, repo: SnapshotRepository, snapshot: SnapshotManifest, target: TableRef, restorerOf: RestorerOf, options: RestoreOptions): Promise<RestoreResult> {
  const offsite = options.repositoryStore !== undefined && options.repositoryStore !== store;
  if (!offsite) refuseOverlap([{ name: `the restore target`, location: target.location }, { name: `the ${repo.kind} location`, location: repo.root }]);
  const started = Date.now();
  await store.ensureBucket(target.location.bucket);
  const plan = await restorerOf(snapshot).plan(store, repo, snapshot, target, { force: options.force });
  if (!options.force && plan.occupied !== undefined) throw new ConflictError(plan.occupied);
  refuseOtherSource(snapshot, target, plan.occupied !== undefined, options.allowOtherSource);
  await plan.checkReplace?.();

  const restored = await putInPlace(store, `${snapshot.kind} ${snapshot.id}`, target, plan, options);
  const commit = await plan.commit(restored);
  const expected = restoredAs(snapshotFileSet(repo, snapshot), restored, target);
  options.onValidate?.();
  // From another endpoint the restored table is checked against the digests the snapshot
  // recorded (its manifest carries them), without reading the remote copy a second time.
  const validation = offsite
    ? await validateFileSet(store, commit.restored, { level: options.level ?? 'quick' })
    : await compareFileSets(store, expected, commit.restored, { level: options.level ?? 'quick' });
  options.onValidated?.({ expected, restored: commit.restored });
  return restoreOutcome({ kind: snapshot.kind, id: snapshot.id, uri: expected.uri, table: snapshot.source.table }, target, plan.mode, target.uri === snapshot.source.uri, commit, validation, started);
}

/** The report of a restore once switched and validated; in place = a table replaced in its own location. */
export function restoreOutcome(
  snapshot: RestoreResult['snapshot'], target: TableRef, mode: RestoreResult['mode'], toSourceLocation: boolean,
  commit: RestoreCommit, validation: ValidationReport, started: number,
): RestoreResult {
  return {
    snapshot,
    table: target.name,
    uri: target.uri,
    mode,
    inPlace: mode === 'replace' && toSourceLocation,
    generation: commit.generation,
    ...(commit.replacedGeneration !== undefined ? { replacedGeneration: commit.replacedGeneration } : {}),
    rows: commit.rows,
    objects: commit.objects,
    bytes: commit.bytes,
    removedObjects: commit.removedObjects,
    ...(commit.metadataLocation !== undefined ? { metadataLocation: commit.metadataLocation } : {}),
    validation,
    ok: validation.ok,
    elapsedMs: Date.now() - started,
  };
}

/**
 * Copies (and writes) every file of the plan under the target, each checked: a copy keeps
 * the snapshot file's size, and a single-part copy its ETag. Returns them in the plan's
 * order. Before the switch, a failure removes what this restore wrote when the plan allows
 * it — never the current table's files, which the plan never overwrites then.
 */
export async function putInPlace(store: ObjectStore, where: string, target: TableRef, plan: Pick<RestorePlan, 'copies' | 'writes' | 'undoOnFailure' | 'checkUnchanged'>, options: Pick<RestoreOptions, 'concurrency' | 'onProgress' | 'repositoryStore'>): Promise<RestoredFile[]> {
  const route: StoreRoute = { source: options.repositoryStore ?? store, destination: store };
  const { bucket, prefix } = target.location;
  const items: CopyItem[] = plan.copies.map(({ file, key, versionId }) => ({
    source: { bucket: file.bucket, key: file.key, size: file.size, etag: file.etag, ...(versionId !== undefined ? { versionId } : {}) },
    dstBucket: bucket,
    dstKey: keyUnder(prefix, key, where),
    relativeKey: key,
  }));
  const writes = plan.writes.map((write) => ({ ...write, at: keyUnder(prefix, write.key, where) }));
  const written = [...items.map((item) => item.dstKey), ...writes.map((write) => write.at)];
  const total = items.length + writes.length;
  try {
    const copied = await transferObjects(route, items, {
      concurrency: options.concurrency,
      // Between endpoints, what an interrupted restore already copied is kept.
      ...(sameStore(route) ? {} : { resumeUnder: target.location }),
      onProgress: (p) => options.onProgress?.({ ...p, totalObjects: total }),
    });
    const byKey = new Map(copied.objects.map((object) => [object.relativeKey, object]));
    const restored: RestoredFile[] = [];
    for (const { file, key } of plan.copies) {
      const object = byKey.get(key)!;
      if (object.size !== file.size || (!object.multipart && object.etag !== file.etag)) {
        throw new IntegrityError(`restored copy of ${file.relativeKey} does not match ${where} (size ${object.size}/${file.size}, ETag ${object.etag}/${file.etag})`);
      }
      restored.push({ file, key, etag: await copiedEtag(store, bucket, prefix + key, object.etag, file.size) });
    }
    for (const write of writes) {
      const stored = await store.put(bucket, write.at, write.bytes);
      restored.push({ file: write.file, key: write.key, etag: await copiedEtag(store, bucket, write.at, stored.etag, write.bytes.length), rewritten: { size: write.bytes.length } });
    }
    await plan.checkUnchanged?.();
    return restored;
  } catch (error) {
    if (plan.undoOnFailure) await store.deleteKeys(bucket, written).catch(() => undefined);
    throw error;
  }
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
 * What the restored table must equal: the snapshot's files under the keys the restore gave
 * them; a file the restore rewrote is expected as it was written (its bytes are new).
 */
function restoredAs(set: FileSet, restored: RestoredFile[], target: TableRef): FileSet {
  const byRelativeKey = new Map(restored.map((file) => [file.file.relativeKey, file]));
  const files = set.files.map((file) => {
    const put = byRelativeKey.get(file.relativeKey);
    if (!put) return file;
    if (!put.rewritten) return { ...file, relativeKey: put.key };
    const { digest: _digest, columnDigests: _columns, sourceEtag: _sourceEtag, ...rest } = file;
    return { ...rest, relativeKey: put.key, bucket: target.location.bucket, key: target.location.prefix + put.key, size: put.rewritten.size, etag: put.etag };
  });
  return { ...set, files, ...(set.totals ? { totals: { ...set.totals, bytes: files.reduce((sum, file) => sum + file.size, 0) } } : {}) };
}
