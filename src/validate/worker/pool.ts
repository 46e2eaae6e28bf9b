import { Worker } from 'node:worker_threads';
import { LakevaultError } from '../../errors';
import type { ObjectStore } from '../../store/types';
import { tableFromIPC } from 'apache-arrow';
import { describeSchema, type FieldDescription } from '../../model/schema';
import type { DecodeResult, DecodeWorkerData, DescribedFooter, FromWorker, ToWorker } from './protocol';
import type { DecodeBudget } from './memory-plan';
import { RangeReader } from './range-reader';
import { adoptIdleWorker, parkIdleWorker } from './idle-workers';
import { workerScript } from '../../util/worker-script';

export interface DecodeRequest {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  mode: 'footer' | 'decode';
  /** The columns the manifest recorded digests for (see DecodeTask.manifestColumns). */
  manifestColumns?: string[];
}

export interface DecodePoolOptions {
  workers: number;
  /** Tasks one worker runs at once (footers are I/O-bound: several; decoding: one). */
  tasksPerWorker: number;
  /** A task that sends nothing (no read, no batch) for this long is declared hung. */
  stallTimeoutMs: number;
  batchSize: number;
  /** Each worker's share of the memory budget (and its WebAssembly ceiling). */
  budget: DecodeBudget;
  onRows?: (rows: number) => void;
}

interface Task {
  id: number;
  request: DecodeRequest;
  resolve: (result: DecodeResult<DescribedFooter>) => void;
  reject: (error: Error) => void;
  slot?: Slot;
  timer?: NodeJS.Timeout;
  reader: RangeReader;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
  retired: boolean;
  /** Set when the worker has loaded: start-up time is not charged to any file. */
  ready: boolean;
}

/**
 * Runs Parquet decoding in worker threads. Each task is one object; a task that fails,
 * hangs or crashes its worker becomes that object's error, the worker is replaced, and
 * other tasks that happened to share it are queued again. The pool itself never hangs.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextTaskId = 1;
  private closed = false;
  /** Workers that died before loading, in a row: a broken install must not respawn forever. */
  private startFailures = 0;
  private broken?: string;
  bytesRead = 0;
  requests = 0;

  constructor(private readonly store: ObjectStore, private readonly options: DecodePoolOptions) {
    for (let i = 0; i < Math.max(1, options.workers); i++) this.slots.push(this.spawn());
  }

  run(request: DecodeRequest): Promise<DecodeResult<DescribedFooter>> {
    if (this.closed) return Promise.reject(new Error('decode pool closed'));
    if (this.broken) return Promise.reject(new Error(this.broken));
    return new Promise<DecodeResult<DescribedFooter>>((resolve, reject) => {
      const id = this.nextTaskId++;
      const reader = new RangeReader(this.store, request.bucket, request.key, request.size, request.etag);
      this.queue.push({ id, request, resolve, reject, reader });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('validation stopped'));
    await Promise.all(this.slots.map((slot) => this.release(slot)));
  }

  /** A loaded worker with nothing in flight is parked for the next validation (idle-workers.ts); others end. */
  private async release(slot: Slot): Promise<void> {
    const idle = !slot.retired && slot.ready && slot.tasks.size === 0;
    if (idle && parkIdleWorker(slot.worker, this.workerKey())) slot.retired = true;
    else await this.retire(slot);
  }

  /** Workers are started with their memory ceiling: only one started with the same may be adopted. */
  private workerKey(): string {
    return `${this.options.budget.wasmCeilingBytes}:${this.options.budget.prefetchBytes}`;
  }

  private spawn(): Slot {
    const warm = adoptIdleWorker(this.workerKey());
    const workerData: DecodeWorkerData = { budget: this.options.budget };
    const worker = warm ?? new Worker(workerScript(__dirname, 'decode-worker.js'), { workerData });
    const slot: Slot = { worker, tasks: new Map(), retired: false, ready: warm !== undefined };
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => this.onCrash(slot, `decoder crashed (${error.name}: ${error.message}): corrupt data or a failed read`));
    worker.on('exit', (code) => { if (!slot.retired) this.onCrash(slot, `decoder exited (code ${code})`); });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      while (!slot.retired && slot.ready && slot.tasks.size < this.options.tasksPerWorker && this.queue.length) {
        const task = this.queue.shift()!;
        task.slot = slot;
        slot.tasks.set(task.id, task);
        this.touch(task);
        const { size, mode, manifestColumns } = task.request;
        this.post(slot, { type: 'task', task: { taskId: task.id, size, mode, batchSize: this.options.batchSize, ...(manifestColumns ? { manifestColumns } : {}) } });
      }
    }
  }

  private post(slot: Slot, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!slot.retired) slot.worker.postMessage(message, transfer);
  }

  /** (Re)arms the task's stall timer: any sign of life counts as progress. */
  private touch(task: Task): void {
    if (task.timer) clearTimeout(task.timer);
    task.timer = setTimeout(() => {
      this.fail(task, `no progress for ${this.options.stallTimeoutMs} ms (decoder hung: corrupt data or a failed read)`);
    }, this.options.stallTimeoutMs);
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
      this.dispatch();
      return;
    }
    const task = slot.tasks.get(message.taskId);
    if (!task) return;
    this.touch(task);
    switch (message.type) {
      case 'read':
        void this.serveRead(slot, task, message.readId, message.start, message.end);
        break;
      case 'progress':
        this.options.onRows?.(message.rows);
        break;
      case 'done': {
        this.finish(task);
        try {
          task.resolve(described(message.result));
        } catch (error) {
          task.reject(new Error(`unreadable Arrow schema: ${(error as Error).message}`));
        }
        // A worker whose parquet-wasm trapped finished its file without it: it is not used again.
        if (message.retire) this.replace(slot);
        else this.dispatch();
        break;
      }
      case 'failed':
        // parquet-wasm may be left in a bad state after an error: start afresh.
        this.fail(task, message.message);
        break;
    }
  }

  private async serveRead(slot: Slot, task: Task, readId: number, start: number, end: number): Promise<void> {
    try {
      const bytes = await task.reader.read(start, end);
      this.bytesRead += task.reader.takeFetchedBytes();
      this.requests += task.reader.takeRequests();
      if (slot.tasks.get(task.id) !== task) return;
      this.touch(task); // bytes arrived: progress, however long the store took
      const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer as ArrayBuffer
        : new Uint8Array(bytes).buffer; // a copy: Buffer#slice would share the whole pool
      this.post(slot, { type: 'range', readId, bytes: copy }, [copy]);
    } catch (error) {
      // A failed read traps parquet-wasm and its promise never settles: fail now, replace the worker.
      this.fail(task, error instanceof LakevaultError || error instanceof Error ? error.message : String(error));
    }
  }

  private finish(task: Task): void {
    if (task.timer) clearTimeout(task.timer);
    task.slot?.tasks.delete(task.id);
  }

  /** Fails one task, replaces its worker and queues again the other tasks it was running. */
  private fail(task: Task, message: string): void {
    const slot = task.slot;
    if (!slot || slot.tasks.get(task.id) !== task) return;
    this.finish(task);
    task.reject(new Error(message));
    this.replace(slot);
  }

  private onCrash(slot: Slot, message: string): void {
    if (slot.retired) return;
    if (!slot.ready && ++this.startFailures >= 3) {
      this.broken = `decode workers cannot start: ${message}`;
      for (const task of this.queue.splice(0)) task.reject(new Error(this.broken));
      void this.retire(slot);
      return;
    }
    const victims = [...slot.tasks.values()];
    for (const task of victims) { this.finish(task); task.reject(new Error(message)); }
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    if (slot.retired) return;
    const innocent = [...slot.tasks.values()];
    for (const task of innocent) { this.finish(task); task.slot = undefined; task.reader.reset(); }
    this.queue.unshift(...innocent);
    void this.retire(slot);
    const index = this.slots.indexOf(slot);
    if (!this.closed && index >= 0) this.slots[index] = this.spawn();
    this.dispatch();
  }

  private async retire(slot: Slot): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    for (const task of slot.tasks.values()) if (task.timer) clearTimeout(task.timer);
    await slot.worker.terminate().catch(() => undefined);
  }
}

/** The footer with its schema described here: workers do not load apache-arrow (faster start). */
function described(result: DecodeResult): DecodeResult<DescribedFooter> {
  const { schemaIpc, ...footer } = result.footer;
  return { ...result, footer: { ...footer, schema: describeSchemaIpc(schemaIpc) } };
}

/**
 * The files of one table nearly always share one schema: its description is made once per
 * distinct schema message, not per file (parsing the IPC bytes with Arrow was a tenth of the
 * main thread's CPU in a quick validation of 1,000 files). Callers get their own copy.
 */
const schemaDescriptions = new Map<string, FieldDescription[]>();

function describeSchemaIpc(schemaIpc: Uint8Array): FieldDescription[] {
  const key = Buffer.from(schemaIpc.buffer, schemaIpc.byteOffset, schemaIpc.byteLength).toString('latin1');
  let description = schemaDescriptions.get(key);
  if (!description) {
    description = describeSchema(tableFromIPC(schemaIpc).schema);
    if (schemaDescriptions.size >= 64) schemaDescriptions.clear(); // a drifting lake must not grow it without bound
    schemaDescriptions.set(key, description);
  }
  return structuredClone(description);
}
