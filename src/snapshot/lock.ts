import { UsageError } from '../errors';
import { putObjectRetention, requireObjectLock, type LockMode } from '../store/object-lock';
import type { ObjectStore } from '../store/types';
import { runPool } from '../util/pool';
import type { SnapshotManifest } from './manifest';
import type { SnapshotRepository } from './repository';

/** --lock-days N [--lock-mode governance|compliance] */
export interface LockRequest {
  days: number;
  mode: 'governance' | 'compliance';
}

export interface PreparedLock {
  retention: { mode: LockMode; retainUntil: Date };
}

export function parseLockMode(raw: string | undefined): LockRequest['mode'] {
  const mode = (raw ?? 'governance').toLowerCase();
  if (mode !== 'governance' && mode !== 'compliance') throw new UsageError(`--lock-mode must be governance or compliance, got "${raw}"`);
  return mode;
}

/**
 * Checks, before anything is copied, that the repository's bucket can hold locked
 * objects (a new bucket is created with object lock on), and fixes the retention date.
 */
export async function prepareLock(store: ObjectStore, repo: SnapshotRepository, request: LockRequest): Promise<PreparedLock> {
  if (!Number.isSafeInteger(request.days) || request.days < 1) throw new UsageError(`--lock-days must be a whole number of days ≥ 1, got ${request.days}`);
  if (!(await store.bucketExists(repo.root.bucket))) await store.ensureBucket(repo.root.bucket, { objectLock: true });
  await requireObjectLock(store, repo.root.bucket);
  return {
    retention: {
      mode: request.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE',
      retainUntil: new Date(Date.now() + request.days * 86_400_000),
    },
  };
}

/**
 * Puts retention on every object the snapshot lists — its own copies and the earlier
 * snapshots' files it references (their retention is only ever extended) — or on the
 * given objects (the manifest, once written).
 */
export async function lockSnapshotObjects(store: ObjectStore, manifest: SnapshotManifest, retention: PreparedLock['retention'], only?: { bucket: string; key: string }[]): Promise<void> {
  const targets = only ?? manifest.files.map((file) => ({ bucket: file.bucket, key: file.key }));
  await runPool(targets, 8, async (target) => {
    await putObjectRetention(store, target.bucket, target.key, retention);
  });
}
