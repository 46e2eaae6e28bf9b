/**
 * Byte ranges that parquet-wasm reads in a worker thread, answered by the main thread —
 * the only thread that talks to S3 (and holds credentials). `blob` is the Blob look-alike
 * parquet-wasm's ParquetFile.fromFile() takes (it only calls `size` and
 * `slice(a, b).arrayBuffer()`); each read is sent out through `ask` and settles when the
 * main thread's answer is passed to `answer` or `fail`.
 */
export class RemoteReads {
  private nextReadId = 1;
  private readonly pending = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>();

  constructor(private readonly ask: (read: { taskId: number; readId: number; start: number; end: number }) => void) {}

  blob(taskId: number, size: number) {
    return {
      size,
      slice: (start = 0, end = size) => {
        const from = Math.max(0, start < 0 ? size + start : start);
        const to = Math.min(size, end < 0 ? size + end : end);
        return {
          arrayBuffer: () => new Promise<ArrayBuffer>((resolve, reject) => {
            const readId = this.nextReadId++;
            this.pending.set(readId, { resolve, reject });
            this.ask({ taskId, readId, start: from, end: to });
          }),
        };
      },
    };
  }

  answer(readId: number, bytes: ArrayBuffer): void {
    this.settle(readId)?.resolve(bytes);
  }

  fail(readId: number, message: string): void {
    this.settle(readId)?.reject(new Error(message));
  }

  private settle(readId: number) {
    const pending = this.pending.get(readId);
    this.pending.delete(readId);
    return pending;
  }
}
