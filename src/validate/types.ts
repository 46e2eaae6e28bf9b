export type ValidationLevel = 'quick' | 'full';

export interface ValidationOptions {
  level: ValidationLevel;
  /** Decode workers (files decoded at once). Default: min(2, CPUs). */
  concurrency?: number;
  /** A file whose decoder shows no progress (no read, no batch) for this long fails. Default 60 s. */
  fileTimeoutMs?: number;
  /** Rows per decoded batch (full level). Default 65,536 (fewer where rows are too wide for the memory budget). */
  batchSize?: number;
  /**
   * Peak memory of the process while decoding, in MB (default 600): each decode worker gets
   * an equal share, and a row group that cannot be decoded within it fails its file.
   */
  memoryBudgetMb?: number;
  onProgress?: (p: { files: number; totalFiles: number; rows: number; bytes: number }) => void;
}

export type DifferenceKind =
  | 'missing-file'   // listed (or present in a) but not found (or absent in b)
  | 'extra-file'     // present in b, not in a
  | 'renamed-file'   // the same bytes under another key in b (a layout difference)
  | 'size'
  | 'etag'
  | 'rows'           // rows of one file or row group
  | 'row-groups'     // row-group layout of one file
  | 'totals'         // files/rows/bytes of a whole subject
  | 'schema'
  | 'digest'         // content digest of a file, row group and/or column
  | 'manifest';      // a manifest that contradicts itself or its files' footers

/**
 * One thing that differs. `subject` is the label of the subject checked against its own
 * manifest, or "a vs b" for a comparison; `expected` is the manifest's (or a's) value,
 * `actual` what was found (or b's).
 */
export interface Difference {
  kind: DifferenceKind;
  subject: string;
  file?: string;
  rowGroup?: number;
  column?: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

export interface FileError {
  subject: string;
  /** The file's key relative to its snapshot. */
  file: string;
  uri: string;
  error: string;
}

export interface SubjectSummary {
  label: string;
  uri: string;
  files: number;
  rows: number;
  bytes: number;
  /** Full level: the content digest of the rows read (bag1; see docs/VALIDATION.md). */
  contentDigest?: string;
  columnDigests?: Record<string, string>;
  /** Full level: every data file was read and digested. */
  complete?: boolean;
  /** When the subject holds metadata files (a table lakevault did not write): files = dataFiles + metadataFiles. */
  dataFiles?: number;
  metadataFiles?: number;
  /** Full level: Parquet pages walked, and how many carried a CRC32 (each verified). */
  pages?: { pages: number; checksummed: number };
  /** Full level: data files decoded by each reader (parquet-wasm; hyparquet where parquet-wasm could not). */
  readers?: Record<string, number>;
}

export interface ValidationReport {
  ok: boolean;
  level: ValidationLevel;
  subjects: SubjectSummary[];
  differences: Difference[];
  /** a vs b at full level when the content is equal: how the two are laid out differently. Not failures. */
  layoutDifferences: Difference[];
  fileErrors: FileError[];
  /** Things that could not be checked and why (e.g. files without stored digests). */
  notes: string[];
  totals: { files: number; rows: number; bytes: number };
  /** Rows decoded (full) or counted from footers (quick). */
  rowsChecked: number;
  bytesRead: number;
  requests: number;
  rowsPerSecond: number;
  elapsedMs: number;
  /** The decode budget, each worker's share, and the process's peak resident memory when the report was made. */
  memory: { budgetMb: number; perWorkerMb: number; peakRssMb: number };
}
