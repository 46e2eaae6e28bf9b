import { IntegrityError, NotFoundError } from '../../errors';
import type { ObjectStore } from '../../store/types';
import { runPool } from '../../util/pool';
import { readAvroFile, writeAvroFile } from './avro';
import { metadataBytes, parseMetadataBytes } from './json';
import { LocationRewrite } from './location-rewrite';
import { EntryStatus, FileContent, isDeletionVector } from './manifests';
import { joinLocation } from './paths';
import { IcebergReader, contentRole, selectSnapshots, type IcebergFileRole, type OutsideReference, type ReachableOptions } from './reachable';
import { rewritePositionDeleteFile, rewritePuffinReferences } from './rewrite-deletes';
import { rewriteManifest, rewriteManifestList } from './rewrite-manifests';
import { rewriteMetadataDocument } from './rewrite-metadata';
import type { IcebergTable } from './table';

/** A metadata file the metadata-log names: a rewrite needs every one (engines may read them to time-travel). */
async function chainFile(reader: IcebergReader, key: string, from: string): Promise<Uint8Array> {
  try {
    return await reader.bytes(key);
  } catch (error) {
    if (error instanceof NotFoundError) throw new IntegrityError(`Iceberg metadata file ${key}, named by the metadata-log of ${from}, does not exist: a moved table would log a metadata file that is not there, so lakevault does not move a table whose metadata chain is incomplete`);
    throw error;
  }
}

/** A file the rewritten table needs with new bytes (its paths changed). */
export interface RewrittenFile {
  relativeKey: string;
  role: IcebergFileRole;
  bytes: Uint8Array;
  /** The source object's size, where the metadata states it. */
  sourceSize?: number;
}

/** A file that moves unchanged: the same relative key under the target prefix. */
export interface CopiedFile {
  relativeKey: string;
  role: IcebergFileRole;
  size?: number;
}

export interface RewritePlan {
  sourceLocation: string;
  targetLocation: string;
  /** The rewritten metadata file the moved table starts from (what a catalog's register_table takes). */
  metadataLocation: string;
  snapshotIds: bigint[];
  rewritten: RewrittenFile[];
  copies: CopiedFile[];
  /** Paths left as they were, outside the table (only with allowOutside). */
  outside: OutsideReference[];
}

export interface RewriteOptions extends Omit<ReachableOptions, 'allSnapshots'> {
  /** The location the moved table will record, e.g. `s3://bucket/prefix`. */
  targetLocation: string;
  /** Every snapshot of the metadata file (the default), or only the one chosen by snapshotId/ref. */
  allSnapshots?: boolean;
}

/**
 * What moving a table to `targetLocation` takes, as Iceberg's `rewrite_table_path`
 * computes it but without Spark or a catalog: the new bytes of every metadata file of the
 * chain, of the chosen snapshots' manifest lists and manifests, of their position delete
 * files and deletion vectors (which hold data file paths), and the copy plan for the files
 * that move unchanged (data files, equality deletes, statistics, the version hint).
 * Nothing is written: the caller puts `rewritten` and copies `copies` (same relative key).
 */
export async function planTableRewrite(store: ObjectStore, table: IcebergTable, options: RewriteOptions): Promise<RewritePlan> {
  const rewrite = new LocationRewrite(table.paths, options.targetLocation, options.allowOutside ? { allowOutside: true } : {});
  const reader = new IcebergReader(store, table, options);
  const allSnapshots = options.allSnapshots ?? (options.snapshotId === undefined && options.ref === undefined);
  const snapshots = selectSnapshots(table, { ...options, allSnapshots });
  const rewritten = new Map<string, RewrittenFile>();
  const copies = new Map<string, CopiedFile>();
  const concurrency = options.concurrency ?? 8;

  // The metadata chain: the file read and the metadata-log files before it.
  const chain = [table.metadataKey, ...table.metadata.metadataLog.flatMap((entry) => reader.key(entry.metadataFile, 'metadata') ?? [])];
  await runPool([...new Set(chain)], concurrency, async (key) => {
    const document = key === table.metadataKey ? table.document : parseMetadataBytes(await chainFile(reader, key, table.metadataKey), key);
    rewritten.set(key, { relativeKey: key, role: 'metadata', bytes: metadataBytes(rewriteMetadataDocument(document, rewrite)) });
  });
  if (table.foundBy === 'version-hint') copies.set('metadata/version-hint.text', { relativeKey: 'metadata/version-hint.text', role: 'version-hint' });

  const ids = new Set(snapshots.map((s) => s.snapshotId));
  for (const [list, role] of [[table.metadata.statistics, 'statistics'], [table.metadata.partitionStatistics, 'partition-statistics']] as const) {
    for (const stats of list) {
      if (!ids.has(stats.snapshotId)) continue;
      const key = reader.key(stats.path, role);
      if (key !== undefined) copies.set(key, { relativeKey: key, role, ...(stats.sizeInBytes !== undefined ? { size: stats.sizeInBytes } : {}) });
    }
  }

  const contents = [];
  for (const snapshot of snapshots) contents.push(await reader.snapshotContents(snapshot));

  // Live files: delete files holding paths are rewritten (their new sizes go into the manifests), the rest copied.
  const newSizes = new Map<string, bigint>();
  const deleteFiles = new Map<string, { path: string; key: string; dv: boolean; size: bigint }>();
  for (const entry of contents.flatMap((c) => c.entries)) {
    if (entry.status === EntryStatus.Deleted) continue;
    const key = reader.key(entry.file.path, contentRole(entry.file));
    if (key === undefined) continue;
    if (entry.file.content === FileContent.PositionDeletes) {
      deleteFiles.set(key, { path: entry.file.path, key, dv: isDeletionVector(entry.file), size: entry.file.sizeInBytes });
    } else {
      copies.set(key, { relativeKey: key, role: contentRole(entry.file), size: Number(entry.file.sizeInBytes) });
    }
  }
  await runPool([...deleteFiles.values()], concurrency, async (file) => {
    const source = await reader.bytes(file.key);
    const bytes = file.dv ? rewritePuffinReferences(source, rewrite, file.key) : rewritePositionDeleteFile(source, rewrite, file.key);
    rewritten.set(file.key, { relativeKey: file.key, role: file.dv ? 'deletion-vector' : 'position-deletes', bytes, sourceSize: Number(file.size) });
    newSizes.set(file.path, BigInt(bytes.length));
  });

  // Manifests (each once, however many snapshots share it), then the manifest lists that give their new lengths.
  const manifests = new Map(contents.flatMap((c) => c.manifests).map((m) => [m.relativeKey, m]));
  const newLengths = new Map<string, bigint>();
  await runPool([...manifests.values()], concurrency, async (manifest) => {
    const avro = await readAvroFile(await reader.bytes(manifest.relativeKey), manifest.relativeKey);
    const bytes = await writeAvroFile(rewriteManifest(avro, rewrite, newSizes));
    rewritten.set(manifest.relativeKey, { relativeKey: manifest.relativeKey, role: 'manifest', bytes, ...(manifest.length >= 0n ? { sourceSize: Number(manifest.length) } : {}) });
    newLengths.set(manifest.path, BigInt(bytes.length));
  });
  await runPool(contents.filter((c) => c.manifestList), concurrency, async (c) => {
    const key = c.manifestList!.relativeKey;
    const avro = await readAvroFile(await reader.bytes(key), key);
    rewritten.set(key, { relativeKey: key, role: 'manifest-list', bytes: await writeAvroFile(rewriteManifestList(avro, rewrite, newLengths)) });
  });

  const byKey = <T extends { relativeKey: string }>(a: T, b: T) => (a.relativeKey < b.relativeKey ? -1 : a.relativeKey > b.relativeKey ? 1 : 0);
  return {
    sourceLocation: table.metadata.location,
    targetLocation: rewrite.location(),
    metadataLocation: joinLocation(rewrite.location(), table.metadataKey),
    snapshotIds: snapshots.map((s) => s.snapshotId),
    rewritten: [...rewritten.values()].sort(byKey),
    copies: [...copies.values()].filter((c) => !rewritten.has(c.relativeKey)).sort(byKey),
    outside: reader.outside,
  };
}
