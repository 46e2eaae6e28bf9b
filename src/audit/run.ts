import type { Config } from '../config/config';
import { AccessError, NotFoundError } from '../errors';
import { EMBEDDED_CREDENTIALS } from '../store/embedded/embedded-server';
import { defaultEncryptionSupported, readBucketSettings } from '../store/bucket-settings';
import { identifyServer } from '../store/server-kind';
import type { S3Store } from '../store/s3-store';
import { TOOL_VERSION } from '../version';
import { outcome, pass } from './catalog';
import { probeAnonymously } from './anonymous-probe';
import { checkBucket } from './checks/buckets';
import { checkFailureDomains, failureDomainInput, type RepositoryView } from './checks/failure-domain';
import type { AnonymousProbe } from './checks/policy';
import { checkCredentials } from './checks/credentials';
import { checkObjectsAndBackups, warehouseTables } from './checks/objects';
import { checkTransport } from './checks/transport';
import { type AuditContext, type AuditedBucket, type BucketRole, type ResolvedCredentials } from './context';
import { themesOf, type ThemeAdvice } from './themes';
import { isFinding, SEVERITIES, severityRank, type CheckResult, type Severity } from './types';

export interface AuditTarget {
  store: S3Store;
  endpoint: string;
  embedded: boolean;
}

export interface AuditOptions {
  /** Buckets to audit instead of the configured warehouse/backups/checkpoints buckets. */
  buckets?: string[];
  failOn?: Severity;
  sampleSize?: number;
  customerKey?: Buffer;
  cwd?: string;
  env?: Record<string, string | undefined>;
  now?: Date;
  progress?: (line: string) => void;
  /**
   * Repositories elsewhere (another endpoint) that also hold backups of these tables, with
   * what they hold: an off-site copy that is complete and recent clears LV-DP-006.
   */
  repositories?: RepositoryView[];
}

export interface AuditReport {
  tool: string;
  version: string;
  endpoint: string;
  embedded: boolean;
  generatedAt: string;
  failOn: Severity;
  buckets: { bucket: string; roles: BucketRole[]; exists?: boolean; error?: string }[];
  summary: { checks: number; passed: number; findings: Record<Severity, number>; notVerifiable: number; notApplicable: number };
  /** Failed, unsupported and unreadable checks, worst first. */
  findings: CheckResult[];
  passed: CheckResult[];
  /** not-verifiable, not-applicable and info-level results: coverage without a verdict. */
  other: CheckResult[];
  /** The seed's recommendation themes, each present only through findings. */
  themes: ThemeAdvice[];
  /** 1 when a finding is at or above failOn. */
  exitCode: 0 | 1;
}

function auditedBuckets(config: Config, named?: string[]): AuditedBucket[] {
  const roles = new Map<string, BucketRole[]>();
  const add = (bucket: string, role: BucketRole) => roles.set(bucket, [...(roles.get(bucket) ?? []), role]);
  const configured: [string, BucketRole][] = [[config.warehouse.bucket, 'warehouse'], [config.backups.bucket, 'backups'], [config.checkpoints.bucket, 'checkpoints']];
  if (named?.length) {
    for (const bucket of named) {
      const known = configured.filter(([b]) => b === bucket).map(([, role]) => role);
      for (const role of known.length ? known : ['named' as const]) add(bucket, role);
    }
  } else {
    for (const [bucket, role] of configured) add(bucket, role);
  }
  return [...roles].map(([bucket, r]) => ({ bucket, roles: r }));
}

async function resolveCredentials(target: AuditTarget, config: Config): Promise<ResolvedCredentials | undefined> {
  if (target.embedded) return { ...EMBEDDED_CREDENTIALS, source: 'embedded server' };
  if (config.credentials) return { ...config.credentials, source: 'configuration' };
  try {
    const c = await target.store.client.config.credentials();
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}), ...(c.expiration ? { expiration: c.expiration } : {}), source: 'credential chain' };
  } catch {
    return undefined;
  }
}

/** Reads the store's security state and judges it. Never throws for what a server lacks. */
export async function runAudit(target: AuditTarget, config: Config, options: AuditOptions = {}): Promise<{ report: AuditReport; secrets: string[] }> {
  const progress = options.progress ?? (() => undefined);
  const credentials = await resolveCredentials(target, config);
  const named = new Set(options.buckets ?? []);
  const context: AuditContext = {
    config, endpoint: target.endpoint, embedded: target.embedded, serverKind: 'unknown', client: target.store.client, store: target.store,
    buckets: auditedBuckets(config, options.buckets),
    ...(credentials ? { credentials } : {}),
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    now: options.now ?? new Date(),
    sampleSize: options.sampleSize ?? 5,
    ...(options.customerKey ? { customerKey: options.customerKey } : {}),
    progress,
  };
  const results: CheckResult[] = [];
  progress('audit: credentials and TLS');
  results.push(...await checkCredentials(context), ...await checkTransport(context));

  const anonymous = new Map<string, AnonymousProbe>();
  for (const audited of context.buckets) {
    progress(`audit: bucket ${audited.bucket}`);
    const resource = `s3://${audited.bucket}`;
    try {
      audited.exists = await target.store.bucketExists(audited.bucket);
      results.push(pass('LV-CONN-001', resource, audited.exists ? `bucket reachable (${audited.roles.join(', ')})` : `bucket does not exist yet (${audited.roles.join(', ')}): nothing stored to audit`));
    } catch (error) {
      audited.error = (error as Error).message;
      if (error instanceof AccessError && target.endpoint.startsWith('http:')) {
        // Measured on RGW: a SecureTransport deny refuses every plain-HTTP request, the owner's too.
        audited.error += ' — over plain HTTP; consistent with a SecureTransport deny in force: audit over HTTPS';
      }
      results.push(outcome('LV-CONN-001', 'fail', { resource, evidence: audited.error, recommendation: 'Run `lakevault doctor` to see whether the endpoint, TLS trust or credentials fail; fix S3_ENDPOINT / S3_CA_BUNDLE / AWS_ACCESS_KEY_ID.' }));
      continue;
    }
    if (!audited.exists) {
      if (named.has(audited.bucket)) throw new NotFoundError(`bucket "${audited.bucket}" does not exist at ${target.endpoint}`);
      continue;
    }
    audited.settings = await readBucketSettings(target.store.client, audited.bucket);
    anonymous.set(audited.bucket, await probeAnonymously(target.store, target.endpoint, config, audited.bucket));
  }
  const reachable = context.buckets.find((b) => b.exists);
  if (reachable && !target.embedded) context.serverKind = await identifyServer(target.store.client, reachable.bucket);
  const needsProbe = !target.embedded && context.buckets.some((b) => b.settings?.encryption.state === 'absent');
  const encryptionSupported = needsProbe ? await defaultEncryptionSupported(target.store.client) : undefined;
  for (const audited of context.buckets) {
    if (!audited.settings) continue;
    const probe = anonymous.get(audited.bucket);
    results.push(...checkBucket(context, audited, { ...(encryptionSupported !== undefined ? { encryptionSupported } : {}), ...(probe ? { anonymous: probe } : {}) }));
  }
  const tables = await warehouseTables(context);
  results.push(...await checkObjectsAndBackups(context, tables));
  // The configured repositories are judged against the warehouse they protect; a run on named buckets has no such pairs.
  if (!options.buckets?.length) results.push(...checkFailureDomains(failureDomainInput(context, tables, options.repositories ?? [])));

  const failOn = options.failOn ?? 'high';
  const secrets = [credentials?.secretAccessKey, credentials?.sessionToken, ...(options.customerKey ? [options.customerKey.toString('base64'), options.customerKey.toString('hex'), options.customerKey.toString('latin1')] : [])]
    .filter((s): s is string => typeof s === 'string' && s.length >= 6 && !(target.embedded && s === EMBEDDED_CREDENTIALS.secretAccessKey));
  return { report: buildReport(target, context, results, failOn), secrets };
}

function buildReport(target: AuditTarget, context: AuditContext, results: CheckResult[], failOn: Severity): AuditReport {
  const findings = results.filter(isFinding).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  const passed = results.filter((r) => r.status === 'pass');
  const other = results.filter((r) => r.status !== 'pass' && !isFinding(r));
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return {
    tool: 'lakevault audit',
    version: TOOL_VERSION,
    endpoint: target.endpoint,
    embedded: target.embedded,
    generatedAt: context.now.toISOString(),
    failOn,
    buckets: context.buckets.map((b) => ({ bucket: b.bucket, roles: b.roles, ...(b.exists !== undefined ? { exists: b.exists } : {}), ...(b.error ? { error: b.error } : {}) })),
    summary: {
      checks: results.length,
      passed: passed.length,
      findings: counts,
      notVerifiable: results.filter((r) => r.status === 'not-verifiable').length,
      notApplicable: results.filter((r) => r.status === 'not-applicable').length,
    },
    findings,
    passed,
    other,
    themes: themesOf(findings),
    exitCode: findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0,
  };
}
