import { AccessError, NotFoundError, UnsupportedError } from '../../errors';
import type { ObjectStore } from '../../store/types';

/** How much of an object's tail the first footer read fetches at once. */
const TAIL_BYTES = 64 * 1024;
/** Objects up to this size are read whole by the first read when they are to be decoded. */
export const WHOLE_OBJECT_BYTES = 1024 * 1024;
const ATTEMPTS = 3;

/**
 * Range reads of one object for a decode worker. The first read near the end fetches the
 * last 64 KiB in one request (a Parquet footer is read in two small steps otherwise).
 * A failed read is tried again (the SDK already retries HTTP failures; this covers a body
 * cut short), except when retrying cannot help: not found, access denied, unsupported.
 */
export class RangeReader {
  private tail?: { start: number; bytes: Uint8Array };
  private fetched = 0;
  private requests = 0;

  constructor(private readonly store: ObjectStore, readonly bucket: string, readonly key: string, readonly size: number, private readonly etag?: string) {}

  /**
   * Where the first read of the object lies: the last 64 KiB (footers), or, to decode an
   * object of up to 1 MiB, all of it: a small file is then read in one request.
   */
  firstRange(mode: 'footer' | 'decode'): { start: number; end: number } {
    const length = mode === 'decode' && this.size <= WHOLE_OBJECT_BYTES ? this.size : Math.min(this.size, TAIL_BYTES);
    return { start: this.size - length, end: this.size };
  }

  /** Reads [start, end) without keeping it (it is handed over whole to a worker). */
  readAhead(start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return Promise.resolve(new Uint8Array(0));
    return this.fetch(start, end);
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    if (!this.tail && start >= this.size - TAIL_BYTES && end === this.size && this.size > 0) {
      const tailStart = Math.max(0, this.size - TAIL_BYTES);
      this.tail = { start: tailStart, bytes: await this.fetch(tailStart, this.size) };
    }
    // A copy: what this returns is transferred to the worker, and the tail must stay for later reads.
    if (this.tail && start >= this.tail.start) return this.tail.bytes.slice(start - this.tail.start, end - this.tail.start);
    return this.fetch(start, end);
  }

  private async fetch(start: number, end: number): Promise<Uint8Array> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.requests += 1;
        const bytes = await this.store.getRange(this.bucket, this.key, start, end, this.etag ? { etag: this.etag } : {});
        this.fetched += bytes.length;
        return bytes;
      } catch (error) {
        const hopeless = error instanceof NotFoundError || error instanceof AccessError || error instanceof UnsupportedError;
        if (hopeless || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** Forget cached bytes (the task is being run again by another worker). */
  reset(): void {
    this.tail = undefined;
  }

  takeFetchedBytes(): number {
    const value = this.fetched;
    this.fetched = 0;
    return value;
  }

  takeRequests(): number {
    const value = this.requests;
    this.requests = 0;
    return value;
  }
}
