import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptionFromFlags } from '../../src/cli/encryption-flags';
import { UsageError } from '../../src/errors';
import { refuseCustomerKeyInClear } from '../../src/store/encryption-check';

const dir = mkdtempSync(join(tmpdir(), 'lakevault-ssec-'));
const rawKey = randomBytes(32);
const rawFile = join(dir, 'raw.key');
writeFileSync(rawFile, rawKey);
const base64File = join(dir, 'b64.key');
writeFileSync(base64File, rawKey.toString('base64') + '\n');
const shortFile = join(dir, 'short.key');
writeFileSync(shortFile, 'not-a-key-but-a-secret-phrase');

function usageError(flags: Parameters<typeof encryptionFromFlags>[0]): UsageError {
  try {
    encryptionFromFlags(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('encryption flags', () => {
  it('no flags: no encryption requested', () => {
    expect(encryptionFromFlags({})).toBeUndefined();
  });

  it('--sse AES256 and --sse aws:kms [--kms-key-id]', () => {
    expect(encryptionFromFlags({ sse: 'AES256' })).toEqual({ sse: 'AES256' });
    expect(encryptionFromFlags({ sse: 'aws:kms' })).toEqual({ sse: 'aws:kms' });
    expect(encryptionFromFlags({ sse: 'aws:kms', kmsKeyId: 'testkey-1' })).toEqual({ sse: 'aws:kms', kmsKeyId: 'testkey-1' });
  });

  it('--sse-c-key-file reads a raw 32-byte key or its base64', () => {
    expect(encryptionFromFlags({ sseCKeyFile: rawFile })).toEqual({ customerKey: rawKey });
    expect(encryptionFromFlags({ sseCKeyFile: base64File })).toEqual({ customerKey: rawKey });
  });

  it.each([
    [{ sse: 'aes256' }, /--sse must be AES256 or aws:kms/],
    [{ sse: 'none' }, /--sse must be AES256 or aws:kms/],
    [{ kmsKeyId: 'k' }, /--kms-key-id needs --sse aws:kms/],
    [{ sse: 'AES256', kmsKeyId: 'k' }, /--kms-key-id needs --sse aws:kms/],
    [{ sse: 'AES256', sseCKeyFile: rawFile }, /cannot be combined/],
    [{ sseCKeyFile: join(dir, 'missing.key') }, /cannot read .*missing\.key.*ENOENT/],
  ])('rejects %j', (flags, message) => {
    expect(usageError(flags).message).toMatch(message);
  });

  it('a key file of the wrong length is refused without echoing its content', () => {
    const error = usageError({ sseCKeyFile: shortFile });
    expect(error.message).toMatch(/must hold a 32-byte key/);
    expect(error.message).not.toContain('secret-phrase');
  });
});

describe('SSE-C keys never travel in clear', () => {
  const customerKey = randomBytes(32);
  it.each([
    'http://10.0.0.7:9000',
    'http://s3.example.com',
    'http://127.0.0.1.nip.io:9000',
    'http://[2001:db8::1]:9000',
  ])('refuses SSE-C to %s (plain HTTP, not this machine) with a usage error', (endpoint) => {
    expect(() => refuseCustomerKeyInClear(endpoint, { customerKey })).toThrow(UsageError);
    expect(() => refuseCustomerKeyInClear(endpoint, { customerKey })).toThrow(/refusing to send an SSE-C key over plain HTTP to .*: use an https:\/\/ endpoint/);
  });

  it.each([
    'https://10.0.0.7:9000',
    'https://s3.example.com',
    'http://127.0.0.1:9000',
    'http://127.8.9.10:9000',
    'http://localhost:9000',
    'http://[::1]:9000',
    'AWS S3 (eu-west-1)',
  ])('lets SSE-C go to %s (TLS, or loopback)', (endpoint) => {
    expect(() => refuseCustomerKeyInClear(endpoint, { customerKey })).not.toThrow();
  });

  it('anything but SSE-C may use plain HTTP', () => {
    expect(() => refuseCustomerKeyInClear('http://10.0.0.7:9000', { sse: 'AES256' })).not.toThrow();
    expect(() => refuseCustomerKeyInClear('http://10.0.0.7:9000', undefined)).not.toThrow();
  });
});
