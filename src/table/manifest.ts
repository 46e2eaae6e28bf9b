import { z } from 'zod';
import { NotFoundError } from '../errors';
import { checkDistinctKeys, checkRelativeKey } from '../store/key-boundary';
import type { ObjectStore } from '../store/types';
import type { Location } from '../store/location';
import { parseStoredJson } from '../util/stored-json';

/** Where a table keeps its manifest, relative to the table prefix. */
export const TABLE_MANIFEST = '_lakevault/table.json';

export const fieldSchema = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });

export const dataFileSchema = z.object({
  /** Key relative to the table prefix, e.g. data/part-00000-<generation>.parquet */
  key: z.string().min(1),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  etag: z.string(),
  /** Content digest of the file's rows (see src/digest), also in the file's footer. */
  digest: z.string(),
  columnDigests: z.record(z.string(), z.string()),
  rowGroups: z.number().int().nonnegative(),
});

/** The newest table manifest format this lakevault writes and reads (it reads every older one). */
export const TABLE_FORMAT_VERSION = 1;

export const tableManifestSchema = z.object({
  format: z.literal('lakevault.table'),
  formatVersion: z.literal(TABLE_FORMAT_VERSION),
  name: z.string(),
  /** Identifies one write of the table; file names carry it so generations never collide. */
  generation: z.string(),
  createdAt: z.string(),
  toolVersion: z.string(),
  schema: z.array(fieldSchema),
  files: z.array(dataFileSchema),
  totals: z.object({ files: z.number().int(), rows: z.number().int(), bytes: z.number().int() }),
  /** Digest over the files' digests in key order: the table's content in one value. */
  contentDigest: z.string(),
  /** How the data was produced, e.g. { generator: 'sales', seed: 42 }. */
  source: z.record(z.string(), z.unknown()).optional(),
});

export type DataFile = z.infer<typeof dataFileSchema>;
export type TableManifest = z.infer<typeof tableManifestSchema>;

/**
 * Parses and checks a manifest's JSON; a bad one — not JSON, a newer format, not the
 * schema, a file key that leaves the table prefix or is listed twice — is an error naming where it is.
 */
export function parseTableManifest(text: string, where: string): TableManifest {
  const what = `manifest ${where}`;
  const { value } = parseStoredJson(tableManifestSchema, text, what, { format: 'lakevault.table', newest: TABLE_FORMAT_VERSION });
  for (const file of value.files) checkRelativeKey(file.key, what, 'the table prefix');
  checkDistinctKeys(value.files.map((file) => file.key), what);
  return value;
}

/** The table's manifest, or undefined when the prefix has none. */
export async function readTableManifest(store: ObjectStore, table: Location): Promise<TableManifest | undefined> {
  const key = table.prefix + TABLE_MANIFEST;
  const head = await store.head(table.bucket, key);
  if (!head) return undefined;
  const bytes = await store.getBytes(table.bucket, key);
  return parseTableManifest(Buffer.from(bytes).toString('utf8'), `s3://${table.bucket}/${key}`);
}

export async function requireTableManifest(store: ObjectStore, table: Location, name: string): Promise<TableManifest> {
  const manifest = await readTableManifest(store, table);
  if (!manifest) throw new NotFoundError(`table "${name}" not found (no manifest at s3://${table.bucket}/${table.prefix}${TABLE_MANIFEST})`);
  return manifest;
}

export async function writeTableManifest(store: ObjectStore, table: Location, manifest: TableManifest): Promise<void> {
  await store.put(table.bucket, table.prefix + TABLE_MANIFEST, JSON.stringify(manifest, null, 2) + '\n', { contentType: 'application/json' });
}
