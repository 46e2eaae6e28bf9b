import { z } from 'zod';
import { IntegrityError } from '../../errors';
import type { PrefixDescription } from '../../lake/describe';
import type { SnapshotManifest } from '../../snapshot/manifest';

/**
 * What a snapshot of a table lakevault did not write records of it, under
 * `source.origin.foreign` of the snapshot manifest: what the prefix was, so that a restore
 * puts it back key for key and writes no lakevault manifest into it.
 */
export const foreignOriginSchema = z.object({
  format: z.enum(['delta', 'iceberg', 'hive', 'parquet']),
  /** What was described: `delta-v7` or `listing-<sha>`. */
  generation: z.string(),
  deltaVersion: z.number().int().nonnegative().optional(),
  deltaLatestVersion: z.number().int().nonnegative().optional(),
  partitionColumns: z.array(z.string()),
  layout: z.record(z.string(), z.number()),
  drift: z.array(z.string()),
  warnings: z.array(z.string()),
});

export type ForeignOrigin = z.infer<typeof foreignOriginSchema>;

/** The origin a description gives a snapshot. */
export function describedOrigin(d: PrefixDescription): ForeignOrigin {
  return {
    format: d.format,
    generation: d.generation,
    ...(d.delta ? { deltaVersion: d.delta.version, deltaLatestVersion: d.delta.latestVersion } : {}),
    partitionColumns: d.delta?.partitionColumns.length ? d.delta.partitionColumns : d.partitions.columns,
    layout: d.layout,
    drift: d.drift.map((x) => x.message),
    warnings: d.warnings,
  };
}

/**
 * The foreign origin a snapshot records, undefined when it was taken of a lakevault table.
 * One that is there but does not read is an integrity error: guessing would restore the
 * snapshot the wrong way (renamed under a new generation, or key for key).
 */
export function foreignOrigin(snapshot: Pick<SnapshotManifest, 'kind' | 'id' | 'source'>): ForeignOrigin | undefined {
  const recorded = snapshot.source.origin?.foreign;
  if (recorded === undefined) return undefined;
  const parsed = foreignOriginSchema.safeParse(recorded);
  if (!parsed.success) {
    throw new IntegrityError(`${snapshot.kind} ${snapshot.id}: source.origin.foreign does not say what table it was taken of (${parsed.error.issues[0]?.path.join('.') || 'value'}: ${parsed.error.issues[0]?.message})`);
  }
  return parsed.data;
}
