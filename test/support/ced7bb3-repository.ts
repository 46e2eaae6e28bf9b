import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore } from '../../src/store/types';

/**
 * The repository lakevault ced7bb3 (layout 1) wrote, from test/fixtures/ced7bb3-repository
 * (see make.js there: how it was made, and what it holds), uploaded under fresh bucket
 * names: `lv-fixture-<role>` becomes `<prefix>-<role>` in bucket names and in the
 * manifests' text (table manifests name no bucket, so their digests still hold).
 */
export interface Ced7bb3Repository {
  buckets: { lake: string; other: string; backups: string; checkpoints: string };
  /** The configuration that points at them. */
  env: { LAKEVAULT_WAREHOUSE: string; LAKEVAULT_BACKUPS: string; LAKEVAULT_CHECKPOINTS: string };
  /** B1 (deleted, its files kept for B2), B2 (reuses B1's files), B3. */
  ids: { b1: string; b2: string; b3: string };
  /** Every object uploaded, `bucket/key size`. */
  objects: string[];
}

interface Fixture {
  ids: Ced7bb3Repository['ids'];
  objects: { bucket: string; key: string; text?: string; base64?: string }[];
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'ced7bb3-repository', 'objects.json');

export async function loadCed7bb3Repository(store: ObjectStore, prefix: string): Promise<Ced7bb3Repository> {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
  const rename = (text: string) => text.split('lv-fixture-').join(`${prefix}-`);
  const objects: string[] = [];
  const made = new Set<string>();
  for (const object of fixture.objects) {
    const bucket = rename(object.bucket);
    if (!made.has(bucket)) { await store.ensureBucket(bucket); made.add(bucket); }
    const body = object.text !== undefined ? rename(object.text) : Buffer.from(object.base64!, 'base64');
    await store.put(bucket, object.key, body, object.key.endsWith('.json') ? { contentType: 'application/json' } : {});
    objects.push(`${bucket}/${object.key} ${Buffer.byteLength(body)}`);
  }
  const buckets = { lake: `${prefix}-lake`, other: `${prefix}-other`, backups: `${prefix}-backups`, checkpoints: `${prefix}-checkpoints` };
  return {
    buckets,
    env: { LAKEVAULT_WAREHOUSE: `s3://${buckets.lake}/warehouse`, LAKEVAULT_BACKUPS: `s3://${buckets.backups}`, LAKEVAULT_CHECKPOINTS: `s3://${buckets.checkpoints}` },
    ids: fixture.ids,
    objects,
  };
}
