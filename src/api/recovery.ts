import { createCheckpoint, listCheckpoints } from '../dr/checkpoint';
import { runDrill, type DrillReport } from '../dr/drill';
import { parseDisaster, type DisasterKind } from '../dr/disasters';
import { recoverTable, type RecoverResult } from '../dr/recover';
import { IntegrityError, UsageError } from '../errors';
import type { OrphanEntry, SnapshotSummary } from '../snapshot/catalog';
import type { CreateSnapshotResult } from '../snapshot/create';
import { checkpointRepository, checkSnapshotId } from '../snapshot/repository';
import { DEFAULT_GRACE_MS, pruneSnapshots, type PruneResult } from '../backup/prune';
import type { RetentionPolicy } from '../retention/policy';
import type { ValidationLevel } from '../validate';
import { resolveTable, writableTable } from '../table/table-ref';
import type { ApiContext, CallOptions } from './context';
import { formatCount } from '../util/units';
import { report, type Report } from './report';
import { checkLevel, failedValidation } from './validation-failure';

export type CheckpointCreateReport = Report<CreateSnapshotResult>;
export type CheckpointPruneReport = Report<PruneResult>;
export type CheckpointListReport = Report<{ table: string; source: string; checkpoints: SnapshotSummary[]; orphaned: OrphanEntry[] }>;
export type RecoverReport = Report<RecoverResult>;
export type DrillRunReport = Report<DrillReport>;

export interface CreateCheckpointOptions extends CallOptions {
  label?: string;
  /** Finish this interrupted checkpoint. */
  resume?: string;
  /** Checkpoint a table with no data files (meant to be empty); refused otherwise. */
  allowEmpty?: boolean;
}

export interface RecoverOptions extends CallOptions {
  /** The checkpoint to recover to; omit (or latest: true) for the newest complete one. */
  checkpoint?: string;
  latest?: boolean;
  /** Validation after the recovery (default quick). */
  level?: ValidationLevel;
  /** Let a checkpoint of another table (asked for by id) replace this one. */
  allowOtherSource?: boolean;
}

export interface DrillOptions extends CallOptions {
  disaster?: DisasterKind;
  /** The table the drill's history record is about (a plan drills a copy of the table: the table's name). */
  recordAs?: string;
  /** Validation of the recovered table (default full). */
  level?: ValidationLevel;
  /** Drill a table with no data files (meant to be empty); refused otherwise. */
  allowEmpty?: boolean;
}

/** `lakevault checkpoint …`: self-contained recovery points in the checkpoints location. */
export class CheckpointApi {
  constructor(private readonly context: ApiContext) {}

  async create(table: string, options: CreateCheckpointOptions = {}): Promise<CheckpointCreateReport> {
    const { config, store } = this.context;
    const resume = options.resume !== undefined ? checkSnapshotId(options.resume) : undefined;
    const ref = resolveTable(config, table);
    const progress = this.context.progress('checkpoint.create', options.onProgress);
    return this.context.history.track('checkpoint', ref.name, async () => report(await createCheckpoint(store, config, ref, {
      ...(resume ? { id: resume, resume: true } : {}),
      ...(options.label ? { label: options.label } : {}),
      ...(options.allowEmpty ? { allowEmpty: true } : {}),
      onProgress: (p) => progress(`checkpoint ${ref.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
    })));
  }

  /** Applies restic's retention rules to a table's checkpoints (as `backup prune` does to backups). */
  async prune(table: string, options: { policy: RetentionPolicy; dryRun?: boolean; graceHours?: number; allowEmpty?: boolean }): Promise<CheckpointPruneReport> {
    const { config, store } = this.context;
    const ref = resolveTable(config, table);
    const graceMs = options.graceHours === undefined ? DEFAULT_GRACE_MS : options.graceHours * 3_600_000;
    return report(await pruneSnapshots(store, checkpointRepository(config), ref, { policy: options.policy, dryRun: options.dryRun === true, graceMs, allowEmpty: options.allowEmpty === true }));
  }

  /** Checkpoints of a table (its location), oldest first, and orphaned checkpoint folders where they would be. */
  async list(table: string): Promise<CheckpointListReport> {
    const { config, store } = this.context;
    const ref = resolveTable(config, table);
    return report({ table: ref.name, source: ref.uri, ...(await listCheckpoints(store, config, ref)) });
  }
}

/**
 * Returns a table to a checkpoint, even when its prefix or bucket is gone; reports RTO and
 * RPO. A recovery that does not validate throws an IntegrityError with the `report`.
 */
export async function recover(context: ApiContext, table: string, options: RecoverOptions = {}): Promise<RecoverReport> {
  if (options.checkpoint && options.latest) throw new UsageError('give either a checkpoint id or latest, not both');
  if (options.allowOtherSource && !options.checkpoint) throw new UsageError('allowOtherSource needs a checkpoint id: the latest checkpoint is always one of this table');
  const checkpoint = options.checkpoint ? checkSnapshotId(options.checkpoint) : undefined;
  const level = checkLevel(options.level ?? 'quick');
  const { config, store } = context;
  // Checked before any request: a recovery into a repository, or over the whole warehouse, is refused.
  const ref = writableTable(config, table, 'recovery target');
  const progress = context.progress('recover', options.onProgress);
  const result = report(await recoverTable(store, config, ref, {
    ...(checkpoint ? { checkpoint } : {}), level, allowOtherSource: options.allowOtherSource === true,
    onProgress: (p) => progress(`recover ${ref.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
  }));
  if (!result.recovery_valid) throw failedValidation(new IntegrityError(`recovery of ${result.uri} did not validate against checkpoint ${result.checkpoint_id}`), result);
  return result;
}

/**
 * The disaster-recovery drill: checkpoint → disaster → recover → validate, on one table.
 * A drill that does not recover a valid table throws an IntegrityError with the `report`.
 */
export async function drill(context: ApiContext, table: string, options: DrillOptions = {}): Promise<DrillRunReport> {
  const disaster = parseDisaster(options.disaster);
  const level = checkLevel(options.level ?? 'full');
  const { config, store } = context;
  const ref = resolveTable(config, table);
  const progress = context.progress('drill', options.onProgress);
  const result = report(await runDrill(store, config, ref, { disaster, level, ...(options.allowEmpty ? { allowEmpty: true } : {}), onStep: (step) => progress(`drill ${ref.name}: ${step}`, { step }) }));
  if (!result.recovery_valid) throw failedValidation(new IntegrityError(`drill of ${result.table} (${result.disaster}) did not recover a valid table`), result);
  return result;
}
