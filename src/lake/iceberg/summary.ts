import type { Location } from '../../store/location';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import { EntryStatus, FileContent, isDeletionVector } from './manifests';
import { typeText } from './metadata';
import { IcebergReader, reachableFiles, selectSnapshots, unreferencedObjects, contentRole, type IcebergFileRole } from './reachable';
import { openIcebergTable, type IcebergTable } from './table';

/** What `table inspect` says about an Iceberg table: one snapshot read from its manifests. */
export interface IcebergSummary {
  metadataFile: string;
  foundBy: IcebergTable['foundBy'];
  formatVersion: number;
  tableUuid?: string;
  /** The location the metadata records (may differ from where the table is now). */
  location: string;
  /** Ids are 64-bit: strings, exact. */
  currentSnapshotId?: string;
  snapshotId?: string;
  snapshots: { snapshotId: string; parentSnapshotId?: string; sequenceNumber?: string; timestampMs: string; operation?: string; totalRecords?: string; schemaId?: number }[];
  refs: { name: string; type: 'branch' | 'tag'; snapshotId: string }[];
  schema: { schemaId: number; fields: { id: number; name: string; type: string; required: boolean }[] };
  partitionSpec: { specId: number; fields: { name: string; transform: string; sourceId: number; source?: string }[] };
  /** The snapshot's live files, from its manifests. */
  files: {
    manifests: number;
    dataFiles: number;
    /** record_count of the data files, before deletes. */
    records: number;
    positionDeleteFiles: number;
    positionDeletes: number;
    equalityDeleteFiles: number;
    equalityDeletes: number;
    deletionVectors: number;
  };
  /** Relative keys of the snapshot's live data files (their footers are compared with record_count). */
  dataFiles: { key: string; records: number; size: number }[];
  deleteFiles: { key: string; kind: 'position' | 'equality' | 'deletion-vector'; records: number; size: number }[];
  /** Objects no snapshot of the metadata file reaches (what remove_orphan_files would delete). */
  orphans: { key: string; size: number }[];
  /** Objects every snapshot leaves out that are not orphans: later metadata files, .crc checksums. */
  companions: number;
  /** Files the metadata names that are missing or whose size differs from the metadata's. */
  problems: string[];
  notes: string[];
}

export interface IcebergSummaryOptions {
  snapshotId?: bigint;
  ref?: string;
  metadataLocation?: string;
  concurrency?: number;
}

/** Reads the table at `location` (listing given) and summarises one snapshot, checking the objects it names. */
export async function summarizeIceberg(store: ObjectStore, location: Location, listing: ObjectInfo[], options: IcebergSummaryOptions = {}): Promise<IcebergSummary> {
  const table = await openIcebergTable(store, location, {
    listing,
    ...(options.metadataLocation !== undefined ? { metadataLocation: options.metadataLocation } : {}),
  });
  const { metadata } = table;
  const choice = {
    ...(options.snapshotId !== undefined ? { snapshotId: options.snapshotId } : {}),
    ...(options.ref !== undefined ? { ref: options.ref } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  };
  const [snapshot] = selectSnapshots(table, choice);
  const everySnapshot = await reachableFiles(store, table, { allSnapshots: true, ...choice });
  // Read from an older metadata file, later commits' files are not orphans: the newest metadata reaches them.
  if (table.foundBy === 'given') {
    const newest = await openIcebergTable(store, location, { listing });
    if (newest.metadataKey !== table.metadataKey) everySnapshot.files.push(...(await reachableFiles(store, newest, { allSnapshots: true, ...choice })).files);
  }
  const unreferenced = unreferencedObjects(table, listing, everySnapshot);

  const objects = new Map(listing.map((o) => [o.key.slice(location.prefix.length), o]));
  const problems: string[] = [];
  const check = (key: string, role: IcebergFileRole, size?: number) => {
    const object = objects.get(key);
    if (!object) problems.push(`${role} ${key} is missing`);
    else if (size !== undefined && object.size !== size) problems.push(`${role} ${key} is ${object.size} bytes, the metadata says ${size}`);
  };
  const chosen = snapshot ? await reachableFiles(store, table, { ...choice, snapshotId: snapshot.snapshotId }) : undefined;
  for (const file of chosen?.files ?? []) check(file.relativeKey, file.role, file.size);

  const summary = emptyFiles();
  const dataFiles: IcebergSummary['dataFiles'] = [];
  const deleteFiles: IcebergSummary['deleteFiles'] = [];
  if (snapshot) {
    const contents = await new IcebergReader(store, table, choice).snapshotContents(snapshot);
    summary.manifests = contents.manifests.length;
    const seen = new Set<string>();
    for (const entry of contents.entries) {
      if (entry.status === EntryStatus.Deleted) continue;
      const key = table.paths.relativeKey(entry.file.path, contentRole(entry.file));
      const records = Number(entry.file.recordCount);
      const size = Number(entry.file.sizeInBytes);
      if (entry.file.content === FileContent.Data) {
        if (seen.has(key)) continue;
        seen.add(key);
        summary.dataFiles++;
        summary.records += records;
        dataFiles.push({ key, records, size });
      } else if (isDeletionVector(entry.file)) {
        summary.deletionVectors++;
        summary.positionDeletes += records;
        deleteFiles.push({ key, kind: 'deletion-vector', records, size });
      } else if (entry.file.content === FileContent.PositionDeletes) {
        summary.positionDeleteFiles++;
        summary.positionDeletes += records;
        deleteFiles.push({ key, kind: 'position', records, size });
      } else {
        summary.equalityDeleteFiles++;
        summary.equalityDeletes += records;
        deleteFiles.push({ key, kind: 'equality', records, size });
      }
    }
  }

  const schema = metadata.schemas.find((s) => s.schemaId === (snapshot?.schemaId ?? metadata.currentSchemaId)) ?? metadata.schemas[0];
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId) ?? metadata.partitionSpecs[0];
  const fieldName = (id: number) => schema?.fields.find((f) => f.id === id)?.name;
  return {
    metadataFile: table.metadataKey,
    foundBy: table.foundBy,
    formatVersion: metadata.formatVersion,
    ...(metadata.tableUuid ? { tableUuid: metadata.tableUuid } : {}),
    location: metadata.location,
    ...(metadata.currentSnapshotId !== undefined ? { currentSnapshotId: metadata.currentSnapshotId.toString() } : {}),
    ...(snapshot ? { snapshotId: snapshot.snapshotId.toString() } : {}),
    snapshots: metadata.snapshots.map((s) => ({
      snapshotId: s.snapshotId.toString(),
      ...(s.parentSnapshotId !== undefined ? { parentSnapshotId: s.parentSnapshotId.toString() } : {}),
      ...(s.sequenceNumber !== undefined ? { sequenceNumber: s.sequenceNumber.toString() } : {}),
      timestampMs: s.timestampMs.toString(),
      ...(s.summary['operation'] ? { operation: s.summary['operation'] } : {}),
      ...(s.summary['total-records'] ? { totalRecords: s.summary['total-records'] } : {}),
      ...(s.schemaId !== undefined ? { schemaId: s.schemaId } : {}),
    })),
    refs: metadata.refs.map((r) => ({ name: r.name, type: r.type, snapshotId: r.snapshotId.toString() })),
    schema: { schemaId: schema?.schemaId ?? 0, fields: (schema?.fields ?? []).map((f) => ({ id: f.id, name: f.name, type: typeText(f.type), required: f.required })) },
    partitionSpec: {
      specId: spec?.specId ?? 0,
      fields: (spec?.fields ?? []).map((f) => ({ name: f.name, transform: f.transform, sourceId: f.sourceId, ...(fieldName(f.sourceId) ? { source: fieldName(f.sourceId)! } : {}) })),
    },
    files: summary,
    dataFiles,
    deleteFiles,
    orphans: unreferenced.orphans.map((o) => ({ key: o.key.slice(location.prefix.length), size: o.size })),
    companions: unreferenced.companions.length,
    problems,
    notes: table.notes,
  };
}

function emptyFiles(): IcebergSummary['files'] {
  return { manifests: 0, dataFiles: 0, records: 0, positionDeleteFiles: 0, positionDeletes: 0, equalityDeleteFiles: 0, equalityDeletes: 0, deletionVectors: 0 };
}
