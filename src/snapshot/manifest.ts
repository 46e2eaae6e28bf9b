import { z } from 'zod';
import { IntegrityError } from '../errors';
import type { ObjectStore } from '../store/types';
import { fieldSchema } from '../table/manifest';
import type { SnapshotRepository } from './repository';

/**
 * The snapshot manifest: what a backup or checkpoint holds. It is written LAST; a
 * snapshot prefix without it is incomplete and is never restored from.
 */
export const SNAPSHOT_MANIFEST = '_lakevault/snapshot.json';
/** Written FIRST: names every key the snapshot may write or reference (see PendingMarker). */
export const SNAPSHOT_PENDING = '_lakevault/pending.json';
/** Left by a delete when other snapshots still reference some of its files. */
export const SNAPSHOT_RETAINED = '_lakevault/retained.json';

export const snapshotFileSchema = z.object({
  /** Key relative to the table prefix (and to the snapshot prefix): data/part-…parquet */
  relativeKey: z.string().min(1),
  /** Where the bytes are: this snapshot's own copy, or a file of an earlier snapshot. */
  bucket: z.string(),
  key: z.string(),
  size: z.number().int().nonnegative(),
  /** ETag of the stored copy (differs from the source's after a multipart copy). */
  etag: z.string(),
  /** ETag of the table's file the copy was made from (the copy was pinned to it). */
  sourceEtag: z.string(),
  digest: z.string(),
  columnDigests: z.record(z.string(), z.string()),
  rows: z.number().int().nonnegative(),
  rowGroups: z.number().int().nonnegative(),
  /** Set when the file is referenced from an earlier snapshot instead of copied. */
  reusedFrom: z.string().optional(),
  /** Tables lakevault did not write (src/lake): 'metadata' for layout noise and logs; absent = 'data'. */
  kind: z.enum(['data', 'metadata']).optional(),
  /** Tables lakevault did not write: the file's own schema when it drifts from the table's. */
  schema: z.array(fieldSchema).optional(),
});

export const snapshotManifestSchema = z.object({
  format: z.literal('lakevault.snapshot'),
  formatVersion: z.literal(1),
  kind: z.enum(['backup', 'checkpoint']),
  id: z.string(),
  label: z.string().optional(),
  /** Free words to find and keep the snapshot by (`--tag`; retention's `--keep-tag`). */
  tags: z.array(z.string()).optional(),
  /** When the snapshot was started (its id carries the same instant). */
  createdAt: z.string(),
  completedAt: z.string(),
  toolVersion: z.string(),
  source: z.object({
    table: z.string(),
    uri: z.string(),
    generation: z.string(),
    /** sha256 of the table manifest's bytes as read, and its ETag. */
    manifestDigest: z.string(),
    manifestEtag: z.string(),
    tableCreatedAt: z.string(),
    /** The table manifest's `source` (how the data was produced). */
    origin: z.record(z.string(), z.unknown()).optional(),
  }),
  schema: z.array(fieldSchema),
  files: z.array(snapshotFileSchema),
  totals: z.object({ files: z.number().int(), rows: z.number().int(), bytes: z.number().int() }),
  contentDigest: z.string(),
  /** What this run copied and what it referenced from earlier snapshots. */
  transfer: z.object({ copiedObjects: z.number().int(), copiedBytes: z.number().int(), reusedObjects: z.number().int(), reusedBytes: z.number().int() }),
  lock: z.object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), retainUntil: z.string() }).optional(),
});

export type SnapshotFileRecord = z.infer<typeof snapshotFileSchema>;
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/**
 * The intent of a snapshot in progress: every key it will write (its own prefix) and
 * every earlier file it references. Incomplete snapshots are cleaned up from this list,
 * never from a listing; deletes of other snapshots keep the files it references.
 */
export const pendingMarkerSchema = z.object({
  format: z.literal('lakevault.snapshot.pending'),
  kind: z.enum(['backup', 'checkpoint']),
  id: z.string(),
  label: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: z.string(),
  source: z.object({ table: z.string(), uri: z.string(), generation: z.string() }),
  /** Keys (in the repository bucket) this snapshot writes, over all its attempts. */
  ownKeys: z.array(z.string()),
  /** Files of earlier snapshots it references: { bucket, key }. */
  references: z.array(z.object({ bucket: z.string(), key: z.string() })),
});
export type PendingMarker = z.infer<typeof pendingMarkerSchema>;

export const retainedMarkerSchema = z.object({
  format: z.literal('lakevault.snapshot.retained'),
  id: z.string(),
  deletedAt: z.string(),
  /** Keys of the deleted snapshot still referenced by others; removed once unreferenced. */
  keys: z.array(z.string()),
});
export type RetainedMarker = z.infer<typeof retainedMarkerSchema>;

function parseJson<T>(schema: z.ZodType<T>, bytes: Uint8Array, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new IntegrityError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IntegrityError(`${where} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

async function readMarker<T>(store: ObjectStore, bucket: string, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  if (!(await store.head(bucket, key))) return undefined;
  return parseJson(schema, await store.getBytes(bucket, key), `s3://${bucket}/${key}`);
}

export function readSnapshotManifest(store: ObjectStore, repo: SnapshotRepository, table: string, id: string): Promise<SnapshotManifest | undefined> {
  const at = repo.snapshotLocation(table, id);
  return readMarker(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, snapshotManifestSchema);
}

export function readPendingMarker(store: ObjectStore, repo: SnapshotRepository, table: string, id: string): Promise<PendingMarker | undefined> {
  const at = repo.snapshotLocation(table, id);
  return readMarker(store, at.bucket, at.prefix + SNAPSHOT_PENDING, pendingMarkerSchema);
}

export function readRetainedMarker(store: ObjectStore, repo: SnapshotRepository, table: string, id: string): Promise<RetainedMarker | undefined> {
  const at = repo.snapshotLocation(table, id);
  return readMarker(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, retainedMarkerSchema);
}

export async function writeJson(store: ObjectStore, bucket: string, key: string, value: unknown): Promise<{ etag: string }> {
  const stored = await store.put(bucket, key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
  return { etag: stored.etag };
}
