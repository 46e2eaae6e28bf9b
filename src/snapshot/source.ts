import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors';
import type { ObjectStore } from '../store/types';
import { parseTableManifest, TABLE_MANIFEST, type TableManifest } from '../table/manifest';
import type { TableRef } from '../table/table-ref';

/** A table's manifest as read at one moment: the generation a snapshot copies. */
export interface TableSnapshotSource {
  table: TableRef;
  manifest: TableManifest;
  /** sha256 of the manifest's bytes: which exact manifest the snapshot was taken from. */
  manifestDigest: string;
  manifestEtag: string;
}

/** Reads the table manifest (bytes kept for their digest); a table without one is not found. */
export async function readSnapshotSource(store: ObjectStore, table: TableRef): Promise<TableSnapshotSource> {
  const { bucket, prefix } = table.location;
  const key = prefix + TABLE_MANIFEST;
  const head = await store.head(bucket, key);
  if (!head) throw new NotFoundError(`table "${table.name}" not found (no manifest at s3://${bucket}/${key})`);
  const bytes = await store.getBytes(bucket, key);
  return {
    table,
    manifest: parseTableManifest(Buffer.from(bytes).toString('utf8'), `s3://${bucket}/${key}`),
    manifestDigest: 'sha256:' + createHash('sha256').update(bytes).digest('hex'),
    manifestEtag: head.etag,
  };
}

/** The generation the table's manifest names now, or undefined when the table is gone. */
export async function currentGeneration(store: ObjectStore, table: TableRef): Promise<string | undefined> {
  try {
    return (await readSnapshotSource(store, table)).manifest.generation;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
