import type { DisasterKind } from '../dr/disasters';
import type { RetentionPolicy } from '../retention/policy';
import type { Location } from '../store/location';
import type { CycleBudget } from '../verify/cycle';

/** A checked plan, in the units the runner uses (src/plan/load.ts makes it from the file). */
export interface Plan {
  name: string;
  retryAfterMs: number;
  staleAfterMs: number;
  repositories: PlanRepository[];
  tables: PlanTable[];
  audit?: { everyMs: number; failOn: 'critical' | 'high' | 'medium' | 'low'; repository: string };
}

export interface PlanRepository {
  name: string;
  /** s3:// URIs; absent: the configured location. */
  backups?: string;
  checkpoints?: string;
  warehouse?: string;
}

export interface PlanTable {
  /** As written: a warehouse name or an s3:// URI. */
  table: string;
  /** The table's name in reports, metrics and repositories (an s3:// URI's last segment). */
  name: string;
  location: Location;
  repository: string;
  backup?: { everyMs: number; tags: string[]; retention?: RetentionPolicy };
  checkpoint?: { everyMs: number; retention?: RetentionPolicy };
  drill?: { everyMs: number; disaster: DisasterKind; level: 'quick' | 'full'; scratch: string; rtoTargetMs?: number; rpoTargetMs?: number };
  verify?: { everyMs: number; budget: CycleBudget; level: 'quick' | 'full' };
}

/** One thing a plan does to one table (or, for audit, to the store). */
export type StepKind = 'backup' | 'checkpoint' | 'drill' | 'verify' | 'audit';

export function stepId(kind: StepKind, table?: string): string {
  return table === undefined ? kind : `${table}:${kind}`;
}
