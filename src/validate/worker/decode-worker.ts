import { parentPort } from 'node:worker_threads';
import type { ParquetFile, RecordBatch } from 'parquet-wasm/node';
import { parquet } from '../../parquet/wasm';
import { readFfiBatch } from '../../parquet/ffi-columns';
import { fileFooter } from '../../parquet/file-footer';
import { RawTableDigester } from '../../digest/raw-digester';
import { EMPTY_DIGEST } from '../../digest/bag';
import type { DecodeResult, DecodeTask, FromWorker, RowGroupDigest, ToWorker } from './protocol';

/**
 * A decode worker: opens a Parquet object through parquet-wasm over ranged reads (served
 * by the main thread), reads its footer and, in 'decode' mode, streams every row group as
 * Arrow batches and digests them in place (C data interface views, no copies). Runs in a
 * worker thread because parquet-wasm can trap or hang on a failed read: the main thread
 * then ends this worker and starts a fresh one.
 */
const port = parentPort!;
let nextReadId = 1;
const pendingReads = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>();

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

/** A Blob look-alike whose reads are range requests answered by the main thread. */
function remoteBlob(task: DecodeTask) {
  const { size, taskId } = task;
  return {
    size,
    slice(start = 0, end = size) {
      const from = Math.max(0, start < 0 ? size + start : start);
      const to = Math.min(size, end < 0 ? size + end : end);
      return {
        arrayBuffer: () => new Promise<ArrayBuffer>((resolve, reject) => {
          const readId = nextReadId++;
          pendingReads.set(readId, { resolve, reject });
          send({ type: 'read', taskId, readId, start: from, end: to });
        }),
      };
    },
  };
}

async function run(task: DecodeTask): Promise<void> {
  try {
    const result = await decode(task);
    send({ type: 'done', taskId: task.taskId, result });
  } catch (error) {
    send({ type: 'failed', taskId: task.taskId, message: error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error) });
  }
}

async function decode(task: DecodeTask): Promise<DecodeResult> {
  const file = await parquet.ParquetFile.fromFile(remoteBlob(task) as unknown as Blob);
  try {
    // The schema without per-file metadata: the main thread describes it once per table (pool.ts).
    const footer = fileFooter(file);
    const result: DecodeResult = { footer };
    const { rowGroupRows } = footer;
    if (task.mode === 'decode') {
      result.rowGroups = [];
      const undigested = new Set<string>();
      for (let index = 0; index < rowGroupRows.length; index++) {
        result.rowGroups.push(await digestRowGroup(file, index, task, undigested));
      }
      if (undigested.size) result.undigestedColumns = [...undigested];
    }
    return result;
  } finally {
    file.free();
  }
}

/** Streams one row group batch by batch; memory holds about one row group. */
async function digestRowGroup(file: ParquetFile, index: number, task: DecodeTask, undigested: Set<string>): Promise<RowGroupDigest> {
  const stream = await file.stream({ rowGroups: [index], batchSize: task.batchSize });
  const reader = stream.getReader();
  let digester: RawTableDigester | undefined;
  let names: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const ffi = (value as RecordBatch).intoFFI();
    try {
      // Views into WASM memory: valid until the next parquet-wasm call, so digest now.
      const batch = readFfiBatch(parquet.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(), ffi.schemaAddr());
      if (!digester) { names = batch.names; digester = new RawTableDigester(names); }
      digester.update(batch.columns, batch.length);
      send({ type: 'progress', taskId: task.taskId, rows: batch.length });
    } finally {
      ffi.free();
    }
  }
  const digest = digester?.result() ?? { digest: EMPTY_DIGEST, columns: {}, rows: 0 };
  for (const name of names) if (!(name in digest.columns)) undigested.add(name);
  return { rows: digest.rows, digest: digest.digest, columns: digest.columns };
}
