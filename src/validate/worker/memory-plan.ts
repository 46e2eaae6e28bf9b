import { UsageError } from '../../errors';
import type { ColumnChunkLayout, RowGroupLayout } from '../../parquet/file-layout';

/*
 * Decoding within a memory budget.
 *
 * A Parquet footer states every column chunk's compressed and uncompressed size, and the
 * page walk (page-check.ts) finds the largest page of each chunk before anything is
 * decoded: enough to know what decoding a row group will hold. The budget is for the whole
 * process; each decode worker gets an equal share (`perWorker`), of which a quarter may be
 * compressed bytes fetched ahead (held in JavaScript, and passing once through the main
 * thread) and three quarters WebAssembly memory, where parquet-wasm keeps the compressed
 * chunks, one decompressed page per column and the batch being built. The WebAssembly
 * memory of each worker is also capped at that share (wasm-ceiling.ts): a file that lies
 * in its footer fails instead of taking the process past the budget.
 *
 * A row group is decoded whole when it fits, else one top-level column at a time (the row
 * digest is chained column by column), with smaller batches when rows are wide; what does
 * not fit even so is refused in one line naming row group, column and sizes.
 */
export const DEFAULT_MEMORY_BUDGET_MB = 600;

/** What the CLI process holds besides its decode workers: Node, the SDK, Arrow, replies in flight. */
const MAIN_THREAD_MB = 120;
/** A decode worker's own cost before it decodes anything: its isolate and compiled WebAssembly code. */
const WORKER_OVERHEAD_MB = 40;
/** Below this a worker cannot even hold parquet-wasm's own start-up memory and a small row group. */
const MIN_PER_WORKER_MB = 48;
const MB = 1024 * 1024;

export interface DecodeBudget {
  totalBytes: number;
  workers: number;
  /** Each worker's share: WebAssembly memory plus bytes fetched ahead. */
  perWorkerBytes: number;
  /** The cap on each worker's WebAssembly memory. */
  wasmCeilingBytes: number;
  /** Compressed bytes a worker fetches ahead of decoding (one row group, or one column's chunks). */
  prefetchBytes: number;
}

/** The smallest budget that leaves each of `workers` workers the least it needs. */
export function minimumBudgetMb(workers: number): number {
  return Math.ceil(MAIN_THREAD_MB + workers * (WORKER_OVERHEAD_MB + 1.25 * MIN_PER_WORKER_MB));
}

export function decodeBudget(totalMb: number, workers: number): DecodeBudget {
  if (!Number.isFinite(totalMb) || totalMb <= 0) throw new UsageError(`memory budget must be a positive number of MB, got ${totalMb}`);
  // Fetched-ahead bytes pass once through the main thread too: a quarter share per worker there.
  const perWorkerMb = (totalMb - MAIN_THREAD_MB - workers * WORKER_OVERHEAD_MB) / (workers * 1.25);
  if (perWorkerMb < MIN_PER_WORKER_MB) {
    throw new UsageError(`a memory budget of ${totalMb} MB is too small for ${workers} decode worker(s): at least ${minimumBudgetMb(workers)} MB (or fewer workers)`);
  }
  const perWorkerBytes = Math.floor(perWorkerMb * MB);
  return {
    totalBytes: totalMb * MB,
    workers,
    perWorkerBytes,
    wasmCeilingBytes: Math.floor(perWorkerBytes * 0.75),
    prefetchBytes: Math.floor(perWorkerBytes * 0.25),
  };
}

/** One decode of a row group: all its columns, or the leaves of one top-level column. */
export interface DecodeStep {
  /** Top-level columns to decode (undefined: all). */
  columns?: string[];
  chunks: ColumnChunkLayout[];
  /** Byte range covering the step's chunks, fetched in one read. */
  start: number;
  end: number;
}

export type RowGroupPlan =
  | { kind: 'steps'; steps: DecodeStep[] }
  | { kind: 'refused'; message: string };

/** How the compressed bytes of a row group are fetched: whole when they fit, else column by column. */
export function planFetches(group: RowGroupLayout, budget: DecodeBudget): RowGroupPlan {
  const chunks = group.chunks.filter((chunk) => chunk.values > 0);
  if (chunks.length === 0) return { kind: 'steps', steps: [] };
  const whole = step(chunks);
  if (whole.end - whole.start <= budget.prefetchBytes) return { kind: 'steps', steps: [whole] };
  const byColumn = new Map<string, ColumnChunkLayout[]>();
  for (const chunk of chunks) byColumn.set(chunk.leaf.topLevel, [...(byColumn.get(chunk.leaf.topLevel) ?? []), chunk]);
  const steps: DecodeStep[] = [];
  for (const [column, leaves] of byColumn) {
    const one = step(leaves, [column]);
    if (one.end - one.start > budget.prefetchBytes) {
      const biggest = leaves.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      return {
        kind: 'refused',
        message: `row group ${group.index} column "${biggest.leaf.name}": ${formatMb(biggest.end - biggest.start)} compressed (${formatMb(biggest.uncompressed)} uncompressed) cannot be held within the decode budget (${formatMb(budget.prefetchBytes)} of fetched bytes per worker, of ${formatMb(budget.totalBytes)} in all)`,
      };
    }
    steps.push(one);
  }
  return { kind: 'steps', steps };
}

function step(chunks: ColumnChunkLayout[], columns?: string[]): DecodeStep {
  return {
    ...(columns ? { columns } : {}),
    chunks,
    start: Math.min(...chunks.map((chunk) => chunk.start)),
    end: Math.max(...chunks.map((chunk) => chunk.end)),
  };
}

/**
 * The rows per batch for one step, once its pages are known; undefined when even one row
 * at a time would not fit. WebAssembly holds the compressed chunks, a decompressed page per
 * leaf (twice: the page and what is decoded from it) and the batch (about twice its share
 * of the uncompressed bytes: values plus offsets and bitmaps, and arrays being built).
 */
export function batchRowsFor(chunks: ColumnChunkLayout[], largestPages: number[], rows: number, preferred: number, budget: DecodeBudget): number | undefined {
  const compressed = chunks.reduce((sum, chunk) => sum + chunk.end - chunk.start, 0);
  const pages = largestPages.reduce((sum, size) => sum + 2 * size, 0);
  const perRow = chunks.reduce((sum, chunk) => sum + chunk.uncompressed, 0) / Math.max(rows, 1);
  const room = budget.wasmCeilingBytes * 0.8 - compressed - pages; // a fifth kept for the allocator's own overhead
  if (room <= 0) return undefined;
  const fits = Math.floor(room / Math.max(2 * perRow, 1));
  if (fits < 1) return undefined;
  return Math.max(1, Math.min(preferred, fits));
}

/** The line for a step that cannot be decoded within the budget. */
export function refusal(groupIndex: number, chunks: ColumnChunkLayout[], largestPages: number[], rows: number, budget: DecodeBudget): string {
  let worst = 0;
  chunks.forEach((chunk, i) => {
    const need = (chunk.end - chunk.start) + 2 * largestPages[i]! + 2 * chunk.uncompressed / Math.max(rows, 1);
    const worstNeed = (chunks[worst]!.end - chunks[worst]!.start) + 2 * largestPages[worst]! + 2 * chunks[worst]!.uncompressed / Math.max(rows, 1);
    if (need > worstNeed) worst = i;
  });
  const chunk = chunks[worst]!;
  return `row group ${groupIndex} column "${chunk.leaf.name}": ${formatMb(chunk.uncompressed)} uncompressed (${formatMb(chunk.end - chunk.start)} compressed, largest page ${formatMb(largestPages[worst]!)}, ${rows} rows) cannot be decoded within the decode budget (${formatMb(budget.wasmCeilingBytes)} of decoder memory per worker, of ${formatMb(budget.totalBytes)} in all)`;
}

export function formatMb(bytes: number): string {
  const mb = bytes / MB;
  if (mb < 0.1) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${mb >= 100 ? Math.round(mb).toLocaleString('en-US') : mb.toFixed(1)} MB`;
}
