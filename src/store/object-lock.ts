import {
  DeleteObjectsCommand, GetObjectLockConfigurationCommand, GetObjectRetentionCommand,
  ListObjectVersionsCommand, PutObjectRetentionCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { UnsupportedError } from '../errors';
import { errorName, httpStatus, isNotFound, isNotImplemented, translateStoreError } from './errors';
import type { DeleteResult, ObjectStore } from './types';

/**
 * Object lock (S3 WORM retention): reading a bucket's lock configuration, putting and
 * reading retention on objects, and deleting object versions with a governance bypass.
 * The S3 calls live here because ObjectStore keeps to what every server supports.
 */

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface BucketLockConfiguration {
  bucket: string;
  /** Object lock is switched on for the bucket (only possible at bucket creation). */
  enabled: boolean;
  /** The bucket's default retention for new objects, when one is set. */
  defaultRetention?: { mode: LockMode; days?: number; years?: number };
  /** Why `enabled` is false: no configuration, or the server has no object lock at all. */
  reason?: string;
}

export interface ObjectRetention {
  mode: LockMode;
  retainUntil: Date;
}

/** The SDK client behind a store; object lock needs calls the ObjectStore interface lacks. */
function clientOf(store: ObjectStore): S3Client {
  const client = (store as { client?: S3Client }).client;
  if (!client) throw new UnsupportedError(`object lock needs a direct S3 store, not ${store.constructor?.name ?? 'this store wrapper'}`);
  return client;
}

/** A bucket's object-lock configuration as S3 reports it. */
export interface ObjectLockSettings {
  enabled: boolean;
  /** The bucket's default retention for new objects, when one is set. */
  mode?: LockMode;
  days?: number;
  years?: number;
}

/**
 * GetObjectLockConfiguration, raw: the settings, or undefined when the bucket has none
 * (ObjectLockConfigurationNotFoundError). Other failures are thrown as the SDK raised
 * them, so a caller can classify them (the audit tells "unsupported" from "denied").
 */
export async function getObjectLockConfiguration(client: S3Client, bucket: string): Promise<ObjectLockSettings | undefined> {
  try {
    const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    const config = out.ObjectLockConfiguration;
    if (!config) return undefined;
    const rule = config.Rule?.DefaultRetention;
    return {
      enabled: config.ObjectLockEnabled === 'Enabled',
      ...(rule?.Mode ? { mode: rule.Mode as LockMode } : {}),
      ...(rule?.Days ? { days: rule.Days } : {}),
      ...(rule?.Years ? { years: rule.Years } : {}),
    };
  } catch (error) {
    if (errorName(error) === 'ObjectLockConfigurationNotFoundError') return undefined;
    throw error;
  }
}

/**
 * Whether a bucket can hold locked objects, with a reason a person can act on when it
 * cannot (no configuration, or a server without object lock). A missing bucket or denied
 * access are errors.
 */
export async function getBucketLockConfiguration(store: ObjectStore, bucket: string): Promise<BucketLockConfiguration> {
  try {
    const settings = await getObjectLockConfiguration(clientOf(store), bucket);
    if (!settings) return { bucket, enabled: false, reason: `bucket ${bucket} was created without object lock (it can only be enabled when a bucket is created)` };
    return {
      bucket,
      enabled: settings.enabled,
      ...(settings.mode ? { defaultRetention: { mode: settings.mode, ...(settings.days ? { days: settings.days } : {}), ...(settings.years ? { years: settings.years } : {}) } } : {}),
      ...(settings.enabled ? {} : { reason: `object lock is not enabled on bucket ${bucket}` }),
    };
  } catch (error) {
    const name = errorName(error);
    if (name === 'NoSuchBucket') throw translateStoreError(error, `read object-lock configuration of s3://${bucket}`, store.endpoint);
    if (isNotImplemented(error) || name === 'MethodNotAllowed' || httpStatus(error) === 405 || httpStatus(error) === 404) {
      return { bucket, enabled: false, reason: `${store.endpoint} does not support object lock (${name})` };
    }
    throw translateStoreError(error, `read object-lock configuration of s3://${bucket}`, store.endpoint);
  }
}

/** Fails with a clear UnsupportedError unless the bucket can hold locked objects. */
export async function requireObjectLock(store: ObjectStore, bucket: string): Promise<void> {
  const config = await getBucketLockConfiguration(store, bucket);
  if (!config.enabled) throw new UnsupportedError(`cannot lock backups: ${config.reason}`);
}

/** Puts retention on one object; an existing later date is left as it is (never shortened). */
export async function putObjectRetention(store: ObjectStore, bucket: string, key: string, retention: ObjectRetention, options: { bypassGovernance?: boolean } = {}): Promise<void> {
  const existing = await getObjectRetention(store, bucket, key);
  if (existing && existing.retainUntil.getTime() >= retention.retainUntil.getTime()) return;
  try {
    await clientOf(store).send(new PutObjectRetentionCommand({
      Bucket: bucket,
      Key: key,
      Retention: { Mode: retention.mode, RetainUntilDate: retention.retainUntil },
      ...(options.bypassGovernance ? { BypassGovernanceRetention: true } : {}),
    }));
  } catch (error) {
    throw translateStoreError(error, `put ${retention.mode} retention on s3://${bucket}/${key}`, store.endpoint);
  }
}

/** The retention of an object's current version, or undefined when it has none. */
export async function getObjectRetention(store: ObjectStore, bucket: string, key: string): Promise<ObjectRetention | undefined> {
  try {
    const out = await clientOf(store).send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key }));
    const retention = out.Retention;
    if (!retention?.Mode || !retention.RetainUntilDate) return undefined;
    return { mode: retention.Mode as LockMode, retainUntil: new Date(retention.RetainUntilDate) };
  } catch (error) {
    const name = errorName(error);
    if (name === 'NoSuchObjectLockConfiguration' || name === 'ObjectLockConfigurationNotFoundError' || name === 'InvalidRequest') return undefined;
    if (isNotFound(error) || isNotImplemented(error)) return undefined;
    throw translateStoreError(error, `read retention of s3://${bucket}/${key}`, store.endpoint);
  }
}

/**
 * Deletes every version of the given keys (on a versioned, lock-enabled bucket a plain
 * delete only adds a delete marker). With bypassGovernance, GOVERNANCE retention is
 * overridden (needs s3:BypassGovernanceRetention); COMPLIANCE retention never is.
 * Versions are found by listing under `prefix` and kept only when their key is one of
 * `keys`: the listing never widens what is deleted.
 */
export async function deleteObjectVersions(store: ObjectStore, bucket: string, prefix: string, keys: string[], options: { bypassGovernance?: boolean } = {}): Promise<DeleteResult> {
  const client = clientOf(store);
  const wanted = new Set(keys);
  const versions: { Key: string; VersionId: string }[] = [];
  try {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await client.send(new ListObjectVersionsCommand({
        Bucket: bucket, Prefix: prefix,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
      }));
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key && v.VersionId && wanted.has(v.Key)) versions.push({ Key: v.Key, VersionId: v.VersionId });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  } catch (error) {
    throw translateStoreError(error, `list versions in s3://${bucket}/${prefix}`, store.endpoint);
  }
  const result: DeleteResult = { deleted: [], errors: [] };
  for (let i = 0; i < versions.length; i += 1000) {
    const batch = versions.slice(i, i + 1000);
    try {
      const out = await client.send(new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch, Quiet: true },
        ...(options.bypassGovernance ? { BypassGovernanceRetention: true } : {}),
      }));
      const failed = new Set<string>();
      for (const err of out.Errors ?? []) {
        failed.add(`${err.Key}\u0000${err.VersionId}`);
        result.errors.push({ key: err.Key ?? '', code: err.Code ?? 'Error', message: err.Message ?? '' });
      }
      for (const v of batch) if (!failed.has(`${v.Key}\u0000${v.VersionId}`)) result.deleted.push(v.Key);
    } catch (error) {
      throw translateStoreError(error, `delete ${batch.length} object versions in s3://${bucket}`, store.endpoint);
    }
  }
  return result;
}
