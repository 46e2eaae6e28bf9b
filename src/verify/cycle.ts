import { createHash } from 'node:crypto';

/**
 * Verification cycles: every object of a subject is verified once per cycle, a slice per
 * run, and the cycle's progress is remembered between runs. Pure functions of the stored
 * state and the subject's objects; src/api/verify.ts reads, verifies and writes.
 *
 * restic's `check --read-data-subset n/t` reads one of t slices by key hash, but the user
 * must rotate n and objects added meanwhile may fall into slices already read: nothing
 * guarantees coverage. Here the state remembers which objects were verified in the
 * current cycle (with their ETags): a run verifies the next slice plus every object of an
 * earlier slice not yet verified (objects that arrived after their slice ran), so when the
 * last slice has run every object present is verified, and the cycle closes.
 */

/** One object to verify, wherever its bytes are (a backup may hold files of an older one). */
export interface CycleObject {
  /** `bucket/key`: an object shared by several backups is verified once. */
  id: string;
  size: number;
  etag: string;
}

/** How much a run verifies: one of `slices` key-hash slices (restic's n/t), or up to `maxBytes`. */
export type CycleBudget = { slices: number } | { maxBytes: number };

export interface CycleRun { at: string; objects: number; bytes: number }

export interface CycleState {
  format: 'lakevault.cycle';
  formatVersion: 1;
  subject: string;
  budget: CycleBudget;
  /** 1 for the first cycle. */
  cycle: number;
  startedAt: string;
  /** Slices mode: the slice the next run verifies (0-based; ≥ slices once all have run). */
  nextSlice: number;
  /** Objects verified in this cycle: id → the ETag verified. */
  verified: Record<string, string>;
  /** Objects found bad (any cycle): checked again at every run until they verify or disappear. */
  failed: Record<string, { etag: string; at: string; message: string }>;
  /** The latest runs (for the expected time of completion). */
  runs: CycleRun[];
  /** The latest completed cycles. */
  completed: { cycle: number; startedAt: string; completedAt: string; objects: number; bytes: number }[];
}

const KEEP_RUNS = 30;
const KEEP_CYCLES = 20;

export function newCycleState(subject: string, budget: CycleBudget, now: Date, cycle = 1): CycleState {
  return { format: 'lakevault.cycle', formatVersion: 1, subject, budget, cycle, startedAt: now.toISOString(), nextSlice: 0, verified: {}, failed: {}, runs: [], completed: [] };
}

/** The slice (0 … slices-1) an object falls in: a hash of its id, stable across runs and hosts. */
export function sliceOf(id: string, slices: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % slices;
}

/** Order of a byte-budget cycle: by hash, so a run's budget spreads over tables and backups. */
function hashOrder(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function isVerified(state: CycleState, object: CycleObject): boolean {
  return state.verified[object.id] === object.etag;
}

/**
 * What this run verifies: objects found bad before (always again), then the unverified
 * objects of this and earlier slices — or, with a byte budget, unverified objects in hash
 * order until the budget is spent (at least one, so every run makes progress).
 */
export function chooseObjects(state: CycleState, objects: readonly CycleObject[]): { chosen: CycleObject[]; slice?: number } {
  const failedAgain = objects.filter((object) => state.failed[object.id] !== undefined);
  const pending = objects.filter((object) => !isVerified(state, object) && state.failed[object.id] === undefined);
  if ('slices' in state.budget) {
    const slices = state.budget.slices;
    const slice = Math.min(state.nextSlice, slices - 1);
    return { chosen: [...failedAgain, ...pending.filter((object) => sliceOf(object.id, slices) <= slice)], slice };
  }
  const ordered = [...pending].sort((a, b) => (hashOrder(a.id) < hashOrder(b.id) ? -1 : 1));
  const chosen: CycleObject[] = [];
  let bytes = 0;
  for (const object of ordered) {
    if (chosen.length > 0 && bytes + object.size > state.budget.maxBytes) break;
    chosen.push(object);
    bytes += object.size;
  }
  return { chosen: [...failedAgain, ...chosen] };
}

export interface CycleProgress {
  number: number;
  startedAt: string;
  /** This run closed the cycle: every object present was verified (or found bad). */
  completed: boolean;
  completedAt?: string;
  objects: number;
  bytes: number;
  verifiedObjects: number;
  verifiedBytes: number;
  /** verifiedBytes / bytes (1 for an empty subject). */
  coverage: number;
  pendingObjects: number;
  pendingBytes: number;
  /** Runs still needed at this budget (0 once closed). */
  runsLeft: number;
  /** When the cycle closes at this budget and the runs' cadence; absent until the cadence is known. */
  estimatedCompletion?: string;
}

/**
 * The state after a run: verified objects remembered, bad ones kept for the next run,
 * the slice advanced; the cycle closes when every object present is verified or bad, and
 * the next run starts the next cycle. Objects no longer present are forgotten.
 */
export function recordRun(
  state: CycleState,
  objects: readonly CycleObject[],
  outcome: { verified: CycleObject[]; failed: { object: CycleObject; message: string }[]; slice?: number },
  now: Date,
  cadenceMs?: number,
): { state: CycleState; progress: CycleProgress } {
  const present = new Set(objects.map((object) => object.id));
  const next: CycleState = {
    ...state,
    verified: Object.fromEntries(Object.entries(state.verified).filter(([id]) => present.has(id))),
    failed: Object.fromEntries(Object.entries(state.failed).filter(([id]) => present.has(id))),
    runs: [...state.runs, { at: now.toISOString(), objects: outcome.verified.length + outcome.failed.length, bytes: [...outcome.verified, ...outcome.failed.map((f) => f.object)].reduce((sum, o) => sum + o.size, 0) }].slice(-KEEP_RUNS),
  };
  for (const object of outcome.verified) { next.verified[object.id] = object.etag; delete next.failed[object.id]; }
  for (const { object, message } of outcome.failed) next.failed[object.id] = { etag: object.etag, at: now.toISOString(), message };
  if (outcome.slice !== undefined) next.nextSlice = outcome.slice + 1;

  const checked = (object: CycleObject) => isVerified(next, object) || next.failed[object.id] !== undefined;
  const allSlicesRan = !('slices' in next.budget) || next.nextSlice >= next.budget.slices;
  const closes = allSlicesRan && objects.every(checked);
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  const verifiedObjects = objects.filter((o) => isVerified(next, o));
  const verifiedBytes = verifiedObjects.reduce((sum, o) => sum + o.size, 0);
  const pending = objects.filter((o) => !checked(o));
  const pendingBytes = pending.reduce((sum, o) => sum + o.size, 0);
  const runsLeft = closes ? 0 : 'slices' in next.budget
    ? Math.max(1, next.budget.slices - next.nextSlice)
    : runsForBytes(pending, next.budget.maxBytes);
  const cadence = cadenceMs ?? medianInterval(next.runs);
  const progress: CycleProgress = {
    number: next.cycle,
    startedAt: next.startedAt,
    completed: closes,
    ...(closes ? { completedAt: now.toISOString() } : {}),
    objects: objects.length,
    bytes,
    verifiedObjects: verifiedObjects.length,
    verifiedBytes,
    coverage: bytes === 0 ? (objects.length === verifiedObjects.length ? 1 : 0) : verifiedBytes / bytes,
    pendingObjects: pending.length,
    pendingBytes,
    runsLeft,
    ...(cadence !== undefined ? { estimatedCompletion: new Date(now.getTime() + runsLeft * cadence).toISOString() } : {}),
  };
  if (!closes) return { state: next, progress };
  const fresh = newCycleState(next.subject, next.budget, now, next.cycle + 1);
  return {
    state: {
      ...fresh, failed: next.failed, runs: next.runs,
      completed: [...next.completed, { cycle: next.cycle, startedAt: next.startedAt, completedAt: now.toISOString(), objects: objects.length, bytes }].slice(-KEEP_CYCLES),
    },
    progress,
  };
}

/** Runs a byte budget needs for these objects, each run taking at least one (as chooseObjects does). */
function runsForBytes(pending: readonly CycleObject[], maxBytes: number): number {
  let runs = 0;
  let room = 0;
  for (const object of [...pending].sort((a, b) => (hashOrder(a.id) < hashOrder(b.id) ? -1 : 1))) {
    if (runs > 0 && object.size <= room) { room -= object.size; continue; }
    runs += 1;
    room = Math.max(0, maxBytes - object.size);
  }
  return Math.max(1, runs);
}

/** The typical time between runs, once there are two. */
function medianInterval(runs: readonly CycleRun[]): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i += 1) gaps.push(Date.parse(runs[i]!.at) - Date.parse(runs[i - 1]!.at));
  const positive = gaps.filter((gap) => gap > 0).sort((a, b) => a - b);
  return positive.length ? positive[Math.floor(positive.length / 2)] : undefined;
}

/** A cycle continues under a changed budget: its verified objects stay verified. */
export function withBudget(state: CycleState, budget: CycleBudget): CycleState {
  if (JSON.stringify(state.budget) === JSON.stringify(budget)) return state;
  const nextSlice = 'slices' in budget ? Math.min(state.nextSlice, budget.slices) : 0;
  return { ...state, budget, nextSlice };
}
