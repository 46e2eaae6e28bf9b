import type { FileFooter } from '../../parquet/file-footer';
import type { FieldDescription } from '../../table/schema';

/** A footer as the validator uses it, once the main thread has described the schema. */
export type DescribedFooter = Omit<FooterInfo, 'schemaIpc'> & { schema: FieldDescription[] };

/**
 * Messages between the validator (main thread) and its decode workers. A worker never
 * talks to S3: it asks the main thread for byte ranges, so the store layer stays the only
 * place that sends requests (and the only one holding credentials).
 */
export interface DecodeTask {
  taskId: number;
  /** Object size in bytes (the worker's reader needs it up front). */
  size: number;
  /** 'footer' reads only the footer; 'decode' also decodes and digests every row group. */
  mode: 'footer' | 'decode';
  batchSize: number;
}

/** A footer as the worker reads it (src/parquet/file-footer.ts). */
export type FooterInfo = FileFooter;

export interface RowGroupDigest {
  rows: number;
  /** Rows digest (bag1) of the row group. */
  digest: string;
  columns: Record<string, string>;
}

export interface DecodeResult<Footer = FooterInfo> {
  footer: Footer;
  /** Present in 'decode' mode: one entry per row group, in order. */
  rowGroups?: RowGroupDigest[];
  /** Columns whose type the digest kernel cannot read (content not checked). */
  undigestedColumns?: string[];
}

export type ToWorker =
  | { type: 'task'; task: DecodeTask }
  | { type: 'range'; readId: number; bytes: ArrayBuffer }
  | { type: 'range-error'; readId: number; message: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'read'; taskId: number; readId: number; start: number; end: number }
  | { type: 'progress'; taskId: number; rows: number }
  | { type: 'done'; taskId: number; result: DecodeResult }
  | { type: 'failed'; taskId: number; message: string };
