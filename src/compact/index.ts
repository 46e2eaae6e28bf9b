import { NotFoundError } from '../errors';
import { isS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import { readTableManifest } from '../table/manifest';
import type { TableRef } from '../table/table-ref';
import { compactPrefix } from './prefix';
import type { CompactOptions, CompactResult } from './report';
import { compactManifestTable } from './table';

export { checkTarget, DEFAULT_TARGET_ROWS, MAX_TARGET_FILE_MB, type CompactTarget } from './plan';
export type { CompactOptions, CompactResult } from './report';

/**
 * `table compact`: many small files rewritten into fewer of the target size, the content
 * proven equal before anything is switched. A lakevault table switches at its manifest;
 * a prefix without one (Hive-style Parquet) is compacted partition by partition.
 */
export async function compactTable(store: ObjectStore, ref: TableRef, uriGiven: string, options: CompactOptions): Promise<CompactResult> {
  if (await readTableManifest(store, ref.location)) return compactManifestTable(store, ref, options);
  if (!isS3Uri(uriGiven)) throw new NotFoundError(`table "${ref.name}" not found (no manifest at ${ref.uri}_lakevault/table.json)`);
  return compactPrefix(store, ref, options);
}
