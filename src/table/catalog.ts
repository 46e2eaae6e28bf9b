import { ConflictError, NotFoundError } from '../errors';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { readTableManifest, TABLE_MANIFEST, type TableManifest } from './manifest';
import type { TableRef } from './table-ref';

export interface TableSummary {
  name: string;
  uri: string;
  rows?: number;
  files?: number;
  bytes?: number;
  createdAt?: string;
  generation?: string;
  /** Set when the prefix exists but its manifest cannot be read. */
  error?: string;
}

/** A prefix under the warehouse with objects but no lakevault manifest. */
export interface PrefixWithoutManifest {
  name: string;
  uri: string;
}

/**
 * What a warehouse holds: its tables (one per prefix with a lakevault manifest) and, so that
 * nothing is left where nothing lists it, the prefixes that hold objects but no manifest —
 * what a killed `table drop` or an interrupted write leaves, or another engine's table.
 */
export async function listWarehouse(store: ObjectStore, warehouse: Location): Promise<{ tables: TableSummary[]; withoutManifest: PrefixWithoutManifest[] }> {
  const contents = { tables: [] as TableSummary[], withoutManifest: [] as PrefixWithoutManifest[] };
  if (!(await store.bucketExists(warehouse.bucket))) return contents;
  for await (const prefix of store.listCommonPrefixes(warehouse.bucket, warehouse.prefix)) {
    const name = prefix.slice(warehouse.prefix.length).replace(/\/$/, '');
    const location = { bucket: warehouse.bucket, prefix };
    const uri = `s3://${warehouse.bucket}/${prefix}`;
    try {
      const manifest = await readTableManifest(store, location);
      if (manifest) contents.tables.push({ name, uri, rows: manifest.totals.rows, files: manifest.totals.files, bytes: manifest.totals.bytes, createdAt: manifest.createdAt, generation: manifest.generation });
      else contents.withoutManifest.push({ name, uri });
    } catch (error) {
      contents.tables.push({ name, uri, error: (error as Error).message });
    }
  }
  return contents;
}

/** The tables of a warehouse: one per prefix that holds a lakevault manifest. */
export async function listTables(store: ObjectStore, warehouse: Location): Promise<TableSummary[]> {
  return (await listWarehouse(store, warehouse)).tables;
}

export interface DropResult {
  table: string;
  uri: string;
  deletedObjects: number;
  errors: { key: string; code: string; message: string }[];
}

/**
 * Drops a table: the manifest first (the table is gone in one step), then its files,
 * then anything else left under the prefix (files of interrupted writes).
 * Without a manifest it refuses unless forced: a prefix it does not know is not its to empty.
 */
export async function dropTable(store: ObjectStore, table: TableRef, options: { force?: boolean } = {}): Promise<DropResult> {
  const { bucket, prefix } = table.location;
  const manifest = await readTableManifest(store, table.location);
  if (!manifest && !options.force) {
    throw new NotFoundError(`table "${table.name}" not found (no manifest at ${table.uri}${TABLE_MANIFEST}); use --force to empty the prefix anyway`);
  }
  await refuseUnlisted(store, table, manifest, options.force === true);
  const errors: DropResult['errors'] = [];
  let deletedObjects = 0;
  if (manifest) {
    const first = await store.deleteKeys(bucket, [prefix + TABLE_MANIFEST]);
    errors.push(...first.errors);
    if (first.errors.length) return { table: table.name, uri: table.uri, deletedObjects: 0, errors };
    deletedObjects += first.deleted.length;
    const files = await store.deleteKeys(bucket, manifest.files.map((file) => prefix + file.key));
    deletedObjects += files.deleted.length;
    errors.push(...files.errors);
  }
  const rest: string[] = [];
  for await (const object of store.list(bucket, prefix)) rest.push(object.key);
  const leftovers = await store.deleteKeys(bucket, rest);
  deletedObjects += leftovers.deleted.length;
  errors.push(...leftovers.errors);
  return { table: table.name, uri: table.uri, deletedObjects, errors };
}

/**
 * Before a drop deletes anything: a table nested in the prefix is never taken with it, and
 * objects the manifest does not list (another engine's, a README, what a killed run left)
 * go only with --force.
 */
async function refuseUnlisted(store: ObjectStore, table: TableRef, manifest: TableManifest | undefined, force: boolean): Promise<void> {
  const { bucket, prefix } = table.location;
  const listed = new Set([prefix + TABLE_MANIFEST, ...(manifest?.files ?? []).map((file) => prefix + file.key)]);
  const unlisted: string[] = [];
  for await (const object of store.list(bucket, prefix)) {
    if (object.key.endsWith('/' + TABLE_MANIFEST) && object.key !== prefix + TABLE_MANIFEST) {
      throw new ConflictError(`${table.uri} holds table s3://${bucket}/${object.key.slice(0, -TABLE_MANIFEST.length)}: drop it first; nothing was deleted`);
    }
    if (!listed.has(object.key)) unlisted.push(object.key);
  }
  if (manifest && unlisted.length && !force) {
    throw new ConflictError(`${table.uri} holds ${unlisted.length} object(s) the manifest does not list (first: ${unlisted[0]}); nothing was deleted — use --force to delete them with the table`);
  }
}
