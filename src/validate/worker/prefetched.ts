/**
 * Byte ranges a decode worker fetched ahead of its decoder: the worker reads a row group's
 * column chunks once, walks and checks their pages, and then serves the decoder's own reads
 * of those bytes from here instead of fetching them a second time.
 */
export class PrefetchedRanges {
  private ranges: { start: number; bytes: Uint8Array }[] = [];

  add(start: number, bytes: Uint8Array): void {
    this.ranges.push({ start, bytes });
  }

  /** [start, end) when one held range covers it: the held buffer itself when it is exactly that range, else a copy. */
  take(start: number, end: number): ArrayBuffer | undefined {
    for (const range of this.ranges) {
      const from = start - range.start;
      const to = end - range.start;
      if (from < 0 || to > range.bytes.length) continue;
      const { bytes } = range;
      if (from === 0 && to === bytes.length && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
        return bytes.buffer as ArrayBuffer;
      }
      return bytes.slice(from, to).buffer as ArrayBuffer;
    }
    return undefined;
  }

  clear(): void {
    this.ranges = [];
  }
}
