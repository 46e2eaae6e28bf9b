import {
  DeleteBucketPolicyCommand, DeleteObjectsCommand, GetBucketAclCommand, GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand, GetBucketLoggingCommand, GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand,
  HeadObjectCommand, ListObjectVersionsCommand, PutBucketEncryptionCommand, PutBucketPolicyCommand,
  PutBucketVersioningCommand, PutPublicAccessBlockCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { errorName, httpStatus, isNotImplemented } from './errors';
import { getObjectLockConfiguration, type ObjectLockSettings } from './object-lock';

/**
 * Read-side view of a bucket's security settings, for the audit and the capability probe.
 * Every reader answers with a Setting: the value, or why there is none. "Absent" (the
 * server answered "not configured") and "unsupported" (the server does not implement the
 * call) are different observations and must never be confused.
 */
export type Setting<T> =
  | { state: 'present'; value: T }
  | { state: 'absent'; detail: string }
  | { state: 'unsupported'; detail: string }
  | { state: 'denied'; detail: string }
  | { state: 'error'; detail: string };

/** Error names S3 uses for "this bucket has no such configuration". */
const ABSENT_NAMES = new Set([
  'ServerSideEncryptionConfigurationNotFoundError', 'NoSuchBucketPolicy', 'NoSuchPublicAccessBlockConfiguration',
  'NoSuchLifecycleConfiguration', 'ObjectLockConfigurationNotFoundError', 'NoSuchObjectLockConfiguration',
]);

/** Classifies a failed settings call; exported so the probe classifies writes the same way. */
export function classifySettingError(error: unknown): Exclude<Setting<never>, { state: 'present' }> {
  const name = errorName(error);
  const status = httpStatus(error);
  const detail = `${name}${status ? ` (HTTP ${status})` : ''}`;
  if (ABSENT_NAMES.has(name)) return { state: 'absent', detail };
  // RGW answers PutBucketEncryption with InvalidArgument; fake servers answer 501 or 405.
  if (isNotImplemented(error) || name === 'InvalidArgument' || name === 'MethodNotAllowed' || status === 405) {
    return { state: 'unsupported', detail };
  }
  if (name === 'AccessDenied' || status === 403) return { state: 'denied', detail };
  return { state: 'error', detail: `${detail}: ${(error as Error)?.message ?? ''}`.trim() };
}

async function read<T>(call: () => Promise<T | undefined>, absentDetail: string): Promise<Setting<T>> {
  try {
    const value = await call();
    return value === undefined ? { state: 'absent', detail: absentDetail } : { state: 'present', value };
  } catch (error) {
    return classifySettingError(error);
  }
}

export interface VersioningSettings {
  status: 'Enabled' | 'Suspended' | 'Off';
  /** undefined when the server's answer does not mention MFA delete at all. */
  mfaDelete?: 'Enabled' | 'Disabled';
}

export interface EncryptionRule {
  algorithm: string; // 'AES256' | 'aws:kms' | 'aws:kms:dsse'
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface AclGrant {
  grantee: string; // URI for groups, ID or e-mail otherwise
  granteeType: string;
  permission: string;
}

export interface LifecycleRule {
  id?: string;
  status: string;
  prefix?: string;
  expirationDays?: number;
  noncurrentExpirationDays?: number;
}

/**
 * Some fake servers (s3rver) ignore sub-resources they do not know and answer
 * GET /bucket?versioning with a plain object listing, which the SDK parses into an empty,
 * innocent-looking result ("versioning off"). This middleware looks at the raw answer
 * and turns a listing into a NotImplemented error, so the audit says "not supported".
 */
function refuseListingAnswer<C extends { middlewareStack: { add: (...args: never[]) => void } }>(command: C): C {
  (command.middlewareStack as unknown as { add: (mw: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => Promise<{ response: { body?: unknown } }>) => async (args: unknown) => {
      const out = await next(args);
      const response = out.response as { body?: AsyncIterable<Uint8Array> & NodeJS.ReadableStream; statusCode?: number };
      if (response.body && typeof (response.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
        const text = Buffer.concat(chunks);
        if (/<ListBucketResult[\s>]/.test(text.subarray(0, 512).toString('utf8'))) {
          throw Object.assign(new Error('the server answered a bucket listing instead'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
        }
        response.body = Readable.from([text]) as unknown as typeof response.body;
      }
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'lakevaultRefuseListingAnswer' },
  );
  return command;
}

export async function readVersioning(client: S3Client, bucket: string): Promise<Setting<VersioningSettings>> {
  return read(async () => {
    const out = await client.send(refuseListingAnswer(new GetBucketVersioningCommand({ Bucket: bucket })));
    const status = out.Status === 'Enabled' || out.Status === 'Suspended' ? out.Status : 'Off';
    const mfa = out.MFADelete === 'Enabled' || out.MFADelete === 'Disabled' ? out.MFADelete : undefined;
    return { status, ...(mfa ? { mfaDelete: mfa } : {}) } as VersioningSettings;
  }, '');
}

export async function readEncryption(client: S3Client, bucket: string): Promise<Setting<EncryptionRule[]>> {
  return read(async () => {
    const out = await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rules = (out.ServerSideEncryptionConfiguration?.Rules ?? []).flatMap((rule) => {
      const d = rule.ApplyServerSideEncryptionByDefault;
      if (!d?.SSEAlgorithm) return [];
      return [{
        algorithm: d.SSEAlgorithm,
        ...(d.KMSMasterKeyID ? { kmsKeyId: d.KMSMasterKeyID } : {}),
        ...(rule.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: rule.BucketKeyEnabled } : {}),
      }];
    });
    return rules.length ? rules : undefined;
  }, 'no default encryption rule');
}

/** The bucket policy's JSON text. */
export async function readPolicy(client: S3Client, bucket: string): Promise<Setting<string>> {
  return read(async () => {
    const out = await client.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return out.Policy || undefined;
  }, 'no bucket policy');
}

/** The server's own verdict on the policy (AWS computes it; most others do not). */
export async function readPolicyStatus(client: S3Client, bucket: string): Promise<Setting<{ isPublic: boolean }>> {
  return read(async () => {
    const out = await client.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
    return out.PolicyStatus?.IsPublic === undefined ? undefined : { isPublic: out.PolicyStatus.IsPublic };
  }, 'no policy status');
}

export async function readPublicAccessBlock(client: S3Client, bucket: string): Promise<Setting<PublicAccessBlock>> {
  return read(async () => {
    const out = await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const c = out.PublicAccessBlockConfiguration;
    if (!c) return undefined;
    return {
      blockPublicAcls: c.BlockPublicAcls === true,
      ignorePublicAcls: c.IgnorePublicAcls === true,
      blockPublicPolicy: c.BlockPublicPolicy === true,
      restrictPublicBuckets: c.RestrictPublicBuckets === true,
    };
  }, 'no public access block');
}

export async function readAcl(client: S3Client, bucket: string): Promise<Setting<AclGrant[]>> {
  return read(async () => {
    const out = await client.send(new GetBucketAclCommand({ Bucket: bucket }));
    return (out.Grants ?? []).map((g) => ({
      grantee: g.Grantee?.URI ?? g.Grantee?.ID ?? g.Grantee?.EmailAddress ?? 'unknown',
      granteeType: g.Grantee?.Type ?? 'unknown',
      permission: g.Permission ?? 'unknown',
    }));
  }, '');
}

export async function readLogging(client: S3Client, bucket: string): Promise<Setting<{ targetBucket: string; targetPrefix: string }>> {
  return read(async () => {
    const out = await client.send(refuseListingAnswer(new GetBucketLoggingCommand({ Bucket: bucket })));
    const target = out.LoggingEnabled;
    return target?.TargetBucket ? { targetBucket: target.TargetBucket, targetPrefix: target.TargetPrefix ?? '' } : undefined;
  }, 'server access logging not enabled');
}

export async function readLifecycle(client: S3Client, bucket: string): Promise<Setting<LifecycleRule[]>> {
  return read(async () => {
    const out = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    const rules = (out.Rules ?? []).map((r) => ({
      ...(r.ID ? { id: r.ID } : {}),
      status: r.Status ?? 'unknown',
      ...(r.Filter?.Prefix !== undefined ? { prefix: r.Filter.Prefix } : r.Prefix !== undefined ? { prefix: r.Prefix } : {}),
      ...(r.Expiration?.Days !== undefined ? { expirationDays: r.Expiration.Days } : {}),
      ...(r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined ? { noncurrentExpirationDays: r.NoncurrentVersionExpiration.NoncurrentDays } : {}),
    }));
    return rules.length ? rules : undefined;
  }, 'no lifecycle rules');
}

export async function readObjectLock(client: S3Client, bucket: string): Promise<Setting<ObjectLockSettings>> {
  return read(() => getObjectLockConfiguration(client, bucket), 'object lock not enabled');
}

/** Everything the audit reads about one bucket, read in parallel. */
export interface BucketSettings {
  bucket: string;
  versioning: Setting<VersioningSettings>;
  encryption: Setting<EncryptionRule[]>;
  policy: Setting<string>;
  policyStatus: Setting<{ isPublic: boolean }>;
  publicAccessBlock: Setting<PublicAccessBlock>;
  acl: Setting<AclGrant[]>;
  logging: Setting<{ targetBucket: string; targetPrefix: string }>;
  lifecycle: Setting<LifecycleRule[]>;
  objectLock: Setting<ObjectLockSettings>;
}

export async function readBucketSettings(client: S3Client, bucket: string): Promise<BucketSettings> {
  const [versioning, encryption, policy, policyStatus, publicAccessBlock, acl, logging, lifecycle, objectLock] = await Promise.all([
    readVersioning(client, bucket), readEncryption(client, bucket), readPolicy(client, bucket),
    readPolicyStatus(client, bucket), readPublicAccessBlock(client, bucket), readAcl(client, bucket),
    readLogging(client, bucket), readLifecycle(client, bucket), readObjectLock(client, bucket),
  ]);
  return { bucket, versioning, encryption, policy, policyStatus, publicAccessBlock, acl, logging, lifecycle, objectLock };
}

/** How one object is protected at rest, as HeadObject shows it. */
export interface ObjectProtection {
  key: string;
  /** 'aws:kms' | 'AES256' | 'SSE-C' | 'none' */
  encryption: string;
  kmsKeyId?: string;
  /** SSE-C: seen because HEAD without the key was refused with 400 (or the key given was accepted). */
  customerKeyRequired?: boolean;
  retainUntil?: Date;
  lockMode?: string;
}

/**
 * HeadObject, read for its protection headers. An SSE-C object cannot be HEADed without
 * its key: S3 (and RGW) answer 400, which is itself the evidence. With `customerKey`
 * the HEAD presents the key; the key is never part of the result.
 */
export async function readObjectProtection(client: S3Client, bucket: string, key: string, customerKey?: Buffer): Promise<Setting<ObjectProtection>> {
  const sseC = customerKey ? {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: customerKey.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(customerKey).digest('base64'),
  } : {};
  const head = (extra: object) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  try {
    let out;
    try {
      out = await head({});
    } catch (error) {
      if (httpStatus(error) !== 400) throw error;
      if (!customerKey) return { state: 'present', value: { key, encryption: 'SSE-C', customerKeyRequired: true } };
      out = await head(sseC);
    }
    return {
      state: 'present',
      value: {
        key,
        encryption: out.SSECustomerAlgorithm ? 'SSE-C' : out.ServerSideEncryption ?? 'none',
        ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}),
        ...(out.SSECustomerAlgorithm ? { customerKeyRequired: true } : {}),
        ...(out.ObjectLockRetainUntilDate ? { retainUntil: new Date(out.ObjectLockRetainUntilDate) } : {}),
        ...(out.ObjectLockMode ? { lockMode: out.ObjectLockMode } : {}),
      },
    };
  } catch (error) {
    return classifySettingError(error);
  }
}

/**
 * Whether the server implements PutBucketEncryption, asked without changing anything: the
 * call is aimed at a bucket that does not exist. A server that implements it answers
 * NoSuchBucket; Ceph RGW Pacific answers InvalidArgument before looking at the bucket.
 */
export async function defaultEncryptionSupported(client: S3Client): Promise<boolean | undefined> {
  const missing = `lakevault-probe-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 16)}`;
  try {
    await putDefaultEncryption(client, missing, { algorithm: 'AES256' });
    return undefined; // someone owns that name after all: no conclusion
  } catch (error) {
    const state = classifySettingError(error).state;
    if (errorName(error) === 'NoSuchBucket') return true;
    return state === 'unsupported' ? false : undefined;
  }
}

/**
 * Sends one unsigned (anonymous) request, as anyone on the network could: the status
 * code shows whether the bucket or object is really public. Path-style URL. Without a key
 * it is a one-key ListObjectsV2; with a key a HEAD, or a GET of the first byte only (the
 * audit must not download data).
 */
export function anonymousStatus(endpoint: string, bucket: string, key: string | undefined, options: { ca?: string; timeoutMs?: number; method?: 'GET' | 'HEAD' } = {}): Promise<number> {
  const url = new URL(endpoint);
  url.pathname = key === undefined ? `/${bucket}` : `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  if (key === undefined) url.search = '?list-type=2&max-keys=1';
  const method = key === undefined ? 'GET' : options.method ?? 'HEAD';
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers = key !== undefined && method === 'GET' ? { range: 'bytes=0-0' } : undefined;
    const req = send(url, { method, timeout: options.timeoutMs ?? 10_000, ...(headers ? { headers } : {}), ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

// ---- Writes: the capability probe's scratch bucket and the tests' fixtures. ----

export async function putPolicy(client: S3Client, bucket: string, policy: string | object): Promise<void> {
  await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: typeof policy === 'string' ? policy : JSON.stringify(policy) }));
}

export async function deletePolicy(client: S3Client, bucket: string): Promise<void> {
  await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
}

export async function putVersioning(client: S3Client, bucket: string, status: 'Enabled' | 'Suspended'): Promise<void> {
  await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
}

export async function putDefaultEncryption(client: S3Client, bucket: string, rule: EncryptionRule): Promise<void> {
  await client.send(new PutBucketEncryptionCommand({
    Bucket: bucket,
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: rule.algorithm as 'AES256', ...(rule.kmsKeyId ? { KMSMasterKeyID: rule.kmsKeyId } : {}) } }],
    },
  }));
}

export async function putPublicAccessBlock(client: S3Client, bucket: string, block: PublicAccessBlock): Promise<void> {
  await client.send(new PutPublicAccessBlockCommand({
    Bucket: bucket,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: block.blockPublicAcls,
      IgnorePublicAcls: block.ignorePublicAcls,
      BlockPublicPolicy: block.blockPublicPolicy,
      RestrictPublicBuckets: block.restrictPublicBuckets,
    },
  }));
}

/**
 * Deletes every object version and delete marker of a bucket (a versioned or locked
 * scratch bucket cannot be removed otherwise). Governance retention is bypassed: this is
 * only for buckets lakevault created itself. Returns the keys it could not delete.
 */
export async function deleteAllVersions(client: S3Client, bucket: string): Promise<string[]> {
  const failed: string[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .map((v) => ({ Key: v.Key!, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }));
    if (objects.length) {
      const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, BypassGovernanceRetention: true, Delete: { Objects: objects, Quiet: true } }));
      for (const e of out.Errors ?? []) failed.push(`${e.Key}${e.VersionId ? `@${e.VersionId}` : ''}: ${e.Code}`);
    }
    if (!page.IsTruncated) return failed;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}
