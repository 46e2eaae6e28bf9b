import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Table } from 'apache-arrow';
import { encodeParquet, rowGroupSlices, type EncodedFile, type EncodeOptions } from './encode';
import { IpcBuffers } from './ipc-buffers';
import { UsageError } from '../errors';
import { workerScript } from '../util/worker-script';

/** One file: its rows as one IPC stream per row group (encode.ts: rowGroupSlices). */
export interface EncodeRequest { id: number; pieces: Uint8Array[]; options: EncodeOptions }
export type EncodeReply =
  | { type: 'ready' }
  /** `buffers` are the request's pieces' buffers, handed back to be reused. */
  | { type: 'done'; id: number; encoded: EncodedFile; buffers: ArrayBuffer[] }
  | { type: 'failed'; id: number; message: string; buffers: ArrayBuffer[] };

/** Encodes files one after another on the calling thread, or on worker threads at once. */
export interface FileEncoder {
  /** How many files it encodes at once: the writer keeps that many in flight (at least two). */
  readonly parallel: number;
  encode(table: Table, options: EncodeOptions): Promise<EncodedFile>;
  close(): Promise<void>;
}

/**
 * How many worker threads encode `fileCount` files of `rows` rows in all: one per core (at
 * most four) when there are several files and cores, and files and rows large enough to
 * repay starting them and handing files over, else none (this thread).
 * LAKEVAULT_ENCODE_WORKERS sets it (0: this thread). Checked before a write starts, so a
 * bad setting changes nothing.
 */
export function encodeWorkers(fileCount: number, rows: number): number {
  const configured = process.env.LAKEVAULT_ENCODE_WORKERS;
  if (configured === undefined || configured === '') {
    const workers = Math.min(fileCount, availableParallelism(), 4);
    return workers >= 2 && rows >= WORKERS_FROM_ROWS && rows / fileCount >= WORKERS_FROM_ROWS_PER_FILE ? workers : 0;
  }
  if (!/^\d+$/.test(configured) || Number(configured) > MAX_WORKERS) {
    throw new UsageError(`LAKEVAULT_ENCODE_WORKERS must be an integer from 0 to ${MAX_WORKERS}, got "${configured}"`);
  }
  return Number(configured);
}

/**
 * A worker costs 0.3–0.5 s of CPU to start (Node's bootstrap, compiling parquet-wasm);
 * this thread encodes about a million rows a second. Below this, the workers' start-up
 * would cost more than they save.
 */
const WORKERS_FROM_ROWS = 250_000;

/**
 * Handing a file to a worker has a fixed cost (serialising, messages, the worker's own
 * digest set-up) that small files do not repay: 1M rows in 1,000 files took 12.9–13.3 s
 * on this thread against 14.6–15.5 s on two workers (RGW, same machine).
 */
const WORKERS_FROM_ROWS_PER_FILE = 100_000;
const MAX_WORKERS = 16;

/** The encoder with `workers` worker threads (encodeWorkers), or this thread for 0. */
export function fileEncoder(workers: number): FileEncoder {
  return workers > 0 ? new EncodePool(workers) : new InlineEncoder();
}

/** This thread, one file after another (one IPC buffer reused from piece to piece and file to file). */
class InlineEncoder implements FileEncoder {
  readonly parallel = 1;
  private readonly buffers = new IpcBuffers(1);

  encode(table: Table, options: EncodeOptions): Promise<EncodedFile> {
    return encodeParquet(table, options, this.buffers);
  }

  async close(): Promise<void> {}
}

interface Pending { resolve: (encoded: EncodedFile) => void; reject: (error: Error) => void }

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Encodes on worker threads. The main thread only writes each table as IPC streams, one
 * per row group, into recycled buffers, transferred (not copied) to the least busy worker;
 * the worker digests and encodes them (parquet-wasm, one WebAssembly instance per worker)
 * and transfers the Parquet bytes and the buffers back.
 * Workers start while the caller produces its first rows. A worker that dies fails the
 * files it held and the pool: the table is not written, and nothing waits forever.
 */
class EncodePool implements FileEncoder {
  private readonly slots: Slot[] = [];
  private readonly buffers: IpcBuffers;
  private nextId = 1;
  private broken?: Error;

  constructor(readonly parallel: number) {
    // A file's pieces (four row groups of a 1M-row file) are all in flight at once: keep
    // two files' worth per worker.
    this.buffers = new IpcBuffers(parallel * 8);
    const script = workerScript(__dirname, 'encode-worker.js');
    for (let i = 0; i < parallel; i++) this.slots.push(this.spawn(script));
  }

  async encode(table: Table, options: EncodeOptions): Promise<EncodedFile> {
    if (this.broken) throw this.broken;
    const pieces: Uint8Array[] = [];
    for (const rowGroup of rowGroupSlices(table, options.rowGroupRows)) pieces.push(await this.buffers.serialize(rowGroup));
    if (this.broken) throw this.broken;
    const slot = this.slots.reduce((least, slot) => (slot.pending.size < least.pending.size ? slot : least));
    const id = this.nextId++;
    return new Promise<EncodedFile>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, pieces, options } satisfies EncodeRequest, pieces.map((piece) => piece.buffer as ArrayBuffer));
    });
  }

  async close(): Promise<void> {
    this.broken ??= new Error('encode pool closed');
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(script: string): Slot {
    const slot: Slot = { worker: new Worker(script), pending: new Map() };
    slot.worker.on('message', (reply: EncodeReply) => {
      if (reply.type === 'ready') return;
      for (const buffer of reply.buffers) this.buffers.recycle(buffer);
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      if (reply.type === 'done') pending.resolve(reply.encoded);
      else {
        // The worker ends after a failure (encode-worker.ts); what it held fails with this cause.
        this.broken ??= new Error(reply.message);
        pending.reject(new Error(reply.message));
      }
    });
    const fail = (error: Error) => {
      this.broken ??= error;
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    };
    slot.worker.on('error', (error) => fail(new Error(`an encode worker failed: ${error.message}`)));
    slot.worker.on('exit', (code) => fail(new Error(`an encode worker exited (code ${code})`)));
    return slot;
  }
}
