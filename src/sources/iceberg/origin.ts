import { z } from 'zod';
import { IntegrityError } from '../../errors';
import type { SnapshotManifest } from '../../snapshot/manifest';

/**
 * What a snapshot of an Iceberg table records of it, under `source.origin.iceberg` (beside
 * `source.origin.foreign`, which says it is a table lakevault did not write): the metadata
 * file it was read from and the snapshot it holds, so that a restore can write that
 * metadata anew — pinned to the snapshot, and rewritten for a new location.
 */
export const icebergOriginSchema = z.object({
  /** The metadata file read, relative to the table prefix. */
  metadataKey: z.string().min(1),
  foundBy: z.enum(['given', 'version-hint', 'newest']),
  /** The table location the metadata records (paths are resolved against it). */
  location: z.string().min(1),
  formatVersion: z.number().int(),
  /** The snapshot held (64-bit: a string, exact); none for a table without snapshots. */
  snapshotId: z.string().regex(/^-?\d+$/).optional(),
  /** The branch or tag it was chosen by. */
  ref: z.string().optional(),
  /** Every snapshot of the metadata file was backed up, not only the one. */
  history: z.boolean(),
  /** The snapshot's live files as its manifests count them; deletes are carried, never applied. */
  files: z.object({
    manifests: z.number().int().nonnegative(),
    dataFiles: z.number().int().nonnegative(),
    records: z.number().int().nonnegative(),
    positionDeleteFiles: z.number().int().nonnegative(),
    positionDeletes: z.number().int().nonnegative(),
    equalityDeleteFiles: z.number().int().nonnegative(),
    equalityDeletes: z.number().int().nonnegative(),
    deletionVectors: z.number().int().nonnegative(),
  }),
});

export type IcebergOrigin = z.infer<typeof icebergOriginSchema>;

/** The Iceberg origin a snapshot records; undefined when it has none (not an Iceberg snapshot, or one taken as a plain prefix). */
export function icebergOrigin(snapshot: Pick<SnapshotManifest, 'kind' | 'id' | 'source'>): IcebergOrigin | undefined {
  const recorded = snapshot.source.origin?.['iceberg'];
  if (recorded === undefined) return undefined;
  const parsed = icebergOriginSchema.safeParse(recorded);
  if (!parsed.success) {
    throw new IntegrityError(`${snapshot.kind} ${snapshot.id}: source.origin.iceberg does not say which Iceberg snapshot it holds (${parsed.error.issues[0]?.path.join('.') || 'value'}: ${parsed.error.issues[0]?.message})`);
  }
  return parsed.data;
}
