import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/config';
import { openStore, type OpenStore } from '../../src/store/open';

/** Which server the suite runs against: 'rgw' | 'minio' | 'embedded' | 'custom'. */
export const TARGET = process.env.LAKEVAULT_TEST_TARGET ?? 'custom';

/** Features each target is known to lack (see docs/S3-SERVERS.md). */
const MISSING: Record<string, string[]> = {
  embedded: ['versioning', 'sse-kms', 'sse-s3', 'sse-c', 'object-lock', 'bucket-policy', 'public-access-block', 'bucket-encryption', 'if-match', 'copy-if-match', 'multipart-listing', 'signatures'],
  rgw: ['bucket-encryption', 'sse-s3'],
  minio: [],
  custom: [],
};

export function targetHas(feature: string): boolean {
  return !(MISSING[TARGET] ?? []).includes(feature);
}

/**
 * `it` when the target has the feature; otherwise a skipped test whose name and log say
 * why — never a silent pass.
 */
export function itWith(feature: string): jest.It {
  if (targetHas(feature)) return it;
  const skipped = ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    process.stdout.write(`skipped on ${TARGET}: "${name}" needs ${feature}, which this server lacks\n`);
    return it.skip(`${name} [skipped: ${TARGET} lacks ${feature}]`, fn, timeout);
  }) as unknown as jest.It;
  return skipped;
}

/** Configuration for the suite's target, with overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({}, { ...process.env, LAKEVAULT_HOME: '/tmp/lakevault-test-home', ...overrides });
}

export async function openTestStore(overrides: Record<string, string> = {}): Promise<OpenStore> {
  return openStore(testConfig(overrides));
}

/** A bucket name no other test uses: tests never share buckets. */
export function uniqueBucket(label: string): string {
  return `lv-${label.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Every object of these buckets (key, size, ETag) and which of them do not exist, sorted:
 * taken before and after a command that must change nothing.
 */
export async function storeState(open: OpenStore, buckets: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const name of buckets) {
    if (!(await open.store.bucketExists(name))) { lines.push(`${name} (no bucket)`); continue; }
    for await (const object of open.store.list(name, '')) lines.push(`${name}/${object.key} ${object.size} ${object.etag}`);
  }
  return lines.sort();
}

/** Deletes every object of a bucket and the bucket (test clean-up). */
export async function removeBucket(open: OpenStore, bucket: string): Promise<void> {
  if (!(await open.store.bucketExists(bucket))) return;
  const keys: string[] = [];
  for await (const object of open.store.list(bucket, '')) keys.push(object.key);
  await open.store.deleteKeys(bucket, keys);
  await open.store.deleteBucket(bucket).catch(() => undefined);
}
