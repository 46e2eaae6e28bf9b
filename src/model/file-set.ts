import type { FieldDescription } from './schema';

/**
 * One file of a table, backup or checkpoint as its manifest (or description) records it.
 * This is the common currency of backup, restore, recovery and validation: each of them
 * turns what it reads into a FileSet, and the validator compares FileSets.
 */
export interface SnapshotFile {
  /** Key relative to the snapshot's root: the name under which files are compared. */
  relativeKey: string;
  /** Where the bytes really are (a backup may point into an older backup's objects). */
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /**
   * ETag of the table file this copy was made from, when it was copied (backups,
   * checkpoints). A multipart copy gets a new ETag ("…-N") for the same bytes: compare
   * sourceEtag with the table's etag for identity in that case.
   */
  sourceEtag?: string;
  /** 'data' = a Parquet data file; 'metadata' = anything else that belongs to the snapshot. */
  kind: 'data' | 'metadata';
  rows?: number;
  rowGroups?: number;
  digest?: string;
  columnDigests?: Record<string, string>;
  /** The file's own schema when it differs from the set's (schema drift in a table lakevault did not write). */
  schema?: FieldDescription[];
}

export interface FileSet {
  kind: 'table' | 'backup' | 'checkpoint' | 'prefix';
  /** What a person calls it: `table vendas`, `backup 20261207T192747.396Z-4b3673`. */
  label: string;
  uri: string;
  hasManifest: boolean;
  files: SnapshotFile[];
  schema?: FieldDescription[];
  totals?: { files: number; rows: number; bytes: number };
  contentDigest?: string;
  /** Some of a subject's files (a verification cycle's slice): other objects under `uri` are not strays. */
  partial?: boolean;
}

/** What a file holds, which a table's and a snapshot's manifest both record in these terms. */
export type FileContent = Pick<SnapshotFile, 'rows' | 'rowGroups' | 'digest' | 'columnDigests'>;

/**
 * The one mapping from a manifest's file record to a SnapshotFile. Only where the bytes
 * are is said differently by the manifests (a table's keys are relative to its prefix, a
 * snapshot's files may live in an older snapshot), so the callers say that.
 */
export function manifestFile(where: Omit<SnapshotFile, keyof FileContent>, content: FileContent): SnapshotFile {
  return { ...where, rows: content.rows, rowGroups: content.rowGroups, digest: content.digest, columnDigests: content.columnDigests };
}

/** The FileSet of a manifest: table and snapshot manifests carry the schema, totals and content digest alike. */
export function manifestFileSet(
  about: Pick<FileSet, 'kind' | 'label' | 'uri'>,
  manifest: { schema: FieldDescription[]; totals: NonNullable<FileSet['totals']>; contentDigest: string },
  files: SnapshotFile[],
): FileSet {
  return { ...about, hasManifest: true, files, schema: manifest.schema, totals: manifest.totals, contentDigest: manifest.contentDigest };
}
