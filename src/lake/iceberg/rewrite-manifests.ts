import { IntegrityError } from '../../errors';
import type { AvroFile } from './avro';
import type { LocationRewrite } from './location-rewrite';
import { FileContent } from './manifests';

/** Field id of `file_path` in position delete files: its bounds in a delete file's metrics are paths. */
const DELETE_FILE_PATH_ID = 2147483546;

/**
 * A manifest list with each `manifest_path` at the new location and its `manifest_length`
 * set to the rewritten manifest's size: readers trust that length, and one that no longer
 * matches the object makes them drop the manifest's entries.
 */
export function rewriteManifestList(file: AvroFile, rewrite: LocationRewrite, newLengths: ReadonlyMap<string, bigint>): AvroFile {
  const records = file.records.map((record) => {
    const path = record['manifest_path'];
    if (typeof path !== 'string') throw new IntegrityError('Iceberg manifest list entry without manifest_path');
    const newPath = rewrite.path(path, 'manifest');
    const length = newLengths.get(path) ?? (newPath === path ? record['manifest_length'] : undefined);
    if (length === undefined) throw new IntegrityError(`Iceberg manifest ${path} was not rewritten: its new length is unknown`);
    return { ...record, manifest_path: newPath, manifest_length: length };
  });
  return { ...file, records };
}

/**
 * A manifest with each entry's file at the new location: `file_path`, the
 * `referenced_data_file` of position deletes and deletion vectors, and the path bounds of
 * position delete files (kept, rewritten, when they name one file; dropped otherwise, as
 * Iceberg does). Delete files whose bytes were rewritten too (they hold data file paths)
 * get their new `file_size_in_bytes` from `newSizes`.
 */
export function rewriteManifest(file: AvroFile, rewrite: LocationRewrite, newSizes: ReadonlyMap<string, bigint>): AvroFile {
  const records = file.records.map((record) => {
    const dataFile = record['data_file'] as Record<string, unknown> | undefined;
    if (!dataFile || typeof dataFile['file_path'] !== 'string') throw new IntegrityError('Iceberg manifest entry without data_file.file_path');
    const path = dataFile['file_path'];
    const rewritten: Record<string, unknown> = { ...dataFile, file_path: rewrite.path(path, 'data or delete file') };
    const size = newSizes.get(path);
    if (size !== undefined) rewritten['file_size_in_bytes'] = size;
    if (typeof dataFile['referenced_data_file'] === 'string') {
      rewritten['referenced_data_file'] = rewrite.path(dataFile['referenced_data_file'], 'referenced data file');
    }
    if (Number(dataFile['content'] ?? 0) === FileContent.PositionDeletes) Object.assign(rewritten, pathBounds(dataFile, rewrite));
    return { ...record, data_file: rewritten };
  });
  return { ...file, records };
}

interface Bound { key: number; value: Buffer }

function pathBounds(dataFile: Record<string, unknown>, rewrite: LocationRewrite): Record<string, unknown> {
  const lower = dataFile['lower_bounds'] as Bound[] | null | undefined;
  const upper = dataFile['upper_bounds'] as Bound[] | null | undefined;
  const lowerPath = lower?.find((b) => b.key === DELETE_FILE_PATH_ID);
  const upperPath = upper?.find((b) => b.key === DELETE_FILE_PATH_ID);
  if (!lowerPath && !upperPath) return {};
  const without = (bounds: Bound[] | null | undefined) => (bounds ? bounds.filter((b) => b.key !== DELETE_FILE_PATH_ID) : bounds);
  if (lowerPath && upperPath && Buffer.compare(lowerPath.value, upperPath.value) === 0) {
    const path = Buffer.from(rewrite.path(lowerPath.value.toString('utf8'), 'position delete bound'), 'utf8');
    const replace = (bounds: Bound[]) => bounds.map((b) => (b.key === DELETE_FILE_PATH_ID ? { ...b, value: path } : b));
    return { lower_bounds: replace(lower!), upper_bounds: replace(upper!) };
  }
  // Bounds over several files are only an optimisation: without them readers scan the file.
  return { lower_bounds: without(lower), upper_bounds: without(upper) };
}
