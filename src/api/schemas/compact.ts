import { z } from 'zod';
import { count, millis, s3Uri, schemaVersion, totals } from './common';

export const tableCompact = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  mode: z.enum(['manifest', 'prefix']).describe('manifest: a lakevault table, switched at its manifest; prefix: a prefix without one, compacted partition by partition'),
  compacted: z.boolean().describe('false when no directory had files to merge'),
  generation: z.string().optional().describe('the generation the new files carry (and a lakevault table\'s new manifest)'),
  replacedGeneration: z.string().optional(),
  target: z.object({ rows: count.optional(), fileMb: count.optional() }),
  before: totals.describe('data files before'),
  after: totals.describe('data files after'),
  partitions: z.array(z.object({
    directory: z.string().describe('relative directory (a Hive partition keeps its key byte for byte)'),
    inputFiles: count,
    outputFiles: count,
    rows: count,
    bytesBefore: count,
    bytesAfter: count,
  })).describe('the directories rewritten'),
  keptFiles: count.describe('files left as they were (large enough, alone in their directory, or of a schema of their own)'),
  removedFiles: count,
  contentDigest: z.object({
    before: z.string().optional(),
    after: z.string().optional().describe('read back from the new files before the switch'),
    verified: z.boolean(),
  }),
  switchMs: millis.optional().describe('prefix: how long old and new files were both in place'),
  recovered: z.object({ generation: z.string(), outcome: z.enum(['rolled back', 'finished']), removedObjects: count }).optional()
    .describe('an interrupted compaction found at the start, and what became of it'),
  notes: z.array(z.string()),
  elapsedMs: millis,
  rowsPerSecond: count,
}).describe('lakevault table compact --json');
