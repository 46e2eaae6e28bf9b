import type { DataFile } from '../table/manifest';
import type { CompactGroup, CompactInput, CompactPlan, CompactTarget } from './plan';

export interface CompactOptions {
  target: CompactTarget;
  /** Rows per row group of the new files (`table create`'s default). */
  rowGroupRows?: number;
  /** A file whose reader or decoder makes no progress for this long fails the compaction. */
  fileTimeoutMs?: number;
  onProgress?: (progress: { rows: number; totalRows: number; files: number; totalFiles: number }) => void;
}

export const DEFAULT_ROW_GROUP_ROWS = 262_144;
export const DEFAULT_FILE_TIMEOUT_MS = 60_000;

/** What an interrupted compaction found at the start left behind, and what became of it. */
export interface Recovered {
  generation: string;
  outcome: 'rolled back' | 'finished';
  removedObjects: number;
}

export interface CompactResult {
  table: string;
  uri: string;
  /** manifest: a lakevault table (switched at its manifest); prefix: a prefix without one. */
  mode: 'manifest' | 'prefix';
  compacted: boolean;
  /** The generation the new files' names carry (and, for a lakevault table, its new manifest's). */
  generation?: string;
  replacedGeneration?: string;
  target: { rows?: number; fileMb?: number };
  before: Totals;
  after: Totals;
  partitions: { directory: string; inputFiles: number; outputFiles: number; rows: number; bytesBefore: number; bytesAfter: number }[];
  keptFiles: number;
  removedFiles: number;
  /** before: the content the rewritten rows had; after: what the new files read back as (equal, or nothing was switched). */
  contentDigest: { before?: string; after?: string; verified: boolean };
  /** Prefix: how long old and new files were both in place (a prefix has no manifest to switch at once). */
  switchMs?: number;
  recovered?: Recovered;
  notes: string[];
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface Totals { files: number; rows: number; bytes: number }

export function totalsOf(files: { rows: number; size: number }[]): Totals {
  return { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.size, 0) };
}

export function targetOf(target: CompactTarget): CompactResult['target'] {
  return 'rows' in target ? { rows: target.rows } : { fileMb: target.fileMb };
}

/** Per rewritten directory: files and bytes before and after. */
export function partitionLines(groups: CompactGroup[], written: DataFile[][]): CompactResult['partitions'] {
  return groups.map((group, index) => ({
    directory: group.directory,
    inputFiles: group.inputs.length,
    outputFiles: group.outputs.length,
    rows: group.rows,
    bytesBefore: group.bytes,
    bytesAfter: (written[index] ?? []).reduce((sum, file) => sum + file.bytes, 0),
  }));
}

/** The result when there is nothing to rewrite. */
export function nothingToDo(base: Pick<CompactResult, 'table' | 'uri' | 'mode' | 'target' | 'recovered'>, plan: CompactPlan, contentDigest: string | undefined, started: number): CompactResult {
  const totals = totalsOf(plan.kept);
  return {
    ...base,
    compacted: false,
    before: totals,
    after: totals,
    partitions: [],
    keptFiles: plan.kept.length,
    removedFiles: 0,
    contentDigest: { ...(contentDigest ? { before: contentDigest, after: contentDigest } : {}), verified: false },
    notes: ['nothing to compact: no directory has two or more files under 75 % of the target that would make fewer files'],
    elapsedMs: Date.now() - started,
    rowsPerSecond: 0,
  };
}

/** What the next backup does with the new files: incremental reuse matches files by digest, size and ETag. */
export function backupNote(rewritten: DataFile[], kept: CompactInput[]): string {
  const bytes = rewritten.reduce((sum, file) => sum + file.bytes, 0);
  return `backups: the ${rewritten.length} new file(s) (${(bytes / 1024 / 1024).toFixed(1)} MiB) hold the same rows in a new layout, so incremental reuse cannot apply to them: the next backup copies them in full` +
    (kept.length ? `; the ${kept.length} file(s) compaction left as they were can still be referenced from earlier backups` : '');
}
