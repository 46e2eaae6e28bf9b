import { ConflictError, UsageError } from '../errors';
import type { ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { applyRetention, checkRetentionPolicy, type RetentionPolicy } from '../retention/policy';
import { listSnapshots } from '../snapshot/catalog';
import { deleteFound } from '../snapshot/delete';
import { seriesName } from '../snapshot/identity';
import { holdsNoData, type SnapshotManifest } from '../snapshot/manifest';
import { withLock, type HeldLock } from '../snapshot/locks';
import { idTime, type SnapshotRepository } from '../snapshot/repository';
import { refuseDuringUpgrade } from '../snapshot/repository-format';

/** Incomplete snapshots younger than this are left alone by prune: a backup may still be writing them. */
export const DEFAULT_GRACE_MS = 24 * 3_600_000;

/** A grace period given in hours (undefined: the default), in ms. */
export function graceHoursMs(hours: number | undefined): number {
  if (hours === undefined) return DEFAULT_GRACE_MS;
  if (!Number.isFinite(hours) || hours < 0) throw new UsageError(`graceHours must be a number of hours ≥ 0, got ${hours}`);
  return hours * 3_600_000;
}

export interface PruneOptions {
  policy: RetentionPolicy;
  dryRun: boolean;
  /** Incomplete snapshots younger than this may still be running: left alone. */
  graceMs: number;
  /** Let the policy keep only empty snapshots while it removes snapshots holding data. */
  allowEmpty?: boolean;
  now?: Date;
}

export interface PruneDecision {
  id: string;
  createdAt: string;
  tags?: string[];
  state: 'complete' | 'incomplete';
  action: 'keep' | 'remove';
  /** Why: restic's words for the rules that kept it ('daily snapshot', 'within 7d', …), 'locked until …', or why it goes. */
  reasons: string[];
  deletedObjects?: number;
}

export interface PruneResult {
  table: string;
  /** The table's location: prune decides over the snapshots of this location only. */
  source: string;
  dryRun: boolean;
  /** The policy applied, in canonical form (durations as restic prints them). */
  policy: RetentionPolicy;
  kept: number;
  removed: number;
  decisions: PruneDecision[];
}

/**
 * Applies a retention policy (restic's `forget` rules, src/retention/policy.ts) to the
 * complete snapshots of one table — of its location, never of its name — and removes
 * incomplete ones older than the grace period. Locked snapshots are kept while their
 * retention lasts. Like restic, a policy that keeps none of the table's snapshots is
 * refused. Decisions are listed newest first; with dryRun nothing is deleted (and no lock
 * taken); otherwise the series' exclusive lock is held from the listing to the last
 * removal. Backups and checkpoints alike: the repository says which.
 */
export async function pruneSnapshots(store: ObjectStore, repo: SnapshotRepository, table: TableRef, options: PruneOptions): Promise<PruneResult> {
  const policy = checkRetentionPolicy(options.policy);
  if (options.dryRun || !(await store.bucketExists(repo.root.bucket))) return decideAndPrune(store, repo, table, policy, options);
  await refuseDuringUpgrade(store, repo);
  return withLock(store, repo, { mode: 'exclusive', scope: seriesName(table.location), operation: `${repo.kind} prune ${table.uri}` },
    (held) => decideAndPrune(store, repo, table, policy, options, held));
}

async function decideAndPrune(store: ObjectStore, repo: SnapshotRepository, table: TableRef, policy: RetentionPolicy, options: PruneOptions, held?: HeldLock): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const entries = await listSnapshots(store, repo, table.location);
  const complete = entries.flatMap((e) => (e.manifest ? [{ id: e.id, time: createdTime(e.id, e.manifest.createdAt), tags: e.manifest.tags, manifest: e.manifest }] : []));
  const retention = applyRetention(complete, policy, { now });
  if (complete.length > 0 && !retention.some((decision) => decision.keep)) {
    throw new ConflictError(`refusing to remove every ${repo.kind} of table ${table.name}: the policy keeps none of its ${complete.length} complete ${repo.kind}${complete.length === 1 ? '' : 's'} (nothing was deleted)`);
  }
  const decisions: PruneDecision[] = retention.map(({ item, keep, reasons }) => {
    const lockedUntil = item.manifest.lock ? new Date(item.manifest.lock.retainUntil) : undefined;
    const locked = !keep && lockedUntil !== undefined && lockedUntil.getTime() > now.getTime();
    return {
      id: item.id,
      createdAt: item.manifest.createdAt,
      ...(item.tags?.length ? { tags: item.tags } : {}),
      state: 'complete' as const,
      action: keep || locked ? 'keep' as const : 'remove' as const,
      reasons: locked ? [`locked until ${lockedUntil!.toISOString()}`] : keep ? reasons : ['no rule keeps it'],
    };
  });
  if (!options.allowEmpty) refuseKeepingOnlyEmpty(repo, table, decisions, new Map(complete.map((c) => [c.id, c.manifest])));
  for (const entry of entries) {
    if (!entry.pending || entry.manifest) continue;
    const ageMs = now.getTime() - Date.parse(entry.pending.createdAt);
    const stale = ageMs > options.graceMs;
    decisions.push({
      id: entry.id,
      createdAt: entry.pending.createdAt,
      ...(entry.pending.tags?.length ? { tags: entry.pending.tags } : {}),
      state: 'incomplete',
      action: stale ? 'remove' : 'keep',
      reasons: [stale ? `incomplete for ${Math.round(ageMs / 60_000)} min, longer than the grace period` : 'incomplete but within the grace period (may still be running)'],
    });
  }
  if (held) {
    for (const decision of decisions) {
      if (decision.action !== 'remove') continue;
      const entry = entries.find((e) => e.id === decision.id)!;
      const result = await deleteFound(store, repo, { entry }, held, { now });
      decision.deletedObjects = result.deletedObjects;
    }
  }
  return {
    table: table.name,
    source: table.uri,
    dryRun: options.dryRun,
    policy,
    kept: decisions.filter((d) => d.action === 'keep').length,
    removed: decisions.filter((d) => d.action === 'remove').length,
    decisions,
  };
}

/**
 * An empty snapshot (no data files) restores an empty table: a policy that keeps only such
 * snapshots while it removes ones holding data would leave nothing to bring the data back.
 */
function refuseKeepingOnlyEmpty(repo: SnapshotRepository, table: TableRef, decisions: PruneDecision[], manifests: Map<string, SnapshotManifest>): void {
  const empty = (decision: PruneDecision): boolean => holdsNoData(manifests.get(decision.id)!.files);
  const kept = decisions.filter((decision) => decision.action === 'keep');
  const removedWithData = decisions.filter((decision) => decision.action === 'remove' && !empty(decision));
  if (kept.every(empty) && removedWithData.length > 0) {
    throw new ConflictError(`refusing to prune ${repo.kind}s of table ${table.name}: the policy keeps only empty ${repo.kind}s (no data files: ${kept.map((d) => d.id).join(', ')}) and would remove ${removedWithData.length} holding data (nothing was deleted); pass --allow-empty if that is meant`);
  }
}

/** When a snapshot was taken: its manifest's createdAt, or (unreadable) the instant its id carries. */
function createdTime(id: string, createdAt: string): Date {
  const time = new Date(createdAt);
  return Number.isNaN(time.getTime()) ? idTime(id) : time;
}
