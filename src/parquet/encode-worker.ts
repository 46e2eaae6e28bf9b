import { parentPort } from 'node:worker_threads';
import { encodeIpc } from './encode';
import type { EncodeReply, EncodeRequest } from './encode-pool';

/**
 * An encode worker: turns one file's rows (an Arrow IPC stream, transferred by the main
 * thread) into a Parquet file with its digests, and transfers the bytes back with the
 * request's buffer, which the main thread reuses.
 */
const port = parentPort!;

// Modules (and the WebAssembly writer) are loaded by now.
port.postMessage({ type: 'ready' } satisfies EncodeReply);

port.on('message', (request: EncodeRequest) => {
  let reply: EncodeReply;
  try {
    const encoded = encodeIpc(request.ipc, request.options);
    reply = { type: 'done', id: request.id, encoded, ipc: request.ipc.buffer as ArrayBuffer };
  } catch (error) {
    reply = { type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error), ipc: request.ipc.buffer as ArrayBuffer };
  }
  if (reply.type === 'done') reply.encoded.bytes = owningItsBuffer(reply.encoded.bytes);
  port.postMessage(reply, reply.type === 'done' ? [reply.encoded.bytes.buffer as ArrayBuffer, reply.ipc] : [reply.ipc]);
  // A WebAssembly instance that trapped may be left inconsistent: this worker ends, and the
  // pool fails whatever else it held rather than encode it on a damaged writer.
  if (reply.type === 'failed') process.exit(1);
});

/** Bytes that can be transferred: writeParquet's are copied out of WebAssembly memory already. */
function owningItsBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
