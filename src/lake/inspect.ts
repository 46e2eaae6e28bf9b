import { NotFoundError } from '../errors';
import type { ObjectStore } from '../store/types';
import type { InspectResult } from '../table/inspect';
import type { TableRef } from '../table/table-ref';
import { describePrefix, type DeltaSummary, type LakeFormat, type PrefixDescription } from './describe';
import type { PartitionSummary } from './hive';
import type { IcebergInfo } from './iceberg';
import type { LayoutRole } from './layout';
import type { SchemaDrift } from './schema-drift';

/** `table inspect` of a prefix without a lakevault manifest: the usual result plus what the layout says. */
export interface ForeignInspectResult extends InspectResult {
  format: LakeFormat;
  partitions: PartitionSummary;
  drift: SchemaDrift[];
  layout: Partial<Record<LayoutRole, number>>;
  metadataFiles: number;
  delta?: DeltaSummary;
  iceberg?: IcebergInfo;
  excluded: PrefixDescription['excluded'];
  warnings: string[];
  notes: string[];
}

export async function inspectForeignPrefix(store: ObjectStore, table: TableRef, options: { concurrency?: number; version?: number } = {}): Promise<ForeignInspectResult> {
  const d = await describePrefix(store, table.location, options).catch((error: unknown) => {
    throw error instanceof NotFoundError && options.version === undefined
      ? new NotFoundError(`table "${table.name}" not found (no lakevault manifest and no objects under ${table.uri})`)
      : error;
  });
  const data = d.files.filter((f) => f.kind === 'data');
  return {
    table: table.name,
    uri: table.uri,
    hasManifest: false,
    schema: d.schema,
    files: data.map((f) => ({
      key: f.relativeKey, rows: f.rows ?? 0, rowGroups: f.rowGroups ?? 0, bytes: f.size, etag: f.etag,
      ...(f.schema ? { schema: f.schema } : {}),
      ...(f.error ? { error: f.error } : {}),
    })),
    totals: { files: data.length, rows: d.totals.rows, bytes: d.totals.dataBytes },
    problems: d.warnings,
    otherObjects: d.files.filter((f) => f.kind === 'metadata').map((f) => f.relativeKey),
    format: d.format,
    partitions: d.partitions,
    drift: d.drift,
    layout: d.layout,
    metadataFiles: d.totals.metadataFiles,
    ...(d.delta ? { delta: d.delta } : {}),
    ...(d.iceberg ? { iceberg: d.iceberg } : {}),
    excluded: d.excluded,
    warnings: d.warnings,
    notes: d.notes,
  };
}

/** Extra lines for the text output of `table inspect` (after the common ones). */
export function formatForeignInspect(r: ForeignInspectResult): string[] {
  const lines: string[] = [];
  const delta = r.delta ? `, version ${r.delta.version}${r.delta.version < r.delta.latestVersion ? ` of ${r.delta.latestVersion}` : ''} (${r.delta.logFiles} log files)` : '';
  lines.push(`format: ${r.format}${delta}; ${r.files.length} data files, ${r.metadataFiles} metadata objects (${Object.entries(r.layout).filter(([role]) => role !== 'data').map(([role, n]) => `${role} ${n}`).join(', ') || 'none'})`);
  if (r.partitions.columns.length) {
    lines.push(`partitions: ${r.partitions.columns.join(', ')} (${r.partitions.partitions} directories)`);
    for (const column of r.partitions.columns) {
      const values = r.partitions.values[column] ?? [];
      lines.push(`  ${column}: ${values.slice(0, 20).map((v) => (v === null ? 'NULL' : JSON.stringify(v))).join(', ')}${values.length > 20 ? `, ... (${values.length})` : ''}`);
    }
  }
  if (r.drift.length) lines.push('schema drift:', ...r.drift.map((d) => `  ${d.change}: ${d.message}`));
  if (r.excluded.objects) lines.push(`not part of this version: ${r.excluded.objects} objects (e.g. ${r.excluded.examples.join(', ')})`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines;
}
