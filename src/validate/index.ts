import { availableParallelism } from 'node:os';
import type { FileSet } from '../model/file-set';
import type { ObjectStore } from '../store/types';
import { UsageError } from '../errors';
import { checkSubject, type CheckedSubject } from './subject';
import { compareSubjects } from './compare';
import { DecodePool } from './worker/pool';
import { decodeBudget, DEFAULT_MEMORY_BUDGET_MB, minimumBudgetMb } from './worker/memory-plan';
import { peakRssMb } from './peak-memory';
import type { Difference, SubjectSummary, ValidationLevel, ValidationOptions, ValidationReport } from './types';

export type { Difference, FileError, ValidationLevel, ValidationOptions, ValidationReport } from './types';

export const DEFAULT_FILE_TIMEOUT_MS = 60_000;
export { DEFAULT_MEMORY_BUDGET_MB };
export const DEFAULT_BATCH_SIZE = 65_536;
/** First reads kept in flight ahead of the decode workers. */
const READ_AHEAD = 64;

/**
 * Validates one subject (a table, backup or checkpoint) against its own manifest and the
 * digests stored at write time. quick: objects, sizes, ETags, footers. full: every row
 * group decoded and digested. See docs/VALIDATION.md.
 */
export async function validateFileSet(store: ObjectStore, set: FileSet, options: ValidationOptions): Promise<ValidationReport> {
  return run(store, [set], options);
}

/** Validates a and b each against its own manifest, then a against b. */
export async function compareFileSets(store: ObjectStore, a: FileSet, b: FileSet, options: ValidationOptions): Promise<ValidationReport> {
  return run(store, [a, b], options);
}

async function run(store: ObjectStore, sets: FileSet[], options: ValidationOptions): Promise<ValidationReport> {
  checkOptions(options);
  const started = Date.now();
  const level = options.level;
  const totalFiles = sets.reduce((sum, set) => sum + set.files.length, 0);
  let filesDone = 0;
  let rowsDecoded = 0;
  const workers = options.concurrency ?? Math.max(1, Math.min(2, availableParallelism()));
  const budgetMb = options.memoryBudgetMb ?? DEFAULT_MEMORY_BUDGET_MB;
  // quick reads footers only: the budget bounds decoding, and does not stop a footer check on many workers.
  const budget = decodeBudget(level === 'full' ? budgetMb : Math.max(budgetMb, minimumBudgetMb(workers)), workers);
  const pool = new DecodePool(store, {
    workers,
    budget,
    // Footers are small reads: many in flight hide the store's latency (measured: 1,000 files
    // validated quick about 10 % faster at 24 than at 8); decoding keeps one file per worker.
    tasksPerWorker: level === 'full' ? 1 : 24,
    // Each request waits on the store's latency (on Ceph RGW a fixed stall, see
    // docs/BENCHMARKS.md): the first reads of the next files are kept in flight, within the
    // bytes a worker may hold fetched ahead.
    readAhead: { reads: READ_AHEAD, bytes: budget.prefetchBytes },
    stallTimeoutMs: options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    onRows: (rows) => { rowsDecoded += rows; progress(); },
  });
  const progress = () => options.onProgress?.({ files: filesDone, totalFiles, rows: rowsDecoded, bytes: pool.bytesRead });
  let subjects: CheckedSubject[];
  try {
    subjects = await Promise.all(sets.map((set) => checkSubject(store, set, pool, level, () => { filesDone += 1; progress(); })));
  } finally {
    await pool.close();
  }

  const differences: Difference[] = subjects.flatMap((subject) => subject.differences);
  let layoutDifferences: Difference[] = [];
  if (subjects.length === 2) {
    const comparison = compareSubjects(subjects[0]!, subjects[1]!, level);
    differences.push(...comparison.differences);
    layoutDifferences = comparison.layoutDifferences;
  }
  const fileErrors = subjects.flatMap((subject) => subject.fileErrors);
  const elapsedMs = Date.now() - started;
  const rowsChecked = level === 'full' ? rowsDecoded : subjects.reduce((sum, subject) => sum + subject.rows, 0);
  return {
    ok: differences.length === 0 && fileErrors.length === 0,
    level,
    subjects: subjects.map((subject) => summarize(subject, level)),
    differences,
    layoutDifferences,
    fileErrors,
    notes: subjects.flatMap((subject) => subject.notes),
    totals: {
      files: subjects.reduce((sum, subject) => sum + subject.files.length, 0),
      rows: subjects.reduce((sum, subject) => sum + subject.rows, 0),
      bytes: subjects.reduce((sum, subject) => sum + subject.bytes, 0),
    },
    rowsChecked,
    bytesRead: pool.bytesRead,
    requests: pool.requests,
    rowsPerSecond: Math.round(rowsChecked / Math.max(elapsedMs, 1) * 1000),
    elapsedMs,
    memory: {
      budgetMb: budget.totalBytes / 1024 / 1024,
      perWorkerMb: Math.round(budget.perWorkerBytes / 1024 / 1024),
      peakRssMb: peakRssMb(),
    },
  };
}

function summarize(subject: CheckedSubject, level: ValidationLevel): SubjectSummary {
  const metadataFiles = subject.files.filter((checked) => checked.file.kind === 'metadata').length;
  return {
    label: subject.set.label,
    uri: subject.set.uri,
    files: subject.files.length,
    rows: subject.rows,
    bytes: subject.bytes,
    // Tables lakevault did not write: rows come from data files only; the rest is metadata (layout noise, logs).
    ...(metadataFiles ? { dataFiles: subject.files.length - metadataFiles, metadataFiles } : {}),
    ...(level === 'full' ? { complete: subject.complete } : {}),
    ...(subject.content ? { contentDigest: subject.content.digest, columnDigests: subject.content.columns } : {}),
    ...(subject.pages ? { pages: subject.pages } : {}),
    ...(subject.readers ? { readers: subject.readers } : {}),
  };
}

function checkOptions(options: ValidationOptions): void {
  if (options.level !== 'quick' && options.level !== 'full') throw new UsageError(`validation level must be quick or full, got "${String(options.level)}"`);
  if (options.concurrency !== undefined && (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64)) {
    throw new UsageError(`validation concurrency must be a whole number from 1 to 64, got ${options.concurrency}`);
  }
  if (options.fileTimeoutMs !== undefined && !(options.fileTimeoutMs > 0)) throw new UsageError(`file timeout must be positive, got ${options.fileTimeoutMs}`);
  if (options.memoryBudgetMb !== undefined && !(Number.isFinite(options.memoryBudgetMb) && options.memoryBudgetMb > 0)) throw new UsageError(`memory budget must be a positive number of MB, got ${options.memoryBudgetMb}`);
}
