import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import {
  classifySettingError, deleteAllVersions, putDefaultEncryption, putPolicy, putPublicAccessBlock, putVersioning,
  readEncryption, readObjectLock, readObjectProtection, readPolicy, readPublicAccessBlock, readVersioning, deletePolicy,
} from './bucket-settings';
import { errorName, httpStatus } from './errors';
import { multipartCopy } from './multipart-copy';
import type { S3Store } from './s3-store';
import { inspectTls, tlsTargetOf, type TlsInspection } from './tls';

/** Features the probe tries for real on a scratch bucket. */
export const FEATURES = [
  'upload-part-copy', 'versioning', 'object-lock', 'bucket-encryption', 'sse-s3', 'sse-kms', 'sse-c', 'bucket-policy', 'public-access-block',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface FeatureResult {
  /** undefined = could not be decided (e.g. SSE-KMS without a key id the server knows). */
  supported: boolean | undefined;
  detail: string;
}

export interface ProbeResult {
  endpoint: string;
  reachable: { ok: boolean; detail: string; ms?: number };
  credentials: { ok: boolean; detail: string };
  tls?: TlsInspection | { error: string };
  features: Record<Feature, FeatureResult>;
  scratchBuckets: string[];
  cleanup: { ok: boolean; detail: string };
}

/** "Does the target support X?" — false unless the probe saw it work. */
export function supports(result: Pick<ProbeResult, 'features'>, feature: Feature): boolean {
  return result.features[feature]?.supported === true;
}

export interface ProbeOptions {
  region: string;
  ca?: string;
  /** KMS key for the SSE-KMS test (RGW's testing backend: testkey-1). */
  kmsKeyId?: string;
  progress?: (line: string) => void;
}

const describeError = (error: unknown) => `${errorName(error)}${httpStatus(error) ? ` (HTTP ${httpStatus(error)})` : ''}`;

/**
 * Endpoint reachable, credentials valid, TLS details, and which features work — tried on
 * scratch buckets the probe creates and always removes.
 */
export async function probeCapabilities(store: S3Store, options: ProbeOptions): Promise<ProbeResult> {
  const client = store.client;
  const progress = options.progress ?? (() => undefined);
  const unknown = (detail: string) => Object.fromEntries(FEATURES.map((f) => [f, { supported: undefined, detail }])) as Record<Feature, FeatureResult>;
  const result: ProbeResult = {
    endpoint: store.endpoint,
    reachable: { ok: false, detail: '' },
    credentials: { ok: false, detail: '' },
    features: unknown('not probed'),
    scratchBuckets: [],
    cleanup: { ok: true, detail: 'nothing to clean up' },
  };
  const target = /^https:/.test(store.endpoint) ? tlsTargetOf(store.endpoint, options.region) : undefined;
  if (target) {
    result.tls = await inspectTls({ ...target, ...(options.ca ? { ca: options.ca } : {}) }).catch((error: Error) => ({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
  }

  progress('doctor: connecting');
  const started = Date.now();
  try {
    const out = await client.send(new ListBucketsCommand({}));
    result.reachable = { ok: true, detail: 'ListBuckets answered', ms: Date.now() - started };
    result.credentials = { ok: true, detail: `accepted (owner ${out.Owner?.DisplayName ?? out.Owner?.ID ?? 'not reported'})` };
  } catch (error) {
    const status = httpStatus(error);
    const name = errorName(error);
    if (status === undefined) {
      result.reachable = { ok: false, detail: `${name}: ${(error as Error).message}` };
      result.credentials = { ok: false, detail: 'not tried: endpoint unreachable' };
      result.features = unknown('endpoint unreachable');
      return result;
    }
    result.reachable = { ok: true, detail: `answered HTTP ${status}`, ms: Date.now() - started };
    result.credentials = { ok: false, detail: `refused: ${name}` };
    result.features = unknown('credentials refused');
    return result;
  }

  const bucket = `lakevault-probe-${randomBytes(5).toString('hex')}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    result.features = unknown(`could not create a scratch bucket: ${describeError(error)}`);
    return result;
  }
  result.scratchBuckets.push(bucket);
  const lockBucket = `${bucket}-lock`;
  try {
    progress('doctor: probing features');
    result.features['upload-part-copy'] = await tryUploadPartCopy(store, bucket);
    result.features['sse-s3'] = await tryObjectEncryption(store, bucket, 'sse-s3', { ServerSideEncryption: 'AES256' }, 'AES256');
    result.features['sse-kms'] = await tryObjectEncryption(store, bucket, 'sse-kms', { ServerSideEncryption: 'aws:kms', ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}) }, 'aws:kms', options.kmsKeyId);
    result.features['sse-c'] = await trySseC(store, bucket);
    result.features['bucket-encryption'] = await trySetting(
      () => putDefaultEncryption(client, bucket, { algorithm: 'AES256' }),
      async () => (await readEncryption(client, bucket)).state === 'present', 'PutBucketEncryption AES256');
    result.features['bucket-policy'] = await trySetting(
      () => putPolicy(client, bucket, { Version: '2012-10-17', Statement: [{ Sid: 'LakevaultProbe', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/lakevault-probe-never/*` }] }),
      async () => { const ok = (await readPolicy(client, bucket)).state === 'present'; await deletePolicy(client, bucket).catch(() => undefined); return ok; }, 'PutBucketPolicy');
    result.features['public-access-block'] = await trySetting(
      () => putPublicAccessBlock(client, bucket, { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true }),
      async () => { const r = await readPublicAccessBlock(client, bucket); return r.state === 'present' && Object.values(r.value).every(Boolean); }, 'PutPublicAccessBlock');
    result.features.versioning = await trySetting(
      () => putVersioning(client, bucket, 'Enabled'),
      async () => { const r = await readVersioning(client, bucket); return r.state === 'present' && r.value.status === 'Enabled'; }, 'PutBucketVersioning Enabled');
    result.features['object-lock'] = await tryObjectLock(store, lockBucket, result.scratchBuckets);
  } finally {
    progress('doctor: removing scratch buckets');
    result.cleanup = await removeScratch(store, result.scratchBuckets);
  }
  return result;
}

async function trySetting(write: () => Promise<void>, readBack: () => Promise<boolean>, what: string): Promise<FeatureResult> {
  try {
    await write();
  } catch (error) {
    const c = classifySettingError(error);
    return { supported: false, detail: `${what} refused: ${c.detail}` };
  }
  try {
    return (await readBack()) ? { supported: true, detail: `${what} accepted and read back` } : { supported: false, detail: `${what} accepted, but reading it back shows no effect` };
  } catch (error) {
    return { supported: false, detail: `${what} accepted, read-back failed: ${describeError(error)}` };
  }
}

async function tryUploadPartCopy(store: S3Store, bucket: string): Promise<FeatureResult> {
  const body = randomBytes(4096);
  try {
    await store.put(bucket, 'upc-source', body);
    await multipartCopy(store.client, { srcBucket: bucket, srcKey: 'upc-source', dstBucket: bucket, dstKey: 'upc-copy', size: body.length, partSize: 5 * 1024 * 1024, partConcurrency: 1 });
    const copied = Buffer.from(await store.getBytes(bucket, 'upc-copy'));
    return copied.equals(body) ? { supported: true, detail: 'multipart copy of 4 KiB read back byte-identical' } : { supported: false, detail: 'multipart copy completed but the bytes differ' };
  } catch (error) {
    return { supported: false, detail: `UploadPartCopy failed: ${describeError((error as { cause?: unknown }).cause ?? error)}` };
  }
}

/** Puts an object asking for SSE and reads the headers back: some servers accept and ignore. */
async function tryObjectEncryption(store: S3Store, bucket: string, key: string, params: Record<string, string>, expected: string, kmsKeyId?: string): Promise<FeatureResult> {
  try {
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('probe'), ...params }));
  } catch (error) {
    const hint = expected === 'aws:kms' && !kmsKeyId ? ' (try --kms-key-id with a key the server knows)' : '';
    return { supported: expected === 'aws:kms' && !kmsKeyId ? undefined : false, detail: `PutObject with ${expected} refused: ${describeError(error)}${hint}` };
  }
  const read = await readObjectProtection(store.client, bucket, key);
  if (read.state !== 'present') return { supported: false, detail: `HeadObject failed: ${read.detail}` };
  return read.value.encryption === expected
    ? { supported: true, detail: `object stored with ${expected}${read.value.kmsKeyId ? ` (key ${read.value.kmsKeyId})` : ''}` }
    : { supported: false, detail: `PutObject with ${expected} accepted, but the object reads back as ${read.value.encryption}: silently ignored` };
}

async function trySseC(store: S3Store, bucket: string): Promise<FeatureResult> {
  const key = randomBytes(32);
  try {
    await store.client.send(new PutObjectCommand({
      Bucket: bucket, Key: 'sse-c', Body: Buffer.from('probe'),
      SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
    }));
  } catch (error) {
    return { supported: false, detail: `PutObject with SSE-C refused: ${describeError(error)}` };
  }
  const withoutKey = await readObjectProtection(store.client, bucket, 'sse-c');
  const withKey = await readObjectProtection(store.client, bucket, 'sse-c', key);
  if (withoutKey.state === 'present' && withoutKey.value.encryption === 'SSE-C' && withKey.state === 'present' && withKey.value.encryption === 'SSE-C') {
    return { supported: true, detail: 'HEAD without the key refused (400), with the key it shows SSECustomerAlgorithm AES256' };
  }
  return { supported: false, detail: `SSE-C accepted but not applied (HEAD without key: ${withoutKey.state === 'present' ? withoutKey.value.encryption : withoutKey.detail})` };
}

/** Lock-enabled bucket, a GOVERNANCE-retained object, and a delete that must be refused. */
async function tryObjectLock(store: S3Store, bucket: string, scratch: string[]): Promise<FeatureResult> {
  const client = store.client;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    scratch.push(bucket);
  } catch (error) {
    return { supported: false, detail: `CreateBucket with object lock refused: ${describeError(error)}` };
  }
  const config = await readObjectLock(client, bucket);
  if (config.state !== 'present' || !config.value.enabled) return { supported: false, detail: `bucket created, but GetObjectLockConfiguration shows ${config.state === 'present' ? 'no lock' : config.detail}` };
  try {
    const put = await client.send(new PutObjectCommand({
      Bucket: bucket, Key: 'locked', Body: Buffer.from('probe'),
      ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
    }));
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'locked', VersionId: put.VersionId }));
      return { supported: false, detail: 'lock configuration reported, but a GOVERNANCE-retained version was deleted without bypass' };
    } catch (error) {
      return { supported: true, detail: `enabled; deleting a GOVERNANCE-retained version without bypass was refused (${describeError(error)})` };
    }
  } catch (error) {
    return { supported: false, detail: `lock configuration reported, but PutObject with retention failed: ${describeError(error)}` };
  }
}

async function removeScratch(store: S3Store, buckets: string[]): Promise<ProbeResult['cleanup']> {
  const left: string[] = [];
  for (const bucket of buckets) {
    try {
      await deleteAllVersions(store.client, bucket).catch(async () => {
        // Servers without ListObjectVersions: a plain listing finds every object.
        const keys: string[] = [];
        for await (const o of store.list(bucket, '')) keys.push(o.key);
        await store.deleteKeys(bucket, keys);
      });
      await store.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
      left.push(`${bucket} (${describeError(error)})`);
    }
  }
  return left.length ? { ok: false, detail: `could not remove: ${left.join(', ')}` } : { ok: true, detail: `removed ${buckets.join(', ') || 'nothing'}` };
}
