import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';

/**
 * The operations area of a backup repository: `<backups>/_lakevault/`, beside the tables'
 * backups. Table names start with a letter or digit, so it never collides with a table.
 * It holds what unattended operation needs to remember: the reports of past operations
 * (history/, status/), verification cycles (cycles/) and backup plan runs (runs/).
 */
export const OPS_FOLDER = '_lakevault/';

export function opsArea(backups: Location): Location {
  return { bucket: backups.bucket, prefix: backups.prefix + OPS_FOLDER };
}

/**
 * A key segment for a subject (table name, s3:// URI, "a vs b"): readable names stay as
 * they are, anything else becomes a short hash, so no subject can leave its folder.
 */
export function subjectSegment(subject: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(subject) && !subject.includes('..')) return subject;
  return 'h-' + createHash('sha256').update(subject).digest('hex').slice(0, 24);
}

/** A stored JSON document, or undefined when there is none. Any other failure is thrown. */
export async function readJson<T>(store: ObjectStore, bucket: string, key: string): Promise<T | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.getBytes(bucket, key);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

export async function writeJson(store: ObjectStore, bucket: string, key: string, value: unknown): Promise<void> {
  await store.put(bucket, key, JSON.stringify(value, null, 1), { contentType: 'application/json' });
}

/** A sortable UTC stamp for keys: 20261129T031500.123Z. */
export function stamp(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '');
}
