import type { DeltaSummary, IcebergDescription, LakeFormat, PrefixDescription } from '../../lake/describe';
import type { PartitionSummary } from '../../lake/hive';
import type { LayoutRole } from '../../lake/layout';
import type { SchemaDrift } from '../../lake/schema-drift';
import type { InspectResult } from '../../table/inspect';
import type { TableRef } from '../../table/table-ref';

/** `table inspect` of a prefix without a lakevault manifest: the usual result plus what the layout says. */
export interface ForeignInspectResult extends InspectResult {
  hasManifest: false;
  format: LakeFormat;
  partitions: PartitionSummary;
  drift: SchemaDrift[];
  layout: Partial<Record<LayoutRole, number>>;
  metadataFiles: number;
  delta?: DeltaSummary;
  iceberg?: IcebergDescription;
  excluded: PrefixDescription['excluded'];
  warnings: string[];
  notes: string[];
}

/** A description as `table inspect` reports it. */
export function inspectDescription(table: TableRef, d: PrefixDescription): ForeignInspectResult {
  // An Iceberg table's rows are those of its snapshot's data files; older snapshots' files are other objects.
  const live = d.iceberg?.dataFiles ? new Set(d.iceberg.dataFiles.map((f) => f.key)) : undefined;
  const data = d.files.filter((f) => f.kind === 'data' && (!live || live.has(f.relativeKey)));
  const rows = live ? data.reduce((sum, f) => sum + (f.rows ?? 0), 0) : d.totals.rows;
  const bytes = live ? data.reduce((sum, f) => sum + f.size, 0) : d.totals.dataBytes;
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
    totals: { files: data.length, rows, bytes },
    problems: d.warnings,
    otherObjects: d.files.filter((f) => !data.includes(f)).map((f) => f.relativeKey),
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
  if (r.iceberg?.snapshots) lines.push(...formatIceberg(r.iceberg));
  if (r.excluded.objects) lines.push(`not part of this version: ${r.excluded.objects} objects (e.g. ${r.excluded.examples.join(', ')})`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines;
}

function formatIceberg(i: IcebergDescription): string[] {
  const lines = [`iceberg: format version ${i.formatVersion}, metadata ${i.metadataFile} (${i.foundBy === 'version-hint' ? 'named by version-hint.text' : i.foundBy === 'given' ? 'as given' : 'the newest'}), location ${i.location}`];
  lines.push(`snapshot ${i.snapshotId ?? 'none'}${i.snapshotId !== i.currentSnapshotId ? ` (current: ${i.currentSnapshotId ?? 'none'})` : ' (current)'}; ${i.snapshots!.length} snapshots, refs: ${i.refs!.map((r) => `${r.name} (${r.type}) → ${r.snapshotId}`).join(', ') || 'none'}`);
  for (const s of i.snapshots!) lines.push(`  ${s.snapshotId}  seq ${s.sequenceNumber ?? '-'}  ${new Date(Number(s.timestampMs)).toISOString()}  ${s.operation ?? ''}${s.totalRecords ? `  ${s.totalRecords} records` : ''}`);
  lines.push(`schema ${i.schema!.schemaId}: ${i.schema!.fields.map((f) => `${f.id}:${f.name} ${f.type}${f.required ? ' required' : ''}`).join(', ')}`);
  lines.push(`partition spec ${i.partitionSpec!.specId}: ${i.partitionSpec!.fields.map((f) => `${f.name} = ${f.transform}(${f.source ?? f.sourceId})`).join(', ') || 'unpartitioned'}`);
  const f = i.files!;
  lines.push(`manifests: ${f.manifests}; data files ${f.dataFiles} with ${f.records} records; position deletes ${f.positionDeletes} in ${f.positionDeleteFiles} files${f.deletionVectors ? ` and ${f.deletionVectors} deletion vectors` : ''}; equality deletes ${f.equalityDeletes} in ${f.equalityDeleteFiles} files`);
  for (const d of i.deleteFiles!) lines.push(`  ${d.kind} deletes: ${d.key} (${d.records} records)`);
  lines.push(i.orphans!.length ? `orphans (no snapshot reaches them): ${i.orphans!.map((o) => o.key).join(', ')}` : 'orphans: none');
  return lines;
}
