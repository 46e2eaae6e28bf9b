/**
 * A prefix holding Apache Iceberg metadata (`metadata/*.metadata.json`). `table inspect`
 * reads such a table from its metadata (summary.ts); backups and restores read it as the
 * Iceberg kind of table (src/sources/iceberg): one snapshot's files, its metadata rewritten
 * for a new location. The note says so, since the description lists every object.
 */
export interface IcebergInfo {
  /** metadata/*.metadata.json keys, newest (by name) last. */
  metadataFiles: string[];
  message: string;
}

const METADATA_JSON = /^metadata\/(?:[^/]*\/)*[^/]*\.metadata\.json(\.gz)?$/;

export function detectIceberg(relativeKeys: string[]): IcebergInfo | undefined {
  const metadataFiles = relativeKeys.filter((key) => METADATA_JSON.test(key)).sort();
  if (metadataFiles.length === 0) return undefined;
  return {
    metadataFiles,
    message: `Iceberg table (${metadataFiles.length} metadata/*.metadata.json): a backup holds the files of one snapshot, read from its metadata (not every object listed here); a restore to a new prefix rewrites the paths its metadata records`,
  };
}
