import { UsageError } from '../errors';
import { checkRelativeKey } from '../store/key-boundary';
import { MAX_ROWS_PER_FILE } from '../table/limits';

/** A data file that compaction may rewrite. */
export interface CompactInput {
  /** Key relative to the table prefix. */
  relativeKey: string;
  bucket: string;
  key: string;
  size: number;
  etag: string;
  rows: number;
  /** The content digest its manifest records (lakevault tables). */
  digest?: string;
}

export interface CompactOutput {
  /** Key relative to the table prefix, in the directory of the files it replaces. */
  relativeKey: string;
  rows: number;
}

/** The files of one directory (a Hive partition, or `data/`) rewritten into fewer. */
export interface CompactGroup {
  /** Relative directory, '' or ending in '/', exactly as the keys spell it (escapes kept). */
  directory: string;
  inputs: CompactInput[];
  outputs: CompactOutput[];
  rows: number;
  bytes: number;
  /** Rows per output file aimed at in this directory. */
  targetRows: number;
}

export interface CompactPlan {
  groups: CompactGroup[];
  /** Files left as they are: large enough already, or alone in their directory. */
  kept: CompactInput[];
}

/** What `--target-rows` / `--target-file-mb` ask for; default: the rows per file `table create` writes. */
export type CompactTarget = { rows: number } | { fileMb: number };

export const DEFAULT_TARGET_ROWS = 1_000_000;
export const MAX_TARGET_FILE_MB = 4096;

export function checkTarget(target: { rows?: number; fileMb?: number }): CompactTarget {
  if (target.rows !== undefined && target.fileMb !== undefined) throw new UsageError('--target-rows and --target-file-mb each set the file size: give one');
  if (target.fileMb !== undefined) {
    if (!Number.isSafeInteger(target.fileMb) || target.fileMb < 1 || target.fileMb > MAX_TARGET_FILE_MB) throw new UsageError(`--target-file-mb must be a whole number from 1 to ${MAX_TARGET_FILE_MB.toLocaleString('en')}, got ${target.fileMb}`);
    return { fileMb: target.fileMb };
  }
  const rows = target.rows ?? DEFAULT_TARGET_ROWS;
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > MAX_ROWS_PER_FILE) throw new UsageError(`--target-rows must be a whole number from 1 to ${MAX_ROWS_PER_FILE.toLocaleString('en')}, got ${rows}`);
  return { rows };
}

/**
 * Rows per output file for a directory. A size in MB becomes rows at the bytes per row its
 * small files have now (merged files compress somewhat better, so they come out a little
 * smaller). Capped at the rows per file `table create` accepts: the writer holds one
 * file's rows while it encodes them (their digests go into the footer, written first).
 */
export function targetRowsFor(target: CompactTarget, rows: number, bytes: number): number {
  if ('rows' in target) return target.rows;
  if (rows === 0 || bytes === 0) return MAX_ROWS_PER_FILE;
  return Math.max(1, Math.min(MAX_ROWS_PER_FILE, Math.floor((target.fileMb * 1024 * 1024 * rows) / bytes)));
}

/**
 * A file of at least this share of the target is left as it is (Iceberg's rewrite_data_files
 * uses the same default, min-file-size-bytes = 75 % of the target): a file that was merged
 * once is not merged again for coming out a little under the target.
 */
const LARGE_ENOUGH = 0.75;

/**
 * Decides what to rewrite. Files are grouped by directory — a Hive partition is its own
 * group, so rows never move between partitions and directory names stay byte for byte
 * as they are. In each group the files under 75 % of the target are combined into as few
 * files of about the target size as hold their rows (rows spread evenly), named
 * `part-NNNNN-<generation>.parquet`; a group is left alone when that would not make fewer
 * files. Compacting a compacted table again therefore changes nothing.
 */
export function planCompaction(files: CompactInput[], target: CompactTarget, generation: string): CompactPlan {
  for (const file of files) checkInside(file.relativeKey);
  const byDirectory = new Map<string, CompactInput[]>();
  for (const file of files) {
    const directory = file.relativeKey.slice(0, file.relativeKey.lastIndexOf('/') + 1);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), file]);
  }
  const groups: CompactGroup[] = [];
  const kept: CompactInput[] = [];
  for (const [directory, members] of [...byDirectory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    members.sort((x, y) => (x.relativeKey < y.relativeKey ? -1 : x.relativeKey > y.relativeKey ? 1 : 0));
    const targetRows = targetRowsFor(target, sum(members, (f) => f.rows), sum(members, (f) => f.size));
    const small = members.filter((file) => file.rows < LARGE_ENOUGH * targetRows);
    const rows = sum(small, (f) => f.rows);
    const bytes = sum(small, (f) => f.size);
    const count = Math.max(1, Math.ceil(rows / targetRows));
    if (small.length < 2 || count >= small.length) {
      kept.push(...members);
      continue;
    }
    kept.push(...members.filter((file) => !small.includes(file)));
    const outputs = Array.from({ length: count }, (_, index) => ({
      relativeKey: `${directory}part-${String(index).padStart(5, '0')}-${generation}.parquet`,
      rows: Math.floor(rows / count) + (index < rows % count ? 1 : 0),
    }));
    groups.push({ directory, inputs: small, outputs, rows, bytes, targetRows });
  }
  return { groups, kept };
}

/** Keys from a listing (a prefix without a manifest) pass the rule manifest keys pass: none may leave the prefix. */
function checkInside(key: string): void {
  checkRelativeKey(key, 'refusing to compact', 'the table prefix');
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
