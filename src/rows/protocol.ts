/**
 * Messages between a row reader (main thread) and its worker. As with the validator's
 * decode workers, a worker never talks to S3: it asks the main thread for byte ranges.
 * Rows move one batch per 'pull', so a slow consumer (an encoder, a spill to disk) holds
 * the reader back instead of letting decoded batches pile up in memory.
 */
export interface OpenTask {
  taskId: number;
  size: number;
  batchSize: number;
  /** Send each batch's per-row digests (src/digest/row-digests.ts). */
  digests: boolean;
  /** Send each batch's rows (an Arrow IPC stream of one record batch). */
  rows: boolean;
}

export type ToRowWorker =
  | { type: 'open'; task: OpenTask }
  | { type: 'pull'; taskId: number }
  | { type: 'range'; readId: number; bytes: ArrayBuffer }
  | { type: 'range-error'; readId: number; message: string };

export type FromRowWorker =
  | { type: 'ready' }
  | { type: 'read'; taskId: number; readId: number; start: number; end: number }
  /** The file's footer: rows in all, and its Arrow schema (fields only) as an IPC stream. */
  | { type: 'opened'; taskId: number; rows: number; schemaIpc: Uint8Array }
  | { type: 'batch'; taskId: number; length: number; digestsA?: Int32Array; digestsB?: Int32Array; ipc?: Uint8Array }
  | { type: 'end'; taskId: number }
  /** `unsupported`: the columns (by name) whose values the digest kernel cannot read. */
  | { type: 'failed'; taskId: number; message: string; unsupported?: string[] };
