import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEncryption, encryptionFromFlags } from '../../src/cli/encryption-flags';
import { UsageError } from '../../src/errors';

describe('--sse / --kms-key-id / --sse-c-key-file', () => {
  let dir: string;
  const key = randomBytes(32);
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'lv-sse-flags-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: Buffer | string) => { const path = join(dir, name); writeFileSync(path, content); return path; };

  it('maps the modes', () => {
    expect(encryptionFromFlags({})).toBeUndefined();
    expect(encryptionFromFlags({ sse: 'AES256' })).toEqual({ sse: 'AES256' });
    expect(encryptionFromFlags({ sse: 'aws:kms', kmsKeyId: 'testkey-1' })).toEqual({ sse: 'aws:kms', kmsKeyId: 'testkey-1' });
  });

  it('reads an SSE-C key as 32 raw bytes or as base64 text', () => {
    expect(encryptionFromFlags({ sseCKeyFile: file('raw.key', key) })!.customerKey!.equals(key)).toBe(true);
    expect(encryptionFromFlags({ sseCKeyFile: file('b64.key', `${key.toString('base64')}\n`) })!.customerKey!.equals(key)).toBe(true);
  });

  it('refuses conflicting, unknown or malformed input with usage errors that never show key material', () => {
    const cases: [object, RegExp][] = [
      [{ sse: 'AES256', sseCKeyFile: 'x' }, /cannot be combined/],
      [{ kmsKeyId: 'k' }, /needs --sse aws:kms/],
      [{ sse: 'aws:kms:dsse' }, /must be AES256 or aws:kms/],
      [{ sseCKeyFile: join(dir, 'missing.key') }, /cannot read .*ENOENT/],
      [{ sseCKeyFile: file('short.key', key.subarray(0, 16).toString('base64')) }, /must hold a 32-byte key/],
    ];
    for (const [flags, message] of cases) {
      let error: unknown;
      try { encryptionFromFlags(flags); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(key.subarray(0, 16).toString('base64'));
    }
  });

  it('describes encryption without key material', () => {
    const text = describeEncryption({ customerKey: key });
    expect(text).toBe('SSE-C (customer key not shown)');
    expect(text).not.toContain(key.toString('base64'));
    expect(describeEncryption({ sse: 'aws:kms', kmsKeyId: 'testkey-1' })).toBe('SSE-KMS with key testkey-1');
  });
});
