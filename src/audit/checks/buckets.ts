import { outcome, pass } from '../catalog';
import type { AuditContext, AuditedBucket } from '../context';
import type { CheckResult, Severity } from '../types';
import type { Setting } from '../../store/bucket-settings';
import { aclGrantSeverity } from './acl';
import { checkPolicy, publicAccessBlockNote, type AnonymousProbe } from './policy';

/**
 * Per-bucket settings: default encryption, TLS-only policy, public access (policy, access
 * block, ACL), versioning, object lock, MFA delete, access logging. Pure: it judges the
 * settings the runner read (plus the anonymous probe it made).
 */
export function checkBucket(context: AuditContext, audited: AuditedBucket, extras: { encryptionSupported?: boolean; anonymous?: AnonymousProbe }): CheckResult[] {
  const settings = audited.settings!;
  const bucket = audited.bucket;
  const resource = `s3://${bucket}`;
  const backups = audited.roles.includes('backups');
  const results: CheckResult[] = [];
  const notSupported = (setting: Setting<unknown>) => `not supported by this server (${setting.state !== 'present' ? setting.detail : ''})`;
  const cannotRead = (setting: Setting<unknown>) => `could not be read: ${setting.state !== 'present' ? setting.detail : ''}`;

  // --- Encryption at rest (bucket default)
  const enc = settings.encryption;
  const encFix = `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ID"}}]}'  |  MinIO: mc encrypt set sse-kms KEY_ID ALIAS/${bucket} (needs KES / MINIO_KMS_*)`;
  if (enc.state === 'present') {
    const rule = enc.value[0]!;
    results.push(pass('LV-ENC-001', resource, `default encryption ${rule.algorithm}${rule.kmsKeyId ? ` with key ${rule.kmsKeyId}` : ''}`));
    results.push(rule.algorithm.startsWith('aws:kms')
      ? pass('LV-ENC-002', resource, `default rule uses ${rule.algorithm}`)
      : outcome('LV-ENC-002', 'fail', { resource, evidence: `default rule uses ${rule.algorithm} (server-managed keys)`, recommendation: encFix }));
  } else if (enc.state === 'unsupported' || (enc.state === 'absent' && extras.encryptionSupported === false)) {
    const evidence = enc.state === 'unsupported' ? notSupported(enc)
      : 'not supported by this server: GetBucketEncryption answers with no rule, and PutBucketEncryption is refused with InvalidArgument';
    results.push(outcome('LV-ENC-001', 'unsupported', { resource, severity: 'low', evidence: `bucket default encryption ${evidence}; only per-object SSE (LV-ENC-003) can protect data here`,
      recommendation: 'Write with per-object encryption: lakevault table create / backup create --sse aws:kms --kms-key-id KEY_ID (or --sse-c-key-file FILE); or use a server with bucket default encryption (MinIO with KES, RGW Quincy+ with SSE-S3).' }));
    results.push(outcome('LV-ENC-002', 'not-applicable', { resource, evidence: 'no default encryption rule possible' }));
  } else if (enc.state === 'absent') {
    results.push(outcome('LV-ENC-001', 'fail', { resource, severity: backups ? 'high' : 'medium', evidence: 'no default encryption: objects written without SSE headers are stored in the clear', recommendation: encFix }));
    results.push(outcome('LV-ENC-002', 'not-applicable', { resource, evidence: 'no default encryption rule' }));
  } else {
    results.push(outcome('LV-ENC-001', 'error', { resource, severity: 'info', evidence: cannotRead(enc) }));
  }

  results.push(...checkPolicy(context, audited, extras.anonymous));

  // --- Public access block
  const pab = settings.publicAccessBlock;
  const pabFix = `aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true${publicAccessBlockNote(context)}`;
  if (pab.state === 'present') {
    const off = Object.entries(pab.value).filter(([, on]) => !on).map(([name]) => name);
    results.push(off.length
      ? outcome('LV-POL-003', 'fail', { resource, evidence: `public access block incomplete: ${off.join(', ')} off`, recommendation: pabFix })
      : pass('LV-POL-003', resource, 'all four public access block settings on'));
  } else if (pab.state === 'absent') {
    results.push(outcome('LV-POL-003', 'fail', { resource, evidence: 'no public access block configuration', recommendation: pabFix }));
  } else {
    results.push(outcome('LV-POL-003', pab.state === 'unsupported' ? 'unsupported' : 'error', { resource, severity: pab.state === 'unsupported' ? 'low' : 'info',
      evidence: `public access block ${pab.state === 'unsupported' ? notSupported(pab) : cannotRead(pab)}`,
      recommendation: 'Without a public access block, keep anonymous access off explicitly: mc anonymous set none ALIAS/' + bucket }));
  }

  // --- ACL
  const acl = settings.acl;
  if (acl.state === 'present') {
    const open = acl.value.filter((g) => /AllUsers|AuthenticatedUsers/.test(g.grantee));
    results.push(open.length
      ? outcome('LV-ACL-001', 'fail', { resource, severity: aclGrantSeverity(open),
        evidence: open.map((g) => `${g.permission} to ${g.grantee.replace(/^.*\//, '')}`).join(', '),
        recommendation: `aws s3api put-bucket-acl --bucket ${bucket} --acl private; then turn on the public access block (IgnorePublicAcls=true).` })
      : pass('LV-ACL-001', resource, `${acl.value.length} grants, none to AllUsers/AuthenticatedUsers`));
  } else {
    results.push(outcome('LV-ACL-001', acl.state === 'unsupported' ? 'unsupported' : 'error', { resource, severity: 'info', evidence: `bucket ACL ${acl.state === 'unsupported' ? notSupported(acl) : cannotRead(acl)}` }));
  }

  results.push(...dataProtection(context, audited));

  // --- Access logging
  const logging = settings.logging;
  const logFix = `aws s3api put-bucket-logging --bucket ${bucket} --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"${bucket}/"}}'  |  MinIO: mc admin config set ALIAS audit_webhook:lakevault endpoint=https://LOG_SINK enable=on`;
  if (context.embedded) {
    results.push(outcome('LV-LOG-001', 'unsupported', { resource, severity: 'low', evidence: 'the embedded server keeps no access log', recommendation: logFix }));
  } else if (logging.state === 'present') {
    results.push(pass('LV-LOG-001', resource, `access logs to s3://${logging.value.targetBucket}/${logging.value.targetPrefix}`));
  } else {
    results.push(outcome('LV-LOG-001', logging.state === 'absent' ? 'fail' : logging.state === 'unsupported' ? 'unsupported' : 'error', {
      resource, severity: logging.state === 'error' || logging.state === 'denied' ? 'info' : 'low', evidence: `server access logging ${logging.state === 'absent' ? 'not enabled' : logging.state === 'unsupported' ? notSupported(logging) : cannotRead(logging)}`, recommendation: logFix,
    }));
  }
  return results;
}

function dataProtection(context: AuditContext, audited: AuditedBucket): CheckResult[] {
  const { bucket, settings } = audited as Required<Pick<AuditedBucket, 'bucket' | 'settings'>> & AuditedBucket;
  const resource = `s3://${bucket}`;
  const backups = audited.roles.includes('backups');
  const results: CheckResult[] = [];
  const versioning = settings.versioning;
  const versionFix = `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled  |  mc version enable ALIAS/${bucket}`;
  const severity: Severity = backups ? 'high' : 'medium';
  if (context.embedded) {
    results.push(outcome('LV-DP-001', 'unsupported', { resource, severity, evidence: 'the embedded server does not implement versioning: an overwrite or delete is final', recommendation: 'Use a server with versioning (MinIO, Ceph RGW, AWS S3) for data you cannot regenerate; ' + versionFix }));
    results.push(outcome('LV-DP-003', 'not-verifiable', { resource, evidence: 'no versioning on the embedded server' }));
  } else if (versioning.state === 'present') {
    const v = versioning.value;
    results.push(v.status === 'Enabled'
      ? pass('LV-DP-001', resource, 'versioning Enabled')
      : outcome('LV-DP-001', 'fail', { resource, severity, evidence: `versioning ${v.status === 'Off' ? 'never enabled' : 'Suspended'}: an overwrite or delete destroys the only copy`, recommendation: versionFix }));
    if (v.mfaDelete === 'Enabled') results.push(pass('LV-DP-003', resource, 'MFA delete Enabled'));
    else if (v.mfaDelete === 'Disabled') {
      results.push(outcome('LV-DP-003', 'fail', { resource, evidence: 'MFA delete Disabled: versions can be deleted with keys alone',
        recommendation: `AWS (root user only): aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE". Where MFA delete is not available (MinIO), object lock on the backup bucket gives the same protection.` }));
    } else results.push(outcome('LV-DP-003', 'not-verifiable', { resource, evidence: 'the server does not report MFA delete in GetBucketVersioning' }));
  } else {
    const unsupported = versioning.state === 'unsupported';
    results.push(outcome('LV-DP-001', unsupported ? 'unsupported' : 'error', { resource, severity: unsupported ? severity : 'info', evidence: `versioning ${unsupported ? 'not supported by this server' : 'could not be read'} (${versioning.detail})`, recommendation: versionFix }));
    results.push(outcome('LV-DP-003', 'not-verifiable', { resource, evidence: 'versioning status unavailable' }));
  }
  if (backups) {
    const lock = settings.objectLock;
    const lockFix = `Object lock can only be switched on when a bucket is created: aws s3api create-bucket --bucket ${bucket}-locked --object-lock-enabled-for-bucket; aws s3api put-object-lock-configuration --bucket ${bucket}-locked --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Years":7}}}'  |  mc mb --with-lock ALIAS/${bucket}-locked && mc retention set --default COMPLIANCE 7y ALIAS/${bucket}-locked; then point LAKEVAULT_BACKUPS at it.`;
    if (lock.state === 'present' && lock.value.enabled) {
      results.push(pass('LV-DP-002', resource, `object lock enabled${lock.value.mode ? `, default ${lock.value.mode} ${lock.value.years ? `${lock.value.years} years` : `${lock.value.days} days`}` : ', no default retention'}`));
    } else if (lock.state === 'present' || lock.state === 'absent') {
      results.push(outcome('LV-DP-002', 'fail', { resource, evidence: 'object lock not enabled on the backup bucket: anyone holding the keys (or ransomware using them) can delete every backup', recommendation: lockFix }));
    } else {
      const unsupported = lock.state === 'unsupported';
      results.push(outcome('LV-DP-002', unsupported ? 'unsupported' : 'error', { resource, severity: unsupported ? 'high' : 'info', evidence: `object lock ${unsupported ? 'not supported by this server' : 'could not be read'} (${lock.detail})`, recommendation: lockFix }));
    }
  }
  return results;
}
