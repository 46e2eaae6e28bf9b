import { UsageError } from '../errors';
import type { ObjectStore } from '../store/types';
import { applyRetention, isEmptyPolicy, type RetentionPolicy } from '../retention/policy';
import { listTableSnapshots } from '../snapshot/catalog';
import { deleteSnapshot } from '../snapshot/delete';
import type { SnapshotRepository } from '../snapshot/repository';

export interface PruneOptions {
  policy: RetentionPolicy;
  dryRun: boolean;
  /** Incomplete snapshots younger than this may still be running: left alone. */
  graceMs: number;
  now?: Date;
}

export interface PruneDecision {
  id: string;
  createdAt: string;
  state: 'complete' | 'incomplete';
  action: 'keep' | 'remove';
  /** Why: the retention rules that kept it ('last', 'daily', …), 'locked until …', or why it goes. */
  reasons: string[];
  deletedObjects?: number;
}

export interface PruneResult {
  table: string;
  dryRun: boolean;
  policy: RetentionPolicy;
  kept: number;
  removed: number;
  decisions: PruneDecision[];
}

export { DEFAULT_GRACE_MS } from '../retention/policy';

/**
 * Applies a restic-style retention policy to a table's complete snapshots and removes
 * incomplete ones older than the grace period. Locked snapshots are kept while their
 * retention lasts. Decisions are listed newest first; with dryRun nothing is deleted.
 */
export async function pruneSnapshots(store: ObjectStore, repo: SnapshotRepository, table: string, options: PruneOptions): Promise<PruneResult> {
  if (isEmptyPolicy(options.policy)) {
    throw new UsageError('no retention rule given (--keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly or --keep-yearly): refusing to remove every backup');
  }
  const now = options.now ?? new Date();
  const entries = await listTableSnapshots(store, repo, table);
  const complete = entries.flatMap((e) => (e.manifest ? [{ id: e.id, time: new Date(e.manifest.createdAt), manifest: e.manifest }] : []));
  const decisions: PruneDecision[] = applyRetention(complete, options.policy).map(({ item, keep, reasons }) => {
    const lockedUntil = item.manifest.lock ? new Date(item.manifest.lock.retainUntil) : undefined;
    const locked = !keep && lockedUntil !== undefined && lockedUntil.getTime() > now.getTime();
    return {
      id: item.id,
      createdAt: item.manifest.createdAt,
      state: 'complete' as const,
      action: keep || locked ? 'keep' as const : 'remove' as const,
      reasons: locked ? [`locked until ${lockedUntil!.toISOString()}`] : keep ? reasons : ['no rule keeps it'],
    };
  });
  for (const entry of entries) {
    if (!entry.pending || entry.manifest) continue;
    const ageMs = now.getTime() - Date.parse(entry.pending.createdAt);
    const stale = ageMs > options.graceMs;
    decisions.push({
      id: entry.id,
      createdAt: entry.pending.createdAt,
      state: 'incomplete',
      action: stale ? 'remove' : 'keep',
      reasons: [stale ? `incomplete for ${Math.round(ageMs / 60_000)} min, longer than the grace period` : 'incomplete but within the grace period (may still be running)'],
    });
  }
  if (!options.dryRun) {
    for (const decision of decisions) {
      if (decision.action !== 'remove') continue;
      const result = await deleteSnapshot(store, repo, `${table}/${decision.id}`, { now });
      decision.deletedObjects = result.deletedObjects;
    }
  }
  return {
    table,
    dryRun: options.dryRun,
    policy: options.policy,
    kept: decisions.filter((d) => d.action === 'keep').length,
    removed: decisions.filter((d) => d.action === 'remove').length,
    decisions,
  };
}
