import { createHash } from 'node:crypto';
import { IntegrityError, NotFoundError, UsageError } from '../../errors';
import type { IcebergChoice } from '../../lake/describe';
import {
  EntryStatus, FileContent, IcebergReader, isDeletionVector, openIcebergTable, reachableFiles, selectSnapshots,
  type IcebergFileRole, type IcebergTable, type ReachableFile, type Snapshot,
} from '../../lake/iceberg';
import { countRoles, type LayoutRole } from '../../lake/layout';
import { analyzeSchemas } from '../../lake/schema-drift';
import { readFooter } from '../../parquet/footer';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import { runPool } from '../../util/pool';
import type { ForeignOrigin } from '../foreign/origin';
import type { TableVersion, VersionFile } from '../table-source';
import type { IcebergOrigin } from './origin';

/** An Iceberg table's version as read: the files of its pinned snapshot, and where they came from. */
export interface IcebergVersion extends TableVersion {
  origin: { foreign: ForeignOrigin; iceberg: IcebergOrigin };
  /** Things worth knowing that do not stop a backup (metadata-log files already removed). */
  notes: string[];
}

/** Every object under the table prefix (one listing). */
export async function listTable(store: ObjectStore, table: TableRef): Promise<ObjectInfo[]> {
  const listed: ObjectInfo[] = [];
  for await (const object of store.list(table.location.bucket, table.location.prefix)) listed.push(object);
  return listed;
}

/** Opens the table's metadata (the file the choice names, else the newest); the choice's snapshot must be one of it. */
export async function openPinned(store: ObjectStore, table: TableRef, choice: IcebergChoice, listing?: ObjectInfo[]): Promise<{ iceberg: IcebergTable; snapshot: Snapshot | undefined }> {
  const iceberg = await openIcebergTable(store, table.location, {
    ...(listing ? { listing } : {}),
    ...(choice.metadataLocation !== undefined ? { metadataLocation: choice.metadataLocation } : {}),
  });
  const { metadata } = iceberg;
  if (choice.snapshotId !== undefined && !metadata.snapshots.some((s) => s.snapshotId === choice.snapshotId)) {
    throw new UsageError(`Iceberg table ${table.uri} (${iceberg.metadataKey}) has no snapshot ${choice.snapshotId} (snapshots: ${metadata.snapshots.map((s) => s.snapshotId).join(', ') || 'none'})`);
  }
  if (choice.ref !== undefined && !metadata.refs.some((r) => r.name === choice.ref)) {
    throw new UsageError(`Iceberg table ${table.uri} (${iceberg.metadataKey}) has no branch or tag "${choice.ref}" (refs: ${metadata.refs.map((r) => r.name).join(', ') || 'none'})`);
  }
  const [snapshot] = selectSnapshots(iceberg, { ...(choice.snapshotId !== undefined ? { snapshotId: choice.snapshotId } : {}), ...(choice.ref !== undefined ? { ref: choice.ref } : {}) });
  return { iceberg, snapshot };
}

/**
 * The files one snapshot needs, from the metadata file the read started at — that file,
 * the earlier metadata files its metadata-log names (those still there), the version
 * hint that named it, the snapshot's manifest list, manifests, live data files, delete
 * files and deletion vectors, statistics — each matched with the object the listing
 * found (its size and ETag: a copy is pinned to them). With `history`, every snapshot of
 * the metadata file. Iceberg never rewrites a file it wrote, so everything read from one
 * metadata file is one consistent version, whatever a writer commits meanwhile.
 */
export async function readIcebergVersion(store: ObjectStore, table: TableRef, choice: IcebergChoice, concurrency = 16): Promise<IcebergVersion> {
  const listing = await listTable(store, table);
  if (listing.length === 0) throw new NotFoundError(`nothing under ${table.uri}: the Iceberg table is gone`);
  const { iceberg, snapshot } = await openPinned(store, table, choice, listing);
  const history = choice.history === true;
  const reachable = await reachableFiles(store, iceberg, history ? { allSnapshots: true, concurrency } : snapshot ? { snapshotId: snapshot.snapshotId, concurrency } : { allSnapshots: true, concurrency });

  const objects = new Map(listing.map((o) => [o.key.slice(table.location.prefix.length), o]));
  const notes: string[] = [];
  const found: { file: ReachableFile; object: ObjectInfo }[] = [];
  for (const file of reachable.files) {
    const object = objects.get(file.relativeKey);
    if (!object) {
      if (file.role === 'metadata' && file.relativeKey !== iceberg.metadataKey) {
        notes.push(`metadata-log names ${file.relativeKey}, which is no longer there (engines remove old metadata files): not part of the backup`);
        continue;
      }
      throw new IntegrityError(`Iceberg table ${table.uri} (${iceberg.metadataKey}) needs ${file.role} ${file.relativeKey}, which is not under the prefix (removed or lost)`);
    }
    if (file.size !== undefined && file.role !== 'manifest' && object.size !== file.size) {
      throw new IntegrityError(`Iceberg table ${table.uri}: ${file.role} ${file.relativeKey} is ${object.size} bytes, its metadata says ${file.size}`);
    }
    found.push({ file, object });
  }

  const dataFiles = found.filter(({ file }) => file.role === 'data');
  const footers = new Map<string, Awaited<ReturnType<typeof readFooter>>>();
  const warnings = [...iceberg.notes];
  await runPool(dataFiles, concurrency, async ({ object, file }) => {
    try {
      footers.set(file.relativeKey, await readFooter(store, table.location.bucket, object.key, object.size, object.etag));
    } catch (error) {
      // ORC and Avro data files travel as they are; only Parquet footers are read and checked.
      warnings.push(`data file ${file.relativeKey} has no readable Parquet footer (${(error as Error).message}): copied, not checked`);
    }
  });
  const parquet = dataFiles.filter(({ file }) => footers.has(file.relativeKey));
  const analysis = analyzeSchemas(parquet.map(({ file }) => ({ key: file.relativeKey, schema: footers.get(file.relativeKey)!.schema })));

  const files: VersionFile[] = found.map(({ file, object }) => {
    const footer = footers.get(file.relativeKey);
    const own = analysis.differing.get(file.relativeKey);
    return {
      key: file.relativeKey,
      bytes: object.size,
      etag: object.etag,
      kind: footer ? 'data' : 'metadata',
      // The manifest's record_count, which validation checks against the footer.
      rows: footer ? Number(file.records ?? BigInt(footer.rows)) : 0,
      rowGroups: footer?.rowGroups ?? 0,
      ...(own ? { schema: own } : {}),
    };
  });
  const counts = await liveCounts(store, iceberg, history ? undefined : snapshot, concurrency);
  const generation = snapshot && !history ? `iceberg-${snapshot.snapshotId}` : `iceberg-history-${shortDigest(iceberg.metadataKey)}`;
  const canonical = JSON.stringify({ generation, metadata: iceberg.metadataKey, files: files.map((f) => [f.key, f.bytes, f.etag]) });
  const rows = files.filter((f) => f.kind === 'data').reduce((sum, f) => sum + f.rows, 0);
  const spec = iceberg.metadata.partitionSpecs.find((s) => s.specId === iceberg.metadata.defaultSpecId) ?? iceberg.metadata.partitionSpecs[0];
  const origin: IcebergOrigin = {
    metadataKey: iceberg.metadataKey,
    foundBy: iceberg.foundBy,
    location: iceberg.metadata.location,
    formatVersion: iceberg.metadata.formatVersion,
    ...(snapshot ? { snapshotId: snapshot.snapshotId.toString() } : {}),
    ...(choice.ref !== undefined ? { ref: choice.ref } : {}),
    history,
    files: counts,
  };
  for (const { file } of parquet) {
    const footer = footers.get(file.relativeKey)!;
    if (file.records !== undefined && Number(file.records) !== footer.rows) warnings.push(`data file ${file.relativeKey}: its manifest says ${file.records} records, its footer ${footer.rows} rows`);
  }
  return {
    generation,
    digest: 'sha256:' + createHash('sha256').update(canonical).digest('hex'),
    etag: objects.get(iceberg.metadataKey)!.etag,
    ...(snapshot ? { createdAt: new Date(Number(snapshot.timestampMs)).toISOString() } : {}),
    schema: analysis.schema,
    files,
    totals: { files: files.length, rows, bytes: files.reduce((sum, f) => sum + f.bytes, 0) },
    origin: {
      foreign: {
        format: 'iceberg',
        generation,
        partitionColumns: (spec?.fields ?? []).map((f) => f.name),
        layout: countRoles(found.map(({ file }) => ({ kind: file.role === 'data' ? 'data' : 'metadata', role: layoutRole(file.role) }))),
        drift: analysis.drift.map((d) => d.message),
        warnings,
      },
      iceberg: origin,
    },
    notes,
  };
}

/** How the layout summary names an Iceberg file. */
function layoutRole(role: IcebergFileRole): LayoutRole {
  if (role === 'data') return 'data';
  if (role === 'position-deletes' || role === 'equality-deletes' || role === 'deletion-vector') return 'iceberg-deletes';
  return 'iceberg-metadata';
}

/** The live files of the snapshot (every snapshot: none given) by kind, from its manifests. */
async function liveCounts(store: ObjectStore, iceberg: IcebergTable, snapshot: Snapshot | undefined, concurrency: number): Promise<IcebergOrigin['files']> {
  const counts: IcebergOrigin['files'] = { manifests: 0, dataFiles: 0, records: 0, positionDeleteFiles: 0, positionDeletes: 0, equalityDeleteFiles: 0, equalityDeletes: 0, deletionVectors: 0 };
  const reader = new IcebergReader(store, iceberg, { concurrency });
  const snapshots = snapshot ? [snapshot] : iceberg.metadata.snapshots;
  const seen = new Set<string>();
  const manifests = new Set<string>();
  for (const one of snapshots) {
    const contents = await reader.snapshotContents(one);
    for (const m of contents.manifests) manifests.add(m.relativeKey);
    for (const entry of contents.entries) {
      if (entry.status === EntryStatus.Deleted || seen.has(entry.file.path)) continue;
      seen.add(entry.file.path);
      const records = Number(entry.file.recordCount);
      if (entry.file.content === FileContent.Data) { counts.dataFiles++; counts.records += records; }
      else if (isDeletionVector(entry.file)) { counts.deletionVectors++; counts.positionDeletes += records; }
      else if (entry.file.content === FileContent.PositionDeletes) { counts.positionDeleteFiles++; counts.positionDeletes += records; }
      else { counts.equalityDeleteFiles++; counts.equalityDeletes += records; }
    }
  }
  counts.manifests = manifests.size;
  return counts;
}

function shortDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
