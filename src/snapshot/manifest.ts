import { z } from 'zod';
import { IntegrityError } from '../errors';
import { checkDistinctKeys, checkRelativeKey, keyInside } from '../store/key-boundary';
import type { ObjectStore } from '../store/types';
import { fieldSchema } from '../table/manifest';
import { parseStoredJson, type StoredFormat } from '../util/stored-json';
import { legacySeriesName, recordedSource, sameFamily, seriesName, type SourceIdentity } from './identity';
import type { SnapshotRepository } from './repository';

/**
 * The snapshot manifest: what a backup or checkpoint holds. It is written LAST; a
 * snapshot prefix without it is incomplete and is never restored from.
 *
 * Format versions: 1 (lakevault 0.1.0, layout `<root>/<table>/<id>/`) records its source as
 * `source.uri`; 2 adds `source.location` (bucket, prefix, endpoint), is filed under
 * `<root>/<name>-<hash>/<id>/` (snapshot/identity.ts) and may carry `authentication`.
 * Both are read; 2 is written.
 */
export const SNAPSHOT_FORMAT_VERSION = 2;
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

/** Where a snapshot's source was: recorded by format 2 (format 1 has only `source.uri`). */
export const sourceLocationSchema = z.object({ endpoint: z.string(), bucket: z.string(), prefix: z.string() });

export const snapshotManifestSchema = z.object({
  format: z.literal('lakevault.snapshot'),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
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
    location: sourceLocationSchema.optional(),
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
  /** Set when the snapshot holds no data files: taken with --allow-empty, of a table meant to be empty. */
  empty: z.literal(true).optional(),
  /** HMAC-SHA256 over the rest of the manifest, when a manifest key was configured (snapshot/authentication.ts). */
  authentication: z.object({ algorithm: z.literal('HMAC-SHA256'), keyId: z.string(), mac: z.string() }).optional(),
});

export type SnapshotFileRecord = z.infer<typeof snapshotFileSchema>;

/** Does a snapshot (its file records) hold no data file? Records without a kind are data. */
export function holdsNoData(files: readonly Pick<SnapshotFileRecord, 'kind'>[]): boolean {
  return !files.some((file) => (file.kind ?? 'data') === 'data');
}
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/**
 * The intent of a snapshot in progress: every key it will write (its own prefix) and
 * every earlier file it references. Incomplete snapshots are cleaned up from this list,
 * never from a listing; deletes of other snapshots keep the files it references.
 * No formatVersion = 1 (lakevault 0.1.0).
 */
export const pendingMarkerSchema = z.object({
  format: z.literal('lakevault.snapshot.pending'),
  formatVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  toolVersion: z.string().optional(),
  kind: z.enum(['backup', 'checkpoint']),
  id: z.string(),
  label: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: z.string(),
  source: z.object({ table: z.string(), uri: z.string(), location: sourceLocationSchema.optional(), generation: z.string() }),
  /** Keys (in the repository bucket) this snapshot writes, over all its attempts. */
  ownKeys: z.array(z.string()),
  /** Files of earlier snapshots it references: { bucket, key }. */
  references: z.array(z.object({ bucket: z.string(), key: z.string() })),
});
export type PendingMarker = z.infer<typeof pendingMarkerSchema>;

/** Left by a delete: no formatVersion = 1 (lakevault 0.1.0, which did not record the source). */
export const retainedMarkerSchema = z.object({
  format: z.literal('lakevault.snapshot.retained'),
  formatVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  toolVersion: z.string().optional(),
  id: z.string(),
  deletedAt: z.string(),
  /** The deleted snapshot's source (format 2). */
  source: z.object({ uri: z.string(), location: sourceLocationSchema.optional() }).optional(),
  /** Keys of the deleted snapshot still referenced by others; removed once unreferenced. */
  keys: z.array(z.string()),
});
export type RetainedMarker = z.infer<typeof retainedMarkerSchema>;

const MANIFEST_FORMAT: StoredFormat = { format: 'lakevault.snapshot', newest: SNAPSHOT_FORMAT_VERSION };
const PENDING_FORMAT: StoredFormat = { format: 'lakevault.snapshot.pending', newest: SNAPSHOT_FORMAT_VERSION };
const RETAINED_FORMAT: StoredFormat = { format: 'lakevault.snapshot.retained', newest: SNAPSHOT_FORMAT_VERSION };

/** The JSON each manifest was read from: what its MAC covers (snapshot/authentication.ts). */
const storedJson = new WeakMap<SnapshotManifest, unknown>();

/** The manifest as it was stored (every field, also those this version strips), if it was read. */
export function storedManifestJson(manifest: SnapshotManifest): unknown {
  return storedJson.get(manifest);
}

async function readStored<T>(store: ObjectStore, bucket: string, key: string, schema: z.ZodType<T>, format: StoredFormat): Promise<{ value: T; json: unknown; where: string } | undefined> {
  if (!(await store.head(bucket, key))) return undefined;
  const where = `s3://${bucket}/${key}`;
  const text = Buffer.from(await store.getBytes(bucket, key)).toString('utf8');
  return { ...parseStoredJson(schema, text, where, format), where };
}

type Recorded = { id: string; source: { uri: string; location?: { bucket: string; prefix: string; endpoint?: string } }; formatVersion?: number | undefined };

/** The series folder a manifest or marker belongs in: its location's (format 2) or the layout-1 one. */
export function folderOf(record: Recorded): string {
  const source = recordedSource(record.source, `snapshot ${record.id}`);
  return (record.formatVersion ?? 1) >= 2 ? seriesName(source) : legacySeriesName(source);
}

/**
 * Checks what a stored manifest or marker says about itself against where it was found:
 * its id is the folder's, and it is filed where its format files its source.
 */
function checkPlace(value: Recorded, series: string, id: string, where: string): SourceIdentity {
  if (value.id !== id) throw new IntegrityError(`${where} names snapshot ${value.id}, but lies in the folder of ${id}`);
  const source = recordedSource(value.source, where);
  if ((value.formatVersion ?? 1) >= 2 && !value.source.location) throw new IntegrityError(`${where} is format ${value.formatVersion} but does not record source.location`);
  if (series !== folderOf(value)) throw new IntegrityError(`${where} is a snapshot of ${source.uri}, which is not filed under ${series}`);
  return source;
}

/**
 * A file a snapshot reuses lies in a series folder of its own family: files are shared only
 * there, and that is all a delete reads to know who references the files it removes.
 */
function checkReusedKey(repo: SnapshotRepository, series: string, key: string, where: string): void {
  const rest = keyInside(repo.root.prefix, key, where);
  const folder = rest.slice(0, rest.indexOf('/'));
  if (!sameFamily(folder, series)) throw new IntegrityError(`${where}: reused file s3://${repo.root.bucket}/${key} lies in ${folder}/, among the snapshots of another table`);
}

/** Every key a manifest names stays inside its repository, its own copies inside its own prefix, reused ones in its family, and none is named twice. */
function checkManifestKeys(manifest: SnapshotManifest, repo: SnapshotRepository, series: string, own: string, where: string): void {
  for (const file of manifest.files) {
    checkRelativeKey(file.relativeKey, where, 'the table prefix');
    if (file.bucket !== repo.root.bucket) throw new IntegrityError(`${where}: file ${file.relativeKey} is stored in bucket ${file.bucket}, outside the repository s3://${repo.root.bucket}/${repo.root.prefix}`);
    if (file.reusedFrom) checkReusedKey(repo, series, file.key, where);
    else keyInside(own, file.key, where);
  }
  checkDistinctKeys(manifest.files.map((file) => file.relativeKey), where);
  checkDistinctKeys(manifest.files.map((file) => file.key), where);
}

export async function readSnapshotManifest(store: ObjectStore, repo: SnapshotRepository, series: string, id: string): Promise<SnapshotManifest | undefined> {
  const at = repo.snapshotLocation(series, id);
  const read = await readStored(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, snapshotManifestSchema, MANIFEST_FORMAT);
  if (!read) return undefined;
  checkPlace(read.value, series, id, read.where);
  checkManifestKeys(read.value, repo, series, at.prefix, read.where);
  storedJson.set(read.value, read.json);
  return read.value;
}

export async function readPendingMarker(store: ObjectStore, repo: SnapshotRepository, series: string, id: string): Promise<PendingMarker | undefined> {
  const at = repo.snapshotLocation(series, id);
  const read = await readStored(store, at.bucket, at.prefix + SNAPSHOT_PENDING, pendingMarkerSchema, PENDING_FORMAT);
  if (!read) return undefined;
  checkPlace(read.value, series, id, read.where);
  for (const key of read.value.ownKeys) keyInside(at.prefix, key, read.where);
  for (const ref of read.value.references) {
    if (ref.bucket !== repo.root.bucket) throw new IntegrityError(`${read.where}: reference s3://${ref.bucket}/${ref.key} is outside the repository`);
    checkReusedKey(repo, series, ref.key, read.where);
  }
  return read.value;
}

export async function readRetainedMarker(store: ObjectStore, repo: SnapshotRepository, series: string, id: string): Promise<RetainedMarker | undefined> {
  const at = repo.snapshotLocation(series, id);
  const read = await readStored(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, retainedMarkerSchema, RETAINED_FORMAT);
  if (!read) return undefined;
  if (read.value.id !== id) throw new IntegrityError(`${read.where} names snapshot ${read.value.id}, but lies in the folder of ${id}`);
  for (const key of read.value.keys) keyInside(at.prefix, key, read.where);
  return read.value;
}

/** The source a manifest or pending marker records (checked when it was read). */
export function sourceOf(record: SnapshotManifest | PendingMarker): SourceIdentity {
  return recordedSource(record.source, `${record.kind} ${record.id}`);
}

export async function writeJson(store: ObjectStore, bucket: string, key: string, value: unknown): Promise<{ etag: string }> {
  const stored = await store.put(bucket, key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
  return { etag: stored.etag };
}
