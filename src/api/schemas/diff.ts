import { z } from 'zod';
import { count, millis, s3Uri, schemaVersion } from './common';

const side = z.object({ label: z.string(), uri: z.string(), kind: z.enum(['table', 'backup', 'checkpoint', 'prefix']), files: count, rows: count });

export const diff = z.object({
  schemaVersion,
  a: side,
  b: side,
  sameRows: z.boolean().describe('the same rows on both sides, as a bag (duplicates count), whatever the files'),
  sameFiles: z.boolean().describe('the same keys holding the same content on both sides'),
  schema: z.object({ equal: z.boolean(), differences: z.array(z.string()) }),
  files: z.object({
    same: count,
    changed: z.array(z.string()).describe('keys in both whose content differs'),
    onlyInA: z.array(z.string()),
    onlyInB: z.array(z.string()),
    matchedByContent: count.describe('data files whose content the other side holds under any key: not read'),
    readA: count,
    readB: count,
  }),
  rows: z.object({
    compared: z.boolean().describe('false when the columns differ'),
    a: count,
    b: count,
    read: count,
    added: count.describe('rows in b and not in a (EXCEPT ALL)'),
    removed: count.describe('rows in a and not in b (EXCEPT ALL)'),
    unchanged: count,
  }),
  changes: z.object({ uri: s3Uri, generation: z.string(), files: count, rows: count, bytes: count, contentDigest: z.string() }).optional()
    .describe('--out: the table of added and removed rows (column _change_type)'),
  memory: z.object({ budgetBytes: count, partitions: count, spilledBytes: count }),
  notes: z.array(z.string()),
  elapsedMs: millis,
  rowsPerSecond: count,
}).describe('lakevault diff --json');
