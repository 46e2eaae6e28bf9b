import type { Table } from 'apache-arrow';
import { IntegrityError, StoreError, UsageError } from '../errors';
import type { EncryptionOptions } from '../store/types';
import { dropTable, listWarehouse, type DropResult, type PrefixWithoutManifest, type TableSummary } from '../table/catalog';
import { createSalesTable, type CreateTableResult } from '../table/create';
import type { IcebergChoice } from '../lake/describe';
import { openTableSource, type TableInspection } from '../sources/registry';
import { resolveTable, writableTable, type TableRef } from '../table/table-ref';
import { formatS3Uri } from '../store/location';
import { refuseCustomerKeyInClear } from '../store/encryption-check';
import type { ApiContext, CallOptions } from './context';
import { formatCount } from '../util/units';
import { report, type Report } from './report';
import { versionPin } from './subjects';
import { writeArrowTable, type WriteTableResult } from './write-arrow';
import { lazyModule } from '../util/lazy';
import type { CompactResult } from '../compact';
import type { RestoreResult } from '../restore/restore';
import type { ValidationLevel } from '../validate';
import { parseAsOf, pointAsOf } from '../timeline/as-of';
import { tableHistory, type TableDrop, type TablePoint, type VersioningState } from '../timeline/history';
import { restorePoint } from '../timeline/restore';
import { snapshotRestorer } from '../sources/registry';
import { checkLevel, failedValidation } from './validation-failure';

// Compaction reads and writes rows (workers, the validator): loaded when first asked for.
const compaction = lazyModule((): typeof import('../compact') => require('../compact'));

export interface CreateTableOptions extends CallOptions {
  /** Rows to generate (default 50,000). */
  rows?: number;
  /** Generator seed: the same seed gives the same rows (default 42). */
  seed?: number;
  rowsPerFile?: number;
  rowGroupRows?: number;
  /** Replace an existing table (default: a ConflictError). */
  overwrite?: boolean;
  encryption?: EncryptionOptions;
}

export interface WriteTableOptions extends CallOptions {
  rowsPerFile?: number;
  rowGroupRows?: number;
  overwrite?: boolean;
  encryption?: EncryptionOptions;
  /** Recorded in the manifest as how the data was produced. */
  source?: Record<string, unknown>;
}

/** Requested encryption is read back from every written file: a server that does not apply it fails the write. */
export type TableCreateReport = Report<CreateTableResult>;
export type TableWriteReport = Report<WriteTableResult>;
/** A prefix lakevault did not write (hasManifest false) adds format, partitions, drift, layout… (docs/FOREIGN-TABLES.md). */
export type TableInspectReport = Report<TableInspection>;
export type TableListReport = Report<{ warehouse: string; tables: TableSummary[]; withoutManifest: PrefixWithoutManifest[] }>;
export type TableDropReport = Report<DropResult>;
export type TableCompactReport = Report<CompactResult>;

export interface CompactTableOptions extends CallOptions {
  /** Rows per new file (default 1,000,000, as `table create` writes); or give targetFileMb. */
  targetRows?: number;
  /** Size per new file in MB, turned into rows at the bytes per row of the files merged. */
  targetFileMb?: number;
  rowGroupRows?: number;
  /** Fail a file whose reader makes no progress for this long (default 60 s). */
  fileTimeoutMs?: number;
}

export interface RestoreAsOfOptions extends CallOptions {
  /** A time (ISO 8601 with its zone; a date is its midnight UTC) or a point id that `history` lists. */
  asOf: string;
  /** Where to bring it back (a name or s3:// URI; default: the table itself, in place). */
  to?: string;
  /** Replace an existing table (in place: the table itself), or write into a non-empty prefix. */
  force?: boolean;
  /** Validation after the restore (default quick). */
  level?: ValidationLevel;
}

/** The history as `table history` reports it (where each point's files are stays inside). */
export type TableHistoryReport = Report<{ table: string; uri: string; versioning: VersioningState; points: TablePoint[]; drops: TableDrop[]; notes: string[] }>;
/** What `--as-of` chose, and the restore (absent when the target already was that generation). */
export type TableRestoreReport = Report<{
  table: string;
  uri: string;
  asOf: { requested: string; inForce: TablePoint; from: TablePoint };
  restore?: RestoreResult;
  ok: boolean;
}>;

export const TABLE_DEFAULTS = { rows: 50_000, seed: 42, rowsPerFile: 1_000_000, rowGroupRows: 262_144 } as const;

/** `lakevault table …`: tables are a name in the warehouse or an s3:// URI. */
export class TableApi {
  constructor(private readonly context: ApiContext) {}

  /** A table that create, write, compact and drop may touch: not a repository's location, not around the warehouse. */
  private writable(name: string): TableRef {
    return writableTable(this.context.config, name);
  }

  /** Writes a generated sales table (the seed's `vendas`) as Parquet with a manifest. */
  async create(name: string, options: CreateTableOptions = {}): Promise<TableCreateReport> {
    const { store } = this.context;
    const ref = this.writable(name);
    refuseCustomerKeyInClear(store.endpoint, options.encryption);
    const progress = this.context.progress('table.create', options.onProgress);
    const result = await createSalesTable(store, ref, {
      rows: options.rows ?? TABLE_DEFAULTS.rows,
      seed: options.seed ?? TABLE_DEFAULTS.seed,
      rowsPerFile: options.rowsPerFile ?? TABLE_DEFAULTS.rowsPerFile,
      rowGroupRows: options.rowGroupRows ?? TABLE_DEFAULTS.rowGroupRows,
      overwrite: options.overwrite === true,
      ...(options.encryption ? { encryption: options.encryption } : {}),
      onProgress: (p) => progress(`table create ${ref.name}: ${formatCount(p.rows)}/${formatCount(p.totalRows)} rows, ${p.files} files`, p),
    });
    return report(result);
  }

  /** Writes any Arrow table as a lakevault table (Parquet files + manifest with digests). */
  async write(name: string, table: Table, options: WriteTableOptions = {}): Promise<TableWriteReport> {
    const { store } = this.context;
    const ref = this.writable(name);
    refuseCustomerKeyInClear(store.endpoint, options.encryption);
    const progress = this.context.progress('table.write', options.onProgress);
    const result = await writeArrowTable(store, ref, table, {
      rowsPerFile: options.rowsPerFile ?? TABLE_DEFAULTS.rowsPerFile,
      rowGroupRows: options.rowGroupRows ?? TABLE_DEFAULTS.rowGroupRows,
      overwrite: options.overwrite === true,
      ...(options.encryption ? { encryption: options.encryption } : {}),
      ...(options.source ? { source: options.source } : {}),
      onProgress: (p) => progress(`table write ${ref.name}: ${formatCount(p.rows)}/${formatCount(p.totalRows)} rows, ${p.files} files`, p),
    });
    return report(result);
  }

  /**
   * Files, rows (from the Parquet footers), bytes and schema, compared with the manifest;
   * `deltaVersion`: a Delta table as that version; `iceberg`: an Iceberg table's snapshot
   * by id or branch/tag, read from a given metadata file.
   */
  async inspect(name: string, options: { deltaVersion?: number; iceberg?: IcebergChoice } = {}): Promise<TableInspectReport> {
    const { config, store } = this.context;
    const table = resolveTable(config, name);
    const source = await openTableSource(store, table, versionPin(options));
    return report(await source.inspect({ concurrency: config.concurrency }));
  }

  /**
   * Rewrites many small files into fewer of the target size, in a new generation switched
   * at the manifest once the new files read back with the table's content digest (a
   * prefix without a manifest: partition by partition, see docs/RECIPES.md). An interrupted
   * compaction is finished or undone by the next one.
   */
  async compact(name: string, options: CompactTableOptions = {}): Promise<TableCompactReport> {
    const { store } = this.context;
    const { checkTarget, compactTable } = compaction();
    const target = checkTarget({ ...(options.targetRows !== undefined ? { rows: options.targetRows } : {}), ...(options.targetFileMb !== undefined ? { fileMb: options.targetFileMb } : {}) });
    const rowGroupRows = options.rowGroupRows;
    if (rowGroupRows !== undefined && (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1 || rowGroupRows > 1_048_576)) throw new UsageError(`rowGroupRows must be an integer from 1 to 1,048,576, got ${rowGroupRows}`);
    const ref = this.writable(name);
    const progress = this.context.progress('table.compact', options.onProgress);
    return report(await compactTable(store, ref, name, {
      target,
      ...(options.rowGroupRows !== undefined ? { rowGroupRows: options.rowGroupRows } : {}),
      ...(options.fileTimeoutMs !== undefined ? { fileTimeoutMs: options.fileTimeoutMs } : {}),
      onProgress: (p) => progress(`table compact ${ref.name}: ${formatCount(p.rows)}/${formatCount(p.totalRows)} rows, ${p.files}/${p.totalFiles} new files`, p),
    }));
  }

  /**
   * Every point the table can be brought back to, newest first: the current generation,
   * backups, checkpoints, and earlier generations a versioned bucket still holds.
   */
  async history(name: string): Promise<TableHistoryReport> {
    const { config, store } = this.context;
    const history = await tableHistory(store, config, resolveTable(config, name));
    return report({ table: history.table, uri: history.uri, versioning: history.versioning, points: history.points.map((held) => held.point), drops: history.drops, notes: history.notes });
  }

  /**
   * Brings the table back as it was at a time (the generation in force then) or at a point
   * of its history, in place (with force) or into another table; ends with a validation.
   * A restore that does not validate throws an IntegrityError with the report.
   */
  async restore(name: string, options: RestoreAsOfOptions): Promise<TableRestoreReport> {
    if (!options || typeof options.asOf !== 'string') throw new UsageError('table restore needs asOf: a time (ISO 8601 with its zone) or a point id from `table history`');
    const asOf = parseAsOf(options.asOf);
    const level = checkLevel(options.level ?? 'quick');
    const { config, store } = this.context;
    const table = resolveTable(config, name);
    // Checked before any request: a restore into a repository, or over the whole warehouse, is refused.
    const target = writableTable(config, options.to ?? name, 'restore target');
    const choice = pointAsOf(await tableHistory(store, config, table), asOf);
    const progress = this.context.progress('table.restore', options.onProgress);
    const restored = await restorePoint(store, table, choice.chosen, target, snapshotRestorer, {
      force: options.force === true, allowOtherSource: true, concurrency: config.concurrency, level,
      onProgress: (p) => progress(`restore ${table.name} as of ${asOf.text}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
    });
    const result = report({
      table: target.name, uri: target.uri,
      asOf: { requested: asOf.text, inForce: choice.inForce.point, from: choice.chosen.point },
      ...(restored ? { restore: restored } : {}),
      ok: restored?.ok ?? true,
    });
    if (!result.ok) throw failedValidation(new IntegrityError(`restore of ${table.name} as of ${asOf.text} to ${target.uri} did not validate`), result);
    return result;
  }

  /** The tables of the warehouse, and the prefixes there that hold objects but no manifest. */
  async list(): Promise<TableListReport> {
    const { config, store } = this.context;
    return report({ warehouse: formatS3Uri(config.warehouse), ...(await listWarehouse(store, config.warehouse)) });
  }

  /**
   * Deletes a table: manifest first, then its files. Objects the manifest does not list go
   * only with `force`, which also empties a prefix that holds no manifest; a table nested
   * in the prefix is never deleted with it. Objects that could not be deleted
   * are a StoreError (the table is gone; leftovers are named).
   */
  async drop(name: string, options: { force?: boolean } = {}): Promise<TableDropReport> {
    const { store } = this.context;
    const result = await dropTable(store, this.writable(name), { force: options.force === true });
    if (result.errors.length) {
      throw new StoreError(`drop ${result.uri}: ${result.errors.length} objects could not be deleted, first: ${result.errors[0]!.key}: ${result.errors[0]!.code}`);
    }
    return report(result);
  }
}
