import { createHash } from 'node:crypto';
import { NotFoundError, UsageError } from '../errors';
import { foreignSnapshotSource } from '../lake/snapshot-source';
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

/**
 * Reads the table manifest (bytes kept for their digest). A prefix without one that holds
 * objects is described by src/lake (a table lakevault did not write; `version` picks a
 * Delta version); an empty one is not found.
 */
export async function readSnapshotSource(store: ObjectStore, table: TableRef, options: { version?: number } = {}): Promise<TableSnapshotSource> {
  const { bucket, prefix } = table.location;
  const key = prefix + TABLE_MANIFEST;
  const head = await store.head(bucket, key);
  if (!head) {
    return foreignSnapshotSource(store, table, options).catch((error: unknown) => {
      throw error instanceof NotFoundError && options.version === undefined ? new NotFoundError(`table "${table.name}" not found (no manifest at s3://${bucket}/${key}, no objects under the prefix)`) : error;
    });
  }
  if (options.version !== undefined) throw new UsageError(`--delta-version applies to Delta tables; ${table.uri} is a lakevault table`);
  const bytes = await store.getBytes(bucket, key);
  return {
    table,
    manifest: parseTableManifest(Buffer.from(bytes).toString('utf8'), `s3://${bucket}/${key}`),
    manifestDigest: 'sha256:' + createHash('sha256').update(bytes).digest('hex'),
    manifestEtag: head.etag,
  };
}

/** The generation the table's manifest names now, or undefined when the table is gone. */
export async function currentGeneration(store: ObjectStore, table: TableRef, options: { version?: number } = {}): Promise<string | undefined> {
  try {
    return (await readSnapshotSource(store, table, options)).manifest.generation;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
