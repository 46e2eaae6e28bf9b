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
