import { Worker } from 'node:worker_threads';
import { RecordBatch, Schema, Table, tableFromIPC } from 'apache-arrow';
import { IntegrityError, LakevaultError } from '../errors';
import type { RowDigests } from '../digest/row-digests';
import type { ObjectStore } from '../store/types';
import { describeSchema, type FieldDescription } from '../model/schema';
import { RangeReader } from '../validate/worker/range-reader';
import { workerScript } from '../util/worker-script';
import type { FromRowWorker, ToRowWorker } from './protocol';

/** A Parquet object to read rows from. */
export interface RowFile {
  bucket: string;
  key: string;
  size: number;
  /** Reads are pinned to it: an object replaced meanwhile fails instead of mixing versions. */
  etag?: string;
}

export interface RowReadersOptions {
  /** Files read at once, one worker thread each. */
  workers: number;
  /** Rows per batch handed over. */
  batchSize: number;
  /** A file whose worker sends nothing (no read, no batch) for this long fails. */
  stallTimeoutMs: number;
}

export interface RowBatch {
  length: number;
  digests?: RowDigests;
  /** The rows, when asked for; its schema carries no metadata (footer key-values stay behind). */
  table?: Table;
}

/** Raised when a column's type is beyond the row digest: such rows cannot be compared. */
export class UndigestibleColumnsError extends IntegrityError {
  constructor(message: string, readonly columns: string[]) { super(message); }
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  /** Receives the worker's messages for the file it is reading. */
  listener?: (message: FromRowWorker) => void;
  /** Told when the worker dies. */
  onDeath?: (error: Error) => void;
  dead: boolean;
}

/**
 * Reads the rows of Parquet objects in worker threads, one file per worker at a time:
 * per-row digests, the rows themselves, or both, batch by batch as the caller asks for
 * them. A file that fails, hangs or crashes its worker fails its own stream; the worker is
 * replaced and the others go on.
 */
export class RowReaders {
  private readonly idle: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private readonly all = new Set<Slot>();
  private nextTaskId = 1;
  private closed = false;
  bytesRead = 0;

  constructor(private readonly store: ObjectStore, private readonly options: RowReadersOptions) {
    for (let i = 0; i < Math.max(1, options.workers); i++) this.idle.push(this.spawn());
  }

  /** Opens a file on the next free worker: its footer's row count and schema, then its batches. */
  async open(file: RowFile, what: { digests?: boolean; rows?: boolean }): Promise<RowStream> {
    if (this.closed) throw new Error('row readers closed');
    const slot = this.idle.pop() ?? await new Promise<Slot>((resolve) => this.waiting.push(resolve));
    const stream = new RowStream(this, slot, file, new RangeReader(this.store, file.bucket, file.key, file.size, file.etag), this.options.stallTimeoutMs);
    await stream.start(this.nextTaskId++, { digests: what.digests === true, rows: what.rows === true, batchSize: this.options.batchSize });
    return stream;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((slot) => this.retire(slot)));
  }

  /** @internal A stream is done with its worker: healthy ones go back, others are replaced. */
  release(slot: Slot, healthy: boolean): void {
    slot.listener = undefined;
    slot.onDeath = undefined;
    if (!healthy) {
      void this.retire(slot);
      if (this.closed) return;
      slot = this.spawn();
    }
    if (this.closed) { void this.retire(slot); return; }
    const waiter = this.waiting.shift();
    if (waiter) waiter(slot); else this.idle.push(slot);
  }

  private spawn(): Slot {
    const worker = new Worker(workerScript(__dirname, 'worker.js'));
    let ready!: () => void;
    const slot: Slot = { worker, ready: new Promise<void>((resolve) => { ready = resolve; }), dead: false };
    const die = (error: Error) => {
      if (slot.dead) return;
      slot.dead = true;
      slot.onDeath?.(error);
    };
    worker.on('message', (message: FromRowWorker) => {
      if (message.type === 'ready') ready();
      else slot.listener?.(message);
    });
    worker.on('error', (error) => die(new IntegrityError(`row reader crashed (${error.name}: ${error.message}): corrupt data or a failed read`)));
    worker.on('exit', (code) => die(new Error(`row reader exited (code ${code})`)));
    this.all.add(slot);
    return slot;
  }

  private async retire(slot: Slot): Promise<void> {
    this.all.delete(slot);
    slot.dead = true;
    await slot.worker.terminate().catch(() => undefined);
  }
}

interface Waiting {
  resolve: (message: FromRowWorker) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** The rows of one open file; iterate it to the end (or break) to free its worker. */
export class RowStream implements AsyncIterable<RowBatch> {
  rows = 0;
  schema: FieldDescription[] = [];
  /** The file's Arrow schema (fields only, no metadata). */
  arrowSchema = new Schema([]);
  private taskId = 0;
  private waiting?: Waiting;
  private finished = false;
  private failure?: Error;

  constructor(private readonly pool: RowReaders, private readonly slot: Slot, readonly file: RowFile, private readonly ranges: RangeReader, private readonly stallTimeoutMs: number) {}

  /** @internal */
  async start(taskId: number, task: { digests: boolean; rows: boolean; batchSize: number }): Promise<void> {
    this.taskId = taskId;
    this.slot.listener = (message) => this.onMessage(message);
    this.slot.onDeath = (error) => this.fail(error);
    await this.slot.ready;
    const opened = await this.request({ type: 'open', task: { taskId, size: this.file.size, ...task } });
    if (opened.type !== 'opened') throw new Error(`row reader: unexpected ${opened.type}`);
    this.rows = opened.rows;
    this.arrowSchema = tableFromIPC(opened.schemaIpc).schema;
    this.schema = describeSchema(this.arrowSchema);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    try {
      for (;;) {
        const message = await this.request({ type: 'pull', taskId: this.taskId });
        if (message.type === 'end') { this.done(true); return; }
        if (message.type !== 'batch') throw new Error(`row reader: unexpected ${message.type}`);
        const batch: RowBatch = { length: message.length };
        if (message.digestsA && message.digestsB) batch.digests = { a: message.digestsA, b: message.digestsB };
        if (message.ipc) batch.table = withoutMetadata(tableFromIPC(message.ipc));
        yield batch;
      }
    } finally {
      // Left early (break, or a failure): the worker is mid-file; a fresh one replaces it.
      if (!this.finished) this.done(false);
    }
  }

  /** Gives the worker back without reading further. */
  close(): void {
    if (!this.finished) this.done(false);
  }

  private done(healthy: boolean): void {
    this.finished = true;
    this.pool.release(this.slot, healthy);
  }

  private request(message: ToRowWorker): Promise<FromRowWorker> {
    return new Promise<FromRowWorker>((resolve, reject) => {
      if (this.failure || this.finished) { reject(this.failure ?? new Error(`${where(this.file)}: read past its end`)); return; }
      this.waiting = { resolve, reject };
      this.touch();
      this.slot.worker.postMessage(message);
    });
  }

  private touch(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (waiting.timer) clearTimeout(waiting.timer);
    waiting.timer = setTimeout(() => this.fail(new IntegrityError(`${where(this.file)}: no progress for ${this.stallTimeoutMs} ms (decoder hung: corrupt data or a failed read)`)), this.stallTimeoutMs);
  }

  private onMessage(message: FromRowWorker): void {
    if ('taskId' in message && message.taskId !== this.taskId) return;
    if (message.type === 'read') { void this.serveRead(message.readId, message.start, message.end); return; }
    if (message.type === 'failed') {
      const text = `${where(this.file)}: ${message.message}`;
      this.fail(message.unsupported ? new UndigestibleColumnsError(text, message.unsupported) : new IntegrityError(text));
      return;
    }
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    if (waiting.timer) clearTimeout(waiting.timer);
    waiting.resolve(message);
  }

  private async serveRead(readId: number, start: number, end: number): Promise<void> {
    try {
      const bytes = await this.ranges.read(start, end);
      this.pool.bytesRead += this.ranges.takeFetchedBytes();
      if (this.finished) return;
      this.touch(); // bytes arrived: progress, however long the store took
      const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer as ArrayBuffer : new Uint8Array(bytes).buffer;
      this.slot.worker.postMessage({ type: 'range', readId, bytes: copy } satisfies ToRowWorker, [copy]);
    } catch (error) {
      // A failed read traps parquet-wasm and its promise never settles: fail now, replace the worker.
      this.fail(error instanceof LakevaultError ? error : new IntegrityError(`${where(this.file)}: ${(error as Error).message}`));
    }
  }

  /** The stream fails with this error; its worker is replaced (parquet-wasm may be left in a bad state). */
  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting?.timer) clearTimeout(waiting.timer);
    if (!this.finished) this.done(false);
    waiting?.reject(error);
  }
}

function where(file: RowFile): string {
  return `s3://${file.bucket}/${file.key}`;
}

/** The schema's metadata (the source file's footer key-values, its digests among them) must not follow the rows into a new file. */
function withoutMetadata(table: Table): Table {
  if (table.schema.metadata.size === 0) return table;
  const schema = new Schema(table.schema.fields, new Map());
  return new Table(schema, table.batches.map((batch) => new RecordBatch(schema, batch.data)));
}
