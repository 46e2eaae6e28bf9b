import type { Worker } from 'node:worker_threads';

/*
 * Decode workers kept warm between the validations of one process.
 *
 * Why: a decode worker takes 0.3–0.5 s to start (Node's worker bootstrap plus compiling
 * parquet-wasm's 5 MB module) — more than decoding a 50,000-row table. A drill validates
 * the checkpoint it takes and then the recovered table, and the second validation counts
 * in the RTO; a library user validates many tables in one process. A healthy worker left
 * idle by one validation is parked here and adopted by the next one.
 *
 * Parked workers are unref'd (they never keep the process alive) and end after IDLE_MS.
 */
const IDLE_MS = 15_000;
const MAX_IDLE = 4;

interface Parked {
  worker: Worker;
  /** What the worker was started with (its memory ceiling): only a pool asking for the same adopts it. */
  key: string;
  timer: NodeJS.Timeout;
}

const parked: Parked[] = [];

/** A warm worker (already loaded and 'ready') started with `key`, or undefined. */
export function adoptIdleWorker(key: string): Worker | undefined {
  const index = parked.findIndex((entry) => entry.key === key);
  if (index < 0) return undefined;
  const [entry] = parked.splice(index, 1) as [Parked];
  clearTimeout(entry.timer);
  detach(entry.worker);
  entry.worker.ref();
  return entry.worker;
}

/**
 * Parks a worker that finished its tasks cleanly. Its listeners are removed; the caller
 * must not use it again. Returns false (the caller then terminates it) when full.
 */
export function parkIdleWorker(worker: Worker, key: string): boolean {
  if (parked.length >= MAX_IDLE) return false;
  detach(worker);
  const entry: Parked = {
    worker,
    key,
    timer: setTimeout(() => { forget(entry); void worker.terminate(); }, IDLE_MS).unref(),
  };
  // A parked worker that dies (or errs) is simply forgotten.
  worker.once('exit', () => forget(entry));
  worker.on('error', () => { forget(entry); void worker.terminate(); });
  worker.unref();
  parked.push(entry);
  return true;
}

/**
 * Drops the listeners of whoever used the worker. Only these events: Node's own
 * 'newListener'/'removeListener' hooks on a Worker start and stop its message port, and
 * removing them would leave the next user's 'message' listener deaf.
 */
function detach(worker: Worker): void {
  for (const event of ['message', 'error', 'exit', 'online', 'messageerror']) worker.removeAllListeners(event);
}

/** Thread ids of the parked workers (tests observe that a second validation reused them). */
export function idleWorkerIds(): number[] {
  return parked.map((entry) => entry.worker.threadId);
}

function forget(entry: Parked): void {
  clearTimeout(entry.timer);
  const index = parked.indexOf(entry);
  if (index >= 0) parked.splice(index, 1);
}
