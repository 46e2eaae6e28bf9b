import type { FileFooter } from '../../parquet/file-footer';
import type { PageCounts } from '../../parquet/page-check';
import type { FieldDescription } from '../../model/schema';
import type { DecodeBudget } from './memory-plan';

/** A footer as the validator uses it, once the main thread has described the schema (shared, frozen) and kept lakevault's keys only. */
export type DescribedFooter = Omit<FooterInfo, 'schemaIpc'> & { schema: FieldDescription[] };

/** Which reader decoded a file: parquet-wasm, or hyparquet where parquet-wasm could not. */
export type DecoderName = 'parquet-wasm' | 'hyparquet';

/** What a decode worker is started with (its memory share is fixed for its life). */
export interface DecodeWorkerData {
  budget: DecodeBudget;
}

/**
 * Messages between the validator (main thread) and its decode workers. A worker never
 * talks to S3: it asks the main thread for byte ranges, so the store layer stays the only
 * place that sends requests (and the only one holding credentials).
 */
export interface DecodeTask {
  taskId: number;
  /** Object size in bytes (the worker's reader needs it up front). */
  size: number;
  /** 'footer' reads only the footer; 'decode' also checks every page and decodes and digests every row group. */
  mode: 'footer' | 'decode';
  batchSize: number;
  /** The columns a manifest recorded digests for (when the footer records none): see DigesterOptions.legacyColumns. */
  manifestColumns?: string[];
  /**
   * The object's last bytes (the whole object when it is small), read ahead by the main
   * thread and sent with the task: the worker serves every read inside them itself.
   */
  tail?: HeldBytes;
}

/** Bytes [start, start + bytes.byteLength) of the task's object. */
export interface HeldBytes {
  start: number;
  bytes: ArrayBuffer;
}

/** A footer as the worker reads it (src/parquet/file-footer.ts). */
export type FooterInfo = FileFooter;

export interface RowGroupDigest {
  rows: number;
  /** Rows digest (bag1) of the row group. */
  digest: string;
  columns: Record<string, string>;
  /** The rows digest over only the columns the file's writer digested, when it digested fewer. */
  legacyDigest?: string;
}

export interface DecodeResult<Footer = FooterInfo> {
  footer: Footer;
  /** Present in 'decode' mode: one entry per row group, in order. */
  rowGroups?: RowGroupDigest[];
  /** Columns whose values the reader could not digest (content not checked). */
  undigestedColumns?: string[];
  /** 'decode' mode: the reader that decoded the file. */
  reader?: DecoderName;
  /** Why the second reader read the file (parquet-wasm's failure). */
  readerFallback?: string;
  /** 'decode' mode: pages walked, and how many carried a CRC32 (every one verified). */
  pages?: PageCounts;
}

export type ToWorker =
  | { type: 'task'; task: DecodeTask }
  | { type: 'range'; readId: number; bytes: ArrayBuffer }
  | { type: 'range-error'; readId: number; message: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'read'; taskId: number; readId: number; start: number; end: number }
  | { type: 'progress'; taskId: number; rows: number }
  /** `rows`: decoded since the last progress message. `retire`: the worker's parquet-wasm trapped and must not be used again. */
  | { type: 'done'; taskId: number; result: DecodeResult; rows: number; retire?: boolean }
  | { type: 'failed'; taskId: number; message: string; rows: number; retire?: boolean };
