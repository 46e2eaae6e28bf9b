import { parentPort } from 'node:worker_threads';
import { encodePieces } from './encode';
import type { EncodeReply, EncodeRequest } from './encode-pool';

/**
 * An encode worker: turns one file's rows (Arrow IPC streams, one per row group,
 * transferred by the main thread) into a Parquet file with its digests, and transfers the
 * bytes back with the pieces' buffers, which the main thread reuses.
 */
const port = parentPort!;

// Modules (and the WebAssembly writer) are loaded by now.
port.postMessage({ type: 'ready' } satisfies EncodeReply);

// One file at a time: files queue here rather than share the writer's memory.
let queue = Promise.resolve();
port.on('message', (request: EncodeRequest) => { queue = queue.then(() => encode(request)); });

async function encode(request: EncodeRequest): Promise<void> {
  const buffers = request.pieces.map((piece) => piece.buffer as ArrayBuffer);
  let reply: EncodeReply;
  try {
    const encoded = await encodePieces(request.pieces, request.options);
    encoded.bytes = owningItsBuffer(encoded.bytes);
    reply = { type: 'done', id: request.id, encoded, buffers };
  } catch (error) {
    reply = { type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error), buffers };
  }
  port.postMessage(reply, reply.type === 'done' ? [reply.encoded.bytes.buffer as ArrayBuffer, ...buffers] : buffers);
  // A WebAssembly instance that trapped may be left inconsistent: this worker ends, and the
  // pool fails whatever else it held rather than encode it on a damaged writer.
  if (reply.type === 'failed') process.exit(1);
}

/** Bytes that can be transferred: writeParquet's are copied out of WebAssembly memory already. */
function owningItsBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
