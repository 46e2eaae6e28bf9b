import { z } from 'zod';
import { count, schemaVersion } from './common';

export const backupPlan = z.object({
  schemaVersion,
  subject: z.string().describe('s3:// URI of the table or backup planned'),
  format: z.enum(['s3-batch-csv']),
  output: z.string().describe('the CSV manifest written (Bucket, Key; keys URL-encoded)'),
  objects: count.describe('rows of the manifest'),
  bytes: count,
  buckets: z.array(z.string()).describe('source buckets named (a copy job reads from one)'),
  tooLarge: z.array(z.object({ bucket: z.string(), key: z.string(), size: count })).describe('objects over 5 GiB, which a batch copy cannot copy: left out of the manifest'),
}).describe('lakevault backup plan --json');

const fileCheck = z.object({
  relativeKey: z.string(),
  source: z.string(),
  destination: z.string(),
  check: z.enum(['verified', 'size-only', 'missing', 'wrong-size', 'wrong-etag', 'failed', 'not-in-report']),
  detail: z.string().optional(),
});

export const backupPlanVerify = z.object({
  schemaVersion,
  subject: z.string(),
  destination: z.string().describe('destination bucket and TargetKeyPrefix'),
  ok: z.boolean().describe('every file at the destination with its size (and ETag where one survives a copy), every task succeeded'),
  files: count,
  verified: count.describe('size and ETag match'),
  sizeOnly: count.describe('size matches; the ETag is no MD5 a copy keeps'),
  problems: z.array(fileCheck),
  sizeOnlyFiles: z.array(z.string()),
  report: z.object({ tasks: count, succeeded: count, failed: count, unplanned: count.describe('tasks for objects not in this plan') }).optional(),
}).describe('lakevault backup plan-verify --json');
