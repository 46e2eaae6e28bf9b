import { hostname } from 'node:os';
import { z } from 'zod';
import { ConflictError, IntegrityError, NotFoundError } from '../errors';
import { formatS3Uri } from '../store/location';
import type { ObjectInfo, ObjectStore } from '../store/types';
import { newId } from '../table/naming';
import { processAlive } from '../util/process-alive';
import { parseStoredJson } from '../util/stored-json';
import { TOOL_VERSION } from '../version';
import { writeJson } from './manifest';
import { REPOSITORY_FOLDER, type SnapshotRepository } from './repository';

/**
 * Repository locks, as restic keeps them: a backup (or checkpoint) holds a shared lock on
 * its series while it chooses files to reuse and until its manifest is written; a delete or
 * prune holds an exclusive one while it decides what to remove and removes it; an upgrade
 * holds an exclusive lock on the whole repository ('*'). So no backup is written complete
 * while a file it references is being deleted.
 *
 * S3 servers such as RGW and the embedded one have no conditional writes, so a lock is
 * taken write-then-check: write my lock object, list the locks, and if a conflicting live
 * lock is there, remove mine and back off. Of two processes racing, at least one sees the
 * other (each lists after its own write). A listing that does not show my own lock is not
 * trusted to show anyone else's: refused.
 *
 * A lock is refreshed (rewritten) while its holder runs; one not refreshed for STALE_MS by
 * the server's clock, or held by a process of this host that no longer exists (kill -9),
 * is stale: ignored and removed. Before its commit point (a backup's manifest, a delete's
 * removals) the holder checks its lock is still there.
 */
export interface LockRequest {
  mode: 'shared' | 'exclusive';
  /** A series folder name, or '*' for the whole repository. */
  scope: string;
  /** What holds it, for the message another process sees: `backup create`, `backup delete`… */
  operation: string;
}

export interface HeldLock {
  /** Throws when the lock was lost (removed as stale, or not refreshed): do not commit. */
  check(): Promise<void>;
  release(): Promise<void>;
}

export interface LockTiming {
  staleMs: number;
  refreshMs: number;
  /** Times a conflicting lock is waited for before giving up (backing off 0.5–1.5 s each). */
  attempts: number;
}

/** restic's figures: stale after 30 minutes without a refresh, refreshed every 5. */
export const DEFAULT_LOCK_TIMING: LockTiming = { staleMs: 30 * 60_000, refreshMs: 5 * 60_000, attempts: 3 };

export const LOCKS_FOLDER = `${REPOSITORY_FOLDER}/locks/`;

const lockSchema = z.object({
  format: z.literal('lakevault.lock'),
  formatVersion: z.literal(1),
  mode: z.enum(['shared', 'exclusive']),
  scope: z.string(),
  operation: z.string(),
  host: z.string(),
  pid: z.number().int(),
  createdAt: z.string(),
  toolVersion: z.string(),
});
type LockRecord = z.infer<typeof lockSchema>;

function conflicts(a: Pick<LockRequest, 'mode' | 'scope'>, b: Pick<LockRequest, 'mode' | 'scope'>): boolean {
  const overlap = a.scope === b.scope || a.scope === '*' || b.scope === '*';
  return overlap && (a.mode === 'exclusive' || b.mode === 'exclusive');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes a lock on a repository (see above), or throws a ConflictError naming who holds it. */
export async function acquireLock(store: ObjectStore, repo: SnapshotRepository, request: LockRequest, timing: LockTiming = DEFAULT_LOCK_TIMING): Promise<HeldLock> {
  const { bucket } = repo.root;
  const folder = repo.root.prefix + LOCKS_FOLDER;
  const record: LockRecord = {
    format: 'lakevault.lock', formatVersion: 1, ...request, host: hostname(), pid: process.pid, createdAt: new Date().toISOString(), toolVersion: TOOL_VERSION,
  };
  let blocker: { key: string; record?: LockRecord } | undefined;
  for (let attempt = 1; attempt <= timing.attempts; attempt++) {
    const key = `${folder}${newId()}.json`;
    await writeJson(store, bucket, key, record);
    try {
      blocker = await findBlocker(store, bucket, folder, key, request, timing);
    } catch (error) {
      await store.deleteKeys(bucket, [key]).catch(() => undefined);
      throw error;
    }
    if (!blocker) return hold(store, bucket, key, record, timing);
    await store.deleteKeys(bucket, [key]).catch(() => undefined);
    if (attempt < timing.attempts) await sleep(500 + Math.random() * 1000);
  }
  const who = blocker!.record;
  throw new ConflictError(`the ${repo.kind}s ${request.scope === '*' ? `in ${formatS3Uri(repo.root)}` : `of series ${request.scope}`} are locked` +
    (who ? ` by \`${who.operation}\` (${who.mode}, host ${who.host}, pid ${who.pid}, since ${who.createdAt})` : ` (lock ${blocker!.key} cannot be read)`) +
    `; ${request.operation} needs them ${request.mode === 'exclusive' ? 'to itself' : 'not to be changing'} — try again when it has finished (a lock not refreshed for ${Math.round(timing.staleMs / 60_000)} min is stale and ignored)`);
}

/** The first live lock that conflicts with the request; stale locks met on the way are removed. */
async function findBlocker(store: ObjectStore, bucket: string, folder: string, mine: string, request: LockRequest, timing: LockTiming): Promise<{ key: string; record?: LockRecord } | undefined> {
  const listed: ObjectInfo[] = [];
  for await (const object of store.list(bucket, folder)) listed.push(object);
  const own = listed.find((object) => object.key === mine);
  if (!own) throw new ConflictError(`the listing of ${formatS3Uri({ bucket, prefix: folder })} does not show the lock just written there: it is incomplete, so it cannot show other locks either; nothing was done`);
  const now = own.lastModified?.getTime() ?? Date.now();
  for (const object of listed) {
    if (object.key === mine) continue;
    let record: LockRecord | undefined;
    try {
      record = parseStoredJson(lockSchema, Buffer.from(await store.getBytes(bucket, object.key)).toString('utf8'), `s3://${bucket}/${object.key}`).value;
    } catch (error) {
      if (error instanceof NotFoundError) continue; // released since the listing
      // An unreadable lock is respected as exclusive until it goes stale: it may be a newer lakevault's.
      if (!(error instanceof IntegrityError)) throw error;
    }
    const age = now - (object.lastModified?.getTime() ?? now);
    const dead = record !== undefined && record.host === hostname() && !processAlive(record.pid);
    if (age > timing.staleMs || dead) {
      await store.deleteKeys(bucket, [object.key]).catch(() => undefined);
      continue;
    }
    if (conflicts(request, record ?? { mode: 'exclusive', scope: '*' })) return { key: object.key, ...(record ? { record } : {}) };
  }
  return undefined;
}

function hold(store: ObjectStore, bucket: string, key: string, record: LockRecord, timing: LockTiming): HeldLock {
  let lastRefresh = Date.now();
  let released = false;
  const timer = setInterval(() => {
    writeJson(store, bucket, key, record).then(() => { lastRefresh = Date.now(); }, () => undefined);
  }, timing.refreshMs);
  timer.unref();
  return {
    async check() {
      if (Date.now() - lastRefresh > timing.staleMs / 2) {
        throw new ConflictError(`the lock s3://${bucket}/${key} could not be refreshed for ${Math.round((Date.now() - lastRefresh) / 60_000)} min: another process may consider it stale; stopped before changing anything more`);
      }
      if (!(await store.head(bucket, key))) {
        throw new ConflictError(`the lock s3://${bucket}/${key} is gone (another process removed it as stale): stopped before changing anything more`);
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await store.deleteKeys(bucket, [key]).catch(() => undefined);
    },
  };
}

/** Runs `body` holding a lock; the lock is released however the body ends. */
export async function withLock<T>(store: ObjectStore, repo: SnapshotRepository, request: LockRequest, body: (lock: HeldLock) => Promise<T>, timing?: LockTiming): Promise<T> {
  const lock = await acquireLock(store, repo, request, timing);
  try {
    return await body(lock);
  } finally {
    await lock.release();
  }
}
