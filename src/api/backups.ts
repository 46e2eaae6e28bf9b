import { graceHoursMs, pruneSnapshots, type PruneResult } from '../backup/prune';
import { IntegrityError, NotFoundError, UsageError } from '../errors';
import type { RetentionPolicy } from '../retention/policy';
import { snapshotTags } from '../retention/tags';
import { restoreSnapshot, type RestoreResult } from '../restore/restore';
import type { IcebergChoice } from '../lake/describe';
import { openTableSource, snapshotRestorer } from '../sources/registry';
import { listRepository, referenceByLabel, summarize, type OrphanEntry, type SnapshotSummary } from '../snapshot/catalog';
import { copySnapshot, type CopySnapshotResult } from '../snapshot/copy';
import { createSnapshot, type CreateSnapshotResult } from '../snapshot/create';
import { deleteSnapshot, type DeleteSnapshotResult } from '../snapshot/delete';
import { parseLockMode, type LockRequest } from '../snapshot/lock';
import type { SnapshotManifest } from '../snapshot/manifest';
import { backupRepository, checkSnapshotId, snapshotRepository, type SnapshotRepository } from '../snapshot/repository';
import { parseSnapshotReference, resolveSnapshot } from '../snapshot/resolve';
import type { ValidationLevel } from '../validate';
import { formatS3Uri, type Location } from '../store/location';
import { refuseOverlap } from '../store/overlap';
import { lazyModule } from '../util/lazy';
import { resolveTable, writableTable } from '../table/table-ref';
import type { BackupPlanReport, BackupPlanVerifyReport, PlanOptions, PlanVerifyOptions } from './batch-plan';
import type { ApiContext, CallOptions } from './context';
import { openRepository, type RepositoryOption } from './repositories';
import { formatBytes, formatCount } from '../util/units';
import { report, type Report } from './report';
import { versionPin } from './subjects';
import { checkLevel, failedValidation } from './validation-failure';

export interface CreateBackupOptions extends CallOptions {
  /** A label to remember the backup by. */
  label?: string;
  /** Tags to find and keep the backup by (prune's `tags` rule); `'a,b'` is two tags. */
  tags?: string[];
  /** Backup repository (s3:// URI); default: the configured backups location. */
  to?: string;
  /** The endpoint of `to` when it is not the primary one (a profile, or an endpoint and its settings): the backup streams there. */
  toEndpoint?: RepositoryOption['endpoint'];
  /** Finish this interrupted backup: copy only what is missing or differs. */
  resume?: string;
  /** Copy every file, even those an earlier backup already holds. */
  full?: boolean;
  /** Delta tables: back up this version (default: the newest). */
  deltaVersion?: number;
  /** Iceberg tables: the snapshot (by id or branch/tag, from a given metadata file) or every snapshot (`history`). */
  iceberg?: IcebergChoice;
  /** Object-lock retention for the backup's objects (the bucket needs object lock). */
  lock?: { days: number; mode?: LockRequest['mode'] };
  /** Back up a table with no data files (meant to be empty): the backup records it; refused otherwise. */
  allowEmpty?: boolean;
}

export interface RestoreBackupOptions extends CallOptions {
  /** Target table: a name in the warehouse or an s3:// URI. */
  to: string;
  /** The repository to restore from (default: the configured backups location, on its endpoint). */
  from?: RepositoryOption;
  /** Replace an existing table, or write into a non-empty prefix. */
  force?: boolean;
  /** Validation after the restore (default quick). */
  level?: ValidationLevel;
  /** Let a backup of another table replace this one, or write into its non-empty prefix. */
  allowOtherSource?: boolean;
}

export interface PruneOptions {
  /** restic's rules: counts (-1 unlimited), `within…` durations such as '1y2m3d4h', `tags` lists. */
  policy: RetentionPolicy;
  dryRun?: boolean;
  /** Incomplete backups younger than this are left alone (default 24 h). */
  graceHours?: number;
  /** Let the policy keep only empty backups while it removes backups holding data (refused otherwise). */
  allowEmpty?: boolean;
}

export interface CopyBackupOptions extends CallOptions {
  /** The repository the backup is copied into, and its endpoint when it is not the primary one. */
  to: RepositoryOption;
  /** The repository it is copied from (default: the configured backups location). */
  from?: RepositoryOption;
  /** Object-lock retention for the copy (its bucket needs object lock). */
  lock?: { days: number; mode?: LockRequest['mode'] };
  /** The copy's check from the destination before its manifest is written (default quick). */
  level?: ValidationLevel;
}

export type BackupCreateReport = Report<CreateSnapshotResult>;
export type BackupCopyReport = Report<CopySnapshotResult>;
export type BackupListReport = Report<{ repository: string; backups: SnapshotSummary[]; orphaned: OrphanEntry[] }>;
export type BackupShowReport = Report<SnapshotManifest>;
export type BackupDeleteReport = Report<DeleteSnapshotResult>;
export type BackupPruneReport = Report<PruneResult>;
export type BackupRestoreReport = Report<RestoreResult>;

/** `lakevault backup …`: server-side backups of tables. */
export class BackupApi {
  constructor(private readonly context: ApiContext) {}

  /**
   * A backup repository named on the command line (`--to`, a backup's s3:// URI) stands in
   * for the configured one: the same separation from the warehouse and the checkpoints
   * applies — else a delete by URI removes a checkpoint, or objects inside a table.
   */
  private refuseOtherPlaces(name: string, root: Location): void {
    const { config } = this.context;
    refuseOverlap([
      { name, location: root },
      { name: 'the warehouse', location: config.warehouse },
      { name: 'the checkpoints location', location: config.checkpoints },
    ]);
  }

  /** Copies exactly the files the table manifest lists into the backup repository. */
  async create(table: string, options: CreateBackupOptions = {}): Promise<BackupCreateReport> {
    const { config, store } = this.context;
    const lock = options.lock ? { days: options.lock.days, mode: parseLockMode(options.lock.mode) } : undefined;
    const resume = options.resume !== undefined ? checkSnapshotId(options.resume) : undefined;
    const tags = options.tags !== undefined ? snapshotTags(options.tags) : [];
    const ref = resolveTable(config, table);
    const pin = versionPin(options);
    const opened = await openRepository(this.context, 'backup', options.to || options.toEndpoint ? { ...(options.to ? { uri: options.to } : {}), ...(options.toEndpoint ? { endpoint: options.toEndpoint } : {}) } : undefined, '--to');
    const repo = { ...opened.repo, ...(options.full ? { incremental: false } : {}) };
    // --to stands in for the configured backups location: the same separation applies (on one endpoint).
    if (options.to && opened.open === this.context.open) this.refuseOtherPlaces('--to', repo.root);
    const progress = this.context.progress('backup.create', options.onProgress);
    return this.context.history.track('backup', ref.name, async () => {
      // Opened first: a version the table does not have (an Iceberg snapshot, a ref) is refused before anything is written.
      const source = await openTableSource(store, ref, pin);
      return report(await createSnapshot(store, repo, ref, async () => source, {
        ...(resume ? { id: resume, resume: true } : {}),
        ...(options.label ? { label: options.label } : {}),
        ...(tags.length ? { tags } : {}),
        ...(lock ? { lock } : {}),
        ...(opened.open !== this.context.open ? { repositoryStore: opened.open.store } : {}),
        ...(options.allowEmpty ? { allowEmpty: true } : {}),
        concurrency: config.concurrency,
        onProgress: (p) => progress(`backup ${ref.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects, ${formatBytes(p.bytes)}`, { ...p }),
      }));
    });
  }

  /**
   * Backups (complete and incomplete) of one table — of its location, never of a namesake —
   * or of all, oldest first; and orphaned backup folders (a delete was interrupted).
   */
  async list(table?: string, options: { from?: RepositoryOption } = {}): Promise<BackupListReport> {
    const { config } = this.context;
    const { repo, open: { store } } = await openRepository(this.context, 'backup', options.from, '--from');
    const { entries, orphans } = await listRepository(store, repo, table ? resolveTable(config, table).location : undefined);
    return report({ repository: formatS3Uri(repo.root), backups: entries.map((entry) => summarize(repo, entry)), orphaned: orphans });
  }

  /** A complete backup's manifest: source, files, totals, lock. */
  async show(id: string, options: { from?: RepositoryOption } = {}): Promise<BackupShowReport> {
    const { config } = this.context;
    const { repo, open: { store } } = await openRepository(this.context, 'backup', options.from, '--from');
    const found = await resolveSnapshot(store, { ...config, backups: repo.root }, id, ['backup']);
    if (!found) throw new NotFoundError(`backup "${id}" not found`);
    return report(found.manifest);
  }

  /**
   * Deletes a backup (`<id>`, `<table>/<id>` or the s3:// URI of its folder) — or what an
   * interrupted delete left of one; files other backups reference are kept, locked backups
   * are refused.
   */
  async delete(id: string, options: { bypassGovernance?: boolean } = {}): Promise<BackupDeleteReport> {
    const { config } = this.context;
    const parsed = parseSnapshotReference(config, id);
    const notFound = `backup "${id}" not found: name it by its id, <table>/<id>, the s3:// URI of its folder, or its label`;
    if (!parsed) throw new NotFoundError(notFound);
    if (parsed.root) this.refuseOtherPlaces(`the repository of ${id}`, parsed.root);
    const repo: SnapshotRepository = parsed.root ? snapshotRepository('backup', parsed.root, true, config.manifestKey) : backupRepository(config);
    // A folder's URI is on the primary endpoint; the configured location on its own.
    const { store } = parsed.root ? this.context.open : await this.context.endpoints.forLocation('backups');
    const reference = parsed.label !== undefined ? await referenceByLabel(store, repo, parsed.label) : parsed.reference;
    if (!reference) throw new NotFoundError(notFound);
    return report(await deleteSnapshot(store, repo, reference, { bypassGovernance: options.bypassGovernance === true }));
  }

  /** Applies restic's retention rules (`forget`); with dryRun only the decisions are returned. */
  async prune(table: string, options: PruneOptions): Promise<BackupPruneReport> {
    const { config } = this.context;
    const graceMs = graceHoursMs(options.graceHours);
    const ref = resolveTable(config, table);
    const { store } = await this.context.endpoints.forLocation('backups');
    return report(await pruneSnapshots(store, backupRepository(config), ref, { policy: options.policy, dryRun: options.dryRun === true, graceMs, allowEmpty: options.allowEmpty === true }));
  }

  /** The CSV manifest an S3 Batch Operations copy job consumes for one table or backup (docs/SCALE.md). */
  plan(reference: string, options: PlanOptions): Promise<BackupPlanReport> {
    return batchPlans().plan(this.context, reference, options);
  }

  /** A batch copy of a table or backup checked against its manifest: the destination's listing and the job's completion reports. */
  planVerify(reference: string, options: PlanVerifyOptions): Promise<BackupPlanVerifyReport> {
    return batchPlans().planVerify(this.context, reference, options);
  }

  /**
   * Copies a complete backup into another repository — another endpoint's (streamed through
   * this process, verified) or this one's (server-side) — keeping its id, source and digests;
   * a rerun resumes an interrupted copy. A copy that does not validate from the destination
   * is left incomplete and throws an IntegrityError.
   */
  async copy(id: string, options: CopyBackupOptions): Promise<BackupCopyReport> {
    const { config } = this.context;
    if (!options?.to?.uri) throw new UsageError('a copy needs the repository to copy into: { to: { uri: "s3://bucket/prefix" } }');
    if (!parseSnapshotReference(config, id)) throw new UsageError(`"${id}" names no backup: give its id, <table>/<id>, the s3:// URI of its folder, or its label`);
    const lock = options.lock ? { days: options.lock.days, mode: parseLockMode(options.lock.mode) } : undefined;
    const level = checkLevel(options.level ?? 'quick');
    const from = await openRepository(this.context, 'backup', options.from, '--from');
    const to = await openRepository(this.context, 'backup', options.to, '--to');
    const found = await resolveSnapshot(from.open.store, { ...config, backups: from.repo.root }, id, ['backup']);
    if (!found) throw new NotFoundError(`backup "${id}" not found in ${formatS3Uri(from.repo.root)}`);
    const progress = this.context.progress('backup.copy', options.onProgress);
    return report(await copySnapshot({ source: from.open.store, destination: to.open.store }, found.repo, found.manifest, to.repo, {
      concurrency: config.concurrency,
      level,
      ...(lock ? { lock } : {}),
      onProgress: (p) => progress(`copy ${found.manifest.id}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects, ${formatBytes(p.bytes)}`, { ...p }),
    }));
  }

  /**
   * Restores a backup into a table and validates it against the backup. A restore that
   * does not validate throws an IntegrityError whose `report` holds the full result.
   */
  async restore(id: string, options: RestoreBackupOptions): Promise<BackupRestoreReport> {
    const { config, store } = this.context;
    if (!options || typeof options.to !== 'string') throw new UsageError('restore needs a target table: { to: "<table or s3:// URI>" }');
    const level = checkLevel(options.level ?? 'quick');
    // Checked before any request: a restore into a repository, or over the whole warehouse, is refused.
    const target = writableTable(config, options.to, 'restore target');
    const from = await openRepository(this.context, 'backup', options.from, '--from');
    const found = await resolveSnapshot(from.open.store, { ...config, backups: from.repo.root }, id, ['backup']);
    if (!found) throw new NotFoundError(`backup "${id}" not found in ${formatS3Uri(from.repo.root)}`);
    const progress = this.context.progress('backup.restore', options.onProgress);
    const result = report(await restoreSnapshot(store, found.repo, found.manifest, target, snapshotRestorer, {
      force: options.force === true, allowOtherSource: options.allowOtherSource === true, concurrency: config.concurrency, level,
      ...(from.open !== this.context.open ? { repositoryStore: from.open.store } : {}),
      onProgress: (p) => progress(`restore ${found.manifest.id}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`, { ...p }),
    }));
    if (!result.ok) throw failedValidation(new IntegrityError(`restore of ${result.snapshot.id} to ${result.uri} did not validate against the backup`), result);
    return result;
  }
}

// Loaded on first use, like the client's capabilities (src/util/lazy.ts).
const batchPlans = lazyModule((): typeof import('./batch-plan') => require('./batch-plan'));
