/**
 * A prefix holding Apache Iceberg metadata (`metadata/*.metadata.json`). `table inspect`
 * reads such a table natively (summary.ts); backups do not yet: the prefix is treated
 * like any prefix lakevault did not write, and every object is copied (data files, manifests, manifest lists, metadata JSON), so the backup holds the
 * whole table. What that does NOT give, and the warning says:
 *  - Iceberg metadata records ABSOLUTE paths (s3://bucket/prefix/data/…): a copy restored
 *    to another prefix still points at the original files. Restore to the same prefix
 *    (after a loss) is what brings the table back;
 *  - a writer committing during the backup can leave metadata naming files the listing
 *    did not see (the backup is consistent only with a quiet table).
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
    message: `Iceberg table (${metadataFiles.length} metadata/*.metadata.json): backups do not read Iceberg natively yet — every object under the prefix is copied as is; Iceberg metadata holds absolute paths, so a restore brings the table back only at its original prefix, and a backup is consistent only if no writer commits meanwhile`,
  };
}
