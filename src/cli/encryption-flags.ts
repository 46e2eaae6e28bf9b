import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import type { EncryptionOptions } from '../store/types';

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

// How requested encryption is described and verified lives with the store (the library uses it too).
export { describeEncryption } from '../store/encryption-check';
