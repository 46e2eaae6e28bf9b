import type { IcebergChoice } from '../lake/describe';
import type { FileSet } from '../model/file-set';
import type { FieldDescription } from '../model/schema';
import type { SnapshotFileRecord, SnapshotManifest } from '../snapshot/manifest';
import type { SnapshotRepository } from '../snapshot/repository';
import type { HeadResult, ObjectInfo, ObjectStore } from '../store/types';
import type { InspectResult } from '../table/inspect';
import type { TableRef } from '../table/table-ref';

/**
 * The boundary between what lakevault does with a table (back it up, restore it, validate
 * it) and what kind of table it is (a lakevault table, a plain or Hive-partitioned prefix, a
 * Delta table, …). Each kind lives in its own folder under src/sources/ and is registered
 * once in sources/registry.ts; snapshot/, restore/, table/ and validate/ see only these
 * interfaces.
 */

/** A version a table's format can name; none = the newest. */
export interface VersionPin {
  /** A Delta table's version (a commit of its log). */
  deltaVersion?: number;
  /** An Iceberg table's snapshot, by id or branch/tag, read from a given metadata file. */
  iceberg?: IcebergChoice;
}

/** One file of a table version: where it is under the table, and what is known of its content. */
export interface VersionFile {
  /** Key relative to the table prefix. */
  key: string;
  bytes: number;
  etag: string;
  /** 'data' = a Parquet data file of the table; 'metadata' = anything else the version needs (logs, layout files). */
  kind: 'data' | 'metadata';
  /** Rows and row groups as the file's footer states them (0 for a file that is not Parquet). */
  rows: number;
  rowGroups: number;
  /** The content digest the writer recorded (lakevault writes one into every footer); others have none. */
  digest?: string;
  columnDigests?: Record<string, string>;
  /** The file's own schema where it differs from the version's (schema drift). */
  schema?: FieldDescription[];
}

/** The files of one consistent version of a table: what a snapshot copies, exactly. */
export interface TableVersion {
  /** Names the version: a lakevault generation, `delta-v7`, `listing-<sha256>`. */
  generation: string;
  /** sha256 of what named the version: the manifest's bytes, or the files' keys, sizes and ETags. */
  digest: string;
  /** ETag of the object that names the version (a lakevault table's manifest); none where a listing does. */
  etag?: string;
  /** When the version was written, where the table records it. */
  createdAt?: string;
  schema: FieldDescription[];
  files: VersionFile[];
  totals: { files: number; rows: number; bytes: number };
  /** The digest of the whole version's content, where the writer recorded one. */
  contentDigest?: string;
  /** What a snapshot records of where the version came from (the kind reads it back to restore it). */
  origin?: Record<string, unknown>;
  /** The object that names the version (relative to the table), which a restore writes anew rather than copies: a lakevault table's manifest. */
  manifestKey?: string;
}

/**
 * A table, read as the kind of table it is. The kind was chosen once, when the source was
 * opened (sources/registry.ts); every method reads the store anew.
 */
export interface TableSource<Inspection extends InspectResult = InspectResult> {
  /** The registered kind: 'lakevault', 'delta', 'prefix'. */
  readonly kind: string;
  readonly table: TableRef;
  /** The version this source reads; none = the newest. */
  readonly pin: VersionPin;
  /** What is stored, from the footers, compared with what the table says it holds (`table inspect`). */
  inspect(options: { concurrency: number }): Promise<Inspection>;
  /** The files of one consistent version, read now: what a snapshot copies. A table that is gone is a NotFoundError. */
  readVersion(): Promise<TableVersion>;
  /** The table as it is now, as the validator checks it: against its own manifest, or against a snapshot. */
  fileSet(): Promise<FileSet>;
}

/** One file a restore put in place: the snapshot's file, the key it got under the target (relative), the copy's ETag. */
export interface RestoredFile {
  file: SnapshotFileRecord;
  key: string;
  etag: string;
  /** Written with new bytes (a rewrite), not copied: their size. */
  rewritten?: { size: number };
}

/** What a restore does at its target, as the kind of the snapshot plans it (the engine is restore/restore.ts). */
export interface RestorePlan {
  /** Why the target is not free (a table, other objects), as the reason a restore without force refuses; undefined when it is free. */
  occupied?: string;
  /** 'replace' when a table stands at the target and the restore replaces it. */
  mode: 'new' | 'replace';
  /** Refusals that apply only once the target is to be replaced (a Delta log that runs past the snapshot's version). */
  checkReplace?(): Promise<void>;
  /**
   * Each snapshot file the restore copies server-side, and its key under the target
   * (relative); with a versionId, that version of the file (an earlier generation of a
   * table in a versioned bucket) is the source.
   */
  copies: { file: SnapshotFileRecord; key: string; versionId?: string }[];
  /** Files the restore writes with new bytes instead of copying them (metadata rewritten for the new location). */
  writes: { file: SnapshotFileRecord; key: string; bytes: Uint8Array }[];
  /** Whether what the restore wrote may be removed when it fails before its switch (never over objects it may have overwritten). */
  undoOnFailure: boolean;
  /** Just before the switch: the target is still as the plan found it. */
  checkUnchanged?(): Promise<void>;
  /** The switch, once every file is in place and checked: what the target now is, and what the switch removed. */
  commit(restored: RestoredFile[]): Promise<RestoreCommit>;
}

export interface RestoreCommit {
  /** The generation the target now has. */
  generation: string;
  replacedGeneration?: string;
  /** Objects of the replaced version removed after the switch. */
  removedObjects: number;
  rows: number;
  objects: number;
  bytes: number;
  /** The target as it now stands, to validate against the snapshot. */
  restored: FileSet;
  /** Where the restored table's metadata file is, for a catalog to register it (Iceberg). */
  metadataLocation?: string;
}

/** How a snapshot goes back into a table: the kind that took the snapshot plans it. */
export interface SnapshotRestorer {
  plan(store: ObjectStore, repo: SnapshotRepository, snapshot: SnapshotManifest, target: TableRef, options: { force: boolean }): Promise<RestorePlan>;
}

/** Chooses the kind of the table at a location and opens it (sources/registry.ts's openTableSource). */
export type OpenSource = (store: ObjectStore, table: TableRef) => Promise<TableSource>;

/** Chooses how a snapshot goes back: as the kind that took it (sources/registry.ts's snapshotRestorer). */
export type RestorerOf = (snapshot: SnapshotManifest) => SnapshotRestorer;

/** What the registry found at a location, read once and shared by the kinds it asks. */
export interface Probe {
  /** The lakevault table manifest's object, when there is one. */
  manifest(): Promise<HeadResult | undefined>;
  /** Every object under the prefix (one listing). */
  listing(): Promise<ObjectInfo[]>;
}

/** A kind of table: how to recognise one, open it, and put its snapshots back. */
export interface TableKind<Source extends TableSource = TableSource> {
  readonly name: string;
  /** Opens the table as this kind when what is stored there is one (undefined otherwise); a pin the kind cannot honour is a UsageError. */
  open(store: ObjectStore, table: TableRef, probe: Probe, pin: VersionPin): Promise<Source | undefined>;
  /** How a snapshot goes back, when this kind took it (read from what the snapshot records); undefined otherwise. */
  restorer(snapshot: SnapshotManifest): SnapshotRestorer | undefined;
}
