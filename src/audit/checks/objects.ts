import { readObjectProtection, type ObjectProtection, type LifecycleRule } from '../../store/bucket-settings';
import { childNames } from '../../snapshot/children';
import { seriesName } from '../../snapshot/identity';
import { parseS3Uri } from '../../store/location';
import { listBackups, newestComplete, type BackupSummary } from '../backups';
import { outcome, pass } from '../catalog';
import { bucketsWithRole, type AuditContext } from '../context';
import type { CheckResult } from '../types';

const WEEK_DAYS = 7;
const RETENTION_YEARS = 7;
const DAY_MS = 86_400_000;

/** Protection strength of one object: none < SSE-S3 < SSE-KMS / SSE-C. */
function strength(p: ObjectProtection): number {
  return p.encryption === 'none' ? 0 : p.encryption === 'AES256' ? 1 : 2;
}
const LABEL = ['unencrypted', 'SSE-S3', 'SSE-KMS/SSE-C'];

interface Sample {
  resource: string;
  objects: ObjectProtection[];
  problems: string[];
  /** For a backup: when it was taken (its objects must stay restorable 7 years from then). */
  takenAt?: Date;
}

/** A sample of the data objects under a table's prefix. */
async function sample(context: AuditContext, bucket: string, prefix: string): Promise<Sample> {
  const keys: string[] = [];
  const problems: string[] = [];
  try {
    for await (const object of context.store.list(bucket, prefix)) {
      // lakevault's own manifests and markers hold no rows: the sample is of data objects.
      if (object.key.includes('/_lakevault/')) continue;
      keys.push(object.key);
      if (keys.length >= context.sampleSize) break;
    }
  } catch (error) {
    problems.push(`listing failed: ${(error as Error).message}`);
  }
  return inspect(context, `s3://${bucket}/${prefix}`, keys.map((key) => ({ bucket, key })), problems);
}

/**
 * A sample of the data objects a backup references, wherever they are stored: an
 * incremental backup's files may all live in earlier backups' prefixes.
 */
async function sampleBackup(context: AuditContext, backup: BackupSummary): Promise<Sample> {
  const sampled = await inspect(context, backup.uri, (backup.objects ?? []).slice(0, context.sampleSize), []);
  return backup.at ? { ...sampled, takenAt: backup.at } : sampled;
}

async function inspect(context: AuditContext, resource: string, objects: { bucket: string; key: string }[], problems: string[]): Promise<Sample> {
  const result: Sample = { resource, objects: [], problems };
  for (const { bucket, key } of objects) {
    const read = await readObjectProtection(context.client, bucket, key, context.customerKey);
    if (read.state === 'present') result.objects.push(read.value);
    else result.problems.push(`s3://${bucket}/${key}: ${read.detail}`);
  }
  return result;
}

function describe(objects: ObjectProtection[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) {
    const label = o.encryption === 'aws:kms' ? `SSE-KMS${o.kmsKeyId ? ` (key ${o.kmsKeyId})` : ''}`
      : o.encryption === 'AES256' ? 'SSE-S3' : o.encryption === 'SSE-C' ? `SSE-C${o.customerKeyRequired ? ' (HEAD needs the customer key)' : ''}` : 'unencrypted';
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => `${n} ${label}`).join(', ');
}

function judgeSample(s: Sample, kind: 'table' | 'backup'): CheckResult {
  if (!s.objects.length) {
    return outcome('LV-ENC-003', s.problems.length ? 'error' : 'not-applicable', { resource: s.resource, severity: 'info', evidence: s.problems.length ? s.problems.slice(0, 3).join('; ') : 'no objects to sample' });
  }
  const plain = s.objects.filter((o) => o.encryption === 'none');
  const evidence = `${s.objects.length} sampled data objects: ${describe(s.objects)}${s.problems.length ? `; ${s.problems.length} not readable` : ''}`;
  if (!plain.length) return pass('LV-ENC-003', s.resource, evidence);
  return outcome('LV-ENC-003', 'fail', {
    resource: s.resource,
    evidence: `${evidence}; unencrypted e.g. ${plain.slice(0, 3).map((o) => o.key).join(', ')}`,
    recommendation: `${kind === 'table' ? 'Rewrite the table' : 'Take the backups'} with server-side encryption: lakevault ${kind === 'table' ? 'table create NAME --overwrite' : 'backup create NAME'} --sse aws:kms --kms-key-id KEY_ID (or --sse-c-key-file FILE), and set bucket default encryption where the server has it. Note: Ceph RGW Pacific accepts --sse AES256 and stores the object unencrypted; use aws:kms there.`,
  });
}

/** The tables under the warehouse, when the warehouse bucket is audited and exists. */
export async function warehouseTables(context: AuditContext): Promise<string[]> {
  const { warehouse } = context.config;
  const warehouseBucket = context.buckets.find((b) => b.bucket === warehouse.bucket && b.roles.includes('warehouse'));
  if (!warehouseBucket?.exists) return [];
  return (await childNames(context.store, warehouse.bucket, warehouse.prefix).catch(() => [] as string[])).filter((name) => !name.startsWith('_'));
}

/** Encryption of sampled objects, backups vs sources, backup age and retention. */
export async function checkObjectsAndBackups(context: AuditContext, tableNames: string[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const tableSamples = new Map<string, Sample>();
  const { warehouse, backups: backupsLocation } = context.config;
  const tables = tableNames.map((name) => ({ name, prefix: `${warehouse.prefix}${name}/`, uri: `s3://${warehouse.bucket}/${warehouse.prefix}${name}/` }));
  for (const table of tables) {
    context.progress(`audit: sampling table ${table.name}`);
    const s = await sample(context, warehouse.bucket, table.prefix);
    tableSamples.set(table.uri, s);
    results.push(judgeSample(s, 'table'));
  }

  const backupBucket = bucketsWithRole(context, 'backups')[0];
  if (!backupBucket?.exists) {
    if (tables.length) {
      results.push(outcome('LV-DP-004', 'fail', { resource: `s3://${backupsLocation.bucket}/${backupsLocation.prefix}`, evidence: `${tables.length} tables and no backup bucket`,
        recommendation: 'lakevault backup create TABLE for each table, scheduled at least weekly (cron / CI schedule).' }));
    }
    return results;
  }
  let backups: BackupSummary[];
  try {
    backups = await listBackups(context.store, context.config);
  } catch (error) {
    results.push(outcome('LV-DP-004', 'error', { resource: `s3://${backupsLocation.bucket}/${backupsLocation.prefix}`, severity: 'info', evidence: `backups could not be listed: ${(error as Error).message}` }));
    return results;
  }
  const newest = newestComplete(backups);
  const backupSamples = new Map<string, Sample>();
  for (const [source, backup] of newest) {
    context.progress(`audit: sampling backup ${backup.uri}`);
    const s = await sampleBackup(context, backup);
    backupSamples.set(source, s);
    results.push(judgeSample(s, 'backup'));
  }
  results.push(...compareProtection(tableSamples, backupSamples));
  results.push(...backupAge(context, tables.map((t) => t.uri), backups, newest));
  results.push(manifestAuthentication(context, backups));
  results.push(retention(context, backupsLocation.bucket, [...backupSamples.values()], newest, backupBucket.settings?.lifecycle));
  return results;
}

function compareProtection(tables: Map<string, Sample>, backups: Map<string, Sample>): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [table, backup] of backups) {
    const source = tables.get(table);
    if (!source?.objects.length || !backup.objects.length) continue;
    const sourceLevel = Math.min(...source.objects.map(strength));
    const backupLevel = Math.min(...backup.objects.map(strength));
    results.push(backupLevel >= sourceLevel
      ? pass('LV-ENC-004', backup.resource, `backup ${LABEL[backupLevel]} at worst; source table ${LABEL[sourceLevel]} at worst`)
      : outcome('LV-ENC-004', 'fail', { resource: backup.resource, evidence: `backup objects are ${LABEL[backupLevel]} at worst while the source table ${source.resource} is ${LABEL[sourceLevel]}: the backup leaks what the table protects`,
        recommendation: 'Take backups with at least the source\'s encryption: lakevault backup create TABLE --sse aws:kms --kms-key-id KEY_ID. On Ceph RGW a server-side copy to an SSE destination is stored unencrypted: check the new backup with lakevault audit.' }));
  }
  return results;
}

/** Each table — by location: the warehouse's and those with backups — against the weekly rule; the resource is its backups' folder. */
function backupAge(context: AuditContext, tables: string[], all: BackupSummary[], newest: Map<string, BackupSummary>): CheckResult[] {
  const sources = [...new Set([...tables, ...all.map((b) => b.source)])].sort();
  const location = context.config.backups;
  return sources.map((source) => {
    const resource = `s3://${location.bucket}/${location.prefix}${seriesName(parseS3Uri(source))}/`;
    const backup = newest.get(source);
    const fix = `lakevault backup create ${source}, scheduled at least weekly (e.g. cron: 0 2 * * 0 npx lakevault backup create ${source}).`;
    if (!backup) {
      const unusable = all.filter((b) => b.source === source).map((b) => b.complete ? { ...b, reason: 'manifest not authenticated by the configured key' } : b);
      return outcome('LV-DP-004', 'fail', { resource, evidence: unusable.length ? `no complete backup a restore accepts (${unusable.length} unusable: ${unusable.slice(0, 3).map((b) => `${b.id}: ${b.reason}`).join('; ')})` : 'no backup of this table', recommendation: fix });
    }
    if (!backup.at) return outcome('LV-DP-004', 'not-verifiable', { resource, evidence: `newest complete backup ${backup.id} has no date` });
    const days = (context.now.getTime() - backup.at.getTime()) / DAY_MS;
    return days <= WEEK_DAYS
      ? pass('LV-DP-004', resource, `newest complete backup ${backup.id} from ${backup.at.toISOString()} (${days.toFixed(1)} days old; rule: weekly)`)
      : outcome('LV-DP-004', 'fail', { resource, evidence: `newest complete backup ${backup.id} is ${Math.floor(days)} days old (${backup.at.toISOString()}); the rule is weekly`, recommendation: fix });
  });
}

/**
 * LV-DP-007: with a manifest key configured, every complete backup's manifest must carry the
 * key's MAC. One that does not was written without the key or edited since; restore refuses it.
 */
function manifestAuthentication(context: AuditContext, backups: BackupSummary[]): CheckResult {
  const location = context.config.backups;
  const resource = `s3://${location.bucket}/${location.prefix}`;
  if (!context.config.manifestKey) {
    return outcome('LV-DP-007', 'not-applicable', { resource, evidence: 'no manifest key configured: backup manifests are not authenticated, so anyone who can write the backup bucket can forge a backup a restore trusts',
      recommendation: 'Configure a manifest key (LAKEVAULT_MANIFEST_KEY_FILE or LAKEVAULT_MANIFEST_KEY) for every backup and restore; see docs/BACKUP.md#manifest-authentication.' });
  }
  const complete = backups.filter((b) => b.complete);
  const refused = complete.filter((b) => b.authenticated === false);
  if (!refused.length) return pass('LV-DP-007', resource, `${complete.length} complete ${complete.length === 1 ? 'backup' : 'backups'}, each authenticated by the configured key`);
  return outcome('LV-DP-007', 'fail', { resource, evidence: `${refused.length} of ${complete.length} complete backups are not authenticated by the configured key (written without it, with another key, or edited since; restore refuses them): ${refused.slice(0, 5).map((b) => b.uri).join(', ')}${refused.length > 5 ? ', …' : ''}`,
    recommendation: 'Take a new backup of each table with the key configured, then inspect the refused ones (lakevault backup show ID) before deleting them: an edited manifest is evidence of tampering.' });
}

function retention(context: AuditContext, bucket: string, samples: Sample[], newest: Map<string, BackupSummary>, lifecycle: { state: string; value?: LifecycleRule[] } | undefined): CheckResult {
  const resource = `s3://${bucket}`;
  const sevenYearsDays = Math.floor(RETENTION_YEARS * 365.25);
  const fix = `Keep backups 7 years with object lock: aws s3api put-object-lock-configuration --bucket ${bucket} --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Years":7}}}'  |  mc retention set --default COMPLIANCE 7y ALIAS/${bucket}; and no lifecycle expiration under ${sevenYearsDays} days on the backup prefix.`;
  const early = (lifecycle?.state === 'present' ? lifecycle.value ?? [] : [])
    .filter((r) => r.status === 'Enabled' && r.expirationDays !== undefined && r.expirationDays < sevenYearsDays);
  if (early.length) {
    return outcome('LV-DP-005', 'fail', { resource, severity: 'high', evidence: `lifecycle rules expire backups early: ${early.map((r) => `${r.id ?? 'rule'} after ${r.expirationDays} days${r.prefix ? ` under ${r.prefix}` : ''}`).join('; ')} (7 years = ${sevenYearsDays} days)`, recommendation: fix });
  }
  const lock = context.buckets.find((b) => b.bucket === bucket)?.settings?.objectLock;
  if (lock?.state === 'present' && lock.value.enabled && lock.value.mode) {
    const days = (lock.value.years ?? 0) * 365.25 + (lock.value.days ?? 0);
    if (days >= sevenYearsDays) return pass('LV-DP-005', resource, `default ${lock.value.mode} retention ${lock.value.years ? `${lock.value.years} years` : `${lock.value.days} days`}`);
  }
  const objects = samples.flatMap((s) => s.objects);
  if (!objects.length) {
    return outcome('LV-DP-005', newest.size ? 'fail' : 'not-applicable', { resource, severity: 'medium', evidence: newest.size ? 'backup objects could not be sampled; no default retention enforces 7 years' : 'no complete backups to judge', recommendation: fix });
  }
  const takenAt = new Map(samples.flatMap((s) => s.objects.map((o) => [o, (s.takenAt ?? context.now).getTime()] as const)));
  const short = objects.filter((o) => !o.retainUntil || o.retainUntil.getTime() < takenAt.get(o)! + sevenYearsDays * DAY_MS);
  if (!short.length) return pass('LV-DP-005', resource, `${objects.length} sampled backup objects locked ${objects[0]!.lockMode ?? ''} for at least 7 years (e.g. until ${objects[0]!.retainUntil!.toISOString()})`);
  const locked = short.filter((o) => o.retainUntil);
  return outcome('LV-DP-005', 'fail', { resource,
    evidence: locked.length ? `${short.length}/${objects.length} sampled backup objects are retained for less than 7 years (e.g. ${locked[0]!.key} until ${locked[0]!.retainUntil!.toISOString()})`
      : `nothing enforces 7-year retention: no default retention, no retain-until date on ${short.length}/${objects.length} sampled backup objects; they can be deleted at any time`,
    recommendation: fix });
}
