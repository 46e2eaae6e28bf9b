import { IntegrityError } from '../../errors';
import { readAvroFile, type AvroFile } from './avro';

/**
 * Iceberg manifest lists and manifests (spec "Manifest Lists", "Manifests"), decoded from
 * Avro. Format 1 files lack the v2 columns (content, sequence numbers): they read as data
 * manifests and data files with sequence number 0.
 */
export const FileContent = { Data: 0, PositionDeletes: 1, EqualityDeletes: 2 } as const;
export type FileContent = (typeof FileContent)[keyof typeof FileContent];
export const EntryStatus = { Existing: 0, Added: 1, Deleted: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** One manifest_file record of a manifest list. */
export interface ManifestFile {
  path: string;
  length: bigint;
  partitionSpecId: number;
  /** 0 = data, 1 = deletes. */
  content: 0 | 1;
  sequenceNumber?: bigint;
  addedSnapshotId?: bigint;
  addedFilesCount?: number;
  existingFilesCount?: number;
  deletedFilesCount?: number;
  addedRowsCount?: bigint;
  existingRowsCount?: bigint;
}

/** The data_file struct of a manifest entry: a data file, a delete file or a deletion vector. */
export interface ContentFile {
  content: FileContent;
  path: string;
  format: string;
  partition: Record<string, unknown>;
  recordCount: bigint;
  sizeInBytes: bigint;
  /** Position deletes and deletion vectors of format 3: the one data file they apply to. */
  referencedDataFile?: string;
  /** Deletion vectors: where the blob sits inside the Puffin file. */
  contentOffset?: bigint;
  contentSizeInBytes?: bigint;
  equalityIds?: number[];
}

export interface ManifestEntry {
  status: EntryStatus;
  snapshotId?: bigint;
  sequenceNumber?: bigint;
  fileSequenceNumber?: bigint;
  file: ContentFile;
}

export async function readManifestList(bytes: Uint8Array, name: string): Promise<{ avro: AvroFile; manifests: ManifestFile[] }> {
  const avro = await readAvroFile(bytes, name);
  const manifests = avro.records.map((record, index) => {
    const at = `manifest list ${name} entry ${index}`;
    const path = record['manifest_path'];
    if (typeof path !== 'string') throw new IntegrityError(`Iceberg ${at} has no manifest_path`);
    return {
      path,
      length: requiredLong(record, 'manifest_length', at),
      partitionSpecId: Number(record['partition_spec_id'] ?? 0),
      content: (Number(record['content'] ?? 0) === 1 ? 1 : 0) as 0 | 1,
      ...optionalLong(record, 'sequence_number', 'sequenceNumber'),
      ...optionalLong(record, 'added_snapshot_id', 'addedSnapshotId'),
      ...optionalInt(record, ['added_files_count', 'added_data_files_count'], 'addedFilesCount'),
      ...optionalInt(record, ['existing_files_count', 'existing_data_files_count'], 'existingFilesCount'),
      ...optionalInt(record, ['deleted_files_count', 'deleted_data_files_count'], 'deletedFilesCount'),
      ...optionalLong(record, 'added_rows_count', 'addedRowsCount'),
      ...optionalLong(record, 'existing_rows_count', 'existingRowsCount'),
    };
  });
  return { avro, manifests };
}

export async function readManifest(bytes: Uint8Array, name: string): Promise<{ avro: AvroFile; entries: ManifestEntry[] }> {
  const avro = await readAvroFile(bytes, name);
  const entries = avro.records.map((record, index) => {
    const at = `manifest ${name} entry ${index}`;
    const file = record['data_file'];
    if (!file || typeof file !== 'object') throw new IntegrityError(`Iceberg ${at} has no data_file`);
    return {
      status: Number(record['status']) as EntryStatus,
      ...optionalLong(record, 'snapshot_id', 'snapshotId'),
      ...optionalLong(record, 'sequence_number', 'sequenceNumber'),
      ...optionalLong(record, 'file_sequence_number', 'fileSequenceNumber'),
      file: contentFile(file as Record<string, unknown>, at),
    };
  });
  return { avro, entries };
}

function contentFile(file: Record<string, unknown>, at: string): ContentFile {
  const path = file['file_path'];
  if (typeof path !== 'string') throw new IntegrityError(`Iceberg ${at} has no file_path`);
  const content = Number(file['content'] ?? 0) as FileContent;
  if (content !== FileContent.Data && content !== FileContent.PositionDeletes && content !== FileContent.EqualityDeletes) {
    throw new IntegrityError(`Iceberg ${at}: content ${content} is not 0, 1 or 2`);
  }
  const equalityIds = file['equality_ids'];
  return {
    content,
    path,
    format: String(file['file_format'] ?? ''),
    partition: (file['partition'] ?? {}) as Record<string, unknown>,
    recordCount: requiredLong(file, 'record_count', at),
    sizeInBytes: requiredLong(file, 'file_size_in_bytes', at),
    ...(typeof file['referenced_data_file'] === 'string' ? { referencedDataFile: file['referenced_data_file'] } : {}),
    ...optionalLong(file, 'content_offset', 'contentOffset'),
    ...optionalLong(file, 'content_size_in_bytes', 'contentSizeInBytes'),
    ...(Array.isArray(equalityIds) ? { equalityIds: equalityIds.map(Number) } : {}),
  };
}

function requiredLong(record: Record<string, unknown>, key: string, at: string): bigint {
  const value = record[key];
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  throw new IntegrityError(`Iceberg ${at} has no ${key}`);
}

function optionalLong<K extends string>(record: Record<string, unknown>, key: string, as: K): { [P in K]?: bigint } {
  const value = record[key];
  if (typeof value === 'bigint') return { [as]: value } as { [P in K]?: bigint };
  if (typeof value === 'number') return { [as]: BigInt(value) } as { [P in K]?: bigint };
  return {};
}

function optionalInt<K extends string>(record: Record<string, unknown>, keys: string[], as: K): { [P in K]?: number } {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' || typeof value === 'bigint') return { [as]: Number(value) } as { [P in K]?: number };
  }
  return {};
}

/** A DV: a position-delete entry stored in Puffin (format 3 deletion vectors). */
export function isDeletionVector(file: ContentFile): boolean {
  return file.content === FileContent.PositionDeletes && file.format.toUpperCase() === 'PUFFIN';
}
