import type { ObjectStore } from '../store/types';
import { readFooter } from '../parquet/footer';
import { runPool } from '../util/pool';
import { requireTableManifest, TABLE_MANIFEST } from './manifest';
import { schemaDifferences, type FieldDescription } from '../model/schema';
import type { TableRef } from './table-ref';

export interface InspectedFile {
  key: string;
  rows: number;
  rowGroups: number;
  bytes: number;
  etag: string;
  schema?: FieldDescription[];
  error?: string;
}

export interface InspectResult {
  table: string;
  uri: string;
  hasManifest: boolean;
  generation?: string;
  createdAt?: string;
  schema: FieldDescription[];
  files: InspectedFile[];
  totals: { files: number; rows: number; bytes: number };
  /** Where footers and the manifest disagree (rows, files, schema), and objects the manifest does not list. */
  problems: string[];
  otherObjects: string[];
  /** Objects under the prefix that the manifest does not list (left by an interrupted write, restore or drop, or another tool's). */
  unlisted?: string[];
}

/**
 * Describes a table from what is really stored: lists the prefix, reads the footer of every
 * file the manifest lists with range GETs (no data pages), and compares the two. Objects
 * the manifest does not list are not table files: each is a problem (what an interrupted
 * write, restore or drop left, or another tool wrote), never counted.
 */
export async function inspectTable(store: ObjectStore, table: TableRef, concurrency: number): Promise<InspectResult> {
  const { bucket, prefix } = table.location;
  const manifest = await requireTableManifest(store, table.location, table.name);
  const listedKeys = new Set(manifest.files.map((file) => file.key));
  const parquetObjects: { key: string; size: number; etag: string }[] = [];
  const otherObjects: string[] = [];
  const unlisted: string[] = [];
  for await (const object of store.list(bucket, prefix)) {
    const relative = object.key.slice(prefix.length);
    if (relative === TABLE_MANIFEST) continue;
    if (listedKeys.has(relative)) {
      parquetObjects.push({ key: relative, size: object.size, etag: object.etag });
    } else {
      unlisted.push(relative);
      if (!relative.endsWith('.parquet')) otherObjects.push(relative);
    }
  }
  const files: InspectedFile[] = new Array(parquetObjects.length);
  await runPool(parquetObjects.map((object, index) => ({ object, index })), concurrency, async ({ object, index }) => {
    try {
      const footer = await readFooter(store, bucket, prefix + object.key, object.size, object.etag);
      files[index] = { key: object.key, rows: footer.rows, rowGroups: footer.rowGroups, bytes: object.size, etag: object.etag, schema: footer.schema };
    } catch (error) {
      files[index] = { key: object.key, rows: 0, rowGroups: 0, bytes: object.size, etag: object.etag, error: (error as Error).message };
    }
  });

  const problems: string[] = [];
  const schema = manifest.schema;
  for (const file of files) {
    if (file.error) { problems.push(`${file.key}: ${file.error}`); continue; }
    for (const difference of schemaDifferences(schema, file.schema ?? [])) problems.push(`${file.key}: schema drift: ${difference}`);
  }
  const stored = new Map(files.map((file) => [file.key, file]));
  for (const listed of manifest.files) {
    const found = stored.get(listed.key);
    if (!found) problems.push(`${listed.key}: listed in the manifest but missing`);
    else if (!found.error && found.rows !== listed.rows) problems.push(`${listed.key}: ${found.rows} rows in the footer, ${listed.rows} in the manifest`);
    else if (found.bytes !== listed.bytes || found.etag !== listed.etag) problems.push(`${listed.key}: size/ETag differ from the manifest`);
  }
  for (const key of unlisted) problems.push(`${key}: not listed in the manifest (left by an interrupted write, restore or drop, or written by another tool): not part of the table`);
  return {
    table: table.name,
    uri: table.uri,
    hasManifest: true,
    generation: manifest.generation,
    createdAt: manifest.createdAt,
    schema,
    files,
    totals: {
      files: files.length,
      rows: files.reduce((sum, file) => sum + file.rows, 0),
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    },
    problems,
    otherObjects,
    ...(unlisted.length ? { unlisted } : {}),
  };
}
