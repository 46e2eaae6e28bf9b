import { ConflictError, IntegrityError } from '../errors';
import { keyUnder } from '../store/key-boundary';
import { formatS3Uri } from '../store/location';
import { refuseOverlap } from '../store/overlap';
import type { CopyItem } from '../store/prefix-copy';
import { sameStore, transferObjects, type StoreRoute } from '../store/transfer';
import { TOOL_VERSION } from '../version';
import { signManifest } from './authentication';
import { completeSnapshots } from './catalog';
import { copiedEtag } from './copied-etag';
import { snapshotFileSet } from './file-set';
import { seriesName } from './identity';
import { lockSnapshotObjects, prepareLock, type LockRequest } from './lock';
import { withLock } from './locks';
import {
  folderOf, readPendingMarker, readSnapshotManifest, sourceOf, writeJson, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MANIFEST, SNAPSHOT_PENDING,
  type PendingMarker, type SnapshotFileRecord, type SnapshotManifest,
} from './manifest';
import { snapshotUri, type SnapshotRepository } from './repository';
import { contentKey } from './plan';
import { prepareForWriting } from './repository-format';
import { validateFileSet, type ValidationLevel, type ValidationReport } from '../validate';
import type { Transfer } from './create';

export interface CopySnapshotOptions {
  concurrency: number;
  /** Object-lock retention on the copy (the destination bucket needs object lock). */
  lock?: LockRequest;
  /** The check of the copy, from the destination, before its manifest is written (default quick). */
  level?: ValidationLevel;
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
}

export interface CopySnapshotResult {
  kind: SnapshotRepository['kind'];
  id: string;
  table: string;
  /** The table's location the snapshot was taken of. */
  source: string;
  from: string;
  uri: string;
  /** 'copied' by this run; 'present': the destination already held this complete snapshot. */
  state: 'copied' | 'present';
  objects: number;
  bytes: number;
  copied: Transfer;
  /** Already at the destination from an interrupted run (resumed). */
  skipped: Transfer;
  /** Referenced from snapshots the destination already held (same digest, size and source ETag). */
  reused: Transfer;
  /** The copy's manifest is signed with the configured manifest key. */
  authenticated: boolean;
  /** Streamed through this process (another endpoint) or copied on the server. */
  path: 'between endpoints' | 'server-side';
  validation?: ValidationReport;
  lock?: { mode: string; retainUntil: string };
  elapsedMs: number;
}

/**
 * Copies a complete snapshot into another repository — on the same endpoint (server-side)
 * or another one (streamed, verified) — keeping its id, source, tags and digests:
 *  1. a shared lock on the snapshot's series in both repositories (no delete of the files
 *     read, nor of the destination's files referenced, meanwhile);
 *  2. the pending marker at the destination (every key it writes or references), so an
 *     interrupted copy is resumed by running it again, copying only what is missing;
 *  3. files the destination already holds (an earlier copy: same digest, size and source
 *     ETag) referenced, the others copied;
 *  4. the copy validated from the destination against the manifest it will carry;
 *  5. its manifest — the same, its files where the copies are, signed again with the
 *     manifest key when one is configured — written LAST.
 */
export async function copySnapshot(route: StoreRoute, from: SnapshotRepository, manifest: SnapshotManifest, to: SnapshotRepository, options: CopySnapshotOptions): Promise<CopySnapshotResult> {
  const started = Date.now();
  const store = route.destination;
  if (sameStore(route)) refuseOverlap([{ name: `the ${from.kind} repository`, location: from.root }, { name: 'the destination repository', location: to.root }]);
  const origin = sourceOf(manifest);
  const series = seriesName(origin);
  const fromUri = snapshotUri(from, folderOf(manifest), manifest.id);
  const objectLock = options.lock ? await prepareLock(store, to, options.lock) : undefined;
  await store.ensureBucket(to.root.bucket);
  await prepareForWriting(store, to);
  const operation = `${to.kind} copy ${fromUri}`;
  return withLock(route.source, from, { mode: 'shared', scope: folderOf(manifest), operation }, () =>
    withLock(store, to, { mode: 'shared', scope: series, operation }, async (held) => {
      const at = to.snapshotLocation(series, manifest.id);
      const base = { kind: to.kind, id: manifest.id, table: manifest.source.table, source: origin.uri, from: fromUri, uri: formatS3Uri(at), path: sameStore(route) ? 'server-side' as const : 'between endpoints' as const };
      const present = await readSnapshotManifest(store, to, series, manifest.id);
      if (present) {
        if (present.contentDigest !== manifest.contentDigest || present.totals.files !== manifest.totals.files) {
          throw new ConflictError(`${formatS3Uri(at)} already holds another ${to.kind} ${manifest.id} (content ${present.contentDigest}, not ${manifest.contentDigest}): nothing was copied`);
        }
        const none = { objects: 0, bytes: 0 };
        return { ...base, state: 'present' as const, objects: present.totals.files, bytes: present.totals.bytes, copied: none, skipped: none, reused: none, authenticated: present.authentication !== undefined, elapsedMs: Date.now() - started };
      }
      const resuming = (await readPendingMarker(store, to, series, manifest.id)) !== undefined;

      const plan = await planCopy(store, to, manifest, at.prefix);
      await writeJson(store, at.bucket, at.prefix + SNAPSHOT_PENDING, pendingMarker(manifest, plan));
      const records = new Map<string, SnapshotFileRecord>();
      const outcome = { copied: { objects: 0, bytes: 0 }, skipped: { objects: 0, bytes: 0 }, reused: { objects: 0, bytes: 0 } };
      for (const { file, reuse } of plan) {
        if (!reuse) continue;
        records.set(file.relativeKey, { ...file, bucket: reuse.bucket, key: reuse.key, etag: reuse.etag, reusedFrom: reuse.from });
        outcome.reused.objects += 1;
        outcome.reused.bytes += file.size;
      }
      const items: CopyItem[] = plan.filter((p) => !p.reuse).map(({ file, destination }) => ({
        source: { bucket: file.bucket, key: file.key, size: file.size, etag: file.etag, lastModified: new Date(0) },
        dstBucket: at.bucket,
        dstKey: destination,
        relativeKey: file.relativeKey,
      }));
      const done = outcome.reused.objects;
      const transferred = await transferObjects(route, items, {
        concurrency: options.concurrency,
        ...(resuming ? { resumeUnder: at } : {}),
        onProgress: (p) => options.onProgress?.({ objects: done + p.objects, bytes: p.bytes, totalObjects: plan.length }),
      });
      const byKey = new Map(manifest.files.map((file) => [file.relativeKey, file]));
      for (const object of transferred.objects) {
        const file = byKey.get(object.relativeKey)!;
        if (object.size !== file.size || (!object.multipart && object.etag !== file.etag)) {
          throw new IntegrityError(`copy of ${file.key} does not match the ${manifest.kind}'s file (size ${object.size}/${file.size}, ETag ${object.etag}/${file.etag})`);
        }
        const key = keyUnder(at.prefix, file.relativeKey, `${manifest.kind} ${manifest.id}`);
        const { reusedFrom: _reusedFrom, ...own } = file;
        records.set(file.relativeKey, { ...own, bucket: at.bucket, key, etag: await copiedEtag(store, at.bucket, key, object.etag, file.size) });
        const counted = transferred.resumed.has(file.relativeKey) ? outcome.skipped : outcome.copied;
        counted.objects += 1;
        counted.bytes += file.size;
      }

      const files = manifest.files.map((file) => records.get(file.relativeKey)!);
      const reused = files.filter((file) => file.reusedFrom);
      const own = files.filter((file) => !file.reusedFrom);
      const { authentication: _authentication, lock: _lock, ...kept } = manifest;
      const built: SnapshotManifest = {
        ...kept,
        formatVersion: SNAPSHOT_FORMAT_VERSION,
        files,
        transfer: {
          copiedObjects: own.length, copiedBytes: own.reduce((sum, file) => sum + file.size, 0),
          reusedObjects: reused.length, reusedBytes: reused.reduce((sum, file) => sum + file.size, 0),
        },
        ...(objectLock ? { lock: { mode: objectLock.retention.mode, retainUntil: objectLock.retention.retainUntil.toISOString() } } : {}),
      };
      const copy = to.key ? signManifest(built, to.key) : built;
      // Checked from the destination before the copy exists: what a restore from it will read.
      const validation = await validateFileSet(store, snapshotFileSet(to, copy), { level: options.level ?? 'quick' });
      if (!validation.ok) {
        throw Object.assign(new IntegrityError(`the copy of ${manifest.kind} ${manifest.id} at ${formatS3Uri(at)} does not validate (${validation.differences.length} difference(s)); it stays incomplete — run the copy again to resume it`), { report: validation });
      }
      if (objectLock) await lockSnapshotObjects(store, copy, objectLock.retention);
      await held.check();
      await writeJson(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, copy);
      if (objectLock) await lockSnapshotObjects(store, copy, objectLock.retention, [{ bucket: at.bucket, key: at.prefix + SNAPSHOT_MANIFEST }]);
      await store.deleteKeys(at.bucket, [at.prefix + SNAPSHOT_PENDING]).catch(() => undefined);
      return {
        ...base, state: 'copied' as const, objects: copy.totals.files, bytes: copy.totals.bytes, ...outcome,
        authenticated: copy.authentication !== undefined, validation,
        ...(copy.lock ? { lock: copy.lock } : {}),
        elapsedMs: Date.now() - started,
      };
    }));
}

interface PlannedCopy {
  file: SnapshotFileRecord;
  /** The destination key of its own copy. */
  destination: string;
  reuse?: { bucket: string; key: string; etag: string; from: string };
}

/** Each file of the snapshot: referenced from a complete snapshot the destination holds (incremental repositories), else copied. */
async function planCopy(store: StoreRoute['destination'], to: SnapshotRepository, manifest: SnapshotManifest, prefix: string): Promise<PlannedCopy[]> {
  const reusable = new Map<string, { record: SnapshotFileRecord; from: string }>();
  if (to.incremental) {
    for (const earlier of await completeSnapshots(store, to, sourceOf(manifest))) {
      if (earlier.id === manifest.id) continue;
      for (const record of earlier.files) {
        const key = contentKey(record.digest, record.size, record.sourceEtag);
        if (!reusable.has(key)) reusable.set(key, { record, from: earlier.id });
      }
    }
  }
  const planned: PlannedCopy[] = [];
  for (const file of manifest.files) {
    const destination = keyUnder(prefix, file.relativeKey, `${manifest.kind} ${manifest.id}`);
    const match = reusable.get(contentKey(file.digest, file.size, file.sourceEtag));
    if (match) {
      const head = await store.head(match.record.bucket, match.record.key);
      if (head && head.size === match.record.size && head.etag === match.record.etag) {
        planned.push({ file, destination, reuse: { bucket: match.record.bucket, key: match.record.key, etag: match.record.etag, from: match.from } });
        continue;
      }
    }
    planned.push({ file, destination });
  }
  return planned;
}

function pendingMarker(manifest: SnapshotManifest, plan: PlannedCopy[]): PendingMarker {
  const origin = sourceOf(manifest);
  return {
    format: 'lakevault.snapshot.pending',
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    toolVersion: TOOL_VERSION,
    kind: manifest.kind,
    id: manifest.id,
    ...(manifest.label ? { label: manifest.label } : {}),
    ...(manifest.tags?.length ? { tags: manifest.tags } : {}),
    createdAt: manifest.createdAt,
    source: {
      table: manifest.source.table, uri: origin.uri,
      location: { endpoint: manifest.source.location?.endpoint ?? 'unknown', bucket: origin.bucket, prefix: origin.prefix },
      generation: manifest.source.generation,
    },
    ownKeys: plan.filter((p) => !p.reuse).map((p) => p.destination).sort(),
    references: plan.flatMap((p) => (p.reuse ? [{ bucket: p.reuse.bucket, key: p.reuse.key }] : [])),
  };
}
