import { z } from 'zod';
import { SCHEMA_VERSION } from '../report';

/** Every report names the version of its schema (see src/api/report.ts). */
export const schemaVersion = z.literal(SCHEMA_VERSION).describe('Version of this report\'s schema; fields may be added within a version, never removed or changed.');

export const count = z.number().int().nonnegative();
export const millis = z.number().int().nonnegative().describe('milliseconds');
export const timestamp = z.string().describe('ISO-8601 UTC time');
export const s3Uri = z.string().regex(/^s3:\/\//).describe('s3://bucket/prefix/');

export const field = z.object({ name: z.string(), type: z.string().describe('Arrow type, e.g. Int64, Utf8, Date32<DAY>'), nullable: z.boolean() });

export const totals = z.object({ files: count, rows: count, bytes: count });

export const validationLevel = z.enum(['quick', 'full']);

export const difference = z.object({
  kind: z.enum(['missing-file', 'extra-file', 'renamed-file', 'size', 'etag', 'rows', 'row-groups', 'totals', 'schema', 'digest', 'manifest']),
  subject: z.string().describe('the subject checked against its manifest, or "a vs b"'),
  file: z.string().optional().describe('key relative to the table or snapshot'),
  rowGroup: count.optional(),
  column: z.string().optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  message: z.string(),
});

/** The validator's report: `validate`, and inside restore, recover and drill reports. */
export const validation = z.object({
  ok: z.boolean(),
  level: validationLevel,
  subjects: z.array(z.object({
    label: z.string(),
    uri: z.string(),
    files: count,
    rows: count,
    bytes: count,
    contentDigest: z.string().optional(),
    columnDigests: z.record(z.string(), z.string()).optional(),
    complete: z.boolean().optional(),
    pages: z.object({ pages: count, checksummed: count }).optional().describe('full level: Parquet pages walked, and how many carried a CRC32 (each verified)'),
    readers: z.record(z.string(), count).optional().describe('full level: data files decoded by each reader (parquet-wasm; hyparquet where parquet-wasm could not)'),
  })),
  differences: z.array(difference),
  layoutDifferences: z.array(difference),
  fileErrors: z.array(z.object({ subject: z.string(), file: z.string(), uri: z.string(), error: z.string() })),
  notes: z.array(z.string()),
  totals,
  rowsChecked: count.describe('rows decoded (full) or counted from footers (quick), summed over the subjects: comparing two 50,000-row tables checks 100,000'),
  bytesRead: count,
  requests: count,
  rowsPerSecond: count,
  elapsedMs: millis,
  memory: z.object({
    budgetMb: z.number().positive().describe('the decode memory budget of the process'),
    perWorkerMb: count.describe("each decode worker's share"),
    peakRssMb: count.describe('peak resident memory of the process when the report was made'),
  }).optional(),
});
