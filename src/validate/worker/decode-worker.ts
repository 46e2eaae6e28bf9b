import { parentPort, workerData } from 'node:worker_threads';
import type { ParquetFile } from 'parquet-wasm/node';
import { loadParquetWasmWithCeiling } from '../../parquet/wasm-ceiling';
import { fileFooter } from '../../parquet/file-footer';
import { loadHyparquet } from '../../parquet/hyparquet';
import { lazyModule } from '../../util/lazy';
import { BudgetExceeded, FileDecoder, UNREADABLE_FOOTER } from './file-decoder';
import { MalformedParquetError } from '../../parquet/file-layout';
import { PrefetchedRanges } from './prefetched';
import type { DecodeResult, DecodeTask, DecodeWorkerData, FromWorker, ToWorker } from './protocol';

/**
 * A decode worker: opens a Parquet object through parquet-wasm over ranged reads (served
 * by the main thread), reads its footer and, in 'decode' mode, checks every page and
 * decodes and digests every row group (file-decoder.ts). Runs in a worker thread because
 * parquet-wasm can trap or hang on a failed read: the main thread then ends this worker and
 * starts a fresh one. Its WebAssembly memory is capped at the worker's share of the budget.
 */
const port = parentPort!;
const { budget } = workerData as DecodeWorkerData;
const parquet = loadParquetWasmWithCeiling(budget.wasmCeilingBytes);
const secondReader = lazyModule((): typeof import('../../parquet/second-reader') => require('../../parquet/second-reader'));
let nextReadId = 1;
const pendingReads = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>();

/*
 * A trap inside parquet-wasm surfaces as an uncaught exception, not as a rejection of the
 * call that trapped. While a file is being decoded it fails that decode (the worker then
 * finishes the file without parquet-wasm and retires); at any other time the worker crashes
 * as it always did, and the pool fails its files.
 */
let decoding: { reject: (error: Error) => void } | undefined;
let poisoned = false;
function onTrap(error: unknown): void {
  const current = decoding;
  if (current) {
    decoding = undefined;
    poisoned = true;
    current.reject(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  process.removeListener('uncaughtException', onTrap);
  process.removeListener('unhandledRejection', onTrap);
  setImmediate(() => { throw error; });
}
process.on('uncaughtException', onTrap);
process.on('unhandledRejection', onTrap);

function guarded<T>(work: () => Promise<T>): Promise<T> {
  if (poisoned) return Promise.reject(new Error('parquet-wasm trapped earlier in this worker'));
  return new Promise<T>((resolve, reject) => {
    decoding = { reject };
    work().then(resolve, reject).finally(() => { decoding = undefined; });
  });
}

function send(message: FromWorker): void {
  port.postMessage(message);
}

// Modules (and the WASM) are loaded by now: the main thread starts the clocks from here.
send({ type: 'ready' });

port.on('message', (message: ToWorker) => {
  if (message.type === 'task') {
    void run(message.task);
    return;
  }
  const pending = pendingReads.get(message.readId);
  if (!pending) return;
  pendingReads.delete(message.readId);
  if (message.type === 'range') pending.resolve(message.bytes);
  else pending.reject(new Error(message.message));
});

/**
 * Bytes [start, end) of the task's object: from the bytes the main thread sent with the
 * task when they hold them (a small file is all there), else asked of the main thread.
 */
function fetchRange(task: DecodeTask, held: PrefetchedRanges, start: number, end: number): Promise<ArrayBuffer> {
  const bytes = held.take(start, end);
  if (bytes) return Promise.resolve(bytes);
  return new Promise<ArrayBuffer>((resolve, reject) => {
    const readId = nextReadId++;
    pendingReads.set(readId, { resolve, reject });
    send({ type: 'read', taskId: task.taskId, readId, start, end });
  });
}

/** A Blob look-alike whose reads are served from bytes fetched ahead, else by `fetch`. */
function remoteBlob(size: number, fetch: (start: number, end: number) => Promise<ArrayBuffer>, decoder: () => FileDecoder | undefined) {
  return {
    size,
    slice(start = 0, end = size) {
      const from = Math.max(0, start < 0 ? size + start : start);
      const to = Math.min(size, end < 0 ? size + end : end);
      return {
        arrayBuffer: () => {
          const held = decoder()?.prefetched.take(from, to);
          return held ? Promise.resolve(held) : fetch(from, to);
        },
      };
    },
  };
}

/** Rows decoded, reported at most every PROGRESS_MS (and at the end): a small file sends one message, not two. */
const PROGRESS_MS = 100;

function rowCounter(task: DecodeTask) {
  let unreported = 0;
  let reportedAt = Date.now();
  const flush = () => {
    if (unreported) send({ type: 'progress', taskId: task.taskId, rows: unreported });
    unreported = 0;
    reportedAt = Date.now();
  };
  return {
    add(rows: number) {
      unreported += rows;
      if (Date.now() - reportedAt >= PROGRESS_MS) flush();
    },
    /** The rows not yet reported (they travel with the task's end). */
    take(): number {
      const rows = unreported;
      unreported = 0;
      return rows;
    },
  };
}

async function run(task: DecodeTask): Promise<void> {
  const rows = rowCounter(task);
  try {
    const result = await decode(task, heldBytes(task), rows.add);
    send({ type: 'done', taskId: task.taskId, result, rows: rows.take(), ...(poisoned ? { retire: true } : {}) });
  } catch (error) {
    // Lines the checks wrote say what is wrong themselves; other errors keep their kind.
    const plain = !(error instanceof Error) || error.name === 'Error' || error instanceof MalformedParquetError || error instanceof BudgetExceeded;
    const message = error instanceof Error ? `${plain ? '' : `${error.name}: `}${error.message}` : String(error);
    send({ type: 'failed', taskId: task.taskId, message, rows: rows.take(), ...(poisoned ? { retire: true } : {}) });
  }
}

/** The bytes sent with the task; reads of them are copies (one buffer serves every read inside it). */
function heldBytes(task: DecodeTask): PrefetchedRanges {
  const held = new PrefetchedRanges();
  if (task.tail) held.add(task.tail.start, new Uint8Array(task.tail.bytes));
  return held;
}

async function decode(task: DecodeTask, held: PrefetchedRanges, progress: (rows: number) => void): Promise<DecodeResult> {
  const fetch = (start: number, end: number) => fetchRange(task, held, start, end);
  // hyparquet loads on first need (a few hundred ms of module loading): footer checks seldom need it.
  const newDecoder = async () => new FileDecoder({
    parquet, hyparquet: await loadHyparquet(), budget, guarded, secondReader, fetch,
    progress,
  }, task);
  if (task.mode === 'footer') {
    let file: ParquetFile;
    try {
      file = await parquet.ParquetFile.fromFile(remoteBlob(task.size, fetch, () => undefined) as unknown as Blob);
    } catch (error) {
      // A footer parquet-wasm cannot read may still be sound: hyparquet reads it, else parquet-wasm's error stands.
      const decoder = await newDecoder();
      const layout = await decoder.readLayout().catch(() => undefined);
      if (!layout) throw error;
      return { footer: decoder.footerFromLayout() };
    }
    try {
      // The schema without per-file metadata: the main thread describes it once per table (pool.ts).
      return { footer: fileFooter(file) };
    } finally {
      file.free();
    }
  }
  const decoder = await newDecoder();
  const opening = () => guarded(() => parquet.ParquetFile.fromFile(remoteBlob(task.size, fetch, () => decoder) as unknown as Blob));
  try {
    await decoder.readLayout();
  } catch (error) {
    // hyparquet's reading of a corrupt footer can be obscure: parquet-wasm's, when it also fails, says more.
    const wasmMessage = await opening().then((file) => { file.free(); return undefined; }, (wasmError: Error) => wasmError.message);
    if (wasmMessage && error instanceof MalformedParquetError && error.message.startsWith(UNREADABLE_FOOTER)) throw new MalformedParquetError(`${UNREADABLE_FOOTER}: ${wasmMessage}`);
    throw error;
  }
  let file: ParquetFile;
  try {
    file = await opening();
  } catch (error) {
    return decoder.decode({ openFailure: error instanceof Error ? error.message : String(error) });
  }
  try {
    return await decoder.decode({ parquet: file, footer: fileFooter(file) });
  } finally {
    if (!poisoned) file.free();
  }
}
