import { IntegrityError, UnsupportedError } from '../../errors';
import { arrayField, bigintField, isObject, numberField, objectsIn, stringField, type JsonObject, type JsonValue, type MetadataDocument } from './json';

/**
 * The parts of Iceberg table metadata (format versions 1, 2 and 3; spec "Table Metadata")
 * lakevault reads. Ids, sequence numbers and timestamps are 64-bit: BigInt, never Number.
 */
export interface TableMetadata {
  formatVersion: 1 | 2 | 3;
  tableUuid?: string;
  location: string;
  lastSequenceNumber?: bigint;
  lastUpdatedMs?: bigint;
  currentSchemaId?: number;
  schemas: IcebergSchema[];
  defaultSpecId?: number;
  partitionSpecs: PartitionSpec[];
  properties: Record<string, string>;
  /** Absent for a table without snapshots (-1 in format 1 and 2 files). */
  currentSnapshotId?: bigint;
  snapshots: Snapshot[];
  refs: SnapshotRef[];
  metadataLog: { timestampMs: bigint; metadataFile: string }[];
  statistics: StatisticsFile[];
  partitionStatistics: StatisticsFile[];
  /** Format 3: the next row id to assign (row lineage). */
  nextRowId?: bigint;
}

export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  /** A primitive type name (`long`, `decimal(9,2)`) or a nested type as written. */
  type: string | JsonObject;
  doc?: string;
}

export interface IcebergSchema {
  schemaId: number;
  fields: IcebergField[];
  identifierFieldIds: number[];
}

export interface PartitionField {
  sourceId: number;
  fieldId?: number;
  name: string;
  transform: string;
}

export interface PartitionSpec {
  specId: number;
  fields: PartitionField[];
}

export interface Snapshot {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  sequenceNumber?: bigint;
  timestampMs: bigint;
  /** The manifest list (Avro); format 1 snapshots may list manifests directly instead. */
  manifestList?: string;
  manifests?: string[];
  summary: Record<string, string>;
  schemaId?: number;
  firstRowId?: bigint;
  addedRows?: bigint;
}

export interface SnapshotRef {
  name: string;
  type: 'branch' | 'tag';
  snapshotId: bigint;
}

/** A statistics (Puffin) or partition-statistics file of one snapshot. */
export interface StatisticsFile {
  snapshotId: bigint;
  path: string;
  sizeInBytes?: number;
}

export function readTableMetadata(document: MetadataDocument, name: string): TableMetadata {
  const json = document.json;
  const where = name;
  const formatVersion = numberField(json, 'format-version', where);
  if (formatVersion !== 1 && formatVersion !== 2 && formatVersion !== 3) {
    throw new UnsupportedError(`Iceberg metadata ${name}: format-version ${formatVersion ?? '(missing)'} is not 1, 2 or 3`);
  }
  const location = stringField(json, 'location', where);
  if (!location) throw new IntegrityError(`Iceberg metadata ${name} has no "location"`);

  const schemas = objectsIn(json, 'schemas', where).map((s) => readSchema(s, where));
  if (schemas.length === 0 && isObject(json['schema'] ?? null)) schemas.push(readSchema(json['schema'] as JsonObject, where));
  const partitionSpecs = objectsIn(json, 'partition-specs', where).map((s) => ({
    specId: numberField(s, 'spec-id', where) ?? 0,
    fields: objectsIn(s, 'fields', where).map((f) => readPartitionField(f, where)),
  }));
  if (partitionSpecs.length === 0 && Array.isArray(json['partition-spec'])) {
    partitionSpecs.push({ specId: 0, fields: objectsIn(json, 'partition-spec', where).map((f) => readPartitionField(f, where)) });
  }

  const currentSnapshotId = bigintField(json, 'current-snapshot-id', where);
  const refs: SnapshotRef[] = [];
  const refsJson = json['refs'];
  if (isObject(refsJson ?? null)) {
    for (const [refName, ref] of Object.entries(refsJson as JsonObject)) {
      if (!isObject(ref)) throw new IntegrityError(`Iceberg metadata ${name}: ref ${refName} is not an object`);
      const type = stringField(ref, 'type', where);
      const snapshotId = bigintField(ref, 'snapshot-id', where);
      if ((type !== 'branch' && type !== 'tag') || snapshotId === undefined) throw new IntegrityError(`Iceberg metadata ${name}: ref ${refName} needs a type (branch or tag) and a snapshot-id`);
      refs.push({ name: refName, type, snapshotId });
    }
  }
  return {
    formatVersion,
    ...optional('tableUuid', stringField(json, 'table-uuid', where)),
    location,
    ...optional('lastSequenceNumber', bigintField(json, 'last-sequence-number', where)),
    ...optional('lastUpdatedMs', bigintField(json, 'last-updated-ms', where)),
    ...optional('currentSchemaId', numberField(json, 'current-schema-id', where)),
    schemas,
    ...optional('defaultSpecId', numberField(json, 'default-spec-id', where)),
    partitionSpecs,
    properties: stringMap(json['properties'], `${where} properties`),
    ...optional('currentSnapshotId', currentSnapshotId === -1n ? undefined : currentSnapshotId),
    snapshots: objectsIn(json, 'snapshots', where).map((s) => readSnapshot(s, where)),
    refs,
    metadataLog: objectsIn(json, 'metadata-log', where).map((entry) => {
      const file = stringField(entry, 'metadata-file', where);
      if (!file) throw new IntegrityError(`Iceberg metadata ${name}: a metadata-log entry has no metadata-file`);
      return { timestampMs: bigintField(entry, 'timestamp-ms', where) ?? 0n, metadataFile: file };
    }),
    statistics: objectsIn(json, 'statistics', where).map((s) => readStatisticsFile(s, where)),
    partitionStatistics: objectsIn(json, 'partition-statistics', where).map((s) => readStatisticsFile(s, where)),
    ...optional('nextRowId', bigintField(json, 'next-row-id', where)),
  };
}

function readSchema(schema: JsonObject, where: string): IcebergSchema {
  return {
    schemaId: numberField(schema, 'schema-id', where) ?? 0,
    fields: objectsIn(schema, 'fields', where).map((field) => {
      const type = field['type'];
      if (typeof type !== 'string' && !isObject(type ?? null)) throw new IntegrityError(`Iceberg metadata ${where}: field ${String(field['name'])} has no type`);
      return {
        id: numberField(field, 'id', where) ?? 0,
        name: stringField(field, 'name', where) ?? '',
        required: field['required'] === true,
        type: type as string | JsonObject,
        ...optional('doc', stringField(field, 'doc', where)),
      };
    }),
    identifierFieldIds: arrayField(schema, 'identifier-field-ids', where).map((id) => Number(String(id))),
  };
}

function readPartitionField(field: JsonObject, where: string): PartitionField {
  return {
    sourceId: numberField(field, 'source-id', where) ?? 0,
    ...optional('fieldId', numberField(field, 'field-id', where)),
    name: stringField(field, 'name', where) ?? '',
    transform: stringField(field, 'transform', where) ?? '',
  };
}

function readSnapshot(snapshot: JsonObject, where: string): Snapshot {
  const snapshotId = bigintField(snapshot, 'snapshot-id', where);
  if (snapshotId === undefined) throw new IntegrityError(`Iceberg metadata ${where}: a snapshot has no snapshot-id`);
  const at = `${where} snapshot ${snapshotId}`;
  const manifests = arrayField(snapshot, 'manifests', at);
  return {
    snapshotId,
    ...optional('parentSnapshotId', bigintField(snapshot, 'parent-snapshot-id', at)),
    ...optional('sequenceNumber', bigintField(snapshot, 'sequence-number', at)),
    timestampMs: bigintField(snapshot, 'timestamp-ms', at) ?? 0n,
    ...optional('manifestList', stringField(snapshot, 'manifest-list', at)),
    ...(manifests.length ? { manifests: manifests.map((m) => String(m)) } : {}),
    summary: stringMap(snapshot['summary'], `${at} summary`),
    ...optional('schemaId', numberField(snapshot, 'schema-id', at)),
    ...optional('firstRowId', bigintField(snapshot, 'first-row-id', at)),
    ...optional('addedRows', bigintField(snapshot, 'added-rows', at)),
  };
}

function readStatisticsFile(file: JsonObject, where: string): StatisticsFile {
  const path = stringField(file, 'statistics-path', where);
  const snapshotId = bigintField(file, 'snapshot-id', where);
  if (!path || snapshotId === undefined) throw new IntegrityError(`Iceberg metadata ${where}: a statistics entry needs snapshot-id and statistics-path`);
  return { snapshotId, path, ...optional('sizeInBytes', numberField(file, 'file-size-in-bytes', where)) };
}

function stringMap(value: JsonValue | undefined, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new IntegrityError(`Iceberg metadata ${where} is not an object`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The snapshot a read is about: by id, by ref name, or the current one. */
export function chooseSnapshot(metadata: TableMetadata, choice: { snapshotId?: bigint; ref?: string } = {}): Snapshot | undefined {
  let id: bigint | undefined;
  if (choice.snapshotId !== undefined) id = choice.snapshotId;
  else if (choice.ref !== undefined) {
    const ref = metadata.refs.find((r) => r.name === choice.ref);
    if (!ref) throw new IntegrityError(`Iceberg table has no branch or tag "${choice.ref}" (refs: ${metadata.refs.map((r) => r.name).join(', ') || 'none'})`);
    id = ref.snapshotId;
  } else id = metadata.currentSnapshotId ?? metadata.refs.find((r) => r.name === 'main')?.snapshotId;
  if (id === undefined) return undefined;
  const snapshot = metadata.snapshots.find((s) => s.snapshotId === id);
  if (!snapshot) throw new IntegrityError(`Iceberg table has no snapshot ${id} (snapshots: ${metadata.snapshots.map((s) => s.snapshotId).join(', ') || 'none'})`);
  return snapshot;
}

/** A schema type as one line: `long`, `struct<a: int>`, `map<string, string>`, `list<int>`. */
export function typeText(type: string | JsonObject): string {
  if (typeof type === 'string') return type;
  const kind = type['type'];
  if (kind === 'struct') return `struct<${(Array.isArray(type['fields']) ? type['fields'] : []).map((f) => (isObject(f) ? `${String(f['name'])}: ${typeText(f['type'] as string | JsonObject)}` : '?')).join(', ')}>`;
  if (kind === 'list') return `list<${typeText(type['element'] as string | JsonObject)}>`;
  if (kind === 'map') return `map<${typeText(type['key'] as string | JsonObject)}, ${typeText(type['value'] as string | JsonObject)}>`;
  return String(kind);
}
