import { ConflictError, IntegrityError, NotFoundError, UsageError } from '../errors';
import type { Location } from '../store/location';
import type { CopyItem } from '../store/prefix-copy';
import { sameStore, transferObjects, type StoreRoute } from '../store/transfer';
import type { ObjectStore } from '../store/types';
import { refuseOverlap } from '../store/overlap';
import { newId } from '../table/naming';
import type { TableRef } from '../table/table-ref';
import type { OpenSource, TableSource, TableVersion } from '../sources/table-source';
import { TOOL_VERSION } from '../version';
import { signManifest } from './authentication';
import { completeSnapshots } from './catalog';
import { copiedEtag } from './copied-etag';
import { endpointIdentity, legacySeriesName, sameLocation, seriesName } from './identity';
import { lockSnapshotObjects, prepareLock, type LockRequest } from './lock';
import { withLock } from './locks';
import {
  holdsNoData, readPendingMarker, readSnapshotManifest, sourceOf, writeJson, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MANIFEST, SNAPSHOT_PENDING,
  type PendingMarker, type SnapshotFileRecord, type SnapshotManifest,
} from './manifest';
import { planSnapshot, type PlannedFile, type SnapshotPlan } from './plan';
import { snapshotUri, type SnapshotRepository } from './repository';
import { prepareForWriting } from './repository-format';

export interface CreateSnapshotOptions {
  /** Resume this interrupted snapshot (its pending marker must exist) or use this id. */
  id?: string;
  resume?: boolean;
  label?: string;
  /** Tags to find and keep the snapshot by; a resumed snapshot keeps its own unless given. */
  tags?: string[];
  lock?: LockRequest;
  concurrency: number;
  /** Restarts on a newer table generation when the table is overwritten mid-copy. */
  maxAttempts?: number;
  /** The repository's store when it is not the table's (another endpoint): the bytes then stream through this process. */
  repositoryStore?: ObjectStore;
  /** Take the snapshot of a version with no data files (a table meant to be empty); refused otherwise. */
  allowEmpty?: boolean;
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
}

export interface Transfer { objects: number; bytes: number }


export interface CreateSnapshotResult {
  kind: SnapshotRepository['kind'];
  id: string;
  table: string;
  /** The table's location, s3://bucket/prefix/: what the snapshot belongs to. */
  source: string;
  uri: string;
  state: 'complete';
  createdAt: string;
  generation: string;
  rows: number;
  objects: number;
  bytes: number;
  /** Copied by this run, already there from an interrupted run (--resume), referenced from earlier snapshots. */
  copied: Transfer;
  skipped: Transfer;
  reused: Transfer;
  /** 1 unless the table was overwritten mid-copy and the snapshot restarted on the new generation. */
  attempts: number;
  tags?: string[];
  lock?: { mode: string; retainUntil: string };
  elapsedMs: number;
}

/**
 * Takes a snapshot (backup or checkpoint) of a table, server-side:
 *  1. open the table as the kind it is (`openSource`: sources/registry.ts's openTableSource)
 *     and read its version (its manifest, or what its kind reads): the files to copy;
 *  2. write the pending marker (every key the snapshot will write or reference);
 *  3. copy each listed file, pinned to its ETag (skipping what a resumed run already has);
 *  4. lock the objects when asked; 5. write the snapshot manifest LAST.
 * A file that vanished or changed mid-copy means the table was overwritten: the copies of
 * the old generation are removed and the snapshot restarts on the new one — a snapshot
 * never mixes generations.
 */
export async function createSnapshot(tableStore: ObjectStore, repo: SnapshotRepository, table: TableRef, openSource: OpenSource, options: CreateSnapshotOptions): Promise<CreateSnapshotResult> {
  const started = Date.now();
  const route: StoreRoute = { source: tableStore, destination: options.repositoryStore ?? tableStore };
  // The repository's requests go to its own store; the table's to the table's.
  const store = route.destination;
  if (sameStore(route)) refuseOverlap([{ name: `table ${table.name}`, location: table.location }, { name: `the ${repo.kind} location`, location: repo.root }]);
  // Read before anything is written: a table that is not there, or a version with no data files, is refused with the store untouched.
  const source = await openSource(tableStore, table);
  let version: TableVersion | undefined = await readSnapshotVersion(source, repo, options);
  const objectLock = options.lock ? await prepareLock(store, repo, options.lock) : undefined;
  await store.ensureBucket(repo.root.bucket);
  await prepareForWriting(store, repo);
  const series = seriesName(table.location);
  // Shared with other snapshots of the table, exclusive of deletes: the files chosen for reuse stay.
  return withLock(store, repo, { mode: 'shared', scope: series, operation: `${repo.kind} create ${table.uri}` }, async (held) => {
    const { id, previous } = await claimId(store, repo, table, series, options);
    const createdAt = previous?.createdAt ?? new Date().toISOString();
    const ownKeys = new Set(previous?.ownKeys ?? []);
    const maxAttempts = options.maxAttempts ?? 3;
    const tags = options.tags ?? previous?.tags;
    const at = repo.snapshotLocation(series, id);

    for (let attempt = 1; ; attempt++) {
      version ??= await readSnapshotVersion(source, repo, options);
      const earlier = repo.incremental ? (await completeSnapshots(store, repo, table.location)).filter((m) => m.id !== id) : [];
      const plan = await planSnapshot(store, repo, table, version, series, id, earlier, { concurrency: options.concurrency });
      await recordIntent(route, repo, { id, series, createdAt, plan, table, ownKeys, label: options.label, tags });
      try {
        const outcome = await copyPlan(route, plan, at, options, attempt > 1 || options.resume === true);
        const built = buildManifest(tableStore, repo, table, version, id, createdAt, plan, outcome.records, options.label, objectLock?.retention, tags);
        const manifest = repo.key ? signManifest(built, repo.key) : built;
        if (objectLock) await lockSnapshotObjects(store, manifest, objectLock.retention);
        await held.check();
        await writeJson(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, manifest);
        if (objectLock) await lockSnapshotObjects(store, manifest, objectLock.retention, [{ bucket: at.bucket, key: at.prefix + SNAPSHOT_MANIFEST }]);
        // The marker has done its job; a failure to remove it leaves a harmless extra object.
        await store.deleteKeys(at.bucket, [at.prefix + SNAPSHOT_PENDING]).catch(() => undefined);
        return {
          kind: repo.kind, id, table: table.name, source: table.uri, uri: snapshotUri(repo, series, id), state: 'complete' as const,
          createdAt, generation: plan.generation, rows: manifest.totals.rows, objects: manifest.totals.files, bytes: manifest.totals.bytes,
          copied: outcome.copied, skipped: outcome.skipped, reused: outcome.reused, attempts: attempt,
          ...(manifest.tags ? { tags: manifest.tags } : {}),
          ...(manifest.lock ? { lock: manifest.lock } : {}),
          elapsedMs: Date.now() - started,
        };
      } catch (error) {
        const now = await currentGeneration(source);
        if (now === plan.generation || now === undefined || attempt >= maxAttempts) {
          if (now !== plan.generation && attempt >= maxAttempts) {
            throw new ConflictError(`table "${table.name}" kept changing during the ${repo.kind} (${attempt} attempts); ${repo.kind} ${id} is incomplete — resume it with --resume ${id}`, { cause: error });
          }
          throw error;
        }
        // Overwritten mid-copy: drop this generation's copies (keys we wrote, from the plan) and start over.
        const stale = plan.files.filter((f) => !f.reuse).map((f) => f.destination.key);
        await store.deleteKeys(repo.root.bucket, stale);
        version = undefined;
      }
    }
  });
}

/**
 * The version a snapshot copies, read now. A version with no data files (a prefix holding
 * only a README, a table or Delta/Iceberg version with zero data files) is refused unless
 * allowed: reported complete, such a snapshot could be all that retention keeps.
 */
async function readSnapshotVersion(source: TableSource, repo: SnapshotRepository, options: Pick<CreateSnapshotOptions, 'allowEmpty'>): Promise<TableVersion> {
  const version = await source.readVersion();
  if (!options.allowEmpty && !version.files.some((file) => file.kind === 'data')) {
    const { table } = source;
    throw new ConflictError(`table ${table.name} (${table.uri}) holds no data files (version ${version.generation}, ${version.files.length} other object${version.files.length === 1 ? '' : 's'}): no ${repo.kind} taken; pass --allow-empty if the table is meant to be empty`);
  }
  return version;
}

/** Picks the id: a new one, a free given one, or (resume) the interrupted snapshot's. */
async function claimId(store: ObjectStore, repo: SnapshotRepository, table: TableRef, series: string, options: CreateSnapshotOptions): Promise<{ id: string; previous?: PendingMarker }> {
  if (!options.resume) {
    const id = options.id ?? newId();
    if (options.id && ((await readSnapshotManifest(store, repo, series, id)) || (await readPendingMarker(store, repo, series, id)))) {
      throw new ConflictError(`${repo.kind} ${id} of ${table.uri} already exists (use --resume to finish an interrupted one)`);
    }
    return { id };
  }
  if (!options.id) throw new UsageError('--resume needs the id of the interrupted snapshot');
  if (await readSnapshotManifest(store, repo, series, options.id)) {
    throw new ConflictError(`${repo.kind} ${options.id} of ${table.uri} is already complete: nothing to resume`);
  }
  const previous = await readPendingMarker(store, repo, series, options.id);
  if (!previous) {
    const legacy = legacySeriesName(table.location);
    const interrupted = legacy !== series ? await readPendingMarker(store, repo, legacy, options.id) : undefined;
    if (interrupted && sameLocation(sourceOf(interrupted), table.location)) {
      throw new ConflictError(`${repo.kind} ${options.id} of ${table.uri} was interrupted in the layout of lakevault 0.1.0 and cannot be resumed by this version: run \`lakevault repo upgrade\` first (it moves it), or delete it and take a new one`);
    }
    throw new NotFoundError(`no interrupted ${repo.kind} ${options.id} of ${table.uri} to resume`);
  }
  return { id: options.id, previous };
}

/** Writes the pending marker with every key this snapshot may ever have written. */
async function recordIntent(route: StoreRoute, repo: SnapshotRepository, intent: { id: string; series: string; createdAt: string; plan: SnapshotPlan; table: TableRef; ownKeys: Set<string>; label?: string | undefined; tags?: string[] | undefined }): Promise<void> {
  for (const file of intent.plan.files) if (!file.reuse) intent.ownKeys.add(file.destination.key);
  const at = repo.snapshotLocation(intent.series, intent.id);
  const { table } = intent;
  const marker: PendingMarker = {
    format: 'lakevault.snapshot.pending',
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    toolVersion: TOOL_VERSION,
    kind: repo.kind,
    id: intent.id,
    ...(intent.label ? { label: intent.label } : {}),
    ...(intent.tags?.length ? { tags: intent.tags } : {}),
    createdAt: intent.createdAt,
    source: { table: table.name, uri: table.uri, location: { endpoint: endpointIdentity(route.source), ...table.location }, generation: intent.plan.generation },
    ownKeys: [...intent.ownKeys].sort(),
    references: intent.plan.files.flatMap((f) => (f.reuse ? [{ bucket: f.reuse.bucket, key: f.reuse.key }] : [])),
  };
  await writeJson(route.destination, at.bucket, at.prefix + SNAPSHOT_PENDING, marker);
}

interface CopyOutcome {
  records: SnapshotFileRecord[];
  copied: Transfer;
  skipped: Transfer;
  reused: Transfer;
}

/** Copies what the plan needs, pinned to source ETags; checks every copy it made. */
async function copyPlan(route: StoreRoute, plan: SnapshotPlan, at: Location, options: CreateSnapshotOptions, checkExisting: boolean): Promise<CopyOutcome> {
  const store = route.destination;
  const records = new Map<PlannedFile, SnapshotFileRecord>();
  const outcome: CopyOutcome = { records: [], copied: { objects: 0, bytes: 0 }, skipped: { objects: 0, bytes: 0 }, reused: { objects: 0, bytes: 0 } };
  const toCopy: PlannedFile[] = [];
  for (const planned of plan.files) {
    if (planned.reuse) {
      records.set(planned, record(planned, planned.reuse.bucket, planned.reuse.key, planned.reuse.etag, planned.reuse.from));
      outcome.reused.objects += 1;
      outcome.reused.bytes += planned.source.size;
      continue;
    }
    // Resume: an object already there with the source's size and ETag is this file's copy.
    const existing = checkExisting ? await store.head(planned.destination.bucket, planned.destination.key) : undefined;
    if (existing && existing.size === planned.source.size && existing.etag === planned.source.etag) {
      records.set(planned, record(planned, planned.destination.bucket, planned.destination.key, existing.etag));
      outcome.skipped.objects += 1;
      outcome.skipped.bytes += existing.size;
      continue;
    }
    toCopy.push(planned);
  }
  const byRelativeKey = new Map(toCopy.map((planned) => [planned.file.key, planned]));
  const items: CopyItem[] = toCopy.map((planned) => ({
    source: { bucket: planned.source.bucket, key: planned.source.key, size: planned.source.size, etag: planned.source.etag },
    dstBucket: planned.destination.bucket,
    dstKey: planned.destination.key,
    relativeKey: planned.file.key,
  }));
  const done = outcome.skipped.objects + outcome.reused.objects;
  const copied = await transferObjects(route, items, {
    concurrency: options.concurrency,
    ...(checkExisting ? { resumeUnder: at } : {}),
    onProgress: (p) => options.onProgress?.({ objects: done + p.objects, bytes: p.bytes, totalObjects: plan.files.length }),
  });
  for (const object of copied.objects) {
    const planned = byRelativeKey.get(object.relativeKey)!;
    // A single-part copy keeps the MD5 ETag; a multipart copy gets "…-N" for the same bytes.
    if (object.size !== planned.source.size || (!object.multipart && object.etag !== planned.source.etag)) {
      throw new IntegrityError(`copy of ${planned.source.key} does not match its source (size ${object.size}/${planned.source.size}, ETag ${object.etag}/${planned.source.etag})`);
    }
    const etag = await copiedEtag(store, planned.destination.bucket, planned.destination.key, object.etag, planned.source.size);
    records.set(planned, record(planned, planned.destination.bucket, planned.destination.key, etag));
    outcome.copied.objects += 1;
    outcome.copied.bytes += object.size;
  }
  outcome.records = plan.files.map((planned) => records.get(planned)!);
  return outcome;
}

/**
 * A file's record in the snapshot manifest. Format 2 records '' (and {}) where a table
 * has no content digest (tables lakevault did not write), and a kind only for metadata.
 */
function record(planned: PlannedFile, bucket: string, key: string, etag: string, reusedFrom?: string): SnapshotFileRecord {
  const f = planned.file;
  return {
    relativeKey: f.key, bucket, key, size: f.bytes, etag, sourceEtag: f.etag,
    digest: f.digest ?? '', columnDigests: f.columnDigests ?? {}, rows: f.rows, rowGroups: f.rowGroups,
    ...(reusedFrom ? { reusedFrom } : {}),
    ...(f.kind === 'metadata' ? { kind: f.kind } : {}),
    ...(f.schema ? { schema: f.schema } : {}),
  };
}

/** The generation the table is at now, undefined when it is gone. */
async function currentGeneration(source: TableSource): Promise<string | undefined> {
  try {
    return (await source.readVersion()).generation;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * The snapshot manifest. Format 2 records '' for what a table does not have: the ETag of
 * an object naming the version, a content digest; a table that does not say when its
 * version was written is recorded as of the snapshot's start.
 */
function buildManifest(store: ObjectStore, repo: SnapshotRepository, table: TableRef, version: TableVersion, id: string, createdAt: string, plan: SnapshotPlan,
  records: SnapshotFileRecord[], label: string | undefined, lock: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainUntil: Date } | undefined, tags: string[] | undefined): SnapshotManifest {
  const reused = records.filter((r) => r.reusedFrom);
  const own = records.filter((r) => !r.reusedFrom);
  return {
    format: 'lakevault.snapshot',
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    kind: repo.kind,
    id,
    ...(label ? { label } : {}),
    ...(tags?.length ? { tags } : {}),
    createdAt,
    completedAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    source: {
      table: table.name, uri: table.uri, location: { endpoint: endpointIdentity(store), ...table.location }, generation: plan.generation,
      manifestDigest: version.digest, manifestEtag: version.etag ?? '', tableCreatedAt: version.createdAt ?? createdAt,
      ...(version.origin ? { origin: version.origin } : {}),
    },
    schema: version.schema,
    files: records,
    totals: { files: records.length, rows: records.reduce((s, r) => s + r.rows, 0), bytes: records.reduce((s, r) => s + r.size, 0) },
    contentDigest: version.contentDigest ?? '',
    transfer: {
      copiedObjects: own.length, copiedBytes: own.reduce((s, r) => s + r.size, 0),
      reusedObjects: reused.length, reusedBytes: reused.reduce((s, r) => s + r.size, 0),
    },
    ...(lock ? { lock: { mode: lock.mode, retainUntil: lock.retainUntil.toISOString() } } : {}),
    ...(holdsNoData(records) ? { empty: true as const } : {}),
  };
}
