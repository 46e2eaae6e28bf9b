/**
 * What an object under a table prefix is, judged by its key alone: a data file, layout
 * noise the writing engine leaves behind, or a table format's own metadata. Engines
 * (Hadoop's FileInputFormat, Spark, Hive, DuckDB's globs, Delta) skip every path segment
 * that starts with '_' or '.', so lakevault does the same — but it names the usual
 * suspects so a report can say what they are.
 */
export type LayoutRole =
  | 'data'                 // a Parquet data file
  | 'success-marker'       // _SUCCESS (Hadoop output committer)
  | 'checksum'             // .part-00000.parquet.crc (Hadoop's local/raw filesystems)
  | 'temporary'            // _temporary/… (a job still running, or one that died)
  | 'commit-marker'        // _committed_<tid> / _started_<tid> (Databricks DBIO)
  | 'hive-staging'         // .hive-staging_hive_… (Hive insert in progress)
  | 'directory-marker'     // "dir/" (zero-byte folder object) or dir_$folder$ (EMR)
  | 'delta-log'            // _delta_log/… (Delta Lake transaction log)
  | 'iceberg-metadata'     // metadata/*.metadata.json, manifests (Iceberg)
  | 'iceberg-deletes'      // position or equality delete files, deletion vectors (named by Iceberg manifests, not by their key)
  | 'parquet-summary'      // _metadata, _common_metadata (Parquet summary files)
  | 'lakevault'            // _lakevault/… (lakevault's own manifests)
  | 'hidden'               // any other path segment starting with '_' or '.'
  | 'not-parquet';         // visible, but not a Parquet file (README, .csv, .json …)

export interface KeyClass {
  kind: 'data' | 'metadata';
  role: LayoutRole;
}

const PARQUET_NAME = /\.parquet$/i;
/** Spark's and Hive's output files without an extension: part-00000-<uuid>-c000 (probed by footer). */
const EXTENSIONLESS_PART = /^part-[^.]*$/;

/**
 * Classifies a key relative to the table prefix. `parquet` files and extension-less
 * `part-*` files are data (the caller confirms the latter by their footer); the rest is
 * metadata with the role it plays.
 */
export function classifyKey(relativeKey: string): KeyClass {
  const meta = (role: LayoutRole): KeyClass => ({ kind: 'metadata', role });
  if (relativeKey.endsWith('/') || relativeKey.endsWith('_$folder$')) return meta('directory-marker');
  const segments = relativeKey.split('/');
  const name = segments[segments.length - 1]!;
  const directories = segments.slice(0, -1);

  if (directories[0] === '_delta_log') return meta('delta-log');
  if (directories[0] === '_lakevault') return meta('lakevault');
  if (directories.some((dir) => dir === '_temporary' || dir.startsWith('_temporary'))) return meta('temporary');
  if (directories.some((dir) => dir.startsWith('.hive-staging'))) return meta('hive-staging');
  if (directories[0] === 'metadata' && isIcebergMetadataName(name)) return meta('iceberg-metadata');

  if (name === '_SUCCESS') return meta('success-marker');
  if (name.endsWith('.crc')) return meta('checksum');
  if (/^_(committed|started)_/.test(name)) return meta('commit-marker');
  if (name === '_metadata' || name === '_common_metadata') return meta('parquet-summary');
  if (name.startsWith('.hive-staging')) return meta('hive-staging');
  if (name.startsWith('_') || name.startsWith('.') || directories.some((dir) => dir.startsWith('_') || dir.startsWith('.'))) return meta('hidden');

  if (PARQUET_NAME.test(name) || EXTENSIONLESS_PART.test(name)) return { kind: 'data', role: 'data' };
  return meta('not-parquet');
}

/** Extension-less part files are data only if their footer reads: the caller probes them. */
export function needsProbe(relativeKey: string): boolean {
  const name = relativeKey.slice(relativeKey.lastIndexOf('/') + 1);
  return !PARQUET_NAME.test(name) && EXTENSIONLESS_PART.test(name);
}

/** Iceberg's metadata directory: table metadata JSON, manifest lists and manifests (Avro), version hint. */
export function isIcebergMetadataName(name: string): boolean {
  return /\.metadata\.json(\.gz)?$/.test(name) || name.endsWith('.avro') || name === 'version-hint.text' || /\.stats$/.test(name);
}

/** Counts of objects by role: how a report summarises the layout noise. */
export function countRoles(classes: Iterable<KeyClass>): Partial<Record<LayoutRole, number>> {
  const counts: Partial<Record<LayoutRole, number>> = {};
  for (const c of classes) counts[c.role] = (counts[c.role] ?? 0) + 1;
  return counts;
}
