import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

/**
 * The key that authenticates snapshot manifests (snapshot/authentication.ts says how): part
 * of the configuration, read with the rest of it, never stored in a bucket.
 */
export class ManifestKey {
  readonly #key: Buffer;
  /** Names the key without revealing it: the same key gives the same id. */
  readonly id: string;

  constructor(secret: string) {
    // Any text of enough length is a key: HKDF turns it into the 32 bytes HMAC uses.
    this.#key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'lakevault', 'manifest authentication', 32));
    this.id = this.mac('lakevault manifest key id').slice(0, 16);
  }

  mac(text: string): string {
    return createHmac('sha256', this.#key).update(text, 'utf8').digest('hex');
  }

  /** Never the key: a key printed, logged or serialized by mistake shows only its id. */
  toJSON(): string {
    return `manifest key ${this.id}`;
  }
}

export const MIN_KEY_LENGTH = 16;

/**
 * The manifest key from `LAKEVAULT_MANIFEST_KEY` (the key itself) or
 * `LAKEVAULT_MANIFEST_KEY_FILE` (a file holding it; a flag may name the file instead);
 * none = manifests are not authenticated. Problems are configuration errors (exit 2), and
 * their messages never hold the key.
 */
export function loadManifestKey(env: Record<string, string | undefined>, keyFile?: string): ManifestKey | undefined {
  const file = keyFile ?? env.LAKEVAULT_MANIFEST_KEY_FILE;
  const inline = env.LAKEVAULT_MANIFEST_KEY;
  if (file && inline) throw new ConfigError('give the manifest key once: LAKEVAULT_MANIFEST_KEY or a key file (LAKEVAULT_MANIFEST_KEY_FILE, --manifest-key-file), not both');
  let secret = inline;
  if (file) {
    try {
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`manifest key file "${file}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < MIN_KEY_LENGTH) {
    throw new ConfigError(`the manifest key must be at least ${MIN_KEY_LENGTH} characters (e.g. the output of \`openssl rand -base64 32\`)`);
  }
  return new ManifestKey(secret);
}
