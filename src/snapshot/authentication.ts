import { timingSafeEqual } from 'node:crypto';
import type { ManifestKey } from '../config/manifest-key';
import { IntegrityError } from '../errors';
import { storedManifestJson, type SnapshotManifest } from './manifest';

/**
 * Manifest authentication. Quick and full validation prove that a snapshot's objects are
 * what its manifest says; they cannot prove the manifest itself is lakevault's: someone who
 * can write the repository can replace a data file and edit the manifest to match (sizes,
 * ETags, digests), and the snapshot validates. With a key configured — never stored in a
 * bucket — every manifest lakevault writes carries an HMAC-SHA256 over all its other fields,
 * and validate, restore and recover refuse a manifest whose MAC is missing or wrong.
 */

/** JSON with keys sorted at every level: the same manifest gives the same text, whoever wrote it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What the MAC covers: every field of the manifest as stored, but the MAC itself. */
function signedText(manifest: SnapshotManifest): string {
  const stored = (storedManifestJson(manifest) ?? manifest) as Record<string, unknown>;
  const { authentication: _authentication, ...rest } = stored;
  return `lakevault.snapshot\n${canonical(rest)}`;
}

export function signManifest(manifest: SnapshotManifest, key: ManifestKey): SnapshotManifest {
  const { authentication: _authentication, ...rest } = manifest;
  return { ...rest, authentication: { algorithm: 'HMAC-SHA256', keyId: key.id, mac: key.mac(signedText(rest as SnapshotManifest)) } };
}

export type AuthenticationStatus = 'authentic' | 'missing' | 'other-key' | 'wrong';

/** Whether a manifest's MAC is the one this key gives. */
export function authenticationStatus(manifest: SnapshotManifest, key: ManifestKey): AuthenticationStatus {
  const auth = manifest.authentication;
  if (!auth) return 'missing';
  if (auth.keyId !== key.id) return 'other-key';
  const expected = Buffer.from(key.mac(signedText(manifest)), 'hex');
  const given = Buffer.from(auth.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'authentic' : 'wrong';
}

/**
 * Refuses a manifest that the configured key does not authenticate (nothing to check
 * without a key). Called wherever a snapshot is about to be trusted: validate, restore,
 * recover, and an incremental backup choosing files to reuse.
 */
export function requireAuthentic(manifest: SnapshotManifest, key: ManifestKey | undefined, where: string): void {
  if (!key) return;
  const status = authenticationStatus(manifest, key);
  if (status === 'authentic') return;
  const why = {
    missing: 'it is not authenticated (no MAC: written without a manifest key, or the MAC was removed)',
    'other-key': `its MAC was made with another key (${manifest.authentication?.keyId}, configured: ${key.id})`,
    wrong: 'its MAC is wrong: the manifest was changed after it was written',
  }[status];
  throw new IntegrityError(`${manifest.kind} ${manifest.id} (${where}) cannot be trusted: ${why}`);
}
