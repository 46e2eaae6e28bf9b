import { formatS3Uri, type Location } from '../../store/location';
import type { ServerKind } from '../../store/server-kind';
import { outcome, pass } from '../catalog';
import type { AuditContext } from '../context';
import type { CheckResult } from '../types';

/**
 * LV-DP-006: a backup protects against losing its source only if it does not go down with
 * it. A repository in the same bucket as the tables dies with one bucket deletion, one
 * lifecycle rule or one policy mistake; one on the same endpoint dies with the server, its
 * cluster or its root credentials. No anchor checks this; the 3-2-1 rule asks for it.
 *
 * The check takes the repositories as data, so that repositories on other endpoints
 * (off-site copies) can be handed in by whoever knows them, with what they hold.
 */
export interface RepositoryView {
  kind: 'backup' | 'checkpoint';
  location: Location;
  /** The endpoint it lives on: an http(s) URL, or "aws". */
  endpoint: string;
  /** The newest complete snapshot of each table it holds, when known (off-site repositories). */
  newestComplete?: Record<string, Date>;
}

export interface FailureDomainInput {
  source: { endpoint: string; location: Location; serverKind: ServerKind };
  repositories: RepositoryView[];
  /** The tables the source holds. */
  tables: string[];
  now: Date;
}

/** An off-site copy counts when its newest complete backup of every table is at most this old. */
const RECENT_DAYS = 7;
const DAY_MS = 86_400_000;

/** Endpoints are the same when they reach the same server: host and port, loopback names alike. */
export function endpointIdentity(endpoint: string): string {
  if (endpoint === 'aws') return 'aws';
  try {
    const url = new URL(endpoint);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
    return `${loopback ? 'loopback' : host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return endpoint;
  }
}

/** Why an off-site repository does, or does not, hold a complete recent backup of every table. */
function offsiteCoverage(repo: RepositoryView, tables: string[], now: Date): { covers: boolean; detail: string } {
  if (repo.kind !== 'backup') return { covers: false, detail: 'checkpoints only' };
  if (!repo.newestComplete) return { covers: false, detail: 'what it holds is unknown' };
  const missing = tables.filter((t) => {
    const at = repo.newestComplete![t];
    return !at || now.getTime() - at.getTime() > RECENT_DAYS * DAY_MS;
  });
  if (!tables.length) return { covers: false, detail: 'no tables to compare with' };
  return missing.length
    ? { covers: false, detail: `no complete backup from the last ${RECENT_DAYS} days of ${missing.join(', ')}` }
    : { covers: true, detail: `a complete backup of every table (${tables.length}) from the last ${RECENT_DAYS} days` };
}

export function checkFailureDomains(input: FailureDomainInput): CheckResult[] {
  const source = endpointIdentity(input.source.endpoint);
  const offsite = input.repositories.filter((r) => endpointIdentity(r.endpoint) !== source);
  const cover = offsite.map((r) => ({ repo: r, ...offsiteCoverage(r, input.tables, input.now) })).find((c) => c.covers);
  const fix = 'Keep at least one copy in another failure domain: a backup repository on another endpoint (another cluster, site or provider), with object lock there; lakevault backup create TABLE --to s3://OTHER-BUCKET/... on a second endpoint, or replicate the backup bucket to one.';
  return input.repositories.map((repo) => {
    const resource = `${formatS3Uri(repo.location)} (${repo.kind}s)`;
    if (endpointIdentity(repo.endpoint) !== source) {
      const coverage = offsiteCoverage(repo, input.tables, input.now);
      return pass('LV-DP-006', resource, `on another endpoint (${repo.endpoint}) than the tables (${input.source.endpoint}); ${coverage.detail}`);
    }
    const sameBucket = repo.location.bucket === input.source.location.bucket;
    const where = sameBucket
      ? `in the same bucket as the tables it protects (${formatS3Uri(input.source.location)}): one bucket deletion, lifecycle rule or policy change loses both`
      : `on the same endpoint as the tables it protects (${input.source.endpoint}): losing that server, its cluster or its credentials loses both`;
    const rgw = input.source.serverKind === 'ceph-rgw'
      ? '; on Ceph RGW a server-side copy (CopyObject) shares the source\'s data by reference count inside the cluster instead of writing a second copy, so damage to the cluster\'s data pool reaches the backup too'
      : '';
    if (cover) return pass('LV-DP-006', resource, `${where}${rgw} — but ${formatS3Uri(cover.repo.location)} on ${cover.repo.endpoint} holds ${cover.detail}`);
    const elsewhere = offsite.length ? `; off-site: ${offsite.map((r) => `${formatS3Uri(r.location)} on ${r.endpoint} (${offsiteCoverage(r, input.tables, input.now).detail})`).join('; ')}` : '; no repository on another endpoint';
    return outcome('LV-DP-006', 'fail', { resource, severity: sameBucket ? 'high' : 'medium', evidence: `${repo.kind} repository ${where}${rgw}${elsewhere}`, recommendation: fix });
  });
}

/**
 * The configured repositories (on the audited endpoint) and any others the caller knows of;
 * a configured one the caller hands in (it lives on an endpoint of its own) is judged where
 * the caller says it is.
 */
export function failureDomainInput(context: AuditContext, tables: string[], others: RepositoryView[]): FailureDomainInput {
  const endpoint = context.config.endpoint ?? context.endpoint;
  const configured: RepositoryView[] = [
    { kind: 'backup', location: context.config.backups, endpoint },
    { kind: 'checkpoint', location: context.config.checkpoints, endpoint },
  ];
  const known = (repo: RepositoryView) => others.some((other) => other.kind === repo.kind && other.location.bucket === repo.location.bucket && other.location.prefix === repo.location.prefix);
  return {
    source: { endpoint, location: context.config.warehouse, serverKind: context.serverKind },
    repositories: [...configured.filter((repo) => !known(repo)), ...others],
    tables,
    now: context.now,
  };
}
