import { Worker } from 'node:worker_threads';
import { LakevaultError } from '../../errors';
import type { ObjectStore } from '../../store/types';
import { tableFromIPC } from 'apache-arrow';
import { describeSchema, type FieldDescription } from '../../model/schema';
import type { DecodeResult, DecodeWorkerData, DescribedFooter, FromWorker, HeldBytes, ToWorker } from './protocol';
import type { DecodeBudget } from './memory-plan';
import { RangeReader } from './range-reader';
import { comparableEtags } from '../stored-digests';
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
  /**
   * First reads (see RangeReader.firstRange) the main thread keeps in flight or holds ready
   * ahead of the workers, across all of them, and the most bytes they may hold at once.
   */
  readAhead: { reads: number; bytes: number };
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
  /** The first read, once it arrived, until it is sent to a worker with the task. */
  tail?: HeldBytes;
  /** Resolved or rejected: nothing more happens to it. */
  settled?: boolean;
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
 *
 * Reads ahead: the main thread fetches each object's first read (its footer's end, or a
 * small object whole) for the tasks next in line, many at once, and sends it with the task.
 * A worker never waits for the store to answer the first read of a file, and a small file
 * costs it no read round trip at all: one request per file, the store's latency hidden
 * behind the files before it.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  /** Tasks whose first read has not started. */
  private readonly queue: Task[] = [];
  /** Tasks whose first read arrived, waiting for a worker. */
  private readonly fetched: Task[] = [];
  private reading = 0;
  /** Bytes of first reads in flight or held here (not yet sent to a worker). */
  private aheadBytes = 0;
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

  /**
   * Footer reads by size and whole-object MD5 ETag. Objects that share both hold the same
   * bytes, and so the same footer: it is read once for the pair (a restored table and the
   * snapshot it was copied from, server-side, at the quick level). Content is read for every object.
   */
  private readonly footers = new Map<string, Promise<DecodeResult<DescribedFooter>>>();

  run(request: DecodeRequest): Promise<DecodeResult<DescribedFooter>> {
    if (request.mode !== 'footer' || !request.etag || !comparableEtags(request.etag, request.etag)) return this.enqueue(request);
    const key = `${request.size}:${request.etag}`;
    const shared = this.footers.get(key);
    if (shared) {
      // A file and its copy: the pair is complete, nothing else waits for this footer.
      this.footers.delete(key);
      return shared;
    }
    const footer = this.enqueue(request);
    this.footers.set(key, footer);
    return footer;
  }

  private enqueue(request: DecodeRequest): Promise<DecodeResult<DescribedFooter>> {
    if (this.closed) return Promise.reject(new Error('decode pool closed'));
    if (this.broken) return Promise.reject(new Error(this.broken));
    return new Promise<DecodeResult<DescribedFooter>>((resolve, reject) => {
      const id = this.nextTaskId++;
      const reader = new RangeReader(this.store, request.bucket, request.key, request.size, request.etag);
      this.queue.push({ id, request, resolve, reject, reader });
      this.readAhead();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of [...this.queue.splice(0), ...this.fetched.splice(0)]) this.settle(task, new Error('validation stopped'));
    await Promise.all(this.slots.map((slot) => this.release(slot)));
  }

  /** Starts the first reads of the tasks next in line, within the read-ahead limits, then hands out what is ready. */
  private readAhead(): void {
    const { reads, bytes } = this.options.readAhead;
    while (!this.closed && this.queue.length && this.reading + this.fetched.length < reads && (this.aheadBytes < bytes || this.reading + this.fetched.length === 0)) {
      void this.fetchFirst(this.queue.shift()!);
    }
    this.dispatch();
  }

  private async fetchFirst(task: Task): Promise<void> {
    const { start, end } = task.reader.firstRange(task.request.mode);
    this.reading += 1;
    this.aheadBytes += end - start;
    this.touch(task); // a first read that hangs fails its file like any other read
    let bytes: Uint8Array | undefined;
    let failure: unknown;
    try {
      bytes = await task.reader.readAhead(start, end);
    } catch (error) {
      failure = error;
    }
    this.reading -= 1;
    this.countReads(task.reader);
    if (this.closed || this.broken) failure = new Error(this.broken ?? 'validation stopped');
    if (task.settled || failure !== undefined || bytes === undefined) {
      this.aheadBytes -= end - start;
      this.settle(task, failure instanceof Error ? failure : new Error(String(failure)));
    } else {
      // Waiting for a worker is not a stall: the clock starts again when a worker takes it.
      if (task.timer) clearTimeout(task.timer);
      task.tail = { start, bytes: ownBuffer(bytes) };
      this.fetched.push(task);
    }
    this.readAhead();
  }

  private countReads(reader: RangeReader): void {
    this.bytesRead += reader.takeFetchedBytes();
    this.requests += reader.takeRequests();
  }

  /** Ends a task that holds no worker (not started, reading ahead, or ready). */
  private settle(task: Task, error: Error): void {
    if (task.settled) return;
    task.settled = true;
    if (task.timer) clearTimeout(task.timer);
    const waiting = this.fetched.indexOf(task);
    if (waiting >= 0) {
      this.fetched.splice(waiting, 1);
      this.aheadBytes -= task.tail!.bytes.byteLength;
      task.tail = undefined;
    }
    task.reject(error);
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
    let handedOut = false;
    for (const slot of this.slots) {
      while (!slot.retired && slot.ready && slot.tasks.size < this.options.tasksPerWorker && this.fetched.length) {
        const task = this.fetched.shift()!;
        const tail = task.tail!;
        task.tail = undefined;
        this.aheadBytes -= tail.bytes.byteLength;
        task.slot = slot;
        slot.tasks.set(task.id, task);
        this.touch(task);
        const { size, mode, manifestColumns } = task.request;
        this.post(slot, { type: 'task', task: { taskId: task.id, size, mode, batchSize: this.options.batchSize, tail, ...(manifestColumns ? { manifestColumns } : {}) } }, [tail.bytes]);
        handedOut = true;
      }
    }
    if (handedOut) this.readAhead();
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
    if (message.type !== 'read' && message.rows) this.options.onRows?.(message.rows);
    switch (message.type) {
      case 'read':
        void this.serveRead(slot, task, message.readId, message.start, message.end);
        break;
      case 'done': {
        this.finish(task);
        task.settled = true;
        // The worker gets its next file first. One whose parquet-wasm trapped finished its file without it: it is not used again.
        if (message.retire) this.replace(slot);
        else this.dispatch();
        try {
          task.resolve(described(message.result));
        } catch (error) {
          task.reject(new Error(`unreadable Arrow schema: ${(error as Error).message}`));
        }
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
      this.countReads(task.reader);
      if (slot.tasks.get(task.id) !== task) return;
      this.touch(task); // bytes arrived: progress, however long the store took
      const own = ownBuffer(bytes);
      this.post(slot, { type: 'range', readId, bytes: own }, [own]);
    } catch (error) {
      // A failed read traps parquet-wasm and its promise never settles: fail now, replace the worker.
      this.fail(task, error instanceof LakevaultError || error instanceof Error ? error.message : String(error));
    }
  }

  /** Takes a task off its worker (it is settled, or queued again). */
  private finish(task: Task): void {
    if (task.timer) clearTimeout(task.timer);
    task.slot?.tasks.delete(task.id);
  }

  /** Fails one task; one held by a worker also replaces the worker and queues again the other tasks it was running. */
  private fail(task: Task, message: string): void {
    const slot = task.slot;
    if (!slot) { this.settle(task, new Error(message)); return; }
    if (slot.tasks.get(task.id) !== task) return;
    this.finish(task);
    task.settled = true;
    task.reject(new Error(message));
    this.replace(slot);
  }

  private onCrash(slot: Slot, message: string): void {
    if (slot.retired) return;
    if (!slot.ready && ++this.startFailures >= 3) {
      this.broken = `decode workers cannot start: ${message}`;
      for (const task of [...this.queue.splice(0), ...this.fetched.splice(0)]) this.settle(task, new Error(this.broken));
      void this.retire(slot);
      return;
    }
    const victims = [...slot.tasks.values()];
    for (const task of victims) { this.finish(task); task.settled = true; task.reject(new Error(message)); }
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    if (slot.retired) return;
    const innocent = [...slot.tasks.values()];
    // Their first reads went to the worker: they are read again.
    for (const task of innocent) { this.finish(task); task.slot = undefined; task.reader.reset(); }
    this.queue.unshift(...innocent);
    void this.retire(slot);
    const index = this.slots.indexOf(slot);
    if (!this.closed && index >= 0) this.slots[index] = this.spawn();
    this.readAhead();
  }

  private async retire(slot: Slot): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    for (const task of slot.tasks.values()) if (task.timer) clearTimeout(task.timer);
    await slot.worker.terminate().catch(() => undefined);
  }
}

/** The bytes in an ArrayBuffer of their own, to transfer (a Buffer's may be shared by a pool of others). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer as ArrayBuffer : new Uint8Array(bytes).buffer;
}

/**
 * The footer as the validator keeps it for every file until the end: its schema described
 * here (workers do not load apache-arrow: faster start), shared by the files that have it,
 * and of its key-value metadata only lakevault's own keys (an Arrow writer's `ARROW:schema`
 * alone is ~600 bytes a file: 60 MB held for a table of 100,000 files).
 */
function described(result: DecodeResult): DecodeResult<DescribedFooter> {
  const { schemaIpc, keyValueMetadata, ...footer } = result.footer;
  const kept = Object.fromEntries(Object.entries(keyValueMetadata).filter(([key]) => key.startsWith(LAKEVAULT_KEYS)));
  return { ...result, footer: { ...footer, keyValueMetadata: kept, schema: describeSchemaIpc(schemaIpc) } };
}

const LAKEVAULT_KEYS = 'lakevault.';

/**
 * The files of one table nearly always share one schema: its description is made once per
 * distinct schema message, not per file (parsing the IPC bytes with Arrow was a tenth of the
 * main thread's CPU in a quick validation of 1,000 files), and shared by every file that has
 * it (frozen: a copy per file was 1–2 KB a file).
 */
const schemaDescriptions = new Map<string, FieldDescription[]>();

function describeSchemaIpc(schemaIpc: Uint8Array): FieldDescription[] {
  const key = Buffer.from(schemaIpc.buffer, schemaIpc.byteOffset, schemaIpc.byteLength).toString('latin1');
  let description = schemaDescriptions.get(key);
  if (!description) {
    description = deepFreeze(describeSchema(tableFromIPC(schemaIpc).schema));
    if (schemaDescriptions.size >= 64) schemaDescriptions.clear(); // a drifting lake must not grow it without bound
    schemaDescriptions.set(key, description);
  }
  return description;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
