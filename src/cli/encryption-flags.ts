import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import type { EncryptionOptions } from '../store/types';
import type { Location } from '../store/location';
import type { S3Store } from '../store/s3-store';
import { readObjectProtection } from '../store/bucket-settings';

export interface EncryptionFlags {
  sse?: string;
  kmsKeyId?: string;
  sseCKeyFile?: string;
}

export function addEncryptionOptions(command: Command): Command {
  return command
    .option('--sse <mode>', 'server-side encryption of written objects: AES256 or aws:kms')
    .option('--kms-key-id <id>', 'KMS key for --sse aws:kms')
    .option('--sse-c-key-file <file>', 'SSE-C: file holding the 32-byte key (raw, or base64); never printed');
}

/** Turns the flags into encryption options; conflicting or malformed flags are usage errors. */
export function encryptionFromFlags(flags: EncryptionFlags): EncryptionOptions | undefined {
  if (flags.sseCKeyFile && flags.sse) throw new UsageError('--sse and --sse-c-key-file cannot be combined');
  if (flags.kmsKeyId && flags.sse !== 'aws:kms') throw new UsageError('--kms-key-id needs --sse aws:kms');
  if (flags.sseCKeyFile) return { customerKey: readCustomerKey(flags.sseCKeyFile) };
  if (!flags.sse) return undefined;
  if (flags.sse !== 'AES256' && flags.sse !== 'aws:kms') throw new UsageError(`--sse must be AES256 or aws:kms, got "${flags.sse}"`);
  return { sse: flags.sse, ...(flags.kmsKeyId ? { kmsKeyId: flags.kmsKeyId } : {}) };
}

function readCustomerKey(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    throw new UsageError(`--sse-c-key-file: cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (raw.length === 32) return raw;
  const decoded = Buffer.from(raw.toString('utf8').trim(), 'base64');
  if (decoded.length === 32) return decoded;
  throw new UsageError(`--sse-c-key-file: "${file}" must hold a 32-byte key (raw or base64)`);
}

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
