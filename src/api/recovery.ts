import { createCheckpoint, listCheckpoints } from '../dr/checkpoint';
import { runDrill, type DrillReport } from '../dr/drill';
import { parseDisaster, type DisasterKind } from '../dr/disasters';
import { recoverTable, type RecoverResult } from '../dr/recover';
import { IntegrityError, NotFoundError, UsageError } from '../errors';
import type { OrphanEntry, SnapshotSummary } from '../snapshot/catalog';
import type { CreateSnapshotResult } from '../snapshot/create';
import { referenceByLabel } from '../snapshot/catalog';
import { deleteSnapshot, type DeleteSnapshotResult } from '../snapshot/delete';
import { checkpointRepository, checkSnapshotId, snapshotRepository } from '../snapshot/repository';
import { parseSnapshotReference } from '../snapshot/resolve';
import { formatS3Uri } from '../store/location';
import { graceHoursMs, pruneSnapshots, type PruneResult } from '../backup/prune';
import type { RetentionPolicy } from '../retention/policy';
import type { ValidationLevel } from '../validate';
import { refuseOverlap } from '../store/overlap';
import { resolveTable, writableTable } from '../table/table-ref';
import type { ApiContext, CallOptions } from './context';
import { formatCount } from '../util/units';
import { report, type Report } from './report';
import { checkLevel, failedValidation } from './validation-failure';

export type CheckpointCreateReport = Report<CreateSnapshotResult>;
export type CheckpointPruneReport = Report<PruneResult>;
export type CheckpointListReport = Report<{ repository: string; table?: string; source?: string; checkpoints: SnapshotSummary[]; orphaned: OrphanEntry[] }>;
export type CheckpointDeleteReport = Report<DeleteSnapshotResult>;
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
    const checkpoints = await this.context.endpoints.forLocation('checkpoints');
    return this.context.history.track('checkpoint', ref.name, async () => report(await createCheckpoint(store, config, ref, {
      ...(checkpoints !== this.context.open ? { repositoryStore: checkpoints.store } : {}),
      ...(resume ? { id: resume, resume: true } : {}),
      ...(options.label ? { label: options.label } : {}),
      ...(options.allowEmpty ? { allowEmpty: true } : {}),
      onProgress: (p) => progress(`checkpoint ${ref.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
    })));
  }

  /** Applies restic's retention rules to a table's checkpoints (as `backup prune` does to backups). */
  async prune(table: string, options: { policy: RetentionPolicy; dryRun?: boolean; graceHours?: number; allowEmpty?: boolean }): Promise<CheckpointPruneReport> {
    const { config } = this.context;
    const { store } = await this.context.endpoints.forLocation('checkpoints');
    const ref = resolveTable(config, table);
    const graceMs = graceHoursMs(options.graceHours);
    return report(await pruneSnapshots(store, checkpointRepository(config), ref, { policy: options.policy, dryRun: options.dryRun === true, graceMs, allowEmpty: options.allowEmpty === true }));
  }

  /**
   * Checkpoints of one table (its location) or of all, oldest first, and orphaned
   * checkpoint folders (an interrupted delete).
   */
  async list(table?: string): Promise<CheckpointListReport> {
    const { config } = this.context;
    const { store } = await this.context.endpoints.forLocation('checkpoints');
    const repository = formatS3Uri(checkpointRepository(config).root);
    if (table === undefined) return report({ repository, ...(await listCheckpoints(store, config)) });
    const ref = resolveTable(config, table);
    return report({ repository, table: ref.name, source: ref.uri, ...(await listCheckpoints(store, config, ref)) });
  }

  /**
   * Deletes a checkpoint (`<id>`, `<table>/<id>`, the s3:// URI of its folder, or its label) —
   * or what an interrupted delete left of one — under the repository's exclusive lock, as
   * `backup delete` does.
   */
  async delete(id: string): Promise<CheckpointDeleteReport> {
    const { config } = this.context;
    const parsed = parseSnapshotReference(config, id);
    const notFound = `checkpoint "${id}" not found: name it by its id, <table>/<id>, the s3:// URI of its folder, or its label`;
    if (!parsed) throw new NotFoundError(notFound);
    // A folder named by URI must not be a backup's or lie in the warehouse (backup delete checks the same).
    if (parsed.root) {
      refuseOverlap([
        { name: `the repository of ${id}`, location: parsed.root },
        { name: 'the warehouse', location: config.warehouse },
        { name: 'the backups location', location: config.backups },
      ]);
    }
    const repo = parsed.root ? snapshotRepository('checkpoint', parsed.root, false, config.manifestKey) : checkpointRepository(config);
    // A folder's URI is on the primary endpoint; the configured location on its own.
    const { store } = parsed.root ? this.context.open : await this.context.endpoints.forLocation('checkpoints');
    const reference = parsed.label !== undefined ? await referenceByLabel(store, repo, parsed.label) : parsed.reference;
    if (!reference) throw new NotFoundError(notFound);
    return report(await deleteSnapshot(store, repo, reference));
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
  const checkpoints = await context.endpoints.forLocation('checkpoints');
  if (checkpoints === context.open) refuseOverlap([{ name: `table ${ref.name}`, location: ref.location }, { name: 'the checkpoints location', location: config.checkpoints }]);
  const progress = context.progress('recover', options.onProgress);
  const result = report(await recoverTable(store, config, ref, {
    ...(checkpoints !== context.open ? { repositoryStore: checkpoints.store } : {}),
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
  const checkpoints = await context.endpoints.forLocation('checkpoints');
  const result = report(await runDrill(store, config, ref, {
    disaster, level,
    ...(options.allowEmpty ? { allowEmpty: true } : {}),
    ...(checkpoints !== context.open ? { checkpointStore: checkpoints.store } : {}),
    onStep: (step) => progress(`drill ${ref.name}: ${step}`, { step }),
    onProgress: (p) => progress(`drill ${ref.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
  }));
  if (!result.recovery_valid) throw failedValidation(new IntegrityError(`drill of ${result.table} (${result.disaster}) did not recover a valid table`), result);
  return result;
}
