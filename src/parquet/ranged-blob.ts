import type { ObjectStore } from '../store/types';

/**
 * A Blob look-alike over an S3 object: parquet-wasm's ParquetFile.fromFile() only calls
 * `size` and `slice(a, b).arrayBuffer()`, so every read it makes becomes a range GET
 * pinned to the object's ETag (a changed object fails instead of mixing versions).
 */
export interface RangedBlob {
  size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  /** Bytes fetched so far. */
  bytesRead: number;
}

export function rangedBlob(store: ObjectStore, bucket: string, key: string, size: number, etag?: string): RangedBlob {
  const blob: RangedBlob = {
    size,
    bytesRead: 0,
    slice(start = 0, end = size) {
      const from = Math.max(0, start < 0 ? size + start : start);
      const to = Math.min(size, end < 0 ? size + end : end);
      return {
        arrayBuffer: async () => {
          const bytes = await store.getRange(bucket, key, from, to, etag ? { etag } : {});
          blob.bytesRead += bytes.length;
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        },
      };
    },
  };
  return blob;
}
