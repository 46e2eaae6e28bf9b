import type { EncryptionOptions } from './types';
import type { Location } from './location';
import type { S3Store } from './s3-store';
import { readObjectProtection } from './bucket-settings';

/** What was asked for, as it may be shown: never key material. */
export function describeEncryption(encryption: EncryptionOptions): string {
  if (encryption.customerKey) return 'SSE-C (customer key not shown)';
  return encryption.sse === 'aws:kms' ? `SSE-KMS${encryption.kmsKeyId ? ` with key ${encryption.kmsKeyId}` : ''}` : 'SSE-S3 (AES256)';
}

/**
 * Reads back the first object written under a location and says when the server did not
 * apply the requested encryption. Some servers accept the headers and ignore them (Ceph
 * RGW Pacific stores "--sse AES256" objects unencrypted; the embedded server ignores all
 * SSE): a silent downgrade must not pass unnoticed.
 */
export async function encryptionWarning(store: S3Store, location: Location, requested: EncryptionOptions): Promise<string | undefined> {
  let key: string | undefined;
  // A data object: lakevault's own manifests under _lakevault/ are not what the flag asked to protect.
  for await (const object of store.list(location.bucket, location.prefix)) {
    if (!object.key.includes('_lakevault/')) { key = object.key; break; }
  }
  if (!key) return undefined;
  const read = await readObjectProtection(store.client, location.bucket, key, requested.customerKey);
  if (read.state !== 'present') return `could not verify the encryption of s3://${location.bucket}/${key}: ${read.detail}`;
  const expected = requested.customerKey ? 'SSE-C' : requested.sse;
  if (read.value.encryption === expected) return undefined;
  const seen = read.value.encryption === 'none' ? 'unencrypted' : read.value.encryption;
  return `${describeEncryption(requested)} was requested, but the server stored s3://${location.bucket}/${key} ${seen}: it does not support this mode (see \`lakevault doctor\`)`;
}
