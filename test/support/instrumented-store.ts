import { Transform } from 'node:stream';
import type { MultipartUpload, ObjectStore, UploadedPart, WriteChecksums } from '../../src/store/types';

/** What an instrumented store saw: body bytes read and written, and the most parts held at once. */
export interface StoreTraffic {
  bytesRead: number;
  bytesWritten: number;
  reads: number;
  writes: number;
  /** Writes whose body was a stream (a GET on its way to a PUT). */
  streamedWrites: number;
}

export interface StoreHooks {
  /** Runs before each ranged read, with the number of bytes asked for. */
  beforeRead?: (key: string, bytes: number) => void;
  /** Runs after each ranged read with its number (1-based). */
  afterRead?: (count: number, key: string) => void | Promise<void>;
  /** Runs before each write (put or part) with its number (1-based): throw to fail it. */
  beforeWrite?: (count: number, key: string) => void | Promise<void>;
  /** Runs after each write the server accepted, with its body's size. */
  afterWrite?: (key: string, bytes: number) => void;
  /** Changes a body on its way to the server (after its checksums were computed): corruption in transit. */
  alterBody?: (body: Uint8Array, key: string) => Uint8Array;
}

/**
 * Forwards everything to a real store, counting body bytes of ranged reads and of writes
 * (put, multipart parts; not the integrity probe's), and lets a test fail, corrupt or
 * interleave them.
 */
export function instrument(inner: ObjectStore, hooks: StoreHooks = {}): { store: ObjectStore; traffic: StoreTraffic } {
  const traffic: StoreTraffic = { bytesRead: 0, bytesWritten: 0, reads: 0, writes: 0, streamedWrites: 0 };
  const write = async <T>(key: string, body: Uint8Array, send: (body: Uint8Array) => Promise<T>): Promise<T> => {
    // The destination's integrity probe (store/write-integrity.ts) is not the traffic under test.
    if (key.includes('_lakevault/integrity-probe-')) return send(body);
    traffic.writes += 1;
    await hooks.beforeWrite?.(traffic.writes, key);
    const result = await send(hooks.alterBody ? hooks.alterBody(body, key) : body);
    traffic.bytesWritten += body.length;
    hooks.afterWrite?.(key, body.length);
    return result;
  };
  /** A stream's bytes cannot be altered on the way; it is counted and hooked like any write. */
  const streamWrite = async <T>(key: string, length: number, send: () => Promise<T>): Promise<T> => {
    if (key.includes('_lakevault/integrity-probe-')) return send();
    traffic.writes += 1;
    await hooks.beforeWrite?.(traffic.writes, key);
    const result = await send();
    traffic.bytesWritten += length;
    traffic.streamedWrites += 1;
    hooks.afterWrite?.(key, length);
    return result;
  };
  const store: ObjectStore = {
    get endpoint() { return inner.endpoint; },
    list: (...args) => inner.list(...args),
    listCommonPrefixes: (...args) => inner.listCommonPrefixes(...args),
    head: (...args) => inner.head(...args),
    getBytes: (...args) => inner.getBytes(...args),
    async getRange(bucket, key, start, end, options) {
      hooks.beforeRead?.(key, end - start);
      const bytes = await inner.getRange(bucket, key, start, end, options);
      traffic.reads += 1;
      traffic.bytesRead += bytes.length;
      await hooks.afterRead?.(traffic.reads, key);
      return bytes;
    },
    async openRead(bucket, key, options) {
      const read = await inner.openRead(bucket, key, options);
      hooks.beforeRead?.(key, read.size);
      traffic.reads += 1;
      read.body.on('data', (chunk: Buffer) => { traffic.bytesRead += chunk.length; });
      read.body.once('end', () => { void hooks.afterRead?.(traffic.reads, key); });
      return read;
    },
    put: (bucket, key, body, options) => {
      if (typeof body === 'string') return inner.put(bucket, key, body, options);
      if (body instanceof Uint8Array) return write(key, body, (b) => inner.put(bucket, key, b, options));
      const alter = hooks.alterBody;
      const stream = alter ? body.stream.pipe(new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, alter(chunk, key)) })) : body.stream;
      return streamWrite(key, body.length, () => inner.put(bucket, key, { stream, length: body.length }, options));
    },
    upload: (...args) => inner.upload(...args),
    async startMultipartUpload(bucket, key, options) {
      const upload = await inner.startMultipartUpload(bucket, key, options);
      const wrapped: MultipartUpload = {
        uploadId: upload.uploadId,
        putPart: (partNumber: number, body: Uint8Array, checksums: WriteChecksums): Promise<UploadedPart> => write(key, body, (b) => upload.putPart(partNumber, b, checksums)),
        complete: (parts) => upload.complete(parts),
        abort: () => upload.abort(),
      };
      return wrapped;
    },
    copy: (...args) => inner.copy(...args),
    deleteKeys: (...args) => inner.deleteKeys(...args),
    bucketExists: (...args) => inner.bucketExists(...args),
    ensureBucket: (...args) => inner.ensureBucket(...args),
    deleteBucket: (...args) => inner.deleteBucket(...args),
  };
  return { store, traffic };
}
