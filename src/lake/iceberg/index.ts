/**
 * Apache Iceberg tables read natively over any S3 server (ObjectStore): table metadata,
 * snapshots and refs, manifest lists and manifests, the reachable set of a snapshot, the
 * orphans beside it, and the rewrite of every path to a new location (docs/FOREIGN-TABLES.md).
 */
export { detectIceberg, type IcebergInfo } from './detect';
export { parsePath, TablePaths, joinLocation, type ParsedPath, type Resolved } from './paths';
export { parseMetadataBytes, metadataBytes, type MetadataDocument, type JsonObject, type JsonValue } from './json';
export {
  readTableMetadata, chooseSnapshot, typeText,
  type TableMetadata, type Snapshot, type SnapshotRef, type IcebergSchema, type IcebergField, type PartitionSpec, type PartitionField, type StatisticsFile,
} from './metadata';
export { readAvroFile, writeAvroFile, type AvroFile } from './avro';
export {
  readManifestList, readManifest, isDeletionVector, FileContent, EntryStatus,
  type ManifestFile, type ManifestEntry, type ContentFile,
} from './manifests';
export { openIcebergTable, icebergTableOf, isMetadataJsonKey, type IcebergTable, type OpenOptions } from './table';
export {
  IcebergReader, reachableFiles, selectSnapshots, unreferencedObjects, contentRole,
  type IcebergFileRole, type ReachableFile, type ReachableSet, type ReachableOptions, type ReadOptions,
  type OutsideReference, type SnapshotContents, type Unreferenced,
} from './reachable';
export { LocationRewrite } from './location-rewrite';
export { rewriteMetadataDocument } from './rewrite-metadata';
export { rewriteManifest, rewriteManifestList } from './rewrite-manifests';
export { rewritePositionDeleteFile, rewritePuffinReferences } from './rewrite-deletes';
export { planTableRewrite, type RewritePlan, type RewriteOptions, type RewrittenFile, type CopiedFile } from './rewrite';
export { pinToSnapshot } from './pin-snapshot';
export { summarizeIceberg, type IcebergSummary, type IcebergSummaryOptions } from './summary';
