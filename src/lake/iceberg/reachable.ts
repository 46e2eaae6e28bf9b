import { IntegrityError } from '../../errors';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import { runPool } from '../../util/pool';
import { EntryStatus, FileContent, isDeletionVector, readManifest, readManifestList, type ContentFile, type ManifestEntry, type ManifestFile } from './manifests';
import { chooseSnapshot, type Snapshot } from './metadata';
import { isMetadataJsonKey, type IcebergTable } from './table';

/** What a file is to the table. */
export type IcebergFileRole =
  | 'metadata'              // a table metadata JSON file (the one read, or one of its metadata-log)
  | 'version-hint'          // metadata/version-hint.text (Hadoop tables)
  | 'manifest-list'
  | 'manifest'
  | 'data'
  | 'position-deletes'
  | 'equality-deletes'
  | 'deletion-vector'       // format 3: position deletes as a Puffin blob
  | 'statistics'            // Puffin table statistics of a snapshot
  | 'partition-statistics';

export interface ReachableFile {
  relativeKey: string;
  /** The path as the metadata records it. */
  path: string;
  role: IcebergFileRole;
  /** Bytes, where the metadata states them (manifest_length, file_size_in_bytes, file-size-in-bytes). */
  size?: number;
  /** Data and delete files: record_count. */
  records?: bigint;
}

/** A path that leaves the table (allowed only when the caller asks for it). */
export interface OutsideReference {
  path: string;
  role: IcebergFileRole;
  reason: string;
}

/** One snapshot's manifest list, manifests and entries (all of them: live and deleted). */
export interface SnapshotContents {
  snapshot: Snapshot;
  manifestList?: { path: string; relativeKey: string };
  manifests: (ManifestFile & { relativeKey: string })[];
  entries: (ManifestEntry & { manifestKey: string })[];
}

export interface ReadOptions {
  /** Keep paths outside the table prefix as OutsideReference instead of refusing them. */
  allowOutside?: boolean;
  /** Reads a file of the table by its relative key, where it is not under the table's prefix (a backup's files). */
  read?: (relativeKey: string) => Promise<Uint8Array>;
  /** Manifests read at once. */
  concurrency?: number;
}

export interface ReachableOptions extends ReadOptions {
  /** The snapshot: by id, by branch or tag, or every snapshot of the metadata file; default the current one. */
  snapshotId?: bigint;
  ref?: string;
  allSnapshots?: boolean;
}

export interface ReachableSet {
  /** The metadata file the set was read from (the start of the metadata chain). */
  metadataKey: string;
  snapshotIds: bigint[];
  files: ReachableFile[];
  outside: OutsideReference[];
}

/**
 * Reads manifest lists and manifests of one table, each manifest once however many
 * snapshots share it.
 */
export class IcebergReader {
  private readonly manifests = new Map<string, Promise<ManifestEntry[]>>();
  readonly outside: OutsideReference[] = [];

  constructor(private readonly store: ObjectStore, readonly table: IcebergTable, private readonly options: ReadOptions = {}) {}

  /** The key of a path under the table, or undefined (recorded as outside) when allowed to leave it. */
  key(path: string, role: IcebergFileRole): string | undefined {
    const resolved = this.table.paths.resolve(path);
    if (resolved.inside === true) return resolved.relativeKey;
    if (!this.options.allowOutside) throw new IntegrityError(`Iceberg ${role} ${path} is outside the table (${resolved.reason})`);
    if (!this.outside.some((o) => o.path === path)) this.outside.push({ path, role, reason: resolved.reason });
    return undefined;
  }

  async bytes(relativeKey: string): Promise<Uint8Array> {
    if (this.options.read) return this.options.read(relativeKey);
    const { bucket, prefix } = this.table.location;
    return this.store.getBytes(bucket, prefix + relativeKey);
  }

  async snapshotContents(snapshot: Snapshot): Promise<SnapshotContents> {
    const contents: SnapshotContents = { snapshot, manifests: [], entries: [] };
    let manifests: ManifestFile[];
    if (snapshot.manifestList !== undefined) {
      const key = this.key(snapshot.manifestList, 'manifest-list');
      if (key === undefined) return contents;
      contents.manifestList = { path: snapshot.manifestList, relativeKey: key };
      manifests = (await readManifestList(await this.bytes(key), key)).manifests;
    } else {
      // Format 1 snapshots may list their manifests in the metadata itself.
      manifests = (snapshot.manifests ?? []).map((path) => ({ path, length: -1n, partitionSpecId: 0, content: 0 }));
    }
    const located = manifests.flatMap((m) => {
      const key = this.key(m.path, 'manifest');
      return key === undefined ? [] : [{ ...m, relativeKey: key }];
    });
    contents.manifests = located;
    const entries = new Array<ManifestEntry[]>(located.length);
    await runPool(located.map((m, i) => ({ m, i })), this.options.concurrency ?? 8, async ({ m, i }) => {
      entries[i] = await this.manifestEntries(m.relativeKey);
    });
    located.forEach((m, i) => {
      for (const entry of entries[i]!) contents.entries.push({ ...entry, manifestKey: m.relativeKey });
    });
    return contents;
  }

  private manifestEntries(relativeKey: string): Promise<ManifestEntry[]> {
    let entries = this.manifests.get(relativeKey);
    if (!entries) {
      entries = this.bytes(relativeKey).then(async (bytes) => (await readManifest(bytes, relativeKey)).entries);
      this.manifests.set(relativeKey, entries);
    }
    return entries;
  }
}

/** The snapshots a reachable set is about. */
export function selectSnapshots(table: IcebergTable, options: ReachableOptions): Snapshot[] {
  if (options.allSnapshots) return table.metadata.snapshots;
  const one = chooseSnapshot(table.metadata, {
    ...(options.snapshotId !== undefined ? { snapshotId: options.snapshotId } : {}),
    ...(options.ref !== undefined ? { ref: options.ref } : {}),
  });
  return one ? [one] : [];
}

/**
 * Every object a reader of the chosen snapshot(s) needs, from the metadata file the
 * table was opened at: that file and the metadata files its metadata-log names (the
 * chain up to it), the version hint that named it, manifest lists, manifests, live data
 * and delete files (deletion-vector Puffin files once each), and the snapshots'
 * statistics and partition-statistics files.
 */
export async function reachableFiles(store: ObjectStore, table: IcebergTable, options: ReachableOptions = {}): Promise<ReachableSet> {
  const reader = new IcebergReader(store, table, options);
  const snapshots = selectSnapshots(table, options);
  const files = new Map<string, ReachableFile>();
  const add = (file: ReachableFile) => {
    const known = files.get(file.relativeKey);
    if (!known) { files.set(file.relativeKey, file); return; }
    if (known.size !== undefined && file.size !== undefined && known.size !== file.size && known.role === file.role && file.role !== 'manifest') {
      throw new IntegrityError(`Iceberg metadata gives ${file.relativeKey} two sizes: ${known.size} and ${file.size} bytes`);
    }
  };
  const addPath = (path: string, role: IcebergFileRole, extra: Partial<ReachableFile> = {}) => {
    const key = reader.key(path, role);
    if (key !== undefined) add({ relativeKey: key, path, role, ...extra });
  };

  add({ relativeKey: table.metadataKey, path: table.metadataKey, role: 'metadata' });
  if (table.foundBy === 'version-hint') add({ relativeKey: 'metadata/version-hint.text', path: 'metadata/version-hint.text', role: 'version-hint' });
  for (const entry of table.metadata.metadataLog) addPath(entry.metadataFile, 'metadata');

  const ids = new Set(snapshots.map((s) => s.snapshotId));
  for (const stats of table.metadata.statistics) if (ids.has(stats.snapshotId)) addPath(stats.path, 'statistics', sized(stats.sizeInBytes));
  for (const stats of table.metadata.partitionStatistics) if (ids.has(stats.snapshotId)) addPath(stats.path, 'partition-statistics', sized(stats.sizeInBytes));

  for (const snapshot of snapshots) {
    const contents = await reader.snapshotContents(snapshot);
    if (contents.manifestList) add({ ...contents.manifestList, role: 'manifest-list' });
    for (const manifest of contents.manifests) add({ relativeKey: manifest.relativeKey, path: manifest.path, role: 'manifest', ...(manifest.length >= 0n ? sized(Number(manifest.length)) : {}) });
    for (const entry of contents.entries) {
      if (entry.status === EntryStatus.Deleted) continue;
      addPath(entry.file.path, contentRole(entry.file), { ...sized(Number(entry.file.sizeInBytes)), records: entry.file.recordCount });
    }
  }
  return {
    metadataKey: table.metadataKey,
    snapshotIds: snapshots.map((s) => s.snapshotId),
    files: [...files.values()].sort((a, b) => (a.relativeKey < b.relativeKey ? -1 : a.relativeKey > b.relativeKey ? 1 : 0)),
    outside: reader.outside,
  };
}

export function contentRole(file: ContentFile): IcebergFileRole {
  if (isDeletionVector(file)) return 'deletion-vector';
  if (file.content === FileContent.PositionDeletes) return 'position-deletes';
  if (file.content === FileContent.EqualityDeletes) return 'equality-deletes';
  return 'data';
}

function sized(size: number | undefined): { size?: number } {
  return size === undefined ? {} : { size };
}

/** Objects under the prefix that the reachable set of every snapshot leaves out, and why. */
export interface Unreferenced {
  /** Reached by no snapshot of the metadata file read: what `remove_orphan_files` would remove. */
  orphans: ObjectInfo[];
  /** Not orphans though not reached: newer metadata files (commits after the one read), Hadoop `.crc` checksums of reached files, a version hint. */
  companions: { object: ObjectInfo; why: string }[];
}

export function unreferencedObjects(table: IcebergTable, listing: ObjectInfo[], everySnapshot: ReachableSet): Unreferenced {
  const reached = new Set(everySnapshot.files.map((f) => f.relativeKey));
  const orphans: ObjectInfo[] = [];
  const companions: Unreferenced['companions'] = [];
  for (const object of listing) {
    const key = object.key.slice(table.location.prefix.length);
    if (reached.has(key)) continue;
    const checksumOf = /^(.*\/)?\.([^/]+)\.crc$/.exec(key);
    if (checksumOf && reached.has(`${checksumOf[1] ?? ''}${checksumOf[2]}`)) companions.push({ object, why: 'checksum of a reached file' });
    else if (key === 'metadata/version-hint.text') companions.push({ object, why: 'version hint' });
    else if (isMetadataJsonKey(key)) companions.push({ object, why: 'metadata file not in the chain of the one read (a later commit, or an abandoned one)' });
    else if (key.endsWith('/')) companions.push({ object, why: 'directory marker' });
    else orphans.push(object);
  }
  return { orphans, companions };
}
