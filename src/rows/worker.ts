import { parentPort } from 'node:worker_threads';
import type { RecordBatch } from 'parquet-wasm/node';
import { parquet } from '../parquet/wasm';
import { readFfiBatch } from '../parquet/ffi-columns';
import { fileFooter } from '../parquet/file-footer';
import { HashScratch } from '../digest/bag';
import { rowDigests } from '../digest/row-digests';
import { RemoteReads } from '../parquet/remote-reads';
import type { FromRowWorker, OpenTask, ToRowWorker } from './protocol';

/**
 * A row worker: opens one Parquet object at a time through parquet-wasm over ranged reads
 * (served by the main thread) and hands its rows over batch by batch, on request: per-row
 * digests computed in place (C data interface views into WebAssembly memory, no copy),
 * and/or the batch itself as Arrow IPC. In a worker thread because parquet-wasm can trap
 * or hang on a failed read: the main thread then ends this worker.
 */
const port = parentPort!;
const reads = new RemoteReads((read) => send({ type: 'read', ...read }));
const scratch = new HashScratch();

interface OpenFile {
  task: OpenTask;
  reader: { read(): Promise<{ done: boolean; value?: RecordBatch }>; cancel(): Promise<void> };
  /** The next batch, decoding while the main thread handles the one before. */
  next: Promise<{ done: boolean; value?: RecordBatch }>;
  close: () => void;
}

let current: OpenFile | undefined;

function send(message: FromRowWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

send({ type: 'ready' });

port.on('message', (message: ToRowWorker) => {
  switch (message.type) {
    case 'open':
      void guarded(message.task.taskId, () => open(message.task));
      return;
    case 'pull':
      void guarded(message.taskId, () => pull(message.taskId));
      return;
    case 'range':
      reads.answer(message.readId, message.bytes);
      return;
    case 'range-error':
      reads.fail(message.readId, message.message);
  }
});

async function guarded(taskId: number, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    current?.close();
    current = undefined;
    const failure = error as Error & { unsupported?: string[] };
    send({ type: 'failed', taskId, message: error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error), ...(failure.unsupported ? { unsupported: failure.unsupported } : {}) });
  }
}

async function open(task: OpenTask): Promise<void> {
  current?.close();
  current = undefined;
  const file = await parquet.ParquetFile.fromFile(reads.blob(task.taskId, task.size) as unknown as Blob);
  const footer = fileFooter(file);
  const stream = await file.stream({ batchSize: task.batchSize });
  const reader = stream.getReader() as OpenFile['reader'];
  current = {
    task,
    reader,
    next: settledLater(reader.read()),
    close: () => { void reader.cancel().catch(() => undefined); file.free(); },
  };
  send({ type: 'opened', taskId: task.taskId, rows: footer.rows, schemaIpc: footer.schemaIpc }, [footer.schemaIpc.buffer as ArrayBuffer]);
}

async function pull(taskId: number): Promise<void> {
  const file = current;
  if (!file || file.task.taskId !== taskId) throw new Error(`no open file for task ${taskId}`);
  const { done, value } = await file.next;
  if (done || !value) {
    file.close();
    current = undefined;
    send({ type: 'end', taskId });
    return;
  }
  const message: FromRowWorker & { type: 'batch' } = { type: 'batch', taskId, length: value.numRows };
  const transfer: ArrayBuffer[] = [];
  if (file.task.digests) {
    const ffi = value.toFFI();
    try {
      // Views into WebAssembly memory: valid until the next parquet-wasm call, so digest now.
      const batch = readFfiBatch(parquet.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(), ffi.schemaAddr());
      const digests = rowDigests(batch.columns, batch.length, scratch);
      if ('unsupported' in digests) {
        throw Object.assign(new Error(`the row digest cannot read column(s) ${digests.unsupported.map((i) => `"${batch.names[i]}" (${batch.formats[i]})`).join(', ') || '(none: no columns)'}`), { unsupported: digests.unsupported.map((i) => batch.names[i]!) });
      }
      message.digestsA = digests.a;
      message.digestsB = digests.b;
      transfer.push(digests.a.buffer as ArrayBuffer, digests.b.buffer as ArrayBuffer);
    } finally {
      ffi.free();
    }
  }
  if (file.task.rows) {
    const ipc = value.intoIPCStream();
    message.ipc = ipc;
    transfer.push(ipc.buffer as ArrayBuffer);
  } else {
    value.free();
  }
  // Decoding the next batch starts now, while the main thread takes this one.
  file.next = settledLater(file.reader.read());
  send(message, transfer);
}

/** A read that may fail before anyone awaits it (the file is closed first) must not crash the worker. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
