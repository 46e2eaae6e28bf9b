/**
 * Tables lakevault did not write: Spark/Hive-partitioned prefixes, DuckDB and pyarrow
 * files, Delta Lake (see docs/FOREIGN-TABLES.md). describePrefix turns a prefix into a
 * FileSet; foreignSnapshotSource feeds it to backups and checkpoints; restoreForeignSnapshot
 * puts it back key for key.
 */
export { describePrefix, type PrefixDescription, type LakeFile, type LakeFormat, type DescribeOptions, type DeltaSummary } from './describe';
export { foreignSnapshotSource, foreignManifest, foreignOrigin, type ForeignOrigin } from './snapshot-source';
export { restoreForeignSnapshot } from './restore';
export { inspectForeignPrefix, formatForeignInspect, type ForeignInspectResult } from './inspect';
export { inspectDeltaVersion, resolveFileSetsAtDeltaVersion, checkDeltaVersion } from './delta-version';
export { classifyKey, type LayoutRole, type KeyClass } from './layout';
export { parsePartitionPath, unescapePathName, escapePathName, summarizePartitions, type PartitionValue, type PartitionSummary } from './hive';
export { analyzeSchemas, widens, type SchemaDrift, type SchemaAnalysis } from './schema-drift';
export { readDeltaSnapshot, type DeltaSnapshot, type LiveFile } from './delta/snapshot';
export { detectIceberg, type IcebergInfo } from './iceberg';
