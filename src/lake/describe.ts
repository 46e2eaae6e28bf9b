import { createHash } from 'node:crypto';
import { IntegrityError, LakevaultError, NotFoundError, UsageError } from '../errors';
import { readFooter } from '../parquet/footer';
import { formatS3Uri, type Location } from '../store/location';
import type { ObjectInfo, ObjectStore } from '../store/types';
import type { FileSet, SnapshotFile } from '../model/file-set';
import type { FieldDescription } from '../model/schema';
import { runPool } from '../util/pool';
import { DELTA_LOG } from './delta/log-files';
import { compare, readDeltaSnapshot, type DeltaSnapshot } from './delta/snapshot';
import { parsePartitionPath, summarizePartitions, type PartitionSummary } from './hive';
import { detectIceberg, type IcebergInfo } from './iceberg/detect';
import { summarizeIceberg, type IcebergSummary } from './iceberg/summary';
import { classifyKey, countRoles, needsProbe, type LayoutRole } from './layout';
import { analyzeSchemas, type SchemaDrift } from './schema-drift';

/** A file of a described prefix: a FileSet entry plus what the layout says about it. */
export interface LakeFile extends SnapshotFile {
  role: LayoutRole;
  /** Decoded Hive partition values (`col=value/` directories) or Delta's partitionValues. */
  partition?: Record<string, string | null>;
  /** The file's own schema, when it differs from the merged table schema (drift). */
  schema?: FieldDescription[];
  /** A data file whose footer could not be read. */
  error?: string;
}

export type LakeFormat = 'delta' | 'iceberg' | 'hive' | 'parquet';

/** Which Iceberg snapshot to describe: by id or by branch/tag, from a given metadata file. */
export interface IcebergChoice {
  snapshotId?: bigint;
  ref?: string;
  metadataLocation?: string;
  /** Every snapshot of the metadata file, not only the chosen one (a backup of the whole history). */
  history?: boolean;
}

/** An Iceberg prefix: what was detected, plus the table as its metadata describes it (or why it could not be read). */
export type IcebergDescription = IcebergInfo & Partial<IcebergSummary> & { error?: string };

export interface DeltaSummary {
  version: number;
  latestVersion: number;
  liveFiles: number;
  logFiles: number;
  replayedFrom: number;
  partitionColumns: string[];
  minReaderVersion?: number;
  readerFeatures?: string[];
}

/** What lakevault knows about a prefix it did not write. */
export interface PrefixDescription {
  uri: string;
  location: Location;
  format: LakeFormat;
  /** Identifies what was described: `delta-v7`, or `listing-<sha256 of keys, sizes, ETags>`. */
  generation: string;
  files: LakeFile[];
  fileSet: FileSet;
  schema: FieldDescription[];
  drift: SchemaDrift[];
  partitions: PartitionSummary;
  /** Objects by role (data, success-marker, checksum, …) among the files of the set. */
  layout: Partial<Record<LayoutRole, number>>;
  totals: { dataFiles: number; metadataFiles: number; rows: number; dataBytes: number; bytes: number };
  delta?: DeltaSummary;
  iceberg?: IcebergDescription;
  /** Objects under the prefix that are not part of the set (Delta: not in the chosen version). */
  excluded: { objects: number; bytes: number; examples: string[] };
  warnings: string[];
  notes: string[];
}

export interface DescribeOptions {
  /** Delta: the version to describe (default: the newest). An error for other prefixes. */
  version?: number;
  /** Iceberg: the snapshot and metadata file to read (default: the current snapshot of the newest metadata). */
  iceberg?: IcebergChoice;
  /** Footer reads at once. */
  concurrency?: number;
  onProgress?: (progress: { footers: number; totalFooters: number }) => void;
  /** The prefix's listing, when the caller has just taken it (it is not listed again). */
  listed?: ObjectInfo[];
}

/**
 * Describes a prefix without a lakevault manifest by listing it once and reading the
 * Parquet footers of its data files (range GETs, no data pages):
 *  - a Delta table (`_delta_log/`): the live files of one version and the log up to it;
 *  - anything else (Spark/Hive/DuckDB/pyarrow output, Iceberg): every object under the
 *    prefix — data files as 'data', layout noise and table metadata as 'metadata'. An
 *    Iceberg table is also read from its metadata (one snapshot, its manifests): its
 *    delete files are metadata, its data files' record counts are checked against footers.
 */
export async function describePrefix(store: ObjectStore, location: Location, options: DescribeOptions = {}): Promise<PrefixDescription> {
  const uri = formatS3Uri(location);
  const listed: ObjectInfo[] = options.listed ?? [];
  if (!options.listed) for await (const object of store.list(location.bucket, location.prefix)) listed.push(object);
  if (listed.length === 0) throw new NotFoundError(`nothing under ${uri}: not a table (no lakevault manifest, no objects)`);
  const relative = (object: ObjectInfo) => object.key.slice(location.prefix.length);

  const isDelta = listed.some((object) => relative(object).startsWith(DELTA_LOG));
  if (options.version !== undefined && !isDelta) throw new UsageError(`--delta-version applies to Delta tables; ${uri} has no _delta_log/`);
  const warnings: string[] = [];
  const notes: string[] = [];

  let files: LakeFile[];
  let delta: DeltaSnapshot | undefined;
  let excluded: ObjectInfo[] = [];
  if (isDelta) {
    delta = await readDeltaSnapshot(store, location, listed.filter((o) => relative(o).startsWith(DELTA_LOG)), options.version);
    ({ files, excluded } = deltaFiles(location, listed, delta));
    notes.push(...delta.notes);
    if (delta.version < delta.latestVersion) notes.push(`version ${delta.version} of ${delta.latestVersion}: later commits are not part of it`);
  } else {
    files = listed.map((object) => lakeFile(location, object, classifyKey(relative(object)).role));
  }

  const detected = isDelta ? undefined : detectIceberg(files.map((f) => f.relativeKey));
  if (!detected && options.iceberg) throw new UsageError(`Iceberg options apply to Iceberg tables; ${uri} has no metadata/*.metadata.json`);
  const iceberg = detected ? await readIceberg(store, location, listed, detected, options) : undefined;
  if (iceberg?.dataFiles) applyIcebergRoles(files, iceberg);

  await readFooters(store, location, files, options);
  for (const file of files) {
    if (file.error && !needsProbe(file.relativeKey)) warnings.push(`${file.relativeKey}: ${file.error}`);
  }

  const data = files.filter((f) => f.kind === 'data');
  const analysis = analyzeSchemas(data.filter((f) => f.schema).map((f) => ({ key: f.relativeKey, schema: f.schema! })));
  for (const file of data) {
    const own = analysis.differing.get(file.relativeKey);
    if (own) file.schema = own; else delete file.schema;
  }
  for (const d of analysis.drift) if (d.change === 'incompatible') warnings.push(`schema: ${d.message}`);

  if (iceberg) {
    notes.push(iceberg.message);
    if (iceberg.error) warnings.push(`Iceberg metadata could not be read: ${iceberg.error}`);
    checkIcebergRecords(iceberg, files);
    warnings.push(...(iceberg.problems ?? []).map((p) => `iceberg: ${p}`));
    notes.push(...(iceberg.notes ?? []));
  }
  const partitions = summarizePartitions(data.map((f) => f.relativeKey));
  if (partitions.inconsistent.length) warnings.push(`${partitions.inconsistent.length} data file(s) do not follow the partition layout ${partitions.columns.join('/') || '(none)'}: ${partitions.inconsistent.slice(0, 3).map((i) => i.key).join(', ')}`);
  const format: LakeFormat = delta ? 'delta' : iceberg ? 'iceberg' : partitions.columns.length ? 'hive' : 'parquet';

  const rows = data.reduce((sum, f) => sum + (f.rows ?? 0), 0);
  const dataBytes = data.reduce((sum, f) => sum + f.size, 0);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const generation = delta ? `delta-v${delta.version}` : `listing-${listingDigest(files)}`;
  const label = delta ? `delta table ${uri} version ${delta.version}` : `prefix ${uri}`;
  const fileSet: FileSet = {
    kind: 'prefix', label, uri, hasManifest: false,
    files: files.map(toSnapshotFile),
    schema: analysis.schema,
    totals: { files: files.length, rows, bytes },
  };
  return {
    uri, location, format, generation, files, fileSet,
    schema: analysis.schema, drift: analysis.drift, partitions,
    layout: countRoles(files),
    totals: { dataFiles: data.length, metadataFiles: files.length - data.length, rows, dataBytes, bytes },
    ...(delta ? { delta: deltaSummary(delta) } : {}),
    ...(iceberg ? { iceberg } : {}),
    excluded: { objects: excluded.length, bytes: excluded.reduce((s, o) => s + o.size, 0), examples: excluded.slice(0, 5).map(relative) },
    warnings, notes,
  };
}

/** The Iceberg table of the prefix; a metadata file that does not read is a warning unless the caller chose a snapshot. */
async function readIceberg(store: ObjectStore, location: Location, listed: ObjectInfo[], detected: IcebergInfo, options: DescribeOptions): Promise<IcebergDescription> {
  try {
    return { ...detected, ...(await summarizeIceberg(store, location, listed, { ...options.iceberg, ...(options.concurrency ? { concurrency: options.concurrency } : {}) })) };
  } catch (error) {
    if (options.iceberg || !(error instanceof LakevaultError)) throw error;
    return { ...detected, error: error.message };
  }
}

/**
 * Iceberg's manifests, not key names, say what a file is: a data file under `_day=…/` is
 * data (a segment starting with '_' hides it only from engines that list), and delete
 * files are Parquet whose rows are deletes, not table rows.
 */
function applyIcebergRoles(files: LakeFile[], iceberg: IcebergDescription): void {
  const data = new Set((iceberg.dataFiles ?? []).map((f) => f.key));
  const deletes = new Set((iceberg.deleteFiles ?? []).map((f) => f.key));
  for (const file of files) {
    if (data.has(file.relativeKey)) {
      file.kind = 'data';
      file.role = 'data';
    } else if (deletes.has(file.relativeKey)) {
      file.kind = 'metadata';
      file.role = 'iceberg-deletes';
      delete file.partition;
    }
  }
}

/** Each live data file's record_count against the rows its footer states. */
function checkIcebergRecords(iceberg: IcebergDescription, files: LakeFile[]): void {
  const byKey = new Map(files.map((f) => [f.relativeKey, f]));
  for (const data of iceberg.dataFiles ?? []) {
    const file = byKey.get(data.key);
    if (file?.rows !== undefined && file.rows !== data.records) {
      iceberg.problems!.push(`data file ${data.key}: its manifest says ${data.records} records, its footer ${file.rows} rows`);
    }
  }
}

function lakeFile(location: Location, object: ObjectInfo, role: LayoutRole): LakeFile {
  const relativeKey = object.key.slice(location.prefix.length);
  const file: LakeFile = { relativeKey, bucket: location.bucket, key: object.key, size: object.size, etag: object.etag, kind: role === 'data' ? 'data' : 'metadata', role };
  if (role === 'data') {
    const partition = parsePartitionPath(relativeKey);
    if (partition.length) file.partition = Object.fromEntries(partition.map((p) => [p.column, p.value]));
  }
  return file;
}

/** Delta: the version's live files (data) and deletion vectors and log (metadata), all from the one listing. */
function deltaFiles(location: Location, listed: ObjectInfo[], delta: DeltaSnapshot): { files: LakeFile[]; excluded: ObjectInfo[] } {
  const byRelative = new Map(listed.map((o) => [o.key.slice(location.prefix.length), o]));
  const uri = formatS3Uri(location);
  const files = new Map<string, LakeFile>();
  const need = (relativeKey: string, role: LayoutRole, what: string): LakeFile => {
    const object = byRelative.get(relativeKey);
    if (!object) throw new IntegrityError(`Delta table ${uri} version ${delta.version} needs ${what} ${relativeKey}, which is not under the prefix (removed by VACUUM or lost)`);
    const file = lakeFile(location, object, role);
    files.set(relativeKey, file);
    return file;
  };
  for (const live of delta.live) {
    const file = need(live.relativeKey, 'data', 'data file');
    if (live.size !== undefined && live.size !== file.size) {
      throw new IntegrityError(`Delta table ${uri} version ${delta.version}: ${live.relativeKey} is ${file.size} bytes, the log says ${live.size}`);
    }
    if (live.partitionValues && Object.keys(live.partitionValues).length) file.partition = live.partitionValues;
    if (live.deletionVectorKey) need(live.deletionVectorKey, 'delta-log', 'deletion vector');
  }
  for (const key of delta.logKeys) need(key, 'delta-log', 'log file');
  const excluded = listed.filter((o) => !files.has(o.key.slice(location.prefix.length)));
  return { files: [...files.values()].sort((a, b) => compare(a.relativeKey, b.relativeKey)), excluded };
}

/** Footers of data files (and probes of extension-less part files), with bounded concurrency. */
async function readFooters(store: ObjectStore, location: Location, files: LakeFile[], options: DescribeOptions): Promise<void> {
  const data = files.filter((f) => f.kind === 'data');
  let done = 0;
  await runPool(data, options.concurrency ?? 16, async (file) => {
    try {
      const footer = await readFooter(store, location.bucket, file.key, file.size, file.etag);
      file.rows = footer.rows;
      file.rowGroups = footer.rowGroups;
      file.schema = footer.schema;
    } catch (error) {
      if (needsProbe(file.relativeKey)) {
        file.kind = 'metadata'; // an extension-less file that is not Parquet
        file.role = 'not-parquet';
        delete file.partition;
      } else {
        file.error = (error as Error).message;
      }
    }
    options.onProgress?.({ footers: ++done, totalFooters: data.length });
  });
}

/** The FileSet entry: what backup, restore and validate use (role and partition stay in the description). */
function toSnapshotFile(file: LakeFile): SnapshotFile & { schema?: FieldDescription[] } {
  const { relativeKey, bucket, key, size, etag, kind, rows, rowGroups, schema } = file;
  return {
    relativeKey, bucket, key, size, etag, kind,
    ...(rows !== undefined ? { rows } : {}),
    ...(rowGroups !== undefined ? { rowGroups } : {}),
    ...(schema ? { schema } : {}),
  };
}

/** sha256 over the files' keys, sizes and ETags: two listings of an unchanged prefix agree. */
function listingDigest(files: LakeFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.relativeKey}\u0000${file.size}\u0000${file.etag}\n`);
  return hash.digest('hex').slice(0, 16);
}

function deltaSummary(delta: DeltaSnapshot): DeltaSummary {
  return {
    version: delta.version,
    latestVersion: delta.latestVersion,
    liveFiles: delta.live.length,
    logFiles: delta.logKeys.length,
    replayedFrom: delta.replayedFrom,
    partitionColumns: delta.metadata?.partitionColumns ?? [],
    ...(delta.protocol?.minReaderVersion !== undefined ? { minReaderVersion: delta.protocol.minReaderVersion } : {}),
    ...(delta.protocol?.readerFeatures ? { readerFeatures: delta.protocol.readerFeatures } : {}),
  };
}
