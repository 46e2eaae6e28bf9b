import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describeConfig, loadConfig, withManifestKey } from '../../src/config/config';
import { ConfigError, IntegrityError } from '../../src/errors';
import { loadManifestKey, ManifestKey } from '../../src/config/manifest-key';
import { authenticationStatus, requireAuthentic, signManifest } from '../../src/snapshot/authentication';
import type { SnapshotManifest } from '../../src/snapshot/manifest';

const SECRET = 'a manifest key for the unit tests';

const manifest = (): SnapshotManifest => ({
  format: 'lakevault.snapshot', formatVersion: 2, kind: 'backup', id: '20261129T031500Z-a1b2c3', createdAt: '2026-11-29T03:15:00Z', completedAt: '2026-11-29T03:15:09Z',
  toolVersion: '0.1.0', tags: ['weekly'],
  source: { table: 'vendas', uri: 's3://lake/warehouse/vendas/', location: { endpoint: 'embedded', bucket: 'lake', prefix: 'warehouse/vendas/' }, generation: 'g1', manifestDigest: 'sha256:00', manifestEtag: 'e', tableCreatedAt: '2026-11-29T03:00:00Z' },
  schema: [{ name: 'id', type: 'Int64', nullable: false }],
  files: [{ relativeKey: 'data/part-0.parquet', bucket: 'lake-backups', key: 'vendas-1/20261129T031500Z-a1b2c3/data/part-0.parquet', size: 10, etag: 'abc', sourceEtag: 'abc', digest: 'd', columnDigests: { id: 'c' }, rows: 5, rowGroups: 1 }],
  totals: { files: 1, rows: 5, bytes: 10 }, contentDigest: 'cd',
  transfer: { copiedObjects: 1, copiedBytes: 10, reusedObjects: 0, reusedBytes: 0 },
});

describe('manifest authentication', () => {
  const key = new ManifestKey(SECRET);

  it('a signed manifest is authentic, whatever the order of its fields', () => {
    const signed = signManifest(manifest(), key);
    expect(signed.authentication).toMatchObject({ algorithm: 'HMAC-SHA256', keyId: key.id });
    expect(authenticationStatus(signed, key)).toBe('authentic');
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()))) as SnapshotManifest;
    expect(authenticationStatus(reordered, key)).toBe('authentic');
    expect(() => requireAuthentic(signed, key, 'here')).not.toThrow();
  });

  it.each([
    ['a file\'s size', (m: SnapshotManifest) => { m.files[0]!.size = 11; }],
    ['a file\'s key', (m: SnapshotManifest) => { m.files[0]!.key = 'vendas-1/other/data/part-0.parquet'; }],
    ['the content digest', (m: SnapshotManifest) => { m.contentDigest = 'other'; }],
    ['the source location', (m: SnapshotManifest) => { m.source.location!.prefix = 'warehouse/other/'; }],
    ['the tags', (m: SnapshotManifest) => { m.tags = ['legal']; }],
  ])('changing %s makes the MAC wrong', (_what, change) => {
    const signed = signManifest(manifest(), key);
    change(signed);
    expect(authenticationStatus(signed, key)).toBe('wrong');
    expect(() => requireAuthentic(signed, key, 'here')).toThrow(IntegrityError);
    expect(() => requireAuthentic(signed, key, 'here')).toThrow(/MAC is wrong/);
  });

  it('no MAC, or another key\'s, is refused with a key configured; nothing is checked without one', () => {
    expect(authenticationStatus(manifest(), key)).toBe('missing');
    expect(() => requireAuthentic(manifest(), key, 'here')).toThrow(/not authenticated/);
    const other = signManifest(manifest(), new ManifestKey('another key, also long enough'));
    expect(authenticationStatus(other, key)).toBe('other-key');
    expect(() => requireAuthentic(other, undefined, 'here')).not.toThrow();
  });

  it('the key comes from the environment or a file, never shows itself, and is refused when short or given twice', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lv-key-')), 'manifest.key');
    writeFileSync(file, `${SECRET}\n`);
    expect(loadManifestKey({ LAKEVAULT_MANIFEST_KEY: SECRET })!.id).toBe(key.id);
    expect(loadManifestKey({ LAKEVAULT_MANIFEST_KEY_FILE: file })!.id).toBe(key.id);
    expect(loadManifestKey({}, file)!.id).toBe(key.id);
    expect(loadManifestKey({})).toBeUndefined();
    expect(() => loadManifestKey({ LAKEVAULT_MANIFEST_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadManifestKey({ LAKEVAULT_MANIFEST_KEY: SECRET, LAKEVAULT_MANIFEST_KEY_FILE: file })).toThrow(/not both/);
    expect(() => loadManifestKey({ LAKEVAULT_MANIFEST_KEY_FILE: '/nonexistent/key' })).toThrow(/cannot be read: ENOENT/);
    for (const shown of [JSON.stringify({ key }), inspect(key), String(Object.values(key))]) expect(shown).not.toContain(SECRET);
  });

  it('is part of the configuration: from the variables, an option over them, kept out of what is shown', () => {
    const key = new ManifestKey(SECRET);
    const other = 'another key, also long enough';
    expect(loadConfig({}, {}).manifestKey).toBeUndefined();
    expect(loadConfig({}, { LAKEVAULT_MANIFEST_KEY: SECRET }).manifestKey!.id).toBe(key.id);
    expect(loadConfig({ manifestKey: other }, { LAKEVAULT_MANIFEST_KEY: SECRET }).manifestKey!.id).toBe(new ManifestKey(other).id);
    expect(() => loadConfig({}, { LAKEVAULT_MANIFEST_KEY: 'short' })).toThrow(ConfigError);
    const config = loadConfig({}, { LAKEVAULT_MANIFEST_KEY: SECRET });
    for (const shown of [JSON.stringify(config), JSON.stringify(describeConfig(config)), inspect(config, { depth: 5 })]) expect(shown).not.toContain(SECRET);
    // A configuration resolved without a key gets the one the variables hold; one that has a key keeps it.
    expect(withManifestKey(loadConfig({}, {}), {}, { LAKEVAULT_MANIFEST_KEY: SECRET }).manifestKey!.id).toBe(key.id);
    expect(withManifestKey(config, {}, { LAKEVAULT_MANIFEST_KEY: other }).manifestKey!.id).toBe(key.id);
    expect(withManifestKey(config, { manifestKey: other }, {}).manifestKey!.id).toBe(new ManifestKey(other).id);
  });
});
