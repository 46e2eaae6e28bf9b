import { setTimeout as sleep } from 'node:timers/promises';
import { readJson, writeJson } from '../history/area';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { runsFolder, thisHost, type LockRecord } from './state';
import { processAlive } from '../util/process-alive';

/** Long enough for two runs that both found no lock to have both written theirs. */
const SETTLE_MS = 1_500;
const HEARTBEAT_MS = 30_000;

export type LockOutcome =
  | { acquired: true; lock: RunLock; tookOverFrom?: LockRecord }
  | { acquired: false; holder: LockRecord };

/**
 * One run of a plan at a time, across hosts: a lock object in the repository with a
 * heartbeat. S3 offers no compare-and-swap everywhere (the embedded server ignores
 * If-None-Match), so a run writes its lock, waits, and reads it back: of two runs that
 * both found none, the one whose write landed last wins and the other backs off. A lock
 * whose heartbeat is older than `staleAfterMs` belongs to a run that died: taken over —
 * at once when it names this host and a process that no longer exists (kill -9, a crash).
 */
export async function acquireRunLock(store: ObjectStore, area: Location, plan: string, runId: string, staleAfterMs: number, now = () => new Date()): Promise<LockOutcome> {
  const key = `${runsFolder(area, plan)}lock.json`;
  const current = await readLock(store, area.bucket, key);
  const { host, pid } = thisHost();
  if (current && now().getTime() - Date.parse(current.heartbeatAt) < staleAfterMs && !(current.host === host && !processAlive(current.pid))) return { acquired: false, holder: current };
  const startedAt = now().toISOString();
  const mine: LockRecord = { runId, host, pid, startedAt, heartbeatAt: startedAt };
  await writeJson(store, area.bucket, key, mine);
  await sleep(SETTLE_MS);
  const after = await readLock(store, area.bucket, key);
  if (after?.runId !== runId) return { acquired: false, holder: after ?? mine };
  return { acquired: true, lock: new RunLock(store, area.bucket, key, mine), ...(current ? { tookOverFrom: current } : {}) };
}

async function readLock(store: ObjectStore, bucket: string, key: string): Promise<LockRecord | undefined> {
  const lock = await readJson<LockRecord>(store, bucket, key).catch((error: unknown) => {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  });
  return lock && typeof lock.runId === 'string' && !Number.isNaN(Date.parse(lock.heartbeatAt)) ? lock : undefined;
}

/** A held lock: beats while the run works, released (deleted if still ours) at the end. */
export class RunLock {
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: ObjectStore, private readonly bucket: string, private readonly key: string, private readonly record: LockRecord) {
    this.timer = setInterval(() => { void this.beat().catch(() => undefined); }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Refreshes the heartbeat; false when another run has taken the lock over meanwhile. */
  async beat(): Promise<boolean> {
    const current = await readLock(this.store, this.bucket, this.key);
    if (current?.runId !== this.record.runId) return false;
    this.record.heartbeatAt = new Date().toISOString();
    await writeJson(this.store, this.bucket, this.key, this.record);
    return true;
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const current = await readLock(this.store, this.bucket, this.key);
    if (current?.runId === this.record.runId) await this.store.deleteKeys(this.bucket, [this.key]);
  }
}
