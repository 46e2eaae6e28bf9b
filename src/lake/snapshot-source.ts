import { createHash } from 'node:crypto';
import type { ObjectStore } from '../store/types';
import { TABLE_FORMAT_VERSION, type DataFile, type TableManifest } from '../table/manifest';
import type { TableRef } from '../table/table-ref';
import type { TableSnapshotSource } from '../snapshot/source';
import type { SnapshotManifest } from '../snapshot/manifest';
import { TOOL_VERSION } from '../version';
import { describePrefix, type DescribeOptions, type LakeFormat, type PrefixDescription } from './describe';

/**
 * How a foreign prefix enters the snapshot mechanism (src/snapshot): its description
 * written as the table manifest lakevault would have written, so backups, checkpoints and
 * their incremental reuse work unchanged. Differences from a lakevault table:
 *  - files include metadata (layout noise, Delta log) with kind 'metadata';
 *  - no content digests (the writer did not store any): digest '' and {};
 *  - `source.foreign` says what the prefix is, so a restore reproduces it key for key
 *    and writes no lakevault manifest into it.
 */
export interface ForeignOrigin {
  format: LakeFormat;
  /** What was described: `delta-v7` or `listing-<sha>`. */
  generation: string;
  deltaVersion?: number;
  deltaLatestVersion?: number;
  partitionColumns: string[];
  layout: PrefixDescription['layout'];
  drift: string[];
  warnings: string[];
}

export interface ForeignSourceOptions extends DescribeOptions {}

export async function foreignSnapshotSource(store: ObjectStore, table: TableRef, options: ForeignSourceOptions = {}): Promise<TableSnapshotSource & { description: PrefixDescription }> {
  const description = await describePrefix(store, table.location, options);
  const manifest = foreignManifest(table, description);
  const canonical = JSON.stringify({ generation: manifest.generation, files: manifest.files.map((f) => [f.key, f.bytes, f.etag]) });
  return {
    table,
    manifest,
    manifestDigest: 'sha256:' + createHash('sha256').update(canonical).digest('hex'),
    manifestEtag: '',
    description,
  };
}

/** The description as a lakevault table manifest (never written to the prefix). */
export function foreignManifest(table: TableRef, d: PrefixDescription): TableManifest {
  const files: DataFile[] = d.files.map((file) => ({
    key: file.relativeKey,
    rows: file.rows ?? 0,
    bytes: file.size,
    etag: file.etag,
    digest: '',
    columnDigests: {},
    rowGroups: file.rowGroups ?? 0,
    ...(file.kind === 'metadata' ? { kind: 'metadata' as const } : {}),
    ...(file.schema ? { schema: file.schema } : {}),
  }));
  const origin: ForeignOrigin = {
    format: d.format,
    generation: d.generation,
    ...(d.delta ? { deltaVersion: d.delta.version, deltaLatestVersion: d.delta.latestVersion } : {}),
    partitionColumns: d.delta?.partitionColumns.length ? d.delta.partitionColumns : d.partitions.columns,
    layout: d.layout,
    drift: d.drift.map((x) => x.message),
    warnings: d.warnings,
  };
  return {
    format: 'lakevault.table',
    formatVersion: TABLE_FORMAT_VERSION,
    name: table.name,
    generation: d.generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    schema: d.schema,
    files,
    totals: { files: files.length, rows: d.totals.rows, bytes: d.totals.bytes },
    contentDigest: '',
    source: { foreign: origin },
  };
}

/** The foreign origin a snapshot was taken from, if it was taken from a prefix lakevault did not write. */
export function foreignOrigin(snapshot: Pick<SnapshotManifest, 'source'>): ForeignOrigin | undefined {
  const foreign = snapshot.source.origin?.foreign;
  return foreign && typeof foreign === 'object' && 'format' in foreign ? (foreign as ForeignOrigin) : undefined;
}
