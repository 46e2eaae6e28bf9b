import type { EncryptionOptions, ObjectStore } from './types';
import { UnsupportedError, UsageError } from '../errors';

/** What was asked for, as it may be shown: never key material. */
export function describeEncryption(encryption: EncryptionOptions): string {
  if (encryption.customerKey) return 'SSE-C (customer key not shown)';
  return encryption.sse === 'aws:kms' ? `SSE-KMS${encryption.kmsKeyId ? ` with key ${encryption.kmsKeyId}` : ''}` : 'SSE-S3 (AES256)';
}

/**
 * Refuses, before any request, to send an SSE-C key over plain HTTP to a host that is not
 * this machine: the key travels in a request header, readable by anyone on the path (AWS
 * refuses such requests too). `endpoint` is the store's URL ('AWS S3 (…)' for AWS: HTTPS).
 */
export function refuseCustomerKeyInClear(endpoint: string, encryption: EncryptionOptions | { customerKey?: Buffer } | undefined): void {
  if (!encryption?.customerKey || !endpoint.startsWith('http://')) return;
  const host = new URL(endpoint).hostname;
  if (isLoopback(host)) return;
  throw new UsageError(`refusing to send an SSE-C key over plain HTTP to ${host}: use an https:// endpoint (the key travels in a request header)`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/**
 * Reads back a written object and fails unless the server applied the requested
 * encryption. Some servers accept the headers and ignore them (Ceph RGW Pacific stores
 * "--sse AES256" objects unencrypted; the embedded server ignores all SSE): asked-for
 * protection the server does not give is a failure, never a warning.
 */
export async function requireEncryption(store: ObjectStore, bucket: string, key: string, requested: EncryptionOptions): Promise<void> {
  const head = await store.head(bucket, key, requested);
  const applied = !head ? 'missing' : head.sseCustomerAlgorithm ? 'SSE-C' : head.serverSideEncryption ?? 'none';
  const expected = requested.customerKey ? 'SSE-C' : requested.sse;
  if (applied === expected) return;
  const seen = applied === 'missing' ? 'nothing (the object is gone)' : applied === 'none' ? 'it unencrypted' : `it with ${applied}`;
  throw new UnsupportedError(`${describeEncryption(requested)} was requested, but ${store.endpoint} stored ${seen} at s3://${bucket}/${key}: the server does not give this protection (see \`lakevault doctor\`); nothing was kept`);
}
