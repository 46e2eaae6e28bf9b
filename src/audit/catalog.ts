import type { CheckDefinition, CheckResult, Severity, Status } from './types';

/**
 * Every check the audit runs: stable ids (never reused), the default severity of a
 * failure, what is observed and the references it answers to. docs/AUDIT.md mirrors
 * this table (a unit test keeps them in step).
 */
const DEFINITIONS = [
  // Reachability
  { id: 'LV-CONN-001', title: 'Store reachable with the configured credentials', theme: 'authentication', severity: 'high',
    observes: 'HeadBucket on each audited bucket succeeds (network, TLS trust and credentials all work)', references: ['lakevault doctor'] },
  // Credentials
  { id: 'LV-CRED-001', title: 'No default or well-known example keys', theme: 'authentication', severity: 'critical',
    observes: 'the access key pair in use against MinIO defaults (minioadmin/minioadmin, minio/minio123) and documented example keys (AKIAIOSFODNN7EXAMPLE, ...)',
    references: ['CIS AWS 1.4', 'MinIO: MINIO_ROOT_USER / MINIO_ROOT_PASSWORD', 'Prowler iam_no_root_access_key'] },
  { id: 'LV-CRED-002', title: 'No keys in git-tracked files of the working directory', theme: 'authentication', severity: 'high',
    observes: 'git-tracked .env / config files under the working directory: the secret key in use (high), or an assignment of another literal secret key (medium); references to variables and placeholders are not keys',
    references: ['CIS Controls 3.11', 'OWASP ASVS 2.10.4'] },
  { id: 'LV-CRED-003', title: 'Temporary session credentials instead of long-lived static keys', theme: 'authentication', severity: 'low',
    observes: 'whether the resolved credentials carry a session token / expiry', references: ['CIS AWS 1.14', 'MinIO: STS AssumeRole'] },
  { id: 'LV-CRED-004', title: 'Root identity not used for data work', theme: 'authorization', severity: 'high',
    observes: 'the key in use is the server\'s root key where that is knowable (MinIO default root key); S3 itself does not say', references: ['CIS AWS 1.7', 'MinIO: access management'] },
  // TLS
  { id: 'LV-TLS-001', title: 'Endpoint uses HTTPS', theme: 'encryption', severity: 'high',
    observes: 'the endpoint URL scheme; high off loopback, low on 127.0.0.1/localhost', references: ['CIS AWS 2.1.1 (secure transport)', 'MinIO: Network Encryption (TLS)'] },
  { id: 'LV-TLS-002', title: 'Certificate chain trusted', theme: 'encryption', severity: 'high',
    observes: 'TLS handshake: chain verified against S3_CA_BUNDLE or the system CAs', references: ['MinIO: Network Encryption (TLS)', 'NIST SP 800-52r2 3.5'] },
  { id: 'LV-TLS-003', title: 'Certificate matches the endpoint host', theme: 'encryption', severity: 'high',
    observes: 'subjectAltName / CN against the endpoint host name or IP', references: ['RFC 6125', 'NIST SP 800-52r2 3.5'] },
  { id: 'LV-TLS-004', title: 'Certificate not expired or about to expire', theme: 'encryption', severity: 'medium',
    observes: 'days to notAfter: expired = critical, under 30 days = medium', references: ['NIST SP 800-52r2 3.5'] },
  { id: 'LV-TLS-005', title: 'TLS 1.2 or newer only', theme: 'encryption', severity: 'high',
    observes: 'negotiated protocol, and whether a handshake capped at TLS 1.1 also succeeds', references: ['NIST SP 800-52r2 3.1', 'CIS AWS 2.1.1 (s3:TlsVersion)'] },
  { id: 'LV-TLS-006', title: 'Strong cipher suite', theme: 'encryption', severity: 'medium',
    observes: 'negotiated cipher: AEAD with forward secrecy (no RC4, 3DES, NULL, EXPORT, static RSA key exchange)', references: ['NIST SP 800-52r2 3.3.1', 'Mozilla server-side TLS guidelines'] },
  { id: 'LV-TLS-007', title: 'Certificate verification enabled in this process', theme: 'encryption', severity: 'high',
    observes: 'NODE_TLS_REJECT_UNAUTHORIZED in the environment', references: ['Node.js docs: NODE_TLS_REJECT_UNAUTHORIZED'] },
  // Encryption at rest
  { id: 'LV-ENC-001', title: 'Bucket default encryption', theme: 'encryption', severity: 'medium',
    observes: 'GetBucketEncryption (SSE-S3 / SSE-KMS / none / not supported by the server)', references: ['Prowler s3_bucket_default_encryption', 'CIS AWS 2.1.1', 'MinIO: Server-Side Encryption (SSE-KMS/SSE-S3)'] },
  { id: 'LV-ENC-002', title: 'Default encryption uses KMS keys', theme: 'encryption', severity: 'low',
    observes: 'the default rule\'s algorithm is aws:kms rather than AES256', references: ['Prowler s3_bucket_kms_encryption', 'MinIO: SSE-KMS with KES'] },
  { id: 'LV-ENC-003', title: 'Sampled objects encrypted at rest', theme: 'encryption', severity: 'medium',
    observes: 'HeadObject on a sample of each table and backup: ServerSideEncryption, SSEKMSKeyId, SSECustomerAlgorithm', references: ['CIS AWS 2.1.1', 'MinIO: Server-Side Encryption', 'LGPD art. 46'] },
  { id: 'LV-ENC-004', title: 'Backups at least as protected as their source', theme: 'encryption', severity: 'high',
    observes: 'encryption of the sampled backup objects vs the sampled objects of the table they copy', references: ['CIS Controls 11.3', 'LGPD art. 46'] },
  // Access
  { id: 'LV-POL-001', title: 'Bucket policy denies requests without TLS', theme: 'encryption', severity: 'medium',
    observes: 'the bucket policy judged as S3 does: every plain-HTTP request (aws:SecureTransport false) denied for every principal, action, the bucket and its objects, whatever else the request carries; a TLS-version floor (s3:TlsVersion) noted',
    references: ['Prowler s3_bucket_secure_transport_policy', 'CIS AWS 3.1.1 (v3.0: 2.1.1)'] },
  { id: 'LV-POL-002', title: 'No access for outsiders through the bucket policy', theme: 'authorization', severity: 'critical',
    observes: 'the bucket policy judged as S3 does: every S3 action, classified (read, list, write, delete, configuration, data protection, policy, ACL), that anonymous callers or any other AWS account can get, with its scope; a policy that cannot be read is a finding',
    references: ['Prowler s3_bucket_public_access', 'Prowler s3_bucket_policy_public_write_access', 'CIS AWS 3.1.4 (v3.0: 2.1.4)', 'S3 User Guide: The meaning of "public"'] },
  { id: 'LV-POL-003', title: 'Public access block on', theme: 'authorization', severity: 'medium',
    observes: 'GetPublicAccessBlock: all four settings true', references: ['Prowler s3_bucket_level_public_access_block', 'CIS AWS 2.1.4'] },
  { id: 'LV-POL-004', title: 'Anonymous requests refused', theme: 'authorization', severity: 'critical',
    observes: 'unsigned requests, as anyone on the network could send: ListObjectsV2, and GetObject (first byte) and HeadObject of a sampled key; high on a loopback endpoint',
    references: ['Prowler s3_bucket_public_access', 'Prowler s3_bucket_object_public'] },
  { id: 'LV-ACL-001', title: 'No ACL grants to AllUsers or AuthenticatedUsers', theme: 'authorization', severity: 'critical',
    observes: 'GetBucketAcl grants to the global groups', references: ['Prowler s3_bucket_public_access', 'ScoutSuite s3-bucket-AllUsers-*'] },
  // Data protection
  { id: 'LV-DP-001', title: 'Versioning enabled', theme: 'compliance', severity: 'medium',
    observes: 'GetBucketVersioning; high on the backup bucket', references: ['Prowler s3_bucket_object_versioning', 'MinIO: Bucket Versioning'] },
  { id: 'LV-DP-002', title: 'Object lock on the backup bucket', theme: 'compliance', severity: 'high',
    observes: 'GetObjectLockConfiguration on the backup bucket', references: ['Prowler s3_bucket_object_lock', 'MinIO: Object Locking and Retention'] },
  { id: 'LV-DP-003', title: 'MFA delete', theme: 'compliance', severity: 'low',
    observes: 'MfaDelete in GetBucketVersioning ("not verifiable" when the server does not report it)', references: ['Prowler s3_bucket_no_mfa_delete', 'CIS AWS 2.1.2'] },
  { id: 'LV-DP-004', title: 'Newest complete backup within a week', theme: 'compliance', severity: 'high',
    observes: 'backup manifests under the backups location: age of the newest complete backup of each table (seed rule: weekly)', references: ['seed backup policy: weekly', 'CIS Controls 11.2'] },
  { id: 'LV-DP-005', title: 'Backups retained for 7 years', theme: 'compliance', severity: 'medium',
    observes: 'object lock default retention, retain-until of sampled backup objects and lifecycle expirations of the backup bucket (seed rule: 7 years)', references: ['Prowler s3_bucket_lifecycle_enabled', 'seed retention policy: 7 years', 'LGPD art. 16'] },
  { id: 'LV-DP-006', title: 'Backups in a separate failure domain', theme: 'compliance', severity: 'medium',
    observes: 'where each backup and checkpoint repository lives against the tables it protects: same bucket (high), same endpoint (medium; on Ceph RGW a CopyObject shares the data inside the cluster), or another endpoint; an off-site repository with a complete backup of every table from the last week clears it',
    references: ['CIS Controls 11.3 (isolated recovery data)', 'NIST SP 800-209 (storage infrastructure: isolation)', '3-2-1 backup rule'] },
  { id: 'LV-DP-007', title: 'Backup manifests authenticated', theme: 'compliance', severity: 'high',
    observes: 'with a manifest key configured (LAKEVAULT_MANIFEST_KEY): the HMAC of every complete backup manifest under the backups location; a backup the key does not authenticate is refused by restore and does not count for LV-DP-004',
    references: ['restic: repository authenticated by its key', 'NIST SP 800-209 (integrity of backup data)'] },
  // Monitoring
  { id: 'LV-LOG-001', title: 'Server access logging', theme: 'monitoring', severity: 'low',
    observes: 'GetBucketLogging', references: ['Prowler s3_bucket_server_access_logging_enabled', 'CIS AWS 3.6', 'MinIO: audit logging (audit_webhook)'] },
] as const satisfies readonly CheckDefinition[];

export type CheckId = (typeof DEFINITIONS)[number]['id'];
export const CHECKS: readonly CheckDefinition[] = DEFINITIONS;
const BY_ID = new Map<string, CheckDefinition>(DEFINITIONS.map((d) => [d.id, d]));

export function definition(id: CheckId): CheckDefinition {
  return BY_ID.get(id)!;
}

export interface OutcomeFields {
  resource: string;
  evidence: string;
  /** Overrides the definition's severity (context: loopback, backup bucket, ...). */
  severity?: Severity;
  recommendation?: string;
  details?: Record<string, unknown>;
}

/** Builds a result; passes and non-findings carry severity info and no recommendation. */
export function outcome(id: CheckId, status: Status, fields: OutcomeFields): CheckResult {
  const def = definition(id);
  const finding = status === 'fail' || status === 'unsupported' || status === 'error';
  const severity: Severity = finding ? fields.severity ?? def.severity : 'info';
  return {
    id, title: def.title, theme: def.theme, status, severity,
    resource: fields.resource,
    evidence: fields.evidence,
    ...(finding && fields.recommendation ? { recommendation: fields.recommendation } : {}),
    references: def.references,
    ...(fields.details ? { details: fields.details } : {}),
  };
}

export const pass = (id: CheckId, resource: string, evidence: string, details?: Record<string, unknown>) => outcome(id, 'pass', { resource, evidence, ...(details ? { details } : {}) });
