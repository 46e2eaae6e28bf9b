import { z } from 'zod';
import { count, field, millis, s3Uri, schemaVersion, timestamp, totals } from './common';

export const tableCreate = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  generation: z.string().describe('id of this write of the table; data file names carry it'),
  rows: count,
  files: count,
  bytes: count,
  contentDigest: z.string(),
  replacedGeneration: z.string().optional(),
  removedFiles: count,
  elapsedMs: millis,
  warnings: z.array(z.string()).optional().describe('e.g. the server stored objects without the requested encryption'),
}).describe('lakevault table create --json');

export const tableInspect = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  hasManifest: z.boolean(),
  generation: z.string().optional(),
  createdAt: timestamp.optional(),
  schema: z.array(field),
  files: z.array(z.object({
    key: z.string(),
    rows: count,
    rowGroups: count,
    bytes: count,
    etag: z.string(),
    schema: z.array(field).optional(),
    error: z.string().optional(),
  })),
  totals,
  problems: z.array(z.string()).describe('where footers and the manifest disagree'),
  otherObjects: z.array(z.string()),
  // Present only for a prefix lakevault did not write (docs/FOREIGN-TABLES.md).
  format: z.enum(['delta', 'iceberg', 'hive', 'parquet']).optional(),
  partitions: z.object({
    columns: z.array(z.string()),
    values: z.record(z.string(), z.array(z.string().nullable())),
    partitions: count,
    inconsistent: z.array(z.object({ key: z.string(), columns: z.array(z.string()) })),
  }).optional(),
  drift: z.array(z.object({
    change: z.enum(['added', 'widened', 'incompatible', 'nullability']),
    field: z.string(),
    message: z.string(),
    files: z.array(z.string()),
    types: z.array(z.string()).optional(),
  })).optional(),
  layout: z.record(z.string(), count).optional().describe('objects per layout role (data, delta-log, success-marker, …)'),
  metadataFiles: count.optional(),
  delta: z.object({
    version: count,
    latestVersion: count,
    liveFiles: count,
    logFiles: count,
    replayedFrom: count,
    partitionColumns: z.array(z.string()),
    minReaderVersion: count.optional(),
    readerFeatures: z.array(z.string()).optional(),
  }).optional(),
  iceberg: z.object({ metadataFiles: z.array(z.string()), message: z.string() }).optional(),
  excluded: z.object({ objects: count, bytes: count, examples: z.array(z.string()) }).optional(),
  warnings: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
}).describe('lakevault table inspect --json');

export const tableList = z.object({
  schemaVersion,
  warehouse: s3Uri,
  tables: z.array(z.object({
    name: z.string(),
    uri: s3Uri,
    rows: count.optional(),
    files: count.optional(),
    bytes: count.optional(),
    createdAt: timestamp.optional(),
    generation: z.string().optional(),
    error: z.string().optional(),
  })),
}).describe('lakevault table list --json');

export const tableDrop = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  deletedObjects: count,
  errors: z.array(z.object({ key: z.string(), code: z.string(), message: z.string() })),
}).describe('lakevault table drop --json');

export const copy = z.object({
  schemaVersion,
  source: s3Uri,
  destination: s3Uri,
  objects: count,
  bytes: count,
  elapsedMs: millis,
  objectsPerSecond: count,
  retries: count,
  copied: z.array(z.object({
    relativeKey: z.string(),
    size: count,
    sourceEtag: z.string(),
    etag: z.string(),
    multipart: z.boolean(),
  })),
}).describe('lakevault copy --json');
